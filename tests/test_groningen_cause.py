"""Art. 5 lid 2 (the cause of a mandatory adjustment) and lid 4 (I-G-5.4), worked by hand.

A constructed Groningen year on the real rule file, small enough to follow. Prices: BW intramuraal
50.000,00 and begeleiding/toegang MO 10.000,00 an indication (the other columns have none).
Indications, and their indicatiewaarde (count × price):

    Groningen (GM0014)   BW intramuraal 6 → 300.000   begeleiding 10 → 100.000   row 400.000
    Pekela (GM0765)      BW intramuraal 2 → 100.000   begeleiding 10 → 100.000   row 200.000
    8 other deelnemers                                begeleiding  5 →  50.000   row  50.000 each
    Buiten Prov., Onbekend, Centraal: none                                       Σ 1.000.000

Fixed columns (art. 4 lid 2 onder b–f): 0,25 % + innovatie 0 % + 3 % + 3,5 % in row centraal and the
Bijlage 1 eigen bijdrage per row, which total −1,15 %: F = 5,6 %. Under I-G-4.2a "schalen" the
computed cells share C = 100 % − 5,6 % = 94,4 %: a row's key is its share of Σ × 94,4 % plus its own
fixed cells, so only the 94,4 % part can change.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.check.facts import FactValue
from convenant.evaluation.evaluate import evaluate
from convenant.explain import explain
from tests.conftest import check_text, problems_of, replace_once
from tests.test_groningen import COLUMNS, EXTRA_ROWS, MEMBERS, facts_for, groningen
from tests.test_groningen_readings import differing, evaluate_with, reference, rules_with

GRONINGEN, PEKELA = "GM0014", "GM0765"
OTHERS = [m for m in MEMBERS if m not in (GRONINGEN, PEKELA)]  # the 8 other deelnemers
C = Fraction("0.944")  # the computed cells' share: 100 % − 5,6 %
SAMEN, PER_CEL = ("chosen: samen", "chosen: samen"), ("chosen: samen", "chosen: per_cel")
FIRST_ANNOUNCED = ("chosen: na_bijstelling", "chosen: eerst_bekendgemaakt")


def counts(bw_intramuraal: int, begeleiding: int) -> dict[str, int]:
    return {c: {"bw_intramuraal": bw_intramuraal, "begeleiding_mo": begeleiding}.get(c, 0) for c in COLUMNS}


def year(uitkering_groningen: str, uitkering_pekela: str, **facts) -> dict:
    """The constructed year; the 8 other deelnemers receive 750.000,00 each (6.000.000,00)."""
    prices = {c: "10000.00" for c in COLUMNS} | {"bw_intramuraal": "50000.00"}
    members = {
        GRONINGEN: {"individuele_uitkering": uitkering_groningen, "aantal_indicaties": counts(6, 10)},
        PEKELA: {"individuele_uitkering": uitkering_pekela, "aantal_indicaties": counts(2, 10)},
    } | {m: {"individuele_uitkering": "750000.00", "aantal_indicaties": counts(0, 5)} for m in OTHERS}
    return {
        "covenant": "groningen",
        "year": 2023,
        "facts": {"indicatiewaarde": prices, **facts},
        "municipalities": members,
        "rows": {r: {"aantal_indicaties": counts(0, 0)} for r in EXTRA_ROWS},
    }


def after(data: dict, prices: dict[str, str], changed: dict[str, dict[str, int]]) -> dict:
    """The same year with the facts after the change: new prices, and new counts for some rows."""
    data["facts"]["indicatiewaarde_na_wijziging"] = data["facts"]["indicatiewaarde"] | prices
    for group in ("municipalities", "rows"):
        for member, entry in data[group].items():
            entry["aantal_indicaties_na_wijziging"] = changed.get(member, entry["aantal_indicaties"])
    return data


def tariff_rise(**facts) -> dict:
    """A 5 % tariff rise of BW intramuraal (50.000,00 → 52.500,00) from 1 July 2023; no count moves.
    Budget = 30.000.000,00 + 1.230.000,00 + 8 × 750.000,00 = 37.230.000,00 = 3.723.000.000 cent
    = 10.000 × 1.020 × 365 cent, so every share below is a whole number of cents."""
    data = year("30000000.00", "1230000.00", datum_aanleiding_bijstelling="2023-07-01", **facts)
    return after(data, {"bw_intramuraal": "52500.00"}, {})


# --- no cause, no adjustment -------------------------------------------------------------------


def test_a_tariff_rise_without_a_cause_adjusts_nothing(tmp_path):
    # BW intramuraal indicatiewaarde: Groningen 6 × 50.000 = 300.000 → 6 × 52.500 = 315.000 (+5 %),
    # Pekela 100.000 → 105.000 (+5 %): the numbers reach the threshold, but no cause is given
    # (aanleiding_verhuizingen and aanleiding_nieuwe_instelling default to no): art. 5 lid 2 does
    # not apply, and every Budgetdeel stays as it was.
    ev = reference(tmp_path, tariff_rise())
    node = ev.node("substantiele_wijziging")
    assert node.value is False and node.details.hits == ()
    assert node.details.causes == {"aanleiding_verhuizingen": False, "aanleiding_nieuwe_instelling": False}
    assert ev.node("verdeelsleutel_bijgesteld").value == ev.node("verdeelsleutel").value
    assert ev.node("budgetdeel_bijgesteld").value == ev.node("budgetdeel").value
    assert set(ev.node("bijstelling").value.values()) == {0}
    assert len(ev.node("bijstelling").value) == 13  # every row: 10 deelnemers and 3 other rows
    text = explain.render(explain.explain(ev, "md", "nl"), "md")
    assert (
        "Er is geen aanleiding als bedoeld in artikel 5, tweede lid, opgegeven (geen verhuizingen en geen "
        "toetreding van een nieuwe instelling): er is geen verplichte bijstelling"
    ) in " ".join(text.split())
    assert "Geen van de aanleidingen van artikel 5, tweede lid, is opgegeven (zie de invoer)" in text
    assert "aanleiding_verhuizingen:" not in text  # no identifiers in the sentences


def test_without_a_cause_the_facts_after_the_change_are_not_needed(tmp_path):
    # The same year with no facts after a change at all, and no date: still no adjustment, and it is
    # known (the adjusted key is the old key), not "nog onbekend".
    ev = reference(tmp_path, year("30000000.00", "1230000.00"))
    assert ev.node("verdeelsleutel_na_wijziging").value is None  # its facts are not given
    assert ev.node("substantiele_wijziging").value is False
    assert ev.node("budgetdeel_bijgesteld").value == ev.node("budgetdeel").value
    assert set(ev.node("bijstelling").value.values()) == {0}
    assert "bijstelling" not in ev.waiting_for("bijstelling") and ev.waiting_for("bijstelling") == []


def test_a_cause_without_its_facts_is_unknown_and_says_what_it_waits_for(tmp_path):
    ev = reference(tmp_path, year("30000000.00", "1230000.00", aanleiding_verhuizingen=True))
    assert ev.node("substantiele_wijziging").value is None
    assert ev.node("bijstelling").value is None
    waits = ev.waiting_for("bijstelling")
    assert {"aantal_indicaties_na_wijziging", "indicatiewaarde_na_wijziging"} <= set(waits)
    text = explain.render(explain.explain(ev, "md", "nl"), "md")
    assert "Nog niet te berekenen" in text and "aantal_indicaties_na_wijziging" in text


# --- moves: the BW-intramuraal indicatiewaarde --------------------------------------------------


def test_the_same_tariff_rise_with_moves_as_cause_adjusts(tmp_path):
    # Cause: moves. Test: BW intramuraal indicatiewaarde per deelnemer; Groningen 300.000 → 315.000
    # and Pekela 100.000 → 105.000 are +5 %, "5 % of meer": substantial. The others have none (0 → 0).
    ev = reference(tmp_path, tariff_rise(aanleiding_verhuizingen=True))
    hits = ev.node("substantiele_wijziging").details.hits
    assert [(h.member, h.column, h.old, h.new) for h in hits] == [
        (GRONINGEN, "bw_intramuraal", 300000, 315000),
        (PEKELA, "bw_intramuraal", 100000, 105000),
    ]
    # After: Groningen 315.000 + 100.000 = 415.000, Pekela 205.000, others 50.000; Σ 1.020.000.
    # Shares of the 94,4 % before → after, ×1.020: Groningen 408 → 415 (+7), Pekela 204 → 205 (+1),
    # every other deelnemer 51 → 50 (−1); Σ of the changes 7 + 1 − 8 = 0.
    # 1 July – 31 December = 31 + 31 + 30 + 31 + 30 + 31 = 184 of 365 days (I-G-5.2-naar-rato).
    # Adjustment = Budget × change/1.020 × 94,4 % × 184/365
    #            = 10.000 × 1.020 × 365 × change/1.020 × 0,944 × 184/365 cent = change × 9.440 × 184 cent:
    #   Groningen 7 × 1.736.960 = 12.158.720 cent = +121.587,20; Pekela +17.369,60; others −17.369,60.
    budget = 37230000
    assert ev.node("budget").value == budget
    assert Fraction(budget * 100) * Fraction(7, 1020) * C * Fraction(184, 365) == 12158720
    adjustment = ev.node("bijstelling").value
    assert adjustment[GRONINGEN] == Fraction("121587.20")
    assert adjustment[PEKELA] == Fraction("17369.60")
    assert all(adjustment[m] == Fraction("-17369.60") for m in OTHERS)
    assert all(adjustment[r] == 0 for r in EXTRA_ROWS)
    assert sum(adjustment.values()) == 0


# --- a new institution: I-G-5.2-toets "samen" or "per_cel" -------------------------------------


def new_institution() -> dict:
    """A new institution in Groningen from 1 January 2023: its begeleiding goes from 10 to 11
    indications (100.000 → 110.000), nothing else. Σ 1.010.000. Budget = 30.000.000,00 +
    1.370.000,00 + 6.000.000,00 = 37.370.000,00 = 3.737.000.000 cent = 1.010 × 3.700.000 cent."""
    data = year(
        "30000000.00",
        "1370000.00",
        aanleiding_nieuwe_instelling=True,
        datum_aanleiding_bijstelling="2023-01-01",
    )
    return after(data, {}, {GRONINGEN: counts(6, 11)})


def test_samen_compares_a_deelnemers_cells_together(tmp_path):
    # Under "samen" (the default) Groningen's relative indicatiewaarde is its cells together:
    # 400.000/1.000.000 × 94,4 % → 410.000/1.010.000 × 94,4 %, a change of (410 × 1.000)/(400 × 1.010)
    # − 1 = 6/404 ≈ 1,49 %: below 5 %. Every other deelnemer's row moves by 1.000/1.010 − 1 ≈ −0,99 %.
    # No deelnemer changes by 5 % or more: no mandatory adjustment, although the cause was given.
    ev = evaluate_with(rules_with(tmp_path, SAMEN), tmp_path, new_institution())
    node = ev.node("substantiele_wijziging")
    assert node.value is False and node.details.hits == ()
    assert node.details.together == (False, True)  # the moves test has one column; this one: samen
    assert set(ev.node("bijstelling").value.values()) == {0}


def test_per_cel_compares_each_cell_and_adjusts(tmp_path):
    # Under "per_cel" Groningen's begeleiding cell goes from 100.000/1.000.000 × 94,4 % to
    # 110.000/1.010.000 × 94,4 %: (110 × 1.000)/(100 × 1.010) − 1 = 9/101 ≈ +8,9 %: substantial.
    # Its BW intramuraal cell moves by −0,99 %, as do all other cells: below 5 %.
    ev = evaluate_with(rules_with(tmp_path, PER_CEL), tmp_path, new_institution())
    hits = ev.node("substantiele_wijziging").details.hits
    assert [(h.member, h.column) for h in hits] == [(GRONINGEN, "begeleiding_mo")]
    assert hits[0].new / hits[0].old == Fraction(110 * 1000, 100 * 1010)
    # The whole year (1 January: 365/365). Shares of the 94,4 % ×1.010: Groningen 404 → 410 (+6),
    # Pekela 202 → 200 (−2), each other deelnemer 50,5 → 50 (−0,5); 6 − 2 − 8 × 0,5 = 0.
    # Adjustment = 3.700.000 × change × 0,944 cent: Groningen 20.956.800 = +209.568,00,
    # Pekela −6.985.600 = −69.856,00, others −1.746.400 = −17.464,00 each.
    adjustment = ev.node("bijstelling").value
    assert adjustment[GRONINGEN] == Fraction("209568.00")
    assert adjustment[PEKELA] == Fraction("-69856.00")
    assert all(adjustment[m] == Fraction("-17464.00") for m in OTHERS)
    assert sum(adjustment.values()) == 0


def test_switching_i_g_5_2_toets_changes_exactly_the_adjustment(tmp_path):
    data = new_institution()
    samen = evaluate_with(rules_with(tmp_path, SAMEN), tmp_path, data, "samen.yaml")
    per_cel = evaluate_with(rules_with(tmp_path, PER_CEL), tmp_path, data, "per_cel.yaml")
    assert differing(samen, per_cel) == {
        "substantiele_wijziging",
        "verdeelsleutel_bijgesteld",
        "budgetdeel_bijgesteld",
        "bijstelling",
        "budgetdeel_voor_buffer",  # I-G-5.4: the buffer is measured against the adjusted Budgetdeel
    }
    assert "I-G-5.2-toets" in per_cel.node("bijstelling").interpretations


def test_a_nil_sum_that_is_no_longer_nil_counts_as_changed(tmp_path):
    # Westerwolde (GM1950) is given no indications at all: Σ = 400.000 + 200.000 + 7 × 50.000 =
    # 950.000. The new institution gives it one begeleiding indication (10.000): Σ' 960.000. Its
    # cells together go from nil to 10.000/960.000 × 94,4 %: any change of a nil value counts, under
    # "samen" too. Every other deelnemer moves by 950/960 − 1 ≈ −1,04 %: below 5 %.
    data = year("30000000.00", "1370000.00", aanleiding_nieuwe_instelling=True)
    data["facts"]["datum_aanleiding_bijstelling"] = "2023-01-01"
    data["municipalities"]["GM1950"]["aantal_indicaties"] = counts(0, 0)
    data = after(data, {}, {"GM1950": counts(0, 1)})
    ev = reference(tmp_path, data)
    hits = ev.node("substantiele_wijziging").details.hits
    assert [(h.member, h.column, h.old) for h in hits] == [("GM1950", None, 0)]


# --- I-G-5.4: the buffer against the adjusted Budgetdeel ----------------------------------------


def buffer_year() -> dict:
    """The moves year (Pekela's Budgetdeel rises by 17.369,60), with Pekela claiming the buffer.
    Pekela's Budgetdeel first announced = 3.723.000.000 cent × (200.000/1.000.000 × 94,4 % + its
    eigen bijdrage 0,02 %) = 3.723.000.000 × 0,189 = 703.647.000 cent = 7.036.470,00; adjusted
    7.036.470,00 + 17.369,60 = 7.053.839,60. Its costs: 7.400.000,00, unavoidable."""
    data = tariff_rise(aanleiding_verhuizingen=True, buffer_beschikbaar="100000.00")
    data["municipalities"][PEKELA] |= {"kosten_taken": "7400000.00", "kosten_onvermijdbaar": True}
    return data


def test_an_adjusted_budgetdeel_that_covers_the_costs_leaves_no_buffer_claim(tmp_path):
    # Default I-G-5.4 "na_bijstelling": 105 % × 7.053.839,60 = 7.406.531,58 ≥ 7.400.000,00 costs:
    # not "meer dan 5 % boven het Budgetdeel", no claim, no payment from the buffer.
    ev = reference(tmp_path, buffer_year())
    assert ev.node("budgetdeel").value[PEKELA] == Fraction("7036470.00")
    assert ev.node("budgetdeel_bijgesteld").value[PEKELA] == Fraction("7053839.60")
    assert ev.node("budgetdeel_voor_buffer").value[PEKELA] == Fraction("7053839.60")
    assert Fraction("1.05") * Fraction("7053839.60") == Fraction("7406531.58")
    assert ev.node("buffer_aanspraak").value == {PEKELA: 0}
    assert ev.node("buffer_betaling").value == {PEKELA: 0}
    assert "I-G-5.4" in ev.node("buffer_betaling").interpretations


def test_against_the_budgetdeel_first_announced_the_buffer_pays_as_well(tmp_path):
    # Alternative "eerst_bekendgemaakt": 105 % × 7.036.470,00 = 7.388.293,50 < 7.400.000,00:
    # claim = 7.400.000,00 − 7.388.293,50 = 11.706,50, which fits in the 100.000,00 available:
    # Pekela is paid 11.706,50 from the buffer on top of the 17.369,60 its adjustment gives it.
    ev = evaluate_with(rules_with(tmp_path, FIRST_ANNOUNCED), tmp_path, buffer_year())
    assert Fraction("1.05") * Fraction("7036470.00") == Fraction("7388293.50")
    assert ev.node("buffer_aanspraak").value == {PEKELA: Fraction("11706.50")}
    assert ev.node("buffer_betaling").value == {PEKELA: Fraction("11706.50")}


def test_switching_i_g_5_4_changes_exactly_the_buffer(tmp_path):
    data = buffer_year()
    default = reference(tmp_path, data)
    other = evaluate_with(rules_with(tmp_path, FIRST_ANNOUNCED), tmp_path, data)
    assert differing(default, other) == {"budgetdeel_voor_buffer", "buffer_aanspraak", "buffer_betaling"}
    # without an adjustment both readings measure against the same Budgetdeel
    plain = tariff_rise(buffer_beschikbaar="100000.00")
    plain["municipalities"][PEKELA] |= {"kosten_taken": "7400000.00", "kosten_onvermijdbaar": True}
    one = reference(tmp_path, plain)
    two = evaluate_with(rules_with(tmp_path, FIRST_ANNOUNCED), tmp_path, plain, "plain.yaml")
    assert differing(one, two) == set()
    assert one.node("buffer_aanspraak").value == {PEKELA: Fraction("11706.50")}


# --- the checker ---------------------------------------------------------------------------------

RULES = "rules/groningen/2021.yaml"


def rule_text() -> str:
    from tests.paths import REPO_ROOT

    return (REPO_ROOT / RULES).read_text(encoding="utf-8")


def test_a_cause_must_be_a_yes_no_fact():
    text = replace_once(rule_text(), "{cause: aanleiding_verhuizingen,", "{cause: drempel_buffer,")
    problem = next(p for p in problems_of(text) if p.code == "rules.threshold_cause")
    assert problem.args["name"] == "drempel_buffer"
    assert problem.field == "rules.substantiele_wijziging.threshold.tests[0].cause"
    from convenant.core.messages import render

    message = render(problem, "nl")
    assert "geen feit van het type ja/nee" in message and "artikel 5, tweede lid" in message


def test_every_test_names_its_cause():
    text = replace_once(rule_text(), "{cause: aanleiding_verhuizingen, measure", "{measure")
    problem = next(p for p in problems_of(text) if p.code == "schema.required")
    assert (problem.args["name"], problem.field) == (
        "cause",
        "rules.substantiele_wijziging.threshold.tests[0]",
    )


def test_cells_names_a_switchable_interpretation_with_samen_and_per_cel():
    text = replace_once(rule_text(), "cells: I-G-5.2-toets", "cells: I-G-5.5")
    assert any(p.code == "rules.policy_interpretation" for p in problems_of(text))
    check_text(rule_text(), RULES)  # the file itself is accepted


# --- property: with a cause, the adjustments add up to nil -----------------------------------------

sheet = st.lists(st.lists(st.integers(0, 300), min_size=6, max_size=6), min_size=13, max_size=13).filter(
    lambda t: sum(map(sum, t)) > 0
)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 10**10).map(lambda c: Fraction(c, 100)), min_size=10, max_size=10),
    sheet,
    sheet,
    st.lists(st.integers(1, 10**7).map(lambda c: Fraction(c, 100)), min_size=6, max_size=6),
    st.lists(st.integers(1, 10**7).map(lambda c: Fraction(c, 100)), min_size=6, max_size=6),
    st.dates(min_value=date(2022, 1, 1), max_value=date(2022, 12, 31)),
    st.sampled_from(["aanleiding_verhuizingen", "aanleiding_nieuwe_instelling"]),
)
def test_with_a_cause_the_adjustments_add_up_to_nil_to_the_cent(
    uitkering, old_table, new_table, prices, new_prices, day, cause
):
    facts = facts_for(uitkering, old_table, prices)
    for i, row in enumerate(MEMBERS + EXTRA_ROWS):
        facts.per_municipality[row]["aantal_indicaties_na_wijziging"] = FactValue(
            dict(zip(COLUMNS, new_table[i], strict=True)), None
        )
    facts.scalars["indicatiewaarde_na_wijziging"] = FactValue(
        dict(zip(COLUMNS, new_prices, strict=True)), None
    )
    facts.scalars["datum_aanleiding_bijstelling"] = FactValue(day, None)
    facts.scalars[cause] = FactValue(True, None)
    ev = evaluate(groningen(), facts)
    adjustment = ev.node("bijstelling").value
    assert adjustment is not None and sum(adjustment.values()) == 0
    assert sum(ev.node("budgetdeel_bijgesteld").value.values()) == sum(uitkering)
