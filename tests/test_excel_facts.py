"""Facts from Excel: `convenant template` writes a workbook, a user fills it in, and `evaluate`,
`explain`, `letters` and `validate` take it as they take a YAML fact file.

The round trip: every example's facts → `template` → the workbook filled in as a user types
(numbers as numbers, dates as dates, ja/nee from the list, a percentage in a percent cell) →
`evaluate --format json` gives what the YAML file gives, result for result. Problems in a cell
name the sheet and the cell, in Dutch.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.source import workbook as layout
from convenant.source.loading import load_document
from convenant.workflow.template import FIRST_DATA_ROW, NAMES_ROW
from tests.paths import REPO_ROOT

EXAMPLES = sorted(p for p in (REPO_ROOT / "examples").glob("*.yaml") if not p.name.startswith("afzender"))
# what only says which file was read (its path and sha256), not what it gives
SOURCE_ONLY = ("facts", "engine")


def typed(value: Any, number_format: str | None = None) -> Any:
    """A YAML fact value as a user types it in Excel."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal):
        return float(value)  # Excel holds a number as a binary double
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value)
    if isinstance(value, str) and value.endswith("%"):  # "0,5 %", typed 0,5% in a percent cell
        return float(Decimal(value.rstrip("% ").replace(",", "."))) / 100
    if number_format and "%" in number_format and isinstance(value, int | Decimal):
        return float(Decimal(value)) / 100
    return value


def put(cell: Any, value: Any) -> None:
    cell.value = typed(value, cell.number_format)


def fill(path: Path, data: dict[str, Any]) -> None:
    """Fill the template at `path` with a YAML fact file's data, as a user would."""
    book = openpyxl.load_workbook(path)
    facts = book[layout.FACTS_SHEET]
    value = layout.VALUE_COLUMN
    for row in facts.iter_rows(min_row=1):
        name = row[layout.FACT_COLUMN - 1].value
        member = row[layout.MEMBER_COLUMN - 1].value
        if name in layout.HEADER_KEYS and name in data:
            put(row[value - 1], data[name])
        given = data.get("facts", {}).get(name)
        if given is None:
            continue
        if member:
            if member in given:
                put(row[value - 1], given[member])
        elif not isinstance(given, dict):
            put(row[value - 1], given)
    for sheet_name, section in ((layout.MUNICIPALITIES_SHEET, "municipalities"), (layout.ROWS_SHEET, "rows")):
        if section not in data:
            continue
        sheet = book[sheet_name]
        names = {cell.value: cell.column for cell in sheet[NAMES_ROW] if cell.value}
        rows = {sheet.cell(r, 1).value: r for r in range(FIRST_DATA_ROW, sheet.max_row + 1)}
        spare = [r for code, r in rows.items() if code not in data[section]]  # a merged member's row
        for code, values in data[section].items():
            if code in rows:
                row = rows[code]
            else:  # facts per former municipality: the user types its code over a spare row, or adds one
                row = spare.pop(0) if spare else sheet.max_row + 1
                sheet.cell(row, 1, code)
            for fact, given in values.items():
                for member, item in given.items() if isinstance(given, dict) else [(None, given)]:
                    put(sheet.cell(row, names[f"{fact}.{member}" if member else fact]), item)
    if "cases" in data:
        sheet = book[layout.CASES_SHEET]
        names = {cell.value: cell.column for cell in sheet[NAMES_ROW] if cell.value}
        for offset, case in enumerate(data["cases"]):
            for key, given in case.items():
                put(sheet.cell(FIRST_DATA_ROW + offset, names[key]), given)
    book.save(path)


