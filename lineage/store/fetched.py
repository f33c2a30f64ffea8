"""A mapping whose values are fetched from the store when first asked for.

:class:`Fetched` is how the store's tables look like dicts to the query code
(:mod:`.lazy`) and to the incremental rules (:mod:`.update`) without reading
whole tables: a missing key is fetched once and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

#: what ``fetch`` returns for a key the store does not have
ABSENT: Any = object()


class Fetched(dict):  # type: ignore[type-arg]
    """A dict that fetches a missing key from the store once and keeps it.

    ``fetch(key)`` returns the value or ``ABSENT``; ``every()`` yields all pairs
    (for iteration, not kept); ``count()`` is the number of keys.
    """

    def __init__(
        self,
        fetch: Callable[[Any], Any],
        every: Callable[[], Iterator[tuple[Any, Any]]],
        count: Callable[[], int],
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._every = every
        self._count = count
        self._absent: set[Any] = set()

    def _load(self, key: Any) -> bool:
        if dict.__contains__(self, key):
            return True
        if key in self._absent:
            return False
        value = self._fetch(key)
        if value is ABSENT:
            self._absent.add(key)
            return False
        dict.__setitem__(self, key, value)
        return True

    def __missing__(self, key: Any) -> Any:
        if self._load(key):
            return dict.__getitem__(self, key)
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        return dict.__getitem__(self, key) if self._load(key) else default

    def __contains__(self, key: object) -> bool:
        return self._load(key)

    def __len__(self) -> int:
        return self._count()

    def __iter__(self) -> Iterator[Any]:
        return (k for k, _ in self._every())

    def keys(self) -> Any:
        return list(self)

    def values(self) -> Any:
        return (v for _, v in self._every())

    def items(self) -> Any:
        return self._every()

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    __hash__ = None

    def __repr__(self) -> str:
        return f"<stored table of {len(self)}>"
