"""Issue 11, the gaps left after art. 5 lid 1, 2 and 8 were built: `verify` proves that a sheet with
agreed deviations still totals 100 %; the results that rest on the decision achteraf (art. 5 lid 8,
art. 6) cite it; a mid-year deviation and a lid 2 cause in one year are computed period by period; a
row with an eigen bijdrage and no indications warns."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from convenant.check.checking import load_rule_file
from convenant.core import messages
from convenant.core.diagnostics import ConvenantError
from convenant.explain.explain import explain, render
from convenant.explain.report import to_json, to_table
from convenant.language.trace import warning_text
from convenant.proof import algebra
from convenant.proof.results import PROVEN, Context
from convenant.verify import verify
from tests.conftest import load_example, problems_of, replace_once
from tests.paths import REPO_ROOT
from tests.test_groningen_deviations import COLUMNS, GRONINGEN, PEKELA, P, agree, region
from tests.test_groningen_deviations import counts as dev_counts
from tests.test_groningen_readings import reference
from tests.test_text_runs_out import run

RULES = REPO_ROOT / "rules" / "groningen" / "2021.yaml"


# --- 1. verify: agreed deviations still total 100 % ------------------------------------------


def test_verify_proves_that_a_sheet_with_agreed_deviations_totals_100_percent():
    found = {(r.subject, r.obligation): r for r in verify(Context(load_rule_file(RULES)))}
    proof = found[("verdeelsleutel", "agreed_total")]
    assert proof.status == PROVEN
    # both readings of I-G-5.1 are proven, under the scaling I-G-4.2a
    assert proof.args == {
        "interpretation": "I-G-5.1",
        "scaling": "I-G-4.2a",
        "options": ["vast", "mee_schalen"],
    }
    # the sheet after a lid 2 change is computed without the deviations: no such obligation
    assert ("verdeelsleutel_na_wijziging", "agreed_total") not in found
    assert found[("verdeelsleutel_na_wijziging", "sheet_total")].status == PROVEN


def test_the_agreed_identities_hold_and_a_wrong_one_does_not():
    assert algebra.agreed_kept_total() and algebra.agreed_scaled_total()
    # The identity is not vacuous: with A the agreed cells, F the fixed ones and O the others'
    # indicatiewaarde, the same sum with the room 1 − F (forgetting A) totals 1 + A, not 1.
    # Worked by hand: A = 0,2, F = 0,056, other cells w = 3 and 1 (O = 4):
    # 0,2 + 3/4 × (1 − 0,056 − 0,2) + 1/4 × 0,744 + 0,056 = 0,2 + 0,558 + 0,186 + 0,056 = 1
    from fractions import Fraction as Q

    a, f, room = Q(2, 10), Q(56, 1000), 1 - Q(56, 1000) - Q(2, 10)
    assert a + Q(3, 4) * room + Q(1, 4) * room + f == 1
    assert a + Q(3, 4) * (1 - f) + Q(1, 4) * (1 - f) + f == 1 + a


# --- 4. a row with an eigen bijdrage and no indications warns ---------------------------------


def outside_without_indications() -> dict[str, Any]:
    data = load_example("groningen-2022.yaml")
    data["rows"]["buiten_prov_groningen"]["aantal_indicaties"] = dict.fromkeys(COLUMNS, 0)
    return data


def test_a_row_with_an_eigen_bijdrage_and_no_indications_warns(tmp_path):
    # Buiten Prov. Groningen's eigen bijdrage in 2022 (Bijlage 1) is −0,07 %; with every count 0 its
    # cells of columns 1–6 are 0 × share = 0, so its key is 0 + −0,07 % = −0,07 % (negative).
    ev = run(tmp_path, outside_without_indications())
    key = ev.node("verdeelsleutel")
    assert key.value["buiten_prov_groningen"] == Fraction(-7, 10000)
    assert [m for m, _ in key.warnings] == ["buiten_prov_groningen"]
    (message,) = [w for _, w in key.warnings]
    nl, en = warning_text(message, "nl"), warning_text(message, "en")
    assert "geen indicaties in de kolommen 1 tot en met 6" in nl and "van -0,07 %" in nl
    assert "Eigen bijdrage (artikel 4, tweede lid, onder e) van -0,07 %" in nl
    assert "Het convenant voorziet daar niet in" in nl
    assert "no indications in columns 1 to 6" in en and "of -0.07 %" in en
    # the negative Budgetdeel (a rule file warning) follows from it, on budgetdeel
    assert [m for m, _ in ev.node("budgetdeel").warnings] == ["buiten_prov_groningen"]
    # no other row warns: the example's rows with indications, and rows with eigen bijdrage 0
    assert all(m == "buiten_prov_groningen" for n in ev.nodes.values() for m, _ in n.warnings)


def test_the_examples_row_with_indications_does_not_warn(tmp_path):
    ev = run(tmp_path, load_example("groningen-2022.yaml"))
    assert ev.node("verdeelsleutel").warnings == []


def test_the_warning_is_in_every_output(tmp_path):
    ev = run(tmp_path, outside_without_indications())
    table = to_table(ev, "nl")
    assert "Buiten Prov. Groningen: Deze rij heeft geen indicaties" in table
    assert "Buiten Prov. Groningen: This row has no indications" in to_table(ev, "en")
    as_json = to_json(ev, "nl")["warnings"]
    assert any(w["rule"] == "verdeelsleutel" and "geen indicaties" in w["message"] for w in as_json)
    for fmt in ("md", "html"):
        text = render(explain(ev, fmt, "nl", member="buiten_prov_groningen"), fmt)
        assert "Deze rij heeft geen indicaties in de kolommen 1 tot en met 6" in text


# --- 3. a mid-year deviation and a lid 2 cause in one year -------------------------------------


def moved_in_october(deviation_from: str) -> dict[str, Any]:
    """The small region of test_groningen_deviations (2022: Groningen 3, Pekela 1 indications BW
    intramuraal at € 1.000,00; 94,4 % left for columns 1–6), Pekela's cell agreed at 20 % from
    `deviation_from` (I-G-5.1 "vast"), and moves from 1 October: Groningen 2, Pekela 2."""
    data = agree(region(), PEKELA, {"bw_intramuraal": "20 %"}, deviation_from, "2022-06-20")
    data["facts"] |= {
        "aanleiding_verhuizingen": True,
        "datum_aanleiding_bijstelling": "2022-10-01",
        "indicatiewaarde_na_wijziging": dict(data["facts"]["indicatiewaarde"]),
    }
    for group in ("municipalities", "rows"):
        for entry in data[group].values():
            entry["aantal_indicaties_na_wijziging"] = dict(entry["aantal_indicaties"])
    data["municipalities"][GRONINGEN]["aantal_indicaties_na_wijziging"] = dev_counts(2)
    data["municipalities"][PEKELA]["aantal_indicaties_na_wijziging"] = dev_counts(2)
    return data


def test_a_deviation_from_july_and_moves_from_october_are_computed_period_by_period(tmp_path):
    ev = reference(tmp_path, moved_in_october("2022-07-01"))
    # The sheets, in %: computed (1 January) Groningen 3/4 × 94,4 − 2,51 = 68,29, Pekela 1/4 × 94,4
    # + 0,02 = 23,62; with the deviation (1 July) Pekela 20 + 0,02 = 20,02, Groningen 94,4 − 20 −
    # 2,51 = 71,89; after the moves (1 October, without deviations: lid 2 applies "in afwijking van
    # het eerste lid") Groningen 2/4 × 94,4 − 2,51 = 44,69, Pekela 47,2 + 0,02 = 47,22.
    # Periods of 2022: 1 Jan – 30 Jun 181 days, 1 Jul – 30 Sep 92 days, 1 Oct – 31 Dec 92 days.
    assert ev.node("substantiele_wijziging").value is True
    adjusted = ev.node("verdeelsleutel_bijgesteld").value
    for member, (first, deviated, moved) in {
        PEKELA: ("23.62", "20.02", "47.22"),
        GRONINGEN: ("68.29", "71.89", "44.69"),
    }.items():
        by_period = (Fraction(first) * 181 + Fraction(deviated) * 92 + Fraction(moved) * 92) * P / 365
        assert adjusted[member] == by_period
    # Pekela: 23,62 × 181/365 + 20,02 × 92/365 + 47,22 × 92/365 = (4275,22 + 1841,84 + 4344,24)/365
    # = 10461,30/365 = 28,6611 %; mixing the averaged old key instead (old + (new − old) × 92/365)
    # would give 28,2111 %: the engine does not.
    assert adjusted[PEKELA] == Fraction("10461.30") * P / 365
    old = ev.node("verdeelsleutel").value[PEKELA]
    assert adjusted[PEKELA] != old + (Fraction("47.22") * P - old) * Fraction(92, 365)
    assert sum(adjusted.values()) == 1
    assert sum(ev.node("bijstelling").value.values()) == 0
    (line,) = explain_pro_rata(ev, PEKELA)
    assert "op 1 oktober 2022 gold het spreadsheet van 1 juli 2022, 20,02 %" in line
    assert "artikel 5, eerste lid" in line and "artikel 5, tweede lid" in line


def test_a_deviation_from_1_january_and_a_cause_use_the_usual_formula(tmp_path):
    ev = reference(tmp_path, moved_in_october("2022-01-01"))
    # the deviated sheet holds all year: Pekela 20,02 % + (47,22 − 20,02) × 92/365
    assert (
        ev.node("verdeelsleutel_bijgesteld").value[PEKELA]
        == (Fraction("20.02") + Fraction("27.20") * Fraction(92, 365)) * P
    )
    assert ev.node("verdeelsleutel_bijgesteld").details.in_force is None


def test_a_deviation_from_the_cause_on_or_later_is_refused_citing_both_leden(tmp_path):
    for start in ("2022-10-01", "2022-11-15"):
        with pytest.raises(ConvenantError) as caught:
            reference(tmp_path, moved_in_october(start))
        (problem,) = caught.value.problems
        assert problem.code == "evaluate.pro_rata_after_agreed"
        text = " ".join(messages.message(problem, "nl"))
        assert "artikel 5, eerste lid" in text and "artikel 5, tweede lid" in text
        assert "datum_aanleiding_bijstelling: 1 oktober 2022" in text


def explain_pro_rata(ev, member: str) -> list[str]:
    import convenant.primitives.pro_rata as pro_rata
    from convenant.explain.explainers import Scope

    return pro_rata.explain(Scope(ev, "nl"), ev.node("verdeelsleutel_bijgesteld"), member)["lines"]


# --- 2. the decision a result rests on, cited (art. 5 lid 8 with art. 6; art. 4 lid 2 onder c) ---

DECIDED = {
    "bijstelling": "datum_besluit_achteraf",
    "buffer_betaling": "datum_besluit_achteraf",
    "overschot_uitvoeringskosten": "datum_besluit_achteraf",
    "tekort_uitvoeringskosten": "datum_besluit_achteraf",
    "verdeelsleutel": "datum_besluit_innovatiebudget",
    "budget": "datum_besluit_toevoeging",
}


def sections_of(ev, member: str | None = None) -> dict[str, Any]:
    return {s.rule.name: s for s in explain(ev, "md", "nl", member=member).sections}


def test_the_results_that_rest_on_a_decision_name_it_and_are_no_input():
    rules = load_rule_file(RULES)
    for name, fact in DECIDED.items():
        decided = rules.rules[name].decided_by
        assert decided is not None and decided.date == fact
        assert fact not in rules.rules[name].inputs  # cited, never needed: the amount is known without it
    assert [a.short() for a in rules.rules["bijstelling"].decided_by.articles] == ["art. 5.8", "art. 6.3"]
    assert rules.rules["budgetdeel"].decided_by is None
    assert rules.rules["verdeelsleutel"].decided_by.about == "percentage_innovatiebudget"
    assert rules.rules["budget"].decided_by.about == "toevoeging_budget"


def test_a_decision_about_a_nil_value_is_not_cited(tmp_path):
    # groningen-2022 agrees no innovatiebudget (nihil: no agreement, art. 4 lid 2 onder c) and adds
    # nothing to the Budget: no decision is cited; groningen-2023 agrees 0,5 % without giving the date
    nil = sections_of(run(tmp_path, load_example("groningen-2022.yaml")), "GM0765")
    assert nil["verdeelsleutel"].decided is None and nil["budget"].decided is None
    agreed = sections_of(run(tmp_path, load_example("groningen-2023.yaml")), "GM0765")
    assert "(artikel 4, tweede lid, onder c en artikel 6, derde lid)" in agreed["verdeelsleutel"].decided
    assert (
        "nog niet is genomen of niet is opgegeven (datum_besluit_innovatiebudget)"
        in agreed["verdeelsleutel"].decided
    )
    # an addition to the Budget with the date of the decision over the year before
    data = load_example("groningen-2022.yaml")
    data["facts"] |= {"toevoeging_budget": "1000.00", "datum_besluit_toevoeging": "2022-03-01"}
    added = sections_of(run(tmp_path, data), "GM0765")["budget"].decided
    assert added == (
        "Besluit: dit berust op het besluit van 1 maart 2022 (artikel 5, zevende lid, artikel 5, "
        "achtste lid en artikel 6, derde lid; datum_besluit_toevoeging)."
    )


def test_the_explanation_cites_the_decision_of_the_given_date(tmp_path):
    # examples/groningen-2022.yaml gives datum_besluit_achteraf 2023-03-15
    ev = run(tmp_path, load_example("groningen-2022.yaml"))
    section = sections_of(ev, "GM0765")["bijstelling"]
    assert section.decided == (
        "Besluit: dit berust op het besluit van 15 maart 2023 (artikel 5, achtste lid en artikel 6, "
        "derde lid; datum_besluit_achteraf)."
    )
    text = render(explain(ev, "md", "nl", member="GM0765"), "md")
    assert "dit berust op het besluit van 15 maart 2023" in text


def test_without_the_date_the_explanation_says_so_and_the_amounts_stay(tmp_path):
    given = run(tmp_path, load_example("groningen-2022.yaml"))
    data = load_example("groningen-2022.yaml")
    del data["facts"]["datum_besluit_achteraf"]
    missing = run(tmp_path, data)
    for name in ("bijstelling", "buffer_betaling", "verdeelsleutel", "budget"):
        assert missing.node(name).value is not None
        assert missing.node(name).value == given.node(name).value
    section = sections_of(missing, "GM0765")["bijstelling"]
    assert "nog niet is genomen of niet is opgegeven (datum_besluit_achteraf)" in section.decided
    assert "het bedrag is zonder die datum berekend" in section.decided
    english = {s.rule.name: s for s in explain(missing, "md", "en", member="GM0765").sections}
    assert "not yet taken or not given (datum_besluit_achteraf)" in english["bijstelling"].decided
    # a result that rests on no decision says nothing about one
    assert sections_of(missing, "GM0765")["budgetdeel"].decided is None


def test_decided_by_must_name_a_date_fact():
    text = (REPO_ROOT / "rules" / "groningen" / "2021.yaml").read_text(encoding="utf-8")
    text = replace_once(
        text,
        '    decided_by: {date: datum_besluit_achteraf, articles: ["5.8", "6.3"]}\n'
        "    expression: budgetdeel_bijgesteld - budgetdeel",
        '    decided_by: {date: buffer_beschikbaar, articles: ["5.8", "6.3"]}\n'
        "    expression: budgetdeel_bijgesteld - budgetdeel",
    )
    problems = [p for p in problems_of(text) if p.field == "rules.bijstelling.decided_by.date"]
    assert problems, "a money fact named as the decision's date is refused at its field"


def test_batch_names_the_warning_of_the_row(tmp_path):
    from click.testing import CliRunner

    from convenant.cli.cli import cli
    from tests.test_batch_groningen import read_csv, write_scenarios

    data = outside_without_indications() | {"description": "buiten zonder indicaties"}
    scenarios = write_scenarios(tmp_path / "scenarios.csv", [data])
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["batch", str(RULES), str(scenarios), "--out", str(out)])
    assert result.exit_code == 0, result.output
    (row,) = read_csv(out)
    # by name and member, as a rule file's warnings are: the key's, then the negative Budgetdeel's
    assert row["waarschuwingen"] == "verdeelsleutel.buiten_prov_groningen; budgetdeel.buiten_prov_groningen"


def test_decided_by_about_must_name_a_number_fact():
    text = (REPO_ROOT / "rules" / "groningen" / "2021.yaml").read_text(encoding="utf-8")
    text = replace_once(text, "      about: toevoeging_budget\n", "      about: datum_brief\n")
    problems = [p for p in problems_of(text) if p.field == "rules.budget.decided_by.about"]
    assert problems, "a date named as the value decided on is refused at its field"
