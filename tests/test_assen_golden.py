"""Golden cases of the Assen covenant, worked by hand with the arithmetic shown.

Artikel 8, vijfde lid: the BW result is divided over all nine municipalities by a key of 50 %
inhabitants and 50 % execution costs (I-A-8.5); the shares are whole cents by largest remainder,
ties to the party that comes first in the preamble (DOMAIN.md).
"""

from __future__ import annotations

from fractions import Fraction

from tests.conftest import ASSEN_CODES, assen_rules, evaluate_assen

# Preamble order: Aa en Hunze, Assen, Hoogeveen, Meppel, Midden-Drenthe, Noordenveld, Tynaarlo,
# Westerveld, De Wolden.
INWONERS = [10_000, 30_000, 15_000, 10_000, 10_000, 5_000, 10_000, 5_000, 5_000]  # Σ 100.000
KOSTEN_EURO = [50_000, 400_000, 150_000, 100_000, 100_000, 50_000, 50_000, 50_000, 50_000]  # Σ 1.000.000

# Key by hand, 50 % × inwoners / 100.000 + 50 % × kosten / 1.000.000:
#   Aa en Hunze    0,5 × 0,10 + 0,5 × 0,05 = 0,075
#   Assen          0,5 × 0,30 + 0,5 × 0,40 = 0,35
#   Hoogeveen      0,5 × 0,15 + 0,5 × 0,15 = 0,15
#   Meppel         0,5 × 0,10 + 0,5 × 0,10 = 0,10
#   Midden-Drenthe 0,5 × 0,10 + 0,5 × 0,10 = 0,10
#   Noordenveld    0,5 × 0,05 + 0,5 × 0,05 = 0,05
#   Tynaarlo       0,5 × 0,10 + 0,5 × 0,05 = 0,075
#   Westerveld     0,5 × 0,05 + 0,5 × 0,05 = 0,05
#   De Wolden      0,5 × 0,05 + 0,5 × 0,05 = 0,05      Σ = 1
KEY = [Fraction(x) for x in ("0.075", "0.35", "0.15", "0.10", "0.10", "0.05", "0.075", "0.05", "0.05")]


def shares(result_cents: int, inwoners=INWONERS, kosten=KOSTEN_EURO):
    ev = evaluate_assen(assen_rules(), result_cents, inwoners, [k * 100 for k in kosten])
    node = ev.node("aandeel_resultaat_bw")
    return ev, [int(node.value[code] * 100) for code in ASSEN_CODES]


def test_key_is_fifty_percent_inhabitants_and_fifty_percent_costs():
    ev, _ = shares(100_001)
    key = ev.node("verdeelsleutel_bw").value
    assert [key[code] for code in ASSEN_CODES] == KEY


def test_positive_result_of_1000_euro_and_1_cent():
    # Resultaat € 1.000,01 = 100.001 cent. Exact shares in cents (100.001 × sleutel):
    #   7.500,075  35.000,35  15.000,15  10.000,1  10.000,1  5.000,05  7.500,075  5.000,05  5.000,05
    # Floors: 7.500 35.000 15.000 10.000 10.000 5.000 7.500 5.000 5.000 → Σ 100.000; 1 cent left.
    # Largest remainder: 0,35 (Assen) → Assen gets 35.001.
    ev, cents = shares(100_001)
    assert ev.node("resultaat_bw").value == Fraction("1000.01")
    assert cents == [7_500, 35_001, 15_000, 10_000, 10_000, 5_000, 7_500, 5_000, 5_000]
    assert sum(cents) == 100_001


def test_negative_result_mirrors_the_positive_one():
    # Resultaat −€ 1.000,01: the same computation on |−100.001| = 100.001, then the sign back:
    # every municipality pays what it would have received; Assen pays € 350,01.
    ev, cents = shares(-100_001)
    assert ev.node("resultaat_bw").value == Fraction("-1000.01")
    assert cents == [-7_500, -35_001, -15_000, -10_000, -10_000, -5_000, -7_500, -5_000, -5_000]


def test_a_tie_is_broken_by_the_order_of_the_preamble():
    # Equal inhabitants and equal costs: every key share is 1/9.
    # Resultaat € 1.000,05 = 100.005 cent; 100.005 / 9 = 11.111 + 6/9 for everyone.
    # Floors 9 × 11.111 = 99.999 → 6 cents left, all remainders equal (6/9):
    # the first six in the preamble (Aa en Hunze … Noordenveld) get one cent each.
    ev, cents = shares(100_005, [20_000] * 9, [100_000] * 9)
    assert ev.node("verdeelsleutel_bw").value["GM1690"] == Fraction(1, 9)
    assert cents == [11_112] * 6 + [11_111] * 3
    _, negative = shares(-100_005, [20_000] * 9, [100_000] * 9)
    assert negative == [-11_112] * 6 + [-11_111] * 3


