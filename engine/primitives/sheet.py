"""`sheet`: a key built as rows × columns (Groningen, art. 4): computed cells (count × value per
column) and fixed cells, scaled so that the whole sheet totals 100 %.

The rule file names a switchable interpretation (`scaling`) whose options say how computed cells
become percentages; this primitive knows two, `SCALING_OPTIONS`: "schalen" scales them so that
the whole sheet totals exactly 100 %; "geen" divides by `budget` and refuses a sheet that does
not total 100 %. The checker refuses an interpretation with any other option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import Agreed as Agreed_
from convenant.language.trace import AgreedPeriod, Said, SheetDetails
from convenant.primitives import pro_rata
from convenant.primitives.base import (
    BatchCompiler,
    CheckContext,
    EvalContext,
    ExplainScope,
    FieldPath,
    Node,
    NotVectorised,
    Outcome,
    ProofContext,
    Step,
    Written,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Rat, Terms
    from convenant.proof.results import Result

SCALE, DIVIDE = "schalen", "geen"  # the options of the `scaling` interpretation
SCALING_OPTIONS = (SCALE, DIVIDE)
# the options of the `agreed` reading: under "schalen", agreed cells are kept as agreed and the other
# computed cells share what is left ("vast"), or every cell is scaled, agreed ones too ("mee_schalen")
KEEP, SCALE_ALL = "vast", "mee_schalen"
AGREED_OPTIONS = (KEEP, SCALE_ALL)


@dataclass(frozen=True)
class FixedCell:
    """A fixed column of a sheet (art. 4.2b–f): its value in one row, or per row."""

    column: str
    label: str
    value: str  # a ratio: scalar (in `row`) or per the sheet's rows
    row: str | None
    article: Citation


@dataclass(frozen=True)
class Agreed:
    """Percentages the parties agreed instead of computed cells (Groningen art. 5 lid 1), per row
    from a date, with the date of their decision; `reading` says how the other cells behave."""

    cells: str  # percentage per [row, column], sparse: only the agreed cells
    from_date: str  # date per row: the row's agreed cells apply from this day
    decision: str  # date per row: the decision that agreed them (art. 6)
    reading: str  # interpretation with the options AGREED_OPTIONS
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
    agreed: Agreed | None = None  # only in a sheet of its own (not one `like` another)


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
    wrong += ["agreed"] if like is not None and "agreed" in body else []
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
    agreed = None
    if "agreed" in body:
        agreed, names = _check_agreed(ctx, written, per, columns)
        uses += names
        ok &= agreed is not None
    if not ok:
        return None, uses
    sheet = Sheet(body["counts"], body["values"], tuple(cells), shared["scaling"], shared["budget"], agreed)
    return sheet, uses


def _check_agreed(
    ctx: CheckContext, written: Written, per: str, columns: str | None
) -> tuple[Agreed | None, list[str]]:
    """Art. 5 lid 1: a sparse percentage per [row, column] and two dates per row."""
    body, path = written.body["agreed"], (*written.path, "agreed")
    ok = ctx.name_of_kind(body["cells"], (*path, "cells"), (Kind.PERCENTAGE,), per, by=columns)
    if ok and not ctx.data["facts"].get(body["cells"], {}).get("sparse", False):
        ctx.error("rules.sheet_agreed_sparse", (*path, "cells"), name=body["cells"])
        ok = False
    for field in ("from", "decision"):
        ok &= ctx.name_of_kind(body[field], (*path, field), (Kind.DATE,), per, sections=("facts",))
    ok &= ctx.policy(written.interpretations, body["reading"], (*path, "reading"), "reading", AGREED_OPTIONS)
    article = ctx.cite(body["article"], (*path, "article"))
    names = [body["cells"], body["from"], body["decision"]]
    if not ok:
        return None, names
    return Agreed(body["cells"], body["from"], body["decision"], body["reading"], article), names


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """Art. 4: computed cells (count × value) and fixed cells; under "schalen" the computed cells
    share what the fixed cells leave of 100 %, under "geen" they are divided by the Budget. Agreed
    deviations (art. 5 lid 1) replace cells from their date on (`_agreed`)."""
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
    agreed = _agreed(ctx, rule, spec)
    computed_used = agreed is None or agreed.base is not None  # the computed sheet holds for a while
    budget: Fraction | None = None
    if scaling == SCALE:
        if total_worth == 0 and computed_used:
            raise ctx.fail(
                "evaluate.sheet_empty",
                rule,
                (*rule.path, "sheet", "counts"),
                [(spec.counts, None)],
                counts=spec.counts,
            )
        share = (1 - fixed_total) / total_worth if total_worth else Fraction(0)
        cells = {r: {c: worth[r][c] * share for c in columns} for r in rows}
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
    key, total = _total(cells, fixed, rows)
    if computed_used and total != 1:
        raise _not_100(ctx, rule, spec, total, scaling, None)
    details = SheetDetails(
        rows,
        columns,
        {r: counts[r] for r in rows},
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
    if agreed is None:
        return Outcome(key, details, warnings=_unforeseen(spec, rows, counts, fixed, {}, key))
    interpretations.append(agreed.reading)  # cited only where deviations were agreed
    agreed = _periods(
        ctx, rule, spec, agreed, worth, cells, fixed, fixed_total, key if computed_used else None
    )
    year_key = _year_key(agreed, rows)
    warned = _unforeseen(spec, rows, counts, fixed, agreed.percentages, year_key)
    return Outcome(year_key, replace(details, agreed=agreed), warnings=warned)


def _unforeseen(
    spec: Sheet,
    rows: list[str],
    counts: Mapping[str, Mapping[str, Any]],
    fixed: Mapping[str, Mapping[str, Fraction]],
    agreed: Mapping[str, Any],
    key: Mapping[str, Fraction],
) -> tuple[tuple[str | None, Said], ...]:
    """What the text does not foresee (DOMAIN.md, "Negative outcomes"): a row with no indications in
    columns 1–6 and no agreed cells whose per-row fixed value (the eigen bijdrage, art. 4 lid 2 onder
    e) is not nil — its key is that value alone, computed as the formula says, with a warning."""
    found: list[tuple[str | None, Said]] = []
    for r in rows:
        if any(counts[r].values()) or agreed.get(r):
            continue
        for cell in spec.fixed:
            if cell.row is None and fixed[r][cell.column] != 0:
                args = {
                    "column": cell.label,
                    "article": cell.article,
                    "value": (Kind.RATIO, fixed[r][cell.column]),
                    "key": (Kind.RATIO, key[r]),
                }
                found.append((r, Said("explanations.sheet_fixed_without_indications", args)))
    return tuple(found)


def _total(
    cells: Mapping[str, Mapping[str, Fraction]], fixed: Mapping[str, Mapping[str, Fraction]], rows: list[str]
) -> tuple[dict[str, Fraction], Fraction]:
    """Each row's total (its cells and its fixed cells) and the whole sheet's."""
    key = {r: sum(cells[r].values(), Fraction(0)) + sum(fixed[r].values(), Fraction(0)) for r in rows}
    return key, sum(key.values(), Fraction(0))


def _not_100(
    ctx: EvalContext, rule: Rule, spec: Sheet, total: Fraction, scaling: str, start: date | None
) -> ConvenantError:
    reads = [(name, None) for name in (spec.budget, *(c.value for c in spec.fixed), spec.values, spec.counts)]
    if spec.agreed is None:
        return ctx.fail(
            "evaluate.sheet_not_100", rule, _field(ctx, rule, "scaling"), reads, total=total, scaling=scaling
        )
    a = spec.agreed
    if start is None:  # the computed sheet: agreed percentages from 1 January would replace it
        return ctx.fail(
            "evaluate.sheet_not_100_advice",
            rule,
            _field(ctx, rule, "scaling"),
            reads,
            total=total,
            scaling=scaling,
            cells=a.cells,
            start=a.from_date,
            decision=a.decision,
        )
    return ctx.fail(
        "evaluate.sheet_agreed_not_100",
        rule,
        (*rule.path, "sheet", "agreed", "cells"),
        [(a.cells, None), *reads],
        total=total,
        scaling=scaling,
        date=start,
    )


def _agreed(ctx: EvalContext, rule: Rule, spec: Sheet) -> Agreed_ | None:
    """The deviations agreed for this year (art. 5 lid 1), or None: what each row agreed, from when
    (a date before 1 January counts from 1 January) and by which decision. A date after the year is
    refused: those percentages belong to a later year's facts."""
    a = spec.agreed
    if a is None or not any(ctx.values[a.cells].values()):
        return None
    given = {r: dict(v) for r, v in ctx.values[a.cells].items() if v}
    first, last = date(ctx.year, 1, 1), date(ctx.year, 12, 31)
    starts, decisions = ctx.values[a.from_date], ctx.values[a.decision]
    for r in given:
        if starts[r] > last:
            raise ctx.fail(
                "evaluate.sheet_agreed_after_year",
                rule,
                (*rule.path, "sheet", "agreed", "from"),
                [(a.from_date, r)],
                date=starts[r],
                year=ctx.year,
                fact=a.from_date,
            )
    begins = {r: max(starts[r], first) for r in given}
    base_used = min(begins.values()) > first
    return Agreed_(
        a.reading,
        ctx.chosen[a.reading],
        given,
        begins,
        {r: decisions[r] for r in given},
        {} if base_used else None,
        (),
    )


