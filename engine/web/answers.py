"""The API's answers to the same question, kept for the next time it is asked.

Evaluating Groningen takes about a tenth of a second and its JSON half as much again; twenty
analysts asking for the example at once should not each wait for all of that. An answer is kept
under everything that decides it: the fact file's bytes (sha256) and the name it is shown by, the
language, the question (evaluate, or explain with its format and municipality), and the content of
the rules directory the server reads (every rule file, its tables and its sentence templates). A
rule file edited on disk while the server runs gives a new key, so a kept answer is never stale.

At most `size` answers are kept, the least recently used dropped first. Two requests for the same
answer at the same moment compute it once: the second waits for the first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from convenant.check import registry
from convenant.core.paths import rules_dir

T = TypeVar("T")


def rules_digest(directory: Path | None = None) -> str:
    """The digest of the rules directory the server reads (`registry.directory_digest`): every
    rule file, table and sentence template, by place and content. A changed directory makes the
    engine forget what it keeps by path (`registry.versions` does that when it reads it again;
    `forget_template_environments` is registered for the templates)."""
    return registry.directory_digest(directory or rules_dir())


def forget_template_environments() -> None:
    """The sentence templates' environments are kept by path for the life of the process."""
    from convenant.render import templating

    templating.environment.cache_clear()


registry.forget_when_changed(forget_template_environments)


@dataclass
class Answers(Generic[T]):
    """The last `size` answers by key; `get(key, compute)` computes an answer once."""

    size: int = 64
    _kept: OrderedDict[Hashable, T] = field(default_factory=OrderedDict)
    _busy: dict[Hashable, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:  # one computes; the others asking the same wait for it here
            with self._lock:
                if key in self._kept:
                    return self._kept[key]
            try:
                answer = compute()  # a refusal (ConvenantError) is not kept: it passes through
            except BaseException:
                with self._lock:
                    self._busy.pop(key, None)
                raise
            with self._lock:
                self._kept[key] = answer
                self._busy.pop(key, None)
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
            return answer

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)
