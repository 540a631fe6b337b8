"""`deadline`: a term of the covenant, written as one of three keys: `on_date` (a fixed day),
`in_month` (a whole month) or `after` (a term after a date); moved to the next working day when
the Algemene termijnenwet applies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from convenant.core import dates
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import DeadlineDetails, Shifted
from convenant.primitives.base import CheckContext, EvalContext, ExplainScope, Node, Outcome, Written


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


SPECS = (OnDate, InMonth, After)
KEYS = ("on_date", "in_month", "after")
KINDS = {"on_date": Kind.DATE, "in_month": Kind.PERIOD, "after": Kind.DATE}  # no `type`: the key says


def check(ctx: CheckContext, written: Written) -> tuple[OnDate | InMonth | After | None, list[str]]:
    primitive, body, path = written.key, written.body, written.path
    if primitive == "on_date":
        ok = ctx.name_of_kind(body["date"], (*path, "date"), (Kind.DAY_MONTH,), None, ("parameters",))
        return (OnDate(body["date"], body["year"]) if ok else None), [body["date"]]
    if primitive == "in_month":
        ok = ctx.name_of_kind(body["month"], (*path, "month"), (Kind.MONTH,), None, ("parameters",))
        return (InMonth(body["month"], body["year"]) if ok else None), [body["month"]]
    ok = ctx.name_of_kind(body["date"], (*path, "date"), (Kind.DATE,), None)
    ok &= ctx.name_of_kind(body["term"], (*path, "term"), (Kind.TERM,), None, ("parameters",))
    parameter = ctx.parameter_values.get(body["term"])
    ok &= parameter is not None  # a term refused for its value has its own message
    if ok:
        assert parameter is not None
        term = parameter.value
        if term.months and not ctx.data.get("date_policy", {}).get("months"):
            ctx.error("rules.month_policy_missing", (*path, "term"), term=term.dutch())
    return (After(body["date"], body["term"]) if ok else None), [body["date"], body["term"]]


def relies_on(ctx: EvalContext, spec: Any, interpretations: list[str]) -> None:
    """The date policy a deadline relies on, known or not: months (for a term in months) and
    working days."""
    policy = ctx.rules.date_policy
    if isinstance(spec, After) and policy.months and ctx.values[spec.term].months:
        interpretations.append(policy.months)
    if policy.working_days:
        interpretations.append(policy.working_days)


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    spec = rule.spec
    year = ctx.year
    policy = ctx.rules.date_policy
    relies_on(ctx, spec, interpretations)
    months: str | None = None
    shifted: Shifted | None = None
    if isinstance(spec, OnDate):
        value: Any = ctx.values[spec.date].in_year(year + spec.year_offset)
    elif isinstance(spec, InMonth):
        value = dates.month_window(year + spec.year_offset, ctx.values[spec.month])
    else:
        assert isinstance(spec, After)
        try:
            month_policy = ctx.chosen.get(policy.months or "", dates.MONTH_REFUSE)
            value = dates.add_term(ctx.values[spec.date], ctx.values[spec.term], month_policy)
        except dates.DateProblem as problem:
            raise ctx.fail(
                problem.code, rule, (*rule.path, "after", "date"), [(spec.date, None)], **problem.args_
            ) from None
        if policy.months and ctx.values[spec.term].months:
            months = policy.months
    if policy.working_days and ctx.chosen.get(policy.working_days) == dates.ATW_APPLY:
        end = value.end if isinstance(value, dates.Period) else value
        moved, reasons = dates.next_working_day(end)
        if reasons:
            shifted = Shifted(end, reasons)
            value = dates.Period(value.start, moved) if isinstance(value, dates.Period) else moved
    chosen = (ctx.rules.interpretations[months].chosen or "") if months else None
    return Outcome(value, DeadlineDetails(months, chosen, shifted))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(d, DeadlineDetails)
    year = scope.ev.facts.year
    lines = []
    if isinstance(spec, OnDate):
        lines.append(
            w["deadline_on_date"].format(
                parameter=scope.show(spec.date, None),
                year=year + spec.year_offset,
                date=show(Kind.DATE, node.value, lang),
            )
        )
    elif isinstance(spec, InMonth):
        lines.append(
            w["deadline_in_month"].format(
                parameter=scope.show(spec.month, None),
                year=year + spec.year_offset,
                period=show(Kind.PERIOD, node.value, lang),
            )
        )
    else:
        assert isinstance(spec, After)
        lines.append(
            w["deadline_after"].format(
                term=scope.show(spec.term, None),
                start=scope.show(spec.date, None),
                date=show(node.rule.kind, node.value, lang),
            )
        )
        if d.months:
            lines.append(w["month_policy"].format(id=d.months, chosen=d.month_policy))
    shifted = d.shifted
    if shifted is not None:
        moved = node.value.end if isinstance(node.value, dates.Period) else node.value
        lines.append(
            w["shifted"].format(
                original=show(Kind.DATE, shifted.original, lang),
                moved=show(Kind.DATE, moved, lang),
                reasons=", ".join(shifted.reasons),
            )
        )
    return {"lines": lines}


OBLIGATIONS = ()  # a day, a month or a term: nothing to prove
