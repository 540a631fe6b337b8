"""A CSV's cells as bytes, a whole column at once: the fast path of `convenant batch` (issue 15).

Writing: a column is a *packed* column, a (rows, width) uint8 matrix holding each cell's bytes
with zero bytes wherever there is none (a cell's text is its row's non-zero bytes, in order).
Whole numbers, amounts in cents, fractions and yes/no are packed by numpy from their int64 or
bool arrays (`integers`, `money`, `fractions`, `booleans`), texts from their Python strings
(`texts`, quoted as the csv module quotes them). `join` lays the packed columns of a chunk side
by side with their delimiters and line ends and drops the zero bytes: the CSV's bytes, exactly
what `csv.writer` writes for the same texts (tests/test_batch_io.py holds them to it). A text
the csv module might write otherwise (a carriage return, a NUL) is not packed (`texts` gives
None) and the chunk goes through the csv module.

Reading: `Cells` finds the cells of a chunk of lines on the bytes (one pass for the bytes that
are no digit), and reads a column of whole numbers or amounts when every cell has the usual form
(`-?(0|[1-9][0-9]{0,14})`, for amounts a point or comma and two digits): eight digits at a time
from one unaligned 64-bit word per cell. What it cannot prove is left to the cell-by-cell reader
(`engine.batch.scenarios`), so every message stays the one that cell gets on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NEWLINE, QUOTE, MINUS, POINT, ZERO = 10, 34, 45, 46, 48
_POWERS = np.array([10**k for k in range(1, 19)], dtype=np.int64)  # 10 … 10¹⁸
_QUADS = np.array([f"{k:04d}".encode() for k in range(10_000)], dtype="S4").view(np.uint32)
_PAIRS = np.array([f"{k:02d}".encode() for k in range(100)], dtype="S2").view(np.uint16)
INT64_MIN = -(2**63)

# --- writing ----------------------------------------------------------------------------------


def _magnitude_digits(magnitude: np.ndarray, minus: np.ndarray | None) -> np.ndarray:
    """Non-negative int64 values as right-aligned ASCII digits (no leading zeros), with a '-' before
    those where `minus` holds: a (rows, width) matrix, zero bytes before each number."""
    n = len(magnitude)
    top = int(magnitude.max()) if n else 0
    groups = max(1, (len(str(top)) + 3) // 4)
    parts = np.empty((n, groups), dtype=np.uint32)
    rest = magnitude
    for g in range(groups - 1, -1, -1):
        rest, low = np.divmod(rest, 10_000)
        parts[:, g] = _QUADS[low]
    width = 4 * groups
    digits = parts.view(np.uint8).reshape(n, width)
    count = np.searchsorted(_POWERS, magnitude, side="right") + 1  # how many digits each has
    matrix = np.zeros((n, width + 1), dtype=np.uint8)
    matrix[:, 1:] = np.where(np.arange(width) >= (width - count)[:, None], digits, 0)
    if minus is not None and minus.any():
        rows = np.flatnonzero(minus)
        matrix[rows, width - count[rows]] = MINUS
    return matrix


def integers(values: np.ndarray) -> np.ndarray | None:
    """Whole numbers (int64) as `str` writes them; None for −2⁶³ (no int64 opposite)."""
    values = np.asarray(values)
    if values.dtype != np.int64 or (values.size and int(values.min()) == INT64_MIN):
        return None
    return _magnitude_digits(np.abs(values), values < 0)


def money(cents: np.ndarray) -> np.ndarray | None:
    """Whole cents (int64) as money.plain writes them ('-1234.50'); None for −2⁶³."""
    cents = np.asarray(cents)
    if cents.dtype != np.int64 or (cents.size and int(cents.min()) == INT64_MIN):
        return None
    magnitude = np.abs(cents)
    whole, part = np.divmod(magnitude, 100)
    digits = _magnitude_digits(whole, cents < 0)
    matrix = np.empty((len(cents), digits.shape[1] + 3), dtype=np.uint8)
    matrix[:, :-3] = digits
    matrix[:, -3] = POINT
    matrix[:, -2:] = _PAIRS[part].view(np.uint8).reshape(-1, 2)
    return matrix


def fractions(numerators: np.ndarray, denominators: np.ndarray) -> np.ndarray | None:
    """Reduced fractions as 'a/b', and 'a' where b is 1; None beyond int64."""
    top = integers(numerators)
    bottom = integers(denominators)
    if top is None or bottom is None:
        return None
    matrix = np.empty((len(top), top.shape[1] + 1 + bottom.shape[1]), dtype=np.uint8)
    matrix[:, : top.shape[1]] = top
    matrix[:, top.shape[1]] = ord("/")
    matrix[:, top.shape[1] + 1 :] = bottom
    matrix[np.asarray(denominators) == 1, top.shape[1] :] = 0
    return matrix


_TRUE_FALSE = np.frombuffer(b"true\0false", dtype=np.uint8).reshape(2, 5)[::-1]  # [false, true]


def booleans(values: np.ndarray) -> np.ndarray:
    """Yes/no as 'true'/'false'."""
    return _TRUE_FALSE[np.asarray(values, dtype=bool).view(np.int8)]


def constant(n: int, text: str) -> np.ndarray:
    """The same text in every row (no quoting needed: a status, an empty column)."""
    row = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    return np.broadcast_to(row, (n, len(row)))


def texts(cells: Sequence[str], delimiter: str) -> np.ndarray | None:
    """Python strings as the csv module writes them (a cell with the delimiter, a quote or a line
    break between quotes, its quotes doubled); None for a text it may write otherwise (a carriage
    return or NUL in it), or one that is no UTF-8 (then the csv module gives its own error)."""
    n = len(cells)
    if n == 0:
        return np.zeros((0, 0), dtype=np.uint8)
    first = cells[0]
    if cells.count(first) == n and not _special(first, delimiter):  # the same text throughout
        return constant(n, first)
    joined = "\n".join(cells)
    if "\r" in joined or "\0" in joined:
        return None
    if delimiter in joined or '"' in joined or joined.count("\n") != n - 1:
        cells = [_quoted(c) if _special(c, delimiter) else c for c in cells]
        joined = "\n".join(cells)
    try:
        data = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)
    except UnicodeEncodeError:
        return None
    ends = np.flatnonzero(data == NEWLINE)
    if len(ends) != n - 1:  # a quoted line break: such cells are few; place them one by one
        return _rows_of([c.encode("utf-8") for c in cells])
    starts = np.concatenate(([0], ends + 1))
    lengths = np.append(ends, len(data)) - starts
    width = int(lengths.max())
    matrix = np.zeros((n, width), dtype=np.uint8)
    kept = data[data != NEWLINE]
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    within = np.arange(len(kept), dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    matrix.ravel()[rows * width + within] = kept
    return matrix


def _rows_of(encoded: list[bytes]) -> np.ndarray:
    width = max(map(len, encoded), default=0)
    matrix = np.zeros((len(encoded), width), dtype=np.uint8)
    for i, cell in enumerate(encoded):
        matrix[i, : len(cell)] = np.frombuffer(cell, dtype=np.uint8)
    return matrix


def _special(cell: str, delimiter: str) -> bool:
    return delimiter in cell or '"' in cell or "\n" in cell or "\r" in cell or "\0" in cell


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


def join(columns: Sequence[np.ndarray], delimiter: str) -> bytes:
    """Packed columns (each as many rows) as the lines of a CSV: cells between delimiters, each row
    ending in a line break."""
    if not columns:
        return b""
    n = columns[0].shape[0]
    total = sum(c.shape[1] + 1 for c in columns)
    matrix = np.zeros((n, total), dtype=np.uint8)
    at = 0
    separator = ord(delimiter)
    for j, column in enumerate(columns):
        width = column.shape[1]
        if width:
            matrix[:, at : at + width] = column
        matrix[:, at + width] = NEWLINE if j == len(columns) - 1 else separator
        at += width + 1
    flat = matrix.ravel()
    return flat[flat != 0].tobytes()


def unpacked(column: np.ndarray) -> list[str]:
    """A packed column's texts (for the csv module or an Excel file)."""
    n = column.shape[0]
    if n == 0:
        return []
    marked = np.zeros((n, column.shape[1] + 1), dtype=np.uint8)
    marked[:, :-1] = column
    marked[:, -1] = NEWLINE
    flat = marked.ravel()
    return flat[flat != 0].tobytes().decode("utf-8").split("\n")[:-1]


