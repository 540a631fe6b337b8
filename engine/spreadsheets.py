"""Spreadsheet files (CSV, Excel) for batch runs: read a CSV or Excel table row by row, write one atomically.

Reading gives the header and the rows as cells, each with its row number as a spreadsheet
shows it (the header is row 1). CSV cells are text; Excel cells keep their type (text, whole
number, number, yes/no, date), and `engine.scenarios` reads them exactly. Writing goes to a
temporary file beside the target, renamed over it only when everything was written: a failed
run leaves no partial file and does not touch an earlier one.

Limits (docs/analysts.md): a table file is a regular file of at most MAX_TABLE_BYTES, and a CSV
cell holds at most MAX_CELL_CHARS characters (a number or a scenario's name needs far fewer).
"""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from convenant.diagnostics import ConvenantError, Location, Problem
from convenant.paths import display_path
from convenant.reading import checked_file

CSV, XLSX = ".csv", ".xlsx"
SUFFIXES = (CSV, XLSX)
MAX_TABLE_BYTES = 1024 * 1024 * 1024  # 1 GiB: some millions of scenarios
MAX_CELL_CHARS = 10_000


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
                        yield number, row + [""] * (len(header) - len(row))  # longer rows stay longer
            except csv.Error as error:
                raise _csv_problem(path, error, reader.line_num) from None

    return Table(display_path(path), header, rows(), count)


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError):
        raise _problem("file.not_xlsx", path) from None  # a renamed CSV, a truncated file
    except OSError as error:
        raise _problem("file.unreadable", path, reason=error.strerror or type(error).__name__) from None
    if sheet is not None and sheet not in book.sheetnames:
        raise _problem("batch.no_sheet", path, sheet=sheet, sheets=", ".join(book.sheetnames))
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    cells = _readable(path, worksheet.iter_rows(values_only=True))
    header_row = next(cells, None)
    header = ["" if c is None else str(c).strip() for c in (header_row or ())]
    while header and header[-1] == "":
        header.pop()
    if not header:
        raise _problem("batch.no_header", path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, row in enumerate(cells, start=2):
            values = list(row)
            while len(values) > len(header) and values[-1] is None:
                values.pop()
            if any(v is not None and str(v).strip() != "" for v in values):
                yield number, values + [None] * (len(header) - len(values))
        book.close()

    count = worksheet.max_row - 1 if worksheet.max_row else None
    return Table(display_path(path), header, rows(), count)


def _readable(path: Path, cells: Iterator[Any]) -> Iterator[Any]:
    """The rows of a worksheet; a damaged sheet inside the zip is an invalid Excel file."""
    try:
        yield from cells
    except (zipfile.BadZipFile, ParseError, KeyError, ValueError, EOFError, OSError):
        raise _problem("file.not_xlsx", path) from None


class AtomicWriter:
    """Rows to a CSV or .xlsx file that appears, complete, only on `commit`."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path, self.kind = path, file_kind(path)
        if not path.parent.is_dir():
            raise _problem("file.not_found", path.parent)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        os.close(handle)
        self.temporary = Path(temporary)
        if self.kind == CSV:
            self.handle = self.temporary.open("w", encoding="utf-8", newline="")
            self.csv = csv.writer(self.handle, lineterminator="\n")
            self.csv.writerow(header)
        else:
            import openpyxl

            self.book = openpyxl.Workbook(write_only=True)
            self.sheet = self.book.create_sheet("uitkomsten")
            self.sheet.append(header)

    def write(self, rows: list[list[str]]) -> None:
        if self.kind == CSV:
            self.csv.writerows(rows)
        else:
            for row in rows:
                self.sheet.append(row)

    def commit(self) -> None:
        if self.kind == CSV:
            self.handle.close()
        else:
            self.book.save(self.temporary)
        os.replace(self.temporary, self.path)

    def discard(self) -> None:
        if self.kind == CSV:
            self.handle.close()
        self.temporary.unlink(missing_ok=True)

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()
