"""Scenario files for `convenant batch`: many sets of facts for one rule file, read exactly.

Two layouts (docs/analysts.md shows both):

- *wide*: one row per scenario; a column per fact (`macrobudget_bw`), per fact and member of its
  set (`inwoners.GM0106`, `indicatiewaarde.bw_intramuraal`, `aantal_indicaties.centraal.mo_opvang`
  for a fact per row and column), an optional `scenario` column with a name and an optional `jaar`
  column (else the year given with `--jaar`);
- *long*: one row per fact: columns `scenario`, `feit`, `waarde`, optionally `gemeente` (the CBS
  code, or the id of a row of a sheet), `kolom` (the column of a sheet) and `jaar`; `feit` may
  also be written whole (`aantal_indicaties.GM0014.bw_intramuraal`).

Cells are read as a fact file's values are: amounts with a decimal point ("1234.50"), never
through a binary float; whole numbers for counts; `true`/`false`. An Excel number cell is read
as the shortest decimal that is exactly the same binary number, which is what Excel shows:
1234.5 is 1234.50, and a computed 0.30000000000000004 is not whole cents and is refused. An
empty cell is a fact the scenario does not give: the rule file's default, "unknown" for an
optional fact, or a missing fact.

Municipalities are those of the scenario's year (`engine.parties`): a scenario may give the
facts of a merged municipality (Eemsdelta) or of all its predecessors, which are added up. How
the values of one scenario fit together (mergers, missing and optional facts) is checked by the
fact-file checker itself (`engine.facts.FactChecker`), on the cells this module read.

A problem in one scenario's facts is kept with that scenario (the others go on); a problem with
the file itself (an unknown or missing column) stops the run before anything is computed.
"""

from __future__ import annotations

import difflib
import math
import queue
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeVar

import numpy as np

from convenant.check.checking import parse_fact_value
from convenant.check.facts import FactChecker, Facts
from convenant.core import money, vectors
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.units import Kind, ValueProblem, display
from convenant.language.model import CASE, MUNICIPALITY, FactDecl, RuleFile
from convenant.language.parties import existing_on, in_year, predecessors_on
from convenant.source import csvbytes
from convenant.source.loading import Document, MappingNode
from convenant.source.spreadsheets import (
    DUTCH,
    MAX_CELL_CHARS,
    PLAIN,
    AmbiguousCell,
    FormulaCell,
    PercentCell,
    Table,
    dutch_number,
)

SCENARIO, YEAR, FACT, MEMBER, COLUMN, VALUE = "scenario", "jaar", "feit", "gemeente", "kolom", "waarde"
INTEGERS = (Kind.MONEY, Kind.COUNT)  # kept as int64 arrays: money in cents, counts as they are
# what stands in a column where a scenario has no valid value (that scenario is not evaluated)
_PLACEHOLDER: dict[Kind, Any] = {
    Kind.MONEY: 0,
    Kind.COUNT: 0,
    Kind.BOOLEAN: False,
    Kind.PERCENTAGE: Fraction(0),
    Kind.RATIO: Fraction(0),
}

# At most 15 digits before the point (units.MAX_INTEGER_DIGITS): a longer number stays text and
# is refused by the checks in units, never handed to int() (which refuses 4,300 digits itself).
_INT = re.compile(r"^[-+]?(0|[1-9][0-9]{0,14})$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]{0,14})\.[0-9]+$")
_CENTS = re.compile(r"^\s*(-?)(0|[1-9][0-9]{0,14})(?:\.([0-9]{1,2}))?\s*$")
_COUNT = re.compile(r"^\s*-?(0|[1-9][0-9]{0,14})\s*$")
_CODE = re.compile(r"^GM[0-9]{4}$")

Sets = dict[str, list[str]]  # set → its members in order
FieldPath = tuple[
    str | int, ...
]  # a field of a fact file: ("municipalities", "GM0014", "individuele_uitkering")


# --- the sets of a year, and of every year a rule file covers -----------------------------------


def years_covered(rules: RuleFile) -> range:
    """The years whose facts the rule file computes (Groningen: 2022–2030)."""
    covenant = rules.covenant
    first = max(covenant.valid_from.year, covenant.first_year or covenant.valid_from.year)
    return range(first, covenant.valid_until.year + 1)


def year_sets(rules: RuleFile, year: int) -> Sets:
    """Each set's members in `year`, as the interpreter has them: the municipalities that exist on
    1 January (Eemsdelta for Appingedam, Delfzijl and Loppersum from 2021), then a declared set's
    extra members (the rows of a sheet that are not municipalities; the columns)."""
    municipalities = [m.code for m in in_year(rules, year).members]
    sets = {MUNICIPALITY: municipalities}
    for name, declared in rules.sets.items():
        sets[name] = (municipalities if declared.parties else []) + list(declared.extra_ids())
    return sets


def scenario_sets(rules: RuleFile) -> Sets:
    """The members of each set over every year covered: the columns of the results. A member that
    exists only in some years follows the member before it in the first year it exists. Cases
    are not part of a scenario: in a batch the set of cases is empty."""
    union: Sets = {}
    for year in years_covered(rules):
        for name, members in year_sets(rules, year).items():
            found = union.setdefault(name, [])
            for i, member in enumerate(members):
                if member not in found:
                    found.insert(found.index(members[i - 1]) + 1 if i else 0, member)
    return union