def _periods(
    ctx: EvalContext,
    rule: Rule,
    spec: Sheet,
    agreed: Agreed_,
    worth: Mapping[str, Mapping[str, Fraction]],
    computed: Mapping[str, Mapping[str, Fraction]],
    fixed: Mapping[str, Mapping[str, Fraction]],
    fixed_total: Fraction,
    base: dict[str, Fraction] | None,
) -> Agreed_:
    """The sheet from each date on that agreed cells begin to apply: every period's sheet totals
    exactly 100 % (under "geen": or it is refused)."""
    rows = list(worth)
    scaling = ctx.chosen[spec.scaling]
    periods = []
    for start in sorted(set(agreed.starts.values())):
        applying = tuple(r for r in rows if r in agreed.starts and agreed.starts[r] <= start)
        fixed_cells = {(r, c): v for r in applying for c, v in agreed.percentages[r].items()}
        cells = _cells(
            ctx, rule, spec, agreed.option, scaling, worth, computed, fixed_cells, fixed_total, start
        )
        key, total = _total(cells, fixed, rows)
        if total != 1:
            raise _not_100(ctx, rule, spec, total, scaling, start)
        remaining, days, fraction = pro_rata.rest_of_year(ctx.year, start)
        periods.append(AgreedPeriod(start, applying, remaining, days, fraction, cells, key))
    return replace(agreed, base=base, periods=tuple(periods))


