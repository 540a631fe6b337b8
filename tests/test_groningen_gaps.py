"""Issue 11, the gaps left after art. 5 lid 1, 2 and 8 were built: `verify` proves that a sheet with
agreed deviations still totals 100 %; the results that rest on the decision achteraf (art. 5 lid 8,
art. 6) cite it; a mid-year deviation and a lid 2 cause in one year are computed period by period; a
row with an eigen bijdrage and no indications warns."""

from __future__ import annotations

from convenant.check.checking import load_rule_file
from convenant.proof import algebra
from convenant.proof.results import PROVEN, Context
from convenant.verify import verify
from tests.paths import REPO_ROOT

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
