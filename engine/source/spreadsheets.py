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

CSV comes in two dialects (docs/analysts.md): `plain` (comma or semicolon, decimal point, no
thousands separators: what `convenant` writes by default) and `nl`, what Dutch Excel writes and
reads (semicolon, decimal comma, a point only as a thousands separator, UTF-8 with BOM). Reading
detects the dialect (a semicolon-separated file is `nl`) unless it is chosen; UTF-8 (with or
without BOM) is read unless cp1252 is declared. A number cell of the `nl` dialect is handed on in
the plain form (`38.412.000,00` → `38412000.00`) by `dutch_number`, which leaves text alone and
marks a number that could be read two ways (`150.000`) as an `AmbiguousCell`, never guessed.

Writing Excel gives each column its kind (`Column`): amounts as numbers in a euro format when the
Excel number is exactly the amount (at most 15 digits: every decimal of at most 15 significant
digits survives a round trip through a binary double), ratios as a percentage beside their exact
fraction, yes/no, dates and years as Excel values; the rows stay a stream (write-only mode).

Limits (docs/analysts.md): a table file is a regular file of at most MAX_TABLE_BYTES, and a CSV
cell holds at most MAX_CELL_CHARS characters (a number or a scenario's name needs far fewer).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import zip_longest
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import numpy as np

from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.output import cannot_write, place, temporary_beside, umask_mode
from convenant.core.paths import display_path
from convenant.core.reading import checked_file
from convenant.source import csvbytes

CSV, XLSX = ".csv", ".xlsx"
SUFFIXES = (CSV, XLSX)
MAX_TABLE_BYTES = 1024 * 1024 * 1024  # 1 GiB: some millions of scenarios
MAX_CELL_CHARS = 10_000
PLAIN, DUTCH, AUTO = "plain", "nl", "auto"  # CSV dialects; AUTO: detect when reading
DIALECTS = (AUTO, PLAIN, DUTCH)
ENCODINGS = ("utf-8", "cp1252")


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


@dataclass(frozen=True)
class AmbiguousCell:
    """A cell of a Dutch CSV that reads as two numbers: `150.000` is 150000 with a thousands
    separator or 150 with a decimal point. It is refused, never guessed."""

    text: str

    def __str__(self) -> str:
        return self.text


# A number as Dutch Excel writes it: a decimal comma, or points between groups of three digits
# before a decimal comma. A point without a comma is unambiguous when it cannot be a thousands
# separator (`1234.50`); `150.000` and `1.234` could be either, and are refused.
_DUTCH_DECIMAL = re.compile(r"^(\s*[-+]?)([0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),([0-9]+)(\s*)$")
_DUTCH_GROUPED = re.compile(r"^\s*[-+]?[0-9]{1,3}(?:\.[0-9]{3})+\s*$")


def dutch_number(cell: Any) -> Any:
    """A cell of the Dutch dialect as the plain dialect writes it; text that is no number stays.

    >>> [dutch_number(c) for c in ("38412000,00", "38.412.000,00", "-0,5", "1234.50", "2024", "a,b")]
    ['38412000.00', '38412000.00', '-0.5', '1234.50', '2024', 'a,b']
    >>> dutch_number("150.000"), dutch_number("1.234.567")
    (AmbiguousCell(text='150.000'), AmbiguousCell(text='1.234.567'))
    """
    if not isinstance(cell, str) or ("," not in cell and "." not in cell):
        return cell
    match = _DUTCH_DECIMAL.match(cell)
    if match is not None:
        return f"{match[1]}{match[2].replace('.', '')}.{match[3]}{match[4]}"
    if _DUTCH_GROUPED.match(cell):
        return AmbiguousCell(cell)
    return cell


@dataclass
class Table:
    """A table being read: its header, an iterator over (row number, cells), and its size.
    `dialect` is the CSV dialect it was read in (PLAIN for an Excel file)."""

    path: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]
    count: int | None  # about the number of rows after the header (for a progress bar)
    dialect: str = PLAIN
    # a UTF-8 CSV without quotes, carriage returns (but those of CR LF line breaks) or NUL bytes:
    # its rows also as chunks of whole lines of bytes (the row number of the first, the bytes:
    # `line_blocks`), and how such a chunk is split into the rows `rows` gives (`split_block`)
    blocks: Callable[[int], Iterator[tuple[int, bytes]]] | None = None
    split: Callable[[int, bytes], list[tuple[int, list[Any]]]] | None = None
    delimiter: str = ","


