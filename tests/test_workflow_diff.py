"""`convenant diff`: every change per article in sentences a jurist reads, and the effect of the
same facts under both versions."""

from __future__ import annotations

import json

import pytest

from convenant.workflow.diff import compare
from convenant.workflow.diff_words import Speaker, ordered, to_text
from tests.conftest import ASSEN, assen_facts, assen_rules, assen_text, check_text, replace_once, write_facts
from tests.workflow import _default_rules_dir

__all__ = ["_default_rules_dir"]


def sentences(new_text: str, lang: str = "nl") -> list[str]:
    """The sentences for the changes from the shipped Assen 1.6 to `new_text`."""
    old, new = assen_rules(), check_text(new_text)
    speaker = Speaker(old, new, lang)
    return [speaker.sentence(c) for c in ordered(compare(old, new))]


def edited(*pairs: tuple[str, str]) -> str:
    text = assen_text()
    for old, new in pairs:
        text = replace_once(text, old, new)
    return text


def test_identical_versions_have_no_changes():
    assert compare(assen_rules(), assen_rules()) == []
    assert "Geen verschillen in de inhoud." in to_text(assen_rules(), assen_rules(), [], "nl")


def test_a_comment_is_no_change_in_content():
    text = assen_text().replace("# Controleer daarna met:", "# Controleer daarna altijd met:")
    new = check_text(text)
    assert compare(assen_rules(), new) == []
    assert "De bestanden verschillen alleen in opmaak of opmerkingen." in to_text(
        assen_rules(), new, [], "nl"
    )


def test_a_percentage_in_the_words_of_the_covenant():
    text = edited(("    value: 5\n    unit: percentage\n", '    value: "5,5 %"\n    unit: percentage\n'))
    assert sentences(text) == [
        "Artikel 8, derde lid: het percentage „Uitvoeringsbudget begeleiding maatschappelijke opvang, als "
        "deel "
        "van de rijksuitkering” is gewijzigd van 5 % naar 5,5 %."
    ]
    assert sentences(text, "en") == [
        "Article 8(3): the percentage ‘Uitvoeringsbudget begeleiding maatschappelijke opvang, als deel van "
        "de rijksuitkering’ changed from 5 % to 5.5 %."
    ]


def test_the_same_value_written_differently_is_no_change():
    assert (
        sentences(
            edited(("    value: 5\n    unit: percentage\n", '    value: "5 %"\n    unit: percentage\n'))
        )
        == []
    )


def test_dates_terms_and_counts_in_their_unit():
    text = edited(("value: 30 juni", "value: 15 juli"), ("    value: 9\n", "    value: 10\n"))
    assert sentences(text) == [
        "Artikel 7, derde lid: het aantal „Aantal leden van het Bestuurlijk Overleg (één bestuurder per "
        "college)” is gewijzigd van 9 naar 10.",
        "Artikel 8, zesde lid: de datum „Uiterste datum, in het jaar na het kalenderjaar, van de afwikkeling "
        '("uiterlijk eind juni")” is gewijzigd van 30 juni naar 15 juli.',
    ]


def test_parties_added_removed_and_their_order():
    text = edited(
        ('  - {name: Westerveld, role: regiogemeente, article: "1e"}\n', ""),
        (
            '  - {name: De Wolden, role: regiogemeente, article: "1e"}\n',
            '  - {name: De Wolden, role: regiogemeente, article: "1e"}\n'
            '  - {name: Eemsdelta, role: regiogemeente, article: "1e"}\n',
        ),
        (
            '  - {name: Aa en Hunze, role: regiogemeente, article: "1e"}\n'
            '  - {name: Assen, role: centrumgemeente, article: "1b"}\n',
            '  - {name: Assen, role: centrumgemeente, article: "1b"}\n'
            '  - {name: Aa en Hunze, role: regiogemeente, article: "1e"}\n',
        ),
    )
    found = sentences(text)
    assert "Artikel 1, onder e: Westerveld (GM1701) is geen partij meer." in found
    assert "Artikel 1, onder e: Eemsdelta (GM1979) is als regiogemeente aan de partijen toegevoegd." in found
    order = next(s for s in found if s.startswith("De volgorde van de partijen is gewijzigd"))
    assert "wie de laatste cent krijgt" in order
    assert "Was: „Aa en Hunze”, „Assen”," in order and "Nu: „Assen”, „Aa en Hunze”," in order


