"""Issue 11, "Citations to correct" and "Readings made without a name": every result cites the
article (lid) it rests on, in the JSON, the table, the explanation and the letter; every reading
the engine makes is a named interpretation, cited by the results that rely on it and by no other.

The shipped examples are evaluated once per run; nothing here changes an amount (the golden
outputs guard that)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from convenant.core.citation import Citation
from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.letters import letters
from tests.conftest import RULES, assen_text, check_text, evaluate_assen, line_of, problems_of, replace_once
from tests.examples_support import evaluated
from tests.paths import REPO_ROOT

GRONINGEN = RULES / "groningen" / "2021.yaml"
SEEDS = REPO_ROOT.parent / "shared" / "seeds"


@cache
def ev_of(example: str) -> Evaluation:
    return evaluated(example)


@cache
def json_of(example: str) -> dict[str, Any]:
    return report.to_json(ev_of(example))


def afrekeningen(example: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for code, entry in json_of(example)["municipalities"].items():
        if "afrekening" in entry["results"]:
            found.append((code, entry["results"]["afrekening"]))
    return found


def cite(key: str) -> dict[str, Any]:
    return Citation.parse(key).as_json()


# --- art. 3 lid 4 (pays) and lid 5 (receives) --------------------------------------------------


@pytest.mark.parametrize("example", ["groningen-2022", "groningen-2023"])
def test_a_receiver_cites_lid_5_and_a_payer_lid_4_in_the_json(example):
    seen = set()
    for _code, result in afrekeningen(example):
        seen.add(result["direction"])
        if result["direction"] == "ontvangt":
            assert result["citation"] == cite("3.5")
        elif result["direction"] == "betaalt":
            assert result["citation"] == cite("3.4")
        assert "I-G-numbering" in result["interpretations"]
    assert {"ontvangt", "betaalt"} <= seen  # both directions occur in the example


def test_the_table_cites_each_direction_and_no_receiver_cites_lid_4():
    ev = ev_of("groningen-2022")
    table = report.to_table(ev)
    for code, result in afrekeningen("groningen-2022"):
        name = ev.label(code)
        block = table.split(f"{code}  {name}", 1)[1].split("\n  GM", 1)[0]
        line = next(x for x in block.splitlines() if x.strip().startswith("Verschil tussen"))
        expected = "art. 3.5" if result["direction"] == "ontvangt" else "art. 3.4"
        assert line.rstrip().endswith(expected), line
    heading = next(x for x in table.splitlines() if x.startswith("Per gemeente"))
    assert "art. 3.4" in heading and "art. 3.5" in heading


def test_the_explanation_cites_and_quotes_the_lid_of_the_direction():
    ev = ev_of("groningen-2022")
    directions = dict((c, r["direction"]) for c, r in afrekeningen("groningen-2022"))
    sections = [s for s in explain.explain(ev, "md").sections if s.rule.name == "afrekening"]
    assert {s.member for s in sections} == set(directions)
    for s in sections:
        lid = "vijfde" if directions[s.member] == "ontvangt" else "vierde"
        other = "vierde" if lid == "vijfde" else "vijfde"
        assert s.citation == f"artikel 3, {lid} lid"
        assert s.quotes[0].citation == f"artikel 3, {lid} lid"
        assert f"artikel 3, {other} lid" not in [q.citation for q in s.quotes]
        assert "I-G-numbering" in [r.id for r in s.readings]


def test_the_letter_heading_cites_the_lid_of_the_direction():
    ev = ev_of("groningen-2022")
    made = letters.make_letters(ev, ("md",), "nl", None)
    directions = dict((c, r["direction"]) for c, r in afrekeningen("groningen-2022"))
    for code, direction in directions.items():
        (text,) = [
            v.decode() for k, v in made.items() if f"-{code}-" in k and not k.endswith(".toelichting.md")
        ]
        heading = next(x for x in text.splitlines() if x.startswith("## Verschil tussen"))
        lid = "vijfde" if direction == "ontvangt" else "vierde"
        assert heading.endswith(f"(artikel 3, {lid} lid)"), heading  # in the annex, as in the outcome
        outcome = next(x for x in text.splitlines() if x.startswith("**U "))
        assert outcome.endswith(f"(artikel 3, {lid} lid)."), outcome


def test_the_saldo_of_the_centrumgemeente_cites_article_3_and_both_leden():
    result = json_of("groningen-2022")["results"]["saldo_centrumgemeente"]
    assert result["citation"] == cite("3")  # no longer lid 2 (the execution costs)
    assert "vierde lid" in result["label"] and "vijfde lid" in result["label"]
    assert "I-G-numbering" in result["interpretations"]


# --- the other citations ------------------------------------------------------------------------


def test_the_assen_period_cites_article_10_lid_2_and_marks_its_truncated_sentence():
    ev = ev_of("assen-2024")
    assert json_of("assen-2024")["validity"]["citation"] == cite("10.2")
    assert "(artikel 10, tweede lid)" in report.to_table(ev)
    article = ev.rules.articles["10.2"]
    assert article.text.endswith("van kracht […]")
    raw = ev.rules.document.data["articles"]["10.2"]
    assert raw["truncated"] is True and "van kracht" in raw["note"]


def test_the_assen_budget_duty_of_1_october_cites_article_8_lid_3():
    data = json_of("assen-2024")
    deadline = data["deadlines"]["voorleggen_uitvoeringskosten"]
    assert deadline["citation"] == cite("8.3")
    (parameter,) = deadline["inputs"]  # the date itself is written in lid 2
    assert parameter["citation"] == cite("8.2")
    explanation = explain.render(explain.explain(ev_of("assen-2024"), "md"), "md")
    assert "voor aan het Bestuurlijk Overleg (artikel 8, derde lid; het tweede lid noemt" in explanation


def test_an_addition_to_the_budget_cites_article_5_naming_lid_7_and_lid_10():
    (use,) = [
        i
        for i in json_of("groningen-2022")["results"]["budget"]["inputs"]
        if i["name"] == "toevoeging_budget"
    ]
    assert use["citation"] == cite("5")  # not lid 10 alone: an underspending (lid 7) is added too
    label = ev_of("groningen-2022").rules.facts["toevoeging_budget"].label
    assert "artikel 5, zevende lid" in label and "artikel 5, tiende lid" in label


def test_the_individuele_uitkering_label_names_the_exclusion_of_article_1_onder_j():
    decl = ev_of("groningen-2022").rules.facts["individuele_uitkering"]
    assert decl.article == Citation.parse("1j")
    assert "Uitvoeringskosten (artikel 1, onder j)" in " ".join(decl.label.split())


@pytest.mark.parametrize("example", ["assen-2024", "groningen-2022"])
def test_i_atw_belongs_to_every_term_not_to_one_article(example):
    ev = ev_of(example)
    assert ev.rules.interpretations["I-ATW"].article is None
    assert json_of(example)["interpretations"]["I-ATW"]["article"] is None
    deadlines = [n for n in ev.nodes.values() if n.rule.section == "deadlines"]
    assert deadlines and all("I-ATW" in n.interpretations for n in deadlines)
    table = report.to_table(ev)
    assert re.search(r"^  I-ATW \[niet_toepassen\]: ", table, re.M)
    readings = [r for s in explain.explain(ev, "md").sections for r in s.readings if r.id == "I-ATW"]
    assert readings and {r.citation for r in readings} == {ev.rules.covenant.title}


# --- OCR repairs ----------------------------------------------------------------------------------


def _seed(name: str) -> str:
    return re.sub(r"-\n", "", (SEEDS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("example", "seed"),
    [("groningen-2022", "002_dda1e9c1326b96ba.txt"), ("assen-2024", "000_8c77cf365bd2ada8.txt")],
)
def test_every_ocr_repair_of_an_article_is_recorded_with_its_original_reading(example, seed):
    ev = ev_of(example)
    source = _seed(seed) if (SEEDS / seed).is_file() else None
    for key, entry in ev.rules.document.data["articles"].items():
        for c in entry.get("corrections", []):
            shown = " ".join(f"{entry.get('title', '')} {entry.get('text', '')}".split())
            assert c["corrected"] in shown and c["original"] not in shown, key
            assert c["reason"].strip()
            if source is not None:
                assert c["original"] in " ".join(source.split()), (key, c["original"])


def test_the_groningen_repairs_are_the_ones_the_ocr_needed():
    data = ev_of("groningen-2022").rules.document.data["articles"]
    repaired = {k: [c["original"] for c in v.get("corrections", [])] for k, v in data.items()}
    assert repaired["10"] == ["Wagr"] and repaired["4.2a"] == ["Inde kolommen"]
    assert repaired["1n"] == ["sub ¢"] and repaired["3.2"] == ["onder ¢, d en e"]
    assert {k for k, v in repaired.items() if v} == {"1m", "1n", "1r", "3.2", "4.2a", "5.2", "9", "9.3", "10"}


# --- named readings, cited where used -------------------------------------------------------------

RECONSTRUCTED = [Citation.parse(k) for k in ("3.4", "3.5", *(f"5.{lid}" for lid in range(2, 12)))]


def test_every_result_on_a_reconstructed_lid_cites_i_g_numbering():
    ev = ev_of("groningen-2023")
    checked = []
    for name, node in ev.nodes.items():
        rule = node.rule
        cited = {rule.article}
        if rule.settlement:
            cited |= {c for c in (rule.settlement.pays_article, rule.settlement.receives_article) if c}
        if any(c.within(r) for c in cited for r in RECONSTRUCTED):
            checked.append(name)
            assert "I-G-numbering" in node.interpretations, name
    assert {"afrekening", "betaling_verschil", "ontvangst_verschil", "betaling_buffer", "bijstelling"} <= set(
        checked
    )
    assert {"buffer_aanspraak", "overschot_uitvoeringskosten", "substantiele_wijziging"} <= set(checked)


USED_BY = {
    "I-G-5.2-naar-rato": {"verdeelsleutel_bijgesteld"},
    "I-G-centrumregeling": {"bijstelling", "buffer_betaling", "betaling_buffer"},
    "I-G-5.11-centraal": {"percentage_uitvoeringskosten_centraal", "verhoging_centraal_volgend_jaar"},
    "I-G-4.2e": {"verdeelsleutel", "verdeelsleutel_na_wijziging"},
}


@pytest.mark.parametrize("ident", sorted(USED_BY))
def test_each_new_groningen_reading_is_named_and_cited_where_it_is_used(ident):
    ev = ev_of("groningen-2023")
    interp = ev.rules.interpretations[ident]
    assert interp.question and interp.reading and interp.alternative and not interp.switchable
    assert interp.article is not None and interp.article.key in ev.rules.articles
    own = {n for n, r in ev.rules.rules.items() if ident in r.interpretations}
    assert own == USED_BY[ident]
    for name in own:  # and every result computed from them cites it too
        assert ident in ev.nodes[name].interpretations


SWITCHABLE_USED_BY = {
    "I-G-5.2-toets": {"substantiele_wijziging"},
    "I-G-5.4": {"budgetdeel_voor_buffer"},
}


@pytest.mark.parametrize("ident", sorted(SWITCHABLE_USED_BY))
def test_each_switchable_groningen_reading_is_cited_where_it_is_used(ident):
    ev = ev_of("groningen-2023")
    interp = ev.rules.interpretations[ident]
    assert interp.question and interp.switchable and len(interp.options) == 2 and interp.chosen
    assert interp.article is not None and interp.article.key in ev.rules.articles
    own = {n for n, r in ev.rules.rules.items() if ident in r.interpretations}
    assert own == SWITCHABLE_USED_BY[ident]
    for name in own:
        assert ident in ev.nodes[name].interpretations


def test_a_reading_is_not_cited_where_nothing_depends_on_it():
    ev = ev_of("groningen-2023")
    for name in ("afrekening", "budgetdeel", "saldo_centrumgemeente"):
        cited = ev.nodes[name].interpretations
        assert "I-G-5.2-toets" not in cited and "I-G-5.2-naar-rato" not in cited, name
        assert "I-G-centrumregeling" not in cited, name
    assert "I-G-numbering" not in ev.nodes["budget"].interpretations
    # I-G-5.4: a buffer claim is measured against the adjusted Budgetdeel, so it rests on how the
    # adjustment was made; the payment to or by the centrumgemeente (I-G-centrumregeling) it does not
    cited = ev.nodes["buffer_aanspraak"].interpretations
    assert {"I-G-5.4", "I-G-5.2-toets", "I-G-5.2-naar-rato"} <= set(cited)
    assert "I-G-centrumregeling" not in cited
    # under I-G-5.10 "zonder_verhoging" the execution-cost amount does not read the raised percentage
    assert "I-G-5.11-centraal" not in ev.nodes["uitvoeringskosten_budget"].interpretations


def test_the_reading_of_article_5_lid_2_describes_what_the_engine_measures_today():
    spec = ev_of("groningen-2023").rules.rules["substantiele_wijziging"].spec
    (by_moves, by_institution) = spec.tests
    assert (by_moves.cause, by_moves.column, by_moves.cells) == (
        "aanleiding_verhuizingen",
        "bw_intramuraal",
        None,
    )
    assert (by_institution.cause, by_institution.column) == ("aanleiding_nieuwe_instelling", None)  # 1–6
    assert by_institution.cells == "I-G-5.2-toets"
    assert spec.among == "municipality"
    options = ev_of("groningen-2023").rules.interpretations["I-G-5.2-toets"].options
    samen, per_cel = (" ".join(options[o].split()) for o in ("samen", "per_cel"))
    assert "kolommen 1 tot en met 6 samen" in samen and "nihil" in samen
    assert "elke cel van de kolommen 1 tot en met 6 apart" in per_cel and "nihil" in per_cel
    for text in (samen, per_cel):  # "bij enige Deelnemer": every party, not the three other rows
        assert "Per gemeente die partij is" in text


def test_the_assen_reading_of_nog_niet_toekennen_is_cited_by_the_decision_only():
    ev = ev_of("assen-2024")
    interp = ev.rules.interpretations["I-A-5.1"]
    assert interp.article == Citation.parse("5.1") and "Nog niet toekennen" in interp.reading
    cited = [n for n, node in ev.nodes.items() if "I-A-5.1" in node.interpretations]
    assert cited == ["plaatsing_nieuwe_client"]
    cases = json_of("assen-2024")["cases"]
    assert cases and all(
        c["results"]["plaatsing_nieuwe_client"]["interpretations"] == ["I-A-5.1"] for c in cases.values()
    )


# --- the rule-file fields themselves --------------------------------------------------------------

SETTLED = "    settlement:\n      deadline: afwikkeling_resultaat_bw\n"


def test_a_direction_cites_its_own_article_and_the_other_keeps_the_rules():
    text = replace_once(assen_text(), SETTLED, SETTLED + '      pays_article: "8.6"\n')
    rules = check_text(text)
    ev = evaluate_assen(rules, -900_00, [1] * 9, [100] * 9)  # a nadeel: every municipality pays
    assert {v < 0 for v in ev.nodes["aandeel_resultaat_bw"].value.values()} == {True}
    data = report.to_json(ev)
    for entry in data["municipalities"].values():
        assert entry["results"]["aandeel_resultaat_bw"]["citation"] == cite("8.6")
    ev = evaluate_assen(rules, 900_00, [1] * 9, [100] * 9)  # a voordeel: the rule's own article
    for entry in report.to_json(ev)["municipalities"].values():
        assert entry["results"]["aandeel_resultaat_bw"]["citation"] == cite("8.5")


def test_a_direction_citing_an_article_the_file_does_not_have_is_refused_at_its_line():
    text = replace_once(assen_text(), SETTLED, SETTLED + '      receives_article: "8.12"\n')
    (problem,) = problems_of(text)
    assert problem.code == "rules.unknown_article"
    assert problem.location.line == line_of(text, 'receives_article: "8.12"')


def test_an_interpretation_without_an_article_is_accepted_and_one_with_an_unknown_article_is_not():
    rules = check_text(assen_text())
    assert rules.interpretations["I-ATW"].article is None
    text = replace_once(
        assen_text(), "  I-ATW:\n    question:", '  I-ATW:\n    article: "8.12"\n    question:'
    )
    assert [p.code for p in problems_of(text)] == ["rules.unknown_article"]