def _problem(code: str, path: Path, **args: Any) -> ConvenantError:
    return ConvenantError([Problem(code, {"path": display_path(path), **args}, Location(display_path(path)))])


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _problem("batch.file_type", path, suffix=suffix or "—", allowed=", ".join(SUFFIXES))
    return suffix


def read_table(path: Path, sheet: str | None = None, dialect: str = AUTO, encoding: str = "utf-8") -> Table:
    """Open a CSV (comma or semicolon; UTF-8 with or without BOM, or cp1252 when declared; the
    dialect detected or chosen) or .xlsx table."""
    kind = file_kind(path)
    if kind == CSV and sheet is not None:  # a CSV file has no sheets: never ignore what was asked
        raise _problem("batch.sheet_in_csv", path, sheet=sheet)
    checked_file(path, display_path(path), MAX_TABLE_BYTES)
    return _read_csv(path, dialect, encoding) if kind == CSV else _read_xlsx(path, sheet)


def _csv_problem(path: Path, error: csv.Error, row: int) -> ConvenantError:
    """A row the csv module cannot read: a cell too long, or a stray quote or NUL byte."""
    where = Location(display_path(path), row)
    if "field larger than field limit" in str(error):
        return ConvenantError([Problem("batch.cell_too_long", {"row": row, "limit": MAX_CELL_CHARS}, where)])
    return ConvenantError([Problem("batch.csv_unreadable", {"row": row}, where)])


SCAN_BLOCK = 1 << 22  # bytes of a UTF-8 CSV looked at at a time by `_scan`


def _scan(path: Path, encoding: str) -> tuple[str, int, bool, bool]:
    """A CSV's header line, the count of line breaks after it, whether it is simple (no quote,
    carriage return or NUL anywhere: see `_split_rows`), and whether it is simple once each of its
    Windows line breaks (CR LF, as Excel writes a CSV) is read as a line break: every carriage
    return is one before a line feed (a Windows file); UnicodeDecodeError where it is no text in
    its encoding. Of UTF-8 the lines after the header are looked at as bytes (the same bytes: in
    UTF-8 these characters are these bytes and no byte of another character), and decoded only
    to prove them UTF-8 where a byte is no ASCII: it is read once before any row, so it is time
    before the first chunk is read."""
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
        count, simple = 0, True
        if encoding != "utf-8-sig":
            for block in iter(lambda: handle.read(1 << 20), ""):
                count += block.count("\n")
                simple = simple and not ('"' in block or "\r" in block or "\0" in block)
            return first, count, simple, False
    plain, returns, pairs, last = True, 0, 0, b""  # no quote or NUL; CRs; CR LFs; the byte before
    with path.open("rb") as raw:
        bom = raw.read(3) == codecs.BOM_UTF8
        raw.seek(len(first.encode("utf-8")) + (3 if bom else 0))
        decoder = codecs.getincrementaldecoder("utf-8")()
        for part in iter(lambda: raw.read(SCAN_BLOCK), b""):
            data = np.frombuffer(part, dtype=np.uint8)
            count += int(np.count_nonzero(data == csvbytes.NEWLINE))
            plain = plain and not (b'"' in part or b"\0" in part)
            if plain:  # (a CR LF may be cut between two parts)
                returns += part.count(b"\r")
                pairs += part.count(b"\r\n") + (last == b"\r" and part[:1] == b"\n")
            last = part[-1:]
            if decoder.getstate()[0] or int(data.max()) >= 0x80:  # (a character begun in the part before)
                decoder.decode(part)
        decoder.decode(b"", final=True)
    return first, count, plain and not returns, plain and 0 < returns == pairs


