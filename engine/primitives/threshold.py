"""`threshold`: yes when, for any member, a measure of one sheet differs from another sheet's by at
least a threshold, relative to the old value (Groningen, art. 5 lid 2). Each test has a cause (a
yes/no fact) and applies only when it is given: without any cause the answer is no, whatever the
numbers do, and the sheet after the change is not needed (`needs`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.language.model import Rule
from convenant.language.trace import Hit, SheetDetails, ThresholdDetails
from convenant.primitives.base import (
    BatchCompiler,
    CheckContext,
    EvalContext,
    ExplainScope,
    Node,
    NotVectorised,
    Outcome,
    Step,
    Written,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Rat

CELLS_OPTIONS = ("samen", "per_cel")  # the options of a test's `cells` interpretation
TOGETHER = "samen"  # a member's cells of the test's columns added up, then compared


@dataclass(frozen=True)
class ThresholdTest:
    cause: str  # the yes/no fact that selects this test: without it the test is not applied
    measure: str  # "indicatiewaarde" (money of a cell) or "relatieve_indicatiewaarde" (its percentage)
    column: str | None  # None: every column
    cells: str | None  # a switchable interpretation: "samen" or "per_cel" (None: per cell)
    at_least: str
    article: Citation


@dataclass(frozen=True)
class Threshold:
    """True when, for any member of `among`, a measure of sheet `new` differs from sheet `old` by at
    least the threshold (relative to the old value), by a test whose cause is given."""

    old: str
    new: str
    among: str
    tests: tuple[ThresholdTest, ...]

    @property
    def causes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.cause for t in self.tests))


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
        cause = ctx.types.get(test["cause"])
        is_fact = test["cause"] in ctx.data.get("facts", {})
        if cause is None or cause.kind is not Kind.BOOLEAN or cause.per or not is_fact:
            ctx.error("rules.threshold_cause", (*tpath, "cause"), name=test["cause"])
            ok = False
        uses.append(test["cause"])
        if "cells" in test:
            ok &= ctx.policy(
                written.interpretations, test["cells"], (*tpath, "cells"), "cells", CELLS_OPTIONS
            )
        ok &= ctx.name_of_kind(
            test["at_least"], (*tpath, "at_least"), (Kind.PERCENTAGE, Kind.RATIO), None, ("parameters",)
        )
        uses.append(test["at_least"])
        tests.append(
            ThresholdTest(
                test["cause"],
                test["measure"],
                test.get("column"),
                test.get("cells"),
                test["at_least"],
                ctx.cite(test["article"], (*tpath, "article")),
            )
        )
    return (Threshold(body["old"], body["new"], body["among"], tuple(tests)) if ok else None), uses


def needs(ctx: EvalContext, rule: Rule) -> tuple[str, ...]:
    """Without a cause (every cause fact known to be false) no test applies and the answer is no:
    only the causes are needed, so the sheet after the change may be unknown (art. 5 lid 2)."""
    spec = rule.spec
    assert isinstance(spec, Threshold)
    if all(ctx.values.get(cause) is False for cause in spec.causes):
        return spec.causes
    return rule.inputs


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """True when, by a test whose cause is given, any member's measure in the new sheet differs from
    the old one by at least the threshold (a share of the old value; any change of a nil value
    counts). Under "samen" a member's cells of the test's columns are added up first."""
    spec = rule.spec
    assert isinstance(spec, Threshold)
    causes = {cause: bool(ctx.values[cause]) for cause in spec.causes}
    together = tuple(t.cells is not None and ctx.chosen[t.cells] == TOGETHER for t in spec.tests)
    if not any(causes.values()):
        return Outcome(False, ThresholdDetails((), causes, together, ()))
    old, new = ctx.nodes[spec.old].details, ctx.nodes[spec.new].details
    assert isinstance(old, SheetDetails) and isinstance(new, SheetDetails)  # checked: two sheets
    hits = []
    for test, added in zip(spec.tests, together, strict=True):
        if not causes[test.cause]:
            continue
        by_indicatiewaarde = test.measure == "indicatiewaarde"
        before_sheet = old.indicatiewaarde if by_indicatiewaarde else old.cells
        after_sheet = new.indicatiewaarde if by_indicatiewaarde else new.cells
        limit = ctx.values[test.at_least]
        columns = [test.column] if test.column else list(old.columns)
        for member in ctx.members[spec.among]:
            groups = [(None, columns)] if added else [(c, [c]) for c in columns]
            for column, group in groups:
                before = sum((before_sheet[member][c] for c in group), Fraction(0))
                after = sum((after_sheet[member][c] for c in group), Fraction(0))
                if before != after and abs(after - before) >= limit * abs(before):
                    hits.append(Hit(member, column, test.measure, before, after, limit))
    return Outcome(bool(hits), ThresholdDetails(tuple(hits), causes, together, tuple(old.columns)))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 2: the causes given, the test each selects, and every member (and column) that
    reached its threshold; without a cause, that there is no mandatory adjustment."""
    spec, d, w, lang = node.rule.spec, node.details, scope.words, scope.lang
    assert isinstance(spec, Threshold) and isinstance(d, ThresholdDetails)
    article = node.rule.article.formal(lang)
    if not any(d.causes.values()):
        return {"lines": [w["threshold_no_cause"].format(article=article)]}

    def shown_measure(measure: str, value: Fraction) -> str:
        return show(Kind.MONEY, value, lang) if measure == "indicatiewaarde" else scope.percent(value)

    def together_text() -> str:
        return w["threshold_together"].format(columns=", ".join(scope.ev.label(c) for c in d.columns))

    lines = []
    for test, added in zip(spec.tests, d.together, strict=True):
        if not d.causes[test.cause]:
            continue
        if test.column:
            where = w["threshold_in_column"].format(column=scope.ev.label(test.column))
        elif added:
            where = w["threshold_where_together"].format(together=together_text())
        else:
            where = w["threshold_per_cell"]
        lines.append(
            w["threshold_cause"].format(
                cause=scope.label(test.cause),
                name=test.cause,
                measure=w[f"measure_{test.measure}"],
                where=where,
                interpretation=f" ({test.cells})" if test.cells else "",
                limit=scope.show(test.at_least, None),
            )
        )
    lines += [
        w["threshold_hit"].format(
            who=scope.member_name(h.member),
            column=scope.ev.label(h.column) if h.column else together_text(),
            measure=w[f"measure_{h.measure}"],
            old=shown_measure(h.measure, h.old),
            new=shown_measure(h.measure, h.new),
            limit=scope.percent(h.threshold),
        )
        for h in d.hits
    ]
    if not d.hits:
        lines.append(w["threshold_none"])
    return {"lines": lines, "articles": [t.article for t in spec.tests]}