def columns_of(decl: FactDecl, sets: Sets, member: str | None = None) -> list[str]:
    """The scenario columns of a fact for the members of `sets` (or for one member of its set).

    A fact for the year is one column; a fact per set one per member (`inwoners.GM0106`); a fact
    per row and column one per row and column (`aantal_indicaties.GM0014.bw_intramuraal`).
    """
    if decl.per is None:
        return [decl.name]
    members = [member] if member is not None else sets.get(decl.per, [])
    if decl.by is None:
        return [f"{decl.name}.{m}" for m in members]
    return [f"{decl.name}.{m}.{b}" for m in members for b in sets.get(decl.by, [])]


def _includes_parties(rules: RuleFile, per: str | None) -> bool:
    return per == MUNICIPALITY or (per in rules.sets and rules.sets[per].parties)


@dataclass(frozen=True)
class Slot:
    """One fact value of a scenario: a fact, for one member of its set (and column), or for the year."""

    column: str
    decl: FactDecl
    path: tuple[str, ...]  # where a fact file holds the value: ("municipalities", code, fact, column)


@dataclass
class Scenarios:
    """A chunk of scenarios, column by column. Money is in whole cents (int64, or Python ints
    in an object array when too large), counts are int64, yes/no are bools, other kinds their
    exact values. Where a cell is empty, `written` is False and the value is the fact's default
    (or a placeholder)."""

    path: str
    slots: list[Slot]
    rows: list[int]  # the file row of each scenario (its first row in the long layout)
    names: list[str]
    years: np.ndarray
    values: dict[str, np.ndarray]
    written: dict[str, np.ndarray]
    problems: dict[int, list[Problem]] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)  # column → its place in a row's cells
    cell_rows: list[list[int]] | None = None  # long layout: per scenario, the file row of each cell

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
            {k: v[start:stop] for k, v in self.written.items()},
            {i - start: p for i, p in self.problems.items() if start <= i < stop},
            self.index,
            self.cell_rows[start:stop] if self.cell_rows is not None else None,
        )

    def at(self, i: int, column: str | None) -> Location:
        """Where scenario i gives `column` (or the scenario itself)."""
        cells = self.cell_rows[i] if self.cell_rows is not None else None
        return _place(self.path, self.rows[i], cells, self.index.get(column) if column else None)

    def fact_data(self, i: int, covenant: str) -> dict[str, Any]:
        """Scenario i as the plain data of the equivalent fact file, with only the values it gives."""
        data: dict[str, Any] = {
            "covenant": covenant,
            "year": int(self.years[i]),
            "description": self.names[i] or None,
        }
        for slot in self.slots:
            if self.written[slot.column][i]:
                node = data
                for key in slot.path[:-1]:
                    node = node.setdefault(key, {})
                node[slot.path[-1]] = _fact_value(slot.decl.kind, self.values[slot.column][i])
        return data


def _fact_value(kind: Kind, raw: Any) -> Any:
    """A column's value as the interpreter holds it: money in euros (a Fraction), not cents."""
    if kind is Kind.MONEY:
        return Fraction(int(raw), 100)
    if kind is Kind.COUNT:
        return int(raw)
    if kind is Kind.BOOLEAN:
        return bool(raw)
    return raw


def _place(path: str, row: int, cells: list[int] | None, at: int | None) -> Location:
    """A place in the table: the cell's row (in the long layout each cell has its own) and column.
    An Excel file is not text, so its place is given by row only."""
    line = cells[at] if cells is not None and at is not None else row
    if path.lower().endswith(".xlsx"):
        return Location(f"{path}, rij {line}")
    return Location(path, line, at + 1 if at is not None and cells is None else 1)


# --- one scenario's facts, checked as a fact file's --------------------------------------------

_EMPTY = MappingNode(0, 0, 0, 0, [])
# Problems that name a fact file's sections get words for a scenario file.
_SCENARIO_CODES = {
    "facts.municipality_missing": "batch.municipality_missing",
    "facts.row_missing": "batch.row_missing",
}


def facts_of(rules: RuleFile, scenarios: Scenarios, i: int) -> Facts:
    """One scenario's facts, exactly as `convenant evaluate` has them from the equivalent fact file:
    predecessors of a merged municipality added up, defaults, required and optional facts."""
    return _ScenarioChecker(rules, scenarios, i).build()


class _ScenarioChecker(FactChecker):
    """The fact-file checker on one scenario. Its cells were read and checked one by one
    (`Reader.parse`); here they are put together as a fact file's values are."""

    def __init__(self, rules: RuleFile, scenarios: Scenarios, i: int) -> None:
        data = scenarios.fact_data(i, rules.covenant.id)
        super().__init__(Document(scenarios.path, "", "", _EMPTY, data), rules)
        self.scenarios, self.i = scenarios, i

    def error(
        self, code: str, path: FieldPath, article: Citation | None, at_key: str | None = None, /, **args: Any
    ) -> None:
        super().error(_SCENARIO_CODES.get(code, code), path, article, at_key, **args)

    def where(self, path: FieldPath, at_key: str | None, args: dict[str, Any]) -> tuple[Location, str | None]:
        column = column_of(path, at_key, args)
        return self.scenarios.at(self.i, column), column

    def leaf(self, decl: FactDecl, raw: Any) -> Any:
        return raw  # already read exactly, and checked, by Reader.parse


