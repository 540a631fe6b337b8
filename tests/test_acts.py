"""One letter per act (DOMAIN.md "The acts"): each act of the rule file states exactly its results
and is dated as the act is; a fact dated after the letter is refused (with the fact, its date, the
letter's date and the article) or said as a future event; the art. 3 lid 4 term runs from the
letter's own date. Exit codes: 1 for a refused fact, 2 for an option that does not fit."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from convenant.cli.cli import cli
from convenant.core.dates import Term, add_term
from tests.conftest import line_of, load_example, problems_of, replace_once, write_facts
from tests.explain_support import dates_in, letter_text
from tests.paths import REPO_ROOT

GRONINGEN = REPO_ROOT / "rules" / "groningen" / "2021.yaml"
ASSEN = REPO_ROOT / "rules" / "assen" / "2024-v1.6.yaml"


def letters(facts: Path, out: Path, *options: str):
    args = ["letters", str(facts), "--out", str(out), "--format", "md", *options]
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def said(text: str) -> str:
    """A message or letter with its lines joined, as it reads."""
    return " ".join(text.split())


def letter_md(folder: Path, code: str) -> Path:
    """The Markdown letter to one party (not its digital annex)."""
    return next(p for p in folder.glob(f"*-{code}-*.md") if not p.name.endswith(".toelichting.md"))


def headings(folder: Path, code: str) -> list[str]:
    """The settlements the letter's annex computes, by heading."""
    annex = letter_md(folder, code).read_text(encoding="utf-8").split("# Bijlage 1")[1]
    return re.findall(r"^## (.*)$", annex.split("## Interpretaties")[0], flags=re.M)


def facts_2022(tmp_path: Path, **scalars: object) -> Path:
    data = load_example("groningen-2022.yaml")
    data["facts"].update(scalars)
    return write_facts(tmp_path, data)


# --- the acts as the rule files declare them ---------------------------------------------------


def test_the_rule_files_declare_the_acts_domain_lists():
    from convenant.check.checking import load_rule_file

    groningen, assen = load_rule_file(GRONINGEN), load_rule_file(ASSEN)
    assert list(groningen.acts) == ["mededeling", "besluit_achteraf"]
    mededeling, achteraf = groningen.acts["mededeling"], groningen.acts["besluit_achteraf"]
    assert (mededeling.article.key, mededeling.date) == ("3.3", "datum_brief")
    assert (achteraf.article.key, achteraf.date) == ("5.8", "datum_besluit_achteraf")
    assert "afrekening" in mededeling.states and "bijstelling" not in mededeling.states
    assert {"bijstelling", "buffer_betaling", "overschot_uitvoeringskosten"} <= set(achteraf.states)
    assert "afrekening" not in achteraf.states
    assert "datum_aanleiding_bijstelling" in achteraf.not_after
    assert list(assen.acts) == ["voorlopig_aandeel", "definitief_aandeel"]
    assert assen.acts["voorlopig_aandeel"].provisional
    assert assen.acts["voorlopig_aandeel"].during == "voorlopig_aandeel_resultaat_bw"
    assert "reserve_mo_eind" in assen.acts["definitief_aandeel"].states


# --- Groningen: the mededeling (art. 3 lid 3) --------------------------------------------------


def test_the_lid_4_term_runs_from_the_letter_date(tmp_path):
    """31 January + 1 month = 28 February 2022: I-months "afkappen" clips to the month's last day."""
    from convenant.check.checking import load_rule_file

    assert load_rule_file(GRONINGEN).interpretations["I-months"].chosen == "afkappen"
    assert add_term(date(2022, 1, 31), Term(months=1), "afkappen") == date(2022, 2, 28)
    # the facts' evaluation_date says 1 February: the letter is dated by datum_brief, one date
    data = load_example("groningen-2022.yaml")
    data["evaluation_date"] = "2022-02-01"
    out = tmp_path / "out"
    result = letters(write_facts(tmp_path, data), out)
    assert result.exit_code == 0, result.output
    text = said(letter_text(letter_md(out, "GM1969")))  # Westerkwartier pays
    assert "Datum: 31 januari 2022" in text
    assert "U betaalt ons € 1.612.270,55, uiterlijk 28 februari 2022" in text
    assert "1 februari 2022" not in text


def test_a_later_letter_date_moves_the_lid_4_term_with_it(tmp_path):
    out = tmp_path / "out"  # 31 March + 1 month = 30 April (clipped)
    result = letters(facts_2022(tmp_path, datum_brief="2022-03-31"), out)
    assert result.exit_code == 0, result.output
    text = said(letter_text(letter_md(out, "GM1969")))
    assert "Datum: 31 maart 2022" in text and "uiterlijk 30 april 2022 (artikel 3, vierde lid)" in text


