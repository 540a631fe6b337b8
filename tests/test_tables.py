"""Bijlage 1 as data: every correction recorded and consistent, and every sum reported, not hidden."""

from __future__ import annotations

from fractions import Fraction

import pytest

from convenant.check.checking import table_for
from convenant.check.tables import EXACT, OFF, ROUNDING, findings, load_table
from convenant.core.diagnostics import ConvenantError
from tests.paths import REPO_ROOT

BIJLAGE = REPO_ROOT / "rules" / "groningen" / "2021-bijlage-1.yaml"


def table():
    return load_table(BIJLAGE.resolve(), table_for(BIJLAGE))


def finding(check, subject, column):
    return next(f for f in findings(table()) if (f.check, f.subject, f.column) == (check, subject, column))


def test_every_row_and_column_of_the_print_is_there():
    t = table()
    assert len(t.columns) == 15 and len(t.rows) == 27
    labels = [r.label for r in t.rows]
    for label in (
        "Bedum",
        "DAL",
        "Groningen (GHTB)",
        "Westerkwartier",
        "Buiten Prov. Groningen",
        "Onbekend",
        "Centraal",
    ):
        assert label in labels
    assert t.row("DAL").parts == ("Delfzijl", "Appingedam", "Loppersum")


def test_the_corrections_named_in_domain_md_are_recorded_with_their_original_reading():
    t = table()
    recorded = {(c.row, c.field): (c.original, c.corrected) for c in t.corrections}
    assert recorded[("Groningen", "mo_opvang")] == ("B,57%", "8,67%")
    assert recorded[("Centraal", "mo_opvang")] == ("2,B8%", "2,88%")
    assert recorded[("Groningen", "label")] == ("Greningen", "Groningen")
    assert recorded[("totalen", "eigen_bijdrage")] == ("A,7%", None)
    assert t.row("Groningen").values["mo_opvang"] == Fraction("0.0867")
    assert t.printed_totals["eigen_bijdrage"] is None


def test_aggregate_rows_are_checked_against_their_parts():
    # DAL, BW lokaal: Delfzijl 0,00 + Appingedam 0,01 + Loppersum 0,01 = 0,02 %, but 0,11 % is printed.
    dal = finding("aggregate", "DAL", "bw_lokaal")
    assert (dal.computed, dal.expected, dal.status) == (Fraction("0.0002"), Fraction("0.0011"), OFF)
    # DAL, eigen bijdrage: −0,14 − 0,01 − 0,02 = −0,17 %, as printed (after the correction of "-017%").
    assert finding("aggregate", "DAL", "eigen_bijdrage").status == EXACT
    # DAL, Totaal startmoment: 3,80 + 0,54 + 0,86 = 5,20 % against 5,19 %: within the print's rounding.
    assert finding("aggregate", "DAL", "totaal_startmoment").status == ROUNDING


def test_column_totals_and_totals_that_are_not_100_percent_are_reported():
    # MO opvang: 2,56 (Westerkwartier) + 8,67 (GHTB) + 0,14 + 0,01 + 2,88 (centraal) = 14,26 % ≈ 14,3 %.
    mo = finding("column_total", "mo_opvang", "mo_opvang")
    assert (mo.computed, mo.status) == (Fraction("0.1426"), ROUNDING)
    # Eigen bijdrage: the rows add up to −1,15 %; the printed total is unreadable.
    eigen = finding("column_total", "eigen_bijdrage", "eigen_bijdrage")
    assert (eigen.computed, eigen.expected, eigen.status) == (Fraction("-0.0115"), None, OFF)
    # The per 30-06 totals add up to 100,01 % (display rounding), the key columns to 109,65 %.
    assert finding("column_total", "totaal_per_30_06", "totaal_per_30_06").computed == Fraction("1.0001")
    key = finding("total_100", "kolommen", None)
    assert (key.computed, key.status) == (Fraction("1.0965"), OFF)


def test_the_table_command_shows_corrections_and_what_does_not_add_up(run):
    result = run("table", str(BIJLAGE))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Groningen, MO opvang: “B,57%” → “8,67%”." in out
    assert "DAL, BW lokaal: delen samen 0,02 %, gedrukt 0,11 %: klopt niet" in out
    assert "Eigen bijdrage: samen -1,15 %, gedrukt onleesbaar: klopt niet" in out
    assert "samen 109,65 %, niet 100 %: klopt niet" in out


def test_validate_warns_about_the_sums_but_does_not_fail(run):
    result = run("validate", str(BIJLAGE))
    assert result.exit_code == 0, result.output
    assert (
        "waarschuwing: 25 sommen in de tabel kloppen niet en 16 alleen binnen de afronding" in result.stderr
    )


def broken(tmp_path, old, new):
    text = BIJLAGE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "bijlage.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_correction_that_does_not_match_the_data_is_refused(tmp_path):
    path = broken(
        tmp_path,
        '"40,96%", "1,84%", "1,63%", "4,24%", "8,67%"',
        '"40,96%", "1,84%", "1,63%", "4,24%", "8,57%"',
    )
    with pytest.raises(ConvenantError) as caught:
        load_table(path.resolve(), table_for(BIJLAGE))
    (problem,) = caught.value.problems
    assert problem.code == "table.correction_mismatch"
    from convenant.core import messages

    assert messages.message(problem)[0] == (
        "volgens de correctie staat bij Groningen, mo_opvang ‘8,67%’, maar de tabel bevat ‘8,57%’"
    )


def test_a_row_with_a_missing_value_is_refused(tmp_path):
    path = broken(tmp_path, '"5,40%", "0,09%", ', '"5,40%", ')
    with pytest.raises(ConvenantError) as caught:
        load_table(path.resolve(), table_for(BIJLAGE))
    assert caught.value.problems[0].code == "table.row_length"
    assert caught.value.problems[0].location.line > 1
