"""`convenant verify`: what a rule file relies on, proven with sympy; failed proofs with a concrete
counterexample at the place in the file."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import typing

import pytest

from convenant.check import registry
from convenant.proof.results import PROVEN, REFUTED, Context
from convenant.verify import verify
from tests.conftest import ASSEN, assen_text, check_text, replace_once
from tests.paths import REPO_ROOT
from tests.workflow import _default_rules_dir

__all__ = ["_default_rules_dir"]

SECOND_CASE = "      - when: not acute_situatie and nieuwe_client and voorliggende_voorziening_aantoonbaar\n"
LAST_CASE = "      - when: not acute_situatie and not nieuwe_client\n"
DIRECTION_MO = """  richting_resultaat_mo:
    label: Richting van het resultaat begeleiding maatschappelijke opvang
    article: "8.7"
    type: outcome
    inputs: [resultaat_mo]
    decision:
{cases}
deadlines:
"""


def results_of(text: str) -> dict[tuple[str, str], typing.Any]:
    found = verify(Context(check_text(text, "rules/assen/proef.yaml")))
    return {(r.subject, r.obligation): r for r in found}


def messages_of(result) -> list[str]:
    from convenant.core.messages import message

    return [message(p, "nl")[0] for p in result.problems]


def with_direction(*cases: tuple[str, str]) -> str:
    body = "".join(
        f"      - when: {when}\n        outcome: {outcome}\n        text: {outcome}.\n"
        for when, outcome in cases
    )
    return replace_once(assen_text(), "\ndeadlines:\n", "\n" + DIRECTION_MO.format(cases=body.rstrip("\n")))


@pytest.mark.parametrize("path", registry.rule_files(REPO_ROOT / "rules"), ids=lambda p: p.name)
def test_verify_passes_on_every_shipped_rule_file(run, path):
    result = run("verify", str(path))
    assert result.exit_code == 0, result.output
    assert re.search(r"[1-9][0-9]* bewezen, 0 weerlegd, 0 niet beslist", result.stdout)


def test_the_assen_obligations_are_all_proven():
    found = results_of(assen_text())
    assert {k: r.status for k, r in found.items()} == {
        ("resultaat_bw", "branches"): PROVEN,  # both readings of I-A-8.9 can be chosen
        ("verdeelsleutel_bw", "key_total"): PROVEN,
        ("aandeel_resultaat_bw", "exact_shares"): PROVEN,
        ("aandeel_resultaat_bw", "largest_remainder"): PROVEN,
        ("reserve_mo_eind", "warnings"): PROVEN,
        ("plaatsing_nieuwe_client", "cover"): PROVEN,
        ("plaatsing_nieuwe_client", "disjoint"): PROVEN,
        ("plaatsing_nieuwe_client", "reachable"): PROVEN,
    }
    # 4 parties × keys in sixths: Σ_{n=1..4} C(6+n-1, n-1) = 1 + 7 + 28 + 84 = 120 keys, × 81 amounts
    assert found[("aandeel_resultaat_bw", "largest_remainder")].args["cases"] == 120 * 81


def test_two_outcomes_for_an_acute_new_client_are_reported_with_a_counterexample(run, tmp_path):
    broken = tmp_path / "overlap.yaml"
    broken.write_text(
        replace_once(
            assen_text(),
            SECOND_CASE,
            "      - when: nieuwe_client and voorliggende_voorziening_aantoonbaar\n",
        )
    )
    result = run("verify", str(broken))
    assert result.exit_code == 1
    assert "✗ de gevallen overlappen niet" in result.stdout
    assert (
        "fout: de gevallen ‘overleg_en_passende_voorziening’ en ‘toekenning_mogelijk’ van „Toekenning van "
        "intramuraal beschermd wonen aan een cliënt” kunnen tegelijk gelden, bijvoorbeeld bij "
        "acute_situatie = ja, nieuwe_client = ja, voorliggende_voorziening_aantoonbaar = ja"
    ) in result.stderr
    line = assen_text().splitlines().index(SECOND_CASE.rstrip("\n")) + 1
    assert f"overlap.yaml:{line}:15" in result.stderr  # the second case's condition
    assert "= veld: rules.plaatsing_nieuwe_client.decision[1].when" in result.stderr


def test_an_unreachable_case_is_reported():
    text = replace_once(
        assen_text(), LAST_CASE, "      - when: not acute_situatie and not nieuwe_client and nieuwe_client\n"
    )
    found = results_of(text)
    assert found[("plaatsing_nieuwe_client", "reachable")].status == REFUTED
    assert messages_of(found[("plaatsing_nieuwe_client", "reachable")]) == [
        "het geval ‘geen_instroom’ van „Toekenning van intramuraal beschermd wonen aan een cliënt” kan nooit "
        "gelden: de voorwaarde „not acute_situatie and not nieuwe_client and nieuwe_client” is voor geen "
        "enkele invoer waar"
    ]
    # and the situation it was meant for is now a gap, with the example that shows it
    assert messages_of(found[("plaatsing_nieuwe_client", "cover")]) == [
        "niet elke situatie is gedekt: bij „Toekenning van intramuraal beschermd wonen aan een cliënt” geldt "
        "geen enkel geval voor bijvoorbeeld acute_situatie = nee, nieuwe_client = nee, "
        "voorliggende_voorziening_aantoonbaar = nee"
    ]


def test_a_branch_that_the_minimum_of_a_fact_rules_out_is_reported(run, tmp_path):
    text = replace_once(
        assen_text(),
        "    inputs: [reserve_mo_begin, resultaat_mo]\n    expression: reserve_mo_begin + resultaat_mo\n",
        "    inputs: [reserve_mo_begin, resultaat_mo, uitgaven_mo]\n"
        "    expression: reserve_mo_begin + (if uitgaven_mo < 0 then 0 else resultaat_mo)\n",
    )
    broken = tmp_path / "tak.yaml"
    broken.write_text(text)
    result = run("verify", str(broken))
    assert result.exit_code == 1
    # uitgaven_mo has minimum 0, so "uitgaven_mo < 0" never holds
    assert (
        "fout: de then-tak van „if uitgaven_mo < 0 then … else …” in „Stand van de Reserve MO aan het eind "
        "van het kalenderjaar” wordt nooit genomen"
    ) in result.stderr
    assert "de voorwaarde is voor geen enkele toegestane invoer waar" in result.stderr


def test_numeric_conditions_are_decided_over_the_reals():
    # > 0, < 0 and = 0 cover every amount without overlap
    found = results_of(
        with_direction(
            ("resultaat_mo > 0", "voordeel"), ("resultaat_mo < 0", "nadeel"), ("resultaat_mo = 0", "nihil")
        )
    )
    assert {found[("richting_resultaat_mo", o)].status for o in ("cover", "disjoint", "reachable")} == {
        PROVEN
    }
    # without "= 0" there is a gap, exactly at € 0,00
    found = results_of(with_direction(("resultaat_mo > 0", "voordeel"), ("resultaat_mo < 0", "nadeel")))
    [gap] = messages_of(found[("richting_resultaat_mo", "cover")])
    assert gap.endswith("geldt geen enkel geval voor bijvoorbeeld resultaat_mo = €\xa00,00")
    # ">= 0" and "<= 0" overlap, again at 0
    found = results_of(with_direction(("resultaat_mo >= 0", "voordeel"), ("resultaat_mo <= 0", "nadeel")))
    [overlap] = messages_of(found[("richting_resultaat_mo", "disjoint")])
    assert "‘voordeel’ en ‘nadeel’" in overlap and "resultaat_mo = €\xa00,00" in overlap


def test_a_warning_that_can_never_occur_is_reported():
    text = replace_once(
        assen_text(),
        "      - when: reserve_mo_eind < 0\n",
        "      - when: reserve_mo_eind < 0 and reserve_mo_eind > 0\n",
    )
    found = results_of(text)
    assert found[("reserve_mo_eind", "warnings")].status == REFUTED


def test_verify_json(run):
    data = json.loads(run("verify", str(ASSEN), "--format", "json").stdout)
    assert data["covenant"] == "assen" and data["version"] == "1.6"
    assert data["counts"]["weerlegd"] == 0 and data["counts"]["bewezen"] == 8
    key = next(r for r in data["results"] if r["obligation"] == "key_total")
    assert key["citation"]["text"] == "artikel 8, vijfde lid"
    assert "50 % + 50 % = 1" in key["text"]


def test_verify_in_english(run):
    result = run("--lang", "en", "verify", str(ASSEN))
    assert "the cases do not overlap" in result.stdout
    assert "8 proven, 0 refuted" in result.stdout


def test_only_verify_imports_sympy():
    for path in (REPO_ROOT / "engine").rglob("*.py"):
        if not {"proof", "verify"} & set(path.parts):
            assert not re.search(r"^\s*(import|from)\s+sympy", path.read_text(), re.M), path
    code = (
        "import sys\n"
        "import convenant.cli.cli, convenant.workflow.diff, convenant.workflow.diff_words\n"
        "import convenant.workflow.effect, convenant.workflow.newversion, convenant.workflow.versions\n"
        "assert 'sympy' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr


def test_every_option_of_a_switchable_interpretation_counts_exactly_once():
    text = with_direction(
        ("interpretation('I-A-8.9') = 'ten_laste_van_resultaat_bw'", "ten_laste"),
        ("interpretation('I-A-8.9') = 'buiten_resultaat_bw'", "buiten"),
    ).replace(
        "    inputs: [resultaat_mo]\n    decision:",
        "    inputs: []\n    interpretations: [I-A-8.9]\n    decision:",
    )
    found = results_of(text)
    assert {found[("richting_resultaat_mo", o)].status for o in ("cover", "disjoint", "reachable")} == {
        PROVEN
    }
    # "!= 'buiten'" holds exactly when "= 'ten_laste'" does: the two cases overlap
    one_option = text.replace(
        "interpretation('I-A-8.9') = 'buiten_resultaat_bw'",
        "interpretation('I-A-8.9') != 'buiten_resultaat_bw'",
    )
    [overlap] = messages_of(results_of(one_option)[("richting_resultaat_mo", "disjoint")])
    assert "keuze voor I-A-8.9 = ten_laste_van_resultaat_bw" in overlap
