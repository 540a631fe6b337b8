"""Issue 11, the gaps left after art. 5 lid 1, 2 and 8 were built: `verify` proves that a sheet with
agreed deviations still totals 100 %; the results that rest on the decision achteraf (art. 5 lid 8,
art. 6) cite it; a mid-year deviation and a lid 2 cause in one year are computed period by period; a
row with an eigen bijdrage and no indications warns."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from convenant.check.checking import load_rule_file
from convenant.explain.explain import explain, render
from convenant.explain.report import to_json, to_table
from convenant.language.trace import warning_text
from convenant.proof import algebra
from convenant.proof.results import PROVEN, Context
from convenant.verify import verify
from tests.conftest import load_example
from tests.paths import REPO_ROOT
from tests.test_groningen_deviations import COLUMNS
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
