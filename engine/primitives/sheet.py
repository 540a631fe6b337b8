"""`sheet`: a key built as rows × columns (Groningen, art. 4): computed cells (count × value per
column) and fixed cells, scaled so that the whole sheet totals 100 %.

The rule file names a switchable interpretation (`scaling`) whose options say how computed cells
become percentages; this primitive knows two, `SCALING_OPTIONS`: "schalen" scales them so that
the whole sheet totals exactly 100 %; "geen" divides by `budget` and refuses a sheet that does
not total 100 %. The checker refuses an interpretation with any other option.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import SheetDetails
from convenant.primitives.base import (
    CheckContext,
    EvalContext,
    ExplainScope,
    FieldPath,
    Node,
    Outcome,
    ProofContext,
    Written,
)

if TYPE_CHECKING:
    from convenant.proof.results import Result

SCALE, DIVIDE = "schalen", "geen"  # the options of the `scaling` interpretation
SCALING_OPTIONS = (SCALE, DIVIDE)


@dataclass(frozen=True)
class FixedCell:
    """A fixed column of a sheet (art. 4.2b–f): its value in one row, or per row."""

    column: str
    label: str
    value: str  # a ratio: scalar (in `row`) or per the sheet's rows
    row: str | None
    article: Citation


@dataclass(frozen=True)
class Sheet:
    """Counts per [row, column] times values per column, and fixed cells; `scaling` names the
    interpretation that decides how computed cells become percentages (see the module)."""

    counts: str  # per [row, column]
    values: str  # per column, money
    fixed: tuple[FixedCell, ...]
    scaling: str
    budget: str


Spec = Sheet


def check(ctx: CheckContext, written: Written) -> tuple[Sheet | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.RATIO or per not in ctx.sets:
        ctx.error("rules.key_shape", path, primitive="sheet")
        return None, []
    like, shared = body.get("like"), body
    if like is not None:  # the same fixed cells, scaling and budget as another sheet
        other = ctx.data["rules"].get(like, {})
        if "sheet" not in other or "like" in other["sheet"] or other.get("per") != per:
            ctx.error("rules.sheet_like", (*path, "like"), name=like)
            return None, []
        shared = other["sheet"]
    wrong = [f for f in ("fixed", "scaling", "budget") if (f in body) == (like is not None)]
    if wrong:
        ctx.error("rules.sheet_shape", path, fields=", ".join(wrong), like=like or "—")
        return None, []
    counts = ctx.types.get(body["counts"])
    columns = counts.by if counts else None
    ok = ctx.name_of_kind(body["counts"], (*path, "counts"), (Kind.COUNT,), per, by=columns)
    ok &= columns is not None and ctx.name_of_kind(body["values"], (*path, "values"), (Kind.MONEY,), columns)
    ok &= ctx.name_of_kind(shared["budget"], (*path, "budget"), (Kind.MONEY,), None)
    ok &= ctx.policy(
        written.interpretations, shared["scaling"], (*path, "scaling"), "scaling", SCALING_OPTIONS
    )
    uses = [body["counts"], body["values"], shared["budget"]]
    cells, seen = [], set(ctx.sets[columns].extra_ids() if columns in ctx.sets else ())
    for i, cell in enumerate(shared["fixed"]):
        cpath = (*path, "fixed", i)
        uses.append(cell["value"])
        if cell["column"] in seen:
            ctx.error("rules.duplicate_member", (*cpath, "column"), name=cell["column"])
        seen.add(cell["column"])
        in_row = cell.get("row")
        if in_row is not None and in_row not in ctx.sets[per].extra_ids():
            ctx.error(
                "rules.unknown_member",
                (*cpath, "row"),
                member=in_row,
                set=per,
                known=", ".join(ctx.sets[per].extra_ids()),
            )
            ok = False
        ok &= ctx.name_of_kind(
            cell["value"],
            (*cpath, "value"),
            (Kind.PERCENTAGE, Kind.RATIO),
            None if in_row is not None else per,
        )
        cells.append(
            FixedCell(
                cell["column"],
                cell["label"],
                cell["value"],
                in_row,
                ctx.cite(cell["article"], (*cpath, "article")),
            )
        )
    if not ok:
        return None, uses
    return Sheet(body["counts"], body["values"], tuple(cells), shared["scaling"], shared["budget"]), uses


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """Art. 4: computed cells (count × value) and fixed cells; under "schalen" the computed cells
    share what the fixed cells leave of 100 %, under "geen" they are divided by the Budget."""
    spec = rule.spec
    assert isinstance(spec, Sheet)
    rows = ctx.members[rule.per or ""]
    columns = ctx.members[ctx.rules.facts[spec.counts].by or ""]
    counts, prices = ctx.values[spec.counts], ctx.values[spec.values]
    worth = {r: {c: prices[c] * counts[r][c] for c in columns} for r in rows}
    total_worth = sum((v for row in worth.values() for v in row.values()), Fraction(0))
    fixed: dict[str, dict[str, Fraction]] = {r: {} for r in rows}
    for cell in spec.fixed:
        value = ctx.values[cell.value]
        for r in rows:
            fixed[r][cell.column] = (value if r == cell.row else Fraction(0)) if cell.row else value[r]
    fixed_total = sum((v for row in fixed.values() for v in row.values()), Fraction(0))
    scaling = ctx.chosen[spec.scaling]
    budget: Fraction | None = None
    if scaling == SCALE:
        if total_worth == 0:
            raise ctx.fail(
                "evaluate.sheet_empty",
                rule,
                (*rule.path, "sheet", "counts"),
                [(spec.counts, None)],
                counts=spec.counts,
            )
        cells = {r: {c: worth[r][c] / total_worth * (1 - fixed_total) for c in columns} for r in rows}
    else:
        budget = ctx.values[spec.budget]
        if budget == 0:
            raise ctx.fail(
                "evaluate.division_by_zero",
                rule,
                _field(ctx, rule, "budget"),
                [(spec.budget, None)],
                expression=f"indicatiewaarde / {spec.budget}",
                divisor=spec.budget,
            )
        cells = {r: {c: worth[r][c] / budget for c in columns} for r in rows}
    key = {r: sum(cells[r].values(), Fraction(0)) + sum(fixed[r].values(), Fraction(0)) for r in rows}
    total = sum(key.values(), Fraction(0))
    if total != 1:
        reads = [
            (name, None) for name in (spec.budget, *(c.value for c in spec.fixed), spec.values, spec.counts)
        ]
        raise ctx.fail(
            "evaluate.sheet_not_100",
            rule,
            _field(ctx, rule, "scaling"),
            reads,
            total=total,
            scaling=scaling,
        )
    row_counts = {r: counts[r] for r in rows}
    details = SheetDetails(
        rows,
        columns,
        row_counts,
        prices,
        worth,
        total_worth,
        fixed,
        fixed_total,
        scaling,
        budget,
        cells,
        total,
    )
    return Outcome(key, details)


def _field(ctx: EvalContext, rule: Rule, name: str) -> FieldPath:
    """Where a sheet's `budget` or `scaling` is written: in the sheet, or in the sheet it is `like`."""
    body = ctx.rules.document.data[rule.section][rule.name]["sheet"]
    owner = body.get("like", rule.name) if name not in body else rule.name
    return (rule.section, owner, "sheet", name)


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
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


KEY_OBLIGATION = "sheet_total"  # the obligation a distribution over this key relies on


def sheet_total(rule: Rule, context: ProofContext) -> list[Result]:
    """Under "schalen" the sheet totals 1 for every number of rows and columns and all counts and
    values with a non-zero total (sympy, symbolic sums). Under "geen" no identity holds for all
    inputs; the engine refuses any sheet that does not total exactly 100 % (a guard, said as such)."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, UNDECIDED, result

    assert isinstance(rule.spec, Sheet)
    options = context.rules.interpretations[rule.spec.scaling].options
    return [
        result(
            rule,
            "sheet_total",
            PROVEN if algebra.scaled_sheet_total() else UNDECIDED,
            interpretation=rule.spec.scaling,
            guarded=DIVIDE in options,
        )
    ]


OBLIGATIONS = (sheet_total,)
