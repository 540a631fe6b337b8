"""The Groningen covenant end to end: the example facts, fact errors, mergers and properties."""

from __future__ import annotations

import copy
import json
import random
from datetime import date
from fractions import Fraction
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.check.checking import load_rule_file
from convenant.check.facts import Facts, FactValue
from convenant.evaluation.evaluate import evaluate
from tests.conftest import load_example, write_facts
from tests.paths import REPO_ROOT

RULES = REPO_ROOT / "rules" / "groningen" / "2021.yaml"
EXAMPLE_2022 = REPO_ROOT / "examples" / "groningen-2022.yaml"
EXAMPLE_2023 = REPO_ROOT / "examples" / "groningen-2023.yaml"
COLUMNS = ["bw_intramuraal", "bw_extramuraal", "bw_lokaal", "begeleiding_mo", "mo_opvang", "mo_toegang"]
EXTRA_ROWS = ["buiten_prov_groningen", "onbekend", "centraal"]
# The members of the municipality set in 2022 and later: Eemsdelta in the place of Appingedam.
MEMBERS = ["GM1979", "GM0014", "GM1966", "GM1952", "GM1895", "GM0765", "GM0037", "GM0047", "GM1969", "GM1950"]


@cache
def groningen():
    return load_rule_file(RULES)


# --- the examples ---------------------------------------------------------------------------------


def test_the_2022_example_evaluates_with_eemsdelta_for_its_three_predecessors(run):
    result = run("evaluate", str(EXAMPLE_2022), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data["municipalities"]) == MEMBERS
    eemsdelta = data["municipalities"]["GM1979"]
    assert [p["name"] for p in eemsdelta["predecessors"]] == ["Appingedam", "Delfzijl", "Loppersum"]
    assert (
        "Appingedam, Delfzijl en Loppersum (partijen bij het convenant) zijn in 2022 samen Eemsdelta"
        in data["mergers"][0]
    )
    # the centrumgemeente has no settlement of its own; every deelnemer has one with a deadline
    assert "afrekening" not in data["municipalities"]["GM0014"]["results"]
    settlement = eemsdelta["results"]["afrekening"]
    assert settlement["direction"] == "ontvangt" and settlement["deadline"] == "ontvangst_verschil"
    pays = data["municipalities"]["GM1966"]["results"]["afrekening"]
    assert pays["direction"] == "betaalt" and pays["deadline"] == "betaling_verschil"
    assert data["deadlines"]["betaling_verschil"]["value"] == "2022-02-28"  # letter 31 January 2022
    assert data["deadlines"]["ontvangst_verschil"]["value"] == "2022-03-10"  # 24 February + 14 days
    assert set(data["other_rows"]) == set(EXTRA_ROWS)
    assert data["tables"]["2021-bijlage-1.yaml"]["sha256"]


def test_the_2022_key_budgetdelen_and_settlements_add_up():
    from convenant.workflow.session import evaluate_file

    ev = evaluate_file(EXAMPLE_2022)
    assert sum(ev.node("verdeelsleutel").value.values()) == 1
    budget = ev.node("budget").value
    assert sum(ev.node("budgetdeel").value.values()) == budget
    # Σ uitkering = Budget (no addition): what the deelnemers pay and receive, the centrumgemeente mirrors.
    assert ev.node("saldo_centrumgemeente").value == -sum(ev.node("afrekening").value.values())


def test_the_2023_example_sums_the_predecessors_into_eemsdelta(run):
    result = run("evaluate", str(EXAMPLE_2023), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data["municipalities"]) == MEMBERS
    assert (
        "Het feitenbestand noemt Appingedam (GM0003), Delfzijl (GM0010) en Loppersum (GM0024); hun "
        "feiten zijn opgeteld voor Eemsdelta (GM1979)."
    ) in data["mergers"]
    from convenant.workflow.session import evaluate_file

    ev = evaluate_file(EXAMPLE_2023)
    # 612.400,00 + 2.944.150,55 + 511.880,10 = 4.068.430,65
    assert ev.values["individuele_uitkering"]["GM1979"] == Fraction("4068430.65")
    # counts are added per column: BW intramuraal 6 + 52 + 11 = 69
    assert ev.values["aantal_indicaties"]["GM1979"]["bw_intramuraal"] == 69
    assert ev.node("substantiele_wijziging").value is True
    assert sum(ev.node("bijstelling").value.values()) == 0
    hits = ev.node("substantiele_wijziging").details.hits
    # the cause is a new institution; under I-G-5.2-toets "samen" Veendam's cells of columns 1-6
    # together (column None) are what changed by 5 % or more
    assert {(h.member, h.column) for h in hits} == {("GM0047", None)}


