"""Errors are values: a problem has a message code, its arguments, a location in a file and the
article the faulty field belongs to. They are turned into words (Dutch or English) only at the
edge, by `engine.messages`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from convenant.core.citation import Citation


@dataclass(frozen=True)
class Location:
    """A place in a file; line and column count from 1, as editors show them."""

    path: str
    line: int | None = None
    column: int | None = None
    length: int = 1

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Place:
    """A further place a problem concerns, shown with its own source line and caret: the rule
    file's expression that failed while evaluating (`what` "rule", `name` the rule) or another
    fact whose value caused it (`what` "fact", `name` the fact)."""

    what: str  # rule | fact
    name: str
    location: Location


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a rule file, a fact file or an evaluation."""

    code: str
    args: Mapping[str, Any] = field(default_factory=dict)
    location: Location | None = None
    field: str | None = None
    article: Citation | None = None
    related: Location | None = None
    severity: str = "error"
    places: tuple[Place, ...] = ()  # shown after `location`, each with its source line


class Fault(ValueError):
    """A fault found deep inside a helper (a value, a date, an expression), named by a message code;
    the caller adds the file, line and article and turns it into a Problem."""

    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code = code
        self.args_ = args


class ConvenantError(Exception):
    """Raised with every problem found; the command line turns it into messages and exit 1."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__(", ".join(p.code for p in self.problems))


class UsageRefusal(ConvenantError):
    """A refusal of how a command was called: an option that does not fit the files it was given
    (a `--act` the rule file does not declare, a `--date` the act's own date contradicts); exit 2."""


class Problems:
    """Collects problems so that one run reports all of them, not only the first."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, code: str, /, **kwargs: Any) -> None:
        context = {k: kwargs.pop(k) for k in ("location", "field", "article", "related") if k in kwargs}
        self.items.append(Problem(code, kwargs, **context))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return any(p.severity == "error" for p in self.items)

    def raise_if_any(self) -> None:
        if self:
            raise ConvenantError(self.items)