def template_for(run: Any, tmp_path: Path, covenant: str, year: int, name: str = "feiten.xlsx") -> Path:
    out = tmp_path / name
    result = run("template", covenant, str(year), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def evaluated(run: Any, path: Path) -> dict[str, Any]:
    result = run("evaluate", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {k: v for k, v in data.items() if k not in SOURCE_ONLY}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_of_every_example(run: Any, tmp_path: Path, example: Path) -> None:
    data = load_document(example, str(example)).data
    out = template_for(run, tmp_path, data["covenant"], data["year"])
    fill(out, data)
    from_excel, from_yaml = evaluated(run, out), evaluated(run, example)
    assert from_excel["results"] == from_yaml["results"]
    assert from_excel["municipalities"] == from_yaml["municipalities"]
    assert from_excel == from_yaml


ASSEN_EXAMPLE = REPO_ROOT / "examples" / "assen-2024.yaml"


@pytest.fixture
def assen_workbook(run: Any, tmp_path: Path) -> Path:
    """The Assen example, filled into a fresh template."""
    out = template_for(run, tmp_path, "assen", 2024)
    fill(out, load_document(ASSEN_EXAMPLE, str(ASSEN_EXAMPLE)).data)
    return out


def cell_of(book: Any, fact: str) -> Any:
    """The value cell of a fact on the sheet Feiten."""
    sheet = book[layout.FACTS_SHEET]
    row = next(r for r in sheet.iter_rows() if r[layout.FACT_COLUMN - 1].value == fact)
    return row[layout.VALUE_COLUMN - 1]


def changed(path: Path, change: Any) -> Path:
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return path


def block(shown: str, message: str) -> tuple[str, str]:
    """The sheet and cell the one problem that says `message` points at."""
    found = [b for b in shown.split("\n\n") if message in b]
    assert len(found) == 1, shown
    place = next(line for line in found[0].splitlines() if line.startswith("  --> "))
    sheet, cell = place.split(", blad ")[1].split(", cel ")
    return sheet, cell


def refusal(run: Any, path: Path, *command: str) -> str:
    result = run(*(command or ("evaluate",)), str(path))
    assert result.exit_code == 1, result.output
    return result.stderr


def test_errors_name_the_sheet_and_cell_in_dutch(run: Any, assen_workbook: Path) -> None:
    def change(book: Any) -> None:
        cell_of(book, "macrobudget_bw").value = None  # a required fact left empty
        cell_of(book, "toegemoetkoming_regiogemeenten").value = "150.000"  # typed as text
        cell_of(book, "uitgaven_mo").value = "veel"  # text in a number cell
        book[layout.MUNICIPALITIES_SHEET]["D8"].value = "abc"  # Hoogeveen's inwoners

    shown = refusal(run, changed(assen_workbook, change))
    assert block(shown, "‘macrobudget_bw’ (Macrobudget beschermd wonen") == ("Feiten", "D12")
    assert block(
        shown, "‘150.000’ heeft drie decimalen; een punt als duizendtalscheiding? Schrijf 150000"
    ) == (
        "Feiten",
        "D15",
    )
    assert block(shown, "‘veel’ is geen getal (eenheid: geldbedrag)") == ("Feiten", "D17")
    assert block(shown, "‘abc’ is geen aantal") == ("Gemeenten", "D8")
    assert "= veld: facts.toegemoetkoming_regiogemeenten" in shown
    assert shown.rstrip().endswith("4 fouten.")


def test_a_missing_municipality_value_points_at_its_empty_cell(run: Any, assen_workbook: Path) -> None:
    def change(book: Any) -> None:
        book[layout.MUNICIPALITIES_SHEET]["E8"].value = None  # Hoogeveen's uitvoeringskosten

    shown = refusal(run, changed(assen_workbook, change))
    assert block(shown, "‘uitvoeringskosten’ (Uitvoeringskosten") == ("Gemeenten", "E8")
    assert "ontbreekt voor Hoogeveen (GM0118)" in shown


def test_a_binary_fraction_of_a_cent_is_refused_as_batch_refuses_it(run: Any, assen_workbook: Path) -> None:
    """Excel stores 0,1 + 0,2 as 0.30000000000000004; openpyxl writes a shorter number, so the
    test writes the cell's XML as Excel does."""
    import zipfile

    changed(assen_workbook, lambda book: setattr(cell_of(book, "reserve_mo_begin"), "value", 0.75))
    plain = assen_workbook.with_name("plain.xlsx")
    assen_workbook.rename(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(assen_workbook, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert data.count(b"<v>0.75</v>") == 1
                data = data.replace(b"<v>0.75</v>", b"<v>0.30000000000000004</v>")
            target.writestr(item, data)
    shown = refusal(run, assen_workbook)
    assert block(shown, "‘0.30000000000000004’ heeft 17 decimalen") == ("Feiten", "D18")


def test_yes_no_a_duplicate_row_and_an_unknown_code(run: Any, assen_workbook: Path) -> None:
    def change(book: Any) -> None:
        cases = book[layout.CASES_SHEET]
        cases["C6"].value = "misschien"  # nieuwe_client of the first case
        sheet = book[layout.MUNICIPALITIES_SHEET]
        sheet["A15"].value, sheet["D15"].value = "GM0106", 1  # Assen a second time
        sheet["A16"].value, sheet["D16"].value = "GM9999", 1

    shown = refusal(run, changed(assen_workbook, change))
    assert block(shown, "‘GM0106’ staat twee keer op het blad Gemeenten") == ("Gemeenten", "A15")
    assert "1 fout." in shown  # the workbook's own layout is refused before any fact is checked
    changed(assen_workbook, lambda book: setattr(book[layout.MUNICIPALITIES_SHEET]["A15"], "value", None))
    changed(assen_workbook, lambda book: setattr(book[layout.MUNICIPALITIES_SHEET]["D15"], "value", None))
    shown = refusal(run, assen_workbook)
    assert block(shown, "‘misschien’") == ("Casussen", "C6")
    assert block(shown, "GM9999") == ("Gemeenten", "A16")


def test_template_writes_a_new_xlsx_file_only(run: Any, tmp_path: Path) -> None:
    out = template_for(run, tmp_path, "assen", 2024)
    before = out.read_bytes()
    again = run("template", "assen", "2024", "--out", str(out))
    assert again.exit_code == 1 and "bestaat al" in again.stderr
    assert out.read_bytes() == before
    csv = run("template", "assen", "2024", "--out", str(tmp_path / "feiten.csv"))
    assert csv.exit_code == 2 and "eindigt op .xlsx" in csv.stderr
    assert not (tmp_path / "feiten.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["feiten.xlsx"]  # no temporary file left


def test_the_template_describes_every_fact(run: Any, tmp_path: Path) -> None:
    out = template_for(run, tmp_path, "groningen", 2022)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Feiten", "Gemeenten", "Rijen"]
    sheet = book[layout.MUNICIPALITIES_SHEET]
    codes = [sheet.cell(r, 1).value for r in range(FIRST_DATA_ROW, sheet.max_row + 1)]
    assert codes[:2] == ["GM1979", "GM0014"] and len(codes) == 10  # Eemsdelta, not its predecessors
    assert sheet.cell(FIRST_DATA_ROW, 2).value == "Eemsdelta"
    names = [c.value for c in sheet[NAMES_ROW]]
    assert "aantal_indicaties.bw_intramuraal" in names and "individuele_uitkering" in names
    column = names.index("individuele_uitkering") + 1
    assert sheet.cell(3, column).value == "artikel 1, onder j"
    assert sheet.cell(FIRST_DATA_ROW, column).number_format == "#,##0.00"
    kinds = {dv.type for dv in sheet.data_validations.dataValidation}
    assert {"custom", "whole", "list"} <= kinds  # amounts with two decimals, counts, ja/nee
    rows = book[layout.ROWS_SHEET]
    assert [rows.cell(r, 1).value for r in range(FIRST_DATA_ROW, rows.max_row + 1)] == [
        "buiten_prov_groningen",
        "onbekend",
        "centraal",
    ]
    facts = book[layout.FACTS_SHEET]
    required = {r[0].value: r[6].value for r in facts.iter_rows() if r[0].value}
    assert required["indicatiewaarde"] == "verplicht" and required["datum_brief"] == "optioneel"
    assert required["toevoeging_budget"] == "optioneel (leeg: € 0,00)".replace(" ", "\xa0", 1) or required[
        "toevoeging_budget"
    ].startswith("optioneel (leeg: ")


def test_validate_explain_and_letters_take_a_workbook(run: Any, assen_workbook: Path, tmp_path: Path) -> None:
    checked = run("validate", str(assen_workbook))
    assert checked.exit_code == 0 and "feitenbestand assen 2024 → 1.6: in orde" in checked.stdout
    explained = run("explain", str(assen_workbook), "--municipality", "GM0106")
    assert explained.exit_code == 0
    assert (
        "feiten.xlsx, blad Gemeenten, cel D7 (artikel 8, vijfde lid" in explained.stdout
    )  # Assen's inwoners
    letters = run(
        "letters",
        str(assen_workbook),
        "--out",
        str(tmp_path / "brieven"),
        "--format",
        "md",
        "--act",
        "voorlopig_aandeel",
        "--date",
        "2025-02-14",
    )
    assert letters.exit_code == 0, letters.output
    assert list((tmp_path / "brieven").glob("*.md"))


def test_the_analysts_guide_shows_the_template() -> None:
    guide = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    assert "## Feiten in Excel" in guide and "](img/excel-feiten.png)" in guide
    assert (REPO_ROOT / "docs" / "img" / "excel-feiten.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "convenant template groningen 2022 --out" in guide


def test_a_formula_never_calculated_is_refused_not_read_as_empty(run: Any, assen_workbook: Path) -> None:
    changed(assen_workbook, lambda book: setattr(cell_of(book, "uitgaven_mo"), "value", "=6000000+100000"))
    shown = refusal(run, assen_workbook)
    assert block(shown, "de formule =6000000+100000 heeft geen opgeslagen uitkomst") == ("Feiten", "D17")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_every_amount_typed_in_whole_cents_is_read_exactly(cents: int) -> None:
    """Typed as Excel stores it (the nearest binary double), an amount of whole cents below a
    hundred billion euro reads back as exactly that amount: no float reinterpretation."""
    from fractions import Fraction

    from convenant.core.units import Kind, parse_value
    from convenant.source.workbook import cell_value

    typed_in = float(Decimal(cents) / 100)
    assert parse_value(Kind.MONEY, cell_value(typed_in, "#,##0.00")) == Fraction(cents, 100)
