"""Typed, checked model of one covenant version: what `engine.checking` builds from a rule file
and what `engine.evaluate` runs. Nothing here reads files or prints.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.language import expr
from convenant.source.loading import Document

if TYPE_CHECKING:
    from convenant.primitives import Spec  # the spec of each primitive, in engine/primitives/

MUNICIPALITY = "municipality"
CASE = "case"
YEAR = "jaar"  # built-in name: the calendar year of the facts
LAST_YEAR = "laatste_jaar"  # built-in name: the last calendar year the covenant version covers
BUILTINS = (YEAR, LAST_YEAR)


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
class Member:
    """A member of a declared set that is not a municipality: a spreadsheet row or column."""

    id: str
    label: str


@dataclass(frozen=True)
class SetDecl:
    """A set values can be indexed by (`per`), declared in the rule file: the parties' municipalities
    (in the year evaluated, in preamble order) if `parties`, then the `extra` members in order."""

    name: str
    label: str
    article: Citation
    parties: bool
    extra: tuple[Member, ...]

    def includes(self, other: str | None) -> bool:
        """True when every member of set `other` is a member of this set."""
        return other == self.name or (self.parties and other == MUNICIPALITY)

    def extra_label(self, member: str) -> str | None:
        return next((m.label for m in self.extra if m.id == member), None)

    def extra_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.extra)


@dataclass(frozen=True)
class Article:
    citation: Citation
    title: str | None
    text: str | None


@dataclass(frozen=True)
class Interpretation:
    """A named reading (DOMAIN.md). Fixed: `reading` + `alternative`. Switchable: `options` + `chosen`."""

    id: str
    article: Citation | None  # None: the reading holds for the whole covenant (every term: I-ATW)
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
    """A number of the covenant. Per set (`per`), `value` maps each party's code or extra member's id
    to its value; `table` names the data table the values were read from."""

    name: str
    label: str
    kind: Kind
    value: Any
    article: Citation
    note: str | None = None
    per: str | None = None
    table: str | None = None


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
    by: str | None = None  # the second set of a two-dimensional fact (per row and column)
    # a member may leave it out while others give it (a member without costs makes no claim)
    optional_per_member: bool = False
    required_with: str | None = None  # required for exactly the members that give this other fact
    # given for some members (and, per row and column, some cells) only; given for none it is known
    # to be empty (nothing agreed), not unknown (the agreed deviations of Groningen art. 5 lid 1)
    sparse: bool = False
    roles: tuple[str, ...] = ()  # per municipality: only parties with these roles give it (empty: all)
    sum_of: str | None = None  # a total: the sum of this fact per member when that is given (art. 8.9)

    @property
    def has_default(self) -> bool:
        return self.default is not None


# --- how a rule computes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """An expression as written, its checked tree (every node keeps its span in `text`), and the
    field of the rule file that holds it, so a failure while evaluating can point into the text."""

    text: str
    tree: expr.Node
    path: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Settlement:
    """A result settled with each member: positive is received, negative is paid, each by a deadline."""

    pays_by: str | None
    receives_by: str | None
    pays_article: Citation | None = None  # the article a paid amount rests on, if not the rule's
    receives_article: Citation | None = None

    def deadline(self, amount: Fraction | None) -> str | None:
        if amount is None or amount == 0:
            return None
        return self.receives_by if amount > 0 else self.pays_by

    def article(self, amount: Fraction | None) -> Citation | None:
        """The article of one direction (art. 3 lid 4 pays, lid 5 receives); None: the rule's own."""
        if amount is None or amount == 0:
            return None
        return self.receives_article if amount > 0 else self.pays_article


@dataclass(frozen=True)
class DecidedBy:
    """The decision a result rests on (Groningen art. 5 lid 8 with art. 6): a date fact, cited where
    the result is explained — never an input, so the result is known without it."""

    date: str  # a date fact, not per set
    articles: tuple[Citation, ...]
    about: str | None = None  # the value decided on: nil (or not given) means no decision is cited


