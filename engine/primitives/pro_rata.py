"""`pro_rata`: from a date on, the new values apply for the rest of the year (Groningen, art. 5
lid 2): old + (new − old) × days left / days in the year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core import dates
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import ProRataDetails, SheetDetails
from convenant.primitives.base import (
    BatchCompiler,
    CheckContext,
    EvalContext,
    ExplainScope,
    Node,
    NotVectorised,
    Outcome,
    ProofContext,
    Step,
    Written,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Rat
    from convenant.proof.results import Result


@dataclass(frozen=True)
class ProRata:
    """From `from_date` on, `new` applies for the rest of the year: old + (new − old) × days left / days."""

    old: str
    new: str
    from_date: str
    when: str | None


Spec = ProRata


def check(ctx: CheckContext, written: Written) -> tuple[ProRata | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.RATIO:
        ctx.error("rules.result_kind", path, declared=kind, found=Kind.RATIO)
    ok = ctx.name_of_kind(body["old"], (*path, "old"), (Kind.RATIO, Kind.PERCENTAGE), per)
    ok &= ctx.name_of_kind(body["new"], (*path, "new"), (Kind.RATIO, Kind.PERCENTAGE), per)
    ok &= ctx.name_of_kind(body["from_date"], (*path, "from_date"), (Kind.DATE,), None)
    uses = [body["old"], body["new"], body["from_date"]]
    if "when" in body:
        ok &= ctx.name_of_kind(body["when"], (*path, "when"), (Kind.BOOLEAN,), None)
        uses.append(body["when"])
    spec = ProRata(body["old"], body["new"], body["from_date"], body.get("when"))
    return (spec if ok else None), uses


def rest_of_year(year: int, day: date) -> tuple[int, int, Fraction]:
    """The part of `year` from `day` through 31 December: (days left, days in the year, their ratio).
    The sheet's agreed deviations (art. 5 lid 1) use it too: one arithmetic for both.

    >>> rest_of_year(2023, date(2023, 7, 1))
    (184, 365, Fraction(184, 365))
    >>> rest_of_year(2024, date(2024, 1, 1))
    (366, 366, Fraction(1, 1))
    """
    days = dates.days_in_year(year)
    remaining = (date(year, 12, 31) - day).days + 1
    return remaining, days, Fraction(remaining, days)


def blend(old: Fraction, new: Fraction, fraction: Fraction) -> Fraction:
    """The value over the year when `new` replaces `old` for `fraction` of it: old + (new − old) × f.

    >>> blend(Fraction(1, 10), Fraction(2, 10), Fraction(184, 365))
    Fraction(549, 3650)
    """
    return old + (new - old) * fraction


def needs(ctx: EvalContext, rule: Rule) -> tuple[str, ...]:
    """When `when` is known to be false the old values stand: only `old` and `when` are needed, so the
    new values and the date may be unknown (Groningen: no cause, no adjustment, no facts after it)."""
    spec = rule.spec
    assert isinstance(spec, ProRata)
    if spec.when is not None and ctx.values.get(spec.when) is False:
        return (spec.old, spec.when)
    return rule.inputs


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """The new values apply from the date on: old + (new − old) × days left in the year / days; when
    `when` does not hold, the old values stand (and the new ones and the date need not be known)."""
    spec = rule.spec
    assert isinstance(spec, ProRata)
    old, new, day = ctx.values[spec.old], ctx.values.get(spec.new), ctx.values.get(spec.from_date)
    year = ctx.year
    if day is not None and day.year != year:
        raise ctx.fail(
            "evaluate.date_outside_year",
            rule,
            (*rule.path, "pro_rata", "from_date"),
            [(spec.from_date, None)],
            date=day,
            year=year,
            fact=spec.from_date,
        )
    applied = ctx.values[spec.when] if spec.when else True
    if not applied:
        details = ProRataDetails(False, day, None, dates.days_in_year(year), Fraction(0), old, new)
        return Outcome(old, details)
    assert day is not None and new is not None  # `needs`: every input is known when it applies
    remaining, days, fraction = rest_of_year(year, day)
    details = ProRataDetails(True, day, remaining, days, fraction, old, new)
    if not rule.per:
        return Outcome(blend(old, new, fraction), details)
    in_force = _in_force(ctx, rule, spec, day)
    if in_force is None:
        return Outcome({m: blend(old[m], new[m], fraction) for m in ctx.members[rule.per]}, details)
    start, sheet = in_force
    details = ProRataDetails(True, day, remaining, days, fraction, old, new, sheet, start)
    return Outcome({m: old[m] + (new[m] - sheet[m]) * fraction for m in ctx.members[rule.per]}, details)


def _in_force(
    ctx: EvalContext, rule: Rule, spec: ProRata, day: date
) -> tuple[date, Mapping[str, Fraction]] | None:
    """When the old key is a sheet whose agreed deviations (art. 5 lid 1) began within the year, the
    sheet in force on `day` and the day it began; None when the old key held the whole year.

    Period by period: the old sheets hold until `day`, the new key from `day` through 31 December.
    The old key over the year already counts its last sheet through 31 December, so the exact key is
    old + (new − last sheet) × days left / days; a deviation agreed from `day` on or later would
    apply to the sheet the new key replaces (lid 2 applies "in afwijking van het eerste lid"), which
    the text leaves open: it is refused, citing both leden."""
    node = ctx.nodes.get(spec.old)
    details = node.details if node is not None else None
    if not isinstance(details, SheetDetails) or details.agreed is None:
        return None
    agreed, first = details.agreed, date(ctx.year, 1, 1)
    pieces = [(first, agreed.base)] if agreed.base is not None else []
    pieces += [(max(p.start, first), p.key) for p in agreed.periods]
    later = [start for start, _ in pieces if start > first and start >= day]
    if later:
        raise ctx.fail(
            "evaluate.pro_rata_after_agreed",
            rule,
            (*rule.path, "pro_rata", "from_date"),
            [(spec.from_date, None)],
            date=day,
            start=later[0],
            fact=spec.from_date,
        )
    if len(pieces) == 1:  # the agreed sheet holds from 1 January: the old key is that sheet
        return None
    return pieces[-1]


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 2: the new value for the part of the year left after the date."""
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(spec, ProRata) and isinstance(d, ProRataDetails)
    old, new = (d.old[member], d.new and d.new[member]) if node.rule.per and member else (d.old, d.new)
    if not d.applied:
        return {"lines": [w["pro_rata_not_applied"].format(when=spec.when, old=scope.percent(old))]}
    assert d.date is not None and d.remaining_days is not None  # applied: the date is known
    if d.in_force is not None and member is not None and d.in_force_from is not None:
        return {
            "lines": [
                w["pro_rata_in_force"].format(
                    date=show(Kind.DATE, d.date, lang),
                    start=show(Kind.DATE, d.in_force_from, lang),
                    remaining=d.remaining_days,
                    days=d.days,
                    old=scope.percent(old),
                    in_force=scope.percent(d.in_force[member]),
                    new=scope.percent(new),
                    result=scope.percent(node.value_for(member)),
                )
            ]
        }
    return {
        "lines": [
            w["pro_rata_applied"].format(
                date=show(Kind.DATE, d.date, lang),
                remaining=d.remaining_days,
                days=d.days,
                fraction=f"{d.fraction.numerator}/{d.fraction.denominator}",
                old=scope.percent(old),
                new=scope.percent(new),
                result=scope.percent(node.value_for(member)),
            )
        ]
    }


