"""Answer the common questions without click: a fast path for plain arguments.

``import click`` alone costs about as much as starting Python (it imports
``inspect``, ``typing``, ``uuid``, ``datetime``, ``gettext``), so a question such
as ``lineage show code-davinci-002`` would spend a third of its time before it
reads a row. :func:`dispatch` reads argument lists made only of what the command
takes (its positional arguments, ``--graph DIR``, ``--json``, ``--limit N``,
``--all`` and the command's own flags) and calls the same body the click command
calls (:mod:`.listing`, :mod:`.questions`, :mod:`.showing`), through the same
error handling. Anything else (``--help``, an option it does not know, a missing
or extra argument, a bad ``--limit``) returns ``False`` and click parses the
arguments, so usage errors and help read exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


class Spec(NamedTuple):
    """What one command takes: its body, positional arguments and options."""

    module: str
    arguments: tuple[str, ...]
    limit: bool = False  # --limit N and --all
    flags: tuple[str, ...] = ()  # --strict -> strict=True
    values: tuple[tuple[str, str], ...] = ()  # ("--model", "model"), ("-m", "model")
    fixed: tuple[tuple[str, Any], ...] = ()  # keyword arguments always passed


#: the commands answered here (``check --rdf`` and ``ablate -mX`` go to click)
SPECS = {
    "why": Spec("questions", ("capability",), limit=True),
    "show": Spec("showing", ("model",), limit=True),
    "path": Spec("questions", ("a", "b")),
    "diff": Spec("questions", ("a", "b"), limit=True),
    "ablate": Spec(
        "questions",
        ("stage",),
        limit=True,
        values=(("--model", "model"), ("-m", "model")),
        fixed=(("model", None),),
    ),
    "conflicts": Spec("questions", ()),
    "check": Spec(
        "listing",
        (),
        flags=("--strict", "--fail-fast"),
        fixed=(("rdf", False),),
    ),
    "models": Spec("listing", ()),
    "capabilities": Spec("listing", ()),
    "sources": Spec("listing", ()),
}


class _ForClickError(Exception):
    """The arguments need click."""


def parse(argv: Sequence[str]) -> tuple[Callable[..., Any], dict[str, Any]] | None:
    """The body and its keyword arguments for ``argv``, or None (click's turn)."""
    if not argv or argv[0] not in SPECS:
        return None
    spec = SPECS[argv[0]]
    try:
        kwargs, positional = _read(spec, list(argv[1:]))
    except _ForClickError:
        return None
    if len(positional) != len(spec.arguments):
        return None
    kwargs.update(zip(spec.arguments, positional, strict=True))
    import importlib

    module = importlib.import_module(f"{__package__}.{spec.module}")
    return getattr(module, argv[0]), kwargs


def _read(spec: Spec, tokens: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Options into keyword arguments, the rest as positional arguments."""
    from .console import ANSWER_LIMIT

    kwargs: dict[str, Any] = {"graph_dirs": [], "as_json": False, **dict(spec.fixed)}
    kwargs.update({_keyword(flag): False for flag in spec.flags})
    limit: int | None = ANSWER_LIMIT
    show_all = False
    values = dict(spec.values)
    positional: list[str] = []
    tokens.reverse()
    while tokens:
        token = tokens.pop()
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, eq, value = token.partition("=")
        if name == "--graph" or (name == "--limit" and spec.limit) or name in values:
            if not (eq and name.startswith("--")):  # --graph=DIR, or the next token
                if eq or not tokens or tokens[-1].startswith("-"):
                    raise _ForClickError
                value = tokens.pop()
            if name == "--graph":
                kwargs["graph_dirs"].append(value)
            elif name == "--limit":
                limit = _count(value)
            else:
                kwargs[values[name]] = value
        elif token == "--json":
            kwargs["as_json"] = True
        elif token == "--all" and spec.limit:
            show_all = True
        elif token in spec.flags:
            kwargs[_keyword(token)] = True
        else:
            raise _ForClickError
    kwargs["graph_dirs"] = tuple(kwargs["graph_dirs"])
    if spec.limit:
        kwargs["limit"] = None if show_all else limit
    return kwargs, positional


def _keyword(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _count(text: str) -> int:
    """A ``--limit`` value click would accept unchanged (plain digits, at least 1)."""
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise _ForClickError
    return int(text)


def dispatch(argv: Sequence[str]) -> bool:
    """Run the command ``argv`` names if it needs no click; False if it does."""
    found = parse(argv)
    if found is None:
        return False
    from .console import echo, run_guarded

    body, kwargs = found
    try:
        run_guarded(body, **kwargs)
    except (KeyboardInterrupt, EOFError):  # as click ends them
        echo("", err=True)
        echo("Aborted!", err=True)
        raise SystemExit(1) from None
    return True