def test_a_date_option_that_differs_from_datum_brief_is_refused(tmp_path):
    out = tmp_path / "out"
    result = letters(REPO_ROOT / "examples" / "groningen-2022.yaml", out, "--date", "2022-02-01")
    assert result.exit_code == 2, result.output
    message = said(result.stderr)
    assert (
        "--date 2022-02-01 verschilt van de datum van de brief ‘Uitkomsten Regionaal verdeelmodel 2022’"
        in message
    )
    assert "datum_brief, 31 januari 2022" in message and "--date 2022-01-31" in message
    assert "examples/groningen-2022.yaml:" in message  # the line of datum_brief
    assert not out.exists()
    same = letters(REPO_ROOT / "examples" / "groningen-2022.yaml", out, "--date", "2022-01-31")
    assert same.exit_code == 0, same.output


def test_the_receipt_after_the_mededeling_is_said_as_a_future_event(tmp_path):
    """datum_ontvangst_middelen (24 February) lies after the letter of 31 January: the receiving
    deelnemer's term is "binnen 14 dagen nadat …", never the receipt or its date as past."""
    out = tmp_path / "out"
    result = letters(REPO_ROOT / "examples" / "groningen-2022.yaml", out)
    assert result.exit_code == 0, result.output
    for path in out.glob("*.md"):
        text = said(letter_text(path))
        assert "24 februari 2022" not in text and "ontving" not in text, path.name
        assert date(2022, 3, 10) not in dates_in(text), path.name  # 24 February + 14 days
    stadskanaal = said(letter_text(letter_md(out, "GM0037")))
    assert (
        "U ontvangt van ons € 228.541,85, binnen 14 dagen nadat de gemeente Groningen"
        " de betalingen van artikel 3, vierde lid, heeft ontvangen (artikel 3, vijfde lid)."
    ) in stadskanaal


def test_a_receipt_known_by_the_letter_date_is_a_date(tmp_path):
    out = tmp_path / "out"  # the same letter made after the receipt: its term is a date again
    facts = facts_2022(tmp_path, datum_brief="2022-03-01")
    assert letters(facts, out).exit_code == 0
    text = said(letter_text(letter_md(out, "GM0037")))
    assert "U ontvangt van ons € 228.541,85, uiterlijk 10 maart 2022" in text


def test_an_agreed_deviation_after_the_mededeling_is_refused(tmp_path):
    data = load_example("groningen-2022.yaml")
    row = data["municipalities"]["GM0047"]
    row.update(afwijkend_percentage={"bw_intramuraal": "5 %"}, afwijking_vanaf="2022-01-01")
    row["datum_besluit_afwijking"] = "2022-06-01"
    out = tmp_path / "out"
    result = letters(write_facts(tmp_path, data), out, "--act", "mededeling")
    assert result.exit_code == 1, result.output
    message = said(result.stderr)
    assert "datum_besluit_afwijking" in message and "is 1 juni 2022" in message
    assert "‘Uitkomsten Regionaal verdeelmodel 2022’ (mededeling), 31 januari 2022" in message
    assert "artikel 3, derde lid" in message
    assert not out.exists()


def test_the_mededeling_states_only_its_results(tmp_path):
    out = tmp_path / "out"
    assert letters(REPO_ROOT / "examples" / "groningen-2023.yaml", out, "--act", "mededeling").exit_code == 0
    assert headings(out, "GM0047") == [
        "Verschil tussen Budgetdeel en individuele uitkering (artikel 3, vijfde lid)"
    ]
    for path in out.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "Bijstelling" not in text and "buffer_betaling" not in text, path.name
        assert "1 april 2023" not in text, path.name  # the cause of the adjustment lies after the letter
        if not path.name.endswith(".toelichting.md"):
            assert "Onderwerp: " in text and "Uitkomsten Regionaal verdeelmodel 2023" in text, path.name


# --- Groningen: the besluit achteraf (art. 5 lid 8 with art. 6) ----------------------------------


def test_the_besluit_achteraf_states_the_adjustment_and_is_dated_by_the_decision(tmp_path):
    out = tmp_path / "out"
    facts = REPO_ROOT / "examples" / "groningen-2023.yaml"
    assert letters(facts, out, "--act", "besluit_achteraf").exit_code == 0
    assert headings(out, "GM0047") == [  # in the order the act states them
        "Bijstelling van het Budgetdeel (artikel 5, derde lid)",
        "Aanvullende betaling uit de buffer (artikel 5, vijfde lid)",
    ]
    text = said(letter_text(letter_md(out, "GM0047")))
    assert "Datum: 14 maart 2024" in text
    assert "Verschil tussen Budgetdeel en individuele uitkering (artikel 3" not in text


def test_a_cause_after_the_decision_is_refused_for_the_besluit_achteraf(tmp_path):
    data = load_example("groningen-2023.yaml")
    data["facts"]["datum_besluit_achteraf"] = "2023-03-01"  # before the cause of 1 April 2023
    facts = write_facts(tmp_path, data)
    out = tmp_path / "out"
    result = letters(facts, out, "--act", "besluit_achteraf")
    assert result.exit_code == 1, result.output
    message = said(result.stderr)
    assert "datum_aanleiding_bijstelling (‘Datum waarop de aanleiding voor de bijstelling" in message
    assert "is 1 april 2023: na de datum van de brief" in message and ", 1 maart 2023;" in message
    assert "artikel 5, achtste lid" in message
    assert f"{facts}:{line_of(facts.read_text(encoding='utf-8'), 'datum_aanleiding_bijstelling')}" in message
    assert not out.exists()


