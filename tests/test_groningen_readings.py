"""Readings of the Groningen covenant that move money (issue 11), each worked by hand.

Every reading is a switchable interpretation in rules/groningen/2021.yaml. For each: the reference
reading's amount on an example, worked out here from the printed inputs, and a test that switching
it changes exactly the amounts that depend on it (every other result of the evaluation identical).
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.core.money import round_half_up
from convenant.evaluation.evaluate import Evaluation, evaluate
from tests.conftest import load_example, write_facts
from tests.paths import REPO_ROOT

GRONINGEN = REPO_ROOT / "rules" / "groningen"


def rules_with(tmp_path: Path, *choices: tuple[str, str]):
    """The Groningen rule file with other chosen readings: (old "chosen: …" line, new one)."""
    folder = tmp_path / "rules" / "groningen"
    folder.mkdir(parents=True, exist_ok=True)
    text = (GRONINGEN / "2021.yaml").read_text(encoding="utf-8")
    for old, new in choices:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / "2021.yaml").write_text(text, encoding="utf-8")
    shutil.copy(GRONINGEN / "2021-bijlage-1.yaml", folder / "2021-bijlage-1.yaml")
    return load_rule_file(folder / "2021.yaml")


def evaluate_with(rules, tmp_path: Path, data: dict[str, Any], name: str = "facts.yaml") -> Evaluation:
    return evaluate(rules, check_facts(read_header(write_facts(tmp_path, data, name)), rules))


def reference(tmp_path: Path, data: dict[str, Any]) -> Evaluation:
    return evaluate_with(load_rule_file(GRONINGEN / "2021.yaml"), tmp_path, data, "reference.yaml")


def differing(one: Evaluation, other: Evaluation) -> set[str]:
    """The results whose values differ between two evaluations of the same facts."""
    assert one.nodes.keys() == other.nodes.keys()
    return {name for name in one.nodes if one.node(name).value != other.node(name).value}


# --- art. 5 lid 10–11: I-G-5.10 ---------------------------------------------------------------

ALTERNATIVE_5_10 = ("chosen: zonder_verhoging", "chosen: met_verhoging")


def test_execution_costs_are_measured_without_the_one_off_raise(tmp_path):
    data = load_example("groningen-2023.yaml")
    ev = reference(tmp_path, data)
    # Budget 2023 = Σ individuele uitkering (toevoeging_budget not given: 0):
    #   612.400,00 + 2.944.150,55 + 511.880,10 + 60.321.500,00 + 3.729.400,00 + 8.361.700,00
    #   + 9.345.200,00 + 1.143.500,00 + 4.574.200,00 + 6.082.700,00 + 5.683.200,00 + 1.854.400,00
    #   = 105.164.230,65
    budget = sum(Fraction(m["individuele_uitkering"]) for m in data["municipalities"].values())
    assert budget == Fraction("105164230.65") == ev.node("budget").value
    # Art. 4 lid 2 onder f: 3,5 % × 105.164.230,65 = 3.680.748,07275 → 3.680.748,07 (half up).
    # The lid 11 raise of 0,13 % (2022's deficit) is not room for 2023's execution costs.
    assert ev.node("uitvoeringskosten_budget").value == Fraction("3680748.07")
    assert round_half_up(Fraction("0.035") * budget) == Fraction("3680748.07")
    # Surplus (lid 10) = 3.680.748,07 − 3.650.000,00 actual costs = 30.748,07; no deficit.
    assert ev.node("overschot_uitvoeringskosten").value == Fraction("30748.07")
    assert ev.node("tekort_uitvoeringskosten").value == 0
    assert "I-G-5.10" in ev.node("overschot_uitvoeringskosten").interpretations
    # The sheet itself still carries the raise: 3,5 % + 0,13 % = 3,63 % in row centraal.
    assert ev.node("percentage_uitvoeringskosten_centraal").value == Fraction("0.0363")


def test_the_raised_percentage_reading_gives_todays_surplus(tmp_path):
    data = load_example("groningen-2023.yaml")
    ev = evaluate_with(rules_with(tmp_path, ALTERNATIVE_5_10), tmp_path, data)
    # 3,63 % × 105.164.230,65 = 3.817.461,572595 → 3.817.461,57; − 3.650.000,00 = 167.461,57.
    assert ev.node("uitvoeringskosten_budget").value == Fraction("3817461.57")
    assert ev.node("overschot_uitvoeringskosten").value == Fraction("167461.57")


def test_switching_i_g_5_10_changes_exactly_the_execution_cost_amounts(tmp_path):
    data = load_example("groningen-2023.yaml")
    switched = evaluate_with(rules_with(tmp_path, ALTERNATIVE_5_10), tmp_path, data)
    assert differing(reference(tmp_path, data), switched) == {
        "uitvoeringskosten_budget",
        "overschot_uitvoeringskosten",
    }


def test_a_deficit_is_measured_against_3_5_percent_as_well(tmp_path):
    # Actual costs 3.700.000,00: deficit = 3.700.000,00 − 3.680.748,07 = 19.251,93 (reference);
    # under the raised percentage 3.817.461,57 covers them: no deficit, surplus 117.461,57.
    data = load_example("groningen-2023.yaml")
    data["facts"]["werkelijke_uitvoeringskosten"] = "3700000.00"
    ev = reference(tmp_path, data)
    assert ev.node("tekort_uitvoeringskosten").value == Fraction("19251.93")
    assert ev.node("overschot_uitvoeringskosten").value == 0
    # next year's raise: 19.251,93 / 108.250.000,00 (budget_volgend_jaar)
    assert ev.node("verhoging_centraal_volgend_jaar").value == Fraction("19251.93") / Fraction("108250000")
    switched = evaluate_with(rules_with(tmp_path, ALTERNATIVE_5_10), tmp_path, data)
    assert switched.node("tekort_uitvoeringskosten").value == 0
    assert switched.node("overschot_uitvoeringskosten").value == Fraction("117461.57")


# --- art. 5 lid 4: a deelnemer without a claim gives no cost facts ----------------------------

VEENDAM, GRONINGEN_CODE, PEKELA, WESTERWOLDE = "GM0047", "GM0014", "GM0765", "GM1950"


def test_a_deelnemer_without_cost_facts_makes_no_claim(tmp_path):
    full = load_example("groningen-2022.yaml")
    data = load_example("groningen-2022.yaml")
    del data["municipalities"][VEENDAM]["kosten_taken"]
    del data["municipalities"][VEENDAM]["kosten_onvermijdbaar"]
    before = reference(tmp_path, full)
    ev = evaluate_with(load_rule_file(GRONINGEN / "2021.yaml"), tmp_path, data)
    claims, paid = ev.node("buffer_aanspraak").value, ev.node("buffer_betaling").value
    # no claim and no payment for Veendam: not zero filled in, simply none, and no error
    assert VEENDAM not in claims and VEENDAM not in paid
    assert VEENDAM not in ev.values["kosten_taken"] and VEENDAM not in ev.values["kosten_onvermijdbaar"]
    # the others as before. Groningen: 56.000.000,00 − 105 % × 49.935.798,57
    #   = 56.000.000,00 − 52.432.588,4985 = 3.567.411,5015 → 3.567.411,50 (half up)
    assert ev.node("budgetdeel").value[GRONINGEN_CODE] == Fraction("49935798.57")
    assert claims[GRONINGEN_CODE] == Fraction("3567411.50")
    # Veendam's claim was nil before (6.300.000,00 ≤ 105 % × 6.007.519,34 = 6.307.895,307), so the
    # rationing of the 450.000,00 over 3.567.411,50 + 249.630,77 + 604.030,12 = 4.421.072,39 is as before
    assert before.node("buffer_aanspraak").value[VEENDAM] == 0
    assert sum(claims.values()) == Fraction("4421072.39")
    assert {m: v for m, v in before.node("buffer_betaling").value.items() if m != VEENDAM} == paid
    assert paid[GRONINGEN_CODE] == Fraction("363109.91") and sum(paid.values()) == Fraction("450000")
    assert differing(before, ev) <= {"buffer_aanspraak", "buffer_betaling"}


def test_costs_without_saying_whether_they_were_unavoidable_are_refused(run, tmp_path):
    from tests.conftest import write_facts as write

    data = load_example("groningen-2022.yaml")
    del data["municipalities"][VEENDAM]["kosten_onvermijdbaar"]
    result = run("evaluate", str(write(tmp_path, data)))
    assert result.exit_code == 1
    assert "het feit ‘kosten_onvermijdbaar’" in result.stderr and "Veendam (GM0047)" in result.stderr
    assert result.stderr.count("fout:") == 1


def test_only_a_fact_per_member_may_be_left_out_by_some_members():
    from tests.conftest import problems_of

    text = (GRONINGEN / "2021.yaml").read_text(encoding="utf-8")
    broken = text.replace(
        "  buffer_beschikbaar:\n    label: Buffer die in het voorafgaande jaar is gereserveerd\n",
        "  buffer_beschikbaar:\n    label: Buffer die in het voorafgaande jaar is gereserveerd\n"
        "    optional_per_member: true\n",
    )
    assert broken != text
    codes = [p.code for p in problems_of(broken) if p.severity == "error"]
    assert "rules.optional_per_member" in codes