def _read_csv(path: Path, dialect: str = AUTO, encoding: str = "utf-8") -> Table:
    csv.field_size_limit(MAX_CELL_CHARS)  # the csv module's one (global) limit: a longer cell is a csv.Error
    encoding = "utf-8-sig" if encoding == "utf-8" else encoding  # a BOM is no part of the header
    try:
        first, count, simple, windows = _scan(path, encoding)
    except UnicodeDecodeError:
        raise _problem("file.not_utf8" if encoding == "utf-8-sig" else "file.not_cp1252", path) from None
    except OSError as error:
        raise _problem("file.unreadable", path, reason=error.strerror or str(error)) from None
    semicolons = first.count(";") > first.count(",")
    delimiter = ";" if semicolons else ","  # the header decides, whatever the dialect
    if dialect == AUTO:
        dialect = DUTCH if semicolons else PLAIN
    try:
        header = [c.strip() for c in next(csv.reader([first], delimiter=delimiter), [])]
    except csv.Error as error:
        raise _csv_problem(path, error, 1) from None
    if not any(header):
        raise _problem("batch.no_header", path)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        if simple:
            yield from _split_rows(path, encoding, delimiter)
            return
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            try:
                next(reader)
                for number, row in enumerate(reader, start=2):
                    if "".join(row).strip():  # a row of empty cells (or only spaces) is no row
                        yield number, row  # a short or long row stays as it is: the reader refuses it
            except csv.Error as error:
                raise _csv_problem(path, error, reader.line_num) from None

    table = Table(display_path(path), header, rows(), count, dialect, delimiter=delimiter)
    if (simple or windows) and encoding == "utf-8-sig":
        table.blocks = lambda size: line_blocks(path, size, windows)
        table.split = lambda number, data: split_block(path, number, data, delimiter)
    return table


def line_blocks(path: Path, size: int, windows: bool = False) -> Iterator[tuple[int, bytes]]:
    """The lines after the header of a UTF-8 CSV, `size` at a time, as bytes (without the BOM), with
    the row number of each chunk's first line; blank lines at the end are left out (no rows). Of a
    `windows` file (`_scan`: every CR is one of a CR LF) each CR LF is given as LF: the lines the
    csv module reads, whose line breaks are no part of a cell (a chunk ends after a LF, so never
    between the two)."""
    if windows:
        for number, data in line_blocks(path, size):
            yield number, data.replace(b"\r\n", b"\n")
        return
    with path.open("rb") as handle:
        head = b""
        while b"\n" not in head:
            more = handle.read(1 << 16)
            if not more:
                return
            head += more
        number, parts, count = 2, [head[head.index(b"\n") + 1 :]], 0
        count = parts[0].count(b"\n")
        for block in iter(lambda: handle.read(1 << 22), b""):
            parts.append(block)
            count += block.count(b"\n")
            while count >= size:
                pending = b"".join(parts)
                cut = _after_line(pending, size)
                yield number, pending[:cut]
                number += size
                parts, count = [pending[cut:]], count - size
        pending = b"".join(parts)
        while pending.count(b"\n") >= size:
            cut = _after_line(pending, size)
            yield number, pending[:cut]
            number, pending = number + size, pending[cut:]
        pending = pending.rstrip(b"\n")
        if pending:
            yield number, pending + b"\n"


def _after_line(data: bytes, size: int) -> int:
    """Where the `size`-th line of `data` ends (after its line break)."""
    return int(np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)[size - 1]) + 1


def split_block(path: Path, number: int, data: bytes, delimiter: str) -> list[tuple[int, list[Any]]]:
    """A chunk of `line_blocks` as `_split_rows` gives its rows (the row number of its first line)."""
    lines = data.decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return list(_split_lines(path, lines, number - 1, delimiter))


