"""A result's trace as data: the values of its inputs, its primitive's intermediate steps and the
roundings applied, exact and in a stable shape (`schemas/evaluate-output.schema.json`).

The steps are the typed details of `engine/language/trace.py`, written field by field under the
same names, with `"soort"` naming the details class (`WeightedKeyDetails` → `"weighted_key"`).
Numbers are exact strings: an amount in euros that is whole cents as `"123.45"`, any other
fraction as `"p/q"` (an integer as `"12"`); counts, days and cents of a largest-remainder step that
are whole by construction are JSON integers. Nothing is a float, and every object is written in the
order its dataclass or the evaluation gives, so the same evaluation gives the same bytes.

For one member of a rule per set, a mapping keyed by the set's members is narrowed to that member
(its row of the sheet, its share of the key, its evaluated expression), except where the member's
value rests on every member's (the largest-remainder steps of `distribute` and `ration`), which
are kept whole. Developers extend this by adding a field to a details class (it appears here by
itself), naming its kind in `MONEY_FIELDS` or `KIND_FROM` if it holds amounts, and describing it in
the schema; `tests/test_trace_json.py` fails until the schema knows it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from convenant.core import dates, money
from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.evaluation.evaluate import Evaluation, TraceNode
from convenant.language import expr, trace
from convenant.language.model import Expression

# fields (class name, field name) that hold amounts in euros
MONEY_FIELDS = frozenset(
    {
        ("DistributeDetails", "amount"),
        ("RationDetails", "claims"),
        ("RationDetails", "claims_total"),
        ("RationDetails", "available"),
        ("SheetDetails", "prices"),
        ("SheetDetails", "indicatiewaarde"),
        ("SheetDetails", "total_indicatiewaarde"),
        ("SheetDetails", "budget"),
        ("Rounding", "exact"),
        ("Rounding", "cents"),
    }
)
# fields whose kind is that of the rule (`rule`) or of the value a component reads (`by`)
KIND_FROM = {
    ("ProRataDetails", "old"): "rule",
    ("ProRataDetails", "new"): "rule",
    ("ProRataDetails", "in_force"): "rule",
    ("Component", "values"): "by",
    ("Component", "total"): "by",
}
# fields kept whole for one member: its value rests on every member's
WHOLE_FIELDS = frozenset(
    {
        ("DistributeDetails", "key"),
        ("DistributeDetails", "parts"),
        ("RationDetails", "claims"),
        ("RationDetails", "parts"),
    }
)
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def soort(details: object) -> str:
    """The name a details class goes by in the JSON: `WeightedKeyDetails` → `weighted_key`.

    >>> soort(trace.Unknown(()))
    'unknown'
    """
    name = type(details).__name__.removesuffix("Details")
    return _CAMEL.sub("_", name).lower()


def ratio(value: Fraction | int) -> str:
    """An exact number: `"12"` or `"p/q"`.

    >>> ratio(Fraction(6, 4)), ratio(Fraction(3)), ratio(7)
    ('3/2', '3', '7')
    """
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def euros(value: Fraction | int) -> str:
    """An amount in euros, exact: whole cents as `"123.45"`, anything finer as `"p/q"`.

    >>> euros(Fraction("-1234.5")), euros(Fraction(1, 3))
    ('-1234.50', '1/3')
    """
    value = Fraction(value)
    return money.plain(value) if (value * 100).denominator == 1 else ratio(value)


def typed(kind: Kind | None, value: Any) -> Any:
    """A value of a known kind (None: not known), exact; a mapping (per member, per column) keyed
    as it is, in its own order."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): typed(kind, v) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, Fraction | int) and kind is Kind.MONEY:
        return euros(value)
    if isinstance(value, Fraction) and kind is Kind.COUNT and value.denominator == 1:
        return int(value)  # a count is an integer, however it was added up
    if isinstance(value, Fraction):
        return ratio(value)
    if isinstance(value, int):
        return value
    if isinstance(value, dates.Period):
        return {"from": value.start.isoformat(), "until": value.end.isoformat()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dates.DayMonth | dates.Term):
        return value.dutch()
    if isinstance(value, list | tuple):
        return [typed(kind, v) for v in value]
    return str(value)


