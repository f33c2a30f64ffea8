"""How names are folded and compared: the words people type against the graph's.

Shared by the validator's suggestions (:mod:`lineage.facts.validate`, the loader)
and the name resolver (:mod:`lineage.store.names`); the web explorer runs the same
rules from :func:`rules_json`, so the page and the command line fold alike.

Folding is symmetric: the same rules turn both a record's labels and what a user
typed into a *bag* of canonical words, so a rule only has to map variants onto the
same form, never onto a correct one ("precise" becoming "precize" on both sides
is harmless). The steps, in order:

1. Unicode NFKC (full-width letters become ASCII) and case folding.
2. Possessives go ("the model's", "its").
3. Words are runs of letters and digits; every CJK character is a word of its own,
   so Chinese word order does not matter either.
4. Filler words go ("the", "ability", "of", ...), unless nothing else is left.
5. British spellings become American (-ise/-ize, -isation/-ization, -elling/-eling,
   -our/-or, dialogue/dialog).
6. Simple inflections are stripped (refuse/refusing/refuses, rejects/rejected).

The bag is sorted, so word order does not matter. No synonym of a particular
record lives here: synonyms are aliases in ``graph/``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "FILLER",
    "bag",
    "bigram_similarity",
    "canon",
    "edit_distance",
    "normalize",
    "rules_json",
    "suggest",
    "words",
]

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)
#: a CJK ideograph (each is a word of its own: Chinese is written without spaces)
_IDEOGRAPH = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
#: what :data:`_WORD` matches in ASCII text, where no ideograph can be
_ASCII_WORD = re.compile(r"[^\W_]+")


@functools.cache
def _cjk() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(one ideograph, one word), compiled on first use: the ideograph ranges take
    several milliseconds to compile, and most names are ASCII."""
    return re.compile(_IDEOGRAPH), re.compile(_IDEOGRAPH + r"|[^\W_]+")


_POSSESSIVE = re.compile(r"(?:\bthe\s+)?\bmodel['\u2019]s\b|['\u2019]s\b|\bits\b")

#: words that add nothing to a name: dropped from both sides before comparing
FILLER = frozenset(
    "a an the of to for from in on at by with and or its their this that "
    "ability abilities capability capabilities skill skills "
    "能力 的".split()
)
#: Chinese filler words, removed as substrings before splitting into characters
_CJK_FILLER = ("能力", "的")

#: British word endings and their American forms, longest first
SPELLING = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ise", "ize"),
    ("ysing", "yzing"),
    ("ysed", "yzed"),
    ("yse", "yze"),
    ("elling", "eling"),
    ("elled", "eled"),
    ("ogues", "ogs"),
    ("ogue", "og"),
    ("ours", "ors"),
    ("our", "or"),
    ("tres", "ters"),
    ("tre", "ter"),
)
#: the shortest word the spelling rules touch (keeps "our", "four", "hour", "rise")
_SPELLING_MIN = 5


def normalize(name: str) -> str:
    """Fold case, width, spaces, hyphens and punctuation: the exact-name key.

    Examples
    --------
    >>> normalize("Chain-of-Thought")
    'chainofthought'
    >>> normalize(" GPT 3.5 ")
    'gpt35'
    """
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name).casefold())


_BRITISH = dict(SPELLING)
_BRITISH_END = re.compile("(" + "|".join(b for b, _ in SPELLING) + ")$")


def _american(word: str) -> str:
    if len(word) < _SPELLING_MIN:
        return word
    found = _BRITISH_END.search(word)
    if found is None:
        return word
    return word[: found.start()] + _BRITISH[found.group(1)]


def _undouble(word: str) -> str:
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        return word[:-1]
    return word


