"""One explainer per primitive: a trace node (for one member) → the values its shared template
`engine/templates/primitives/<name>.j2` shows.

This is the one place to add a primitive to the explanations: write a function
`(scope, node, member) → dict` and register it in `PRIMITIVES` with its template name. Every
value is read from the trace (the typed `TraceNode.details` of `engine.trace`, and the inputs'
values in `Evaluation.values`) and formatted for people; nothing is evaluated or recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from convenant import dates, formula, money
from convenant.evaluate import Evaluation, TraceNode
from convenant.model import (
    After,
    Decision,
    Distribute,
    Expression,
    InMonth,
    OnDate,
    ProRata,
    Ration,
    Sheet,
    Threshold,
    WeightedKey,
)
from convenant.trace import (
    DeadlineDetails,
    DecisionDetails,
    DistributeDetails,
    ExpressionDetails,
    ProRataDetails,
    RationDetails,
    SheetDetails,
    ThresholdDetails,
    WeightedKeyDetails,
)
from convenant.units import Kind, percent_text
from convenant.wording import WORDS, exact_number, show


@dataclass(frozen=True)
class Scope:
    """An evaluation read in one language: kinds, values and names of members."""

    ev: Evaluation
    lang: str

    @property
    def words(self) -> dict[str, Any]:
        return WORDS[self.lang]

    def kind(self, name: str) -> Kind:
        r = self.ev.rules
        if name in r.parameters:
            return r.parameters[name].kind
        if name in r.facts:
            return r.facts[name].kind
        if name in r.rules:
            return r.rules[name].kind
        return Kind.COUNT  # `jaar`

    def label(self, name: str) -> str:
        r = self.ev.rules
        for table in (r.parameters, r.facts, r.rules):
            if name in table:
                return table[name].label
        return self.words["source_builtin"]

    def per(self, name: str) -> str | None:
        r = self.ev.rules
        for table in (r.facts, r.parameters, r.rules):
            if name in table:
                return table[name].per
        return None

    def includes(self, outer: str | None, inner: str | None) -> bool:
        """True when every member of set `inner` is a member of set `outer` (rows ⊇ municipalities)."""
        if outer is None or inner is None:
            return False
        declared = self.ev.rules.sets.get(outer)
        return outer == inner or bool(declared and declared.includes(inner))

    def value(self, name: str, member: str | None) -> Any:
        """A name's value for `member`; a value per municipality read without a member is its total;
        a value per another set (per column, per row) read without a member is the whole mapping."""
        value = self.ev.values.get(name)
        if self.per(name) is None or value is None:
            return value
        if member is not None and member in value:
            return value[member]
        if self.per(name) == "municipality" and self.kind(name).numeric:
            return sum(value.values(), Fraction(0))
        return value if isinstance(value, dict) else None

    def show(self, name: str, member: str | None) -> str:
        value = self.value(name, member)
        if isinstance(value, dict):  # per column (or a row of a two-dimensional fact)
            return "; ".join(
                f"{self.ev.label(k)} {show(self.kind(name), v, self.lang)}" for k, v in value.items()
            )
        return show(self.kind(name), value, self.lang)

    def member_name(self, member: str | None) -> str | None:
        return self.ev.label(member) if member else None

    def percent(self, value: Fraction) -> str:
        return percent_text(value, lang=self.lang)


Explainer = Callable[[Scope, TraceNode, str | None], dict[str, Any]]


def _own(node: TraceNode, member: str | None) -> str | None:
    """The key of a per-member record: the member for a result per set, None for one that is not."""
    return member if node.rule.per else None


def expression(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Expression) and isinstance(d, ExpressionDetails)
    return {
        "arithmetic": formula.arithmetic(spec.text, spec.tree, d.evaluated[_own(node, member)], scope.lang)
    }


def weighted_key(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    d = node.details
    assert member is not None and isinstance(d, WeightedKeyDetails)
    rows = []
    for c in d.components:
        share = c.shares[member]
        rows.append(
            {
                "by": c.by,
                "label": scope.label(c.by),
                "citation": c.article.formal(scope.lang),
                "own": show(scope.kind(c.by), c.values[member], scope.lang),
                "total": show(scope.kind(c.by), c.total, scope.lang),
                "share": scope.percent(share),
                "weight": scope.percent(c.weight),
                "contribution": scope.percent(c.weight * share),
            }
        )
    key = node.value[member]
    return {
        "components": rows,
        "key": scope.percent(key),
        "exact": f"{key.numerator}/{key.denominator}",
        "articles": [c.article for c in d.components],
    }


CENT_DECIMALS = 4  # exact shares in cents are shown to 1/10000 of a cent (marked ≈ when rounded)


def _remainder_text(part: money.Part, lang: str) -> str:
    return exact_number(part.remainder, lang, decimals=CENT_DECIMALS)


def distribute(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Distribute) and isinstance(d, DistributeDetails) and member is not None
    parts, key = d.parts, d.key
    order = list(parts)
    rows = [
        {
            "who": scope.member_name(m),
            "mine": m == member,
            "share": scope.percent(key[m]),
            "exact": exact_number(p.exact, scope.lang, decimals=CENT_DECIMALS),
            "floor": exact_number(Fraction(p.floor), scope.lang),
            "remainder": _remainder_text(p, scope.lang),
            "extra": p.extra,
            "part": show(Kind.MONEY, Fraction(p.cents, 100), scope.lang),
        }
        for m, p in parts.items()
    ]
    left_over = sum(p.extra for p in parts.values())
    mine = parts[member]
    w = scope.words
    reason = w["got_extra" if mine.extra else "no_extra"].format(
        who=scope.member_name(member), remainder=_remainder_text(mine, scope.lang), n=left_over
    )
    ties = [m for m in order if m != member and parts[m].remainder == mine.remainder]
    boundary = any(parts[m].extra != mine.extra for m in ties)
    tie = None
    if ties and boundary and 0 < left_over < len(order):
        tie = w["tie"].format(
            remainder=_remainder_text(mine, scope.lang),
            others=", ".join(str(scope.member_name(m)) for m in ties),
            order=", ".join(str(scope.member_name(m)) for m in order),
        )
    return {
        "amount_name": spec.amount,
        "amount": scope.show(spec.amount, None),
        "key_name": spec.key,
        "rows": rows,
        "left_over": w["left_over"].format(n=left_over),
        "reason": reason,
        "tie": tie,
    }


def decision(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Decision) and isinstance(d, DecisionDetails)
    held, tested = d.held[_own(node, member)], d.cases[_own(node, member)]
    cases = []
    for i, case in enumerate(spec.cases):
        work = formula.arithmetic(case.when.text, case.when.tree, tested[i], scope.lang)
        cases.append(
            {
                "holds": i == held,
                "condition": work.formula,
                "filled": work.filled,
                "outcome": case.outcome,
                "text": " ".join(case.text.split()),
                "citation": (case.article or node.rule.article).formal(scope.lang),
            }
        )
    return {"cases": cases, "articles": [spec.cases[held].article or node.rule.article]}


def deadline(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
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


def sheet(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """Art. 4: the member's row of the spreadsheet, cell by cell, and how the cells were scaled."""
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(spec, Sheet) and isinstance(d, SheetDetails) and member is not None
    counts, prices = d.counts[member], d.prices
    rows = [
        [
            scope.ev.label(c),
            str(counts[c]),
            show(Kind.MONEY, prices[c], lang),
            show(Kind.MONEY, d.indicatiewaarde[member][c], lang),
            scope.percent(d.cells[member][c]),
        ]
        for c in d.columns
    ]
    lines = [w["sheet_worth"].format(total=show(Kind.MONEY, d.total_indicatiewaarde, lang))]
    fixed = {cell.label: d.fixed[member][cell.column] for cell in spec.fixed}
    lines.append(
        w["sheet_fixed"].format(
            cells=", ".join(f"{k} {scope.percent(v)}" for k, v in fixed.items()),
            total=scope.percent(d.fixed_total),
        )
    )
    if d.budget is None:  # scaled: the computed cells share what the fixed cells leave
        lines.append(
            w["sheet_schalen"].format(
                id=spec.scaling,
                total=show(Kind.MONEY, d.total_indicatiewaarde, lang),
                fixed=scope.percent(d.fixed_total),
            )
        )
    else:
        lines.append(w["sheet_geen"].format(id=spec.scaling, budget=show(Kind.MONEY, d.budget, lang)))
    lines.append(
        w["sheet_row"].format(
            cells=scope.percent(sum(d.cells[member].values(), Fraction(0))),
            fixed=scope.percent(sum(fixed.values(), Fraction(0))),
            key=scope.percent(node.value[member]),
        )
    )
    lines.append(w["sheet_total"].format(total=scope.percent(d.total)))
    header = [w["column"], w["count"], w["value"], w["worth"], w["cell"]]
    return {
        "table": {"header": header, "rows": rows},
        "lines": lines,
        "articles": [cell.article for cell in spec.fixed],
    }


