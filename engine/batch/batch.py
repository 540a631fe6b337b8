"""`convenant batch`: one rule file, many scenarios; compiled once, evaluated exactly in chunks.

For each chunk of scenarios (`engine.scenarios`) the compiled plan (`engine.vectorise`) computes
every output rule at once for the scenarios that give every fact for the municipalities of their
year as they are (`Batch.direct`). The others (a predecessor named instead of a merged
municipality, an optional fact left empty, a year with other municipalities), the scenarios the
plan marks, and every scenario when a rule could not be compiled, are checked as a fact file
(`scenarios.facts_of`) and evaluated one by one by the interpreter (`engine.evaluate`), which
gives the same values, unknowns or message as `convenant evaluate`. A scenario whose facts are
wrong is reported with its row; the others go on.

The output is a new file, or with `--overwrite` an earlier results file replaced; nothing else
is ever overwritten (`check_output`). It has one row per scenario with the columns `rij`,
`scenario`, `jaar`, `status` (ok / fout), `melding`, `waarschuwingen`, `onbekend`, then one
column per rule (`resultaat_bw`) or per rule and member of its set
(`aandeel_resultaat_bw.GM0106`, `budgetdeel.centraal`). Values are written as
`convenant evaluate --format json` writes them: money "-1234.50", ratios as exact fractions
"1234/5678", yes/no as true/false, outcomes by name. A result that is not yet known (it needs an
optional fact the scenario leaves empty) is an empty cell, named in `onbekend` with what it
waits for; never zero.

A CSV can be written in the Dutch dialect (semicolons, decimal comma, BOM: `--csv-dialect nl`,
or by default when the scenarios came in it). An Excel file (`Batch.layout`) has the same values
as Excel values: amounts as numbers in euros, ratios as a percentage with the exact fraction in
the column beside it, a header of Dutch labels and municipality names above the column names,
and a sheet per set: `uitkomsten` (the scenario and the results for the year), then one per set
(`gemeenten`, `budgetdeel`) with `rij`, `scenario`, `jaar`, `status` and that set's results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from convenant import words
from convenant.batch.scenarios import (
    Reader,
    Scenarios,
    columns_of,
    facts_of,
    scenario_sets,
    year_sets,
    years_covered,
)
from convenant.batch.vectorise import ARRAY_FACTS, Context, compile_rules, run, waiting_texts
from convenant.check import registry
from convenant.check.checking import load_rule_file
from convenant.core import messages, vectors
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.output import refuse_file_as_folder, refuse_rules_directory
from convenant.core.paths import display_path
from convenant.core.units import Kind, display
from convenant.core.vectors import Rat, Terms
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.explain import report
from convenant.language.model import CASE, LAST_YEAR, MUNICIPALITY, YEAR, Rule, RuleFile
from convenant.language.parties import in_year, predecessors_on
from convenant.source import csvbytes, spreadsheets
from convenant.source.spreadsheets import AUTO, AtomicWriter, Column, Layout, Sheet, read_table, starts_with

CHUNK = 25_000
CHUNK_CELLS = 750_000  # a chunk holds at most about this many cells in and out (memory: § batch)
FAILURES_KEPT = 200  # failed scenarios a Summary names (the command shows 20, the web page 200)
PROGRESS_FROM = 20_000  # scenarios from which the command shows a progress bar by default
WORDS = words.Languages("batch")
META = ["rij", "scenario", "jaar", "status", "melding", "waarschuwingen", "onbekend"]
OK, FAILED = "ok", "fout"
ROW_META = 4  # rij, scenario, jaar, status: on every sheet of an Excel file
_KINDS = {  # a rule's kind → the kind of its column in a results table
    Kind.MONEY: spreadsheets.MONEY,
    Kind.COUNT: spreadsheets.COUNT,
    Kind.RATIO: spreadsheets.RATIO,
    Kind.PERCENTAGE: spreadsheets.RATIO,
    Kind.BOOLEAN: spreadsheets.BOOLEAN,
    Kind.DATE: spreadsheets.DATE,
}


@dataclass(frozen=True)
class Output:
    """A rule in the results: one column, or one per member of its set."""

    rule: Rule
    members: tuple[str, ...] | None

    @property
    def columns(self) -> list[str]:
        if self.members is None:
            return [self.rule.name]
        return [f"{self.rule.name}.{m}" for m in self.members]


class Batch:
    """A rule file compiled once for the rules it should output."""

    def __init__(self, rules: RuleFile, wanted: Sequence[str] | None = None) -> None:
        self.rules = rules
        self.members = {**scenario_sets(rules), CASE: []}
        self.outputs = [self._output(name) for name in (wanted or self._default_outputs())]
        self.plan = compile_rules(rules, [o.rule.name for o in self.outputs], self.members)
        self.needed = {rule.name for rule, _, _ in self.plan.steps} | set(self.plan.unsupported)
        self.read = {n for rule, _, _ in self.plan.steps for n in rule.inputs if n in rules.facts}
        self.chosen = {k: v.chosen or "" for k, v in rules.interpretations.items() if v.switchable}
        self.same_sets = {y for y in years_covered(rules) if self._same_sets(y)}
        # a merged municipality's predecessors (their columns are added up) and each member's role,
        # in the years the plan computes: the same in each of them, or the year is interpreted
        self.merged: dict[str, list[str]] = {}
        self.roles: dict[str, str] = {}
        first = min(self.same_sets, default=None)
        if first is not None:
            self.merged, self.roles = self._parties(first)
            self.same_sets = {y for y in self.same_sets if self._parties(y) == (self.merged, self.roles)}

    def _parties(self, year: int) -> tuple[dict[str, list[str]], dict[str, str]]:
        parties = in_year(self.rules, year)
        day = date(year, 1, 1)
        merged = {
            m.code: parts
            for m in parties.members
            if len(parts := predecessors_on(self.rules.municipalities, m.code, day)) > 1
            or (parts and parts != [m.code])
        }
        return merged, {m.code: m.role for m in parties.members}

    def _same_sets(self, year: int) -> bool:
        try:
            return {**year_sets(self.rules, year), CASE: []} == self.members
        except ConvenantError:  # parties that merged with different roles: the interpreter says so
            return False

    def _default_outputs(self) -> list[str]:
        return [
            name
            for name, rule in self.rules.rules.items()
            if rule.section == "rules"
            and (rule.per is None or self.members.get(rule.per))
            and rule.stated is None  # a result a letter states is no computation (ask for it by name)
        ]

    def _output(self, name: str) -> Output:
        rule = self.rules.rules.get(name)
        if rule is None or rule.section != "rules" or (rule.per and rule.per not in self.members):
            known = ", ".join(self._default_outputs())
            raise ConvenantError([Problem("batch.unknown_rule", {"rule": name, "known": known})])
        return Output(rule, tuple(self.members[rule.per]) if rule.per else None)

    @property
    def header(self) -> list[str]:
        return META + [c for o in self.outputs for c in o.columns]

    def layout(self, lang: str = "nl") -> Layout:
        """The columns of the results with their kinds and labels, and the sheets of an Excel file."""
        w = WORDS[lang]
        kinds = [spreadsheets.WHOLE, spreadsheets.TEXT, spreadsheets.WHOLE] + [spreadsheets.TEXT] * 4
        columns = [Column(n, w[f"column.{n}"], k) for n, k in zip(META, kinds, strict=True)]
        sheets: dict[str | None, list[int]] = {None: list(range(len(META)))}
        for output in self.outputs:
            rule, kind = output.rule, _KINDS.get(output.rule.kind, spreadsheets.TEXT)
            for column, member in zip(output.columns, output.members or [None], strict=True):
                label = (
                    rule.label if member is None else f"{rule.label}\n{self._member_label(rule.per, member)}"
                )
                exact = f"{label}\n{w['exact']}"
                sheets.setdefault(rule.per, list(range(ROW_META))).append(len(columns))
                columns.append(Column(column, label, kind, exact))
        return Layout(columns, [Sheet(self._sheet_title(per, lang), tuple(at)) for per, at in sheets.items()])

    def _member_label(self, per: str | None, member: str) -> str:
        """A member as the header shows it: a municipality's name and code, a row's or column's label."""
        municipality = self.rules.municipalities.by_code(member)
        if municipality is not None:
            return f"{municipality.name} ({member})"
        declared = self.rules.sets.get(per or "")
        label = declared.extra_label(member) if declared else None
        return f"{label} ({member})" if label and label != member else member

    def _sheet_title(self, per: str | None, lang: str) -> str:
        if per is None:
            return "uitkomsten"
        return WORDS[lang]["sheet_municipalities"] if per == MUNICIPALITY else per

    def evaluate(self, scenarios: Scenarios) -> Result:
        """Evaluate a chunk: the compiled plan where it applies, the interpreter for the others."""
        failed = {i: list(p) for i, p in scenarios.problems.items()}
        bad = np.zeros(len(scenarios), dtype=bool)
        bad[list(failed)] = True
        view = self._view(scenarios)
        direct = view.ok & ~bad
        context = None
        if direct.any():
            values, unknown = self._inputs(scenarios, view)
            years = scenarios.years.reshape(-1, 1)
            context = Context(
                len(scenarios),
                self.members,
                values,
                self.chosen,
                unknown=unknown,
                roles=self.roles,
                years=years,
            )
            run(self.plan, context)
            direct &= ~context.flagged
        # --- the interpreter, one scenario at a time (each evaluation reduced to its row at once) ---
        exact: dict[int, Interpreted] = {}
        for i in np.flatnonzero(~bad & ~direct).tolist():
            try:
                exact[i] = Interpreted.of(self, evaluate(self.rules, facts_of(self.rules, scenarios, i)))
            except ConvenantError as error:
                failed[i] = list(error.problems)
        # --- end of the interpreter loop ---
        return Result(self, scenarios, context, direct, exact, failed)

    def direct(self, scenarios: Scenarios) -> np.ndarray:
        """The scenarios the compiled plan can compute as they are (`_view`)."""
        return self._view(scenarios).ok

    def _view(self, scenarios: Scenarios) -> View:
        """The chunk's columns as the fact-file checker would have them, and the scenarios the
        compiled plan can compute: of a year with the sets of the results; every required fact
        given for every member; an optional fact given for every member or for none (then it is
        unknown, as in `engine.evaluate`), and where a fact it is `required_with` is given, given
        too; a sparse fact (agreed cells) given for none; the facts of a merged municipality given
        for it or for all its predecessors and not both (the checker adds the predecessors' amounts
        and counts up, and their yes/no must agree); nothing for another municipality. The others
        go to the interpreter, which gives the same values, unknowns or message."""
        n = len(scenarios)
        if not self.plan.complete:
            return View({}, {}, np.zeros(n, dtype=bool))
        ok = np.isin(scenarios.years, list(self.same_sets))
        values, written = dict(scenarios.values), dict(scenarios.written)
        expected: set[str] = set()
        for decl in self.rules.facts.values():
            if decl.per is not None and decl.per != CASE:
                for member, parts in self.merged.items():
                    mine = columns_of(decl, self.members, member)
                    theirs = [columns_of(decl, self.sets_of(part), part) for part in parts]
                    expected.update(c for group in theirs for c in group)
                    for j, column in enumerate(mine):
                        from_parts = [group[j] for group in theirs if group[j] in values]
                        if not from_parts:
                            continue
                        if len(from_parts) < len(parts):
                            ok &= ~np.logical_or.reduce([written[c] for c in from_parts])
                            continue
                        given = np.logical_and.reduce([written[c] for c in from_parts])
                        some = np.logical_or.reduce([written[c] for c in from_parts])
                        own = written.get(column, np.zeros(n, dtype=bool))
                        ok &= ~(some & (own | ~given))  # both, or some predecessors only
                        if not given.any():
                            continue
                        summed = _merged(decl.kind, [values[c] for c in from_parts])
                        if summed is None:  # yes/no that differ: the checker's message
                            first = values[from_parts[0]]
                            ok &= ~given | np.logical_and.reduce([values[c] == first for c in from_parts])
                            summed = first
                        values[column] = (
                            np.where(given, summed, values[column]) if column in values else summed
                        )
                        written[column] = own | given
        unknown: dict[str, np.ndarray] = {}
        for decl in self.rules.facts.values():
            columns = columns_of(decl, self.members)
            expected.update(columns)
            if any(d.sum_of == decl.name for d in self.rules.facts.values()):
                for c in (c for c in columns if c in written):  # parts make their total:
                    ok &= ~written[c]  # the fact-file checker sums them (art. 8.9)
            present = [c for c in columns if c in written]
            if decl.per == CASE:
                continue
            if len(present) < len(columns):
                if present and any(written[c].any() for c in present):
                    ok &= ~np.logical_or.reduce([written[c] for c in present])  # a partial header
                if decl.has_default:
                    for c in columns:
                        values.setdefault(c, _default_column(decl, n))
                        written.setdefault(c, np.zeros(n, dtype=bool))
                elif decl.required:
                    ok[:] = False  # the interpreter names the missing column's fact
                elif not decl.sparse:  # a sparse fact given for none is known to be empty
                    unknown[decl.name] = np.ones(n, dtype=bool)
                continue
            if not columns:
                continue
            matrix = np.array([written[c] for c in columns], dtype=bool).reshape(-1, n)
            every, none = matrix.all(axis=0), ~matrix.any(axis=0)
            if decl.has_default:
                continue
            if decl.sparse:
                ok &= none
            elif decl.required:
                ok &= every
            else:
                ok &= every | none
                if none.any():
                    unknown[decl.name] = np.logical_not(every)
        for decl in self.rules.facts.values():  # needed exactly where the other fact is given
            partner = self.rules.facts.get(decl.required_with or "")
            if partner is not None and decl.name in unknown and partner.name not in unknown:
                ok &= ~unknown[decl.name]
            elif partner is not None and decl.name in unknown:
                ok &= ~(unknown[decl.name] & ~unknown[partner.name])
        for slot in scenarios.slots:
            if slot.column not in expected:
                ok &= ~scenarios.written[slot.column]
        return View(values, written, ok, unknown)

    def sets_of(self, code: str) -> dict[str, list[str]]:
        """The sets as columns_of reads them, for a predecessor's columns."""
        return {**self.members, MUNICIPALITY: [code]}

    def _inputs(self, scenarios: Scenarios, view: View) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Every fact with an array form, shaped (n, 1), (n, members) or (n, rows × columns); a date
        as its day number; and where each optional fact is unknown."""
        n = len(scenarios)
        years = scenarios.years.reshape(-1, 1)
        last = np.full_like(years, self.rules.covenant.valid_until.year)
        values: dict[str, Any] = {YEAR: Rat.of(years), LAST_YEAR: Rat.of(last)}
        for name, decl in self.rules.facts.items():
            if decl.kind not in (*ARRAY_FACTS, Kind.DATE) or decl.per == CASE:
                continue
            columns = columns_of(decl, self.members)
            if not all(c in view.values for c in columns):  # an optional fact that is not given:
                if decl.kind is Kind.DATE:  # unknown (`view.unknown`); a placeholder never shown
                    values[name] = np.zeros((n, 1), dtype=np.int64)
                elif decl.kind is Kind.BOOLEAN:
                    values[name] = np.zeros((n, max(len(columns), 1)), dtype=bool)
                else:
                    values[name] = Rat.of(np.zeros((n, max(len(columns), 1)), dtype=np.int64))
                continue
            if decl.kind is Kind.DATE:
                if decl.per is None and name in self.read:
                    values[name] = _day_numbers(view.values[name], view.written[name])
                continue
            stacked = (
                np.stack([view.values[c] for c in columns], axis=1)
                if columns
                else np.zeros((n, 0), dtype=np.int64)
            )
            values[name] = _array_value(decl.kind, stacked)
        return values, view.unknown


@dataclass
class View:
    """A chunk's columns with merged municipalities added up (`Batch._view`)."""

    values: dict[str, np.ndarray]
    written: dict[str, np.ndarray]
    ok: np.ndarray  # the scenarios the compiled plan can compute
    unknown: dict[str, np.ndarray] = field(default_factory=dict)  # optional fact → where not given