def column_of(path: FieldPath, at_key: str | None, args: dict[str, Any]) -> str | None:
    """The scenario column of a field of a fact file (None: the scenario as a whole).

    >>> column_of(("municipalities", "GM0014", "aantal_indicaties"), None, {"member": "mo_opvang"})
    'aantal_indicaties.GM0014.mo_opvang'
    >>> column_of(("municipalities", "GM0010"), None, {"fact": "individuele_uitkering"})
    'individuele_uitkering.GM0010'
    >>> column_of(("municipalities",), "GM0003", {"member": "GM1979"})
    'GM0003'
    >>> column_of(("facts",), None, {"fact": "datum_brief"})
    'datum_brief'
    """
    section, *steps = [str(step) for step in path]
    tail = at_key or args.get("member")
    if tail:
        steps.append(tail)
    if section == "facts":
        return ".".join(steps) if steps else args.get("fact")
    if len(steps) > 1:
        code, fact, *rest = steps
        return ".".join([fact, code, *rest])
    if steps:
        return f"{args['fact']}.{steps[0]}" if "fact" in args else steps[0]
    return None


# --- scenarios made in Python ----------------------------------------------------------------


def from_arrays(rules: RuleFile, columns: dict[str, Any], year: int, label: str = "<arrays>") -> Scenarios:
    """Scenarios made in Python (a forecast, a Monte Carlo draw) instead of read from a file.

    `columns` are named as in a wide scenario file and hold one value per scenario: money in
    whole cents (integers), counts as integers, yes/no as bools, ratios as Fractions. The same
    checks as for a file: unknown and missing columns stop; a value below a fact's minimum
    fails its scenario.

    A numpy column is taken as it is, without a copy, when it is what the scenarios hold: int64
    for money (cents) and counts, bool for yes/no, one dimension, one value per scenario. Another
    integer type is converted; a float, object or other array is refused (a float is never
    exact), as is one of another shape. Lists (and object arrays) of Python integers, bools and
    Fractions are read as before, value by value.
    """
    from convenant.check.registry import check_first_year, check_year

    check_year(rules, year)
    check_first_year(rules, year)
    reader = Reader(Table(label, list(columns), iter(()), 0), rules, year)
    n = len(next(iter(columns.values()))) if columns else 0
    scenarios = Scenarios(
        label, reader.slots, list(range(1, n + 1)), [""] * n, np.full(n, year), {}, {}, {}, reader.index
    )
    for slot in reader.slots:
        decl = slot.decl
        written = slot.column in columns
        if written:
            values = _given(label, slot.column, decl.kind, columns[slot.column], n)
        else:
            values = _filled(decl.kind, _exact(decl, decl.default), n)
        scenarios.values[slot.column], scenarios.written[slot.column] = values, np.full(n, written)
        if decl.minimum is not None and decl.kind in INTEGERS:
            lowest = math.ceil(decl.minimum * (100 if decl.kind is Kind.MONEY else 1))
            for i in np.flatnonzero(values < lowest).tolist():
                shown = money.plain(Fraction(int(values[i]), 100)) if decl.kind is Kind.MONEY else values[i]
                problem = Problem(
                    "facts.below_minimum",
                    {"fact": decl.name, "value": shown, "minimum": display(decl.kind, decl.minimum)},
                    scenarios.at(i, slot.column),
                    slot.column,
                    decl.article,
                )
                scenarios.problems.setdefault(i, []).append(problem)
    return scenarios


_DTYPES = {Kind.MONEY: "int64 (hele centen)", Kind.COUNT: "int64", Kind.BOOLEAN: "bool"}


def _given(label: str, column: str, kind: Kind, given: Any, n: int) -> np.ndarray:
    """A column given to `from_arrays` in the form the scenarios hold it: an int64 or bool numpy
    array as it is (no copy), after its type and shape are checked."""
    if not isinstance(given, np.ndarray) or given.dtype == object or kind not in _DTYPES:
        return _array(kind, list(given))  # Python values, one by one
    if given.ndim != 1 or len(given) != n:
        args = {"column": column, "shape": given.shape, "count": n}
        raise ConvenantError([Problem("batch.array_shape", args, Location(label), column)])
    if kind is Kind.BOOLEAN and given.dtype == np.bool_:
        return given
    if kind in INTEGERS and given.dtype == np.int64:
        if given.size and int(given.min()) < -vectors.LIMIT:  # −2⁶³ has no int64 opposite: exact
            return given.astype(object)
        return given
    smaller = given.dtype.kind == "i" or (given.dtype.kind == "u" and given.dtype.itemsize < 8)
    if kind in INTEGERS and smaller:
        return given.astype(np.int64)  # a smaller integer type: every value fits
    if kind in INTEGERS and given.dtype == np.uint64:
        return vectors.integers(given.tolist())  # beyond int64: Python integers, exactly
    args = {"column": column, "dtype": str(given.dtype), "expected": _DTYPES[kind]}
    raise ConvenantError([Problem("batch.array_dtype", args, Location(label), column)])


def _filled(kind: Kind, value: Any, n: int) -> np.ndarray:
    """A column of one value (a fact's default, or a placeholder), made at once."""
    if kind in INTEGERS and isinstance(value, int) and abs(value) <= vectors.LIMIT:
        return np.full(n, value, dtype=np.int64)
    if kind is Kind.BOOLEAN and isinstance(value, bool):
        return np.full(n, value, dtype=bool)
    return _array(kind, [value] * n)


def typed(cell: Any) -> Any:
    """A cell's value as a fact file would hold it: None, bool, int, Decimal, an ISO date or text.

    >>> [typed(c) for c in ("1234.50", " 12 ", "TRUE", "", "1.234,50", 1234.5, 25812.0)]
    [Decimal('1234.50'), 12, True, None, '1.234,50', Decimal('1234.5'), 25812]
    """
    if cell is None or isinstance(cell, bool | int | Decimal | PercentCell | FormulaCell | AmbiguousCell):
        return cell  # an Excel cell whose meaning depends on the fact: see `_meaning`
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


