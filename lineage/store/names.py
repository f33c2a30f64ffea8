"""One name resolver for every record a user can name: capabilities, models,
families, stages and sources.

:func:`build_names` reads the ids, names and aliases of the facts once (the table is
part of the compiled index, so it is cached with it); :meth:`Names.resolve` turns
what someone typed into one record, or raises an error that lists the candidates
or the closest records, ranked. The words are folded by :mod:`lineage.facts.fold`;
abbreviations are learnt from the data (an alias such as ``CoT`` beside a name such
as "Chain-of-thought reasoning" teaches that "cot" stands for "chain of thought"),
never written into code.

A name is tried, in order, as

1. an id (``chain-of-thought``),
2. a name or alias ignoring case, width, spaces and punctuation (``Chain of Thought``),
3. a folded bag of words: spelling, inflections, word order, filler words,
   abbreviations and hyphenation ignored (``modeling dialogue history``),
4. the same with misspelt words corrected to the graph's own words
   (``chain of thougth``),
5. the words of one label, all of them, among others (``generalization`` is in
   "zero-shot generalization").

The first step that finds anything decides: one record is the answer, several are
an :class:`~lineage.errors.AmbiguousNameError`. When none finds anything, the
records are ranked by :meth:`Names.rank` (see docs/json.md, "Suggestions").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import field
from typing import Any

from .._records import frozen_record, mutable_record
from ..errors import AmbiguousNameError, UnknownNameError
from ..facts.fold import (
    FILLER,
    bigram_similarity,
    canon,
    edit_distance,
    normalize,
    words,
)
from ..facts.model import Facts, Stage

__all__ = ["KINDS", "Match", "Names", "build_names", "family_roots"]

#: every kind of record a name can lead to
KINDS = ("capability", "model", "family", "stage", "source", "concept")
#: how a match was found, best first (see the module docstring)
HOW = ("id", "name", "folded", "typo", "partial")
#: weight of the letter-pair similarity against the word overlap
LETTER_WEIGHT = 0.8
#: share of a record's score that its description can add
DESCRIPTION_WEIGHT = 0.2
#: at most this many records are scored for suggestions (those sharing the rarest
#: typed words; every record when the graph has at most 5,000)
MAX_CANDIDATES = 5000
#: the lowest score that is still offered as a suggestion
SUGGESTION_CUTOFF = 0.4

Ref = tuple[str, str]  # (kind, id)
Bag = tuple[str, ...]


@frozen_record
class Match:
    """A record a name led to, how, and through which of its labels."""

    kind: str
    id: str
    label: str
    how: str
    score: float = 1.0

    @property
    def ref(self) -> Ref:
        return (self.kind, self.id)


def _labels_of(kind: str, record: Any) -> list[str]:
    if kind == "source":
        if getattr(record, "version_of", None) or not record.authors:
            return [record.id, record.title]  # a copy: "Fu 2022" is the original
        surname = record.authors[0].split()[-1]
        return [
            record.id,
            record.title,
            f"{surname} {record.year}",
            f"{surname} et al {record.year}",
        ]
    return [record.id, record.name, *record.aliases]


def _records(facts: Facts) -> Iterator[tuple[str, Any]]:
    tables = (
        ("capability", facts.capabilities),
        ("model", facts.models),
        ("family", facts.families),
        ("stage", facts.stages),
        ("source", facts.sources),
        ("concept", facts.concepts),
    )
    for kind, table in tables:
        for record in table.values():
            yield kind, record


def _description(kind: str, record: Any) -> str:
    for attr in ("description", "definition", "title"):
        text = getattr(record, attr, None)
        if isinstance(text, str):
            return text
    return ""


def _initials(run: list[str]) -> Iterator[str]:
    yield "".join(w[0] for w in run)
    content = [w for w in run if w not in FILLER]
    if content and content[0] == run[0] and content[-1] == run[-1]:
        yield "".join(w[0] for w in content)


def _expansions(abbreviation: str, label: str) -> Iterator[Bag]:
    """Runs of words of ``label`` whose initials spell ``abbreviation``."""
    ws = words(label)
    for start in range(len(ws)):
        for end in range(start + 2, len(ws) + 1):
            run = ws[start:end]
            if abbreviation in _initials(run):
                yield tuple(canon(w) for w in run if w not in FILLER)


def _is_abbreviation(label: str) -> bool:
    return (
        label.isalpha() and 2 <= len(label) <= 6 and sum(c.isupper() for c in label) > 1
    )


@mutable_record
class Names:
    """The name tables of one set of facts (built by :func:`build_names`)."""

    ids: dict[str, set[str]] = field(default_factory=dict)
    exact: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    folded: dict[Bag, list[tuple[str, str, str]]] = field(default_factory=dict)
    labels: dict[Ref, list[tuple[str, Bag]]] = field(default_factory=dict)
    described: dict[Ref, frozenset[str]] = field(default_factory=dict)
    by_word: dict[str, set[Ref]] = field(default_factory=dict)
    abbreviations: dict[str, Bag] = field(default_factory=dict)
    spelt: set[str] = field(default_factory=set)
    _deletions: dict[str, set[str]] | None = None

    # --- folding ------------------------------------------------------------------

    def fold(self, text: str, fix: bool = False) -> Bag:
        """The folded bag of ``text``, abbreviations expanded, compounds split;
        with ``fix``, misspelt words corrected to the graph's own words."""
        return self.fold_words(words(text), fix)

    def fold_words(self, raw: list[str], fix: bool = False) -> Bag:
        """:meth:`fold` of words already split by :func:`lineage.facts.fold.words`."""
        out: list[str] = []
        for word in [w for w in raw if w not in FILLER] or raw:
            folded = canon(word)
            if fix and folded not in self.by_word:
                folded = canon(self.correct(word) or word)
            if folded in self.abbreviations:
                out.extend(self.abbreviations[folded])
            elif folded not in self.by_word and len(folded) >= 5:
                out.extend(self._split(folded))
            else:
                out.append(folded)
        return tuple(sorted(out))

    def _split(self, word: str) -> list[str]:
        """``zeroshot`` -> ``zero shot`` when both halves are words of the graph."""
        for cut in range(2, len(word) - 1):
            left, right = canon(word[:cut]), canon(word[cut:])
            if left in self.by_word and right in self.by_word:
                return [left, right]
        return [word]

    def correct(self, word: str) -> str | None:
        """The one word of the graph's labels within a typo of ``word`` (None:
        none, or several equally close). One edit under seven letters, else two."""
        if len(word) < 4 or word in self.spelt or not word.isalpha():
            return None
        limit = 1 if len(word) < 7 else 2
        best: dict[int, set[str]] = {}
        for other in self._near(word, limit):
            distance = edit_distance(word, other, limit + 1)
            if distance <= limit:
                best.setdefault(distance, set()).add(other)
        if not best:
            return None
        closest = {canon(w) for w in best[min(best)]}
        return next(iter(best[min(best)])) if len(closest) == 1 else None

    def _near(self, word: str, limit: int) -> set[str]:
        if self._deletions is None:
            self._deletions = {}
            for known in self.spelt:
                for variant in {known, *_deletes(known)}:
                    self._deletions.setdefault(variant, set()).add(known)
        found: set[str] = set()
        for variant in {word, *_deletes(word)}:
            found |= self._deletions.get(variant, set())
        if limit > 1:
            found |= {
                w
                for w in self.spelt
                if abs(len(w) - len(word)) <= limit and w[:1] == word[:1]
            }
        return found

    # --- lookup -------------------------------------------------------------------

    def lookup(self, text: str, kinds: Iterable[str] = KINDS) -> list[Match]:
        """Every record of ``kinds`` the first successful step finds (maybe none)."""
        wanted = set(kinds)
        found = [
            Match(kind, text.strip(), text.strip(), "id")
            for kind in KINDS
            if kind in wanted and text.strip() in self.ids.get(kind, ())
        ]
        if found:
            return found
        steps: list[tuple[str, list[tuple[str, str, str]]]] = [
            ("name", self.exact.get(normalize(text), [])),
        ]
        folded = self.fold(text)
        steps.append(("folded", self.folded.get(folded, [])))
        corrected = self.fold(text, fix=True)
        if corrected != folded:
            steps.append(("typo", self.folded.get(corrected, [])))
        steps.append(("partial", self._holding(corrected)))
        for how, entries in steps:
            hits: dict[Ref, Match] = {}
            for kind, rid, label in entries:
                if kind in wanted:
                    hits.setdefault((kind, rid), Match(kind, rid, label, how))
            if hits:
                return list(hits.values())
        return []

    def _holding(self, query: Bag) -> list[tuple[str, str, str]]:
        """Labels that hold every typed word (``generalization`` is in
        "zero-shot generalization")."""
        if not query:
            return []
        refs = set.intersection(*(self.by_word.get(w, set()) for w in query))
        wanted = set(query)
        return [
            (kind, rid, label)
            for kind, rid in sorted(refs)
            for label, folded in self.labels.get((kind, rid), ())
            if wanted <= set(folded)
        ]

    def resolve(self, text: str, kinds: Iterable[str] = KINDS) -> Match:
        """The one record ``text`` names.

        Raises
        ------
        AmbiguousNameError
            When it names several records; ``candidates`` are ranked.
        UnknownNameError
            When it names none; ``suggestions`` are the closest records, ranked,
            and ``elsewhere`` a record of another kind it does name, if any.
        """
        kinds = tuple(kinds)
        what = " or ".join(kinds)
        hits = self.lookup(text, kinds)
        if len(hits) == 1:
            return hits[0]
        if hits:
            ranked = self.rank(text, kinds, among={m.ref for m in hits})
            raise AmbiguousNameError(
                what, text, [f"{m.kind} '{m.id}'" for m in ranked], ranked
            )
        others = [k for k in KINDS if k not in kinds]
        elsewhere = self.lookup(text, others) if others else []
        suggestions = self.rank(text, kinds)
        raise UnknownNameError(
            what,
            text,
            suggestions[0].id if suggestions else None,
            suggestions,
            elsewhere[0] if len(elsewhere) == 1 else None,
        )

    # --- ranking ------------------------------------------------------------------

    def rank(
        self,
        text: str,
        kinds: Iterable[str] = KINDS,
        limit: int = 5,
        among: set[Ref] | None = None,
    ) -> list[Match]:
        """Records of ``kinds`` by similarity to ``text``, best first.

        A record's score is the best, over its id, name and aliases, of the
        larger of two overlaps with what was typed: of folded words (2/3 the
        share of the typed words the label holds plus 1/3 the share of the
        label's words typed; a word within one typo counts 0.8, a prefix of four
        or more letters 0.5) and :data:`LETTER_WEIGHT` times the overlap of
        letter pairs of the normalized strings (Dice coefficient); plus
        :data:`DESCRIPTION_WEIGHT` times the share of the typed words found in
        the record's description. Records below
        :data:`SUGGESTION_CUTOFF` are not offered (unless ``among`` is given).
        """
        wanted = set(kinds)
        query = self.fold(text)
        key = normalize(text)
        pool = among if among is not None else self._candidates(query, wanted)
        scored: list[Match] = []
        for ref in pool:
            if ref[0] not in wanted:
                continue
            best, label = 0.0, ref[1]
            for candidate, folded in self.labels.get(ref, ()):
                score = max(
                    _word_overlap(query, folded),
                    LETTER_WEIGHT * bigram_similarity(key, normalize(candidate)),
                )
                if score > best:
                    best, label = score, candidate
            described = self.described.get(ref, frozenset())
            if query and described:
                share = sum(w in described for w in query) / len(query)
                best += DESCRIPTION_WEIGHT * share
            if among is not None or best >= SUGGESTION_CUTOFF:
                scored.append(Match(ref[0], ref[1], label, "similar", round(best, 3)))
        scored.sort(key=lambda m: (-m.score, KINDS.index(m.kind), m.id))
        return scored[:limit] if among is None else scored

    def _candidates(self, query: Bag, wanted: set[str]) -> set[Ref]:
        if sum(len(v) for v in self.ids.values()) <= MAX_CANDIDATES:
            return set(self.labels)
        groups = []
        for word in query:
            groups.append(self.by_word.get(word, set()))
            fixed = self.correct(word)
            if fixed:
                groups.append(self.by_word.get(canon(fixed), set()))
        pool: set[Ref] = set()
        for group in sorted(groups, key=len):  # rarest words first
            if len(pool) + len(group) > MAX_CANDIDATES:
                break
            pool |= group
        return pool


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _same_word(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) >= 4 and len(b) >= 4:
        if edit_distance(a, b, 2) <= 1:
            return 0.8
        if a.startswith(b) or b.startswith(a):
            return 0.5
    return 0.0


