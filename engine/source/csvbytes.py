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

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

NEWLINE, QUOTE, MINUS, POINT, ZERO = 10, 34, 45, 46, 48
_TEN_THOUSAND = np.uint64(10_000)
_QUADS = np.array([f"{k:04d}".encode() for k in range(10_000)], dtype="S4").view(np.uint32)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_LEADING = np.array([f"{k:>4}".replace(" ", "\0").encode() for k in range(10_000)], dtype="S4")
_LEADING[0] = b""  # no digit at all: a group before a number's first digit
_QUADS_ANY = np.concatenate([_QUADS, _LEADING.view(np.uint32)])  # [q]: digits before; [10⁴ + q]: none
_QUADS_LAST = _QUADS_ANY.copy()
_QUADS_LAST[10_000] = np.frombuffer(b"\0\0\0" + b"0", dtype=np.uint32)[0]  # the last group of zero: '0'
_CENTS = np.array([f".{k:02d}".encode() for k in range(100)], dtype="S4").view(np.uint32)  # '.05' and \0
_POWERS = np.array([10**k for k in range(19)], dtype=np.int64)  # 1, 10, …, 10¹⁸: a number's digits

# --- writing ----------------------------------------------------------------------------------


def _magnitude_digits(
    magnitude: np.ndarray, minus: np.ndarray | None, after: np.ndarray | None = None
) -> np.ndarray:
    """Non-negative int64 values as right-aligned ASCII digits (no leading zeros), with a '-' before
    those where `minus` holds: a (rows, width) matrix, zero bytes before each number. Made four
    digits at a time, in groups of four bytes, from a table of '0000' … '9999' where more digits
    come before, and else of the digits with zero bytes for their leading zeros (a group of zero
    bytes for 0, but a '0' in the last group): no leading zero is made, so none is removed.
    `after`: four more bytes per row after the digits (an amount's cents, `_CENTS`)."""
    n = len(magnitude)
    size = len(str(int(magnitude.max()))) if n else 1  # the most digits of any
    signed = minus is not None and bool(minus.any())
    groups = (size + signed + 3) // 4
    parts = np.empty((n, groups + (after is not None)), dtype=np.uint32)  # most significant first
    if after is not None:
        parts[:, groups] = after
    rest = magnitude
    for g in range(groups - 1, 0, -1):
        quotient = rest // 10_000
        table = _QUADS_LAST if g == groups - 1 else _QUADS_ANY
        parts[:, g] = table[rest - quotient * 10_000 + (quotient == 0) * 10_000]  # none before: [10⁴ + q]
        rest = quotient
    parts[:, 0] = (_QUADS_LAST if groups == 1 else _QUADS_ANY)[rest + 10_000]  # nothing before the first
    digits = parts.view(np.uint8)  # (n, 4 × groups)
    if signed:
        assert minus is not None
        rows = np.flatnonzero(minus)
        count = np.maximum(np.searchsorted(_POWERS, magnitude[rows], side="right"), 1)  # its digits
        digits[rows, 4 * groups - count - 1] = MINUS
    return digits


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
    return _magnitude_digits(whole, cents < 0, _CENTS[part])  # the cents made beside the digits


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


@dataclass(frozen=True)
class Deferred:
    """Columns made only when they are written (by the thread that writes a CSV's chunks): packed
    for a delimiter (None: a text only the csv module writes), or as texts (an Excel file, or a
    chunk that goes through the csv module)."""

    packed: Callable[[str], list[np.ndarray] | None]
    texts: Callable[[], list[list[str]]]


