"""A few recent things of this server in memory (letter sets, batch jobs), by a random id.

The oldest is dropped first when more than `size` are kept; an unknown id is a ConvenantError
with the message code the caller names, so a page or the API says which kind of thing was not
found (and a 404). Safe across the server's threads.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from convenant.core.diagnostics import ConvenantError, Problem

T = TypeVar("T")


class Kept(Generic[T]):
    """At most `size` items by id, the oldest dropped first.

    >>> kept: Kept[tuple[str, str]] = Kept(2, "web.run_not_found")
    >>> ids = [kept.add(lambda key, x=x: (key, x))[0] for x in "abc"]
    >>> kept.get(ids[-1])[1], len(kept.ids()), ids[0] in kept.ids()
    ('c', 2, False)
    """

    def __init__(self, size: int, not_found: str) -> None:
        self.size, self.not_found = size, not_found
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, make: Callable[[str], T]) -> T:
        """The item `make(id)` makes for a new id, kept."""
        key = secrets.token_urlsafe(12)
        item = make(key)
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return item

    def get(self, key: str) -> T:
        with self._lock:
            found = self._items.get(key)
        if found is None:
            raise ConvenantError([Problem(self.not_found, {})])
        return found

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._items)

    def values(self) -> list[T]:
        with self._lock:
            return list(self._items.values())
