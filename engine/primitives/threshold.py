"""`threshold`: yes when, for any member, a measure of one sheet differs from another sheet's by at
least a threshold, relative to the old value (Groningen, art. 5 lid 2)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import Hit, SheetDetails, ThresholdDetails
from convenant.primitives.base import CheckContext, EvalContext, ExplainScope, Node, Outcome, Written


@dataclass(frozen=True)
class ThresholdTest:
    measure: str  # "indicatiewaarde" (money of a cell) or "relatieve_indicatiewaarde" (its percentage)
    column: str | None  # None: every column
    at_least: str
    article: Citation


@dataclass(frozen=True)
class Threshold:
    """True when, for any member of `among`, a measure of sheet `new` differs from sheet `old` by at
    least the threshold (relative to the old value)."""

    old: str
    new: str
    among: str
    tests: tuple[ThresholdTest, ...]


Spec = Threshold


def check(ctx: CheckContext, written: Written) -> tuple[Threshold | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.BOOLEAN or per is not None:
        ctx.error("rules.result_kind", path, declared=kind, found=Kind.BOOLEAN)
    sheets = []
    for field in ("old", "new"):
        entry = ctx.data["rules"].get(body[field], {})
        if "sheet" not in entry:
            ctx.error("rules.threshold_sheet", (*path, field), name=body[field])
            return None, []
        sheets.append(entry)
    rows = sheets[0].get("per")
    ok = ctx.known_set(body["among"], (*path, "among"))
    if ok and not ctx.includes(rows, body["among"]):
        ctx.error("rules.threshold_among", (*path, "among"), among=body["among"], rows=rows)
        ok = False
    counts = ctx.types.get(sheets[0]["sheet"]["counts"])
    columns = ctx.sets[counts.by].extra_ids() if counts and counts.by in ctx.sets else ()
    tests, uses = [], [body["old"], body["new"]]
    for i, test in enumerate(body["tests"]):
        tpath = (*path, "tests", i)
        if test.get("column") is not None and test["column"] not in columns:
            ctx.error(
                "rules.unknown_member",
                (*tpath, "column"),
                member=test["column"],
                set=counts.by if counts else "—",
                known=", ".join(columns),
            )
            ok = False
        ok &= ctx.name_of_kind(
            test["at_least"], (*tpath, "at_least"), (Kind.PERCENTAGE, Kind.RATIO), None, ("parameters",)
        )
        uses.append(test["at_least"])
        tests.append(
            ThresholdTest(
                test["measure"],
                test.get("column"),
                test["at_least"],
                ctx.cite(test["article"], (*tpath, "article")),
            )
        )
    return (Threshold(body["old"], body["new"], body["among"], tuple(tests)) if ok else None), uses


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """True when any member's measure in the new sheet differs from the old one by at least the
    threshold (a share of the old value; any change of a value that was nil counts)."""
    spec = rule.spec
    assert isinstance(spec, Threshold)
    old, new = ctx.nodes[spec.old].details, ctx.nodes[spec.new].details
    assert isinstance(old, SheetDetails) and isinstance(new, SheetDetails)  # checked: two sheets
    hits = []
    for test in spec.tests:
        by_indicatiewaarde = test.measure == "indicatiewaarde"
        before_sheet = old.indicatiewaarde if by_indicatiewaarde else old.cells
        after_sheet = new.indicatiewaarde if by_indicatiewaarde else new.cells
        limit = ctx.values[test.at_least]
        for member in ctx.members[spec.among]:
            for column in [test.column] if test.column else old.columns:
                before, after = before_sheet[member][column], after_sheet[member][column]
                if before != after and abs(after - before) >= limit * abs(before):
                    hits.append(Hit(member, column, test.measure, before, after, limit))
    return Outcome(bool(hits), ThresholdDetails(tuple(hits)))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
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


OBLIGATIONS = ()  # a yes/no over two sheets: nothing beyond its branches to prove