def test_the_2023_example_gives_the_same_result_with_eemsdelta_named(tmp_path):
    from convenant.check.facts import check_facts, read_header

    data = load_example("groningen-2023.yaml")
    parts = [data["municipalities"].pop(code) for code in ("GM0003", "GM0010", "GM0024")]
    data["municipalities"]["GM1979"] = {
        "individuele_uitkering": str(sum(Fraction(p["individuele_uitkering"]) for p in parts)),
        "aantal_indicaties": {c: sum(p["aantal_indicaties"][c] for p in parts) for c in COLUMNS},
        "aantal_indicaties_na_wijziging": {
            c: sum(p["aantal_indicaties_na_wijziging"][c] for p in parts) for c in COLUMNS
        },
    }
    data["municipalities"]["GM1979"]["individuele_uitkering"] = "4068430.65"
    rules = groningen()
    named = evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))
    from convenant.workflow.session import evaluate_file

    parted = evaluate_file(EXAMPLE_2023)
    for rule in ("verdeelsleutel", "budgetdeel", "afrekening", "bijstelling"):
        assert named.node(rule).value == parted.node(rule).value


def test_deadlines_of_groningen_without_facts_wait_for_their_dates(run):
    result = run("deadlines", "groningen", "2025")
    assert result.exit_code == 0, result.output
    assert "nog onbekend (ontbreekt: datum_brief)" in result.stdout


# --- fact errors ----------------------------------------------------------------------------------


def evaluate_data(run, tmp_path, data):
    result = run("evaluate", str(write_facts(tmp_path, data)))
    assert "Traceback" not in result.output
    return result