def _merged(kind: Kind, parts: list[np.ndarray]) -> np.ndarray | None:
    """The predecessors' columns added up (amounts and counts, exactly), or None for yes/no."""
    if kind is Kind.BOOLEAN:
        return None
    if kind in (Kind.MONEY, Kind.COUNT) and all(p.dtype != object for p in parts):
        if sum(vectors.max_abs(p) for p in parts) <= vectors.LIMIT:
            return np.asarray(np.sum(parts, axis=0, dtype=np.int64))
    total = parts[0].astype(object)
    for part in parts[1:]:
        total = total + part.astype(object)
    return total


def _default_column(decl: Any, n: int) -> np.ndarray:
    value = decl.default
    if decl.kind is Kind.MONEY:
        return vectors.integers([int(Fraction(value) * 100)] * n)
    if decl.kind is Kind.COUNT:
        return vectors.integers([int(value)] * n)
    if decl.kind is Kind.BOOLEAN:
        return np.full(n, bool(value))
    column = np.empty(n, dtype=object)
    column[:] = [Fraction(value)] * n
    return column


def _day_numbers(column: np.ndarray, written: np.ndarray) -> np.ndarray:
    """A date column as day numbers (date.toordinal), 0 where not given."""
    days = [
        v.toordinal() if w and v is not None else 0
        for v, w in zip(column.tolist(), written.tolist(), strict=True)
    ]
    return np.array(days, dtype=np.int64).reshape(-1, 1)


