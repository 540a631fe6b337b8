"""Whole-column reading and writing of `convenant batch` gives exactly what cell-by-cell gives.

The fast paths (`scenarios.whole_column`, `Reader._whole_years`, `spreadsheets._split_rows`,
`batch.column_texts`, `AtomicWriter.write_columns`) are each held to the path they replace: on
randomized tables of the Assen covenant in both CSV dialects, with empty cells, negative amounts
and bad cells anywhere, the values, the cells that are written, and every problem (code, words,
row and column) are the same; the texts and the bytes written are the same. `from_arrays` takes
an int64 column as it is (no copy) and refuses a float column with a clear message. A run keeps
no `Evaluation` and at most FAILURES_KEPT failures, however many rows it has.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import platform
import random
import subprocess
import sys
import threading
import time
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from convenant.batch import batch as batch_module
from convenant.batch import scenarios as scenarios_module
from convenant.batch.batch import FAILURES_KEPT, Batch, Interpreted, Summary, chunk_size
from convenant.batch.scenarios import Reader, from_arrays, integer_column
from convenant.cli.cli import EXIT_PROBLEM
from convenant.core import messages
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.source import csvbytes, spreadsheets
from convenant.source.spreadsheets import DUTCH, PLAIN, AtomicWriter, Table
from tests.conftest import ASSEN, ASSEN_CODES, assen_rules
from tests.test_batch import HEADER, SCALARS, random_scenario, row_of

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- reading: whole columns against cell by cell ---------------------------------------------

GOOD_MONEY = st.integers(-(10**12), 10**12).map(
    lambda c: f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"
)
ODD_CELLS = st.sampled_from(
    ["", " ", "abc", "1.234", "150.000", "1.234.567,00", "-5", "1,5", " 12.00 ", "0.001", "01.00", "-0.00",
     "-", ".50", "1e3", "99999999999999999999.00", "2024", "true", "TRUE", "€ 12,00", "12,345", "١٢٣"]
)  # fmt: skip
COUNTS = st.one_of(st.integers(-3, 200_000).map(str), ODD_CELLS)
YEARS = st.one_of(st.sampled_from(["2024", "2024", "2023", "2025", " 2024", "24", "0", "", "x"]))


def nl(text: str) -> str:
    return text.replace(".", ",") if text.count(".") == 1 and len(text.split(".")[1]) == 2 else text


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[list[str]]]:
    """Rows of an Assen scenario table: mostly good cells, a column now and then with odd ones."""
    dialect = draw(st.sampled_from([PLAIN, DUTCH]))
    n = draw(st.integers(1, 12))
    odd = draw(st.sets(st.integers(0, len(HEADER) - 1), max_size=4))  # these columns get odd cells
    columns = []
    for j, name in enumerate(HEADER):
        if name == "scenario":
            cells = [f"s{i}" for i in range(n)]
        elif name == "jaar":
            cells = draw(st.lists(YEARS if j in odd else st.just("2024"), min_size=n, max_size=n))
        elif name.startswith("inwoners."):
            good = st.integers(10_000, 120_000).map(str)
            cells = draw(st.lists(COUNTS if j in odd else good, min_size=n, max_size=n))
        else:
            money = st.one_of(GOOD_MONEY, ODD_CELLS) if j in odd else GOOD_MONEY
            cells = draw(st.lists(money, min_size=n, max_size=n))
            if dialect == DUTCH:
                cells = [nl(c) if draw(st.booleans()) or j not in odd else c for c in cells]
        columns.append(cells)
    return dialect, [list(row) for row in zip(*columns, strict=True)]


def read(dialect: str, rows: list[list[str]], fast: bool) -> Any:
    table = Table("scenarios.csv", HEADER, iter(enumerate(rows, start=2)), len(rows), dialect)
    return next(Reader(table, assen_rules(), fast=fast).chunks(10**6))


def problems_of(scenarios: Any) -> dict[int, list[tuple[Any, ...]]]:
    return {
        i: [(p.code, p.field, str(p.location), messages.message(p, "nl")) for p in found]
        for i, found in scenarios.problems.items()
    }


@FEW
@given(tables())
def test_whole_columns_read_what_cell_by_cell_reads_with_the_same_messages(drawn):
    dialect, rows = drawn
    fast, slow = read(dialect, rows, True), read(dialect, [list(r) for r in rows], False)
    assert problems_of(fast) == problems_of(slow)
    assert fast.years.tolist() == slow.years.tolist()
    for column in slow.values:
        assert fast.written[column].tolist() == slow.written[column].tolist(), column
        assert fast.values[column].tolist() == slow.values[column].tolist(), column


def test_a_dutch_point_is_never_a_decimal_point_in_the_fast_path():
    rows = [row_of(random_scenario(random.Random(i), f"s{i}")) for i in range(3)]
    rows = [[nl(c) for c in row] for row in rows]
    rows[1][HEADER.index("macrobudget_bw")] = "150.000"  # 150000 or 150: refused, never guessed
    fast = read(DUTCH, rows, True)
    assert [p.code for p in fast.problems[1]] == ["batch.ambiguous_number"]
    assert fast.problems[1][0].field == "macrobudget_bw" and str(fast.problems[1][0].location).endswith(
        ":3:3"
    )
    assert 0 not in fast.problems and 2 not in fast.problems
    assert integer_column(["150.000"], ".") is None and integer_column(["150,000"], ",") is None


ALMOST = st.sampled_from(["", "-", "1.2", "1.234", "-01.00", "1.00\n2.00", "0.00", "--1.00", "1.-00"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(GOOD_MONEY, ALMOST), min_size=1, max_size=8))
def test_integer_column_takes_exactly_the_usual_form(cells):
    got = integer_column(cells, ".")
    usual = all(spreadsheets.re.fullmatch(r"-?(0|[1-9][0-9]{0,14})\.[0-9]{2}", c) for c in cells)
    assert (got is not None) == usual
    if usual:
        assert got.tolist() == [int(c.replace(".", "")) for c in cells]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(GOOD_MONEY, ALMOST, ODD_CELLS), min_size=1, max_size=8), st.sampled_from([".", ","])
)
def test_cells_read_on_their_bytes_take_what_integer_column_takes(cells, point):
    cells = [c for c in cells if "\n" not in c and ";" not in c] or ["1.00"]
    cells += ["true", "false"] if cells[0] == "true" else []
    data = "".join(f"x;{c};1\n" for c in cells).encode("utf-8")
    found = csvbytes.Cells.of(data, 3, ";", spreadsheets.MAX_CELL_CHARS)
    assert found is not None  # every line has three cells, and a digit
    given = [i for i, c in enumerate(cells) if c != ""]  # an empty cell is not written: taken too
    assert found.empty()[:, 1].tolist() == [c == "" for c in cells]
    for kind in (point, None):
        expected = integer_column([cells[i] for i in given], kind) if given else np.zeros(0, dtype=np.int64)
        values, usable = found.integers([None, kind, None])
        assert usable[1] == (expected is not None), (cells, kind)
        if expected is not None:
            assert values[given, 1].tolist() == expected.tolist()
    assert found.texts(1) == cells
    yes_no = found.booleans(1)
    assert (yes_no is not None) == (set(cells) <= {"true", "false", ""})
    assert yes_no is None or yes_no.tolist() == [c == "true" for c in cells]


def csv_text(dialect: str, rows: list[list[str]], damage: list[int]) -> str:
    """An Assen scenario file; rows with a cell too few or too many, blank lines, no last line break."""
    delimiter = ";" if dialect == DUTCH else ","
    lines = [delimiter.join(HEADER)]
    for i, row in enumerate(rows):
        how = damage[i % len(damage)] if damage else 0
        cells = row[:-1] if how == 1 else [*row, "x"] if how == 2 else [*row, ""] if how == 3 else row
        lines.append(delimiter.join(cells))
        if how == 4:
            lines.append(delimiter * 3 + " ")  # a line of empty cells: no row
    text = "\n".join(lines) + "\n"
    return text[:-1] if 5 in damage else text


def scenarios_of(path: Any, fast: bool, size: int) -> list[tuple[Any, ...]]:
    """Every scenario a file gives, in order: its row, name, year, problems and values."""
    table = spreadsheets.read_table(path)
    found = []
    for chunk in Reader(table, assen_rules(), fast=fast).chunks(size):
        problems = problems_of(chunk)
        for i in range(len(chunk)):
            values = tuple(
                (c, chunk.written[c][i].item(), chunk.values[c][i].item()) for c in sorted(chunk.values)
            )
            found.append((chunk.rows[i], chunk.names[i], int(chunk.years[i]), problems.get(i, []), values))
    return found


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.lists(st.integers(0, 5), max_size=4), st.integers(1, 7), st.booleans())
def test_lines_read_on_their_bytes_give_the_rows_cell_by_cell_gives(
    tmp_path_factory, drawn, damage, size, windows
):
    """Also of a file with Windows line breaks (CR LF, as Excel saves a CSV): cell by cell, the csv
    module reads it."""
    dialect, rows = drawn
    path = tmp_path_factory.mktemp("lines") / "s.csv"
    text = csv_text(dialect, rows, damage)
    text = text.replace("\n", "\r\n") if windows else text
    path.write_bytes((b"\xef\xbb\xbf" if dialect == DUTCH else b"") + text.encode())
    assert spreadsheets.read_table(path).blocks is not None  # the bytes' way is taken
    assert scenarios_of(path, True, size) == scenarios_of(path, False, size)


def test_a_file_with_windows_line_breaks_is_read_on_its_bytes_and_a_lone_cr_is_not(tmp_path, monkeypatch):
    rows = [row_of(random_scenario(random.Random(i), f"s{i}")) for i in range(5)]
    path = tmp_path / "s.csv"
    path.write_bytes(csv_text(PLAIN, rows, []).replace("\n", "\r\n").encode())
    with monkeypatch.context() as patched:
        patched.setattr(spreadsheets, "_split_lines", None)  # any chunk split into rows would fail
        (chunk,) = Reader(spreadsheets.read_table(path), assen_rules()).chunks(10)
    assert chunk.rows == [2, 3, 4, 5, 6] and chunk.names[4] == "s4" and not chunk.problems
    assert chunk.values[HEADER[-1]].tolist() == [int(r[-1].replace(".", "")) for r in rows]
    path.write_bytes(path.read_bytes().replace(b"s2,", b"s2\r,"))  # a CR of its own, in a cell
    assert spreadsheets.read_table(path).blocks is None  # the csv module reads that file


def test_a_plain_file_is_read_on_its_bytes_without_splitting_its_lines(tmp_path, monkeypatch):
    rows = [row_of(random_scenario(random.Random(i), f"s{i}")) for i in range(5)]
    rows[2][HEADER.index("zorgkosten_bw")] = ""  # an empty cell: not written, read on the bytes too
    rows[4][-1] = ""  # the file's last cell, empty: nothing between the delimiter and the end
    path = tmp_path / "s.csv"
    path.write_text(csv_text(PLAIN, rows, []), encoding="utf-8")
    monkeypatch.setattr(spreadsheets, "_split_lines", None)  # any chunk split into rows would fail
    (chunk,) = Reader(spreadsheets.read_table(path), assen_rules()).chunks(10)
    assert chunk.rows == [2, 3, 4, 5, 6] and chunk.names[4] == "s4" and chunk.years.tolist() == [2024] * 5
    assert chunk.written["zorgkosten_bw"].tolist() == [True, True, False, True, True]
    assert chunk.written[HEADER[-1]].tolist() == [True, True, True, True, False]
    assert chunk.values["inwoners.GM0106"].tolist() == [int(r[HEADER.index("inwoners.GM0106")]) for r in rows]
    assert chunk.values["macrobudget_bw"][0] == int(rows[0][HEADER.index("macrobudget_bw")].replace(".", ""))


# --- CSV rows split by lines against the csv module -------------------------------------------

SCANNED = st.sampled_from(
    [
        b"a",
        b",",
        b"\n",
        b"\r",
        b"\r\n",
        b'"',
        b"\0",
        b"1",
        "é".encode(),
        "€".encode(),
        b"\xff",
        b"\xe2",
        b"\x82\xac",
    ]
)


def scanned_as_text(path: Any) -> tuple[str, int, bool, bool]:
    """What `spreadsheets._scan` gives, as the text of the file gives it (how it was made before)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first, rest = handle.readline(), handle.read()
    plain = not ('"' in rest or "\0" in rest)
    windows = plain and "\r" in rest and rest.count("\r") == rest.count("\r\n")
    return first, rest.count("\n"), plain and "\r" not in rest, windows