def join(columns: Sequence[np.ndarray], delimiter: str, step: int = 1024) -> bytes:
    """Packed columns (each as many rows) as the lines of a CSV: cells between delimiters, each row
    ending in a line break. A block of `step` rows at a time (laid out, then its zero bytes
    dropped while it is still in the processor's cache)."""
    if not columns:
        return b""
    n = columns[0].shape[0]
    total = sum(c.shape[1] + 1 for c in columns)
    separator = ord(delimiter)
    block = np.empty((min(step, n), total), dtype=np.uint8)
    lines = []
    for first in range(0, n, step):
        rows = block[: min(step, n - first)]
        at = 0
        for j, column in enumerate(columns):
            width = column.shape[1]
            if width:
                rows[:, at : at + width] = column[first : first + step]
            rows[:, at + width] = NEWLINE if j == len(columns) - 1 else separator
            at += width + 1
        flat = rows.ravel()
        lines.append(flat[flat != 0].tobytes())
    return b"".join(lines)


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
        self.read: dict[tuple[str | None, ...], tuple[np.ndarray, np.ndarray]] = {}  # by `integers`
        self.rows = 0
        # per cell (rows, columns): where it starts and where its delimiter (or line end) is, and
        # that delimiter's and the one before's place in `others` (every byte that is no digit,
        # `found` those bytes)
        self.start = self.stop = self.ends = self.before = np.zeros((0, width), dtype=np.int32)
        self.others, self.found = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8)

    @classmethod
    def of(cls, data: bytes, width: int, delimiter: str, longest: int) -> Cells | None:
        if not data.endswith(b"\n"):
            data += b"\n"
        cells = cls(b"0" * _PAD + data, width, ord(delimiter))
        b = cells.bytes
        if len(b) >= 2**31:
            return None
        others = np.flatnonzero((b - np.uint8(ZERO)) > 9).astype(np.int32)  # every byte that is no digit
        found = b[others]
        ends = np.flatnonzero((found == cells.delimiter) | (found == NEWLINE)).astype(
            np.int32
        )  # into `others`
        rows = len(ends) // width if width else 0
        if width == 0 or len(ends) != rows * width or rows != int(np.count_nonzero(found == NEWLINE)):
            return None
        if not (found[ends[width - 1 :: width]] == NEWLINE).all():
            return None
        stops = others[ends]  # each cell's delimiter (or line end), row after row
        starts = np.empty_like(stops)
        starts[0] = _PAD
        starts[1:] = stops[:-1] + 1
        before = np.empty_like(ends)  # the terminator before each cell, in `others` (−1: none)
        before[0] = -1
        before[1:] = ends[:-1]
        if rows and int((stops - starts).max()) > longest:
            return None
        cells.rows = rows
        cells.start, cells.stop = starts.reshape(rows, width), stops.reshape(rows, width)
        cells.ends, cells.before = ends.reshape(rows, width), before.reshape(rows, width)
        cells.others, cells.found = others, found
        # a line with no digit in it may be empty (delimiters and spaces only): its own reader skips it
        line_bytes = cells.stop[:, -1] - cells.start[:, 0] + 1
        line_others = cells.ends[:, -1] - cells.before[:, 0]
        for r in np.flatnonzero(line_bytes == line_others).tolist():
            line = bytes(b[cells.start[r, 0] : cells.stop[r, -1]]).decode("utf-8")
            if not line.replace(delimiter, "").strip():
                return None
        return cells

    def _words(self, size: int) -> np.ndarray:
        """The `size` bytes from each place of the buffer on: an unaligned view, gathered as raw bytes
        (numpy gathers an unaligned integer view ten times slower)."""
        return np.ndarray(
            shape=(len(self.buffer) - size + 1,), dtype=f"V{size}", buffer=self.buffer, strides=(1,)
        )

    def texts(self, j: int) -> list[str]:
        """Column j's cells as Python strings (what splitting each line on the delimiter gives)."""
        start, stop = self.start[:, j], self.stop[:, j]
        lengths = stop - start + 1  # with the delimiter after each, made a line break
        at = np.cumsum(lengths)
        index = np.arange(int(at[-1]) if len(at) else 0, dtype=np.int64) + np.repeat(
            start - (at - lengths), lengths
        )
        joined = self.bytes[index]
        joined[at - 1] = NEWLINE
        return joined.tobytes().decode("utf-8").split("\n")[:-1]

    def integers(self, points: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
        """Every column as int64, where every cell is `-?(0|[1-9][0-9]{0,14})`, followed by the
        column's point (`points`, one per column; None: a whole number) and two digits when it has
        one (then in hundredths: cents), or empty (`empty`): the values (rows, columns) and per
        column whether it is such a column (where it is not, or a cell is empty, its values mean
        nothing). Row after row, a block of rows
        at a time (so that each step's arrays stay in the processor's cache)."""
        key = tuple(points)
        if key in self.read:
            return self.read[key]
        point = np.array([ord(p) if p else 0 for p in points], dtype=np.uint8)
        values = np.empty((self.rows, self.width), dtype=np.int64)
        usable = np.ones(self.width, dtype=bool)
        step = max(64, 32_768 // max(self.width, 1))
        for first in range(0, self.rows, step):
            rows = slice(first, first + step)
            values[rows], good = self._integers(rows, point)
            usable &= good
        self.read[key] = values, usable
        return values, usable

    def _integers(self, rows: slice, point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`integers` for a block of rows: per cell the count of its bytes that are no digit (from
        `others`), its first two bytes and the 24 bytes before its end, gathered once; the rest is
        arithmetic on those words."""
        start, stop = self.start[rows], self.stop[rows]
        extra = (point != 0).astype(np.int64)
        inner = self.ends[rows] - self.before[rows] - 1  # the bytes in each cell that are no digit
        minus = inner == extra + 1  # one more: a minus sign in front
        words = self._words(2)  # the cell's first two bytes (an empty last cell: any, unread)
        head = words[np.minimum(start, len(words) - 1)].view("<u2").astype(np.int64)
        first = head & 0xFF
        good = ((inner == extra) | minus) & (~minus | (first == MINUS))
        count = stop - 3 * extra - (start + minus)  # the digits before the point
        lead = np.where(minus, head >> 8, first)  # the first digit
        good &= (count >= 1) & (count <= 15) & ((lead != ZERO) | (count == 1))
        tail = self._words(24)[stop - 24].view("<u8").reshape(*stop.shape, 3)
        w0, w1, w2 = tail[..., 0], tail[..., 1], tail[..., 2]
        money = extra == 1
        if money.any():  # the point three bytes before the end, and the whole number before it
            good &= ~money | (((w2 >> np.uint64(40)) & np.uint64(0xFF)) == point)
            low = np.where(money, (w1 >> np.uint64(40)) | (w2 << np.uint64(24)), w2)
            high = np.where(money, (w0 >> np.uint64(40)) | (w1 << np.uint64(24)), w1)
        else:
            low, high = w2, w1
        count = np.clip(count, 0, 15)
        g = np.maximum(8 - count, 0)
        values = _eight_digits((low & ~_LOW[g]) | (_ZEROS & _LOW[g]))
        if int(count.max(initial=0)) > 8:
            g = np.minimum(16 - count, 8)
            values += _eight_digits((high & ~_LOW[g]) | (_ZEROS & _LOW[g])) * np.int64(10**8)
        if money.any():
            tens = ((w2 >> np.uint64(48)) & np.uint64(0xFF)).astype(np.int64) - ZERO
            ones = (w2 >> np.uint64(56)).astype(np.int64) - ZERO
            values = np.where(money, values * 100 + tens * 10 + ones, values)
        return np.where(minus, -values, values), (good | (stop == start)).all(axis=0)

    def booleans(self, j: int) -> np.ndarray | None:
        """Column j as bools when every cell is `true`, `false` or empty (`empty`: then False); None
        when any is not."""
        start, stop = self.start[:, j], self.stop[:, j]
        last = self._words(4)[stop - 4].view("<u4")
        length = stop - start
        true = (length == 4) & (last == _TRUE)
        false = (length == 5) & (last == _ALSE) & (self.bytes[start] == ord("f"))
        return true if (true | false | (length == 0)).all() else None

    def empty(self) -> np.ndarray:
        """Where a cell is empty (nothing between its delimiters), (rows, columns)."""
        return self.stop == self.start


_TRUE = np.frombuffer(b"true", dtype="<u4")[0]
_ALSE = np.frombuffer(b"alse", dtype="<u4")[0]
