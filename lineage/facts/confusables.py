"""Letters of other scripts that look like Latin ones, for catching look-alike names.

A name typed with a Cyrillic ``а`` (U+0430) in place of the Latin ``a`` reads the same
as the Latin one but is another string, so two records would answer to what people
see as one name. :func:`skeleton` maps such letters (after NFKC and casefold, as in
:func:`lineage.facts.fold.normalize`) to the Latin letter they imitate. The table is
the lowercase Cyrillic and Greek letters that Unicode's confusables list (UTS #39)
maps to a single Latin letter or digit; fullwidth and other compatibility forms are
already folded by NFKC.
"""

from __future__ import annotations

__all__ = ["LOOK_ALIKES", "skeleton"]

#: look-alike letter -> the Latin letter or digit it imitates
LOOK_ALIKES = {
    # Cyrillic
    "а": "a", "с": "c", "ԁ": "d", "е": "e", "һ": "h", "і": "i", "ј": "j",
    "к": "k", "ӏ": "l", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "у": "y",
    "ү": "y", "х": "x", "ԝ": "w", "ɡ": "g",
    # Greek
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "υ": "u", "χ": "x", "γ": "y",
}  # fmt: skip
_TABLE = str.maketrans(LOOK_ALIKES)


def skeleton(key: str) -> str:
    """``key`` with look-alike letters replaced by the Latin ones they imitate.

    Examples
    --------
    >>> skeleton("dаvinci") == "davinci"  # the second letter is Cyrillic
    True
    """
    return key.translate(_TABLE)