def ration(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 5: whether the claims fit, and if not, this member's proportional part."""
    d, w, lang = node.details, scope.words, scope.lang
    assert isinstance(d, RationDetails) and member is not None
    claim = d.claims[member]
    total, available = show(Kind.MONEY, d.claims_total, lang), show(Kind.MONEY, d.available, lang)
    who = scope.member_name(member)
    if d.fits:
        lines = [w["ration_fits"].format(total=total, available=available)]
    else:
        part = d.parts[member]
        lines = [
            w["ration_rationed"].format(
                total=total,
                available=available,
                who=who,
                claim=show(Kind.MONEY, claim, lang),
                exact=exact_number(part.exact, lang, decimals=CENT_DECIMALS),
                floor=exact_number(Fraction(part.floor), lang),
                extra=part.extra,
            )
        ]
    lines.append(
        w["ration_part"].format(
            who=who, claim=show(Kind.MONEY, claim, lang), paid=show(Kind.MONEY, node.value[member], lang)
        )
    )
    return {"lines": lines}


def pro_rata(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 2: the new value for the part of the year left after the date."""
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(spec, ProRata) and isinstance(d, ProRataDetails)
    old, new = (d.old[member], d.new[member]) if node.rule.per and member else (d.old, d.new)
    if not d.applied:
        return {"lines": [w["pro_rata_not_applied"].format(when=spec.when, old=scope.percent(old))]}
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


def threshold(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 2: every member, column and measure that reached its threshold."""
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(spec, Threshold) and isinstance(d, ThresholdDetails)

    def shown_measure(measure: str, value: Fraction) -> str:
        return show(Kind.MONEY, value, lang) if measure == "indicatiewaarde" else scope.percent(value)

    lines = [
        w["threshold_hit"].format(
            who=scope.member_name(h.member),
            column=scope.ev.label(h.column),
            measure=w[f"measure_{h.measure}"],
            old=shown_measure(h.measure, h.old),
            new=shown_measure(h.measure, h.new),
            limit=scope.percent(h.threshold),
        )
        for h in d.hits
    ]
    return {"lines": lines or [w["threshold_none"]], "articles": [t.article for t in spec.tests]}


def unknown(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """A result whose inputs are not all known yet: what it waits for."""
    missing = ", ".join(scope.ev.waiting_for(node.name))
    return {"lines": [scope.words["unknown_because"].format(missing=missing)]}


UNKNOWN: tuple[str, Explainer] = ("lines", unknown)

# The registry: primitive spec type → (shared template name, explainer).
PRIMITIVES: dict[type, tuple[str, Explainer]] = {
    Expression: ("expression", expression),
    WeightedKey: ("weighted_key", weighted_key),
    Distribute: ("distribute", distribute),
    Decision: ("decision", decision),
    Sheet: ("lines", sheet),
    Ration: ("lines", ration),
    ProRata: ("lines", pro_rata),
    Threshold: ("lines", threshold),
    OnDate: ("deadline", deadline),
    InMonth: ("deadline", deadline),
    After: ("deadline", deadline),
}
