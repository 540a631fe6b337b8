"""Never a silently wrong number (issue 9): every amount is read as written, or refused in Dutch.

`150.000` is whole cents, but a Dutch reader means one hundred and fifty thousand: an amount has
at most two decimals as written, a count none, and Dutch notation (`1.234,56`) is never read.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.core.diagnostics import ConvenantError
from convenant.core.units import Kind, ValueProblem, parse_value
from convenant.source.loading import parse_document
from tests.conftest import ASSEN, ASSEN_FACTS, REPO_ROOT, assen_text, line_of, problems_of, replace_once

GRONINGEN_FACTS = REPO_ROOT / "examples" / "groningen-2022.yaml"
ASSEN_SCENARIOS = REPO_ROOT / "examples" / "assen-2024-scenarios.csv"


# --- one value ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (Decimal("150.000"), "value.money_thousands"),
        (Decimal("9.600"), "value.money_thousands"),
        (Decimal("-1.500"), "value.money_thousands"),
        (Decimal("1412.300"), "value.money_decimals"),
        (Decimal("0.125"), "value.money_decimals"),
        (Decimal("12.3456"), "value.money_decimals"),
        ("150.000", "value.dutch_notation"),
        ("1412.300", "value.money_decimals"),
        ("1.234,56", "value.dutch_notation"),
        ("150.000,00", "value.dutch_notation"),
        ("1234,5", "value.dutch_notation"),
        ("1.234.567", "value.dutch_notation"),
    ],
)
def test_money_with_three_or_more_decimals_or_in_dutch_notation_is_refused(raw, code):
    with pytest.raises(ValueProblem) as caught:
        parse_value(Kind.MONEY, raw)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (150000, Fraction(150000)),
        (Decimal("150000.00"), Fraction(150000)),
        (Decimal("9600.0"), Fraction(9600)),
        (Decimal("-0.01"), Fraction(-1, 100)),
        ("1412300.00", Fraction(1412300)),
        (" 12.5 ", Fraction(25, 2)),
    ],
)
def test_money_with_at_most_two_decimals_is_read_exactly(raw, expected):
    assert parse_value(Kind.MONEY, raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (Decimal("9.600"), "value.count_thousands"),
        (Decimal("9.6"), "value.not_a_count"),
        ("9.600.000", "value.dutch_notation"),
        ("12,0", "value.dutch_notation"),
    ],
)
def test_a_count_with_a_point_is_refused_never_read_as_a_fraction(raw, code):
    with pytest.raises(ValueProblem) as caught:
        parse_value(Kind.COUNT, raw)
    assert caught.value.code == code


def test_percentages_keep_their_many_decimals():
    assert parse_value(Kind.PERCENTAGE, Decimal("12.345")) == Fraction(12345, 100000)
    assert parse_value(Kind.PERCENTAGE, "0,125 %") == Fraction(1, 800)


# --- as a user meets it: the command line ------------------------------------------------------


def _write(tmp_path: Path, source: Path, old: str, new: str, name: str = "facts.yaml") -> Path:
    path = tmp_path / name
    path.write_text(replace_once(source.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    return path


def test_a_thousands_point_in_a_fact_file_is_refused_at_its_line(run, tmp_path):
    path = _write(
        tmp_path,
        ASSEN_FACTS,
        "toegemoetkoming_regiogemeenten: 150000.00",
        "toegemoetkoming_regiogemeenten: 150.000",
    )
    result = run("evaluate", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        "fout: ‘150.000’ heeft drie decimalen; een punt als duizendtalscheiding? "
        "Schrijf 150000 (of 150000.00)"
    ) in result.stderr
    assert f"--> {path}:17:35" in result.stderr
    assert "= veld: facts.toegemoetkoming_regiogemeenten" in result.stderr
    assert "= artikel: artikel 8, negende lid" in result.stderr
    english = run("--lang", "en", "evaluate", str(path))
    assert "‘150.000’ has three decimals; a point as thousands separator?" in english.stderr


def test_uitvoeringskosten_with_three_decimals_is_refused(run, tmp_path):
    path = _write(tmp_path, ASSEN_FACTS, "uitvoeringskosten: 1412300.00", "uitvoeringskosten: 1412.300")
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert "fout: ‘1412.300’ heeft 3 decimalen; een geldbedrag heeft er hoogstens twee" in result.stderr
    assert "= veld: municipalities.GM1701.uitvoeringskosten" in result.stderr


def test_groningen_indicatiewaarde_and_a_count_with_a_thousands_point(run, tmp_path):
    path = _write(tmp_path, GRONINGEN_FACTS, "bw_lokaal: 9600.00", "bw_lokaal: 9.600")
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert (
        "fout: ‘9.600’ heeft drie decimalen; een punt als duizendtalscheiding? Schrijf 9600" in result.stderr
    )
    assert f"--> {path}:18:16" in result.stderr
    assert "= veld: facts.indicatiewaarde.bw_lokaal" in result.stderr
    path = _write(tmp_path, GRONINGEN_FACTS, "bw_intramuraal: 68,", "bw_intramuraal: 9.600,")
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert "fout: ‘9.600’ is geen aantal; een punt als duizendtalscheiding? Schrijf 9600" in result.stderr
    assert "= veld: municipalities.GM1979.aantal_indicaties.bw_intramuraal" in result.stderr


def test_points_between_thousands_are_refused_by_the_loader(run, tmp_path):
    path = _write(
        tmp_path,
        ASSEN_FACTS,
        "toegemoetkoming_regiogemeenten: 150000.00",
        "toegemoetkoming_regiogemeenten: 1.150.000",
    )
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert "fout: ‘1.150.000’ heeft punten tussen duizendtallen" in result.stderr
    assert f"--> {path}:17:35" in result.stderr
    assert "schrijf 1150000 (zonder punten), of 1150000.00" in result.stderr


def test_dutch_notation_is_refused_with_the_plain_form(run, tmp_path):
    path = _write(
        tmp_path,
        ASSEN_FACTS,
        "toegemoetkoming_regiogemeenten: 150000.00",
        "toegemoetkoming_regiogemeenten: 150.000,00",
    )
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert "fout: ‘150.000,00’ is Nederlandse schrijfwijze" in result.stderr
    assert "decimaalteken); schrijf 150000.00" in result.stderr


def test_a_default_in_a_rule_file_with_three_decimals_is_refused():
    text = assen_text()
    old = "    default: 0\n"
    problems = problems_of(replace_once(text, old, "    default: 150.000\n"))
    assert [p.code for p in problems] == ["value.money_thousands"]
    assert problems[0].location.line == line_of(text, old.strip())


def test_batch_cells_with_a_thousands_point_fail_their_row(run, tmp_path):
    with ASSEN_SCENARIOS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    rows[1][header.index("toegemoetkoming_regiogemeenten")] = "150.000"
    rows[2][header.index("reserve_mo_begin")] = "250.000"
    rows[3][header.index("inwoners.GM0106")] = "69.535"
    source = tmp_path / "s.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    with (tmp_path / "o.csv").open(encoding="utf-8", newline="") as handle:
        out = list(csv.DictReader(handle))
    assert [r["status"] for r in out[:3]] == ["fout", "fout", "fout"]
    assert out[0]["melding"] == (
        "toegemoetkoming_regiogemeenten: ‘150.000’ heeft drie decimalen; een punt als duizendtalscheiding? "
        "Schrijf 150000 (of 150000.00)"
    )
    assert out[1]["melding"] == (
        "reserve_mo_begin: ‘250.000’ heeft drie decimalen; een punt als duizendtalscheiding? "
        "Schrijf 250000 (of 250000.00)"
    )
    assert out[2]["melding"].startswith("inwoners.GM0106: ‘69.535’ is geen aantal")
    assert all(r["status"] == "ok" for r in out[3:])


def test_a_whole_batch_column_with_thousands_points_is_refused_row_by_row(run, tmp_path):
    """Every cell of the column in one form: the fast column readers must not take it."""
    with ASSEN_SCENARIOS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    at = rows[0].index("reserve_mo_begin")
    for row in rows[1:]:
        row[at] = "250.000"
    source = tmp_path / "s.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    with (tmp_path / "o.csv").open(encoding="utf-8", newline="") as handle:
        out = list(csv.DictReader(handle))
    assert {r["status"] for r in out} == {"fout"}
    assert {r["melding"].split(":")[0] for r in out} == {"reserve_mo_begin"}


# --- Excel cells: the number format decides the meaning; a formula needs its saved value ------

GRONINGEN = REPO_ROOT / "rules" / "groningen" / "2021.yaml"
GRONINGEN_SCENARIOS = REPO_ROOT / "examples" / "groningen-2022-scenarios.csv"


def _xlsx_from_csv(source: Path, target: Path, edit) -> Path:
    """The first scenario of a CSV file as an .xlsx sheet of text cells, with `edit(sheet, header)`."""
    import openpyxl

    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:2]
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    edit(sheet, rows[0])
    book.save(target)
    return target


def _cell(sheet, header, column):
    return sheet.cell(row=2, column=header.index(column) + 1)


def _run_batch(run, tmp_path, rules, scenarios):
    out = tmp_path / f"{scenarios.stem}-uitkomsten.csv"  # one per run: batch never overwrites a file
    result = run("batch", str(rules), str(scenarios), "--out", str(out))
    with out.open(encoding="utf-8", newline="") as handle:
        return result, list(csv.DictReader(handle))


def test_a_percent_formatted_excel_cell_is_that_many_percent(run, tmp_path):
    def percent(sheet, header):
        cell = _cell(sheet, header, "percentage_innovatiebudget")
        cell.value, cell.number_format = 0.005, "0.0%"  # typed as 0,5% in Excel

    def written(sheet, header):
        _cell(sheet, header, "percentage_innovatiebudget").value = "0.5"  # 0.5 in percent

    a = _xlsx_from_csv(GRONINGEN_SCENARIOS, tmp_path / "a.xlsx", percent)
    b = _xlsx_from_csv(GRONINGEN_SCENARIOS, tmp_path / "b.xlsx", written)
    result_a, [row_a] = _run_batch(run, tmp_path, GRONINGEN, a)
    result_b, [row_b] = _run_batch(run, tmp_path, GRONINGEN, b)
    assert result_a.exit_code == result_b.exit_code == 0, result_a.output
    assert row_a == row_b
    assert row_a["status"] == "ok"


def test_a_percent_formatted_cell_for_an_amount_is_refused(run, tmp_path):
    def percent(sheet, header):
        cell = _cell(sheet, header, "buffer_beschikbaar")
        cell.value, cell.number_format = 0.45, "0%"

    source = _xlsx_from_csv(GRONINGEN_SCENARIOS, tmp_path / "a.xlsx", percent)
    result, [row] = _run_batch(run, tmp_path, GRONINGEN, source)
    assert result.exit_code == 1
    assert row["status"] == "fout"
    assert row["melding"] == (
        "buffer_beschikbaar: de cel is opgemaakt als percentage (Excel toont 45 %), maar dit feit is een "
        "geldbedrag"
    )


def test_a_formula_without_a_saved_value_is_refused_not_read_as_empty(run, tmp_path):
    def formula(sheet, header):
        _cell(sheet, header, "percentage_innovatiebudget").value = "=1+1"  # openpyxl saves no value

    source = _xlsx_from_csv(GRONINGEN_SCENARIOS, tmp_path / "a.xlsx", formula)
    result, [row] = _run_batch(run, tmp_path, GRONINGEN, source)
    assert result.exit_code == 1
    assert row["status"] == "fout"
    assert row["melding"] == (
        "percentage_innovatiebudget: de formule =1+1 heeft geen opgeslagen uitkomst: open het bestand in "
        "Excel en sla het op"
    )


def test_a_short_csv_row_is_refused_not_padded_with_defaults(run, tmp_path):
    with ASSEN_SCENARIOS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[:3]
    assert rows[0].index("toegemoetkoming_regiogemeenten") < len(rows[0]) - 1
    rows[1] = rows[1][:-1]  # the last cell forgotten
    source = tmp_path / "s.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    result, out = _run_batch(run, tmp_path, ASSEN, source)
    assert result.exit_code == 1
    width = len(rows[0])
    assert out[0]["status"] == "fout"
    assert out[0]["melding"] == f"deze regel heeft {width - 1} cellen, de kopregel {width} kolommen"
    assert out[1]["status"] == "ok"


def test_a_short_row_in_the_long_layout_is_refused(run, tmp_path):
    source = tmp_path / "long.csv"
    source.write_text("scenario,feit,gemeente,waarde\na,macrobudget_bw,\nb,macrobudget_bw,,1.00\n")
    result, out = _run_batch(run, tmp_path, ASSEN, source)
    assert result.exit_code == 1
    assert out[0]["melding"].startswith("deze regel heeft 3 cellen, de kopregel 4 kolommen")


# --- the parties agree with the mergers of the municipalities table ---------------------------


def test_deleting_a_merged_party_is_refused(run, tmp_path):
    import shutil

    shutil.copytree(REPO_ROOT / "rules", tmp_path / "rules")
    path = tmp_path / "rules" / "groningen" / "2021.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_once(text, '  - {name: Appingedam, role: deelnemer, article: "1h"}\n', ""))
    result = run("validate", str(tmp_path / "rules"))
    assert result.exit_code == 1
    assert (
        "fout: Appingedam ontbreekt onder parties: Appingedam, Delfzijl en Loppersum zijn op 1 januari 2021 "
        "samengegaan in Eemsdelta"
    ) in result.stderr
    assert f"--> {path}:40:5" in result.stderr  # Delfzijl, now the first of them in the list
    assert "voeg Appingedam toe" in result.stderr


def test_a_municipality_that_grew_during_the_period_needs_its_predecessors():
    from datetime import date

    from convenant.check.municipalities import load_table
    from convenant.language.parties import incomplete_mergers

    table = load_table(REPO_ROOT / "rules" / "municipalities.yaml")
    groningen = {"GM0014"}
    found = incomplete_mergers(table, groningen, date(2018, 1, 1), date(2020, 12, 31))
    assert [(m.successor.name, [p.name for p in missing]) for m, missing in found] == [
        ("Groningen", ["Haren", "Ten Boer"])
    ]
    assert incomplete_mergers(table, groningen, date(2021, 1, 1), date(2030, 12, 31)) == []
    eemsdelta = {"GM0003", "GM0010", "GM0024"}
    assert incomplete_mergers(table, eemsdelta, date(2021, 1, 1), date(2030, 12, 31)) == []
    assert incomplete_mergers(table, {"GM0003"}, date(2019, 1, 1), date(2020, 12, 31)) == []


# --- a UTF-8 byte-order mark (as Notepad saves) is read as if it were not there ---------------

BOM = b"\xef\xbb\xbf"


def _rules_copy(tmp_path: Path) -> Path:
    """A rules folder with the municipalities table and the Assen covenant, whose files get a BOM
    (the other covenants would only add seconds of checking their templates)."""
    import shutil

    (tmp_path / "rules").mkdir()
    shutil.copy(REPO_ROOT / "rules" / "municipalities.yaml", tmp_path / "rules")
    shutil.copytree(REPO_ROOT / "rules" / "assen", tmp_path / "rules" / "assen")
    return tmp_path / "rules"


def _with_bom(source: Path, target: Path | None = None) -> Path:
    target = target or source
    target.write_bytes(BOM + source.read_bytes())
    return target


def test_a_rule_file_and_a_fact_file_with_a_bom_are_valid(run, tmp_path):
    import hashlib
    import json

    rules = _rules_copy(tmp_path)
    assen = _with_bom(rules / "assen" / "2024-v1.6.yaml")
    result = run("validate", str(rules))
    assert result.exit_code == 0, result.output
    facts = _with_bom(ASSEN_FACTS, tmp_path / "facts.yaml")
    plain = run("evaluate", "--rules", str(ASSEN), str(ASSEN_FACTS), "--format", "json")
    marked = run("evaluate", "--rules", str(assen), str(facts), "--format", "json")
    assert marked.exit_code == plain.exit_code == 0, marked.output
    a, b = json.loads(plain.stdout), json.loads(marked.stdout)
    assert a["results"] == b["results"]
    # the hash is that of the bytes on disk, BOM included: it matches `sha256sum`
    assert b["facts"]["sha256"] == hashlib.sha256(facts.read_bytes()).hexdigest()


def test_a_second_version_with_a_bom_is_seen_by_the_overlap_check(run, tmp_path):
    from convenant.check.registry import versions

    rules = _rules_copy(tmp_path)
    _with_bom(rules / "assen" / "2024-v1.6.yaml", rules / "assen" / "2024-v1.6-kopie.yaml")
    assert len(versions("assen", rules)) == 2
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert "fout: de looptijden van twee versies van convenant ‘assen’ overlappen" in result.stderr


def test_a_template_with_a_bom_leaves_no_bom_in_the_sentence(run, tmp_path):
    rules = _rules_copy(tmp_path)
    for template in (rules / "assen" / "2024-v1.6.templates").glob("*.j2"):
        _with_bom(template)
    assert run("validate", str(rules)).exit_code == 0
    args = ("explain", "--rules", str(rules / "assen" / "2024-v1.6.yaml"), str(ASSEN_FACTS))
    result = run(*args, "--municipality", "GM1701")
    assert result.exit_code == 0, result.output
    assert "Westerveld deelt voor" in result.stdout
    assert "\ufeff" not in result.stdout


# --- property: every accepted amount is the amount meant; a thousands point is never accepted --


CENTS = st.integers(-(10**13), 10**13)  # up to € 100 miljard: within a float's exact decimals


def _written_forms(cents: int) -> list[str]:
    """Every way a file may write `cents` as a plain number: whole euros, one or two decimals."""
    sign, whole, rest = "-" if cents < 0 else "", abs(cents) // 100, abs(cents) % 100
    forms = [f"{sign}{whole}.{rest:02d}"]
    if rest % 10 == 0:
        forms.append(f"{sign}{whole}.{rest // 10}")
    if rest == 0:
        forms.append(f"{sign}{whole}")
    return forms


@st.composite
def thousands_forms(draw: st.DrawFn) -> str:
    """An amount as a Dutch reader writes it: points between thousands, perhaps a decimal comma."""
    sign = draw(st.sampled_from(["", "-"]))
    groups = draw(st.lists(st.integers(0, 999), min_size=1, max_size=4))
    text = f"{sign}{draw(st.integers(1, 999))}" + "".join(f".{g:03d}" for g in groups)
    if draw(st.booleans()):
        text += f",{draw(st.integers(0, 99)):02d}"
    return text


def _yaml_amount(text: str) -> Fraction:
    """`text` as the value of a fact in a YAML file, read as money."""
    return parse_value(Kind.MONEY, parse_document(f"bedrag: {text}\n", "facts.yaml").data["bedrag"])


@settings(max_examples=300, deadline=None)
@given(CENTS)
def test_every_amount_a_yaml_file_may_write_is_read_as_meant(cents):
    for text in _written_forms(cents):
        assert _yaml_amount(text) == Fraction(cents, 100), text
        assert _yaml_amount(f'"{text}"') == Fraction(cents, 100), text  # quoted: read the same


@settings(max_examples=300, deadline=None)
@given(thousands_forms())
def test_a_thousands_point_in_a_yaml_file_is_never_accepted(text):
    for written in (text, f'"{text}"'):
        with pytest.raises((ValueProblem, ConvenantError)):
            _yaml_amount(written)


def _batch_column(cells: list[str], column: str = "reserve_mo_begin") -> tuple[list[int], dict]:
    """The cents the batch reader takes from `cells` in one column (one scenario per cell)."""
    from convenant.batch.scenarios import Reader
    from convenant.source.spreadsheets import Table
    from tests.conftest import assen_rules

    with ASSEN_SCENARIOS.open(encoding="utf-8", newline="") as handle:
        header, row = list(csv.reader(handle))[:2]
    rows = []
    for cell in cells:
        rows.append([cell if name == column else value for name, value in zip(header, row, strict=True)])
    table = Table("s.csv", header, iter(enumerate(rows, start=2)), len(rows))
    scenarios = next(Reader(table, assen_rules()).chunks(10**6))
    return [int(v) for v in scenarios.values[column]], scenarios.problems


@settings(max_examples=100, deadline=None)
@given(st.lists(CENTS, min_size=1, max_size=8), st.integers(0, 2))
def test_every_amount_a_csv_cell_may_hold_is_read_as_meant(cents, form):
    """One form for the whole column (the fast column reader) or mixed forms (cell by cell)."""
    cells = [_written_forms(c)[min(form, len(_written_forms(c)) - 1)] for c in cents]
    values, problems = _batch_column(cells)
    assert problems == {} and values == cents
    mixed = [_written_forms(c)[-1] for c in cents]
    values, problems = _batch_column(mixed)
    assert problems == {} and values == cents


@settings(max_examples=100, deadline=None)
@given(st.lists(thousands_forms(), min_size=1, max_size=8))
def test_a_thousands_point_in_a_csv_cell_is_never_accepted(cells):
    _, problems = _batch_column(cells)
    assert sorted(problems) == list(range(len(cells)))  # every scenario refused


@settings(max_examples=20, deadline=None)
@given(st.lists(CENTS, min_size=1, max_size=30))
def test_every_amount_an_excel_number_cell_holds_is_read_as_meant(tmp_path_factory, cents):
    import openpyxl

    from convenant.batch.scenarios import _meaning, typed
    from convenant.check.checking import parse_fact_value
    from convenant.source.spreadsheets import read_table
    from tests.conftest import assen_rules

    path = tmp_path_factory.mktemp("xlsx") / "s.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["reserve_mo_begin"])
    for c in cents:
        sheet.append([float(Decimal(c) / 100)])  # what Excel stores for the amount typed
    book.save(path)
    decl = assen_rules().facts["reserve_mo_begin"]
    read = [parse_fact_value(decl, _meaning(decl, typed(cells[0]))) for _, cells in read_table(path).rows]
    assert read == [Fraction(c, 100) for c in cents]
