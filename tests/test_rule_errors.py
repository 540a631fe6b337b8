"""Every mistake legal staff can make in a rule file gets a clear message at the right place.

Each test breaks a copy of the shipped Assen rule file in one way and asserts the message (in
Dutch, as a jurist reads it), the file, line and column, the field and the article.
"""

from __future__ import annotations

import pytest

from convenant.core import messages
from convenant.core.diagnostics import ConvenantError
from tests.conftest import assen_text, check_text, line_of, problems_of, replace_once

NAME = "rules/test/broken.yaml"


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} among {[p.code for p in problems]}"
    return found[0]


def test_the_shipped_rule_file_is_valid():
    rules = check_text(assen_text())
    assert rules.covenant.id == "assen" and rules.covenant.version == "1.6"


def test_duplicate_key_is_refused_with_both_lines():
    text = replace_once(assen_text(), "    value: 5\n", "    value: 5\n    value: 6\n")
    problem = only(problems_of(text), "yaml.duplicate_key")
    second = line_of(text, "    value: 6")
    assert (problem.location.path, problem.location.line, problem.location.column) == (NAME, second, 5)
    assert problem.related.line == second - 1
    what, todo = messages.message(problem)
    assert what == f"de sleutel ‘value’ staat twee keer in hetzelfde blok (eerder op regel {second - 1})"
    assert "laat één van beide staan" in todo


def test_unknown_key_is_refused_with_a_suggestion():
    text = replace_once(assen_text(), "    value: 5\n", "    vaule: 5\n")
    problems = problems_of(text)
    problem = only(problems, "schema.unknown_key")
    assert problem.location.line == line_of(text, "vaule: 5")
    assert problem.location.column == 5
    assert problem.field == "parameters.percentage_uitvoeringsbudget_mo.vaule"
    assert problem.article.formal() == "artikel 8, derde lid"
    what, todo = messages.message(problem)
    assert what == "onbekend veld ‘vaule’"
    assert todo.startswith("Bedoelt u ‘value’?")


def test_no_where_a_number_belongs_is_refused():
    text = replace_once(assen_text(), "    value: 5\n", "    value: no\n")
    problem = only(problems_of(text), "yaml.ambiguous_bool")
    line = line_of(text, "value: no")
    assert (problem.location.line, problem.location.column) == (line, 12)
    what, todo = messages.message(problem)
    assert what == "‘no’ is dubbelzinnig: oudere YAML leest dit als ja/nee"
    assert 'zet de tekst tussen aanhalingstekens: "no"' in todo


@pytest.mark.parametrize("written", ["1:30", "5e0", ".5", "05", "0x05", "5_0", "1.6.2"])
def test_float_like_surprises_are_refused(written):
    text = replace_once(assen_text(), "    value: 5\n", f"    value: {written}\n")
    problem = only(problems_of(text), "yaml.ambiguous_number")
    assert problem.location.line == line_of(text, f"value: {written}")
    assert messages.message(problem)[0].startswith(f"‘{written}’ is geen eenduidig getal")


def test_an_unquoted_version_number_is_refused_because_it_would_be_read_as_a_number():
    text = replace_once(assen_text(), 'version: "1.6"', "version: 1.6")
    problem = only(problems_of(text), "schema.type")
    assert problem.location.line == line_of(text, "version: 1.6")
    what, todo = messages.message(problem)
    assert what == "verwacht tekst, maar hier staat een getal (1.6)"
    assert todo.startswith("Zet de waarde tussen aanhalingstekens.")


def test_unknown_name_in_an_expression_points_at_the_name():
    text = replace_once(
        assen_text(),
        "expression: rijksuitkering_mo - uitvoeringsbudget_mo - uitgaven_mo",
        "expression: rijksuitkering_mo - uitvoeringsbudget_mo - uitgaven_moo",
    )
    problem = only(problems_of(text), "expr.unknown_name")
    line = line_of(text, "uitgaven_moo")
    column = text.splitlines()[line - 1].index("uitgaven_moo") + 1
    assert (problem.location.line, problem.location.column, problem.location.length) == (line, column, 12)
    assert problem.field == "rules.resultaat_mo.expression"
    assert problem.article.formal() == "artikel 8, zevende lid"
    assert messages.message(problem)[0] == "onbekende naam ‘uitgaven_moo’"


def test_unknown_name_in_a_multiline_expression_points_at_its_line():
    text = replace_once(
        assen_text(),
        "then toegemoetkoming_regiogemeenten else 0",
        "then toegemoetkoming_regiogemeent else 0",  # (toegemoetkoming_regiogemeente is a fact)
    )
    problem = only(problems_of(text), "expr.unknown_name")
    line = line_of(text, "then toegemoetkoming_regiogemeent else 0")
    column = text.splitlines()[line - 1].index("toegemoetkoming_regiogemeent") + 1
    assert (problem.location.line, problem.location.column) == (line, column)