def test_an_act_without_its_date_fact_is_refused(tmp_path):
    data = load_example("groningen-2023.yaml")
    del data["facts"]["datum_besluit_achteraf"]
    result = letters(write_facts(tmp_path, data), tmp_path / "out", "--act", "besluit_achteraf")
    assert result.exit_code == 1, result.output
    assert "heeft als datum het feit datum_besluit_achteraf" in said(result.stderr)


# --- Assen: voorlopig and definitief aandeel (art. 8 lid 6) --------------------------------------


def test_the_assen_default_is_the_definitief_aandeel_after_the_college_decision(tmp_path):
    out = tmp_path / "out"
    result = letters(REPO_ROOT / "examples" / "assen-2024.yaml", out)
    assert result.exit_code == 0, result.output
    assert all(p.name.startswith("assen-2024-definitief-aandeel-") for p in out.glob("*.md"))
    text = said(letter_text(letter_md(out, "GM1680")))
    assert "Onderwerp: Definitief aandeel resultaat beschermd wonen 2024" in text
    assert "U ontvangt van ons € " in text and "uiterlijk 30 juni 2025 (artikel 8, zesde lid)" in text
    assert "Stand van de Reserve MO aan het eind van het kalenderjaar" in text  # reported to all


def test_the_voorlopig_aandeel_belongs_in_february_and_settles_nothing(tmp_path):
    facts = REPO_ROOT / "examples" / "assen-2024.yaml"
    late = letters(facts, tmp_path / "late", "--act", "voorlopig_aandeel")
    assert late.exit_code == 1
    assert "15 mei 2025, ligt niet in 1 februari 2025 – 28 februari 2025 (artikel 8, zesde lid)" in said(
        late.stderr
    )
    out = tmp_path / "out"
    assert letters(facts, out, "--act", "voorlopig_aandeel", "--date", "2025-02-14").exit_code == 0
    text = said(letter_text(letter_md(out, "GM1680")))
    letter = text.split("Bijlage 1 — Berekening")[0]
    assert "Uw voorlopige aandeel is een voordeel van € " in letter
    assert "de afrekening volgt op het definitieve aandeel, uiterlijk 30 juni 2025" in letter
    assert "U ontvangt" not in letter and "Reserve MO" not in letter and "Betalingskenmerk" not in letter


def test_the_definitief_aandeel_needs_the_college_decision_before_the_letter(tmp_path):
    data = load_example("assen-2024.yaml")
    data["facts"]["datum_besluit_definitief_aandeel"] = "2025-05-20"  # after the letter of 15 May
    result = letters(write_facts(tmp_path, data), tmp_path / "out")
    assert result.exit_code == 1
    message = said(result.stderr)
    assert "datum_besluit_definitief_aandeel" in message and "is 20 mei 2025" in message
    assert "15 mei 2025" in message
    del data["facts"]["datum_besluit_definitief_aandeel"]
    result = letters(
        write_facts(tmp_path, data, "zonder.yaml"), tmp_path / "out", "--act", "definitief_aandeel"
    )
    assert result.exit_code == 1
    assert "kan pas worden gemaakt als het feit datum_besluit_definitief_aandeel" in said(result.stderr)


# --- the command line ----------------------------------------------------------------------------


def test_an_unknown_act_is_a_usage_error_that_lists_the_acts(tmp_path):
    result = letters(REPO_ROOT / "examples" / "groningen-2022.yaml", tmp_path / "out", "--act", "besluit")
    assert result.exit_code == 2
    message = said(result.stderr)
    assert "kent geen brief ‘besluit’" in message
    assert (
        "mededeling (‘Uitkomsten Regionaal verdeelmodel 2022’)" in message and "besluit_achteraf" in message
    )


def test_the_help_names_the_option_and_the_acts():
    result = CliRunner().invoke(cli, ["letters", "--help"])
    assert "--act" in result.output and "besluit_achteraf" in result.output


# --- the checker ---------------------------------------------------------------------------------


def test_an_act_dated_by_a_fact_that_is_no_date_is_refused_at_its_line():
    text = replace_once(
        ASSEN.read_text(encoding="utf-8"),
        "requires: [datum_besluit_definitief_aandeel]",
        "requires: [datum_besluit_definitief_aandeel]\n    date: macrobudget_bw",
    )
    (problem,) = problems_of(text)
    assert problem.code == "rules.name_kind" and problem.args["name"] == "macrobudget_bw"
    assert problem.location.line == line_of(text, "date: macrobudget_bw")
    assert problem.article is not None and problem.article.key == "8.6"


def test_an_act_title_with_another_placeholder_is_refused():
    text = replace_once(
        ASSEN.read_text(encoding="utf-8"),
        "Definitief aandeel resultaat beschermd wonen {jaar}",
        "Definitief aandeel {gemeente} {jaar}",
    )
    (problem,) = problems_of(text)
    assert problem.code == "rules.act_placeholder" and problem.args["name"] == "gemeente"
