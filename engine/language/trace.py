"""What an evaluation records beside each value, so that explanations and letters only read it.

Every `TraceNode` (in `engine.evaluate`) holds the roundings its evaluation applied and the typed
details of its primitive: the exact intermediate values (Fractions) its explanation shows, the
branches taken and the cases that held. `Recorder` is the expression evaluator that writes them
down while it computes; nothing after evaluation evaluates again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from convenant import words
from convenant.core import money
from convenant.core.citation import Citation
from convenant.core.wording import show
from convenant.language import expr

Day = date  # `ProRataDetails.date` is a field: its type is spelled so there


@dataclass(frozen=True)
class Said:
    """A warning a primitive gives (a rule file's `warnings:` are its own text): a words key and its
    arguments, said in the reader's language. An argument is text, a citation, or (kind, value)."""

    key: str
    args: Mapping[str, Any]

    def text(self, lang: str) -> str:
        def said(value: Any) -> Any:
            if isinstance(value, Citation):
                return value.formal(lang)
            if isinstance(value, tuple):
                return show(value[0], value[1], lang)
            return value

        return words.fill(self.key, lang, {k: said(v) for k, v in self.args.items()})


def warning_text(message: str | Said, lang: str) -> str:
    """A result's warning as the reader reads it: a rule file's text as written, a primitive's in `lang`."""
    return message.text(lang) if isinstance(message, Said) else message


@dataclass(frozen=True)
class Rounding:
    """A rounding to whole cents that the evaluation applied."""

    member: str | None  # the member the value is for (None: a value not per set)
    what: str  # what was rounded: the `round(…)` as the rule file writes it, or the amount distributed
    exact: Fraction  # the exact value before rounding, in euros
    cents: Fraction  # the value after rounding, in euros (whole cents)
    mode: str  # money.HALF_UP | money.LARGEST_REMAINDER


@dataclass(frozen=True)
class Branch:
    """An `if` the evaluation decided (a decision's cases are in `DecisionDetails`)."""

    condition: str  # as the rule file writes it
    holds: bool  # True: `then` was taken; False: `else`
    compared: tuple[tuple[str, Any], ...]  # the names it read, with their values


@dataclass(frozen=True)
class Evaluated:
    """One expression evaluated for one member: what every part of it came to."""

    member: str | None
    value: Any
    values: Mapping[expr.Node, Any]  # every part of the checked tree that was computed
    terms: Mapping[expr.Node, tuple[Any, ...]]  # an aggregate (sum, any, all): the values it combined
    branches: tuple[Branch, ...]  # the `if`s decided (an inner one before the one around it)
    roundings: tuple[Rounding, ...]  # the `round(…)`s applied (an inner one before the one around it)


# --- details per primitive ---------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """A result not yet known: the inputs that are absent or unknown themselves."""

    missing: tuple[str, ...]


@dataclass(frozen=True)
class ExpressionDetails:
    evaluated: Mapping[str | None, Evaluated]  # per member (None: a value not per set)


@dataclass(frozen=True)
class Component:
    """One part of a weighted key: by = a value per member, share = own / total, × weight."""

    by: str
    weight: Fraction
    article: Citation
    values: Mapping[str, Fraction]  # `by` per member
    total: Fraction
    shares: Mapping[str, Fraction]


@dataclass(frozen=True)
class WeightedKeyDetails:
    components: tuple[Component, ...]


@dataclass(frozen=True)
class DistributeDetails:
    amount: Fraction  # the amount distributed
    key: Mapping[str, Fraction]  # the share of each member
    parts: Mapping[str, money.Part]  # the largest-remainder steps per member, in party order


@dataclass(frozen=True)
class DecisionDetails:
    held: Mapping[str | None, int]  # per member (None: not per set): the index of the case that held
    cases: Mapping[str | None, tuple[Evaluated, ...]]  # per member: every case's `when`, with its values


@dataclass(frozen=True)
class DeadlineDetails:
    months: str | None = None  # the interpretation whose month policy a term in months relied on
    month_policy: str | None = None  # its chosen option
    shifted: Shifted | None = None  # moved by the Algemene termijnenwet


@dataclass(frozen=True)
class Shifted:
    """A deadline moved by the Algemene termijnenwet (interpretation I-ATW)."""

    original: date
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SheetDetails:
    """Art. 4 (Groningen): the spreadsheet's rows × columns, cell by cell."""

    rows: Sequence[str]
    columns: Sequence[str]
    counts: Mapping[str, Mapping[str, Any]]  # row → column → count
    prices: Mapping[str, Fraction]  # column → value of one indication
    indicatiewaarde: Mapping[str, Mapping[str, Fraction]]  # row → column → count × value
    total_indicatiewaarde: Fraction
    fixed: Mapping[str, Mapping[str, Fraction]]  # row → fixed column → ratio
    fixed_total: Fraction
    scaling: str  # the chosen option of the scaling interpretation
    budget: Fraction | None  # the Budget the cells are divided by (scaling "geen")
    cells: Mapping[str, Mapping[str, Fraction]]  # row → column → ratio, computed (art. 4 lid 2)
    total: Fraction  # all cells and fixed cells together (must be 1)
    agreed: Agreed | None = None  # agreed deviations (Groningen art. 5 lid 1) given for the year


@dataclass(frozen=True)
class AgreedPeriod:
    """The sheet from one date on (Groningen art. 5 lid 1): the deviations agreed from then."""

    start: date  # the first day (1 January: the whole year)
    rows: tuple[str, ...]  # the rows whose agreed cells apply from this day (and earlier ones')
    remaining: int  # days from `start` through 31 December
    days: int  # days in the year
    fraction: Fraction  # remaining / days
    cells: Mapping[str, Mapping[str, Fraction]]  # row → column → ratio, agreed cells included
    key: Mapping[str, Fraction]  # row → its total in this period's sheet


@dataclass(frozen=True)
class Agreed:
    """Agreed deviating percentages (Groningen art. 5 lid 1) and how they made the year's key."""

    reading: str  # the interpretation that says how the other cells behave
    option: str  # its chosen option
    percentages: Mapping[str, Mapping[str, Fraction]]  # row → column → agreed ratio
    starts: Mapping[str, date]  # row → the date its agreed cells apply from
    decisions: Mapping[str, date]  # row → the date of the decision (art. 6)
    base: Mapping[str, Fraction] | None  # the computed key, if it applies for part of the year
    periods: tuple[AgreedPeriod, ...]  # from the earliest date on


@dataclass(frozen=True)
class RationDetails:
    claims: Mapping[str, Fraction]  # per member
    claims_total: Fraction
    available: Fraction
    fits: bool  # every claim paid in full
    parts: Mapping[str, money.Part] = field(default_factory=dict)  # when rationed: largest remainder


@dataclass(frozen=True)
class ProRataDetails:
    applied: bool  # False when `when` did not hold: the old value stands
    date: date | None  # None: not applied, and the date was not given (not needed then)
    remaining_days: int | None  # from the date to 31 December, both included (None: not applied)
    days: int  # days in the year
    fraction: Fraction  # remaining_days / days (0 when not applied)
    old: Any  # one value, or per member
    new: Any  # None: not applied, and the new values were not known (not needed then)
    # per member: the old key in force on the date, when it changed within the year before it (agreed
    # deviations, Groningen art. 5 lid 1), with the day that sheet began; None: the old key held all year
    in_force: Any = None
    in_force_from: Day | None = None


@dataclass(frozen=True)
class Hit:
    """A member and column where a measure changed by at least its threshold."""

    member: str
    column: str | None  # None: the test's columns together (a `cells` interpretation "samen")
    measure: str
    old: Fraction
    new: Fraction
    threshold: Fraction


@dataclass(frozen=True)
class ThresholdDetails:
    hits: tuple[Hit, ...]  # every member, column and measure that reached its threshold
    causes: Mapping[str, bool]  # each cause fact and whether it was given (no cause: no test applied)
    together: tuple[bool, ...]  # per test: its columns added up per member ("samen")
    columns: tuple[str, ...]  # the sheet's computed columns (empty when no test applied)


Details = (
    Unknown
    | ExpressionDetails
    | WeightedKeyDetails
    | DistributeDetails
    | DecisionDetails
    | DeadlineDetails
    | SheetDetails
    | RationDetails
    | ProRataDetails
    | ThresholdDetails
)


# --- recording an expression -------------------------------------------------------------------


def _binding(current: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The members bound, as a key: the evaluator and `terms` both bind an aggregate's member with
    `{**current, per: member}`, so the order of the items is the same for the same binding."""
    return tuple(current.items())


class Recorder(expr.Evaluator):
    """An evaluator that writes down what it computes: the value of every part, the terms of every
    aggregate, each `if` decided and each `round(…)` applied.

    The right side of an `and`/`or` that the left side already decided is not needed for the value,
    but the explanation shows its values too; it is computed for the record only, without its
    branches or roundings (none of them was applied).
    """

    def __init__(self, base: expr.Evaluator, text: str) -> None:
        super().__init__(base.values, base.members, base.chosen, base.narrower)
        self.text = text
        self.seen: dict[tuple[expr.Node, tuple[tuple[str, str], ...]], Any] = {}
        self.branches: list[Branch] = []
        self.roundings: list[Rounding] = []
        self.member: str | None = None
        self.aside = 0  # > 0 while computing a part for the record only

    def record(self, tree: expr.Node, per: str | None, member: str | None) -> Evaluated:
        """Evaluate `tree` for `member` of set `per` (None: not per set) and keep what it came to."""
        self.seen, self.branches, self.roundings, self.member = {}, [], [], member
        current = {per: member} if per and member is not None else {}
        value = self.evaluate(tree, current)
        top = _binding(current)
        values = {node: v for (node, binding), v in self.seen.items() if binding == top}
        terms: dict[expr.Node, tuple[Any, ...]] = {
            node: self.terms(node, current)
            for node in values
            if isinstance(node, expr.Call) and node.function in expr.AGGREGATES
        }
        return Evaluated(member, value, values, terms, tuple(self.branches), tuple(self.roundings))

    def terms(self, node: expr.Call, current: Mapping[str, str]) -> tuple[Any, ...]:
        argument = node.args[0]
        per = (argument.type.per if argument.type else None) or ""
        found = (self.seen.get((argument, _binding({**current, per: m})), _NONE) for m in self.members[per])
        return tuple(v for v in found if v is not _NONE)

    def _eval(self, node: expr.Node, current: dict[str, str]) -> Any:
        value = super()._eval(node, current)
        self.seen[(node, _binding(current))] = value
        if isinstance(node, expr.Binary) and node.op in expr.LOGICAL and node.right is not None:
            if (node.right, _binding(current)) not in self.seen:  # decided by the left side
                self.aside += 1
                try:
                    self._eval(node.right, current)
                except (expr.Absent, expr.ExprProblem):  # not needed, and not computable: not shown
                    pass
                finally:
                    self.aside -= 1
        if self.aside:
            return value
        if isinstance(node, expr.If) and node.condition is not None:
            holds = bool(self.seen[(node.condition, _binding(current))])
            self.branches.append(Branch(self.symbols(node.condition), holds, self.compared(node.condition)))
        elif isinstance(node, expr.Call) and node.function == "round":
            exact = self.seen[(node.args[0], _binding(current))]
            self.roundings.append(Rounding(self.member, self.symbols(node), exact, value, money.HALF_UP))
        return value

    def symbols(self, node: expr.Node) -> str:
        return " ".join(self.text[node.start : node.end].split())

    def compared(self, condition: expr.Node) -> tuple[tuple[str, Any], ...]:
        names = dict.fromkeys(n.name for n in condition.walk() if isinstance(n, expr.Name))
        return tuple((name, self._value(name)) for name in names)

    def _value(self, name: str) -> Any:
        value = self.values[name]
        if isinstance(value, dict) and self.member is not None and self.member in value:
            return value[self.member]
        return value


_NONE = object()  # no value recorded (a member an aggregate skipped)
