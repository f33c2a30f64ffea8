"""Answer the common questions without click: a fast path for plain arguments.

``import click`` alone costs about as much as starting Python (it imports
``inspect``, ``typing``, ``uuid``, ``datetime``, ``gettext``), so a question such
as ``lineage show code-davinci-002`` would spend a third of its time before it
reads a row. :func:`dispatch` reads argument lists made only of what the command
takes (its positional arguments, ``--graph DIR``, ``--json``, ``--limit N``,
``--all`` and the command's own flags) and calls the same body the click command
calls (:mod:`.listing`, :mod:`.questions`, :mod:`.showing`, :mod:`.searching`,
:mod:`.exporting` for an export in a streamed format), through the same error
handling. Anything else (``--help``, an option it does not
know, a missing or extra argument, a bad ``--limit``) returns ``False`` and click
parses the arguments, so usage errors and help read exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple


class Spec(NamedTuple):
    """What one command takes: its body, positional arguments and options."""

    module: str
    arguments: tuple[str, ...]
    limit: int | None = None  # the default of --limit N (None: no --limit)
    every: bool = False  # --all (no limit)
    variadic: bool = False  # the last argument takes every word left (one at least)
    flags: tuple[str, ...] = ()  # --strict -> strict=True
    values: tuple[tuple[str, str], ...] = ()  # ("--model", "model"), ("-m", "model")
    fixed: tuple[tuple[str, Any], ...] = ()  # keyword arguments always passed
    json: bool = True  # takes --json (as_json=False unless given)
    #: says whether the parsed keyword arguments are for this path (False: click)
    accepts: Callable[[dict[str, Any]], bool] | None = None


def _answer(module: str, *arguments: str, **more: Any) -> Spec:
    """A question with the answer limits: ``--limit N`` (default 25) and ``--all``."""
    from .console import ANSWER_LIMIT

    return Spec(module, arguments, limit=ANSWER_LIMIT, every=True, **more)


def _streamed(kwargs: dict[str, Any]) -> bool:
    """An export in a streamed format (the others need rdflib, and click's
    collection of what it logs)."""
    from ..errors import LineageError
    from ..outputs.export import STREAMED, format_for

    fmt, output = kwargs["fmt"], kwargs["output"]
    if fmt is not None:
        return fmt == "nanopub" or fmt in STREAMED
    try:
        return format_for(None if output == "-" else output, None) in STREAMED
    except LineageError:  # no format to tell: click's command says so
        return False


#: the commands answered here (``check --rdf``, ``ablate -mX``, ``search
#: --kind`` and exports in RDF/XML go to click)
SPECS = {
    "why": _answer("questions", "capability"),
    "show": _answer("showing", "model"),
    "path": Spec("questions", ("a", "b")),
    "diff": _answer("questions", "a", "b"),
    "ablate": _answer(
        "questions",
        "stage",
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
    "search": Spec(
        "searching",
        ("text",),
        limit=10,
        variadic=True,
        values=(("-n", "limit"),),
        fixed=(("kinds", ()),),
    ),
    "export": Spec(
        "exporting",
        (),
        values=(("-o", "output"), ("--output", "output"), ("--format", "fmt"))
        + (("--base", "base"),),
        fixed=(("output", None), ("fmt", None), ("base", None)),
        json=False,
        accepts=_streamed,
    ),
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
    if spec.variadic and len(positional) >= len(spec.arguments):
        cut = len(spec.arguments) - 1
        positional = [*positional[:cut], tuple(positional[cut:])]
    if len(positional) != len(spec.arguments):
        return None
    kwargs.update(zip(spec.arguments, positional, strict=True))
    if spec.accepts is not None and not spec.accepts(kwargs):
        return None
    import importlib

    module = importlib.import_module(f"{__package__}.{spec.module}")
    return getattr(module, argv[0]), kwargs


def _read(spec: Spec, tokens: list[str]) -> tuple[dict[str, Any], list[Any]]:
    """Options into keyword arguments, the rest as positional arguments."""
    kwargs: dict[str, Any] = {"graph_dirs": [], **dict(spec.fixed)}
    if spec.json:
        kwargs["as_json"] = False
    kwargs.update({_keyword(flag): False for flag in spec.flags})
    limit = spec.limit
    show_all = False
    values = dict(spec.values)
    if spec.limit is not None:
        values["--limit"] = "limit"
    positional: list[Any] = []
    tokens.reverse()
    while tokens:
        token = tokens.pop()
        if not token.startswith("-"):
            positional.append(token)
            continue
        name, eq, value = token.partition("=")
        if name == "--graph" or name in values:
            if not (eq and name.startswith("--")):  # --graph=DIR, or the next token
                if eq or not tokens or tokens[-1].startswith("-"):
                    raise _ForClickError
                value = tokens.pop()
            if name == "--graph":
                kwargs["graph_dirs"].append(value)
            elif values[name] == "limit":
                limit = _count(value)
            else:
                kwargs[values[name]] = value
        elif token == "--json" and spec.json:
            kwargs["as_json"] = True
        elif token == "--all" and spec.every:
            show_all = True
        elif token in spec.flags:
            kwargs[_keyword(token)] = True
        else:
            raise _ForClickError
    kwargs["graph_dirs"] = tuple(kwargs["graph_dirs"])
    if spec.limit is not None:
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