def test_cycle_is_refused_with_the_whole_chain():
    text = replace_once(
        assen_text(),
        "    inputs: [rijksuitkering_mo, uitvoeringsbudget_mo, uitgaven_mo]\n"
        "    expression: rijksuitkering_mo - uitvoeringsbudget_mo - uitgaven_mo",
        "    inputs: [rijksuitkering_mo, uitvoeringsbudget_mo, uitgaven_mo, reserve_mo_eind]\n"
        "    expression: rijksuitkering_mo - uitvoeringsbudget_mo - uitgaven_mo"
        " + reserve_mo_eind - reserve_mo_eind",
    )
    problem = only(problems_of(text), "rules.cycle")
    assert problem.location.line == line_of(text, "  resultaat_mo:")
    what, _ = messages.message(problem)
    assert what == (
        "de regels hangen in een kring van elkaar af: resultaat_mo → reserve_mo_eind → resultaat_mo"
    )


def test_unit_mismatch_money_minus_count_is_refused():
    text = replace_once(
        assen_text(),
        "expression: reserve_mo_begin + resultaat_mo",
        "expression: reserve_mo_begin + resultaat_mo - leden_bestuurlijk_overleg_vereist",
    )
    text = replace_once(
        text,
        "inputs: [reserve_mo_begin, resultaat_mo]",
        "inputs: [reserve_mo_begin, resultaat_mo, leden_bestuurlijk_overleg_vereist]",
    )
    problem = only(problems_of(text), "expr.unit_mismatch")
    line = line_of(text, "expression: reserve_mo_begin + resultaat_mo -")
    assert problem.location.line == line
    assert problem.article.formal() == "artikel 8, zevende lid"
    assert messages.message(problem)[0] == "eenheden passen niet: geldbedrag - aantal"


def test_key_weights_that_do_not_total_100_percent_are_refused():
    text = assen_text()
    block = text[text.index("  weging_inwoners:") : text.index("  weging_uitvoeringskosten:")]
    text = text.replace(block, block.replace("value: 50", "value: 60"))
    problem = only(problems_of(text), "rules.key_weights")
    assert problem.location.line == line_of(text, "weighted_key:")
    assert problem.field == "rules.verdeelsleutel_bw.weighted_key"
    assert problem.article.formal() == "artikel 8, vijfde lid"
    what, todo = messages.message(problem)
    assert what == "de gewichten van de verdeelsleutel tellen op tot 110 %, niet tot 100 %"
    assert "weging_inwoners, weging_uitvoeringskosten" in todo


def test_missing_citation_is_refused():
    text = replace_once(assen_text(), '    unit: percentage\n    article: "8.3"\n', "    unit: percentage\n")
    problem = only(problems_of(text), "schema.missing_citation")
    assert problem.location.line == line_of(text, "  percentage_uitvoeringsbudget_mo:")
    assert problem.field == "parameters.percentage_uitvoeringsbudget_mo"
    assert messages.message(problem)[0] == "de bronvermelding (‘article’) ontbreekt"


def test_citation_of_an_article_the_file_does_not_contain_is_refused():
    text = replace_once(
        assen_text(),
        '    unit: percentage\n    article: "8.3"\n',
        '    unit: percentage\n    article: "8.13"\n',
    )
    problem = only(problems_of(text), "rules.unknown_article")
    assert problem.location.line == line_of(text, 'article: "8.13"')
    assert messages.message(problem)[0] == "artikel ‘8.13’ staat niet onder articles"


def test_a_number_written_into_an_expression_must_be_a_parameter():
    text = replace_once(
        assen_text(),
        "round(percentage_uitvoeringsbudget_mo * rijksuitkering_mo)",
        "round(percentage_uitvoeringsbudget_mo * rijksuitkering_mo * 2)",
    )
    problem = only(problems_of(text), "expr.literal_number")
    assert messages.message(problem)[0] == "het getal 2 staat los in de berekening"


def test_money_that_may_hold_a_fraction_of_a_cent_must_be_rounded():
    text = replace_once(
        assen_text(),
        "round(percentage_uitvoeringsbudget_mo * rijksuitkering_mo)",
        "percentage_uitvoeringsbudget_mo * rijksuitkering_mo",
    )
    problem = only(problems_of(text), "rules.money_not_rounded")
    assert problem.field == "rules.uitvoeringsbudget_mo.expression"
    assert "round(…)" in messages.message(problem)[1]