@settings(max_examples=80, deadline=None)
@given(st.booleans(), st.lists(SCANNED, max_size=30), st.integers(1, 9))
@example(False, [b"x\n", b"a" * 9000, b"\xe2", b"a", b"\x82\xac"], 1)  # cut off, then a block of ASCII
@example(True, [b"x\n", b"a" * 9000, "€".encode()], 1)  # (the text reader decodes its first 8 KiB at once)
def test_a_utf8_csv_is_scanned_on_its_bytes_as_its_text_reads(tmp_path_factory, bom, parts, block):
    """The header, the line breaks and whether the file is simple, looked at as bytes a few at a
    time (a character split between two blocks), are those of its text; and where it is no UTF-8
    (a stray byte, a character cut off), both refuse it."""
    path = tmp_path_factory.mktemp("scan") / "s.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + b"".join(parts))
    try:
        expected: Any = scanned_as_text(path)
    except UnicodeDecodeError:
        expected = UnicodeDecodeError
    with mock.patch.object(spreadsheets, "SCAN_BLOCK", block):
        try:
            got: Any = spreadsheets._scan(path, "utf-8-sig")
        except UnicodeDecodeError:
            got = UnicodeDecodeError
    assert got == expected


LINE_CELLS = st.sampled_from(["", " ", "x", "1.5", "é", "  y ", "a;b", "2024"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(LINE_CELLS, max_size=4), max_size=8),
    st.sampled_from(["", "\n", "\n\n"]),
    st.sampled_from([",", ";"]),
    st.booleans(),
)
def test_csv_rows_split_by_lines_are_what_the_csv_module_reads(tmp_path_factory, lines, end, delimiter, long):
    body = [delimiter.join(cells) for cells in lines]
    if long:  # a cell longer than the limit: the same refusal, on the same row
        body.insert(len(body) // 2, "x" * (spreadsheets.MAX_CELL_CHARS + 1) + delimiter + "1")
    path = tmp_path_factory.mktemp("split") / "t.csv"
    path.write_text(delimiter.join("abc") + "\n" + "\n".join(body) + end, encoding="utf-8")

    def outcome(rows: Any) -> Any:
        try:
            return list(rows)
        except ConvenantError as error:
            return [(p.code, p.args) for p in error.problems]

    csv.field_size_limit(spreadsheets.MAX_CELL_CHARS)
    fast = outcome(spreadsheets._split_rows(path, "utf-8-sig", delimiter))
    original = spreadsheets._split_rows
    try:
        spreadsheets._split_rows = None  # type: ignore[assignment]  # the csv module's way
        table = spreadsheets._read_csv(path)
        assert table.header == list("abc")
    finally:
        spreadsheets._split_rows = original
    reference = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader)
        try:
            reference = [(n, row) for n, row in enumerate(reader, start=2) if "".join(row).strip()]
        except csv.Error as error:
            problem = spreadsheets._csv_problem(path, error, reader.line_num).problems[0]
            reference = [(problem.code, problem.args)]
    assert fast == reference


