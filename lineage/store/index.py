"""The compiled, query-ready form of the facts: adjacency and lookup tables.

:func:`build_index` runs once per set of facts (and is cached on disk by
:mod:`lineage.store.cache`); the query functions in :mod:`lineage.provenance.query` only read it.
It needs no third-party package, so answering a question does not pay for networkx.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field
from typing import Any

from .._records import mutable_record
from ..facts.model import Claim, Derivation, Emergence, Facts, Figure, date_sort_key
from .names import Names, build_names

__all__ = [
    "Index",
    "build_index",
    "component_sizes",
    "derivation_tables",
    "order_of",
    "reorder",
    "sizes_of",
    "topological_order",
]


@mutable_record
class Index:
    """Facts plus the tables every query needs."""

    facts: Facts
    parents: dict[str, list[Derivation]] = field(default_factory=dict)
    children: dict[str, list[Derivation]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    claims_by_model: dict[str, list[Claim]] = field(default_factory=dict)
    claims_by_capability: dict[str, list[Claim]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    words: Names = field(default_factory=Names)
    component_size: dict[str, int] = field(default_factory=dict)

    def resolve(self, name: str, kinds: tuple[str, ...]) -> tuple[str, str]:
        """Find a record by id, name or alias; return ``(kind, id)``.

        ``kinds`` is a tuple of ``"capability"``, ``"model"``, ``"family"``,
        ``"stage"`` and ``"source"``; see :meth:`lineage.store.names.Names.resolve`
        for how names are folded and the errors raised.
        """
        return self.words.resolve(name, kinds).ref

    def ancestors(self, model: str) -> set[str]:
        """Every model ``model`` derives from, transitively (not itself)."""
        seen: set[str] = set()
        stack = [model]
        while stack:
            for der in self.parents.get(stack.pop(), ()):
                if der.parent not in seen:
                    seen.add(der.parent)
                    stack.append(der.parent)
        return seen

    def descendants(self, model: str) -> set[str]:
        """Every model derived from ``model``, transitively (not itself)."""
        seen: set[str] = set()
        stack = [model]
        while stack:
            for der in self.children.get(stack.pop(), ()):
                if der.child not in seen:
                    seen.add(der.child)
                    stack.append(der.child)
        return seen

    def roots(self, model: str) -> set[str]:
        """The models without a parent that ``model`` descends from (itself if none)."""
        found: set[str] = set()
        seen = {model}
        stack = [model]
        while stack:
            mid = stack.pop()
            parents = self.parents.get(mid, ())
            if not parents:
                found.add(mid)
            for der in parents:
                if der.parent not in seen:
                    seen.add(der.parent)
                    stack.append(der.parent)
        return found

    def best_parent(self, model: str) -> Derivation | None:
        """The most confident derivation into ``model``, then the one whose parent
        comes first in derivation order (None for roots)."""
        parents = self.parents.get(model, ())
        if len(parents) < 2:
            return parents[0] if parents else None
        return min(parents, key=lambda d: (d.confidence.rank, self.order[d.parent]))

    def best_chain(self, model: str) -> list[tuple[str, Any]]:
        """The chain of best parents above ``model`` as ``(model, key)`` from
        ``model`` up, ``key`` the derivation into the model before it (None for
        ``model``; :meth:`derivation_at` gives the derivation of a key); stops
        before a model seen already."""
        found: list[tuple[str, Any]] = [(model, None)]
        seen = {model}
        der = self.best_parent(model)
        while der is not None and der.parent not in seen:
            found.append((der.parent, der))
            seen.add(der.parent)
            der = self.best_parent(der.parent)
        return found

    def read_chains(self, models: list[str]) -> None:
        """Prepare :meth:`best_chain` for these models (a store reads them in one
        query; in memory there is nothing to read)."""

    def derivation_at(self, key: Any) -> Derivation:
        """The derivation of a key of :meth:`best_chain` or :meth:`edges_above`
        (in memory the key is the derivation)."""
        der: Derivation = key
        return der

    def edges_above(self, model: str) -> list[tuple[str, str, int, int, Any]]:
        """Every derivation into ``model`` and its ancestors as ``(parent, child,
        confidence rank, place of the child in derivation order, key)``, those
        into one child in file order."""
        allowed = self.ancestors(model) | {model}
        ders = [d for mid in allowed for d in self.parents.get(mid, ())]
        order = self.order
        return [(d.parent, d.child, d.confidence.rank, order[d.child], d) for d in ders]

    def first_children(
        self, model: str, limit: int | None
    ) -> tuple[list[Derivation], int]:
        """The first ``limit`` derivations out of ``model`` (None: all), in file
        order, and how many there are."""
        every = list(self.children.get(model, ()))
        return (every if limit is None else every[:limit]), len(every)

    def derivation_ids(self, model: str) -> set[str]:
        """The ids of the derivations into and out of ``model``."""
        ders = [*self.parents.get(model, ()), *self.children.get(model, ())]
        return {d.id for d in ders}

    def topo(self, models: set[str]) -> list[str]:
        """The given models, parents before children."""
        return sorted(models, key=self.order.__getitem__)

    def figures_of(self, subject: str) -> tuple[Figure, ...]:
        """The figures about one model, family or source, in file order."""
        return tuple(f for f in self.facts.figures.values() if f.subject == subject)

    def emergence_of(self, capability: str) -> tuple[Emergence, ...]:
        """The emergence observations of one capability, in file order."""
        return tuple(
            r for r in self.facts.emergence.values() if r.capability == capability
        )


def derivation_tables(
    facts: Facts,
) -> tuple[dict[str, list[Derivation]], dict[str, list[Derivation]]]:
    """Derivations between known models, by child (parents) and by parent (children)."""
    parents: dict[str, list[Derivation]] = {}
    children: dict[str, list[Derivation]] = {}
    for der in facts.derivations.values():
        if der.parent in facts.models and der.child in facts.models:
            parents.setdefault(der.child, []).append(der)
            children.setdefault(der.parent, []).append(der)
    return parents, children


def topological_order(
    facts: Facts,
    parents: dict[str, list[Derivation]],
    children: dict[str, list[Derivation]],
) -> dict[str, int]:
    """Kahn's algorithm, ties broken by release date then id (deterministic)."""
    dates = {mid: model.date for mid, model in facts.models.items()}
    return order_of(dates, {p: [d.child for d in ds] for p, ds in children.items()})