def _array_value(kind: Kind, array: np.ndarray) -> Any:
    if kind is Kind.MONEY:
        return Rat.of(array, 100)
    if kind is Kind.COUNT:
        return Rat.of(array)
    if kind is Kind.BOOLEAN:
        return array
    values = array.ravel().tolist()
    keys = [id(v) for v in values]  # a column holds few distinct objects (hashing a Fraction is slow)
    parts: dict[int, Fraction] = {}
    for k, v in zip(keys, values, strict=True):  # `values` keeps every object alive: ids are stable
        if k not in parts:
            parts[k] = Fraction(v)
    nums = {k: f.numerator for k, f in parts.items()}
    dens = {k: f.denominator for k, f in parts.items()}
    num = vectors.integers([nums[k] for k in keys]).reshape(array.shape)
    den = vectors.integers([dens[k] for k in keys]).reshape(array.shape)
    if den.dtype != object and den.size and int(den.min()) == int(den.max()):
        return Rat.of(num, int(den.flat[0]))  # one denominator: a plain int keeps the arithmetic lean
    return Rat.of(num, den)


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interpreted:
    """What the results need of one interpreted scenario, kept instead of its `Evaluation` (about
    105 KB for Groningen, so a chunk of them was gigabytes): the text of each output column, the
    cents of the money outputs (`Result.cents`), the output rules that are not yet known with the
    facts they wait for, and the rules (and members) with a warning. Nothing depends on the
    reader's language: the words are put in when the rows are written."""

    texts: tuple[str, ...]  # per output column, in the order of the header
    cents: dict[str, tuple[int | None, ...]]  # money outputs: whole cents per column (None: unknown)
    unknown: tuple[tuple[str, tuple[str, ...]], ...]  # (rule, the facts it waits for)
    warnings: tuple[str, ...]  # `rule` or `rule.member`, in the order of the evaluation

    @classmethod
    def of(cls, batch: Batch, ev: Evaluation) -> Interpreted:
        texts: list[str] = []
        cents: dict[str, tuple[int | None, ...]] = {}
        for output in batch.outputs:
            values = _per_column(output, ev.nodes[output.rule.name].value)
            texts += [cell_text(output.rule.kind, v) for v in values]
            if output.rule.kind is Kind.MONEY:
                cents[output.rule.name] = tuple(None if v is None else int(v * 100) for v in values)
        unknown = tuple(
            (o.rule.name, tuple(ev.waiting_for(o.rule.name)))
            for o in batch.outputs
            if ev.nodes[o.rule.name].value is None
        )
        warnings = tuple(
            _warning_name(name, member)
            for name, node in ev.nodes.items()
            if name in batch.needed
            for member, _ in node.warnings
        )
        return cls(tuple(texts), cents, unknown, warnings)


