"""Golden cases of the Groningen primitives, worked by hand with the arithmetic shown.

A three-row toy sheet (tests/fixtures/toy/sheet.yaml: Pekela, Veendam and "centraal"; columns a and
b) makes the arithmetic small enough to follow; the real Groningen rule file is used where the case
is about the covenant itself (deadlines, the rationed buffer of the example, the first year).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.core.diagnostics import ConvenantError
from convenant.evaluation.evaluate import evaluate
from tests.conftest import write_facts
from tests.paths import REPO_ROOT

TOY = REPO_ROOT / "tests" / "fixtures" / "toy" / "sheet.yaml"
PEKELA, VEENDAM = "GM0765", "GM0047"


def toy_facts(**extra):
    data = {
        "covenant": "toy-sheet",
        "year": 2023,
        "facts": {"waarde": {"a": "1000.00", "b": "500.00"}},
        "municipalities": {
            PEKELA: {"uitkering": "600000.00", "aantal": {"a": 3, "b": 2}},
            VEENDAM: {"uitkering": "400000.01", "aantal": {"a": 1, "b": 4}},
        },
        "rows": {"centraal": {"aantal": {"a": 0, "b": 2}}},
    }
    for key, value in extra.items():
        if key in ("municipalities", "rows"):
            for member, facts in value.items():
                data[key][member].update(facts)
        elif key == "year":
            data["year"] = value
        else:
            data["facts"][key] = value
    return data


def run_toy(tmp_path, data):
    rules = load_rule_file(TOY)
    return evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))


def test_three_row_sheet_under_schalen(tmp_path):
    # Indicatiewaarde per cell = count × value:
    #   Pekela   a 3 × 1.000 = 3.000, b 2 × 500 = 1.000  → 4.000
    #   Veendam  a 1 × 1.000 = 1.000, b 4 × 500 = 2.000  → 3.000
    #   centraal a 0,                  b 2 × 500 = 1.000  → 1.000      Σ = 8.000
    # Fixed cells (row centraal): buffer 3 % + uitvoering 5 % = 8 %; the computed cells share 92 %.
    #   Pekela   3.000/8.000 × 92 % = 34,5 %  + 1.000/8.000 × 92 % = 11,5 %  → 46 %
    #   Veendam  1.000/8.000 × 92 % = 11,5 %  + 2.000/8.000 × 92 % = 23 %    → 34,5 %
    #   centraal                               1.000/8.000 × 92 % = 11,5 %  + 8 % → 19,5 %     Σ = 100 %
    ev = run_toy(tmp_path, toy_facts())
    key = ev.node("sleutel").value
    assert key == {PEKELA: Fraction("0.46"), VEENDAM: Fraction("0.345"), "centraal": Fraction("0.195")}
    assert ev.node("sleutel").details.total == 1
    assert ev.node("sleutel").details.cells["centraal"] == {"a": 0, "b": Fraction("0.115")}
    # Budget = 600.000,00 + 400.000,01 = 1.000.000,01 = 100.000.001 cent. Exact shares in cents:
    #   46.000.000,46  34.500.000,345  19.500.000,195 → floors sum to 100.000.000; 1 cent left,
    #   largest remainder 0,46 → Pekela.
    deel = ev.node("budgetdeel").value
    assert deel == {
        PEKELA: Fraction("460000.01"),
        VEENDAM: Fraction("345000.00"),
        "centraal": Fraction("195000.00"),
    }
    # Pekela (deelnemer): Budgetdeel 460.000,01 − uitkering 600.000,00 = −139.999,99: it pays.
    # Veendam is centrumgemeente: no settlement of its own (roles: [deelnemer]).
    assert ev.node("afrekening").value == {PEKELA: Fraction("-139999.99")}


def test_under_geen_a_sheet_that_totals_100_percent_is_used(tmp_path):
    # "geen": a cell is its indicatiewaarde / Budget, and the sheet must total exactly 100 %.
    # With Budget 1.000.000,00 and 8 % fixed, Σ indicatiewaarde must be 920.000,00: values a 115.000,
    # b 57.500 give Pekela 345.000 + 115.000, Veendam 115.000 + 230.000, centraal 115.000.
    data = toy_facts(waarde={"a": "115000.00", "b": "57500.00"})
    data["municipalities"][VEENDAM]["uitkering"] = "400000.00"
    text = TOY.read_text(encoding="utf-8").replace("chosen: schalen", "chosen: geen")
    rules_path = tmp_path / "toy-geen.yaml"
    rules_path.write_text(text, encoding="utf-8")
    rules = load_rule_file(rules_path)
    ev = evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))
    # Pekela 3 × 115.000 + 2 × 57.500 = 460.000 → 46 %; Veendam 115.000 + 230.000 = 345.000 → 34,5 %;
    # centraal 115.000 → 11,5 % + 8 % = 19,5 %.
    assert ev.node("sleutel").value[PEKELA] == Fraction("0.46")
    assert ev.node("sleutel").details.scaling == "geen"


def test_under_geen_a_sheet_of_99_73_percent_is_refused_with_its_total(tmp_path):
    # Σ indicatiewaarde 917.300,00 / Budget 1.000.000,00 = 91,73 %, + 8 % fixed = 99,73 %.
    data = toy_facts(waarde={"a": "114662.50", "b": "57331.25"})
    data["municipalities"][VEENDAM]["uitkering"] = "400000.00"
    text = TOY.read_text(encoding="utf-8").replace("chosen: schalen", "chosen: geen")
    rules_path = tmp_path / "toy-geen.yaml"
    rules_path.write_text(text, encoding="utf-8")
    rules = load_rule_file(rules_path)
    with pytest.raises(ConvenantError) as caught:
        evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))
    (problem,) = caught.value.problems
    assert problem.code == "evaluate.sheet_not_100"
    from convenant.core import messages

    assert (
        messages.message(problem)[0]
        == "het spreadsheet van Sleutel (sleutel) telt op tot 99,73 %, niet tot 100 %"
    )


def test_rationed_buffer(tmp_path):
    # Claims Pekela 300,00 and Veendam 100,00 = 400,00; available 100,01 < 400,00: rationed.
    # Shares of 10.001 cent: Pekela 3/4 → 7.500,75, Veendam 1/4 → 2.500,25; floors 7.500 + 2.500 =
    # 10.000; 1 cent left → largest remainder 0,75 → Pekela: 75,01 and 25,00 (together 100,01).
    data = toy_facts(
        beschikbaar="100.01",
        municipalities={PEKELA: {"aanspraak": "300.00"}, VEENDAM: {"aanspraak": "100.00"}},
    )
    node = run_toy(tmp_path, data).node("buffer")
    assert node.value == {PEKELA: Fraction("75.01"), VEENDAM: Fraction("25.00")}
    assert node.details.fits is False and node.rounding(PEKELA) == "largest_remainder"


def test_buffer_claims_that_fit_are_paid_in_full(tmp_path):
    data = toy_facts(
        beschikbaar="400.00",
        municipalities={PEKELA: {"aanspraak": "300.00"}, VEENDAM: {"aanspraak": "100.00"}},
    )
    node = run_toy(tmp_path, data).node("buffer")
    assert node.value == {PEKELA: Fraction("300.00"), VEENDAM: Fraction("100.00")}
    assert node.details.fits is True and node.roundings == ()


def adjustment_facts(year, budget_veendam):
    # Veendam gets a new institution: column b from 4 to 8 indications.
    # New indicatiewaarden: Pekela 4.000, Veendam 1.000 + 4.000 = 5.000, centraal 1.000 → Σ 10.000;
    # new key: Pekela 4.000/10.000 × 92 % = 36,8 %; Veendam 46 %; centraal 9,2 % + 8 % = 17,2 %.
    # Veendam's b-cell goes from 23 % to 36,8 %: far more than 5 %, so the adjustment applies.
    data = toy_facts(
        year=year,
        waarde_na={"a": "1000.00", "b": "500.00"},
        datum_wijziging=f"{year}-04-01",
        aanleiding=True,  # the cause of art. 5 lid 2: without it, no adjustment
        municipalities={
            PEKELA: {"uitkering": "100000.00", "aantal_na": {"a": 3, "b": 2}},
            VEENDAM: {"uitkering": budget_veendam, "aantal_na": {"a": 1, "b": 8}},
        },
        rows={"centraal": {"aantal_na": {"a": 0, "b": 2}}},
    )
    return data


def test_pro_rata_adjustment_from_1_april_in_a_non_leap_year(tmp_path):
    # 2023: 1 April through 31 December = 30+31+30+31+31+30+31+30+31 = 275 days of 365: 55/73.
    # Budget 100.000,00 + 630.000,00 = 730.000,00 = 73.000.000 cent (a multiple of 73).
    # Adjusted key = old + (new − old) × 55/73:
    #   Pekela   0,46  + (0,368 − 0,46)  × 55/73 = (33,58 − 5,06)/73  = 28,52/73
    #   Veendam  0,345 + (0,46 − 0,345)  × 55/73 = (25,185 + 6,325)/73 = 31,51/73
    #   centraal 0,195 + (0,172 − 0,195) × 55/73 = (14,235 − 1,265)/73 = 12,97/73
    # Budgetdeel (cent): old 33.580.000 / 25.185.000 / 14.235.000; adjusted 28.520.000 / 31.510.000 /
    # 12.970.000; adjustment −50.600,00 / +63.250,00 / −12.650,00 (together 0).
    ev = run_toy(tmp_path, adjustment_facts(2023, "630000.00"))
    assert ev.node("wijziging").value is True
    details = ev.node("sleutel_bijgesteld").details
    assert (details.remaining_days, details.days, details.fraction) == (275, 365, Fraction(55, 73))
    assert ev.node("sleutel_bijgesteld").value[PEKELA] == Fraction("28.52") / 73
    assert ev.node("bijstelling").value == {
        PEKELA: Fraction("-50600.00"),
        VEENDAM: Fraction("63250.00"),
        "centraal": Fraction("-12650.00"),
    }


def test_pro_rata_adjustment_from_1_april_in_a_leap_year(tmp_path):
    # 2024: 1 April through 31 December is still 275 days, but of 366: 275/366.
    # Budget 100.000,00 + 632.000,00 = 732.000,00 = 73.200.000 cent = 275/366 × … in whole cents:
    #   the change of the key times the Budget: Pekela −0,092 × 275/366 × 73.200.000 = −5.060.000,
    #   Veendam +0,115 × 275 × 200.000 = +6.325.000, centraal −0,023 × 275 × 200.000 = −1.265.000.
    ev = run_toy(tmp_path, adjustment_facts(2024, "632000.00"))
    details = ev.node("sleutel_bijgesteld").details
    assert (details.remaining_days, details.days, details.fraction) == (275, 366, Fraction(275, 366))
    assert ev.node("bijstelling").value == {
        PEKELA: Fraction("-50600.00"),
        VEENDAM: Fraction("63250.00"),
        "centraal": Fraction("-12650.00"),
    }


def test_a_change_below_the_threshold_leaves_the_key(tmp_path):
    # Same counts after the "change": nothing moves, so no adjustment (all zero).
    data = adjustment_facts(2023, "630000.00")
    data["municipalities"][VEENDAM]["aantal_na"] = {"a": 1, "b": 4}
    ev = run_toy(tmp_path, data)
    assert ev.node("wijziging").value is False
    assert set(ev.node("bijstelling").value.values()) == {0}


@pytest.mark.parametrize(("year", "due"), [(2023, date(2023, 2, 28)), (2024, date(2024, 2, 29))])
def test_a_letter_dated_31_january(tmp_path, year, due):
    # Art. 3 lid 4: "uiterlijk binnen een maand na de mededeling": 31 January + 1 month does not exist;
    # I-months "afkappen" takes the last day of February: 28 February 2023, 29 February 2024.
    data = toy_facts(year=year, datum_brief=f"{year}-01-31")
    ev = run_toy(tmp_path, data)
    assert ev.node("betaling").value == due
    assert "I-months" in ev.node("betaling").interpretations


def test_a_trigger_date_outside_the_year_is_refused(tmp_path):
    data = adjustment_facts(2023, "630000.00")
    data["facts"]["datum_wijziging"] = "2022-12-31"
    with pytest.raises(ConvenantError) as caught:
        run_toy(tmp_path, data)
    assert caught.value.problems[0].code == "evaluate.date_outside_year"


def test_groningen_letter_of_31_january_2024(tmp_path):
    # The real covenant: art. 3 lid 4, termijn_betaling_verschil = 1 maand, I-months = afkappen.
    from tests.conftest import load_example

    data = load_example("groningen-2023.yaml")
    data["year"] = 2024
    data["facts"]["datum_brief"] = "2024-01-31"
    data["facts"]["datum_aanleiding_bijstelling"] = "2024-04-01"
    data["facts"]["datum_verzoek_overleg"] = "2024-09-15"
    rules = load_rule_file(REPO_ROOT / "rules" / "groningen" / "2021.yaml")
    ev = evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))
    assert ev.node("betaling_verschil").value == date(2024, 2, 29)
    assert ev.node("overleg_geschil").value == date(2024, 12, 15)  # 15 September + 3 months


def test_the_groningen_example_rations_its_buffer(tmp_path):
    # examples/groningen-2022.yaml: claims = round(kosten − 105 % × Budgetdeel) for unavoidable costs;
    # together they exceed the 450.000,00 available, so the buffer is shared in proportion.
    from convenant.workflow.session import evaluate_file

    ev = evaluate_file(REPO_ROOT / "examples" / "groningen-2022.yaml")
    claims, paid = ev.node("buffer_aanspraak").value, ev.node("buffer_betaling").value
    deel = ev.node("budgetdeel").value
    for code, claim in claims.items():
        kosten = ev.values["kosten_taken"][code]
        eligible = kosten > Fraction("1.05") * deel[code] and ev.values["kosten_onvermijdbaar"][code]
        from convenant.core.money import round_half_up

        assert claim == (round_half_up(kosten - Fraction("1.05") * deel[code]) if eligible else 0)
        assert 0 <= paid[code] <= claim
    assert sum(claims.values()) > Fraction("450000") and sum(paid.values()) == Fraction("450000")