KEY_OBLIGATION = "pro_rata_total"  # the obligation a distribution over this key relies on


def pro_rata_total(rule: Rule, context: ProofContext) -> list[Result]:
    """A pro-rata key of two keys that total 1 totals 1: Σ (o_i + (n_i − o_i)·f) = 1 + (1 − 1)·f = 1."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, UNDECIDED, result

    assert isinstance(rule.spec, ProRata)
    spec = rule.spec
    keys_proven = all(context.key_proven(name) for name in (spec.old, spec.new))
    if not rule.per or not keys_proven:
        return []
    status = PROVEN if algebra.pro_rata_total() else UNDECIDED
    return [result(rule, "pro_rata_total", status, old=spec.old, new=spec.new)]


OBLIGATIONS = (pro_rata_total,)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    """old + (new − old) × days left / days, where `when` holds (else old), over many scenarios.
    The date is a day number per scenario; a date outside the scenario's year is refused by the
    interpreter (even where `when` does not hold): flagged. Where the old key is a sheet with
    agreed deviations the batch leaves the scenario to the interpreter (`_in_force`)."""
    import numpy as np

    from convenant.core import vectors
    from convenant.core.vectors import Rat, Terms

    spec, rules = rule.spec, compiler.rules
    assert isinstance(spec, ProRata)
    for name in (spec.old, spec.new, *([spec.when] if spec.when else [])):
        if name not in compiler.known:
            raise NotVectorised(f"{name} has no array form")
    decl = rules.facts.get(spec.from_date)
    if decl is None or decl.kind is not Kind.DATE or decl.per is not None:
        raise NotVectorised(f"{spec.from_date}: a date that is not a fact for the year")

    def rat(value: Any) -> Rat:
        return value.as_rat() if isinstance(value, Terms) else value

    def applied(ctx: Any) -> np.ndarray:
        if spec.when is None:
            return np.ones(ctx.rows, dtype=bool)
        return np.asarray(ctx.values[spec.when]).reshape(ctx.rows, -1)[:, 0] & ctx.known(spec.when)

    def pro_rata(ctx: Any) -> Rat:
        old = rat(ctx.values[spec.old])
        years = [y if y > 0 else 2000 for y in ctx.years.reshape(-1).tolist()]  # 0: a scenario not computed
        ends = {y: (date(y, 1, 1).toordinal(), date(y, 12, 31).toordinal()) for y in set(years)}
        first = np.array([ends[y][0] for y in years], dtype=np.int64)
        last = np.array([ends[y][1] for y in years], dtype=np.int64)
        day = np.asarray(ctx.values[spec.from_date]).reshape(-1)
        given = ctx.known(spec.from_date)
        ctx.flag(given & ((day < first) | (day > last)))
        holds = applied(ctx) & given & (day >= first) & (day <= last)
        if not holds.any():
            return old
        new = rat(ctx.values[spec.new])
        remaining = np.where(holds, last - np.where(holds, day, first) + 1, 1).reshape(-1, 1)
        fraction = Rat.of(remaining, (last - first + 1).reshape(-1, 1))
        blended = vectors.add(old, vectors.mul(vectors.sub(new, old), fraction))
        return vectors.where(holds.reshape(-1, 1), blended, old)

    def needs(ctx: Any) -> list[tuple[np.ndarray, tuple[str, ...]]]:
        """As `needs`: where `when` is known to be false, only old and when."""
        if spec.when is None:
            return []
        when = np.asarray(ctx.values[spec.when]).reshape(ctx.rows, -1)[:, 0]
        return [(ctx.known(spec.when) & ~when, (spec.old, spec.when))]

    pro_rata.needs = needs  # type: ignore[attr-defined]
    return pro_rata