# --- writing: column texts and the bytes written ------------------------------------------------


@st.composite
def chunks(draw: st.DrawFn) -> list[list[str]]:
    rng = random.Random(draw(st.integers(0, 10**6)))
    rows = [row_of(random_scenario(rng, f"s{i}")) for i in range(draw(st.integers(1, 6)))]
    for row in rows:  # negative amounts, zeros, a bad cell now and then (a failed row)
        j = draw(st.integers(2, len(HEADER) - 1))
        row[j] = draw(st.sampled_from([row[j], "0.00", "-0.01", "abc", ""]))
    return rows


@FEW
@given(chunks(), st.sampled_from([PLAIN, DUTCH]))
def test_column_texts_and_written_bytes_are_those_made_cell_by_cell(tmp_path_factory, rows, dialect):
    batch = Batch(assen_rules())
    result = batch.evaluate(read(PLAIN, rows, True))
    fast = result.columns()
    original = batch_module.column_texts
    try:
        batch_module.column_texts = batch_module.vector_texts  # the reference: cell by cell
        slow = result.columns()
    finally:
        batch_module.column_texts = original
    assert fast == slow
    folder = tmp_path_factory.mktemp("out")
    for name, how in (("columns.csv", "columns"), ("packed.csv", "packed"), ("rows.csv", "rows")):
        with AtomicWriter(folder / name, batch.layout(), False, dialect) as writer:
            if how == "rows":
                writer.write(result.rows())
            else:
                writer.write_columns(fast if how == "columns" else result.columns(packed=True))
    assert (folder / "columns.csv").read_bytes() == (folder / "rows.csv").read_bytes()
    assert (folder / "packed.csv").read_bytes() == (folder / "rows.csv").read_bytes()