def _cells(
    ctx: EvalContext,
    rule: Rule,
    spec: Sheet,
    option: str,
    scaling: str,
    worth: Mapping[str, Mapping[str, Fraction]],
    computed: Mapping[str, Mapping[str, Fraction]],
    agreed: Mapping[tuple[str, str], Fraction],
    fixed_total: Fraction,
    start: date,
) -> dict[str, dict[str, Fraction]]:
    """One period's cells. "geen": agreed cells replace computed ones (the total must then be 100 %).
    "schalen" with "vast": agreed cells as agreed, the others share what is left of 100 % after the
    fixed columns and the agreed cells, by indicatiewaarde. "schalen" with "mee_schalen": agreed
    cells replace computed ones and every cell of columns 1–6 is scaled to what the fixed columns leave."""
    assert spec.agreed is not None
    a, where = spec.agreed, (*rule.path, "sheet", "agreed", "cells")
    reads = [(a.cells, None), *((c.value, None) for c in spec.fixed)]
    agreed_total = sum(agreed.values(), Fraction(0))
    replaced = {r: {c: agreed.get((r, c), v) for c, v in row.items()} for r, row in computed.items()}
    if option == SCALE_ALL and scaling == SCALE:
        together = sum((v for row in replaced.values() for v in row.values()), Fraction(0))
        if together == 0:
            raise ctx.fail(
                "evaluate.sheet_agreed_unscalable", rule, where, reads, date=start, room=1 - fixed_total
            )
        return {
            r: {c: v * (1 - fixed_total) / together for c, v in row.items()} for r, row in replaced.items()
        }
    if agreed_total + fixed_total > 1:
        raise ctx.fail(
            "evaluate.sheet_agreed_overfull",
            rule,
            where,
            reads,
            date=start,
            agreed=agreed_total,
            fixed=fixed_total,
            total=agreed_total + fixed_total,
        )
    if scaling == DIVIDE:
        return replaced
    room = 1 - fixed_total - agreed_total
    others = sum((v for r, row in worth.items() for c, v in row.items() if (r, c) not in agreed), Fraction(0))
    if others == 0 and room != 0:
        raise ctx.fail("evaluate.sheet_agreed_unscalable", rule, where, reads, date=start, room=room)
    share = room / others if others else Fraction(0)
    return {r: {c: agreed.get((r, c), v * share) for c, v in row.items()} for r, row in worth.items()}


