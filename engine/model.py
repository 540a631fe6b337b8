"""Typed, checked model of one covenant version: what `engine.checking` builds from a rule file
and what `engine.evaluate` runs. Nothing here reads files or prints.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from engine import expr
from engine.citation import Citation
from engine.loading import Document
from engine.units import Kind

MUNICIPALITY = "municipality"
CASE = "case"
YEAR = "jaar"  # the one built-in name: the calendar year of the facts


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    valid_from: date | None = None
    valid_until: date | None = None
    successor: str | None = None


@dataclass(frozen=True)
class MunicipalityTable:
    """The table of municipalities a rule file was checked against (rules/municipalities.yaml)."""

    path: str
    sha256: str
    municipalities: tuple[Municipality, ...]

    def by_code(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)

    def by_name(self, name: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.name == name), None)

    def closest_names(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, [m.name for m in self.municipalities], n=2)


@dataclass(frozen=True)
class Party:
    code: str
    name: str
    role: str  # centrumgemeente | regiogemeente | deelnemer
    article: Citation
    order: int  # position in the preamble: the tie-break order


@dataclass(frozen=True)
class Article:
    citation: Citation
    title: str | None
    text: str | None


@dataclass(frozen=True)
class Interpretation:
    """A named reading (DOMAIN.md). Fixed: `reading` + `alternative`. Switchable: `options` + `chosen`."""

    id: str
    article: Citation
    question: str
    reading: str | None = None
    alternative: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    chosen: str | None = None
    note: str | None = None

    @property
    def switchable(self) -> bool:
        return bool(self.options)

    @property
    def chosen_reading(self) -> str:
        return self.options[self.chosen] if self.chosen else (self.reading or "")


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    kind: Kind
    value: Any
    article: Citation
    note: str | None = None


@dataclass(frozen=True)
class FactDecl:
    name: str
    label: str
    kind: Kind
    per: str | None
    article: Citation
    minimum: Fraction | None = None
    required: bool = True
    default: Any = None

    @property
    def has_default(self) -> bool:
        return self.default is not None


# --- how a rule computes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    text: str
    tree: expr.Node


@dataclass(frozen=True)
class KeyComponent:
    by: str
    weight: str
    article: Citation


@dataclass(frozen=True)
class WeightedKey:
    components: tuple[KeyComponent, ...]


@dataclass(frozen=True)
class Distribute:
    amount: str
    key: str


@dataclass(frozen=True)
class DecisionCase:
    when: Expression
    outcome: str
    text: str
    article: Citation | None


@dataclass(frozen=True)
class Decision:
    cases: tuple[DecisionCase, ...]


@dataclass(frozen=True)
class OnDate:
    """A fixed day: a day-and-month parameter in the facts' year plus `year_offset`."""

    date: str
    year_offset: int


@dataclass(frozen=True)
class InMonth:
    """A whole month of the facts' year plus `year_offset` ("in februari")."""

    month: str
    year_offset: int


@dataclass(frozen=True)
class After:
    """A term after a date ("binnen een maand na de brief")."""

    date: str
    term: str


Spec = Expression | WeightedKey | Distribute | Decision | OnDate | InMonth | After


@dataclass(frozen=True)
class Warning:
    when: Expression
    message: str


@dataclass(frozen=True)
class Rule:
    """A computation (section `rules`) or a term (section `deadlines`) of the covenant."""

    name: str
    section: str
    label: str
    article: Citation
    kind: Kind
    per: str | None
    inputs: tuple[str, ...]
    interpretations: tuple[str, ...]
    spec: Spec
    warnings: tuple[Warning, ...] = ()
    settlement_deadline: str | None = None
    who: str | None = None


@dataclass(frozen=True)
class Duty:
    name: str
    label: str
    article: Citation
    who: str
    period: str
    inputs: tuple[str, ...]
    check: Expression | None


@dataclass(frozen=True)
class DatePolicy:
    months: str | None = None  # interpretation id deciding the month policy
    working_days: str | None = None  # interpretation id deciding the Algemene termijnenwet


@dataclass(frozen=True)
class LegalBasis:
    title: str
    bwb: str
    juriconnect: str | None = None


@dataclass(frozen=True)
class Covenant:
    id: str
    title: str
    region: str | None
    version: str
    version_date: date
    valid_from: date
    valid_until: date
    period_article: Citation
    cvdr: str | None
    document: str | None
    note: str | None
    legal_basis: tuple[LegalBasis, ...] = ()

    def covers(self, year: int) -> bool:
        return self.valid_from <= date(year, 12, 31) and self.valid_until >= date(year, 1, 1)


@dataclass
class RuleFile:
    """One checked covenant version."""

    path: str
    sha256: str
    document: Document
    covenant: Covenant
    parties: tuple[Party, ...]
    articles: dict[str, Article]
    interpretations: dict[str, Interpretation]
    parameters: dict[str, Parameter]
    facts: dict[str, FactDecl]
    rules: dict[str, Rule]  # rules and deadlines, in file order
    order: tuple[str, ...]  # rules and deadlines in dependency order
    duties: dict[str, Duty]
    date_policy: DatePolicy
    municipalities: MunicipalityTable

    def party(self, code: str) -> Party | None:
        return next((p for p in self.parties if p.code == code), None)

    @property
    def centrumgemeente(self) -> Party:
        return next(p for p in self.parties if p.role == "centrumgemeente")

    def article_title(self, citation: Citation) -> str | None:
        article = self.articles.get(str(citation.artikel))
        return article.title if article else None