def test_reading_ahead_gives_every_chunk_in_order_an_error_where_it_was_and_stops_with_the_caller():
    def chunks() -> Any:
        yield from (1, 2)
        raise ConvenantError([Problem("batch.empty", {"path": "s.csv"})])

    got = []
    with pytest.raises(ConvenantError):
        for item in scenarios_module.read_ahead(chunks()):
            got.append(item)
    assert got == [1, 2]
    made: list[int] = []

    def counted() -> Any:
        for i in range(10**6):
            made.append(i)
            yield i

    ahead = scenarios_module.read_ahead(counted())
    assert next(ahead) == 0
    ahead.close()  # the caller stops (an error, Ctrl-C): the thread makes at most one more
    for _ in range(100):
        if not any(t.name == "convenant-read-ahead" for t in threading.enumerate()):
            break
        time.sleep(0.02)
    assert not any(t.name == "convenant-read-ahead" for t in threading.enumerate())
    assert len(made) <= 2


def test_a_chunk_written_by_the_writing_thread_fails_as_any_write_and_leaves_no_file(tmp_path, monkeypatch):
    def full(*_: Any) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csvbytes, "join", full)  # the thread's work: its error comes back in order
    out = tmp_path / "uit.csv"
    with pytest.raises(ConvenantError) as caught, AtomicWriter(out, ["a", "b"], False, PLAIN) as writer:
        writer.write_columns([np.full((2, 1), ord("1"), dtype=np.uint8), ["x", "y"]])
    assert [p.code for p in caught.value.problems] == ["output.cannot_write"]
    assert str(tmp_path) in str(caught.value.problems[0].args["path"]) and list(tmp_path.iterdir()) == []