def order_of(
    dates: dict[str, str | None], children: dict[str, list[str]]
) -> dict[str, int]:
    """:func:`topological_order` of models given as ``id -> date`` (in file order)
    and ``parent -> [child, ...]`` (one entry per derivation between them)."""
    import heapq

    known: dict[str | None, tuple[tuple[int, int, int], ...]] = {}

    def key(mid: str) -> tuple[tuple[tuple[int, int, int], ...], str]:
        date = dates[mid]
        found = known.get(date)
        if found is None:  # models share few dates: parse each once
            found = known[date] = date_sort_key(date)
        return (found, mid)

    indegree = dict.fromkeys(dates, 0)
    for kids in children.values():
        for child in kids:
            indegree[child] += 1
    heap = [key(mid) for mid, deg in indegree.items() if deg == 0]
    heapq.heapify(heap)
    order: dict[str, int] = {}
    while heap:
        _, mid = heapq.heappop(heap)
        order[mid] = len(order)
        for child in children.get(mid, ()):
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(heap, key(child))
    for mid in dates:  # only reached with a cycle, which validation reports
        order.setdefault(mid, len(order))
    return order


def reorder(
    dates: dict[str, str | None],
    parents: dict[str, list[str]],
    old: dict[str, int],
    rows_from: Callable[[int], Iterable[tuple[str, int, str | None]]],
) -> list[tuple[str, int]]:
    """The models whose place in :func:`order_of` changed after the release dates
    of some models changed, derivations and the set of models staying the same.

    ``dates`` holds the new date of each model that can move: the ones whose date
    changed and all their descendants (a set closed under children); ``parents``
    their parents (one entry per derivation between models), ``old`` the old place
    of each of them and of their parents, ``rows_from(n)`` yields ``(id, old
    place, date)`` of every model from old place ``n`` on, in the old order.

    Kahn's algorithm with a heap pops the smallest model available, and which of
    the other models is available never depends on the moved ones (none of them
    is an ancestor of another model): the others keep their order among
    themselves, and the moved ones are merged into it as the heap would pop them.
    Returns ``(id, new place)`` of the models whose place is not the old one.

    Examples
    --------
    >>> old = {"a": 0, "b": 1, "c": 2}
    >>> rows = [("a", 0, "2020"), ("b", 1, "2021"), ("c", 2, "2022")]
    >>> reorder({"c": "2019"}, {}, old, lambda n: rows[n:])
    [('c', 0), ('a', 1), ('b', 2)]
    """
    import heapq

    known: dict[str | None, tuple[tuple[int, int, int], ...]] = {}

    def key(mid: str, date: str | None) -> tuple[Any, str]:
        found = known.get(date)
        if found is None:
            found = known[date] = date_sort_key(date)
        return (found, mid)

    start = min(
        [
            *(old[m] for m in dates),
            *(  # the first place a moved model can take: after its parents
                1 + max((old[p] for p in parents.get(m, ())), default=-1)
                for m in dates
                if not any(p in dates for p in parents.get(m, ()))
            ),
        ]
    )
    last = max(old[m] for m in dates)
    waiting = dict.fromkeys(dates, 0)
    below: dict[str, list[str]] = {}
    for mid in dates:
        for parent in parents.get(mid, ()):
            if parent in dates or old[parent] >= start:
                waiting[mid] += 1
                below.setdefault(parent, []).append(mid)
    heap = [key(m, dates[m]) for m, n in waiting.items() if n == 0]
    heapq.heapify(heap)
    out: list[str] = []
    merged = 0

    def emit(mid: str) -> None:
        out.append(mid)
        for child in below.get(mid, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(heap, key(child, dates[child]))

    for mid, place, date in rows_from(start):
        if mid in dates:
            continue
        here = key(mid, date)
        while heap and heap[0] < here:
            emit(heapq.heappop(heap)[1])
            merged += 1
        if merged == len(dates) and place > last:
            break  # every moved model is placed: the rest keeps its place
        old.setdefault(mid, place)
        emit(mid)
    while heap:
        emit(heapq.heappop(heap)[1])
    return [(mid, start + n) for n, mid in enumerate(out) if old[mid] != start + n]


def component_sizes(
    facts: Facts, children: dict[str, list[Derivation]]
) -> dict[str, int]:
    """Size of each model's weakly connected lineage (union-find)."""
    return sizes_of(
        facts.models, {p: [d.child for d in ds] for p, ds in children.items()}
    )


def sizes_of(models: Iterable[str], children: dict[str, list[str]]) -> dict[str, int]:
    """:func:`component_sizes` of the given model ids and ``parent -> [child, ...]``."""
    root: dict[str, str] = {mid: mid for mid in models}

    def find(mid: str) -> str:
        while root[mid] != mid:
            root[mid] = root[root[mid]]
            mid = root[mid]
        return mid

    for parent, kids in children.items():
        for child in kids:
            a, b = find(parent), find(child)
            if a != b:
                root[b] = a
    sizes: dict[str, int] = {}
    for mid in root:
        top = find(mid)
        sizes[top] = sizes.get(top, 0) + 1
    return {mid: sizes[find(mid)] for mid in root}


def build_index(facts: Facts) -> Index:
    """Compile validated facts into an :class:`Index`.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> build_index(Facts()).order
    {}
    """
    index = Index(facts)
    index.parents, index.children = derivation_tables(facts)
    index.order = topological_order(facts, index.parents, index.children)
    index.component_size = component_sizes(facts, index.children)
    for claim in facts.claims.values():
        index.claims_by_model.setdefault(claim.model, []).append(claim)
        index.claims_by_capability.setdefault(claim.capability, []).append(claim)
    for model in facts.models.values():
        if model.family:
            index.members.setdefault(model.family, []).append(model.id)
    index.words = build_names(facts)
    return index