def test_a_switched_interpretation_and_a_changed_reading():
    text = edited(
        ("    chosen: ten_laste_van_resultaat_bw\n", "    chosen: buiten_resultaat_bw\n"),
        (
            "      zijn geregistreerd, voor alle negen gemeenten,",
            "      zijn geregistreerd, voor alle gemeenten,",
        ),
    )
    found = sentences(text)
    assert found[0] == (
        "Artikel 8, vijfde lid, onder b: de gekozen lezing van interpretatie I-A-8.5 is gewijzigd van „De "
        "zorgkosten die in het cliëntregistratiesysteem (GWS/COGNOS) per gemeente van herkomst zijn "
        "geregistreerd, voor alle negen gemeenten, Assen inbegrepen: het resultaat wordt volgens de aanhef "
        "van "
        'het vijfde lid "onder alle gemeenten verdeeld".” naar „De zorgkosten die in het '
        "cliëntregistratiesysteem (GWS/COGNOS) per gemeente van herkomst zijn geregistreerd, voor alle "
        'gemeenten, Assen inbegrepen: het resultaat wordt volgens de aanhef van het vijfde lid "onder alle '
        'gemeenten verdeeld".”.'
    )
    assert found[1].startswith(
        "Artikel 8, negende lid: bij interpretatie I-A-8.9 is de gekozen lezing gewijzigd van "
        "‘ten_laste_van_resultaat_bw’ naar ‘buiten_resultaat_bw’: Nee: de toegemoetkoming wordt uit de "
        "begroting van de centrumgemeente betaald"
    )


def test_a_decision_case_changed_and_added():
    text = edited(
        (
            "      - when: not acute_situatie and not nieuwe_client\n",
            "      - when: not nieuwe_client and not acute_situatie\n",
        ),
    )
    assert sentences(text) == [
        "Artikel 5, eerste lid: bij de beslissing „Toekenning van intramuraal beschermd wonen aan een "
        "cliënt” is "
        "voor de uitkomst ‘geen_instroom’ de voorwaarde gewijzigd van „not acute_situatie and not "
        "nieuwe_client” naar „not nieuwe_client and not acute_situatie”."
    ]


def test_rules_facts_deadlines_and_duties_field_by_field():
    text = edited(
        (
            "    expression: reserve_mo_begin + resultaat_mo\n",
            "    expression: resultaat_mo + reserve_mo_begin\n",
        ),
        (
            "    on_date: {date: datum_afwikkeling_resultaat, year: 1}",
            "    on_date: {date: datum_afwikkeling_resultaat, year: 2}",
        ),
        ("    who: alle deelnemende colleges\n", "    who: de colleges\n"),
        (
            "  reserve_mo_begin:\n    label: Stand van de Reserve MO aan het begin van het kalenderjaar\n"
            "    type: money\n",
            "  reserve_mo_begin:\n    label: Stand van de Reserve MO aan het begin van het kalenderjaar\n"
            "    type: money\n    minimum: 0\n",
        ),
    )
    assert sentences(text) == [
        "Artikel 7, derde lid: bij de verplichting „Het Bestuurlijk Overleg bestaat uit één bestuurder per "
        "college "
        "en vergadert minstens tweemaal per jaar” is de partij die het moet doen gewijzigd van „alle "
        "deelnemende colleges” "
        "naar „de colleges”.",
        "Artikel 8, zesde lid: bij de termijn „Afwikkeling van het definitieve aandeel in het resultaat "
        "beschermd "
        "wonen” is het jaar ten opzichte van het jaar van de feiten gewijzigd van 1 naar 2.",
        "Artikel 8, zevende lid: bij het feit „Stand van de Reserve MO aan het begin van het kalenderjaar” "
        "is het "
        "minimum gewijzigd van niets naar 0.",
        "Artikel 8, zevende lid: bij de regel „Stand van de Reserve MO aan het eind van het kalenderjaar” "
        "is de "
        "berekening gewijzigd van „reserve_mo_begin + resultaat_mo” naar „resultaat_mo + reserve_mo_begin”.",
    ]


def test_a_new_fact_an_article_and_a_rule():
    text = edited(
        (
            '  "10":\n    title: Looptijd van het convenant\n',
            '  "9.4":\n    text: De centrumgemeente meldt het aantal cliënten.\n'
            '  "10":\n    title: Looptijd van het convenant\n',
        ),
        (
            "  verantwoordingen:\n",
            "  aantal_clienten:\n    label: Aantal cliënten beschermd wonen op 31 december\n    type: count\n"
            '    article: "9.4"\n  verantwoordingen:\n',
        ),
        (
            "deadlines:\n",
            '  clienten_gemeld:\n    label: Het aantal cliënten is gemeld\n    article: "9.4"\n'
            "    type: boolean\n    inputs: [aantal_clienten]\n    expression: aantal_clienten >= 0\n\n"
            "deadlines:\n",
        ),
    )
    assert sentences(text) == [
        "Artikel 9, vierde lid: een nieuw feit wordt gevraagd: „Aantal cliënten beschermd wonen op 31 "
        "december”.",
        "Artikel 9, vierde lid: de regel „Het aantal cliënten is gemeld” is toegevoegd.",
        "Artikel 9, vierde lid is toegevoegd: „De centrumgemeente meldt het aantal cliënten.”.",
    ]


