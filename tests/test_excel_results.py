"""Batch results for analysts (issue 13, items 2 and 6): an Excel file of numbers with euro and
percentage formats, exact keys beside them, a header of labels and names, a sheet per set; CSV in
the Dutch Excel dialect (semicolon, decimal comma, BOM) written and read, cp1252 read when declared;
text tables that fit the terminal; the hint for a rule with two ways of computing."""

from __future__ import annotations

import csv
import re
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from convenant.core import money
from convenant.core.columns import columns, fit
from convenant.source.spreadsheets import (
    EURO_FORMAT,
    MONEY,
    PERCENT_FORMAT,
    AmbiguousCell,
    dutch_number,
    excel_value,
)
from tests.paths import REPO_ROOT

EXAMPLES = REPO_ROOT / "examples"
RULES = {
    "assen": (REPO_ROOT / "rules" / "assen" / "2024-v1.6.yaml", EXAMPLES / "assen-2024-scenarios.csv"),
    "groningen": (REPO_ROOT / "rules" / "groningen" / "2021.yaml", EXAMPLES / "groningen-2022-scenarios.csv"),
}


def read_rows(path: Path, delimiter: str = ",", encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def dutch(cell: str) -> str:
    """A plain cell as Dutch Excel writes it: '38412000.00' → '38.412.000,00' (with thousands)."""
    try:
        value = Decimal(cell)
    except ArithmeticError:
        return cell
    if "." not in cell:
        return cell  # a whole number (a year, a count) stays as it is
    whole, _, part = cell.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{'-' if value < 0 else ''}{grouped},{part}"


def _plain(cell: str) -> str:
    """A cell of Dutch results as the plain dialect has it (amounts: '-1234,50' → '-1234.50')."""
    return cell.replace(",", ".") if re.fullmatch(r"-?[0-9]+,[0-9]{2}", cell) else cell


def batch(run, rules: Path, scenarios: Path, out: Path, *options: str):
    result = run("batch", str(rules), str(scenarios), "--out", str(out), *options)
    assert result.exit_code == 0, result.output
    return result


# --- CSV in the Dutch Excel dialect, and cp1252 ------------------------------------------------


@pytest.mark.parametrize("covenant", sorted(RULES))
def test_a_dutch_excel_csv_and_a_cp1252_one_give_the_same_results_as_the_plain_csv(run, tmp_path, covenant):
    rules, plain = RULES[covenant]
    rows = read_rows(plain)
    # what Dutch Excel saves as "CSV UTF-8": a BOM, semicolons, decimal commas, points for thousands
    nl = tmp_path / "nl.csv"
    with nl.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([rows[0], *([dutch(c) for c in r] for r in rows[1:])])
    assert nl.read_bytes().startswith(b"\xef\xbb\xbf") and b"," in nl.read_bytes().split(b"\n")[1]
    # what older Excel saves as "CSV (gescheiden door lijstscheidingsteken)": cp1252, no BOM
    cp = tmp_path / "cp.csv"
    with cp.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows([rows[0], *([dutch(c) for c in r] for r in rows[1:])])

    batch(run, rules, plain, tmp_path / "plain-out.csv")
    batch(run, rules, nl, tmp_path / "nl-out.csv")  # detected: semicolons
    batch(run, rules, cp, tmp_path / "cp-out.csv", "--encoding", "cp1252")
    as_plain = run(
        "batch", str(rules), str(nl), "--out", str(tmp_path / "nl-as-plain.csv"), "--csv-dialect", "plain"
    )
    assert as_plain.exit_code == 1 and "is Nederlandse schrijfwijze" in as_plain.output

    expected = read_rows(tmp_path / "plain-out.csv")
    assert len(expected) == len(rows) and all(r[3] == "ok" for r in expected[1:])
    # the results of a Dutch file come back in its dialect: a BOM, semicolons, decimal commas
    raw = (tmp_path / "nl-out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    for name in ("nl-out.csv", "cp-out.csv"):
        got = read_rows(tmp_path / name, ";", "utf-8-sig")
        plain_again = [[_plain(c) for c in r] for r in got]
        assert plain_again == expected, name
    # the same file, read as plain: the decimal commas are refused, not reinterpreted
    refused = read_rows(tmp_path / "nl-as-plain.csv")
    assert {r[3] for r in refused[1:]} == {"fout"}


def test_the_dutch_dialect_can_be_chosen_for_results_of_a_plain_file(run, tmp_path):
    rules, plain = RULES["assen"]
    batch(run, rules, plain, tmp_path / "out.csv", "--csv-dialect", "nl")
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8")
    assert text.startswith("\ufeffrij;scenario;jaar;status;")
    plain_run = tmp_path / "plain.csv"
    batch(run, rules, plain, plain_run)
    first = read_rows(plain_run)[1]
    money_at = first.index(next(c for c in first if c.count(".") == 1 and c.replace(".", "").isdigit()))
    assert read_rows(tmp_path / "out.csv", ";", "utf-8-sig")[1][money_at] == first[money_at].replace(".", ",")


def test_nothing_typed_in_the_dutch_dialect_is_reinterpreted(run, tmp_path):
    rules, plain = RULES["assen"]
    rows = read_rows(plain)
    at = rows[0].index("toegemoetkoming_regiogemeenten")
    macro = rows[0].index("macrobudget_bw")
    cases = {"38412000,00": "38412000.00", "38.412.000,00": "38412000.00", "38412000": "38412000"}
    for i, (written, meant) in enumerate(cases.items()):
        nl = tmp_path / f"nl{i}.csv"
        plain_copy = tmp_path / f"plain{i}.csv"
        dutch_rows = [rows[0], [dutch(c) for c in rows[1]]]
        dutch_rows[1][macro] = written
        plain_rows = [rows[0], list(rows[1])]
        plain_rows[1][macro] = meant
        with nl.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle, delimiter=";").writerows(dutch_rows)
        with plain_copy.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(plain_rows)
        batch(run, rules, nl, tmp_path / f"nl{i}-out.csv")
        batch(run, rules, plain_copy, tmp_path / f"plain{i}-out.csv")
        got = read_rows(tmp_path / f"nl{i}-out.csv", ";", "utf-8-sig")
        assert [[_plain(c) for c in r] for r in got] == read_rows(tmp_path / f"plain{i}-out.csv")
    # '150.000' could be 150000 or 150: refused in the Dutch dialect with the reason, never guessed
    nl = tmp_path / "ambiguous.csv"
    dutch_rows = [rows[0], [dutch(c) for c in rows[1]]]
    dutch_rows[1][at] = "150.000"
    with nl.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(dutch_rows)
    result = run("batch", str(rules), str(nl), "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 1
    message = read_rows(tmp_path / "a.csv", ";", "utf-8-sig")[1][4]
    assert message == (
        "toegemoetkoming_regiogemeenten: ‘150.000’ is in een Nederlands CSV-bestand twee getallen: de punt "
        "kan een scheiding van duizendtallen of een decimaalpunt zijn"
    )
    # and in the plain dialect '150.000' stays refused as before (three decimals)
    plain_rows = [rows[0], list(rows[1])]
    plain_rows[1][at] = "150.000"
    with (tmp_path / "p.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(plain_rows)
    result = run("batch", str(rules), str(tmp_path / "p.csv"), "--out", str(tmp_path / "p-out.csv"))
    assert result.exit_code == 1
    assert "‘150.000’ heeft drie decimalen" in read_rows(tmp_path / "p-out.csv")[1][4]


def test_a_cp1252_file_read_as_utf8_is_refused_and_a_utf8_one_as_cp1252_is_read_as_declared(run, tmp_path):
    rules, plain = RULES["assen"]
    rows = read_rows(plain)
    rows[1][0] = "Coëvorden-variant"  # ë is one byte in cp1252, not UTF-8
    cp = tmp_path / "cp.csv"
    with cp.open("w", encoding="cp1252", newline="") as handle:
        csv.writer(handle).writerows(rows)
    result = run("batch", str(rules), str(cp), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and "geen UTF-8-tekst" in result.output
    batch(run, rules, cp, tmp_path / "o.csv", "--encoding", "cp1252")
    assert read_rows(tmp_path / "o.csv")[1][1] == "Coëvorden-variant"


@pytest.mark.parametrize(
    ("cell", "plain"),
    [
        ("38412000,00", "38412000.00"),
        ("38.412.000,00", "38412000.00"),
        ("-1.234,5", "-1234.5"),
        ("0,25", "0.25"),
        ("1234.50", "1234.50"),  # a point that cannot separate thousands is a decimal point
        ("2,5%", "2,5%"),  # not a number cell: left to the fact's own reading
        ("1,234.50", "1,234.50"),  # an English number: left as text, refused as no number
        ("Scenario 1,5", "Scenario 1,5"),
    ],
)
def test_dutch_number_reads_only_unambiguous_numbers(cell, plain):
    assert dutch_number(cell) == plain


@pytest.mark.parametrize("cell", ["150.000", "1.234", "-12.345.678"])
def test_dutch_number_refuses_what_reads_two_ways(cell):
    assert dutch_number(cell) == AmbiguousCell(cell)


# --- Excel results -------------------------------------------------------------------------------


def _example_amounts() -> list[str]:
    """Every amount the example scenarios give (the cells with a decimal point)."""
    found = []
    for _, scenarios in RULES.values():
        for row in read_rows(scenarios)[1:]:
            found += [c for c in row if re.fullmatch(r"-?[0-9]+\.[0-9]{2}", c)]
    return found


def test_every_example_amount_survives_an_excel_number_exactly():
    amounts = _example_amounts()
    assert len(amounts) > 50
    for text in amounts:
        value = excel_value(MONEY, text)
        assert isinstance(value, float)
        assert Decimal(repr(value)) == Decimal(text)  # what Excel shows and what batch reads back


@given(st.integers(min_value=-(10**15) + 1, max_value=10**15 - 1))
def test_an_amount_of_at_most_15_digits_is_an_exact_excel_number(cents):
    text = money.plain(Fraction(cents, 100))
    value = excel_value(MONEY, text)
    assert isinstance(value, float) and Fraction(Decimal(repr(value))) == Fraction(cents, 100)


def test_a_longer_amount_stays_text():
    assert excel_value(MONEY, "12345678901234.56") == "12345678901234.56"  # 16 digits


def test_excel_results_have_numbers_formats_exact_keys_labels_names_and_frozen_headers(run, tmp_path):
    rules, scenarios = RULES["groningen"]
    batch(run, rules, scenarios, tmp_path / "o.csv")
    batch(run, rules, scenarios, tmp_path / "o.xlsx")
    plain = read_rows(tmp_path / "o.csv")
    header, first = plain[0], plain[1]
    book = openpyxl.load_workbook(tmp_path / "o.xlsx")
    assert book.sheetnames == ["uitkomsten", "row", "gemeenten"]  # the year's results, then each set
    seen: set[str] = set()
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "C3"  # the header rows and rij, scenario stay in view
        labels = [c.value for c in sheet[1]]
        names = [c.value for c in sheet[2]]
        assert names[:4] == ["rij", "scenario", "jaar", "status"] and labels[:4] == [
            "Rij",
            "Scenario",
            "Jaar",
            "Status",
        ]
        assert all(c.font.bold for c in sheet[1])
        row = {n: c for n, c in zip(names, sheet[3], strict=True)}
        assert row["rij"].value == 2 and row["jaar"].value == 2022  # numbers, not text
        for name, cell in row.items():
            if name.endswith(".exact"):
                continue
            seen.add(name)
            text = first[header.index(name)]
            if "/" in text:  # a ratio: a percentage, rounded, with the exact fraction beside it
                assert cell.number_format == PERCENT_FORMAT
                assert cell.value == pytest.approx(float(Fraction(text)), rel=1e-15)
                assert row[f"{name}.exact"].value == text
            elif text.count(".") == 1 and text.lstrip("-").replace(".", "").isdigit():
                assert cell.number_format == EURO_FORMAT and isinstance(cell.value, int | float)
                assert Decimal(repr(cell.value)) == Decimal(text)  # exactly the amount (0.0 reads as 0)
    assert seen == set(header)  # every column of the CSV is somewhere in the workbook
    municipalities = book["gemeenten"]
    labels = [c.value for c in municipalities[1]]
    names = [c.value for c in municipalities[2]]
    at = names.index("afrekening.GM0014")
    assert labels[at].endswith("\nGroningen (GM0014)")  # the name, its code beside it
    assert labels[at].startswith("Verschil tussen Budgetdeel en individuele uitkering")
    grid = book["row"]
    names = [c.value for c in grid[2]]
    exact = names.index("verdeelsleutel.GM0014.exact")
    assert names[exact - 1] == "verdeelsleutel.GM0014"
    assert grid.cell(3, exact + 1).value == "471396419/963910000"  # the exact key, as text
    assert grid.cell(1, exact + 1).value.endswith("Groningen (GM0014)\nexacte breuk")


def test_excel_results_can_be_replaced_with_overwrite(run, tmp_path):
    rules, scenarios = RULES["assen"]
    batch(run, rules, scenarios, tmp_path / "o.xlsx")
    batch(run, rules, scenarios, tmp_path / "o.xlsx", "--overwrite")  # recognised as batch's own


# --- text that fits the terminal ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("evaluate", "examples/groningen-2022.yaml"),
        ("evaluate", "examples/assen-2024.yaml"),
        ("deadlines", "groningen", "2022"),
        ("versions", "groningen"),
    ],
)
def test_tables_fit_a_narrow_terminal(run, command):
    wide = run(*command)
    narrow = run(*command, env={"COLUMNS": "72"})
    assert wide.exit_code == narrow.exit_code == 0, narrow.output
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 72
    # nothing is lost: the same characters, only on more lines (wrapped within their columns)
    assert Counter("".join(narrow.stdout.split())) == Counter("".join(wide.stdout.split()))


def test_output_to_a_file_keeps_whole_lines(run):
    result = run("evaluate", "examples/groningen-2022.yaml")
    assert max(len(line) for line in result.stdout.splitlines()) > 120  # no terminal, no COLUMNS


def test_columns_wrap_the_widest_column_within_itself():
    rows = [["Budget (het totaal van de individuele uitkeringen)", "€ 102.108.572,87", "art. 1c"]]
    lines = columns(rows, {1}, width=50)
    assert lines == [  # 2 + 20 + 2 + 16 + 2 + 7 = 49: the label is wrapped at 20 (as wide as it must)
        "  Budget (het totaal     € 102.108.572,87  art. 1c",
        "  van de individuele",
        "  uitkeringen)",
    ]
    assert Counter("".join(" ".join(lines).split())) == Counter("".join(" ".join(rows[0]).split()))


def test_fit_wraps_a_long_line_with_a_hanging_indent():
    text = "  " + " ".join(["woord"] * 60)
    lines = fit(text, width=40).split("\n")
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("  woord") and all(line.startswith("    woord") for line in lines[1:])


# --- a rule with two ways of computing ---------------------------------------------------------


def test_the_hint_for_two_ways_of_computing_names_the_fields(run, tmp_path):
    text = (REPO_ROOT / "rules" / "assen" / "2024-v1.6.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert "weighted_key" in data["rules"]["verdeelsleutel_bw"]
    changed = text.replace(
        "  verdeelsleutel_bw:\n    label:", "  verdeelsleutel_bw:\n    expression: inwoners\n    label:", 1
    )
    assert changed != text
    folder = tmp_path / "rules" / "assen"
    folder.mkdir(parents=True)
    (folder / "2024-v1.6.yaml").write_text(changed, encoding="utf-8")
    (tmp_path / "rules" / "municipalities.yaml").write_bytes(
        (REPO_ROOT / "rules" / "municipalities.yaml").read_bytes()
    )
    templates = REPO_ROOT / "rules" / "assen" / "2024-v1.6.templates"
    (folder / "2024-v1.6.templates").symlink_to(templates)
    result = run("validate", str(folder / "2024-v1.6.yaml"))
    assert result.exit_code == 1
    assert "moet precies één manier van berekenen hebben (nu: expression, weighted_key)" in result.output
    assert "wat te doen: kies één van: expression, weighted_key." in result.output  # the two it has
    assert "e, x, p" not in result.output