def _year_key(agreed: Agreed_, rows: list[str]) -> dict[str, Fraction]:
    """The key over the year: the first sheet, then from each later date on the next one for the
    rest of the year, pro rata by days as art. 5 lid 2 does (`pro_rata.blend`):
    key = S₀ + Σ (Sₖ − Sₖ₋₁) × days left from dateₖ / days. Every Sₖ totals 1, so the key does."""
    sheets = [p.key for p in agreed.periods]
    fractions = [p.fraction for p in agreed.periods]
    if agreed.base is None:  # the first agreed sheet holds from 1 January
        fractions = fractions[1:]
    else:
        sheets.insert(0, agreed.base)
    key = dict(sheets[0])
    for previous, current, fraction in zip(sheets[:-1], sheets[1:], fractions, strict=True):
        for r in rows:
            key[r] += pro_rata.blend(previous[r], current[r], fraction) - previous[r]
    return key


def _field(ctx: EvalContext, rule: Rule, name: str) -> FieldPath:
    """Where a sheet's `budget` or `scaling` is written: in the sheet, or in the sheet it is `like`."""
    body = ctx.rules.document.data[rule.section][rule.name]["sheet"]
    owner = body.get("like", rule.name) if name not in body else rule.name
    return (rule.section, owner, "sheet", name)


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    """Art. 4: the member's row of the spreadsheet, cell by cell, and how the cells were scaled;
    with agreed deviations (art. 5 lid 1) every decision, and how the year's key came about."""
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
    computed = sum(d.cells[member].values(), Fraction(0)) + sum(fixed.values(), Fraction(0))
    row_line = w["sheet_row" if d.agreed is None else "sheet_row_computed"]
    lines.append(
        row_line.format(
            cells=scope.percent(sum(d.cells[member].values(), Fraction(0))),
            fixed=scope.percent(sum(fixed.values(), Fraction(0))),
            key=scope.percent(node.value[member] if d.agreed is None else computed),
        )
    )
    header = [w["column"], w["count"], w["value"], w["worth"], w["cell"]]
    articles = [cell.article for cell in spec.fixed]
    if d.agreed is None:
        lines.append(w["sheet_total"].format(total=scope.percent(d.total)))
    else:
        assert spec.agreed is not None
        lines += _explain_agreed(scope, spec, d.agreed, member, node.value[member])
        lines.append(w["sheet_total"].format(total=scope.percent(sum(node.value.values(), Fraction(0)))))
        header.append(w["sheet_agreed_cell"])
        last = d.agreed.periods[-1].cells[member]
        for row, c in zip(rows, d.columns, strict=True):
            row.append(scope.percent(last[c]))
        articles.insert(0, spec.agreed.article)
    return {"table": {"header": header, "rows": rows}, "lines": lines, "articles": articles}


def _explain_agreed(scope: ExplainScope, spec: Sheet, a: Agreed_, member: str, value: Fraction) -> list[str]:
    """Art. 5 lid 1: each decision (its date, the rows and cells it agreed, from when), the reading
    of the other cells, and the year's key of this row, pro rata by days from each date."""
    w, lang = scope.words, scope.lang
    lines = [
        w["sheet_agreed"].format(
            row=scope.ev.label(r),
            cells=", ".join(f"{scope.ev.label(c)} {scope.percent(v)}" for c, v in a.percentages[r].items()),
            start=show(Kind.DATE, a.starts[r], lang),
            decision=show(Kind.DATE, a.decisions[r], lang),
        )
        for r in a.percentages
    ]
    lines.append(w[f"sheet_agreed_{a.option}"].format(id=a.reading))
    previous = a.base[member] if a.base is not None else None  # the sheet before the next date
    running = previous  # the year's key so far
    for period in a.periods:
        key = period.key[member]
        if previous is None or running is None:  # the first agreed sheet holds from 1 January
            lines.append(w["sheet_agreed_from_start"].format(key=scope.percent(key)))
            previous = running = key
            continue
        result = running + pro_rata.blend(previous, key, period.fraction) - previous
        lines.append(
            w["sheet_agreed_period"].format(
                date=show(Kind.DATE, period.start, lang),
                key=scope.percent(key),
                previous=scope.percent(previous),
                remaining=period.remaining,
                days=period.days,
                before=scope.percent(running),
                result=scope.percent(result),
            )
        )
        previous, running = key, result
    assert running == value  # the explanation adds up to the key it explains
    return lines


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