# --- reading ----------------------------------------------------------------------------------

_PAD = 24  # digits before the chunk: an 8-byte word ending anywhere in it lies inside the buffer
_ZEROS = np.uint64(0x3030303030303030)
_LOW = np.array([(1 << (8 * g)) - 1 for g in range(9)], dtype=np.uint64)  # the g lowest bytes
_EIGHT = np.uint64(10**8)


def _eight_digits(words: np.ndarray) -> np.ndarray:
    """Eight ASCII digits per little-endian word (the first digit in the lowest byte) as their
    number, by three multiplications (as simdjson parses eight digits)."""
    x = words - _ZEROS
    x = x * np.uint64(10) + (x >> np.uint64(8))
    low = (x & np.uint64(0x000000FF000000FF)) * np.uint64(100 + (1_000_000 << 32))
    high = ((x >> np.uint64(16)) & np.uint64(0x000000FF000000FF)) * np.uint64(1 + (10_000 << 32))
    return ((low + high) >> np.uint64(32)).astype(np.int64)


class Cells:
    """The cells of a chunk of whole lines of a CSV without quotes, carriage returns or NUL bytes,
    found on its bytes: row by row and column by column, where each cell starts and ends. `of`
    gives None when a line has another number of cells, a line may be empty (only delimiters and
    spaces: no row), or a cell is longer than `longest` bytes: the lines' own reader decides."""

    def __init__(self, buffer: bytes, width: int, delimiter: int) -> None:
        self.buffer = buffer
        self.bytes = np.frombuffer(buffer, dtype=np.uint8)
        self.width, self.delimiter = width, delimiter

    @classmethod
    def of(cls, data: bytes, width: int, delimiter: str, longest: int) -> Cells | None:
        if not data.endswith(b"\n"):
            data += b"\n"
        cells = cls(b"0" * _PAD + data, width, ord(delimiter))
        b = cells.bytes
        others = np.flatnonzero((b - np.uint8(ZERO)) > 9)  # every byte that is no digit
        found = b[others]
        ends = np.flatnonzero((found == cells.delimiter) | (found == NEWLINE))  # into `others`
        rows = len(ends) // width if width else 0
        if width == 0 or len(ends) != rows * width or rows != int(np.count_nonzero(found == NEWLINE)):
            return None
        ends = ends.reshape(rows, width)
        if not (found[ends[:, -1]] == NEWLINE).all():
            return None
        stop = others[ends]  # each cell's delimiter (or line end)
        start = np.empty_like(stop)
        start[:, 1:] = stop[:, :-1] + 1
        start[0, 0] = _PAD
        start[1:, 0] = stop[:-1, -1] + 1
        if rows and int((stop - start).max()) > longest:
            return None
        before = np.empty_like(ends)  # the terminator before each cell, in `others` (−1: none)
        before.ravel()[1:] = ends.ravel()[:-1]
        before.ravel()[0] = -1
        cells.rows, cells.start, cells.stop = rows, start, stop
        cells.others, cells.found, cells.ends, cells.before = others, found, ends, before
        # a line with no digit in it may be empty (delimiters and spaces only): its own reader skips it
        line_bytes = stop[:, -1] - start[:, 0] + 1
        line_others = ends[:, -1] - before[:, 0]
        for r in np.flatnonzero(line_bytes == line_others).tolist():
            line = bytes(b[start[r, 0] : stop[r, -1]]).decode("utf-8")
            if not line.replace(delimiter, "").strip():
                return None
        return cells

    def texts(self, j: int) -> list[str]:
        """Column j's cells as Python strings (what splitting each line on the delimiter gives)."""
        start, stop = self.start[:, j], self.stop[:, j]
        lengths = stop - start + 1  # with the delimiter after each, made a line break
        at = np.cumsum(lengths)
        index = np.arange(int(at[-1]) if len(at) else 0, dtype=np.int64) + np.repeat(start - (at - lengths), lengths)
        joined = self.bytes[index]
        joined[at - 1] = NEWLINE
        return joined.tobytes().decode("utf-8").split("\n")[:-1]

    def integers(self, j: int, point: str | None) -> np.ndarray | None:
        """Column j as int64 when every cell is `-?(0|[1-9][0-9]{0,14})`, followed by `point` and two
        digits when a point is given (then in hundredths: cents); None when any cell is not."""
        start, stop = self.start[:, j], self.stop[:, j]
        inner = self.ends[:, j] - self.before[:, j] - 1  # the bytes in the cell that are no digit
        extra = 1 if point else 0
        minus = inner == extra + 1
        if not ((inner == extra) | minus).all():
            return None
        others, found = self.others, self.found
        if minus.any():
            first = self.before[:, j][minus] + 1
            if not ((others[first] == start[minus]) & (found[first] == MINUS)).all():
                return None
        end = stop - 3 if point else stop  # the end of the whole number
        if point:
            mark = self.ends[:, j] - 1
            if not ((others[mark] == end) & (found[mark] == ord(point))).all():
                return None
        begin = start + minus
        count = end - begin
        if not ((count >= 1) & (count <= 15)).all():
            return None
        b = self.bytes
        if ((b[begin] == ZERO) & (count > 1)).any():  # a leading zero
            return None
        words = np.ndarray(shape=(len(b) - 7,), dtype="<u8", buffer=self.buffer, strides=(1,))
        low = words[end - 8]
        g = np.maximum(8 - count, 0)
        low = (low & ~_LOW[g]) | (_ZEROS & _LOW[g])
        values = _eight_digits(low)
        if int(count.max()) > 8:
            high = words[end - 16]
            g = np.minimum(16 - count, 8)
            high = (high & ~_LOW[g]) | (_ZEROS & _LOW[g])
            values += _eight_digits(high) * np.int64(10**8)
        if point:
            values = values * 100 + (b[stop - 2].astype(np.int64) - ZERO) * 10 + (b[stop - 1] - ZERO)
        return np.where(minus, -values, values)

    def booleans(self, j: int) -> np.ndarray | None:
        """Column j as bools when every cell is `true` or `false`; None when any is not."""
        start, stop = self.start[:, j], self.stop[:, j]
        words = np.ndarray(shape=(len(self.bytes) - 3,), dtype="<u4", buffer=self.buffer, strides=(1,))
        last = words[stop - 4]
        length = stop - start
        true = (length == 4) & (last == _TRUE)
        false = (length == 5) & (last == _ALSE) & (self.bytes[start] == ord("f"))
        return true if (true | false).all() else None


_TRUE = np.frombuffer(b"true", dtype="<u4")[0]
_ALSE = np.frombuffer(b"alse", dtype="<u4")[0]