def _stem(word: str) -> str:
    """Strip a plural or verb ending (a light stemmer; both sides get the same)."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ization"):
        word = word[:-5] + "e"
    for suffix in ("ing", "ed", "ion"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return _undouble(word)


@functools.lru_cache(maxsize=1 << 16)
def canon(word: str) -> str:
    """The canonical form of one folded word: American spelling, no inflection.

    Examples
    --------
    >>> [canon(w) for w in ("modelling", "modeling", "models", "model")]
    ['model', 'model', 'model', 'model']
    >>> canon("generalisation") == canon("generalizing") == canon("generalize")
    True
    >>> canon("dialogue") == canon("dialog")
    True
    """
    if not word.isascii() and _cjk()[0].fullmatch(word):
        return word
    return _stem(_american(word))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (before filler removal and stemming).

    Examples
    --------
    >>> words("The model's In-Context  learning")
    ['in', 'context', 'learning']
    >>> words("遵循指令")
    ['遵', '循', '指', '令']
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _POSSESSIVE.sub(" ", text)
    if text.isascii():
        return _ASCII_WORD.findall(text)
    ideograph, word = _cjk()
    for filler in _CJK_FILLER:
        if ideograph.search(text):
            text = text.replace(filler, " ")
    return word.findall(text)


def bag(text: str) -> tuple[str, ...]:
    """The sorted canonical words of ``text`` without filler: the folded key.

    Examples
    --------
    >>> bag("modeling dialogue history") == bag("Dialog history modelling")
    True
    >>> bag("refusing improper questions") == bag("Refuse improper question")
    True
    >>> bag("the")
    ('the',)
    """
    raw = words(text)
    kept = [w for w in raw if w not in FILLER] or raw
    return tuple(sorted(canon(w) for w in kept))


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), capped at ``limit``.

    Examples
    --------
    >>> edit_distance("rlfh", "rlhf")
    1
    >>> edit_distance("thougth", "thought")
    1
    """
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) >= limit:
            return limit
        prev2, prev = prev, row
    return min(prev[-1], limit)


def _bigrams(text: str) -> list[str]:
    key = f" {text} "
    return [key[i : i + 2] for i in range(len(key) - 1)]


def bigram_similarity(a: str, b: str) -> float:
    """Dice coefficient of the letter pairs of two normalized strings (0..1).

    Examples
    --------
    >>> bigram_similarity("chatgpt", "chatgpt")
    1.0
    >>> round(bigram_similarity("chatgtp", "chatgpt"), 2)
    0.62
    """
    if not a or not b:
        return 0.0
    pa, pb = _bigrams(a), _bigrams(b)
    pool = list(pb)
    common = 0
    for gram in pa:
        if gram in pool:
            pool.remove(gram)
            common += 1
    return 2 * common / (len(pa) + len(pb))


def suggest(word: str, choices: Iterable[str], limit: int = 1) -> list[str]:
    """The ``choices`` closest to ``word``, best first, for a "did you mean".

    A choice whose folded form equals the word's wins outright ("RLHF" and
    "rlhf", "instruction tuning" and "instruction_tuning"); the rest are ranked by
    letter-pair similarity of the folded forms and kept above 0.5.

    Examples
    --------
    >>> suggest("RLHF", ["rlhf", "pretraining"])
    ['rlhf']
    >>> suggest("instruction tuning", ["rlhf", "instruction_tuning"])
    ['instruction_tuning']
    >>> suggest("rlfh", ["rlhf", "pretraining"])
    ['rlhf']
    """
    key, wanted = normalize(word), bag(word)
    scored = []
    for choice in choices:
        ckey = normalize(choice)
        if ckey == key or bag(choice) == wanted:
            score = 2.0
        else:
            score = bigram_similarity(key, ckey)
            if min(len(key), len(ckey)) >= 3 and edit_distance(key, ckey, 2) <= 1:
                score = max(score, 0.9)
        if score > 0.5:
            scored.append((-score, choice))
    return [choice for _, choice in sorted(scored)[:limit]]


def rules_json() -> dict[str, object]:
    """The folding rules as data, for the web explorer's copy of :func:`bag`."""
    return {
        "filler": sorted(FILLER),
        "cjk_filler": list(_CJK_FILLER),
        "spelling": [list(pair) for pair in SPELLING],
        "spelling_min": _SPELLING_MIN,
    }