def _split_rows(path: Path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header of a CSV without quotes, carriage returns or NUL bytes, split on
    the delimiter a block of lines at a time: what the csv module gives for such a file (a line is
    a row, a cell is the text between delimiters), with the same row numbers and the same refusal
    of a cell longer than MAX_CELL_CHARS, at about twice its speed."""
    number = 1
    with path.open(encoding=encoding, newline="") as handle:
        handle.readline()
        rest = ""
        for block in iter(lambda: handle.read(1 << 20), ""):
            lines = (rest + block).split("\n")
            rest = lines.pop()  # the part of a line after the block's last line break
            yield from _split_lines(path, lines, number, delimiter)
            number += len(lines)
        if rest:
            yield from _split_lines(path, [rest], number, delimiter)


def _split_lines(
    path: Path, lines: list[str], before: int, delimiter: str
) -> Iterator[tuple[int, list[Any]]]:
    if max(map(len, lines), default=0) > MAX_CELL_CHARS:  # a line that long may hold a cell too long
        for number, line in enumerate(lines, start=before + 1):
            if max(map(len, line.split(delimiter))) > MAX_CELL_CHARS:
                where = Location(display_path(path), number)
                problem = Problem("batch.cell_too_long", {"row": number, "limit": MAX_CELL_CHARS}, where)
                raise ConvenantError([problem])
    for number, line in enumerate(lines, start=before + 1):
        if line.replace(delimiter, "").strip():  # a row of empty cells (or only spaces) is no row
            yield number, line.split(delimiter)


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
    """Whether the table at `path` has a header that begins with `columns` (the first or second row
    of the first sheet of an .xlsx; a CSV with commas or semicolons, as Excel may save it again):
    how `batch` recognises its own results file. Anything unreadable is not."""
    try:
        if file_kind(path) == CSV:
            with path.open("rb") as handle:
                first = handle.read(1 << 16).decode("utf-8-sig").split("\n", 1)[0].rstrip("\r")
            cells = next(csv.reader([first], delimiter=";" if ";" in first else ","), [])
        else:
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:  # batch's Excel results have a row of labels above the row of column names
                rows = list(book.worksheets[0].iter_rows(max_row=2, values_only=True))
            finally:
                book.close()
            return any(
                ["" if c is None else str(c).strip() for c in row[: len(columns)]] == columns for row in rows
            )
    except Exception:  # a file that is not a readable table is not one of ours
        return False
    return [c.strip() for c in cells[: len(columns)]] == columns


MONEY, COUNT, RATIO, BOOLEAN, DATE, WHOLE, TEXT = (
    "money",
    "count",
    "ratio",
    "boolean",
    "date",
    "whole",
    "text",
)
# Excel number formats are written with a decimal point and a comma for thousands; Excel shows
# them in the reader's locale: € 1.234,50 in Dutch Excel. [$€-413] is the euro of nl-NL.
EURO_FORMAT = "[$€-413] #,##0.00;[$€-413] -#,##0.00"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "dd-mm-yyyy"
COUNT_FORMAT = "#,##0"
EXACT_DIGITS = 15  # at most this many digits: exact as an Excel number (and shown so by Excel)


@dataclass(frozen=True)
class Column:
    """A column of a results table: its name (the CSV header), its label for an Excel header, and
    its kind: MONEY ('-1234.50'), COUNT, RATIO ('a/b', shown as a percentage beside the exact
    fraction), BOOLEAN ('true'/'false'), DATE (ISO), WHOLE (a row or year number) or TEXT."""

    name: str
    label: str = ""
    kind: str = TEXT
    exact_label: str = ""  # RATIO: the label of the column with the exact fraction beside it


@dataclass(frozen=True)
class Sheet:
    """A worksheet of the Excel results: its title and the columns it shows (indices into a row)."""

    title: str
    columns: tuple[int, ...]
    frozen: int = 2  # the columns that stay in view (rij, scenario)


@dataclass
class Layout:
    """The columns of a results table, and how an Excel file spreads them over sheets (one sheet
    of every column when `sheets` is empty)."""

    columns: list[Column]
    sheets: list[Sheet] = field(default_factory=list)

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]


def excel_value(kind: str, text: str) -> Any:
    """A cell's text (as the CSV has it) as an Excel value; text where an Excel number would not
    be exactly the value (more than 15 digits).

    >>> [excel_value(MONEY, t) for t in ("-1234.50", "314170.85", "", "1234567890123456.78")]
    [-1234.5, 314170.85, None, '1234567890123456.78']
    >>> excel_value(COUNT, "25812"), excel_value(BOOLEAN, "false"), excel_value(DATE, "2024-07-01")
    (25812, False, datetime.date(2024, 7, 1))
    >>> excel_value(RATIO, "1/8"), excel_value(WHOLE, "2024")
    (0.125, 2024)
    """
    if text == "":
        return None
    if kind == MONEY or kind == COUNT or kind == WHOLE:
        if sum(ch.isdigit() for ch in text) > EXACT_DIGITS:
            return text
        return float(text) if kind == MONEY else int(text)  # float(): the nearest double, exactly
    if kind == RATIO:
        return float(Fraction(text))  # shown rounded; the exact fraction stands beside it
    if kind == BOOLEAN:
        return text == "true"
    if kind == DATE:
        return date.fromisoformat(text)
    return text


_FORMATS = {MONEY: EURO_FORMAT, COUNT: COUNT_FORMAT, RATIO: PERCENT_FORMAT, DATE: DATE_FORMAT}


def dutch_text(kind: str, text: str) -> str:
    """A cell's text in the Dutch CSV dialect: an amount with a decimal comma.

    >>> dutch_text(MONEY, "-1234.50"), dutch_text(TEXT, "a.b"), dutch_text(RATIO, "1/8")
    ('-1234,50', 'a.b', '1/8')
    """
    return text.replace(".", ",") if kind == MONEY else text


class AtomicWriter:
    """Rows to a CSV or .xlsx file that appears, complete, only on `commit`: written to a hidden
    temporary file in the target's folder, renamed over the target (`replace`) or, without
    `replace`, only where no file is. On any failure or interrupt the temporary file is removed.

    Rows are the cells' texts (as the plain CSV has them); a CSV in the Dutch dialect writes
    amounts with a decimal comma, semicolons and a BOM; an Excel file writes every column as its
    kind (`excel_value`), under a styled, frozen header of labels and names."""

    def __init__(
        self, path: Path, layout: Layout | Sequence[str], replace: bool = False, dialect: str = PLAIN
    ) -> None:
        if not isinstance(layout, Layout):
            layout = Layout([Column(name) for name in layout])
        self.path, self.kind, self.replace, self.layout = path, file_kind(path), replace, layout
        self.dutch = dialect == DUTCH
        self.money = [i for i, c in enumerate(layout.columns) if c.kind == MONEY]
        self.writing: Any = None  # a thread that writes a CSV's chunks (`_write_later`)
        self.pending: Any = None  # the chunk it is writing
        try:
            self.temporary = temporary_beside(path)
        except OSError as error:
            raise cannot_write(path.parent, error) from None
        try:
            if self.kind == CSV:
                encoding = "utf-8-sig" if self.dutch else "utf-8"  # Dutch Excel reads UTF-8 only with a BOM
                self.handle = self.temporary.open("w", encoding=encoding, newline="")
                self.csv = csv.writer(self.handle, delimiter=";" if self.dutch else ",", lineterminator="\n")
                self.csv.writerow(layout.header)
            else:
                self._open_book()
        except BaseException:
            self.discard()
            raise

    def _open_book(self) -> None:
        import openpyxl

        self.book = openpyxl.Workbook(write_only=True)
        sheets = self.layout.sheets or [Sheet("uitkomsten", tuple(range(len(self.layout.columns))))]
        self.sheets = []
        for spec in sheets:
            sheet = self.book.create_sheet(_sheet_title(spec.title))
            shown = [self.layout.columns[i] for i in spec.columns]
            kinds: list[tuple[int, str, bool]] = []  # (row index, kind, the exact fraction beside it)
            labels, names = [], []
            for i, column in zip(spec.columns, shown, strict=True):
                kinds.append((i, column.kind, False))
                labels.append(column.label or column.name)
                names.append(column.name)
                if column.kind == RATIO:
                    kinds.append((i, TEXT, True))
                    labels.append(column.exact_label or column.name)
                    names.append(f"{column.name}.exact")
            for n, (_, kind, exact) in enumerate(kinds):
                letter = _letter(n)
                sheet.column_dimensions[letter].width = (
                    10 if kind in (WHOLE, BOOLEAN) else 16 if not exact else 24
                )
            sheet.freeze_panes = f"{_letter(min(spec.frozen, len(kinds)))}3"
            sheet.page_setup.orientation = "landscape"  # printed: as wide as the page, the header on each
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
            sheet.print_title_rows = "1:2"
            sheet.append(_header_cells(sheet, labels, bold=True))
            sheet.append(_header_cells(sheet, names, bold=False))
            formats = [_cell_style(sheet, kind) for _, kind, _ in kinds]
            self.sheets.append((sheet, kinds, formats))

    def write(self, rows: list[list[str]]) -> None:
        try:
            if self.kind == CSV:
                self._written()
                if self.dutch and self.money:
                    for row in rows:
                        for i in self.money:
                            row[i] = row[i].replace(".", ",")
                self.csv.writerows(rows)
            else:
                for sheet, kinds, formats in self.sheets:
                    for row in rows:
                        sheet.append(
                            [
                                _styled(cell, excel_value(kind, row[i]) if not exact else row[i] or None)
                                for (i, kind, exact), cell in zip(kinds, formats, strict=True)
                            ]
                        )
        except OSError as error:
            raise cannot_write(self.path.parent, error) from None

    def write_columns(self, columns: Sequence[Any]) -> None:
        """Rows given column by column (each a list of the cells' texts, a packed column of
        `csvbytes`, or `csvbytes.Deferred` columns made when written; all as long): written as
        `write` writes their rows. A CSV's chunk is made as bytes a column at once
        (`csvbytes.join`) and written with one write by a thread of its own, unless a text needs
        what only the csv module does (`csvbytes.texts`); a Dutch CSV's amounts get their
        decimal comma a column at once (an amount's text is digits, a sign and one point)."""
        columns = list(columns)
        if self.kind != CSV:
            self.write([list(row) for row in zip(*_texts_of(columns), strict=True)])
            return
        delimiter = ";" if self.dutch else ","
        try:
            self._written()  # the chunk before this one (its error, if any, is raised here)
            packed = [
                c if isinstance(c, np.ndarray | csvbytes.Deferred) else csvbytes.texts(c, delimiter)
                for c in columns
            ]
            if all(p is not None for p in packed):
                self._write_later(packed, columns, delimiter)
            else:
                self._write_texts(columns)
        except OSError as error:
            raise cannot_write(self.path.parent, error) from None

    def _write_texts(self, columns: list[Any]) -> None:
        """A chunk through the csv module (a Dutch CSV's amounts with a decimal comma)."""
        texts = _texts_of(columns)
        for i in self.money if self.dutch else ():
            if texts[i]:
                texts[i] = "\n".join(texts[i]).replace(".", ",").split("\n")
        self.csv.writerows(zip(*texts, strict=True))

    def _write_later(self, packed: list[Any], columns: list[Any], delimiter: str) -> None:
        """A chunk's columns made (`csvbytes.Deferred`), joined and written by a thread of its own,
        while the caller makes the next chunk (numpy and the write let the other thread run):
        `_written` waits for it."""
        if self.writing is None:
            from concurrent.futures import ThreadPoolExecutor

            self.writing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="convenant-write")

        def write() -> None:
            made: list[np.ndarray] = []
            for column in packed:
                if isinstance(column, csvbytes.Deferred):
                    part = column.packed(delimiter)
                    if part is None:  # a text only the csv module writes
                        self._write_texts(columns)
                        return
                    made.extend(part)
                else:
                    made.append(column)
            for i in self.money if self.dutch else ():
                made[i] = np.where(made[i] == csvbytes.POINT, ord(","), made[i]).astype(np.uint8)
            data = csvbytes.join(made, delimiter)
            self.handle.flush()  # the header (and any rows the csv module wrote) first
            self.handle.buffer.write(data)

        self.pending = self.writing.submit(write)

    def _written(self) -> None:
        """Wait for the chunk a thread is writing; its error (a full disk) is raised here."""
        pending, self.pending = self.pending, None
        if pending is not None:
            pending.result()

    def _stop_writing(self) -> None:
        """Wait for a thread that writes (whatever it raises: the file is thrown away), then end it."""
        try:
            self._written()
        except BaseException:
            pass
        finally:
            if self.writing is not None:
                self.writing.shutdown(wait=True)
                self.writing = None

    def commit(self) -> None:
        if self.kind == CSV:
            try:
                self._written()  # the last chunk: its error is one of writing, as any chunk's
            except OSError as error:
                raise cannot_write(self.path.parent, error) from None
        try:
            if self.kind == CSV:
                self._stop_writing()
                self.handle.close()
            else:
                self.book.save(self.temporary)
            os.chmod(self.temporary, umask_mode(0o666))  # mkstemp makes it private
            place(self.temporary, self.path, self.replace)
        except OSError as error:
            raise cannot_write(self.path, error) from None

    def discard(self) -> None:
        self._stop_writing()
        if self.kind == CSV and hasattr(self, "handle"):
            self.handle.close()
        for sheet, _, _ in getattr(self, "sheets", ()):  # an Excel file's sheets stream their rows:
            try:  # closed here, in order, rather than by the garbage collector in any order
                sheet.close()
            except Exception:  # a half-written sheet of a file that is thrown away
                pass
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


def _texts_of(columns: list[Any]) -> list[list[str]]:
    """Columns as the cells' texts: packed ones unpacked, deferred ones made as texts."""
    texts: list[list[str]] = []
    for column in columns:
        if isinstance(column, csvbytes.Deferred):
            texts.extend(column.texts())
        else:
            texts.append(csvbytes.unpacked(column) if isinstance(column, np.ndarray) else column)
    return texts


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n + 1)