@dataclass(frozen=True)
class Stated:
    """A result per member that each member's letter states without settling it (Assen art. 8
    lid 9); `total` is what the letter states instead when the parts were not given."""

    total: str | None = None


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
    settlement: Settlement | None = None
    stated: Stated | None = None  # stated in each member's letter (`letter` in the rule file)
    who: str | None = None
    roles: tuple[str, ...] = ()  # per municipality: only parties with these roles (empty: all)
    decided_by: DecidedBy | None = None  # the decision it rests on, cited (not needed to compute it)

    def cited(self, value: Any) -> Citation:
        """The article a value of this rule rests on: a settlement's direction may name its own."""
        own = self.settlement.article(value) if self.settlement and not isinstance(value, dict) else None
        return own or self.article

    @property
    def path(self) -> tuple[str, str]:
        """The rule's field in the rule file: ("rules" or "deadlines", its name)."""
        return (self.section, self.name)


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
class Act:
    """A letter the covenant knows as a legal act with a date (DOMAIN.md "The acts"): what it
    states, which fact is its date, and which facts its date cannot know."""

    name: str
    title: str  # the onderwerp; `{jaar}` is the year of the facts
    article: Citation
    states: tuple[str, ...]  # the results the letter states (rules), in order
    date: str | None = None  # the fact that is the letter's date (Groningen: datum_brief)
    during: str | None = None  # a deadline (day or period) the letter's date must lie in
    requires: tuple[str, ...] = ()  # facts that must be given for the act (a college decision)
    not_after: tuple[str, ...] = ()  # date facts that may not lie after the letter's date
    # date fact → the event as the letter says it when it lies after the letter's date
    future: dict[str, str] = field(default_factory=dict)
    provisional: bool = False  # states shares that are not yet settled (Assen voorlopig aandeel)

    def titled(self, year: int) -> str:
        return self.title.replace("{jaar}", str(year))


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
    first_year: int | None = None  # the first year the computations apply (may be after valid_from)
    first_year_article: Citation | None = None

    def covers(self, year: int) -> bool:
        return self.valid_from <= date(year, 12, 31) and self.valid_until >= date(year, 1, 1)

    def builtins(self, year: int) -> dict[str, int]:
        """The values of the built-in names for the facts of `year`."""
        return {YEAR: year, LAST_YEAR: self.valid_until.year}


@dataclass(frozen=True)
class TableColumn:
    id: str
    title: str
    subtitle: str | None
    total: bool  # a "Totaal" column rather than a column of the key


@dataclass(frozen=True)
class TableRow:
    """A row as printed: a municipality (by name), an extra row (by id), or an aggregate of parts."""

    label: str
    municipality: str | None
    row: str | None
    parts: tuple[str, ...]  # labels of the rows it aggregates
    values: dict[str, Fraction | None]  # column id → value (None: unreadable in the source)
    note: str | None = None


@dataclass(frozen=True)
class Correction:
    """One OCR correction: what the source showed, what the table holds, and why."""

    row: str
    field: str  # a column id, or "label"
    original: str
    corrected: str | None
    reason: str


@dataclass(frozen=True)
class Table:
    """A data table beside a rule file (Bijlage 1): the print of a spreadsheet, with its corrections."""

    path: str
    sha256: str
    title: str
    source: str | None
    columns: tuple[TableColumn, ...]
    rows: tuple[TableRow, ...]
    printed_totals: dict[str, Fraction | None]
    printed_decimals: dict[str, int]  # how precisely each total is printed
    corrections: tuple[Correction, ...]

    def row(self, label: str) -> TableRow | None:
        return next((r for r in self.rows if r.label == label), None)


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
    sets: dict[str, SetDecl] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)  # data tables beside the rule file
    acts: dict[str, Act] = field(default_factory=dict)  # the letters, in file order (none: one letter)

    def party(self, code: str) -> Party | None:
        return next((p for p in self.parties if p.code == code), None)

    def article_title(self, citation: Citation) -> str | None:
        article = self.articles.get(str(citation.artikel))
        return article.title if article else None
