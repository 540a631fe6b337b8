"""Scenario files for `convenant batch`: many sets of facts for one rule file, read exactly.

Two layouts (docs/analysts.md shows both):

- *wide*: one row per scenario; a column per fact (`macrobudget_bw`) and per fact and
  municipality (`inwoners.GM0106`), an optional `scenario` column with a name and an optional
  `jaar` column (else the year given with `--jaar`);
- *long*: one row per fact: columns `scenario`, `feit`, `waarde`, optionally `gemeente` (the CBS
  code, for a fact per municipality; `feit` may also be written `inwoners.GM0106`) and `jaar`.

Cells are read as a fact file's values are: amounts with a decimal point ("1234.50"), never
through a binary float; whole numbers for counts; `true`/`false`. An Excel number cell is read
as the shortest decimal that is exactly the same binary number, which is what Excel shows:
1234.5 is 1234.50, and a computed 0.30000000000000004 is not whole cents and is refused. An
empty cell is a missing fact, or the rule file's default when it declares one.

A problem in one scenario's facts is kept with that scenario (the others go on); a problem with
the file itself (an unknown or missing column) stops the run before anything is computed.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from engine import money
from engine.checking import parse_fact_value
from engine.diagnostics import ConvenantError, Location, Problem
from engine.model import MUNICIPALITY, FactDecl, RuleFile
from engine.spreadsheets import Table
from engine.units import Kind, ValueProblem, display

SCENARIO, YEAR, FACT, MEMBER, VALUE = "scenario", "jaar", "feit", "gemeente", "waarde"
INTEGERS = (Kind.MONEY, Kind.COUNT)  # kept as int64 arrays: money in cents, counts as they are
# what stands in a column where a scenario has no valid value (that scenario is not evaluated)
_PLACEHOLDER: dict[Kind, Any] = {
    Kind.MONEY: 0,
    Kind.COUNT: 0,
    Kind.BOOLEAN: False,
    Kind.PERCENTAGE: Fraction(0),
    Kind.RATIO: Fraction(0),
}

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)\.[0-9]+$")
_CENTS = re.compile(r"^\s*(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,2}))?\s*$")
_COUNT = re.compile(r"^\s*-?(0|[1-9][0-9]*)\s*$")
# A whole column in the usual form is checked by one match and converted by numpy in one pass.
_CENTS_COLUMN = re.compile(r"(?:-?(?:0|[1-9][0-9]{0,15})\.[0-9]{2}\n)*-?(?:0|[1-9][0-9]{0,15})\.[0-9]{2}")
_COUNT_COLUMN = re.compile(r"(?:-?(?:0|[1-9][0-9]{0,17})\n)*-?(?:0|[1-9][0-9]{0,17})")


def scenario_sets(rules: RuleFile) -> dict[str, list[str]]:
    """The sets whose facts a scenario file gives, with their members in order. Cases (per
    case) are not part of a scenario: in a batch the set of cases is empty."""
    return {MUNICIPALITY: [p.code for p in rules.parties]}


@dataclass(frozen=True)
class Slot:
    """One fact value of a scenario: a fact, for one member of its set (or for the year)."""

    column: str
    decl: FactDecl
    member: str | None


@dataclass
class Scenarios:
    """A chunk of scenarios, column by column. Money is in whole cents (int64, or Python ints
    in an object array when too large), counts are int64, yes/no are bools, other kinds their
    exact values."""

    path: str
    slots: list[Slot]
    rows: list[int]  # the file row of each scenario (its first row in the long layout)
    names: list[str]
    years: np.ndarray
    values: dict[str, np.ndarray]
    given: dict[str, np.ndarray]  # False where a fact without default was left empty
    problems: dict[int, list[Problem]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def slice(self, start: int, stop: int) -> Scenarios:
        """Scenarios start … stop − 1, as a chunk of their own."""
        return Scenarios(
            self.path,
            self.slots,
            self.rows[start:stop],
            self.names[start:stop],
            self.years[start:stop],
            {k: v[start:stop] for k, v in self.values.items()},
            {k: v[start:stop] for k, v in self.given.items()},
            {i - start: p for i, p in self.problems.items() if start <= i < stop},
        )


def from_arrays(rules: RuleFile, columns: dict[str, Any], year: int, label: str = "<arrays>") -> Scenarios:
    """Scenarios made in Python (a forecast, a Monte Carlo draw) instead of read from a file.

    `columns` are named as in a wide scenario file and hold one value per scenario: money in
    whole cents (integers), counts as integers, yes/no as bools, ratios as Fractions. The same
    checks as for a file: unknown and missing columns stop; a value below a fact's minimum
    fails its scenario.
    """
    from engine.registry import check_year

    check_year(rules, year)
    reader = Reader(Table(label, list(columns), iter(()), 0), rules, year)
    n = len(next(iter(columns.values()))) if columns else 0
    scenarios = Scenarios(label, reader.slots, list(range(1, n + 1)), [""] * n, np.full(n, year), {}, {})
    for slot in reader.slots:
        decl = slot.decl
        if slot.column in columns:
            values = _array(decl.kind, list(columns[slot.column]))
        else:
            values = _array(decl.kind, [_exact(decl, decl.default)] * n)
        scenarios.values[slot.column], scenarios.given[slot.column] = values, np.ones(n, dtype=bool)
        if decl.minimum is not None and decl.kind in INTEGERS:
            lowest = math.ceil(decl.minimum * (100 if decl.kind is Kind.MONEY else 1))
            for i in np.flatnonzero(values < lowest).tolist():
                shown = money.plain(Fraction(int(values[i]), 100)) if decl.kind is Kind.MONEY else values[i]
                problem = Problem(
                    "facts.below_minimum",
                    {"fact": decl.name, "value": shown, "minimum": display(decl.kind, decl.minimum)},
                    Location(label, i + 1),
                    slot.column,
                    decl.article,
                )
                scenarios.problems.setdefault(i, []).append(problem)
    return scenarios


def typed(cell: Any) -> Any:
    """A cell's value as a fact file would hold it: None, bool, int, Decimal, an ISO date or text.

    >>> [typed(c) for c in ("1234.50", " 12 ", "TRUE", "", "1.234,50", 1234.5, 25812.0)]
    [Decimal('1234.50'), 12, True, None, '1.234,50', Decimal('1234.5'), 25812]
    """
    if cell is None or isinstance(cell, bool | int | Decimal):
        return cell
    if isinstance(cell, datetime | date):
        return (cell.date() if isinstance(cell, datetime) else cell).isoformat()
    if not isinstance(cell, str):  # an Excel number: the shortest decimal that is the same number
        exact = Decimal(repr(cell))
        return int(exact) if exact == exact.to_integral_value() else exact
    text = cell.strip()
    if text == "":
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _INT.match(text):
        return int(text)
    return Decimal(text) if _DECIMAL.match(text) else text


def _quick(kind: Kind, cell: Any) -> int | None:
    """The common cells without detours: '1234.50' → 123450 cents, '25812' → 25812."""
    if not isinstance(cell, str):
        return None
    if kind is Kind.MONEY:
        match = _CENTS.match(cell)
        if match is None:
            return None
        cents = int(match[2]) * 100 + int((match[3] or "").ljust(2, "0"))
        return -cents if match[1] else cents
    return int(cell) if _COUNT.match(cell) else None


def _exact(decl: FactDecl, value: Any) -> Any:
    """A checked fact value in the form a column holds (money in cents)."""
    return money.to_cents(value) if decl.kind is Kind.MONEY else value


def _array(kind: Kind, values: list[Any]) -> np.ndarray:
    if kind in INTEGERS:
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            return array
    if kind is Kind.BOOLEAN:
        return np.array(values, dtype=bool)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


Row = tuple[int, list[Any], list[int] | None, list[Problem]]  # row, cells, cell rows, problems


class Reader:
    """Checks a scenario table's header against a rule file, then reads it in chunks."""

    def __init__(self, table: Table, rules: RuleFile, year: int | None = None) -> None:
        self.table, self.rules, self.default_year = table, rules, year
        self.sets = scenario_sets(rules)
        self.long = FACT in table.header and VALUE in table.header
        self.problems: list[Problem] = []
        self.index = {name: i for i, name in enumerate(table.header)}
        self.slots = self._slots()
        self.grouped = self._regroup() if self.long and not self.problems else None
        if self.problems:
            raise ConvenantError(self.problems)

    @property
    def count(self) -> int | None:
        return len(self.grouped) if self.grouped is not None else self.table.count

    def chunks(self, size: int) -> Iterator[Scenarios]:
        rows: Iterator[Row] = (
            iter(self.grouped)
            if self.grouped is not None
            else ((n, cells, None, []) for n, cells in self.table.rows)
        )
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) == size:
                yield self.parse(batch)
                batch = []
        if batch:
            yield self.parse(batch)

    # --- the header ----------------------------------------------------------------------

    def _file_problem(self, code: str, at: str | None, row: int = 1, /, **args: Any) -> None:
        col = self.index[at] + 1 if at in self.index else None
        self.problems.append(Problem(code, args, self._at(row, col), at))

    def _every_slot(self) -> dict[str, Slot]:
        slots = {}
        for name, decl in self.rules.facts.items():
            if decl.per is None:
                slots[name] = Slot(name, decl, None)
            for member in self.sets.get(decl.per or "", []):
                slots[f"{name}.{member}"] = Slot(f"{name}.{member}", decl, member)
        return slots

    def _slots(self) -> list[Slot]:
        every = self._every_slot()
        header = self.table.header
        meta = {SCENARIO, YEAR, FACT, MEMBER, VALUE} if self.long else {SCENARIO, YEAR}
        for i, column in enumerate(header):
            if column in header[:i]:
                self._file_problem("batch.duplicate_column", column, column=column)
            elif column not in meta and (self.long or column not in every):
                self._unknown(column, every, 1)
        if self.long:
            missing = [c for c in (SCENARIO, FACT, VALUE) if c not in header]
            if missing:
                self._file_problem("batch.long_columns", None, columns=", ".join(missing))
            return list(every.values())
        missing: dict[str, list[str]] = {}  # per fact, so that nine municipalities make one message
        for slot in every.values():
            if slot.column not in self.index and slot.decl.required:
                missing.setdefault(slot.decl.name, []).append(slot.column)
        for name, columns in missing.items():
            label = self.rules.facts[name].label
            self._file_problem("batch.missing_column", None, column=", ".join(columns), label=label)
        return [s for s in every.values() if s.column in self.index or s.decl.has_default]

    def _unknown(self, column: str, every: dict[str, Slot], row: int) -> None:
        name, _, member = column.partition(".")
        decl = self.rules.facts.get(name)
        place = column if row == 1 else FACT
        if decl is not None and member and decl.per == MUNICIPALITY:
            known = self.rules.municipalities.by_code(member)
            self._file_problem(
                "facts.not_a_party" if known else "facts.unknown_code",
                place,
                row,
                code=member,
                name=known.name if known else None,
                covenant=self.rules.covenant.title,
            )
            return
        suggestion = difflib.get_close_matches(column, list(every), n=1)
        self._file_problem(
            "batch.unknown_column",
            place,
            row,
            column=column,
            suggestion=suggestion[0] if suggestion else None,
        )

    # --- the long layout -----------------------------------------------------------------

    def _regroup(self) -> list[Row]:
        """The long layout regrouped per scenario into rows of the wide layout."""
        every = {s.column: s for s in self.slots}
        columns = [SCENARIO, YEAR, *every]
        position = {c: i for i, c in enumerate(columns)}
        groups: dict[str, Row] = {}
        for number, cells in self.table.rows:
            name = _text(cells[self.index[SCENARIO]])
            column = _text(cells[self.index[FACT]])
            member = _text(cells[self.index[MEMBER]]) if MEMBER in self.index else ""
            column = f"{column}.{member}" if member else column
            if column not in every:
                self._unknown(column, every, number)
                continue
            row = groups.setdefault(
                name, (number, [name] + [None] * (len(columns) - 1), [number] * len(columns), [])
            )
            _, values, rows, problems = row
            if values[position[column]] is not None:
                problems.append(Problem("batch.duplicate_fact", {"fact": column}, self._at(number), column))
            values[position[column]], rows[position[column]] = cells[self.index[VALUE]], number
            year = cells[self.index[YEAR]] if YEAR in self.index else None
            if _text(year):
                if values[1] is not None and _text(values[1]) != _text(year):
                    problems.append(
                        Problem(
                            "batch.year_conflict",
                            {"first": values[1], "second": year},
                            self._at(number),
                            YEAR,
                        )
                    )
                values[1], rows[1] = values[1] if values[1] is not None else year, number
        self.index = position
        return list(groups.values())

    # --- the rows ------------------------------------------------------------------------

    def parse(self, batch: list[Row]) -> Scenarios:
        """One chunk of rows → scenarios, with each scenario's problems."""
        problems: dict[int, list[Problem]] = {}
        for i, (_, cells, _, found) in enumerate(batch):
            problems.setdefault(i, []).extend(found)
            if len(cells) > len(self.index) and any(_text(c) for c in cells[len(self.index) :]):
                problems[i].append(
                    self._problem(batch[i], None, "batch.too_many_cells", count=len(self.index))
                )
        names = [
            _text(cells[self.index[SCENARIO]]) if SCENARIO in self.index else "" for _, cells, _, _ in batch
        ]
        scenarios = Scenarios(
            self.table.path, self.slots, [r[0] for r in batch], names, self._years(batch, problems), {}, {}
        )
        for slot in self.slots:
            scenarios.values[slot.column], scenarios.given[slot.column] = self._column(slot, batch, problems)
        scenarios.problems = {i: p for i, p in problems.items() if p}
        return scenarios

    def _problem(
        self, row: Row, column: str | None, code: str, article: Any = None, /, **args: Any
    ) -> Problem:
        number, _, cell_rows, _ = row
        at = self.index.get(column) if column else None
        line = cell_rows[at] if cell_rows is not None and at is not None else number
        col = at + 1 if at is not None and cell_rows is None else None
        return Problem(code, args, self._at(line, col), column, article)

    def _at(self, row: int, column: int | None = None) -> Location:
        """A place in the table; an Excel file is not text, so its place is given by row only."""
        if self.table.path.lower().endswith(".xlsx"):
            return Location(f"{self.table.path}, rij {row}")
        return Location(self.table.path, row, column or 1)

    def _years(self, batch: list[Row], problems: dict[int, list[Problem]]) -> np.ndarray:
        years = np.zeros(len(batch), dtype=np.int64)
        at = self.index.get(YEAR)
        covenant = self.rules.covenant
        for i, row in enumerate(batch):
            cell = row[1][at] if at is not None else None
            value = typed(cell)
            if value is None:
                value = self.default_year
                if value is None:
                    problems[i].append(self._problem(row, None, "batch.no_year"))
                    continue
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9999:
                problems[i].append(self._problem(row, YEAR, "batch.bad_year", value=cell))
                continue
            if not covenant.covers(value):
                version = (self.rules.path, covenant.version, covenant.valid_from, covenant.valid_until)
                problems[i].append(
                    self._problem(
                        row,
                        YEAR,
                        "registry.no_version",
                        covenant.period_article,
                        covenant=covenant.id,
                        year=value,
                        versions=[version],
                    )
                )
                continue
            years[i] = value
        return years

    def _column(
        self, slot: Slot, batch: list[Row], problems: dict[int, list[Problem]]
    ) -> tuple[np.ndarray, np.ndarray]:
        decl, kind = slot.decl, slot.decl.kind
        at = self.index.get(slot.column)
        cells = [row[1][at] if at is not None and at < len(row[1]) else None for row in batch]
        given = np.ones(len(batch), dtype=bool)
        whole = _whole_column(decl, cells)
        if whole is not None:
            return whole, given
        values = _quick_column(decl, cells)
        placeholder = _PLACEHOLDER.get(kind)
        for i, value in enumerate(values):
            if value is not None:
                continue
            raw = typed(cells[i])
            if raw is None and decl.has_default:
                values[i] = _exact(decl, decl.default)
                continue
            values[i] = placeholder
            if raw is None:
                given[i] = False
                if decl.required:
                    problems[i].append(
                        self._problem(
                            batch[i],
                            slot.column,
                            "facts.missing",
                            decl.article,
                            fact=decl.name,
                            label=decl.label,
                            whose=self._whose(slot),
                        )
                    )
                continue
            try:
                values[i] = _exact(decl, parse_fact_value(decl, raw))
            except ValueProblem as problem:
                problems[i].append(
                    self._problem(
                        batch[i],
                        slot.column,
                        problem.code,
                        decl.article,
                        unit=kind,
                        fact=decl.name,
                        **problem.args_,
                    )
                )
        return _array(kind, values), given

    def _whose(self, slot: Slot) -> str | None:
        party = self.rules.party(slot.member) if slot.member else None
        return f"{party.name} ({party.code})" if party else slot.member


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _whole_column(decl: FactDecl, cells: list[Any]) -> np.ndarray | None:
    """A money or count column whose every cell has the usual form ('-1234.50', '25812') and
    respects the fact's minimum, read at once; None when any cell needs a closer look."""
    if decl.kind not in INTEGERS or not cells or not all(isinstance(c, str) for c in cells):
        return None
    text = "\n".join(cells)
    money_column = decl.kind is Kind.MONEY
    if (_CENTS_COLUMN if money_column else _COUNT_COLUMN).fullmatch(text) is None:
        return None
    values = np.array((text.replace(".", "") if money_column else text).split("\n"), dtype=np.int64)
    if decl.minimum is not None and np.any(values < math.ceil(decl.minimum * (100 if money_column else 1))):
        return None
    return values


def _quick_column(decl: FactDecl, cells: list[Any]) -> list[Any]:
    """The common cells read without detours (money '1234.50' → 123450 cents, counts '25812'),
    None for every other cell; those go the exact way of a fact file."""
    if decl.kind not in INTEGERS:
        return [None] * len(cells)
    scale = 100 if decl.kind is Kind.MONEY else 1
    lowest = math.ceil(decl.minimum * scale) if decl.minimum is not None else None
    values = [_quick(decl.kind, cell) for cell in cells]
    if lowest is not None:
        values = [v if v is not None and v >= lowest else None for v in values]
    return values