def _sheet_title(title: str) -> str:
    """A sheet's title as Excel allows it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "uitkomsten"


def _header_cells(sheet: Any, texts: list[str], bold: bool) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=text)
        if bold:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        else:
            cell.font = Font(italic=True, color="666666", size=9)
            cell.border = Border(bottom=Side(style="thin"))
        cells.append(cell)
    return cells


def _cell_style(sheet: Any, kind: str) -> Any:
    """A template cell with the number format of a kind (None: the General format)."""
    from openpyxl.cell import WriteOnlyCell

    number_format = _FORMATS.get(kind)
    if number_format is None:
        return None
    cell = WriteOnlyCell(sheet)
    cell.number_format = number_format
    return cell


def _styled(template: Any, value: Any) -> Any:
    """The value in a cell formatted as `template` (a number as text stays General). The column's one
    template cell carries each row's value: a write-only sheet writes a row as it is appended, so
    the cell is free again for the next row (a new styled cell per value made writing six times
    slower)."""
    if template is None or value is None or isinstance(value, str):
        return value
    template.value = value
    return template


def save_workbook(book: Any, path: Path) -> None:
    """Save an openpyxl workbook as `path` the way `AtomicWriter` writes a table: to a hidden
    temporary file beside it, renamed into place only where no file is (never over one), and
    removed again on any failure or interrupt."""
    try:
        written = temporary_beside(path)
    except OSError as error:
        raise cannot_write(path.parent, error) from None
    try:
        book.save(written)
        os.chmod(written, umask_mode(0o666))  # mkstemp makes it private
        place(written, path, replace=False)
    except OSError as error:
        raise cannot_write(path, error) from None
    finally:
        written.unlink(missing_ok=True)