def test_changes_are_grouped_by_article_in_article_order():
    text = edited(
        ("    value: 5\n    unit: percentage\n", "    value: 6\n    unit: percentage\n"),
        ("    value: 9\n", "    value: 10\n"),
        ('  version: "1.6"', '  version: "1.6.1"'),
    )
    out = to_text(
        assen_rules(),
        check_text(text, "rules/assen/ander.yaml"),
        compare(assen_rules(), check_text(text)),
        "nl",
    )
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings[1:] == [
        "Het convenant als geheel",
        "Artikel 7 — Samenwerking en bestuurlijk overleg",
        "Artikel 8 — Uitvoeringsbudget en daadwerkelijke gebruik van zorg",
        "3 wijziging(en).",
    ]


def test_diff_refuses_two_different_covenants(run, tmp_path):
    other = tmp_path / "ander.yaml"
    other.write_text(assen_text().replace("  id: assen\n", "  id: drenthe\n"))
    result = run("diff", str(ASSEN), str(other))
    assert result.exit_code == 1
    assert "versies van verschillende convenanten (‘assen’ en ‘drenthe’)" in result.stderr


def test_diff_json(run, tmp_path):
    new = tmp_path / "nieuw.yaml"
    new.write_text(edited(("    value: 5\n    unit: percentage\n", "    value: 6\n    unit: percentage\n")))
    data = json.loads(run("diff", str(ASSEN), str(new), "--format", "json").stdout)
    assert data["covenant"] == "assen"
    assert data["old"]["version"] == data["new"]["version"] == "1.6"
    [change] = data["changes"]
    assert change["article"] == {"artikel": 8, "lid": 3, "onder": None, "text": "artikel 8, derde lid"}
    assert (change["section"], change["name"], change["field"]) == (
        "parameters",
        "percentage_uitvoeringsbudget_mo",
        "value",
    )
    assert (change["change"], change["old"], change["new"]) == ("changed", 5, 6)
    assert change["text"].endswith("is gewijzigd van 5 % naar 6 %.")


def test_diff_facts_shows_old_new_and_difference(run, tmp_path):
    new = tmp_path / "nieuw.yaml"
    new.write_text(edited(("    value: 5\n    unit: percentage\n", "    value: 6\n    unit: percentage\n")))
    facts = write_facts(tmp_path, assen_facts())
    data = json.loads(run("diff", str(ASSEN), str(new), "--facts", str(facts), "--format", "json").stdout)
    effect = data["effect"]
    assert effect["year"] == 2024 and effect["outside_period"] == []
    # 5 % × € 6.283.417,00 = € 314.170,85;  6 % × € 6.283.417,00 = € 377.005,02
    assert effect["region"]["uitvoeringsbudget_mo"] == {
        "label": "Uitvoeringsbudget begeleiding maatschappelijke opvang (art. 8.3)",
        "old": "314170.85",
        "new": "377005.02",
        "difference": "62834.17",
    }
    # the MO percentage does not touch the BW shares
    shares = effect["municipalities"]["aandeel_resultaat_bw"]["values"]
    assert all(v["difference"] == "0.00" for v in shares.values())
    assert shares["GM0106"]["old"] == "130978.10"


def test_diff_facts_that_the_new_version_cannot_evaluate(run, tmp_path):
    new = tmp_path / "nieuw.yaml"
    new.write_text(
        edited(
            (
                "  verantwoordingen:\n",
                '  aantal_clienten:\n    label: Aantal cliënten\n    type: count\n    article: "9.2"\n'
                "  verantwoordingen:\n",
            ),
            (
                "    check: verantwoordingen >= verantwoordingen_vereist",
                "    check: verantwoordingen >= verantwoordingen_vereist and aantal_clienten >= 0",
            ),
            (
                "    inputs: [verantwoordingen, verantwoordingen_vereist]",
                "    inputs: [verantwoordingen, verantwoordingen_vereist, aantal_clienten]",
            ),
        )
    )
    facts = write_facts(tmp_path, assen_facts())
    result = run("diff", str(ASSEN), str(new), "--facts", str(facts))
    assert result.exit_code == 1
    assert "zijn niet door te rekenen met de nieuwe versie" in result.stderr
    assert "aantal_clienten" in result.stderr


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_template_has_both_languages(lang):
    from convenant.workflow.diff_words import TEMPLATES

    assert set(TEMPLATES[lang]) == set(TEMPLATES["nl"]) == set(TEMPLATES["en"])
