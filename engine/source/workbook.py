"""A fact file as an Excel workbook (the one `convenant template` writes) → the same plain data the
YAML loader gives, with every value's place as "feiten.xlsx, blad Gemeenten, cel C7".

The reader knows the layout, not the rule file: it finds each sheet's row of identifiers (the
names a YAML fact file uses) and reads the cells under them, so the fact checker
(`engine.check.facts`) checks a workbook exactly as it checks a YAML file and every problem points
at a sheet and cell. Cells are read as the batch reader reads them (engine/batch/scenarios.py):

- a number is the shortest decimal that is the same binary number, as Excel shows it: a cell
  Excel holds as 0.30000000000000004 stays that, and is refused as money (more than two decimals);
- a number formatted as a percentage (Excel shows 0.005 as 0,5 %) becomes the text `0.5 %`;
- a date becomes its ISO text, as a YAML fact file writes it;
- text is text, except a plain number (`1234.50`, `25812`), read as that number: `150.000`
  typed as text is then refused as money written with a point between thousands;
- an empty cell is a fact not given; a formula never calculated is its formula, as text.

The workbook's sha256 is that of its bytes, read once.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from convenant import words
from convenant.core import messages
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path
from convenant.core.reading import read_bytes
from convenant.source.loading import Document, MappingNode

XLSX = ".xlsx"
MAX_WORKBOOK_BYTES = 64 * 1024 * 1024  # a fact workbook holds some hundreds of cells

# The sheets and the identifier of the first column of each sheet's row of identifiers.
FACTS_SHEET, MUNICIPALITIES_SHEET, ROWS_SHEET, CASES_SHEET = "Feiten", "Gemeenten", "Rijen", "Casussen"
FACT_KEY, CODE_KEY, ROW_KEY, CASE_KEY = "feit", "code", "rij", "id"
# "Feiten": identifier, member (a fact per column), label, value, unit, article, required
FACT_COLUMN, MEMBER_COLUMN, VALUE_COLUMN = 1, 2, 4
HEADER_KEYS = ("covenant", "year", "illustrative", "evaluation_date", "description")
# Sheets of members: code (or row id, case id), name (or label, description), then one column per
# fact, or per fact and column (`aantal_indicaties.bw_intramuraal`).
FIRST_FACT_COLUMN = 3
CASE_DESCRIPTION = "description"
YES, NO = ("ja", "yes", "true", "waar"), ("nee", "no", "false", "onwaar")

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)\.[0-9]+$")


class Formula(str):
    """A formula whose result was never saved (the workbook was never calculated in Excel): text to
    the schema, refused by the fact checker (`batch.formula_without_value`), never an empty cell."""


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() == XLSX


@dataclass
class WorkbookDocument(Document):
    """A fact workbook read as a fact file: `data` as YAML would give it, `cells` the place of every
    field (also of the empty cells a fact belongs in, for a message about a fact not given)."""

    cells: dict[tuple[str | int, ...], Location] = field(default_factory=dict)

    def locate(self, field_path: tuple[str | int, ...], at_key: bool = False) -> Location:
        for end in range(len(field_path), 0, -1):
            found = self.cells.get(tuple(field_path[:end]))
            if found is not None:
                return found
        return self.cells.get((), Location(self.path))

    def locate_key(self, field_path: tuple[str | int, ...], key: str) -> Location:
        return self.locate((*field_path, key))

    def locate_in(self, field_path: tuple[str | int, ...], offset: int, length: int) -> Location:
        return self.locate(field_path)

    def locate_fact(self, field_path: tuple[str | int, ...], args: dict[str, Any]) -> Location:
        """The cell a problem is about: the field, or the cell of the fact (and member) it names
        inside it, when that is more precise (a required fact left empty)."""
        fact, member = args.get("fact"), args.get("member")
        candidates = []
        if isinstance(fact, str) and field_path[-1:] != (fact,):
            if isinstance(member, str):
                candidates.append((*field_path, fact, member))
            candidates.append((*field_path, fact))
        elif isinstance(member, str):
            candidates.append((*field_path, member))
        if field_path == ("municipalities",) and isinstance(args.get("code"), str):
            candidates.append((*field_path, args["code"]))
        if field_path == ("rows",) and isinstance(args.get("row"), str):
            candidates.append((*field_path, args["row"]))
        for candidate in candidates:
            if candidate in self.cells:
                return self.cells[candidate]
        return self.locate(field_path)


def _problem(code: str, where: Location, **args: Any) -> Problem:
    return Problem(code, args, where)


def cell_value(value: Any, number_format: str | None) -> Any:
    """A cell as a fact file would hold it (see the module's docstring); None when empty.

    >>> [cell_value(v, "General") for v in (64500, 1234.5, 0.1 + 0.2, " 150.000 ", "", True)]
    [64500, Decimal('1234.5'), Decimal('0.30000000000000004'), Decimal('150.000'), None, True]
    >>> cell_value(0.005, "0.0%"), cell_value(datetime(2022, 1, 31), "yyyy-mm-dd")
    ('0.5 %', '2022-01-31')
    """
    from convenant.source.spreadsheets import is_percent_format

    if value is None or isinstance(value, bool | Formula):
        return value
    if isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        exact = value if isinstance(value, int | Decimal) else Decimal(repr(value))
        if is_percent_format(number_format):
            return f"{format(Decimal(exact).scaleb(2), 'f')} %"  # × 100, exactly
        if isinstance(exact, Decimal) and exact == exact.to_integral_value() and "E" not in str(exact):
            return int(exact) if isinstance(value, float) else exact
        return exact
    text = str(value).strip()
    if text == "":
        return None
    if _INT.match(text):
        return int(text)
    return Decimal(text) if _DECIMAL.match(text) else text


def _yes_no(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in YES + NO:
        return value.strip().lower() in YES
    return value


class _Reader:
    def __init__(self, shown: str, formulas: Any = None) -> None:
        self.formulas = formulas  # the same workbook with its formulas, to tell one never calculated
        self.shown = shown
        self.lang = messages.language()
        self.cells: dict[tuple[str | int, ...], Location] = {}
        self.problems: list[Problem] = []
        self.data: dict[str, Any] = {"facts": {}}

    def at(self, sheet: str, row: int, column: int) -> Location:
        from openpyxl.utils import get_column_letter

        cell = f"{get_column_letter(column)}{row}"
        return Location(words.say("workbook.cell", self.lang, path=self.shown, sheet=sheet, cell=cell))

    def sheet_at(self, sheet: str) -> Location:
        return Location(words.say("workbook.sheet", self.lang, path=self.shown, sheet=sheet))

    def rows(self, worksheet: Any) -> list[tuple[int, list[Any]]]:
        formulas = self.formulas[worksheet.title] if self.formulas is not None else None
        found = []
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            cells = []
            for c in row:
                value = c.value
                if value is None and formulas is not None:
                    source = formulas.cell(c.row, c.column)
                    if source.data_type == "f":
                        value = Formula(str(source.value))
                cells.append((value, getattr(c, "number_format", None)))
            found.append((number, cells))
        return found

    @staticmethod
    def raw(row: list[Any], column: int) -> Any:
        return row[column - 1] if column - 1 < len(row) else (None, None)

    def value(self, row: list[Any], column: int) -> Any:
        return cell_value(*self.raw(row, column))

    def key(self, row: list[Any], column: int) -> str:
        found = self.raw(row, column)[0]
        return "" if found is None else str(found).strip()

    # --- Feiten --------------------------------------------------------------------------

    def facts(self, worksheet: Any) -> None:
        self.cells[()] = self.sheet_at(FACTS_SHEET)
        self.cells[("facts",)] = self.sheet_at(FACTS_SHEET)
        header_seen = False
        facts = self.data["facts"]
        for number, row in self.rows(worksheet):
            name = self.key(row, FACT_COLUMN)
            if not header_seen:
                if name == FACT_KEY:
                    header_seen = True
                elif name in HEADER_KEYS:
                    self.header_field(name, row, number)
                continue
            if name == "":
                if self.value(row, VALUE_COLUMN) is not None:
                    self.problems.append(
                        _problem("workbook.no_name", self.at(FACTS_SHEET, number, FACT_COLUMN), column="A")
                    )
                continue
            member = self.key(row, MEMBER_COLUMN)
            where = self.at(FACTS_SHEET, number, VALUE_COLUMN)
            value = self.value(row, VALUE_COLUMN)
            path: tuple[str, ...] = ("facts", name, member) if member else ("facts", name)
            self.cells.setdefault(("facts", name), where)
            self.cells[path] = where
            if value is None:
                continue
            if member:
                entry = facts.setdefault(name, {})
                if not isinstance(entry, dict):
                    self.problems.append(_problem("workbook.duplicate", where, name=name, sheet=FACTS_SHEET))
                    continue
                entry[member] = value
            elif name in facts:
                self.problems.append(_problem("workbook.duplicate", where, name=name, sheet=FACTS_SHEET))
            else:
                facts[name] = value
        if not header_seen:
            self.problems.append(_problem("workbook.no_header_row", self.sheet_at(FACTS_SHEET), key=FACT_KEY))

    def header_field(self, name: str, row: list[Any], number: int) -> None:
        where = self.at(FACTS_SHEET, number, VALUE_COLUMN)
        self.cells[(name,)] = where
        value = self.value(row, VALUE_COLUMN)
        if value is None:
            return
        if name == "illustrative":
            value = _yes_no(value)
        elif name in ("covenant", "description", "evaluation_date") and not isinstance(value, str):
            value = str(value)
        self.data[name] = value

    # --- sheets of members -----------------------------------------------------------------

    def members(self, worksheet: Any, sheet: str, key: str, section: str) -> None:
        rows = self.rows(worksheet)
        header = next(((n, r) for n, r in rows if self.key(r, 1) == key), None)
        if header is None:
            self.problems.append(_problem("workbook.no_header_row", self.sheet_at(sheet), key=key))
            return
        start, names = header
        columns = {
            i: self.key(names, i)
            for i in range(FIRST_FACT_COLUMN, len(names) + 1)
            if self.key(names, i) != ""
        }
        self.cells[(section,)] = self.sheet_at(sheet)
        given: dict[str, Any] = {}
        cases: list[dict[str, Any]] = []
        for number, row in rows:
            if number <= start:
                continue
            values = {i: self.value(row, i) for i in columns}
            member = self.key(row, 1)
            if member == "":
                if any(v is not None for v in values.values()) or (
                    section == "cases" and self.value(row, 2) is not None
                ):
                    self.problems.append(_problem("workbook.no_name", self.at(sheet, number, 1), column="A"))
                continue
            if section == "municipalities":
                member = member.upper()
            if section == "cases":
                entry: dict[str, Any] = {"id": member}
                base: tuple[str | int, ...] = ("cases", len(cases))
                self.cells[(*base, "id")] = self.at(sheet, number, 1)
                description = self.value(row, 2)
                self.cells[(*base, CASE_DESCRIPTION)] = self.at(sheet, number, 2)
                if description is not None:
                    entry[CASE_DESCRIPTION] = str(description)
                cases.append(entry)
            else:
                if member in given or (section, member) in self.cells:
                    self.problems.append(
                        _problem("workbook.duplicate", self.at(sheet, number, 1), name=member, sheet=sheet)
                    )
                    continue
                base = (section, member)
                entry = {}
            self.cells[base] = self.at(sheet, number, 1)
            for column, name in columns.items():
                fact, _, by = name.partition(".")
                where = self.at(sheet, number, column)
                self.cells.setdefault((*base, fact), where)
                self.cells[(*base, fact, by) if by else (*base, fact)] = where
                value = values[column]
                if value is None:
                    continue
                if by:
                    entry.setdefault(fact, {})[by] = value
                else:
                    entry[fact] = value
            if section != "cases" and len(entry) > 0:
                given[member] = entry
        if section == "cases":
            self.data["cases"] = cases
        elif given:
            self.data[section] = given


def read_workbook(path: Path, display: str | None = None) -> WorkbookDocument:
    """A fact workbook as a fact file; a workbook that is no fact workbook, or a cell the layout
    does not allow, is a ConvenantError naming the sheet and cell."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    shown = display or display_path(path)
    raw = read_bytes(path, shown, MAX_WORKBOOK_BYTES)
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(raw), data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError, OSError):
        raise ConvenantError([Problem("file.not_xlsx", {"path": shown}, Location(shown))]) from None
    reader = _Reader(shown, formulas)
    if FACTS_SHEET not in book.sheetnames:
        raise ConvenantError(
            [
                Problem(
                    "workbook.no_facts_sheet",
                    {"path": shown, "sheet": FACTS_SHEET, "sheets": ", ".join(book.sheetnames)},
                    Location(shown),
                )
            ]
        )
    reader.facts(book[FACTS_SHEET])
    for sheet, key, section in (
        (MUNICIPALITIES_SHEET, CODE_KEY, "municipalities"),
        (ROWS_SHEET, ROW_KEY, "rows"),
        (CASES_SHEET, CASE_KEY, "cases"),
    ):
        if sheet in book.sheetnames:
            reader.members(book[sheet], sheet, key, section)
    if reader.problems:
        raise ConvenantError(reader.problems)
    return WorkbookDocument(
        path=shown,
        text="",
        sha256=hashlib.sha256(raw).hexdigest(),
        root=MappingNode(0, 0, 0, 0, []),
        data=reader.data,
        cells=reader.cells,
    )
