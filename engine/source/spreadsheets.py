"""Spreadsheet files (CSV, Excel) for batch runs: read a CSV or Excel table row by row, write one atomically.

Reading gives the header and the rows as cells, each with its row number as a spreadsheet
shows it (the header is row 1). CSV cells are text, and a row keeps the cells it has (a short
row is not padded: a missing cell is not an empty one). Excel cells keep their type (text,
whole number, number, yes/no, date), and `engine.scenarios` reads them exactly; the number
format of a cell decides its meaning, so a number shown as a percentage (`0,5%`, stored as
0.005) comes as a `PercentCell`, and a formula Excel never calculated (no value saved with it)
as a `FormulaCell`, never as an empty cell. Writing goes to a
temporary file beside the target, renamed into place only when everything was written: a failed
or interrupted run leaves no partial file and does not touch an earlier one.

Limits (docs/analysts.md): a table file is a regular file of at most MAX_TABLE_BYTES, and a CSV
cell holds at most MAX_CELL_CHARS characters (a number or a scenario's name needs far fewer).
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.output import cannot_write, place, umask_mode
from convenant.core.paths import display_path
from convenant.core.reading import checked_file

CSV, XLSX = ".csv", ".xlsx"
SUFFIXES = (CSV, XLSX)
MAX_TABLE_BYTES = 1024 * 1024 * 1024  # 1 GiB: some millions of scenarios
MAX_CELL_CHARS = 10_000


@dataclass(frozen=True)
class PercentCell:
    """An Excel number cell with a percent format: Excel shows `value` × 100 %."""

    value: int | float

    def __str__(self) -> str:
        return f"{self.value!r} (opgemaakt als percentage)"


@dataclass(frozen=True)
class FormulaCell:
    """An Excel formula without a saved value: the file was never calculated and saved in Excel."""

    formula: str

    def __str__(self) -> str:
        return self.formula


# Parts of an Excel number format that show text instead of formatting: "…", \x, [Red], _x, *x.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')


def is_percent_format(number_format: str | None) -> bool:
    r"""True when Excel multiplies the number by 100 to show it (a `%` outside quoted text).

    >>> [is_percent_format(f) for f in ("0.0%", "0.00", 'General', '0.00"%"', "0.00\\%", None)]
    [True, False, False, False, False, False]
    """
    return bool(number_format) and "%" in _FORMAT_LITERALS.sub("", number_format or "")


@dataclass
class Table:
    """A table being read: its header, an iterator over (row number, cells), and its size."""

    path: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    count: int | None  # about the number of rows after the header (for a progress bar)


def _problem(code: str, path: Path, **args: Any) -> ConvenantError:
    return ConvenantError([Problem(code, {"path": display_path(path), **args}, Location(display_path(path)))])


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _problem("batch.file_type", path, suffix=suffix or "—", allowed=", ".join(SUFFIXES))
    return suffix


def read_table(path: Path, sheet: str | None = None) -> Table:
    """Open a CSV (comma or semicolon, UTF-8, with or without BOM) or .xlsx table."""
    kind = file_kind(path)
    if kind == CSV and sheet is not None:  # a CSV file has no sheets: never ignore what was asked
        raise _problem("batch.sheet_in_csv", path, sheet=sheet)
    checked_file(path, display_path(path), MAX_TABLE_BYTES)
    return _read_csv(path) if kind == CSV else _read_xlsx(path, sheet)


def _csv_problem(path: Path, error: csv.Error, row: int) -> ConvenantError:
    """A row the csv module cannot read: a cell too long, or a stray quote or NUL byte."""
    where = Location(display_path(path), row)
    if "field larger than field limit" in str(error):
        return ConvenantError([Problem("batch.cell_too_long", {"row": row, "limit": MAX_CELL_CHARS}, where)])
    return ConvenantError([Problem("batch.csv_unreadable", {"row": row}, where)])


def _read_csv(path: Path) -> Table:
    csv.field_size_limit(MAX_CELL_CHARS)  # the csv module's one (global) limit: a longer cell is a csv.Error
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
            count = sum(block.count("\n") for block in iter(lambda: handle.read(1 << 20), ""))
    except UnicodeDecodeError:
        raise _problem("file.not_utf8", path) from None
    except OSError as error:
        raise _problem("file.unreadable", path, reason=error.strerror or str(error)) from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error as error:
        raise _csv_problem(path, error, 1) from None
    if not any(header):
        raise _problem("batch.no_header", path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                next(reader)
                for number, row in enumerate(reader, start=2):
                    if any(cell.strip() for cell in row):
                        yield number, row  # a short or long row stays as it is: the reader refuses it
            except csv.Error as error:
                raise _csv_problem(path, error, reader.line_num) from None

    return Table(display_path(path), header, rows(), count)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # the saved values, and (to tell a formula never calculated from an empty cell) the
        # formulas; both read as a stream, so memory stays bounded however long the sheet is
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError):
        raise _problem("file.not_xlsx", path) from None  # a renamed CSV, a truncated file
    except OSError as error:
        raise _problem("file.unreadable", path, reason=error.strerror or type(error).__name__) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise _problem("batch.no_sheet", path, sheet=sheet, sheets=", ".join(book.sheetnames))
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    cells = _readable(
        path, zip_longest(worksheet.iter_rows(), formulas[worksheet.title].iter_rows(), fillvalue=())
    )
    header_row = next(cells, None)
    header = ["" if c is None else str(c).strip() for c in _values(*header_row)] if header_row else []
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise _problem("batch.no_header", path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, (row, source) in enumerate(cells, start=2):
            values = _values(row, source)
            while len(values) > len(header) and values[-1] is None:
                values.pop()
            if any(v is not None and str(v).strip() != "" for v in values):
                yield number, values + [None] * (len(header) - len(values))
        book.close()
        formulas.close()

    count = worksheet.max_row - 1 if worksheet.max_row else None
    return Table(display_path(path), header, rows(), count)


def _values(row: Any, source: Any) -> list[Any]:
    """The cells of one Excel row: the saved values, a percent-formatted number as a
    `PercentCell`, a formula without a saved value as a `FormulaCell`."""
    values: list[Any] = []
    for cell, formula in zip_longest(row, source, fillvalue=None):
        value = getattr(cell, "value", None)
        if value is None and formula is not None and getattr(formula, "data_type", None) == "f":
            value = FormulaCell(str(formula.value))
        elif (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            and is_percent_format(getattr(cell, "number_format", None))
        ):
            value = PercentCell(value)
        values.append(value)
    return values


def _readable(path: Path, cells: Iterator[Any]) -> Iterator[Any]:
    """The rows of a worksheet; a damaged sheet inside the zip is an invalid Excel file."""
    try:
        yield from cells
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError, OSError):
        raise _problem("file.not_xlsx", path) from None


def starts_with(path: Path, columns: list[str]) -> bool:
    """Whether the table at `path` has a header that begins with `columns` (the first sheet of an
    .xlsx; a CSV with commas or semicolons, as Excel may save it again): how `batch` recognises
    its own results file. Anything unreadable is not."""
    try:
        if file_kind(path) == CSV:
            with path.open("rb") as handle:
                first = handle.read(1 << 16).decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
            cells = next(csv.reader([first], delimiter=";" if ";" in first else ","), [])
        else:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                row = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), ())
            finally:
                book.close()
            cells = ["" if c is None else str(c) for c in row]
    except Exception:  # a file that is not a readable table is not one of ours
        return False
    return [c.strip() for c in cells[: len(columns)]] == columns


class AtomicWriter:
    """Rows to a CSV or .xlsx file that appears, complete, only on `commit`: written to a hidden
    temporary file in the target's folder, renamed over the target (`replace`) or, without
    `replace`, only where no file is. On any failure or interrupt the temporary file is removed."""

    def __init__(self, path: Path, header: list[str], replace: bool = False) -> None:
        self.path, self.kind, self.replace = path, file_kind(path), replace
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError as error:
            raise cannot_write(path.parent, error) from None
        os.close(handle)
        self.temporary = Path(temporary)
        try:
            if self.kind == CSV:
                self.handle = self.temporary.open("w", encoding="utf-8", newline="")
                self.csv = csv.writer(self.handle, lineterminator="\n")
                self.csv.writerow(header)
            else:
                import openpyxl

                self.book = openpyxl.Workbook(write_only=True)
                self.sheet = self.book.create_sheet("uitkomsten")
                self.sheet.append(header)
        except BaseException:
            self.discard()
            raise

    def write(self, rows: list[list[str]]) -> None:
        try:
            if self.kind == CSV:
                self.csv.writerows(rows)
            else:
                for row in rows:
                    self.sheet.append(row)
        except OSError as error:
            raise cannot_write(self.path.parent, error) from None

    def commit(self) -> None:
        try:
            if self.kind == CSV:
                self.handle.close()
            else:
                self.book.save(self.temporary)
            os.chmod(self.temporary, umask_mode(0o666))  # mkstemp makes it private
            place(self.temporary, self.path, self.replace)
        except OSError as error:
            raise cannot_write(self.path, error) from None

    def discard(self) -> None:
        if self.kind == CSV and hasattr(self, "handle"):
            self.handle.close()
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.discard()
            return
        try:
            self.commit()
        except BaseException:
            self.discard()
            raise


def save_workbook(book: Any, path: Path) -> None:
    """Save an openpyxl workbook as `path` the way `AtomicWriter` writes a table: to a hidden
    temporary file beside it, renamed into place only where no file is (never over one), and
    removed again on any failure or interrupt."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise cannot_write(path.parent, error) from None
    os.close(handle)
    written = Path(temporary)
    try:
        book.save(written)
        os.chmod(written, umask_mode(0o666))  # mkstemp makes it private
        place(written, path, replace=False)
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        written.unlink(missing_ok=True)
