"""`convenant validate` renders every template against a sample trace: a misspelt variable, a
template without a rule, a rule without a template and broken Jinja are reported with the
template's file and line, in Dutch, before any letter is made."""

from __future__ import annotations

import shutil

from convenant.letters.sample import sample_evaluation
from convenant.letters.template_check import check_templates
from convenant.render.templating import sentence_dir
from tests.conftest import ASSEN_CODES, ASSEN_FACTS, assen_rules
from tests.explain_support import copy_rules, edit_template


def test_the_shipped_templates_pass(run):
    check_templates(assen_rules())
    result = run("validate", "rules/")
    assert result.exit_code == 0, result.output


def test_the_sample_trace_covers_every_rule_and_member():
    ev = sample_evaluation(assen_rules())
    assert set(ev.nodes) == set(assen_rules().rules)
    assert list(ev.nodes["aandeel_resultaat_bw"].value) == ASSEN_CODES
    assert ev.facts.illustrative


def test_a_misspelt_variable_is_reported_with_file_and_line(run, tmp_path):
    rules = copy_rules(tmp_path)
    path = edit_template(rules, "verdeelsleutel_bw", "({{ inwoners }} inwoners)", "({{ inwoner }} inwoners)")
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert "fout: het sjabloon gebruikt een onbekende variabele ‘inwoner’" in result.stderr
    # line 2 of the template, column of the name, with the line shown and a caret under the name
    assert f"{path.name}:2:55" in result.stderr
    assert (
        "| aandeel van {{ gemeente }} in het aantal inwoners ({{ inwoner }} inwoners) en voor"
        in result.stderr
    )
    assert "Bedoelt u ‘inwoners’?" in result.stderr
    assert "✗" in result.stdout


def test_a_misspelt_variable_in_a_branch_not_taken_is_caught(run, tmp_path):
    rules = copy_rules(tmp_path)
    # the sample result is positive, so the "negatief" branch never renders: the static check finds it
    edit_template(
        rules, "resultaat_mo", "een nadeel van {{ uitkomst.absoluut }}", "een nadeel van {{ uitkmst }}"
    )
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert "resultaat_mo.j2:5:" in result.stderr and "‘uitkmst’" in result.stderr


def test_a_misspelt_attribute_is_caught_when_rendering(run, tmp_path):
    rules = copy_rules(tmp_path)
    edit_template(rules, "reserve_mo_eind", "op {{ uitkomst }}.", "op {{ uitkomst.absolut }}.")
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert "reserve_mo_eind.j2:3:" in result.stderr and "‘absolut’" in result.stderr


def test_broken_jinja_is_reported_with_its_line(run, tmp_path):
    rules = copy_rules(tmp_path)
    edit_template(rules, "aandeel_resultaat_bw", "{% endif %}; de afwikkeling", "; de afwikkeling")
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert (
        "het sjabloon is geen geldige Jinja" in result.stderr and "aandeel_resultaat_bw.j2:" in result.stderr
    )


def test_templates_and_rules_must_match_one_to_one(run, tmp_path):
    rules = copy_rules(tmp_path)
    folder = rules.with_name(rules.stem + ".templates")
    (folder / "resultaat_mo.j2").rename(folder / "resultaat_m0.j2")
    result = run("validate", str(rules))
    assert result.exit_code == 1
    assert "het sjabloon resultaat_m0.j2 hoort bij geen enkele regel" in result.stderr
    assert "Bedoelt u ‘resultaat_mo.j2’?" in result.stderr
    assert "de regel ‘resultaat_mo’ heeft geen zin" in result.stderr
    assert "2024-v1.6.yaml:" in result.stderr and "artikel 8, zevende lid" in result.stderr


def test_a_rule_file_without_sentences_is_explained_by_its_labels(run, tmp_path):
    rules = copy_rules(tmp_path)
    shutil.rmtree(sentence_dir(rules))
    assert run("validate", str(rules)).exit_code == 0
    result = run("explain", str(ASSEN_FACTS), "--rules", str(rules), "--municipality", "GM1680")
    assert result.exit_code == 0, result.output
    label = "Financieel resultaat beschermd wonen (positief is voordeel, negatief is nadeel)"
    assert f"\n{label}: €\xa0461.876,55.\n" in result.stdout