class _Writer:
    """The details of one result, for one member (None: the whole)."""

    def __init__(self, ev: Evaluation, node: TraceNode, member: str | None, lang: str = "nl") -> None:
        self.ev, self.node, self.lang = ev, node, lang
        self.member = member if node.rule.per else None
        self.members = frozenset(ev.members.get(node.rule.per or "", ())) if self.member else frozenset()

    def kind_of(self, name: str) -> Kind | None:
        r = self.ev.rules
        for table in (r.parameters, r.facts, r.rules):
            if name in table:
                return table[name].kind
        return Kind.COUNT if name == "jaar" else None

    def narrowed(self, value: Any) -> Any:
        """A mapping keyed by the set's members, for one member: its own entry only."""
        if self.member is None or not isinstance(value, Mapping) or not value:
            return value
        if all(isinstance(k, str) and k in self.members for k in value):
            return {k: v for k, v in value.items() if k == self.member}
        return value

    def details(self, d: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"soort": soort(d)}
        if isinstance(d, trace.ExpressionDetails):
            spec = self.node.rule.spec
            assert isinstance(spec, Expression)
            out["evaluated"] = [
                {"member": m, **self.evaluated(e, spec.text, self.node.rule.kind)}
                for m, e in self.narrowed(dict(d.evaluated)).items()
            ]
            return out
        if isinstance(d, trace.DecisionDetails):
            cases = self.node.rule.spec.cases  # type: ignore[union-attr]
            out["decided"] = [
                {
                    "member": m,
                    "held": d.held[m],
                    "cases": [
                        {"outcome": c.outcome, **self.evaluated(e, c.when.text, Kind.BOOLEAN)}
                        for e, c in zip(es, cases, strict=True)
                    ],
                }
                for m, es in self.narrowed(dict(d.cases)).items()
            ]
            return out
        out.update(self.fields(d))
        return out

    def fields(self, d: Any) -> dict[str, Any]:
        cls = type(d).__name__
        out: dict[str, Any] = {}
        for f in dataclasses.fields(d):
            value = getattr(d, f.name)
            if (cls, f.name) not in WHOLE_FIELDS:
                value = self.narrowed(value)
                if isinstance(value, tuple) and value and all(hasattr(v, "member") for v in value):
                    value = tuple(v for v in value if self.member is None or v.member == self.member)
            kind: Kind | None = Kind.MONEY if (cls, f.name) in MONEY_FIELDS else None
            source = KIND_FROM.get((cls, f.name))
            if source == "rule":
                kind = self.node.rule.kind
            elif source == "by":
                kind = self.kind_of(d.by)
            out[f.name] = self.value(kind, value)
        return out

    def value(self, kind: Kind | None, value: Any) -> Any:
        if isinstance(value, Citation):
            return value.as_json(self.lang)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.fields(value)
        if isinstance(value, Mapping):
            return {str(k): self.value(kind, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(kind, v) for v in value]
        return typed(kind, value)

    def evaluated(self, e: trace.Evaluated, text: str, kind: Kind) -> dict[str, Any]:
        """An expression evaluated: its value, what every part came to (in the order computed), the
        terms an aggregate combined, the `if`s decided and the `round(…)`s applied."""

        def written(node: expr.Node) -> str:
            return " ".join(text[node.written_start : node.written_end].split())

        def kind_of(node: expr.Node) -> Kind | None:
            return node.type.kind if node.type else None

        literal = (expr.Number, expr.String, expr.Boolean)
        return {
            "value": typed(kind, e.value),
            "parts": [
                {"expression": written(n), "value": typed(kind_of(n), v)}
                for n, v in e.values.items()
                if not isinstance(n, literal)
            ],
            "terms": [
                {"expression": written(n), "values": [typed(kind_of(n.args[0]), v) for v in vs]}
                for n, vs in e.terms.items()
                if isinstance(n, expr.Call)
            ],
            "branches": [
                {
                    "condition": b.condition,
                    "holds": b.holds,
                    "compared": {name: typed(self.kind_of(name), v) for name, v in b.compared},
                }
                for b in e.branches
            ],
            "roundings": [rounding(r) for r in e.roundings],
        }


def rounding(r: trace.Rounding) -> dict[str, Any]:
    return {"what": r.what, "exact": euros(r.exact), "cents": euros(r.cents), "mode": r.mode}


def steps(ev: Evaluation, node: TraceNode, member: str | None, lang: str = "nl") -> dict[str, Any]:
    """The intermediate steps of one result for `member` (None: a result not per set); a citation
    among them carries its text in `lang`."""
    return _Writer(ev, node, member, lang).details(node.details)


def roundings(node: TraceNode, member: str | None) -> list[dict[str, Any]]:
    """Every rounding applied to the value for `member` (None: a result not per set), in order."""
    own = member if node.rule.per else None
    return [rounding(r) for r in node.roundings if r.member == own]


def input_value(ev: Evaluation, node: TraceNode, name: str, member: str | None) -> Any:
    """An input's value as the result read it: for a member of the rule's set (or of a set that
    includes it), the member's own; else the whole (per member, per column), exact."""
    writer = _Writer(ev, node, member)
    value = ev.values.get(name)
    r = ev.rules
    per = next((t[name].per for t in (r.facts, r.parameters, r.rules) if name in t), None)
    if per is not None and member is not None and isinstance(value, Mapping) and node.rule.per:
        declared = r.sets.get(per)
        if per == node.rule.per or (declared is not None and declared.includes(node.rule.per)):
            decl = r.facts.get(name)
            if member in value:
                value = value[member]
            elif decl is not None and decl.sparse:
                value = None
    return typed(writer.kind_of(name), value)