@dataclass
class Result:
    """The outcome of one chunk: vectorised values, interpreted scenarios and failures."""

    batch: Batch
    scenarios: Scenarios
    context: Context | None
    vectorised: np.ndarray  # the scenarios whose values come from `context`
    exact: dict[int, Interpreted]
    failed: dict[int, list[Problem]]
    # a ratio output's numerators and denominators in lowest terms, made by `columns` (the main
    # thread) for `_packed` (the thread that writes): the one step of packing that is arithmetic
    reduced: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def cents(self, rule: str) -> np.ndarray:
        """A money rule's whole cents per scenario (and member); 0 for a failed scenario, None (in
        an object array) where the value is not yet known or does not apply to the member."""
        output = next(o for o in self.batch.outputs if o.rule.name == rule)
        shape = (len(self.scenarios), len(output.columns))
        out = np.zeros(shape, dtype=np.int64)
        if self.context is not None:
            out = np.where(self.vectorised.reshape(-1, 1), vectors.cents(self.context.values[rule]), 0)
            blank = _blank_mask(self.context, rule, np.arange(shape[0])) & self.vectorised.reshape(-1, 1)
            if blank.any():  # not yet known, or the rule does not apply to the member: None
                out = out.astype(object)
                out[blank] = None  # type: ignore[call-overload]
        for i, ev in self.exact.items():
            cents: list[Any] = list(ev.cents[rule])
            if out.dtype != object and any(c is None or abs(c) > vectors.LIMIT for c in cents):
                out = out.astype(object)
            out[i] = cents
        return out

    def rows(self, lang: str = "nl") -> list[list[str]]:
        """The rows of the results, cell by cell (the columns of `columns`, row by row)."""
        return [list(row) for row in zip(*self.columns(lang), strict=True)]

    def columns(self, lang: str = "nl", packed: bool = False) -> list[Any]:
        """The results column by column, as texts, in the order of `Batch.header`: each column
        made at once from the arrays of the chunk, not cell by cell. With `packed` (for a CSV), the
        row numbers and years come as packed columns (`csvbytes`: their bytes) and each output rule
        as `csvbytes.Deferred` columns, made when written (by the writing thread): the compiled
        plan's numbers, amounts, fractions and yes/no packed, any other as texts."""
        n = len(self.scenarios)
        status, message = [OK] * n, [""] * n
        warnings, unknown = self._warnings(lang), self._unknown(lang)
        for i, problems in self.failed.items():
            if problems:
                status[i], message[i], warnings[i], unknown[i] = FAILED, describe(problems, lang), "", ""
        rows: Any = None
        years: Any = None
        if packed:
            rows = csvbytes.integers(np.asarray(self.scenarios.rows, dtype=np.int64))
            years = csvbytes.integers(np.asarray(self.scenarios.years, dtype=np.int64))
            if years is not None:
                years[np.asarray(self.scenarios.years) == 0] = 0  # no year: an empty cell
        if rows is None:
            rows = list(map(str, self.scenarios.rows))
        if years is None:
            shown = {y: str(y) if y else "" for y in set(self.scenarios.years.tolist())}
            years = [shown[y] for y in self.scenarios.years.tolist()]
        meta = [
            rows,
            list(self.scenarios.names),
            years,
            status,
            message,
            warnings,
            unknown,
        ]
        if packed:  # made by the thread that writes (`AtomicWriter.write_columns`) …
            if self._packs():  # … but for the greatest common divisors of a ratio (the writing
                for o in self.batch.outputs:  # thread has more to do than this one)
                    if o.rule.kind in (Kind.RATIO, Kind.PERCENTAGE):
                        value = self.context.values[o.rule.name] if self.context is not None else None
                        rat = _rat(value)
                        if isinstance(rat, Rat):
                            self.reduced[o.rule.name] = vectors.reduced(rat)
            return meta + [
                csvbytes.Deferred(partial(self._packed_texts, o), partial(self._texts, o))
                for o in self.batch.outputs
            ]
        return meta + [c for o in self.batch.outputs for c in self._texts(o)]

    def _packed_texts(self, output: Output, delimiter: str) -> list[np.ndarray] | None:
        """The columns of an output rule packed (`_packed`), or else its texts packed."""
        made = self._packed(output)
        if made is not None:
            return made
        texts = [csvbytes.texts(t, delimiter) for t in self._texts(output)]
        return None if any(t is None for t in texts) else [t for t in texts if t is not None]

    def _packed(self, output: Output) -> list[np.ndarray] | None:
        """The columns of an output rule as packed columns (`columns`), when the compiled plan
        computed them all in int64; None otherwise (then they are made as texts)."""
        if not self._packs():
            return None
        assert self.context is not None
        n = len(self.scenarios)
        rows = np.flatnonzero(self.vectorised)
        value = self.context.values[output.rule.name]
        made = packed_columns(output.rule.kind, value, rows, self.reduced.get(output.rule.name))
        if made is None:
            return None
        blank = (
            _blank_mask(self.context, output.rule.name, rows)
            if output.rule.name in self.context.unknown or output.rule.name in self.context.applies
            else None
        )
        columns = []
        for j, column in enumerate(made):
            if blank is not None and blank[:, j].any():
                column[blank[:, j]] = 0
            if len(rows) < n:
                full = np.zeros((n, column.shape[1]), dtype=np.uint8)
                full[rows] = column
                column = full
            columns.append(column)
        return columns

    def _packs(self) -> bool:
        """Whether the output rules may be packed: the compiled plan computed every scenario that
        did not fail (`_packed`)."""
        return not self.exact and self.context is not None and bool(self.vectorised.any())

    def _texts(self, output: Output) -> list[list[str]]:
        """Each column of an output rule as text, for every scenario ('' where it failed, is not yet
        known, or does not apply: the centrumgemeente has no settlement of its own)."""
        n, width = len(self.scenarios), len(output.columns)
        texts = [[""] * n for _ in range(width)]
        if self.context is not None and self.vectorised.any():
            rows = np.flatnonzero(self.vectorised)
            shown = column_texts(output.rule.kind, self.context.values[output.rule.name], rows)
            _blank(self.context, output.rule.name, rows, shown)
            if len(rows) == n:
                texts = shown
            else:
                for j in range(width):
                    for i, text in zip(rows.tolist(), shown[j], strict=True):
                        texts[j][i] = text
        if self.exact:
            first = self.batch.outputs.index(output)
            offset = sum(len(o.columns) for o in self.batch.outputs[:first])
            for i, ev in self.exact.items():
                for j in range(width):
                    texts[j][i] = ev.texts[offset + j]
        return texts

    def _unknown(self, lang: str) -> list[str]:
        """Per scenario: the output rules that are not yet known, each with the facts it waits for."""
        found = [""] * len(self.scenarios)
        words = WORDS[lang]["unknown"]
        if self.context is not None and self.vectorised.any():
            found = vector_unknown(self.batch, self.context, np.flatnonzero(self.vectorised), found, lang)
        for i, ev in self.exact.items():
            found[i] = "; ".join(words.format(rule=r, names=", ".join(names)) for r, names in ev.unknown)
        return found

    def _warnings(self, lang: str) -> list[str]:
        """Per scenario: the version's period when it covers only part of the scenario's year, then
        the output rules with a warning (by name, and member)."""
        years = self.scenarios.years.tolist()
        periods = {y: part_of_year(self.batch.rules, y, lang) for y in set(years) if y}
        extra: dict[int, list[str]] = {}  # the scenarios with a warning of their own
        labels, columns = [], []  # each rule (and member) with a warning, where it has one
        if self.context is not None:
            for (name, _), holds in self.context.warnings.items():
                rule = self.batch.rules.rules[name]
                members = self.batch.members[rule.per] if rule.per else [None]
                hit = holds & self.vectorised.reshape(-1, 1)
                for j in np.flatnonzero(hit.any(axis=0)).tolist():
                    labels.append(_warning_name(name, members[j]))
                    columns.append(hit[:, j])
        if columns and len(columns) < 63:  # the rows with the same warnings get the same text, made once
            codes = np.stack(columns, axis=1).astype(np.int64) @ (np.int64(1) << np.arange(len(columns)))
            rows = np.flatnonzero(codes)
            kinds, inverse = np.unique(codes[rows], return_inverse=True)
            named = [[labels[k] for k in range(len(labels)) if code >> k & 1] for code in kinds.tolist()]
            if not self.exact and not any(periods.values()):
                texts = np.full(len(years), "", dtype=object)
                texts[rows] = np.array(["; ".join(dict.fromkeys(n)) for n in named], dtype=object)[inverse]
                return list(texts.tolist())
            for i, k in zip(rows.tolist(), inverse.tolist(), strict=True):
                extra[i] = list(named[k])
        elif columns:
            for label, column in zip(labels, columns, strict=True):
                for i in np.flatnonzero(column).tolist():
                    extra.setdefault(i, []).append(label)
        for i, ev in self.exact.items():
            if ev.warnings:
                extra.setdefault(i, []).extend(ev.warnings)
        found = [periods.get(y) or "" for y in years] if any(periods.values()) else [""] * len(years)
        for i, names in extra.items():
            found[i] = "; ".join(dict.fromkeys([found[i], *names] if found[i] else names))
        return found


