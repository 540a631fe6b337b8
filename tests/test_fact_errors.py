"""Bad facts get a clear message and exit 1: never a traceback, never a wrong number."""

from __future__ import annotations

from tests.conftest import assen_facts, write_facts


def evaluate(run, tmp_path, data):
    result = run("evaluate", str(write_facts(tmp_path, data)))
    assert "Traceback" not in result.output
    return result


def test_a_missing_municipality(run, tmp_path):
    data = assen_facts()
    del data["municipalities"]["GM0119"]
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: de gemeente Meppel (GM0119) ontbreekt onder municipalities" in result.stderr
    assert "= artikel: artikel 8, vijfde lid, onder a" in result.stderr
    assert "voeg GM0119 toe met: inwoners, uitvoeringskosten." in result.stderr
    assert result.stdout == ""


def test_an_unknown_cbs_code(run, tmp_path):
    data = assen_facts()
    data["municipalities"]["GM9999"] = {"inwoners": 1, "uitvoeringskosten": "1.00"}
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: onbekende CBS-code GM9999" in result.stderr
    assert "facts.yaml:" in result.stderr


def test_a_municipality_that_is_not_a_party(run, tmp_path):
    data = assen_facts()
    data["municipalities"]["GM0014"] = {"inwoners": 1, "uitvoeringskosten": "1.00"}
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "Groningen (GM0014) is geen partij bij het Convenant Beschermd Wonen" in result.stderr


def test_negative_inhabitants(run, tmp_path):
    data = assen_facts()
    data["municipalities"]["GM1701"]["inwoners"] = -5
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: inwoners is -5, maar mag niet kleiner zijn dan 0" in result.stderr
    assert "= veld: municipalities.GM1701.inwoners" in result.stderr
    assert "= artikel: artikel 8, vijfde lid, onder a" in result.stderr


def test_zero_total_costs_cites_article_8_fifth_paragraph(run, tmp_path):
    data = assen_facts()
    for values in data["municipalities"].values():
        values["uitvoeringskosten"] = "0.00"
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert (
        "fout: Verdeelsleutel voor het resultaat beschermd wonen (verdeelsleutel_bw) kan niet worden "
        "berekend: het totaal van ‘uitvoeringskosten’ over alle gemeenten is nul"
    ) in result.stderr
    assert "= artikel: artikel 8, vijfde lid" in result.stderr
    assert "(artikel 8, vijfde lid, onder b)" in result.stderr


def test_a_year_no_version_covers_lists_the_versions(run, tmp_path):
    data = assen_facts()
    data["year"] = 2027
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: geen versie van convenant ‘assen’ geldt in 2027" in result.stderr
    assert "- versie 1.6 (1 januari 2024 t/m 31 december 2025): rules/assen/2024-v1.6.yaml" in result.stderr
    assert "= artikel: artikel 10" in result.stderr


def test_a_missing_fact_names_the_article_that_needs_it(run, tmp_path):
    data = assen_facts()
    del data["facts"]["rijksuitkering_mo"]
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert (
        "fout: het feit ‘rijksuitkering_mo’ (Rijksuitkering begeleiding maatschappelijke opvang) ontbreekt"
        in result.stderr
    )
    assert "= artikel: artikel 8, derde lid" in result.stderr


def test_an_unknown_fact_suggests_the_right_name(run, tmp_path):
    data = assen_facts()
    data["facts"]["macrobudget_bww"] = data["facts"].pop("macrobudget_bw")
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "Bedoelt u ‘macrobudget_bw’?" in result.stderr


def test_money_with_a_fraction_of_a_cent_or_in_dutch_notation(run, tmp_path):
    data = assen_facts(zorgkosten_bw="35950123.455")
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "‘35950123.455’ heeft 3 decimalen; een geldbedrag heeft er hoogstens twee" in result.stderr
    data = assen_facts(zorgkosten_bw="35.950.123,45")
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "‘35.950.123,45’ is Nederlandse schrijfwijze" in result.stderr
    assert "; schrijf 35950123.45" in result.stderr


def test_yes_no_in_a_fact_file_is_refused(run, tmp_path):
    path = write_facts(tmp_path, assen_facts())
    path.write_text(path.read_text().replace("nieuwe_client: true", "nieuwe_client: yes", 1))
    result = run("evaluate", str(path))
    assert result.exit_code == 1
    assert "‘yes’ is dubbelzinnig" in result.stderr


def test_a_per_municipality_fact_in_the_wrong_place(run, tmp_path):
    data = assen_facts(inwoners=100)
    result = evaluate(run, tmp_path, data)
    assert result.exit_code == 1
    assert "het feit ‘inwoners’ staat op de verkeerde plek" in result.stderr
    assert "zet het onder municipalities" in result.stderr


def test_english_messages(run, tmp_path):
    data = assen_facts()
    data["year"] = 2027
    result = run("--lang", "en", "evaluate", str(write_facts(tmp_path, data)))
    assert result.exit_code == 1
    assert "error: no version of covenant ‘assen’ is in force in 2027" in result.stderr