def test_inputs_must_list_exactly_what_the_rule_uses():
    text = replace_once(
        assen_text(), "inputs: [reserve_mo_begin, resultaat_mo]", "inputs: [reserve_mo_begin]"
    )
    problem = only(problems_of(text), "rules.inputs_missing")
    assert messages.message(problem)[0] == (
        "de berekening gebruikt resultaat_mo, maar die staan niet onder inputs"
    )


def test_an_unused_parameter_is_refused():
    text = replace_once(
        assen_text(),
        "parameters:\n",
        "parameters:\n  vergeten:\n    label: Niet gebruikt\n    value: 7\n    unit: count\n"
        '    article: "8.3"\n',
    )
    problem = only(problems_of(text), "rules.unused_parameter")
    assert problem.location.line == line_of(text, "  vergeten:")
    assert messages.message(problem)[0] == "de parameter ‘vergeten’ wordt door geen enkele regel gebruikt"


def test_an_unknown_municipality_name_suggests_the_right_one():
    text = replace_once(assen_text(), "{name: Westerveld,", "{name: Westervelt,")
    problem = only(problems_of(text), "rules.unknown_municipality")
    assert problem.location.line == line_of(text, "Westervelt")
    assert messages.message(problem)[1].startswith("Bedoelt u ‘Westerveld’ of ‘Westerwolde’?")


def test_a_yaml_tag_is_refused():
    text = replace_once(assen_text(), "    value: 5\n", "    value: !!python/object:os.system 5\n")
    problem = only(problems_of(text), "yaml.tag")
    assert problem.location.line == line_of(text, "!!python")


def test_an_anchor_is_refused():
    text = replace_once(assen_text(), "    value: 5\n", "    value: &vijf 5\n")
    assert only(problems_of(text), "yaml.anchor").location.line == line_of(text, "&vijf")


def test_switchable_interpretation_with_an_unknown_choice_is_refused():
    text = replace_once(assen_text(), "chosen: ten_laste_van_resultaat_bw", "chosen: ten_laste")
    problem = only(problems_of(text), "rules.interpretation_choice")
    assert problem.article.formal() == "artikel 8, negende lid"


def test_comparing_an_interpretation_with_an_option_it_does_not_have_is_refused():
    text = replace_once(assen_text(), "= 'ten_laste_van_resultaat_bw'", "= 'ten_laste'")
    problem = only(problems_of(text), "expr.unknown_option")
    assert "buiten_resultaat_bw, ten_laste_van_resultaat_bw" in messages.message(problem)[1]


def test_messages_are_available_in_english():
    text = replace_once(assen_text(), "    value: 5\n", "    vaule: 5\n")
    problem = only(problems_of(text), "schema.unknown_key")
    rendered = messages.render(problem, "en", source=lambda path, line: text.splitlines()[line - 1])
    assert rendered.splitlines()[0] == "error: unknown field ‘vaule’"
    assert "= article: Article 8(3)" in rendered
    assert "Did you mean ‘value’?" in rendered


def test_rendered_message_shows_the_line_and_a_caret():
    text = replace_once(assen_text(), "    value: 5\n", "    vaule: 5\n")
    problem = only(problems_of(text), "schema.unknown_key")
    rendered = messages.render(problem, "nl", source=lambda path, line: text.splitlines()[line - 1])
    line = line_of(text, "vaule: 5")
    assert rendered.splitlines()[:5] == [
        "fout: onbekend veld ‘vaule’",
        f"  --> {NAME}:{line}:5",
        f" {' ' * len(str(line))} |",
        f" {line} |     vaule: 5",
        f" {' ' * len(str(line))} |     ^^^^^",
    ]
    assert "   = artikel: artikel 8, derde lid" in rendered


def test_a_policy_names_a_switchable_interpretation_with_only_the_options_the_engine_knows():
    """One check for every policy field: the date policy and a sheet's scaling."""
    text = replace_once(assen_text(), "  working_days: I-ATW\n", "  working_days: I-A-5.1\n")
    problem = only(problems_of(text), "rules.policy_interpretation")
    assert (problem.args["field"], problem.location.line) == (
        "working_days",
        line_of(text, "  working_days:"),
    )

    from tests.paths import REPO_ROOT

    groningen = REPO_ROOT / "rules" / "groningen" / "2021.yaml"
    text = replace_once(
        groningen.read_text(encoding="utf-8"), "      geen: >-\n", "      afronden: Anders.\n      geen: >-\n"
    )
    with pytest.raises(ConvenantError) as caught:
        check_text(text, str(groningen.relative_to(REPO_ROOT)))
    problem = only(caught.value.problems, "rules.policy_options")
    assert (problem.args["field"], problem.args["strange"], problem.args["options"]) == (
        "scaling",
        "afronden",
        "schalen, geen",
    )