def test_mo_execution_budget_is_5_percent_rounded_half_away_from_zero():
    # Rijksuitkering MO € 6.283.417,00 → 5 % = € 314.170,85 exactly.
    # € 1.234,50 → 5 % = € 61,725 → half away from zero → € 61,73.
    from convenant.evaluation.evaluate import evaluate
    from tests.conftest import make_facts

    rules = assen_rules()
    base = {
        n: Fraction(0)
        for n in (
            "macrobudget_bw",
            "zorgkosten_bw",
            "uitvoeringsbudget_bw",
            "toegemoetkoming_regiogemeenten",
            "uitgaven_mo",
            "reserve_mo_begin",
        )
    }
    per = {c: {"inwoners": 1, "uitvoeringskosten": Fraction(1)} for c in ASSEN_CODES}
    for rijk, expected in (("6283417.00", "314170.85"), ("1234.50", "61.73")):
        ev = evaluate(rules, make_facts(rules, 2024, {**base, "rijksuitkering_mo": Fraction(rijk)}, per))
        node = ev.node("uitvoeringsbudget_mo")
        assert node.value == Fraction(expected)
        assert node.rounding(None) == "half_up"
        # resultaat MO = rijksuitkering − uitvoeringsbudget − uitgaven (0); reserve eind = 0 + resultaat
        assert ev.node("resultaat_mo").value == Fraction(rijk) - Fraction(expected)
        assert ev.node("reserve_mo_eind").value == Fraction(rijk) - Fraction(expected)


def test_the_example_facts_are_computed_as_worked_out_here():
    # examples/assen-2024.yaml: 38.412.000,00 − 35.950.123,45 − 1.850.000,00 − 150.000,00 = 461.876,55
    # (I-A-8.9: the contribution to the regiogemeenten is charged to the BW result).
    from convenant.workflow.session import evaluate_file
    from tests.conftest import ASSEN_FACTS

    ev = evaluate_file(ASSEN_FACTS)
    assert ev.node("resultaat_bw").value == Fraction("461876.55")
    assert sum(ev.node("aandeel_resultaat_bw").value.values()) == Fraction("461876.55")
    # MO: 5 % × 6.283.417,00 = 314.170,85; 6.283.417,00 − 314.170,85 − 6.100.000,00 = −130.753,85;
    # Reserve MO: 250.000,00 − 130.753,85 = 119.246,15.
    assert ev.node("uitvoeringsbudget_mo").value == Fraction("314170.85")
    assert ev.node("resultaat_mo").value == Fraction("-130753.85")
    assert ev.node("reserve_mo_eind").value == Fraction("119246.15")
    # Deadlines for 2024: 1 October 2023; the month of February 2025; 30 June 2025.
    from datetime import date

    assert ev.node("voorleggen_uitvoeringskosten").value == date(2023, 10, 1)
    window = ev.node("voorlopig_aandeel_resultaat_bw").value
    assert (window.start, window.end) == (date(2025, 2, 1), date(2025, 2, 28))
    assert ev.node("afwikkeling_resultaat_bw").value == date(2025, 6, 30)
    # Article 5: the three cases of the example.
    assert ev.node("plaatsing_nieuwe_client").value == {
        "casus-2024-001": "toekenning_mogelijk",
        "casus-2024-002": "eerst_voorliggende_voorziening",
        "casus-2024-003": "overleg_en_passende_voorziening",
    }
    assert [d.status for d in ev.duties] == ["met", "met"]


def test_the_art_8_9_interpretation_switches_the_contribution_out_of_the_result(tmp_path):
    from convenant.check.checking import check_rule_file, table_for
    from convenant.check.facts import check_facts, read_header
    from convenant.evaluation.evaluate import evaluate
    from convenant.source.loading import parse_document
    from tests.conftest import ASSEN, ASSEN_FACTS, assen_text

    text = assen_text().replace("chosen: ten_laste_van_resultaat_bw", "chosen: buiten_resultaat_bw")
    rules = check_rule_file(parse_document(text, "switched.yaml"), table_for(ASSEN))
    ev = evaluate(rules, check_facts(read_header(ASSEN_FACTS), rules))
    # 38.412.000,00 − 35.950.123,45 − 1.850.000,00 = 611.876,55: the 150.000,00 no longer counts.
    assert ev.node("resultaat_bw").value == Fraction("611876.55")
    assert "I-A-8.9" in ev.node("aandeel_resultaat_bw").interpretations