OBLIGATIONS = ()  # a yes/no over two sheets: nothing beyond its branches to prove


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    """Over many scenarios, from what the two sheets' steps left (`ctx.extra`: each cell's
    indicatiewaarde in cents, and the factor (D − Fs)/(D·T) that makes it a percentage): per test
    whose cause holds, per member of `among` (the first rows of the sheet) and per column or group
    of columns, before ≠ after and |after − before| ≥ limit·|before|, in exact arithmetic."""
    import numpy as np

    from convenant.core import vectors
    from convenant.core.vectors import Rat

    spec, rules, members = rule.spec, compiler.rules, compiler.members
    assert isinstance(spec, Threshold)
    sheets = [rules.rules.get(spec.old), rules.rules.get(spec.new)]
    if members is None or any(s is None or s.name not in compiler.known or s.per is None for s in sheets):
        raise NotVectorised(f"{rule.name}: its sheets have no array form")
    sheet_rows = members[sheets[0].per or ""]  # type: ignore[union-attr]
    among = members[spec.among]
    if sheet_rows[: len(among)] != among:
        raise NotVectorised(f"{rule.name}: {spec.among} is not the first rows of the sheet")
    counts = rules.facts[sheets[0].spec.counts]  # type: ignore[union-attr]
    columns = members[counts.by or ""]
    width, n_columns = len(among), len(columns)
    limits = {t.at_least: compiler.constant(t.at_least) for t in spec.tests}

    def measure(ctx: Any, sheet: str, test: ThresholdTest, group: list[int]) -> Rat:
        found = ctx.extra[sheet]  # each cell's indicatiewaarde: count × value (exact Python
        counts = found["counts"][:, :width, group].astype(object)  # integers: a few columns only)
        prices = found["prices"][:, group].astype(object)
        summed = vectors.integers((counts * prices[:, None, :]).sum(axis=2).ravel().tolist()).reshape(
            ctx.rows, width
        )
        value = Rat.of(summed)
        if test.measure == "indicatiewaarde":
            return Rat.of(summed, 100)
        factor = Rat.of(np.asarray(found["room"]), np.asarray(found["den"]) * np.asarray(found["total"]))
        return vectors.mul(value, factor)

    def threshold(ctx: Any) -> np.ndarray:
        n = ctx.rows
        causes = {c: np.asarray(ctx.values[c]).reshape(n, -1)[:, 0] for c in spec.causes}
        result = np.zeros(n, dtype=bool)
        if spec.old not in ctx.extra or spec.new not in ctx.extra:  # a sheet unknown in every
            return result.reshape(-1, 1)  # scenario: so is this test where a cause holds
        for test in spec.tests:
            active = causes[test.cause]
            if not active.any():
                continue
            together = test.cells is not None and ctx.chosen[test.cells] == TOGETHER
            chosen = [columns.index(test.column)] if test.column else list(range(n_columns))
            groups = [chosen] if together else [[c] for c in chosen]
            limit = limits[test.at_least]
            for group in groups:
                before = measure(ctx, spec.old, test, group)
                after = measure(ctx, spec.new, test, group)
                change = vectors.sub(after, before).abs()
                hit = vectors.compare("!=", before, after) & vectors.compare(
                    ">=", change, vectors.mul(limit, before.abs())
                )
                result |= active & np.asarray(hit).any(axis=1)
        return result.reshape(-1, 1)

    def needs(ctx: Any) -> list[tuple[np.ndarray, tuple[str, ...]]]:
        """As `needs`: where no cause holds, only the causes."""
        n = ctx.rows
        none = np.ones(n, dtype=bool)
        for cause in spec.causes:
            none &= ctx.known(cause) & ~np.asarray(ctx.values[cause]).reshape(n, -1)[:, 0]
        return [(none, spec.causes)]

    threshold.needs = needs  # type: ignore[attr-defined]
    return threshold
