"""One explainer per primitive: a trace node (for one member) → the values its shared template
`engine/templates/primitives/<name>.j2` shows.

This is the one place to add a primitive to the explanations: write a function
`(scope, node, member) → dict` and register it in `PRIMITIVES` with its template name. Every
value is taken from the trace (`TraceNode.details`, `Evaluation.values`, `Evaluation.evaluator()`)
and formatted for people; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from engine import dates, formula, money
from engine.evaluate import Evaluation, TraceNode
from engine.model import After, Decision, Distribute, Expression, InMonth, OnDate, WeightedKey
from engine.units import Kind, percent_text
from engine.wording import WORDS, exact_number, show


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
                return table[name].label  # type: ignore[attr-defined]
        return self.words["source_builtin"]

    def per(self, name: str) -> str | None:
        r = self.ev.rules
        if name in r.facts:
            return r.facts[name].per
        return r.rules[name].per if name in r.rules else None

    def value(self, name: str, member: str | None) -> Any:
        """A name's value for `member`; a value per set read without a member is its total."""
        value = self.ev.values.get(name)
        if self.per(name) is None or value is None:
            return value
        if member is not None and member in value:
            return value[member]
        if self.kind(name).numeric:
            return sum(value.values(), Fraction(0))
        return None

    def show(self, name: str, member: str | None) -> str:
        return show(self.kind(name), self.value(name, member), self.lang)

    def member_name(self, member: str | None) -> str | None:
        party = self.ev.rules.party(member) if member else None
        return party.name if party else member

    def percent(self, value: Fraction) -> str:
        return percent_text(value, lang=self.lang)


Explainer = Callable[[Scope, TraceNode, str | None], dict[str, Any]]


def expression(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    spec = node.rule.spec
    assert isinstance(spec, Expression)
    current = {node.rule.per: member} if node.rule.per and member else None
    work = formula.arithmetic(spec.text, spec.tree, scope.ev.evaluator(), current, scope.lang)
    return {"arithmetic": work}


def weighted_key(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    assert member is not None
    rows = []
    for c in node.details["components"]:
        share = c["shares"][member]
        rows.append(
            {
                "by": c["by"],
                "label": scope.label(c["by"]),
                "citation": c["article"].formal(scope.lang),
                "own": show(scope.kind(c["by"]), scope.value(c["by"], member), scope.lang),
                "total": show(scope.kind(c["by"]), c["total"], scope.lang),
                "share": scope.percent(share),
                "weight": scope.percent(c["weight"]),
                "contribution": scope.percent(c["weight"] * share),
            }
        )
    key = node.value[member]
    return {
        "components": rows,
        "key": scope.percent(key),
        "exact": f"{key.numerator}/{key.denominator}",
        "articles": [c["article"] for c in node.details["components"]],
    }


CENT_DECIMALS = 4  # exact shares in cents are shown to 1/10000 of a cent (marked ≈ when rounded)


def _remainder_text(part: money.Part, lang: str) -> str:
    return exact_number(part.remainder, lang, decimals=CENT_DECIMALS)


def distribute(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    spec = node.rule.spec
    assert isinstance(spec, Distribute) and member is not None
    parts: dict[str, money.Part] = node.details["parts"]
    order = list(parts)
    key = scope.ev.values[spec.key]
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
    spec = node.rule.spec
    assert isinstance(spec, Decision)
    held = node.details["case"][member] if node.rule.per else node.details["case"]
    current = {node.rule.per: member} if node.rule.per and member else None
    cases = []
    for i, case in enumerate(spec.cases):
        work = formula.arithmetic(case.when.text, case.when.tree, scope.ev.evaluator(), current, scope.lang)
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
    spec, w, lang = node.rule.spec, scope.words, scope.lang
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
        if "unknown" in node.details:
            lines.append(w["deadline_unknown"].format(start=spec.date))
        else:
            lines.append(
                w["deadline_after"].format(
                    term=scope.show(spec.term, None),
                    start=scope.show(spec.date, None),
                    date=show(node.rule.kind, node.value, lang),
                )
            )
        policy = scope.ev.rules.date_policy.months
        if policy and scope.ev.values[spec.term].months:
            chosen = scope.ev.rules.interpretations[policy].chosen or ""
            lines.append(w["month_policy"].format(id=policy, chosen=chosen))
    shifted = node.details.get("shifted")
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


# The registry: primitive spec type → (shared template name, explainer).
PRIMITIVES: dict[type, tuple[str, Explainer]] = {
    Expression: ("expression", expression),
    WeightedKey: ("weighted_key", weighted_key),
    Distribute: ("distribute", distribute),
    Decision: ("decision", decision),
    OnDate: ("deadline", deadline),
    InMonth: ("deadline", deadline),
    After: ("deadline", deadline),
}