def test_a_party_missing(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    del data["municipalities"]["GM0765"]
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: de gemeente Pekela (GM0765) ontbreekt onder municipalities" in result.stderr


def test_an_unknown_column(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    counts = data["municipalities"]["GM0037"]["aantal_indicaties"]
    counts["bw_intramurall"] = counts.pop("bw_intramuraal")
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: onbekende kolom of rij ‘bw_intramurall’ bij aantal_indicaties" in result.stderr
    assert "aantal_indicaties mist een waarde voor ‘bw_intramuraal’" in result.stderr
    assert "= artikel: artikel 4, tweede lid, onder a" in result.stderr


def test_a_negative_count(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    data["rows"]["onbekend"]["aantal_indicaties"]["begeleiding_mo"] = -3
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: aantal_indicaties is -3, maar mag niet kleiner zijn dan 0" in result.stderr
    assert "= veld: rows.onbekend.aantal_indicaties.begeleiding_mo" in result.stderr


def test_a_trigger_date_outside_the_year(run, tmp_path):
    data = load_example("groningen-2023.yaml")
    data["facts"]["datum_aanleiding_bijstelling"] = "2022-11-01"
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "fout: datum_aanleiding_bijstelling (1 november 2022) ligt niet in 2023" in result.stderr
    assert "= artikel: artikel 5, tweede lid" in result.stderr


def test_a_year_outside_the_covenant(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    data["year"] = 2031
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "geen versie van convenant ‘groningen’ geldt in 2031" in result.stderr


def test_2021_is_refused_for_the_verdeelmodel(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    data["year"] = 2021
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert (
        "fout: de berekeningen van convenant ‘groningen’ gelden voor het eerst voor 2022; 2021 valt daarvóór"
    ) in result.stderr
    assert "= artikel: artikel 4, eerste lid" in result.stderr


def test_a_successor_and_a_predecessor_together_are_refused(run, tmp_path):
    data = load_example("groningen-2022.yaml")
    data["municipalities"]["GM0003"] = copy.deepcopy(data["municipalities"]["GM1979"])
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert (
        "in 2022 zijn Appingedam (GM0003), Delfzijl (GM0010) en Loppersum (GM0024) samen één gemeente"
        in result.stderr
    )
    assert result.stderr.count("fout:") == 1


def test_only_some_predecessors_are_refused(run, tmp_path):
    data = load_example("groningen-2023.yaml")
    del data["municipalities"]["GM0024"]
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert (
        "in 2023 zijn Appingedam (GM0003), Delfzijl (GM0010) en Loppersum (GM0024) samen één gemeente, "
        "Eemsdelta (GM1979); het bestand noemt Appingedam (GM0003) en Delfzijl (GM0010)"
    ) in result.stderr


def test_predecessors_that_disagree_on_a_yes_no_fact(run, tmp_path):
    data = load_example("groningen-2023.yaml")
    for code, unavoidable in (("GM0003", True), ("GM0010", False), ("GM0024", True)):
        data["municipalities"][code].update(kosten_taken="100.00", kosten_onvermijdbaar=unavoidable)
    for code in MEMBERS[1:]:
        data["municipalities"][code].update(kosten_taken="100.00", kosten_onvermijdbaar=False)
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "kosten_onvermijdbaar verschilt tussen Appingedam, Delfzijl en Loppersum" in result.stderr
    assert result.stderr.count("fout:") == 1


def test_an_optional_fact_for_some_members_only(run, tmp_path):
    # an optional fact is given for every member or for none, unless the rule file says that some
    # members may leave it out (kosten_taken: optional_per_member; tests/test_groningen_readings.py)
    data = load_example("groningen-2023.yaml")
    del data["municipalities"]["GM0047"]["aantal_indicaties_na_wijziging"]
    result = evaluate_data(run, tmp_path, data)
    assert result.exit_code == 1
    assert "het feit ‘aantal_indicaties_na_wijziging’" in result.stderr
    assert "Veendam (GM0047)" in result.stderr


# --- properties -----------------------------------------------------------------------------------

counts = st.integers(0, 400)
money = st.integers(0, 10**10).map(lambda cents: Fraction(cents, 100))
prices = st.integers(1, 10**7).map(lambda cents: Fraction(cents, 100))


def facts_for(uitkering, table, values, kosten=None, onvermijdbaar=None, buffer=None, order=None):
    rows = MEMBERS + EXTRA_ROWS
    per = {}
    for i in order or range(len(rows)):
        row = rows[i]
        entry = {"aantal_indicaties": FactValue(dict(zip(COLUMNS, table[i], strict=True)), None)}
        if row in MEMBERS:
            j = MEMBERS.index(row)
            entry["individuele_uitkering"] = FactValue(uitkering[j], None)
            if kosten is not None:
                entry["kosten_taken"] = FactValue(kosten[j], None)
                entry["kosten_onvermijdbaar"] = FactValue(onvermijdbaar[j], None)
        per[row] = entry
    scalars = {
        "indicatiewaarde": FactValue(dict(zip(COLUMNS, values, strict=True)), None),
        "toevoeging_budget": FactValue(Fraction(0), None),
        "percentage_innovatiebudget": FactValue(Fraction(0), None),
        "verhoging_percentage_uitvoeringskosten": FactValue(Fraction(0), None),
        # the defaults of the causes of art. 5 lid 2 (the fact checker fills them in for a fact file)
        "aanleiding_verhuizingen": FactValue(False, None),
        "aanleiding_nieuwe_instelling": FactValue(False, None),
    }
    if buffer is not None:
        scalars["buffer_beschikbaar"] = FactValue(buffer, None)
    return Facts("<test>", "0" * 64, "groningen", 2022, True, None, None, scalars, per)


sheets = st.lists(st.lists(counts, min_size=6, max_size=6), min_size=13, max_size=13).filter(
    lambda t: sum(map(sum, t)) > 0
)
payments = st.lists(money, min_size=10, max_size=10).filter(lambda xs: sum(xs) > 0)


@settings(max_examples=40, deadline=None)
@given(payments, sheets, st.lists(prices, min_size=6, max_size=6))
def test_schalen_totals_100_percent_and_budgetdelen_add_up(uitkering, table, values):
    ev = evaluate(groningen(), facts_for(uitkering, table, values))
    key = ev.node("verdeelsleutel")
    assert key.details.total == 1 and sum(key.value.values()) == 1
    assert sum(ev.node("budgetdeel").value.values()) == sum(uitkering)


@settings(max_examples=40, deadline=None)
@given(payments, sheets, st.lists(prices, min_size=6, max_size=6), st.randoms(use_true_random=False))
def test_the_order_of_the_facts_changes_nothing(uitkering, table, values, rnd):
    order = list(range(13))
    rnd.shuffle(order)
    straight = evaluate(groningen(), facts_for(uitkering, table, values))
    shuffled = evaluate(groningen(), facts_for(uitkering, table, values, order=order))
    for rule in ("verdeelsleutel", "budgetdeel", "afrekening"):
        assert straight.node(rule).value == shuffled.node(rule).value


@settings(max_examples=40, deadline=None)
@given(
    payments,
    sheets,
    st.lists(prices, min_size=6, max_size=6),
    st.lists(money, min_size=10, max_size=10),
    st.lists(st.booleans(), min_size=10, max_size=10),
    money,
)
def test_buffer_payments_never_exceed_a_claim_or_the_buffer(
    uitkering, table, values, kosten, unavoidable, buffer
):
    ev = evaluate(groningen(), facts_for(uitkering, table, values, kosten, unavoidable, buffer))
    claims, paid = ev.node("buffer_aanspraak").value, ev.node("buffer_betaling").value
    assert all(0 <= paid[m] <= claims[m] for m in claims)
    assert sum(paid.values()) <= buffer
    if sum(claims.values()) > buffer:  # rationed: the whole available buffer is paid out
        assert sum(paid.values()) == buffer
    else:
        assert paid == claims


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=13, max_size=13).filter(lambda xs: sum(xs) > 0),
    st.lists(st.integers(0, 10**6), min_size=13, max_size=13).filter(lambda xs: sum(xs) > 0),
    st.integers(0, 10**12),
    st.dates(),
)
def test_pro_rata_adjustments_add_up_to_zero(old_weights, new_weights, budget_cents, day):
    from convenant.core import money as m
    from convenant.core.dates import days_in_year

    old = [Fraction(w, sum(old_weights)) for w in old_weights]
    new = [Fraction(w, sum(new_weights)) for w in new_weights]
    remaining = Fraction((day.replace(month=12, day=31) - day).days + 1, days_in_year(day.year))
    adjusted = [o + (n - o) * remaining for o, n in zip(old, new, strict=True)]
    before = m.largest_remainder(budget_cents, old)
    after = m.largest_remainder(budget_cents, adjusted)
    assert sum(a.cents - b.cents for a, b in zip(after, before, strict=True)) == 0


def test_the_sheet_property_holds_for_the_example_counts_shuffled():
    rnd = random.Random(7)
    data = load_example("groningen-2022.yaml")
    table = [list(data["municipalities"][c]["aantal_indicaties"].values()) for c in MEMBERS]
    table += [list(data["rows"][r]["aantal_indicaties"].values()) for r in EXTRA_ROWS]
    rnd.shuffle(table)
    values = [Fraction(v) for v in data["facts"]["indicatiewaarde"].values()]
    uitkering = [Fraction(data["municipalities"][c]["individuele_uitkering"]) for c in MEMBERS]
    ev = evaluate(groningen(), facts_for(uitkering, table, values))
    assert sum(ev.node("verdeelsleutel").value.values()) == 1


@settings(max_examples=30, deadline=None)
@given(
    payments,
    sheets,
    sheets,
    st.lists(prices, min_size=6, max_size=6),
    st.dates(min_value=date(2022, 1, 1), max_value=date(2022, 12, 31)),
    st.sampled_from([("aanleiding_verhuizingen",), ("aanleiding_nieuwe_instelling",), ()]),
)
def test_adjustments_of_the_covenant_add_up_to_zero(uitkering, old_table, new_table, values, day, causes):
    facts = facts_for(uitkering, old_table, values)
    for cause in causes:
        facts.scalars[cause] = FactValue(True, None)
    for i, row in enumerate(MEMBERS + EXTRA_ROWS):
        facts.per_municipality[row]["aantal_indicaties_na_wijziging"] = FactValue(
            dict(zip(COLUMNS, new_table[i], strict=True)), None
        )
    facts.scalars["indicatiewaarde_na_wijziging"] = facts.scalars["indicatiewaarde"]
    facts.scalars["datum_aanleiding_bijstelling"] = FactValue(day, None)
    ev = evaluate(groningen(), facts)
    adjustment = ev.node("bijstelling").value
    assert sum(adjustment.values()) == 0
    if not ev.node("substantiele_wijziging").value:
        assert set(adjustment.values()) == {0}
    if not causes:  # art. 5 lid 2: no cause, no mandatory adjustment, whatever the numbers do
        assert ev.node("substantiele_wijziging").value is False