def _meaning(decl: FactDecl, raw: Any) -> Any:
    """What a typed cell says for this fact. Excel shows a percent-formatted number × 100 %: for a
    percentage it means that many percent (0.005 shown as 0,5 % is 0.5, exactly); for any other
    fact it is refused, as is a formula whose value was never saved."""
    if isinstance(raw, FormulaCell):
        raise ValueProblem("batch.formula_without_value", formula=raw.formula)
    if isinstance(raw, AmbiguousCell):
        raise ValueProblem("batch.ambiguous_number", value=raw.text)
    if isinstance(raw, PercentCell):
        if decl.kind is not Kind.PERCENTAGE:
            raise ValueProblem("batch.percent_cell", shown=Fraction(typed(raw.value)))  # shown as %
        return typed(raw.value) * 100  # the shortest decimal of the stored number, in percent
    return raw


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
        return vectors.integers(values)
    if kind is Kind.BOOLEAN:
        return np.array(values, dtype=bool)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


Row = tuple[int, list[Any], list[int] | None, list[Problem]]  # row, cells, cell rows, problems
T = TypeVar("T")


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of `items`, the next one made by a thread of its own while the caller works on
    this one (reading a CSV's chunk on its bytes is mostly numpy, which lets the other thread
    run): on two cores, reading and computing overlap. One item ahead at most (memory: two chunks,
    not one). An error in making an item is raised where that item would be; when the caller
    stops early (an error, Ctrl-C), so does the thread."""
    box: queue.Queue[tuple[int, Any]] = queue.Queue(maxsize=1)
    asked = threading.Semaphore(1)  # the caller took the item before: make the next
    stop = threading.Event()

    def wait(step: Callable[[], bool]) -> bool:
        while not stop.is_set():
            if step():
                return True
        return False

    def put(item: tuple[int, Any]) -> bool:
        def step() -> bool:
            try:
                box.put(item, timeout=0.1)
            except queue.Full:
                return False
            return True

        return wait(step)

    def make() -> None:
        try:
            while wait(lambda: asked.acquire(timeout=0.1)):
                try:
                    item = next(items)
                except StopIteration:
                    put((1, None))
                    return
                if not put((0, item)):
                    return
        except BaseException as error:  # handed to the caller, raised there
            put((2, error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator's files are closed here, by the thread that reads them

    threading.Thread(target=make, name="convenant-read-ahead", daemon=True).start()
    try:
        while True:
            done, item = box.get()
            if done == 2:
                raise item
            if done:
                return
            asked.release()
            yield item
            del item  # let go before the next is made
    finally:
        stop.set()


class Reader:
    """Checks a scenario table's header against a rule file, then reads it in chunks."""

    def __init__(self, table: Table, rules: RuleFile, year: int | None = None, fast: bool = True) -> None:
        self.table, self.rules, self.default_year = table, rules, year
        self.fast = fast  # whole columns at once where they prove correct (False: cell by cell only)
        self.sets = scenario_sets(rules)
        self.codes, self.instead = self._codes()
        self.long = FACT in table.header and VALUE in table.header
        self.problems: list[Problem] = []
        self.index = {name: i for i, name in enumerate(table.header)}
        self.every = self._every_slot()
        self.slots = self._slots()
        self.grouped = self._regroup() if self.long and not self.problems else None
        if self.problems:
            raise ConvenantError(self.problems)

    @property
    def count(self) -> int | None:
        return len(self.grouped) if self.grouped is not None else self.table.count

    def chunks(self, size: int) -> Iterator[Scenarios]:
        table = self.table
        if self.fast and self.grouped is None and table.blocks is not None and table.split is not None:
            yield from read_ahead(self._parse_blocks(size))
            return
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

    # --- which columns there may be --------------------------------------------------------

    def _codes(self) -> tuple[list[str], dict[str, list[list[str]]]]:
        """The CBS codes a scenario may name (each year's municipalities and their predecessors),
        and per municipality of the results the other ways to give its facts: all its
        predecessors, or the municipality it merged into in a later year."""
        codes: dict[str, None] = {}
        instead: dict[str, list[list[str]]] = {}
        for year in years_covered(self.rules):
            day = date(year, 1, 1)
            for member in year_sets(self.rules, year)[MUNICIPALITY]:
                codes.setdefault(member)
                parts = predecessors_on(self.rules.municipalities, member, day)
                codes.update(dict.fromkeys(parts))
                instead.setdefault(member, []).append(parts)
        for member in self.sets.get(MUNICIPALITY, []):
            for year in years_covered(self.rules):
                later = existing_on(self.rules.municipalities, member, date(year, 1, 1))
                if later not in (None, member):
                    instead[member].append([later])
        return list(codes), {m: [p for p in ways if p] for m, ways in instead.items()}

    def _members(self, per: str) -> list[str]:
        """Every member a column may name in set `per`: CBS codes (for a set of municipalities) and
        the set's extra members."""
        declared = self.rules.sets.get(per)
        codes = self.codes if _includes_parties(self.rules, per) else []
        return codes + list(declared.extra_ids() if declared else ())

    def _every_slot(self) -> dict[str, Slot]:
        slots = {}
        for name, decl in self.rules.facts.items():
            if decl.per == CASE:
                continue
            if decl.per is None:
                slots[name] = Slot(name, decl, ("facts", name))
                continue
            for member in self._members(decl.per):
                if not _includes_parties(self.rules, decl.per):
                    path: tuple[str, ...] = ("facts", name, member)
                else:
                    path = ("municipalities" if member in self.codes else "rows", member, name)
                if decl.by is None:
                    slots[f"{name}.{member}"] = Slot(f"{name}.{member}", decl, path)
                for by in self._members(decl.by) if decl.by else ():
                    slots[f"{name}.{member}.{by}"] = Slot(f"{name}.{member}.{by}", decl, (*path, by))
        return slots

    # --- the header ----------------------------------------------------------------------

    def _file_problem(self, code: str, at: str | None, row: int = 1, /, **args: Any) -> None:
        col = self.index[at] + 1 if at in self.index else None
        self.problems.append(Problem(code, args, self._at(row, col), at))

    def _slots(self) -> list[Slot]:
        header = self.table.header
        meta = {SCENARIO, YEAR, FACT, MEMBER, COLUMN, VALUE} if self.long else {SCENARIO, YEAR}
        for i, column in enumerate(header):
            if column in header[:i]:
                self._file_problem("batch.duplicate_column", column, column=column)
            elif column not in meta and (self.long or column not in self.every):
                code, args = self._unknown(column)
                self._file_problem(code, column, **args)
        if self.long:
            missing = [c for c in (SCENARIO, FACT, VALUE) if c not in header]
            if missing:
                self._file_problem("batch.long_columns", None, columns=", ".join(missing))
            return list(self.every.values())
        self._missing_columns()
        defaults = {c for d in self.rules.facts.values() if d.has_default for c in columns_of(d, self.sets)}
        return [s for s in self.every.values() if s.column in self.index or s.column in defaults]

    def _missing_columns(self) -> None:
        """Every required fact has a column for each member of its set, one message per fact. A
        municipality's columns may be those of all its predecessors, or of the municipality it
        merged into (the scenario's year decides which apply)."""
        missing: dict[str, list[str]] = {}
        for decl in self.rules.facts.values():
            if decl.per == CASE or not decl.required or decl.has_default:
                continue
            members: list[str | None] = [None] if decl.per is None else list(self.sets.get(decl.per, []))
            for member in members:
                ways: list[Sequence[str | None]] = [[member], *self.instead.get(member or "", [])]
                if not any(all(self._has(decl, code) for code in way) for way in ways):
                    lacking = [c for c in columns_of(decl, self.sets, member) if c not in self.index]
                    missing.setdefault(decl.name, []).extend(lacking)
        for name, columns in missing.items():
            label = self.rules.facts[name].label
            self._file_problem("batch.missing_column", None, column=", ".join(columns), label=label)

    def _has(self, decl: FactDecl, member: str | None) -> bool:
        return all(c in self.index for c in columns_of(decl, self.sets, member))

    def _unknown(self, column: str) -> tuple[str, dict[str, Any]]:
        """Why a column is not one of the rule file's: an unknown member of a fact's set, or an
        unknown name (with a suggestion)."""
        name, _, rest = column.partition(".")
        decl = self.rules.facts.get(name)
        if decl is not None and decl.per not in (None, CASE) and rest:
            member, _, by = rest.partition(".")
            if member not in self._members(decl.per):
                return self._unknown_member(decl, decl.per, member)
            if decl.by and by and by not in self._members(decl.by):
                return self._unknown_member(decl, decl.by, by)
        suggestion = difflib.get_close_matches(column, list(self.every), n=1)
        return "batch.unknown_column", {"column": column, "suggestion": suggestion[0] if suggestion else None}

    def _unknown_member(self, decl: FactDecl, per: str, member: str) -> tuple[str, dict[str, Any]]:
        if _includes_parties(self.rules, per) and _CODE.match(member):
            known = self.rules.municipalities.by_code(member)
            code = "facts.not_a_party" if known else "facts.unknown_code"
            return code, {
                "code": member,
                "name": known.name if known else None,
                "covenant": self.rules.covenant.title,
            }
        known_members = ", ".join(self.sets.get(per, []))
        return "facts.unknown_member", {
            "fact": decl.name,
            "member": member,
            "set": per,
            "known": known_members,
        }

    # --- the long layout -----------------------------------------------------------------

    def _regroup(self) -> list[Row]:
        """The long layout regrouped per scenario into rows of the wide layout. A line that names a
        member the rule file does not know fails its scenario only; an unknown fact stops the file."""
        columns = [SCENARIO, YEAR, *self.every]
        position = {c: i for i, c in enumerate(columns)}
        groups: dict[str, Row] = {}
        width = len(self.table.header)
        for number, cells in self.table.rows:
            given = len(cells)  # a missing cell is not an empty one
            cells = cells + [None] * (width - given)
            name = _text(cells[self.index[SCENARIO]])
            parts = [_text(cells[self.index[c]]) if c in self.index else "" for c in (FACT, MEMBER, COLUMN)]
            column = ".".join(p for p in parts if p)
            row = groups.setdefault(
                name, (number, [name] + [None] * (len(columns) - 1), [number] * len(columns), [])
            )
            _, values, rows, problems = row
            assert rows is not None  # made above with a file row per cell
            if given < width:
                problems.append(self._short_row((number, cells, None, []), given))
                continue
            if column not in self.every:
                code, args = self._unknown(column)
                if code == "batch.unknown_column":
                    self._file_problem(code, FACT, number, **args)
                else:
                    problems.append(Problem(code, args, self._at(number), column))
                continue
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
        problems: dict[int, list[Problem]] = defaultdict(list)
        width = len(self.table.header)
        regular = all(len(cells) == width and not found for _, cells, _, found in batch)
        for i, (number, cells, cell_rows, found) in enumerate([] if regular else batch):
            problems[i].extend(found)
            if len(cells) > len(self.index) and any(_text(c) for c in cells[len(self.index) :]):
                problems[i].append(
                    self._problem(batch[i], None, "batch.too_many_cells", count=len(self.index))
                )
            if not self.long and len(cells) < width:  # a missing cell is not an empty one
                problems[i].append(self._short_row(batch[i], len(cells)))
                batch[i] = (number, cells + [None] * (width - len(cells)), cell_rows, found)
        names = [
            _text(cells[self.index[SCENARIO]]) if SCENARIO in self.index else "" for _, cells, _, _ in batch
        ]
        scenarios = Scenarios(
            self.table.path,
            self.slots,
            [r[0] for r in batch],
            names,
            self._years(batch, problems),
            {},
            {},
            index=self.index,
            cell_rows=[r[2] or [] for r in batch] if self.long else None,
        )
        # every row has a cell per column now (a longer row: its extra cells were refused above)
        grid = list(zip(*[r[1] for r in batch], strict=False)) if batch else []
        for slot in self.slots:
            at = self.index.get(slot.column)
            cells = list(grid[at]) if at is not None and at < len(grid) else [None] * len(batch)
            scenarios.values[slot.column], scenarios.written[slot.column] = self._column(
                slot, cells, batch, problems
            )
        scenarios.problems = {i: p for i, p in problems.items() if p}
        return scenarios

    def _parse_blocks(self, size: int) -> Iterator[Scenarios]:
        assert self.table.blocks is not None
        for number, data in self.table.blocks(size):
            scenarios = self._parse_lines(number, data)
            if len(scenarios):
                yield scenarios

    def _parse_lines(self, number: int, data: bytes) -> Scenarios:
        """A chunk of whole lines of a CSV (the row number of the first, the bytes) → scenarios: read
        on its bytes (`csvbytes.Cells`) when every line has a cell per column and the years are
        plain; else split into rows and read by `parse`, as the rows of any other table."""
        cells = csvbytes.Cells.of(data, len(self.table.header), self.table.delimiter, MAX_CELL_CHARS)
        scenarios = self._parse_cells(number, cells) if cells is not None else None
        if scenarios is not None:
            return scenarios
        assert self.table.split is not None
        return self.parse([(n, row, None, []) for n, row in self.table.split(number, data)])

    def _parse_cells(self, number: int, cells: csvbytes.Cells) -> Scenarios | None:
        """`parse` on the cells of a chunk of lines, a column at once on its bytes: a column of
        amounts, counts or yes/no in the usual form (`whole_column`) without a Python string per
        cell; any other column goes as texts through `_column`, cell by cell, with the same
        messages. None when the years need a closer look (then the chunk goes by `parse`)."""
        n = cells.rows
        years = self._years_of(cells)
        if years is None:
            return None
        names = [c.strip() for c in cells.texts(self.index[SCENARIO])] if SCENARIO in self.index else [""] * n
        problems: dict[int, list[Problem]] = defaultdict(list)
        scenarios = Scenarios(
            self.table.path,
            self.slots,
            list(range(number, number + n)),
            names,
            years,
            {},
            {},
            index=self.index,
        )
        rows: list[Row] = []  # stand-ins for the rows, for the messages of a column read cell by cell
        whole = self._whole_cells(cells)
        for slot in self.slots:
            at = self.index.get(slot.column)
            if slot.column in whole:
                scenarios.values[slot.column], scenarios.written[slot.column] = whole[slot.column]
                continue
            if at is None:  # not in the table: every cell empty, as `_column` fills it
                decl = slot.decl
                fill = _exact(decl, decl.default) if decl.has_default else _PLACEHOLDER.get(decl.kind)
                scenarios.values[slot.column] = _filled(decl.kind, fill, n)
                scenarios.written[slot.column] = np.zeros(n, dtype=bool)
                continue
            rows = rows or [(number + i, [], None, []) for i in range(n)]
            scenarios.values[slot.column], scenarios.written[slot.column] = self._column(
                slot, cells.texts(at), rows, problems
            )
        scenarios.problems = {i: p for i, p in problems.items() if p}
        return scenarios

    def _whole_cells(self, cells: csvbytes.Cells) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """`whole_column` on the bytes of every column of amounts, counts or yes/no at once: the
        columns it accepts (a Dutch amount with a comma, or else a point), with the same values,
        and where they are written; an empty cell is not, and holds what `_column` puts there (the
        fact's default, or a placeholder)."""
        points = self._points()
        given = [s for s in self.slots if s.column in self.index]
        money = [s for s in given if s.decl.kind is Kind.MONEY]
        numbers = [s for s in given if s.decl.kind in INTEGERS]
        yes_no = [s for s in given if s.decl.kind is Kind.BOOLEAN]
        found: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not numbers and not yes_no:
            return found
        empty = cells.empty()
        if numbers:
            values, usable = cells.integers(points)
            if self.table.dialect == DUTCH and not all(usable[self.index[s.column]] for s in money):
                again = [p if p is None else "." for p in points]  # a column with decimal points
                values_point, usable_point = cells.integers(again)
                for slot in money:
                    at = self.index[slot.column]
                    if not usable[at] and usable_point[at]:
                        values[:, at], usable[at] = values_point[:, at], True
            # every column at once: its values side by side (a row of `columns`), whether a cell is
            # empty, whether a written cell is below the fact's minimum (then `_column` looks closer)
            columns = np.ascontiguousarray(values.T)
            blank = np.asarray(empty.any(axis=0))
            floor = np.full(len(points), csvbytes.INT64_MIN, dtype=np.int64)
            for slot in numbers:
                if slot.decl.minimum is not None:
                    scale = 100 if slot.decl.kind is Kind.MONEY else 1
                    least = math.ceil(slot.decl.minimum * scale)
                    floor[self.index[slot.column]] = max(csvbytes.INT64_MIN, min(least, csvbytes.INT64_MAX))
            below = np.asarray(((values < floor) & ~empty).any(axis=0))
            for slot in numbers:
                at = self.index[slot.column]
                if not usable[at] or below[at]:
                    continue
                if not blank[at]:  # every cell written (`_given` without an empty cell)
                    found[slot.column] = columns[at], np.ones(cells.rows, dtype=bool)
                    continue
                column = self._given(slot.decl, columns[at], empty[:, at])
                if column is not None:
                    found[slot.column] = column
        for slot in yes_no:
            at = self.index[slot.column]
            yes = cells.booleans(at)
            if yes is not None:
                column = self._given(slot.decl, yes, empty[:, at])
                if column is not None:
                    found[slot.column] = column
        return found

    def _given(
        self, decl: FactDecl, values: np.ndarray, empty: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """A column read on its bytes as `_column` has it: the values, an empty cell's default (or
        placeholder) where none is written; None where `_column` must look closer (a value below the
        fact's minimum, a default that is no int64 or bool)."""
        written = ~empty
        scale = 100 if decl.kind is Kind.MONEY else 1
        if decl.minimum is not None and decl.kind in INTEGERS:
            if np.any((values < math.ceil(decl.minimum * scale)) & written):
                return None
        if not empty.any():
            return np.ascontiguousarray(values), written
        fill = _exact(decl, decl.default) if decl.has_default else _PLACEHOLDER.get(decl.kind)
        if decl.kind is Kind.BOOLEAN:
            if not isinstance(fill, bool):
                return None
        elif not isinstance(fill, int) or isinstance(fill, bool) or abs(fill) > vectors.LIMIT:
            return None
        return np.where(empty, fill, values).astype(values.dtype), written

    def _points(self) -> list[str | None]:
        """Per column of the table: the decimal point of its amounts (None: no amounts)."""
        points: list[str | None] = [None] * len(self.table.header)
        for slot in self.slots:
            if slot.decl.kind is Kind.MONEY and slot.column in self.index:
                points[self.index[slot.column]] = "," if self.table.dialect == DUTCH else "."
        return points

    def _years_of(self, cells: csvbytes.Cells) -> np.ndarray | None:
        """`_whole_years` on the bytes of the year column."""
        at = self.index.get(YEAR)
        if at is None:
            if self.default_year is None or self._year_problem(self.default_year) is not None:
                return None
            return np.full(cells.rows, self.default_year, dtype=np.int64)
        values, usable = cells.integers(self._points())
        if not usable[at]:
            return None
        years = np.ascontiguousarray(values[:, at])
        empty = cells.empty()[:, at]
        if empty.any():  # no year: the year of `--jaar`
            if self.default_year is None:
                return None
            years[empty] = self.default_year
        if years.min() < 1 or years.max() > 9999:
            return None
        if any(self._year_problem(y) is not None for y in set(years.tolist())):
            return None
        return years

    def _short_row(self, row: Row, found: int) -> Problem:
        return self._problem(row, None, "batch.too_few_cells", found=found, count=len(self.table.header))

    def _problem(
        self, row: Row, column: str | None, code: str, article: Any = None, /, **args: Any
    ) -> Problem:
        number, _, cell_rows, _ = row
        at = self.index.get(column) if column else None
        return Problem(code, args, _place(self.table.path, number, cell_rows, at), column, article)

    def _at(self, row: int, column: int | None = None) -> Location:
        return _place(self.table.path, row, None, column - 1 if column else None)

    def _years(self, batch: list[Row], problems: dict[int, list[Problem]]) -> np.ndarray:
        at = self.index.get(YEAR)
        if self.fast and batch:
            quick = self._whole_years(batch, at)
            if quick is not None:
                return quick
        years = np.zeros(len(batch), dtype=np.int64)
        for i, row in enumerate(batch):
            cell = row[1][at] if at is not None else None
            value = typed(cell)
            if isinstance(value, FormulaCell):
                problems[i].append(
                    self._problem(row, YEAR, "batch.formula_without_value", formula=value.formula)
                )
                continue
            if value is None:
                value = self.default_year
                if value is None:
                    problems[i].append(self._problem(row, None, "batch.no_year"))
                    continue
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9999:
                problems[i].append(self._problem(row, YEAR, "batch.bad_year", value=cell))
                continue
            refused = self._year_problem(value)
            if refused is not None:
                code, args, article = refused
                problems[i].append(self._problem(row, YEAR, code, article, **args))
                continue
            years[i] = value
        return years

    def _whole_years(self, batch: list[Row], at: int | None) -> np.ndarray | None:
        """The years of a chunk at once when every one is written as a whole number ('2024', or none
        and the year of `--jaar`) that the rule file computes; None when any needs a closer look."""
        if at is None:
            if self.default_year is None or self._year_problem(self.default_year) is not None:
                return None
            return np.full(len(batch), self.default_year, dtype=np.int64)
        years = integer_column([row[1][at] for row in batch], None)
        if years is None or years.min() < 1 or years.max() > 9999:
            return None
        if any(self._year_problem(y) is not None for y in set(years.tolist())):
            return None
        return years

    def _year_problem(self, year: int) -> tuple[str, dict[str, Any], Any] | None:
        """Why the rule file does not compute `year`: outside its period, or before its first year."""
        covenant = self.rules.covenant
        if not covenant.covers(year):
            version = (self.rules.path, covenant.version, covenant.valid_from, covenant.valid_until)
            args = {"covenant": covenant.id, "year": year, "versions": [version]}
            return "registry.no_version", args, covenant.period_article
        if covenant.first_year is not None and year < covenant.first_year:
            args = {"covenant": covenant.id, "year": year, "first": covenant.first_year}
            return "registry.before_first_year", args, covenant.first_year_article or covenant.period_article
        return None

    def _column(
        self, slot: Slot, cells: list[Any], batch: list[Row], problems: dict[int, list[Problem]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """A column's values and where they are written; an empty cell holds the default (if any).
        A column whose every cell has the usual form is read at once (`whole_column`); any other
        goes cell by cell, so every message is the one that cell would get on its own."""
        decl, kind = slot.decl, slot.decl.kind
        written = np.ones(len(batch), dtype=bool)
        if self.fast:
            whole = whole_column(decl, cells, self.table.dialect)
            if whole is not None:
                return whole, written
        if self.table.dialect == DUTCH:  # '38.412.000,00' → '38412000.00'; '150.000' is refused
            cells = [dutch_number(c) for c in cells]
        values = _quick_column(decl, cells)
        placeholder = _PLACEHOLDER.get(kind)
        for i, value in enumerate(values):
            if value is not None:
                continue
            raw = typed(cells[i])
            if raw is None:
                written[i] = False
                values[i] = _exact(decl, decl.default) if decl.has_default else placeholder
                continue
            try:
                values[i] = _exact(decl, parse_fact_value(decl, _meaning(decl, raw)))
            except ValueProblem as problem:
                values[i] = placeholder
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
        return _array(kind, values), written


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def whole_column(decl: FactDecl, cells: list[Any], dialect: str = PLAIN) -> np.ndarray | None:
    """A column read at once when every cell has the usual form and the fact's minimum holds:
    money as '-1234.50' (or '-1234,50' in the Dutch dialect: exactly two decimals, so never a
    thousands separator: '150.000' is no such cell), counts as '25812', yes/no as 'true'/'false'.
    None when any cell needs a closer look (an empty cell, spaces, another form, a value below
    the minimum, an Excel cell): then the column goes cell by cell, as a fact file's values."""
    if not cells:
        return None
    if decl.kind is Kind.BOOLEAN:
        if not set(cells) <= {"true", "false"}:
            return None
        return np.array([c == "true" for c in cells], dtype=bool)
    if decl.kind not in INTEGERS:
        return None
    money_column = decl.kind is Kind.MONEY
    values = None
    for point in ([",", "."] if dialect == DUTCH else ["."]) if money_column else [None]:
        values = integer_column(cells, point)
        if values is not None:
            break
    if values is None:
        return None
    if decl.minimum is not None and np.any(values < math.ceil(decl.minimum * (100 if money_column else 1))):
        return None
    return values


_NEWLINE, _MINUS, _ZERO, _NINE = 10, 45, 48, 57


def integer_column(cells: Sequence[Any], point: str | None) -> np.ndarray | None:
    """Cells that are each `-?(0|[1-9][0-9]{0,14})` followed by `point` and two digits (money in
    cents; `point` None: a whole number), as int64; None if any cell is not (or is no text).
    Checked on the bytes of the column at once, not by a pattern per cell.

    >>> integer_column(["-1234.50", "0.05", "12.00"], ".").tolist()
    [-123450, 5, 1200]
    >>> [integer_column(c, ".") for c in (["1234.5"], ["01.00"], ["1.00", ""], [" 1.00"], ["1,00"], [None])]
    [None, None, None, None, None, None]
    >>> integer_column(["25812", "-3", "0"], None).tolist(), integer_column(["1.234"], None)
    ([25812, -3, 0], None)
    """
    try:
        text = "\n".join(cells)  # a cell that is no text (empty: None; an Excel number) is refused here
    except TypeError:
        return None
    if not text.isascii():
        return None
    b = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    n = len(cells)
    newline = b == _NEWLINE
    ends = np.append(np.flatnonzero(newline), len(b))
    if len(ends) != n:  # a cell with a line break in it
        return None
    starts = np.concatenate(([0], ends[:-1] + 1))
    if np.any(ends - starts < (4 if point else 1)):
        return None
    minus = b == _MINUS
    negative = minus[starts]
    if int(minus.sum()) != int(negative.sum()):  # a minus sign only in front
        return None
    first = starts + negative
    stop = ends - 3 if point else ends  # the end of the whole part
    allowed = ((b >= _ZERO) & (b <= _NINE)) | minus | newline
    if point:
        dots = b == ord(point)
        if int(dots.sum()) != n or not dots[stop].all():  # the point, once, before two digits
            return None
        allowed |= dots
    if not allowed.all():
        return None
    width = stop - first
    if np.any(width < 1) or np.any(width > 15) or np.any((b[first] == _ZERO) & (width > 1)):
        return None
    values = np.fromstring(text.replace(point, "") if point else text, dtype=np.int64, sep="\n")
    return values if len(values) == n else None


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