def _per_column(output: Output, value: Any) -> list[Any]:
    """An interpreted value per column of an output; None where it is unknown or does not apply."""
    if output.members is None:
        return [value]
    return [None if value is None else value.get(member) for member in output.members]


def part_of_year(rules: RuleFile, year: int, lang: str) -> str | None:
    """The column waarschuwingen's entry for a year the version covers only part of (or None)."""
    part = registry.part_of_year(rules.covenant, year)
    if part is None:
        return None
    start, end = (display(Kind.DATE, d, lang) for d in (part.start, part.end))
    return WORDS[lang]["part_of_year"].format(version=rules.covenant.version, year=year, start=start, end=end)


def _warning_name(rule: str, member: str | None) -> str:
    return f"{rule}.{member}" if member else rule


def describe(problems: Iterable[Problem], lang: str) -> str:
    """A scenario's problems on one line: field, what is wrong (in the reader's language)."""
    parts = []
    for problem in problems:
        what, _ = messages.message(problem, lang)
        parts.append(f"{problem.field}: {what}" if problem.field else what)
    return "; ".join(parts)


def cell_text(kind: Kind, value: Any) -> str:
    """One value as `convenant evaluate --format json` writes it, as text for a cell."""
    shown = report.json_value(kind, value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if isinstance(shown, dict):
        return f"{shown['from']}/{shown['until']}"
    return str(shown)


def vector_texts(kind: Kind, value: Any, rows: np.ndarray) -> list[list[str]]:
    """The texts of a vectorised value for the given scenarios, column by column."""
    if kind is Kind.MONEY:  # as money.plain writes them; inline, as this is the hot loop of the output
        cents = vectors.cents(value)[rows]
        return [
            [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in cents[:, j].tolist()]
            for j in range(cents.shape[1])
        ]
    if kind is Kind.COUNT:
        whole = vectors.whole(value)[rows]
        return [[str(c) for c in whole[:, j].tolist()] for j in range(whole.shape[1])]
    if kind in (Kind.RATIO, Kind.PERCENTAGE):
        num, den = vectors.reduced(_rat(value))
        num, den = num[rows], den[rows]
        return [
            [
                f"{a}/{b}" if b != 1 else str(a)
                for a, b in zip(num[:, j].tolist(), den[:, j].tolist(), strict=True)
            ]
            for j in range(num.shape[1])
        ]
    array = np.asarray(value)[rows]
    if kind is Kind.BOOLEAN:
        return [["true" if v else "false" for v in array[:, j].tolist()] for j in range(array.shape[1])]
    return [[str(v) for v in array[:, j].tolist()] for j in range(array.shape[1])]


def _width(value: Any) -> int:
    if isinstance(value, Terms):
        return int(value.terms[0].num.shape[-1])
    return int(np.shape(value.num if isinstance(value, Rat) else value)[-1])


def _blank_mask(context: Context, rule: str, rows: np.ndarray) -> np.ndarray:
    """Per scenario of `rows` and column: empty, as the interpreter leaves it (the value is not yet
    known, or a rule for some roles does not apply to the member)."""
    width = _width(context.values[rule])
    blank = np.zeros((len(rows), width), dtype=bool)
    if rule in context.unknown:
        blank |= context.unknown[rule][rows].reshape(-1, 1)
    if rule in context.applies:
        blank |= ~context.applies[rule]
    return blank


def _blank(context: Context, rule: str, rows: np.ndarray, texts: list[list[str]]) -> None:
    """Empty the cells of `texts` (column by column) that `_blank_mask` says are empty."""
    if rule not in context.unknown and rule not in context.applies:
        return
    blank = _blank_mask(context, rule, rows)
    for j in range(blank.shape[1]):
        column = blank[:, j]
        if column.all():
            texts[j] = [""] * len(column)
        else:
            for i in np.flatnonzero(column).tolist():
                texts[j][i] = ""


def vector_unknown(
    batch: Batch, context: Context, rows: np.ndarray, found: list[str], lang: str
) -> list[str]:
    """The column onbekend for the vectorised scenarios: each output rule that is not yet known,
    with the facts it waits for, as `Evaluation.waiting_for` traces them."""
    names = [o.rule.name for o in batch.outputs]
    if not any(name in context.unknown and context.unknown[name][rows].any() for name in names):
        return found
    words = WORDS[lang]["unknown"]
    waiting = waiting_texts(batch.plan, context, names, rows)
    made: dict[int, str] = {}  # scenarios alike share one answer (one list): its text, made once
    for i, facts in zip(rows.tolist(), waiting, strict=True):
        text = made.get(id(facts))  # `waiting` keeps every answer alive: the ids are stable
        if text is None:
            text = made[id(facts)] = "; ".join(
                words.format(rule=name, names=", ".join(wait))
                for name, wait in zip(names, facts, strict=True)
                if wait
            )
        found[i] = text
    return found


_STRINGS = hasattr(np, "dtypes") and hasattr(np.dtypes, "StringDType") and hasattr(np, "strings")


def column_texts(kind: Kind, value: Any, rows: np.ndarray) -> list[list[str]]:
    """The texts of `vector_texts`, made by numpy's string functions a whole column at once
    (numpy 2). Values that are no int64 (an object array of larger integers) and other kinds go
    the way of `vector_texts`; tests/test_batch_io.py holds both to the same texts."""
    if not _STRINGS or kind not in (Kind.MONEY, Kind.COUNT, Kind.RATIO, Kind.PERCENTAGE, Kind.BOOLEAN):
        return vector_texts(kind, value, rows)
    if kind is Kind.MONEY:
        cents = _int64(vectors.cents(value)[rows])
        if cents is None or (cents.size and int(cents.min()) == csvbytes.INT64_MIN):
            return vector_texts(kind, value, rows)
        return [_money_texts(cents[:, j]) for j in range(cents.shape[1])]
    if kind is Kind.COUNT:
        whole = _int64(vectors.whole(value)[rows])
        if whole is None:
            return vector_texts(kind, value, rows)
        return [_strings(whole[:, j]).tolist() for j in range(whole.shape[1])]
    if kind is Kind.BOOLEAN:
        array = np.asarray(value)[rows]
        return [np.where(array[:, j], "true", "false").tolist() for j in range(array.shape[1])]
    reduced = vectors.reduced(_rat(value))
    num, den = _int64(reduced[0][rows]), _int64(reduced[1][rows])
    if num is None or den is None:
        return vector_texts(kind, value, rows)
    texts = []
    for j in range(num.shape[1]):
        a = _strings(num[:, j])
        fraction = np.strings.add(np.strings.add(a, "/"), _strings(den[:, j]))
        texts.append(np.where(den[:, j] != 1, fraction, a).tolist())
    return texts


def packed_columns(
    kind: Kind, value: Any, rows: np.ndarray, reduced: tuple[np.ndarray, np.ndarray] | None = None
) -> list[np.ndarray] | None:
    """The texts of `vector_texts` as packed columns (`csvbytes`), one per member; None for a kind
    or value they do not cover (beyond int64, −2⁶³, a date): then `column_texts` makes the texts.
    A ratio's `reduced` numerators and denominators (`vectors.reduced` of the value) are taken as
    they are when given. tests/test_batch_io.py holds both to the same bytes."""
    made: list[np.ndarray | None]
    if kind is Kind.MONEY:
        cents = _int64(_by_member(vectors.cents(value), rows))
        if cents is None:
            return None
        made = [csvbytes.money(column) for column in cents]
    elif kind is Kind.COUNT:
        whole = _int64(_by_member(vectors.whole(value), rows))
        if whole is None:
            return None
        made = [csvbytes.integers(column) for column in whole]
    elif kind is Kind.BOOLEAN:
        array = np.asarray(value)[rows]
        if array.dtype != np.bool_:
            return None
        made = [csvbytes.booleans(array[:, j]).copy() for j in range(array.shape[1])]
    elif kind in (Kind.RATIO, Kind.PERCENTAGE):
        if reduced is None:
            reduced = vectors.reduced(_rat(value))
        num, den = _int64(_by_member(reduced[0], rows)), _int64(_by_member(reduced[1], rows))
        if num is None or den is None:
            return None
        made = [csvbytes.fractions(a, b) for a, b in zip(num, den, strict=True)]
    else:
        return None
    if any(m is None for m in made):
        return None
    return [m for m in made if m is not None]


def _rat(value: Any) -> Any:
    """A ratio's value as fractions (`Rat`): a weighted key's `Terms` summed, any other as it is."""
    return value.as_rat() if isinstance(value, Terms) else value


def _by_member(array: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`array[rows]` member by member, (members, rows): each member's column contiguous, as the
    packers read it (a column of an (rows, members) array is strided, and slower to read)."""
    array = np.asarray(array)
    if len(rows) == array.shape[0]:  # every scenario (`rows` are where a mask holds: all, in order)
        return np.ascontiguousarray(array.T)
    return np.ascontiguousarray(array[rows].T)


def _int64(array: np.ndarray) -> np.ndarray | None:
    """An array of integers as int64 (an object array of Python integers that all fit), or None."""
    if array.dtype == np.int64:
        return array
    try:
        return array.astype(np.int64)
    except (OverflowError, TypeError, ValueError):
        return None


def _strings(array: np.ndarray) -> np.ndarray:
    """int64 values as numpy strings, as `str` writes them."""
    return array.astype(np.dtypes.StringDType())


def _money_texts(cents: np.ndarray) -> list[str]:
    """Whole cents as money.plain writes them ('-1234.50'), for int64 above −2⁶³."""
    magnitude = np.abs(cents)
    texts = np.strings.add(_SIGNS[(cents < 0).view(np.int8)], _strings(magnitude // 100))
    return np.strings.add(texts, _CENTS_TEXT[magnitude % 100]).tolist()


_SIGNS: Any = np.array(["", "-"], dtype=np.dtypes.StringDType()) if _STRINGS else None
_CENTS_TEXT: Any = (  # the cents of an amount: '.00' … '.99'
    np.array([f".{k:02d}" for k in range(100)], dtype=np.dtypes.StringDType()) if _STRINGS else None
)


# --- the command ---------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a batch run did: how many scenarios, how many failed, and the first failed ones (row,
    name, message; FAILURES_KEPT at most, so a run of millions of bad rows stays small: every
    failure is in the results file)."""

    output: str
    total: int = 0
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: dict[int, str] = field(default_factory=dict)  # year → the version covers only part of it
    interpreted: int = 0  # scenarios evaluated one by one by the interpreter (not by the compiled plan)
    failed: int = 0  # every failed scenario, also those beyond `failures`

    def add_failures(self, found: list[tuple[int, str, str]]) -> None:
        self.failed += len(found)
        self.failures += found[: max(0, FAILURES_KEPT - len(self.failures))]


def check_output(out_path: Path, scenarios_path: Path, overwrite: bool) -> bool:
    """Where the results may go; True when an earlier results file is to be replaced.

    The rule: batch writes a new file, or with `--overwrite` replaces a file it wrote before,
    recognised by its header (`rij,scenario,jaar,status,…`). It refuses any other existing file
    (even with `--overwrite`), a folder, a folder that does not exist, the scenario file itself
    and a place in the rules directory: a budget spreadsheet beside the scenarios is never lost.
    """
    refuse_rules_directory(out_path)
    refuse_file_as_folder(out_path)
    shown = display_path(out_path)
    if out_path.is_dir():
        example = display_path(out_path / "uitkomsten.csv")
        raise ConvenantError([Problem("batch.out_is_folder", {"path": shown, "example": example})])
    if not out_path.parent.is_dir():
        raise ConvenantError([Problem("output.no_folder", {"path": display_path(out_path.parent)})])
    exists = out_path.exists() or out_path.is_symlink()
    if out_path.resolve() == scenarios_path.resolve() or (
        exists and scenarios_path.exists() and out_path.samefile(scenarios_path)
    ):
        raise ConvenantError([Problem("batch.same_file", {"path": shown})])
    if not exists:
        return False
    if not overwrite:
        raise ConvenantError([Problem("batch.out_exists", {"path": shown})])
    if out_path.is_symlink() or not out_path.is_file() or not starts_with(out_path, META):
        raise ConvenantError(
            [Problem("batch.out_not_results", {"path": shown, "header": ",".join(META[:4]) + ",…"})]
        )
    return True


def chunk_size(read: int, written: int) -> int:
    """Scenarios per chunk: CHUNK, fewer for wide tables, so that a chunk's cells (as read, and as
    written) stay about CHUNK_CELLS whatever the rule file: memory does not grow with the rows."""
    return min(CHUNK, max(100, CHUNK_CELLS // max(read, written, 1)))


# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
HELD_BELOW = 32 * 1024 * 1024  # bytes: an allocation below this comes from the heap, not its own mmap
HELD_FREE = 128 * 1024 * 1024  # bytes: freed memory the heap keeps before it gives any back


def hold_freed_memory() -> bool:
    """Let the C library keep the memory numpy frees for the next chunk, instead of giving it back
    to the system at once (`convenant batch`, a process of its own; issue 15). A chunk's arrays are
    hundreds of KB to some MB each and made anew for every chunk; glibc returns such blocks to
    the system when they are freed (its threshold moves only slowly, and not for the threads'
    heaps), so each chunk touched fresh pages again: about 470,000 page faults and 3 s of CPU per
    10⁶ Assen scenarios. With the two thresholds fixed (`HELD_BELOW`, `HELD_FREE`) the freed
    memory is used again. The three threads (reading ahead, computing, writing) share one heap
    (`M_ARENA_MAX` 1): with a heap each, each kept what it freed apart from the others, 15-40 MiB
    more at the peak for the same speed (benchmarks/batch_io.py). True when glibc took all three;
    elsewhere (another C library, another system) nothing changes and it gives False. Values and
    bytes are not affected: only where the memory comes from. Call it before any thread starts."""
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    settings = ((_M_ARENA_MAX, 1), (_M_MMAP_THRESHOLD, HELD_BELOW), (_M_TRIM_THRESHOLD, HELD_FREE))
    return all([bool(mallopt(option, value)) for option, value in settings])


def run_file(
    rules_path: Path,
    scenarios_path: Path,
    out_path: Path,
    *,
    year: int | None = None,
    sheet: str | None = None,
    wanted: Sequence[str] | None = None,
    lang: str = "nl",
    started: Callable[[int | None], None] = lambda count: None,
    progress: Callable[[int], None] = lambda done: None,
    overwrite: bool = False,
    dialect: str = AUTO,
    encoding: str = "utf-8",
) -> Summary:
    """Evaluate every scenario of a file and write the results atomically (see `check_output`).
    The scenarios are read in `dialect` (AUTO: detected) and `encoding`; a CSV of results is
    written in the same dialect (AUTO: the one the scenarios were read in; plain after Excel)."""
    replace = check_output(out_path, scenarios_path, overwrite)
    rules = load_rule_file(rules_path)
    table = read_table(scenarios_path, sheet, dialect, encoding)
    reader = Reader(table, rules, year)
    batch = Batch(rules, wanted)
    summary = Summary(display_path(out_path))
    started(reader.count)
    written = table.dialect if dialect == AUTO else dialect
    with AtomicWriter(out_path, batch.layout(lang), replace, written) as writer:
        for chunk in reader.chunks(chunk_size(len(table.header), len(batch.header))):
            result = batch.evaluate(chunk)
            writer.write_columns(result.columns(lang, packed=writer.kind == spreadsheets.CSV))
            summary.total += len(chunk)
            summary.interpreted += len(chunk) - int(result.vectorised.sum()) - len(chunk.problems)
            for y in set(chunk.years.tolist()) - set(summary.warnings):
                if y and (warned := report.part_of_year(rules, y, lang)):
                    summary.warnings[y] = warned
            summary.add_failures(
                [
                    (chunk.rows[i], chunk.names[i], describe(problems, lang))
                    for i, problems in sorted(result.failed.items())
                ]
            )
            progress(len(chunk))
            del result, chunk  # let go before the next chunk is read, not after
        if summary.total == 0:
            raise ConvenantError([Problem("batch.empty", {"path": reader.table.path})])
    return summary