def _word_overlap(query: Bag, label: Bag) -> float:
    """How much of ``query`` the label holds: 2/3 recall + 1/3 precision.

    Words match in full (1), within one typo (0.8) or as a prefix of four or
    more letters (0.5), each label word at most once.
    """
    if not query or not label:
        return 0.0
    pool = list(label)
    matched = 0.0
    for word in query:
        best, at = 0.0, -1
        for i, other in enumerate(pool):
            score = _same_word(word, other)
            if score > best:
                best, at = score, i
        if at >= 0:
            matched += best
            pool.pop(at)
    return (2 * matched / len(query) + matched / len(label)) / 3


def build_names(facts: Facts) -> Names:
    """The name tables of ``facts``.

    Examples
    --------
    >>> from lineage.facts.model import Capability, Facts, Kind
    >>> cot = Capability("chain-of-thought", "Chain-of-thought reasoning",
    ...                  Kind.ABILITY, "Reasoning step by step.", ("CoT",))
    >>> names = build_names(Facts(capabilities={cot.id: cot}))
    >>> names.resolve("CoT reasoning").id
    'chain-of-thought'
    >>> names.resolve("chain of thougth reasoning").how
    'typo'
    """
    names = Names()
    records = list(_records(facts))
    for stage in Stage:  # the closed vocabulary, defined or not
        names.ids.setdefault("stage", set()).add(stage.value)
    split: dict[str, list[str]] = {}
    for kind, record in records:
        names.ids.setdefault(kind, set()).add(record.id)
        for label in _labels_of(kind, record):
            raw = split.get(label)
            if raw is None:
                raw = split[label] = words(label)
            names.spelt.update(w for w in raw if w.isalpha())
            for word in [w for w in raw if w not in FILLER] or raw:
                names.by_word.setdefault(canon(word), set()).add((kind, record.id))
    for _, record in records:
        labels = _labels_of("", record) if hasattr(record, "aliases") else []
        for short in labels:
            if not _is_abbreviation(short):
                continue
            for other in labels:
                for expansion in _expansions(short.casefold(), other):
                    names.abbreviations.setdefault(short.casefold(), expansion)
    for kind, record in records:
        ref = (kind, record.id)
        for label in _labels_of(kind, record):
            folded = names.fold_words(split[label])
            entry = (kind, record.id, label)
            names.exact.setdefault(normalize(label), []).append(entry)
            names.folded.setdefault(folded, []).append(entry)
            names.labels.setdefault(ref, []).append((label, folded))
        described = _description(kind, record)
        if described:
            names.described[ref] = frozenset(names.fold(described))
    for key, entries in names.exact.items():
        names.exact[key] = list(dict.fromkeys(entries))
    for bag_key, entries in names.folded.items():
        names.folded[bag_key] = list(dict.fromkeys(entries))
    return names


def family_roots(index: Any, family: str) -> list[str]:
    """The members of ``family`` a command takes when it needs one model.

    The family's declared ``root`` if it has one, else its members with no parent
    inside the family, parents first.
    """
    declared = index.facts.families[family].root
    if declared:
        return [declared]
    members = set(index.members.get(family, ()))
    roots = {
        mid
        for mid in members
        if not any(d.parent in members for d in index.parents.get(mid, ()))
    }
    return list(index.topo(roots))