EDGES = st.sampled_from([0, 1, -1, 9, 10, 99, 100, -100, 2**63 - 1, -(2**63) + 1, 10**15, -(10**17)])
INT64 = st.one_of(EDGES, st.integers(-(2**63) + 1, 2**63 - 1), st.integers(-(10**6), 10**6))
TEXTS = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\0é€1.-')), max_size=6)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(INT64, INT64, st.booleans(), TEXTS), min_size=1, max_size=12),
    st.sampled_from([",", ";"]),
)
def test_packed_columns_are_the_bytes_the_csv_module_writes(rows, delimiter):
    """Amounts, counts, fractions (a/b, a where b is 1), yes/no and texts (quoted where they hold the
    delimiter, a quote or a line break) packed a column at once: the csv module's bytes."""
    a, b, yes, text = (list(column) for column in zip(*rows, strict=True))
    dens = [abs(v) or 1 for v in b]
    texts = (
        [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in a],
        [str(v) for v in a],
        [f"{x}/{y}" if y != 1 else str(x) for x, y in zip(a, dens, strict=True)],
        ["true" if v else "false" for v in yes],
        text,
    )
    packed = [
        csvbytes.money(np.array(a)),
        csvbytes.integers(np.array(a)),
        csvbytes.fractions(np.array(a), np.array(dens)),
        csvbytes.booleans(np.array(yes)),
        csvbytes.texts(text, delimiter),
    ]
    handle = io.StringIO()
    csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(zip(*texts, strict=True))
    if packed[-1] is None:  # a carriage return or NUL: left to the csv module
        assert any("\r" in t or "\0" in t for t in text)
        packed = packed[:-1]
        handle = io.StringIO()
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(zip(*texts[:-1], strict=True))
    assert csvbytes.join([p for p in packed if p is not None], delimiter) == handle.getvalue().encode("utf-8")
    assert [csvbytes.unpacked(p) for p in packed[:4] if p is not None] == [list(t) for t in texts[:4]]
    assert csvbytes.money(np.array([-(2**63)])) is None and csvbytes.integers(np.array([-(2**63)])) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 18), st.integers(0, 10**18), st.booleans()), min_size=1, max_size=40)
)
def test_numbers_of_every_width_are_packed_as_str_writes_them(drawn):
    """One column of numbers of 1 to 19 digits and either sign (each four-digit group made with or
    without what comes before it, the sign placed before the first digit), as `str` and
    money.plain write them, cell by cell."""
    values = [(-1 if negative else 1) * (size % 10 ** (digits + 1)) for digits, size, negative in drawn]
    values[0] = values[0] or 2**63 - 1
    column = np.array(values, dtype=np.int64)
    assert csvbytes.unpacked(csvbytes.integers(column)) == [str(v) for v in values]
    assert csvbytes.unpacked(csvbytes.money(column)) == [
        f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in values
    ]


