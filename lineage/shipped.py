"""Where the facts and saved queries are when nobody says: the working directory,
``$LINEAGE_GRAPH``, the source checkout, or the copy inside the installed package.

The wheel carries ``graph/`` and ``queries/`` as ``lineage/data/graph`` and
``lineage/data/queries`` (``setup.py`` copies them at build time), so an installed
``lineage`` answers from any directory. Only ``os`` is used, so that finding the
default graph costs nothing at start-up.
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = [
    "DISTRIBUTION",
    "GraphChoice",
    "choose_graph",
    "default_graph",
    "shipped_dir",
]

#: The name on PyPI (``pip install capability-lineage``); the import package and the
#: command are ``lineage``.
DISTRIBUTION = "capability-lineage"

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
#: The source checkout holding this package, if it runs from one (not site-packages,
#: where a ``graph`` beside the package would be some other project's).
_CHECKOUT = os.path.dirname(_PACKAGE)
if not os.path.isfile(os.path.join(_CHECKOUT, "pyproject.toml")):
    _CHECKOUT = ""


class GraphChoice(NamedTuple):
    """The fact directories a command reads and why those."""

    directories: tuple[str, ...]
    #: option, environment, working-directory, checkout or package
    source: str

    def describe(self) -> str:
        """``graph (./graph in the working directory)`` and the like."""
        why = {
            "option": "given with --graph",
            "environment": "from $LINEAGE_GRAPH",
            "working-directory": "./graph in the working directory",
            "checkout": "the source checkout's graph/",
            "package": f"the graph shipped with {DISTRIBUTION}",
        }[self.source]
        return f"{os.pathsep.join(self.directories)} ({why})"


def shipped_dir(name: str) -> str | None:
    """The checkout's ``name/`` (an editable or source run), else the packaged copy."""
    for candidate in (
        os.path.join(_CHECKOUT, name) if _CHECKOUT else "",
        os.path.join(_PACKAGE, "data", name),
    ):
        if candidate and os.path.isdir(candidate):
            return candidate
    return None


def choose_graph(given: tuple[str, ...] | list[str] = ()) -> GraphChoice:
    """``--graph`` dirs, else ``$LINEAGE_GRAPH``, else ``./graph``, else the shipped one.

    Examples
    --------
    >>> choose_graph(("my-facts",))
    GraphChoice(directories=('my-facts',), source='option')
    """
    if given:
        return GraphChoice(tuple(given), "option")
    env = os.environ.get("LINEAGE_GRAPH")
    if env:
        return GraphChoice(tuple(p for p in env.split(os.pathsep) if p), "environment")
    if os.path.isdir("graph"):
        return GraphChoice(("graph",), "working-directory")
    checkout = os.path.join(_CHECKOUT, "graph") if _CHECKOUT else ""
    if checkout and os.path.isdir(checkout):
        return GraphChoice((checkout,), "checkout")
    packaged = os.path.join(_PACKAGE, "data", "graph")
    if os.path.isdir(packaged):
        return GraphChoice((packaged,), "package")
    return GraphChoice(("graph",), "working-directory")  # fails with a hint


def default_graph() -> tuple[str, ...]:
    """The fact directories used when ``--graph`` is not given."""
    return choose_graph().directories
