"""Exceptions and the ``Problem`` record that every check reports.

A problem prints as ``path:line:col: error: message [rule-id]``; the command line
only sorts and prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any

from ._records import frozen_record

__all__ = [
    "plain",
    "shown",
    "AmbiguousNameError",
    "FactError",
    "FactsInvalid",
    "LineageError",
    "NoPathError",
    "Problem",
    "Severity",
    "UnknownNameError",
    "did_you_mean",
]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@frozen_record
class Problem:
    """One finding of the loader or a validation rule."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str
    code: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        return f"{where}: {self.severity.value}: {self.message} [{self.code}]"

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Position, rule, then message: a total order, so that the problems of a
        check are listed the same however they were found (all at once, or some
        kept from an earlier build)."""
        return (
            self.path, self.line, self.column, self.code, self.message,
            self.severity.value,
        )  # fmt: skip


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def plain(text: str) -> str:
    """``text`` with control characters (other than tab and newline) as spaces.

    For labels in drawings and markup, where they are invalid (XML) or unprintable.

    Examples
    --------
    >>> plain("Ro\\fot")
    'Ro ot'
    """
    return _CONTROL.sub(" ", text)


def shown(text: str, limit: int = 200) -> str:
    """``text`` (from a server, a file or a user) made safe to print on one line.

    Unprintable characters become ``?``, runs of white space one space, and the
    text is cut at ``limit`` characters.

    Examples
    --------
    >>> shown("bad\\x1b[31m red\\r\\nline")
    'bad?[31m red line'
    """
    printable = "".join(c if c.isprintable() or c.isspace() else "?" for c in text)
    flat = " ".join(printable.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or ``""``.

    Examples
    --------
    >>> did_you_mean("rlfh", ["rlhf", "pretraining"])
    " (did you mean 'rlhf'?)"
    """
    from .facts.fold import suggest  # the one ranking of every suggestion

    matches = suggest(word, choices)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


class LineageError(Exception):
    """Base class of every error the library raises on purpose."""


class FactError(LineageError):
    """A problem at a known place in a fact file."""

    def __init__(
        self,
        message: str,
        path: str,
        line: int = 0,
        column: int = 0,
        code: str = "fact-error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.code = code

    def __str__(self) -> str:
        return str(self.problem)

    @property
    def problem(self) -> Problem:
        return Problem(
            self.path, self.line, self.column, Severity.ERROR, self.message, self.code
        )


class FactsInvalid(LineageError):  # noqa: N818 - named for what it carries
    """The facts have errors; ``problems`` lists all of them, sorted."""

    def __init__(self, problems: list[Problem], files: int = 0) -> None:
        self.problems = sorted(problems, key=lambda p: p.sort_key)
        self.files = files
        errors = sum(p.severity is Severity.ERROR for p in self.problems)
        super().__init__(f"{errors} error(s) in the facts")


class UnknownNameError(LineageError):
    """A name given by the user matches no record of the kind asked for.

    ``suggestions`` are the closest records, best first (``Match`` objects of
    :mod:`lineage.store.names`); ``elsewhere`` is a record of another kind that
    the name does match (``rlhf`` asked as a capability is a stage).
    """

    def __init__(
        self,
        kind: str,
        name: str,
        suggestion: str | None = None,
        suggestions: Sequence[Any] = (),
        elsewhere: Any = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.suggestion = suggestion
        self.suggestions = list(suggestions)
        self.elsewhere = elsewhere
        hint = f" (did you mean '{suggestion}'?)" if suggestion else ""
        super().__init__(f"unknown {kind} '{name}'{hint}")


class AmbiguousNameError(LineageError):
    """A name given by the user matches several records (``ranked``: best first)."""

    def __init__(
        self, kind: str, name: str, candidates: list[str], ranked: Sequence[Any] = ()
    ) -> None:
        self.kind = kind
        self.name = name
        self.candidates = candidates
        self.ranked = list(ranked)
        listed = ", ".join(candidates)
        super().__init__(f"ambiguous {kind} '{name}': it could be {listed}")


class NoPathError(LineageError):
    """Two models are not connected by derivations."""