def agreed_total(rule: Rule, context: ProofContext) -> list[Result]:
    """A sheet with agreed deviations (Groningen art. 5 lid 1) still totals 1 under "schalen", in
    every period and over the year: with "vast" the agreed cells A are kept and the other cells of
    columns 1–6 share 1 − F − A by indicatiewaarde; with "mee_schalen" all cells, agreed ones
    replacing computed ones, are scaled to 1 − F (sympy, `algebra.agreed_kept_total` and
    `agreed_scaled_total`, for any number of rows and columns and any agreed cells); the year's key
    blends the periods' sheets pro rata by days, each totalling 1 (`algebra.pro_rata_total`). What
    stays a check while evaluating, said as such: a divisor that is nil (no other cell with an
    indicatiewaarde while room is left; all cells nil under "mee_schalen") and agreed cells with
    the fixed ones above 100 % under "vast" are refused; under "geen" no identity holds and every
    period's sheet that does not total exactly 100 % is refused."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, UNDECIDED, result

    assert isinstance(rule.spec, Sheet)
    if rule.spec.agreed is None:
        return []
    reading = rule.spec.agreed.reading
    lemmas = {KEEP: algebra.agreed_kept_total, SCALE_ALL: algebra.agreed_scaled_total}
    readings = [o for o in context.rules.interpretations[reading].options if o in lemmas]
    proven = all(lemmas[o]() for o in readings) and algebra.pro_rata_total()
    return [
        result(
            rule,
            "agreed_total",
            PROVEN if proven else UNDECIDED,
            interpretation=reading,
            scaling=rule.spec.scaling,
            options=readings,
        )
    ]


OBLIGATIONS = (sheet_total, agreed_total)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    """Art. 4 over many scenarios, under "schalen" and without agreed deviations (a scenario that
    gives agreed cells is left to the interpreter by the batch). With W[r] the row's indicatiewaarde
    (Σ_c count·value, in cents), T = Σ_r W[r], the fixed cells over one denominator per scenario
    F[r] / D and Σ F = Fs, the row's key is one fraction per scenario:

        key[r] = W[r]·(1 − Fs/D)/T + F[r]/D = (W[r]·(D − Fs) + F[r]·T) / (T·D)

    which totals exactly 1 (Σ_r: (D − Fs)·T + Fs·T = T·D), so a distribution over it needs no
    check. W and T are first divided by their greatest common divisor, F and D by theirs, which
    keeps them in int64 (bounds checked; exact Python integers otherwise). T = 0 (no indication
    with a value) is refused by the interpreter: those scenarios are flagged. A row without
    indications whose per-row fixed cell is not nil gets the interpreter's warning."""
    import numpy as np

    from convenant.core import vectors
    from convenant.core.vectors import LIMIT, Rat, Terms

    spec, rules, members = rule.spec, compiler.rules, compiler.members
    assert isinstance(spec, Sheet)
    chosen = rules.interpretations[spec.scaling].chosen
    if chosen != SCALE:
        raise NotVectorised(f"{rule.name}: {spec.scaling} = {chosen}")
    if members is None or rule.per is None:
        raise NotVectorised(f"{rule.name}: the members of its sets")
    for name in (spec.counts, spec.values, *(c.value for c in spec.fixed)):
        if name not in compiler.known and name not in rules.parameters:
            raise NotVectorised(f"{name} has no array form")
    rows = members[rule.per]
    columns = members[rules.facts[spec.counts].by or ""]
    n_rows, n_columns = len(rows), len(columns)
    fixed: list[tuple[Any, int | None]] = []  # (value: a constant or a name, its row or None: per row)
    for cell in spec.fixed:
        value = compiler.constant(cell.value) if cell.value in rules.parameters else cell.value
        fixed.append((value, rows.index(cell.row) if cell.row else None))

    def fixed_cells(ctx: Any) -> Rat:
        total: Rat | None = None
        for value, at in fixed:
            rat = ctx.values[value] if isinstance(value, str) else value
            rat = rat.as_rat() if isinstance(rat, Terms) else rat
            if at is not None:
                place = (np.arange(n_rows) == at).reshape(1, -1)
                rat = Rat(np.where(place, rat.num, 0), rat.den, rat.nb, rat.db)
            total = rat if total is None else vectors.add(total, rat)
        assert total is not None
        return vectors.common_den(vectors.broadcast(total, ctx.rows, n_rows))

    def sheet(ctx: Any) -> Terms:
        n = ctx.rows
        counts = np.broadcast_to(ctx.values[spec.counts].num, (n, n_rows * n_columns))
        prices = np.broadcast_to(ctx.values[spec.values].num, (n, n_columns))  # cents
        bound = vectors.max_abs(counts) * vectors.max_abs(prices) * n_rows * n_columns
        if counts.dtype == object or prices.dtype == object or bound > LIMIT:
            counts, prices = counts.astype(object), prices.astype(object)
        counts3 = counts.reshape(n, n_rows, n_columns)
        if counts3.dtype == object:
            by_row = (counts3 * prices[:, None, :]).sum(axis=2)
        else:  # Σ_c count·value in one pass, in int64 (bounded above)
            by_row = np.einsum("nrc,nc->nr", counts3, prices)
        total = by_row.sum(axis=1, keepdims=True)
        ctx.flag(total <= 0)
        total = np.where(total <= 0, 1, total)
        cells = fixed_cells(ctx)
        f_num = cells.num
        f_den = cells.den if isinstance(cells.den, np.ndarray) else np.full((n, 1), cells.den)
        total_r = total
        small = vectors.FLOAT_EXACT // 4  # below it, the key fits the float-guess kernel unreduced
        if f_num.dtype != object and f_den.dtype != object and vectors.max_abs(f_den) > 10**6:
            g = np.gcd(np.gcd.reduce(f_num, axis=1, keepdims=True), f_den)
            f_num, f_den = f_num // g, f_den // g
        if by_row.dtype != object and vectors.max_abs(total) * vectors.max_abs(f_den) > small:
            g = np.gcd.reduce(by_row, axis=1, keepdims=True)
            g = np.where(g == 0, 1, g)
            by_row, total_r = by_row // g, total // g
        f_sum = f_num.sum(axis=1, keepdims=True)
        arrays = (by_row, total_r, f_num, f_den, f_sum)
        b_w, b_t, b_f, b_d, b_s = (vectors.max_abs(np.asarray(a)) for a in arrays)
        exact = any(np.asarray(a).dtype == object for a in arrays)
        exact = exact or b_w * (b_d + b_s) + b_f * b_t > LIMIT or b_t * b_d > LIMIT
        if exact:
            by_row, total_r, f_num, f_den, f_sum = (np.asarray(a).astype(object) for a in arrays)
        num = by_row * (f_den - f_sum) + f_num * total_r
        den = total_r * f_den
        key = Rat(num, den, None, None) if exact else Rat(num, den, b_w * (b_d + b_s) + b_f * b_t, b_t * b_d)
        ctx.extra[rule.name] = {
            "counts": counts3,
            "prices": prices,
            "total": total,
            "room": f_den - f_sum,
            "den": f_den,
        }
        per_row = [value for value, at in fixed if at is None]
        if per_row:  # art. 4 lid 2 onder e without indications: the interpreter's warning
            empty = ~counts3.any(axis=2)
            given = np.zeros((1, n_rows), dtype=bool)
            for value in per_row:
                rat = ctx.values[value] if isinstance(value, str) else value
                given = given | ((rat.as_rat() if isinstance(rat, Terms) else rat).num != 0)
            ctx.warnings[(rule.name, -1)] = empty & given
        return Terms((key,), one=True)

    return sheet