def test_texts_beyond_int64_and_at_its_edge_are_exact():
    values = np.array([[-(2**63) + 1], [2**63 - 1], [0], [-1]], dtype=np.int64)
    rat = batch_module.Rat.of(values, 100)
    rows = np.arange(4)
    kind = batch_module.Kind.MONEY
    assert batch_module.column_texts(kind, rat, rows) == batch_module.vector_texts(kind, rat, rows)
    huge = batch_module.Rat.of(np.array([[2**70], [-(2**70)]], dtype=object), 100)
    assert batch_module.column_texts(kind, huge, np.arange(2)) == [
        ["11805916207174113034.24", "-11805916207174113034.24"]
    ]


# --- from_arrays --------------------------------------------------------------------------------


def assen_arrays(n: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    columns = {k: rng.integers(0, 10**9, n) for k in SCALARS}
    for code in ASSEN_CODES:
        columns[f"inwoners.{code}"] = rng.integers(10_000, 120_000, n)
        columns[f"uitvoeringskosten.{code}"] = rng.integers(1, 5 * 10**9, n)
    return columns


def test_from_arrays_takes_int64_columns_as_they_are():
    columns = assen_arrays(1_000)
    scenarios = from_arrays(assen_rules(), columns, 2024)
    for name, column in columns.items():
        assert scenarios.values[name] is column and np.shares_memory(scenarios.values[name], column)
    as_lists = from_arrays(assen_rules(), {k: v.tolist() for k, v in columns.items()}, 2024)
    for name in columns:  # lists are read as before: the same values
        assert as_lists.values[name].tolist() == scenarios.values[name].tolist()
    smaller = from_arrays(
        assen_rules(), {**columns, "inwoners.GM0106": columns["inwoners.GM0106"].astype(np.int32)}, 2024
    )
    assert smaller.values["inwoners.GM0106"].dtype == np.int64


def test_from_arrays_refuses_floats_and_other_shapes_with_a_clear_message():
    columns = assen_arrays(10)
    with pytest.raises(ConvenantError) as caught:
        from_arrays(assen_rules(), {**columns, "macrobudget_bw": columns["macrobudget_bw"] / 100}, 2024)
    (problem,) = caught.value.problems
    assert problem.code == "batch.array_dtype" and problem.field == "macrobudget_bw"
    what, todo = messages.message(problem, "nl")
    assert "float64" in what and "int64 (hele centen)" in what and "nooit exact" in todo
    with pytest.raises(ConvenantError) as caught:
        from_arrays(assen_rules(), {**columns, "zorgkosten_bw": columns["zorgkosten_bw"].reshape(2, 5)}, 2024)
    assert [p.code for p in caught.value.problems] == ["batch.array_shape"]


def test_from_arrays_keeps_the_minimum_and_the_int64_edge():
    columns = assen_arrays(4)
    columns["inwoners.GM0118"][2] = -1
    columns["reserve_mo_begin"][1] = -(2**63)  # no int64 opposite: kept exactly, as Python integers
    scenarios = from_arrays(assen_rules(), columns, 2024)
    assert [p.code for p in scenarios.problems[2]] == ["facts.below_minimum"]
    assert scenarios.values["reserve_mo_begin"].dtype == object
    assert scenarios.values["reserve_mo_begin"][1] == -(2**63)


# --- memory: what a chunk keeps ----------------------------------------------------------------


def test_an_interpreted_scenario_is_kept_as_its_row_not_its_evaluation(monkeypatch):
    rows = [row_of(random_scenario(random.Random(i), f"s{i}")) for i in range(3)]
    batch = Batch(assen_rules())
    vectorised = batch.evaluate(read(PLAIN, rows, True))
    seen = Batch._view  # the compiled plan's view of the chunk, with no scenario it may compute
    monkeypatch.setattr(
        Batch, "_view", lambda self, s: dataclasses.replace(seen(self, s), ok=np.zeros(len(s), dtype=bool))
    )
    result = batch.evaluate(read(PLAIN, rows, True))  # every scenario through the interpreter
    assert len(result.exact) == 3 and all(type(kept) is Interpreted for kept in result.exact.values())
    assert result.columns() == vectorised.columns()
    assert result.cents("aandeel_resultaat_bw").tolist() == vectorised.cents("aandeel_resultaat_bw").tolist()


def test_a_run_names_its_first_failures_and_counts_them_all():
    summary = Summary("out.csv")
    for start in range(0, 1000, 300):
        summary.add_failures([(i, "", "fout") for i in range(start, start + 300)])
    assert summary.failed == 1200 and len(summary.failures) == FAILURES_KEPT
    assert summary.failures[-1][0] == FAILURES_KEPT - 1


def test_a_chunk_holds_about_as_many_cells_whatever_the_width():
    assert chunk_size(30, 29) == batch_module.CHUNK  # Assen: 25,000 scenarios
    assert chunk_size(146, 134) == 5_136  # Groningen's width: fewer scenarios, as many cells
    assert chunk_size(150, 400) == 1_875
    assert chunk_size(100_000, 1) == 100


HELD = """
import ctypes, os, tempfile, threading, numpy as np
from convenant.batch.batch import hold_freed_memory

class Info(ctypes.Structure):  # glibc's struct mallinfo2
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]

info = ctypes.CDLL(None).mallinfo2
info.restype = Info
before = info().hblks
a = np.ones(2**20)  # 8 MiB: a block mmapped on its own by default (the threshold starts at 128 KiB)
own = info().hblks - before
del a  # (glibc now takes 8 MiB as its threshold)
held = hold_freed_memory()
before = info().hblks
b = np.ones(2**21)  # 16 MiB: by default mmapped again, and given back when freed; held: from the heap
mapped = info().hblks - before
del b

libc = ctypes.CDLL(None)
libc.fopen.restype, libc.fopen.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes, libc.fclose.argtypes = [ctypes.c_int, ctypes.c_void_p], [ctypes.c_void_p]


def heaps():  # glibc's heaps (arenas), as malloc_info lists them
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "malloc.xml")
        handle = libc.fopen(path.encode(), b"w")
        libc.malloc_info(0, handle)
        libc.fclose(handle)
        with open(path) as written:
            return written.read().count("<heap nr=")


def in_a_thread():  # by default a thread that allocates gets a heap of its own
    global shared
    c = np.ones(2**17)
    shared = heaps() == 1


thread = threading.Thread(target=in_a_thread)
thread.start()
thread.join()
print(own, held, mapped, shared)
"""


@pytest.mark.skipif(
    sys.platform != "linux" or platform.libc_ver()[0] != "glibc", reason="the thresholds are glibc's"
)
def test_the_command_keeps_freed_memory_for_the_next_chunk():
    """`hold_freed_memory` (what `convenant batch` does first): an array below `HELD_BELOW` comes
    from the heap, where a freed one is used again, instead of a mapping of its own that is given
    back to the system when it is freed (page faults for every chunk); and a thread's array from
    the same heap as the main thread's (what one frees serves the others)."""
    done = subprocess.run([sys.executable, "-c", HELD], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "True", "0", "True"]
    assert batch_module.HELD_BELOW > 2**24  # 16 MiB: a chunk's largest arrays (about 14 MB) included


def test_many_failed_rows_are_counted_by_the_command(run, tmp_path):
    rows = [row_of(random_scenario(random.Random(i), f"s{i}")) for i in range(30)]
    for row in rows:
        row[HEADER.index("zorgkosten_bw")] = "abc"
    source = tmp_path / "s.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([HEADER, *rows])
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == EXIT_PROBLEM
    assert "30 mislukt" in result.stderr and "nog 10" in result.stderr
