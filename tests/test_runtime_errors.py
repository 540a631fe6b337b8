"""Failures while evaluating keep their place (issue 10, item 4).

Each failure that can only be found while computing is provoked from a fact file, through the
command line as a user runs it, and its Dutch message is read as a user reads it: the fact file's
line of the value that caused it, the rule file's line with a caret under the part that failed, and
the article of the rule. A scenario in batch names its row and column instead of a fact file line.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from tests.conftest import ASSEN, assen_facts, line_of, write_facts
from tests.paths import REPO_ROOT

TOY = REPO_ROOT / "tests" / "fixtures" / "toy"
RUNTIME = TOY / "runtime.yaml"  # rules that fail with the wrong facts
SHEET = TOY / "sheet.yaml"  # the Groningen primitives on a three-row sheet
PEKELA, VEENDAM = "GM0765", "GM0047"


# --- reading a message as a user does ------------------------------------------------------------


def excerpt(message: str, file: str, line: int) -> tuple[str, str, str]:
    """The header, source line and caret line of the excerpt of `file` at `line` in a message."""
    lines = message.splitlines()
    for i, text in enumerate(lines):
        if text.startswith("  --> ") and f"{file}:{line}:" in text:
            return text, lines[i + 2], lines[i + 3]
    raise AssertionError(f"no excerpt of {file}:{line} in:\n{message}")


def also(message: str) -> str:
    """The further facts a message names."""
    return next(line for line in message.splitlines() if line.startswith("   = ook: "))


def caret_under(source: str, carets: str) -> str:
    """The text of the source line that the carets are under."""
    _, source_text = source.split(" | ", 1)
    _, caret_text = carets.split(" | ", 1)
    start = caret_text.index("^")
    return source_text[start : start + caret_text.count("^")]


def fails(run: Any, facts: Path, rules: Path | None = None) -> str:
    args = ["evaluate", *(["--rules", str(rules)] if rules else []), str(facts)]
    result = run(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "interne fout" not in result.output
    assert result.stdout == ""
    return result.stderr


def check_places(
    message: str, fact: tuple[Path, str, str], rule: tuple[Path, str, str, str], article: str
) -> None:
    """The message shows the fact file's value (file, a text on its line, the text under the caret),
    the rule file's part that failed (file, a text on its line, the text under the caret, the rule)
    and the rule's article."""
    facts, on_line, value = fact
    header, source, carets = excerpt(message, facts.name, written(facts, on_line))
    assert "(in de regel" not in header
    assert caret_under(source, carets) == value
    rules, on_line, part, name = rule
    header, source, carets = excerpt(message, rules.name, written(rules, on_line))
    assert header.endswith(f"(in de regel ‘{name}’)")
    assert caret_under(source, carets) == part
    assert f"   = artikel: {article}\n" in message


def runtime_facts(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "covenant": "toy-runtime",
        "year": 2024,
        "facts": {"budget": "1000.00", "opgegeven_totaal": 30000, "vergaderingen": 4, "aanwezigen": 8},
        "municipalities": {PEKELA: {"inwoners": 12000}, VEENDAM: {"inwoners": 18000}},
    }
    for key, value in changes.items():
        if key in (PEKELA, VEENDAM):
            data["municipalities"][key]["inwoners"] = value
        else:
            data["facts"][key] = value
    return data


def sheet_facts(**facts: Any) -> dict[str, Any]:
    return {
        "covenant": "toy-sheet",
        "year": 2023,
        "facts": {"waarde": {"a": "1000.00", "b": "500.00"}, **facts},
        "municipalities": {
            PEKELA: {"uitkering": "600000.00", "aantal": {"a": 3, "b": 2}},
            VEENDAM: {"uitkering": "400000.01", "aantal": {"a": 1, "b": 4}},
        },
        "rows": {"centraal": {"aantal": {"a": 0, "b": 2}}},
    }


def choose(tmp_path: Path, old: str, new: str) -> Path:
    """The toy sheet with another chosen reading of an interpretation."""
    text = SHEET.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "toy.yaml"
    path.write_text(text.replace(old, new).replace("../../../schemas", str(REPO_ROOT / "schemas")), "utf-8")
    return path


def written(path: Path, needle: str, occurrence: int = 1) -> int:
    return line_of(path.read_text(encoding="utf-8"), needle, occurrence)


# --- expressions ---------------------------------------------------------------------------------


def test_a_division_by_zero_names_the_fact_and_the_division(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(**{PEKELA: 0, VEENDAM: 0}))
    message = fails(run, facts, RUNTIME)
    assert message.startswith(
        "fout: deling door nul in Aandeel in de inwoners (aandeel): inwoners / sum(inwoners), en "
        "‘sum(inwoners)’ is nul\n"
    )
    check_places(
        message,
        fact=(facts, "inwoners: 0", "0"),
        rule=(RUNTIME, "inwoners / sum", "inwoners / sum(inwoners)", "aandeel"),
        article="artikel 3",
    )
    assert "   = veld: municipalities.GM0765.inwoners\n" in message
    assert f"{facts.name}:{written(facts, 'inwoners: 0', 2)}:" in also(message)


def test_a_division_by_zero_in_a_duty_check_is_a_message_not_a_crash(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(vergaderingen=0))
    message = fails(run, facts, RUNTIME)
    assert (
        "fout: deling door nul in Het overleg is gemiddeld door ten minste twee leden bijgewoond" in message
    )
    check_places(
        message,
        fact=(facts, "vergaderingen: 0", "0"),
        rule=(RUNTIME, "check:", "aanwezigen / vergaderingen", "overleg"),
        article="artikel 6",
    )


def test_a_division_by_zero_in_a_warning_is_a_message_not_a_crash(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(budget="0.00"))
    message = fails(run, facts, RUNTIME)
    assert "fout: deling door nul in Deel van het budget (deel): deel / budget, en ‘budget’ is nul" in message
    check_places(
        message,
        fact=(facts, "budget:", "0.00"),
        rule=(RUNTIME, "when: deel / budget", "deel / budget", "deel"),
        article="artikel 3",
    )


# --- keys and decisions --------------------------------------------------------------------------


def test_a_key_total_of_zero_names_the_first_fact_and_the_component(run, tmp_path):
    data = assen_facts()
    for values in data["municipalities"].values():
        values["uitvoeringskosten"] = "0.00"
    facts = write_facts(tmp_path, data)
    message = fails(run, facts)
    check_places(
        message,
        fact=(facts, "uitvoeringskosten: 0.00", "0.00"),
        rule=(ASSEN, "- {by: uitvoeringskosten", "uitvoeringskosten", "verdeelsleutel_bw"),
        article="artikel 8, vijfde lid",
    )
    assert also(message).endswith(" en nog 4")  # 9 municipalities: the first, 4 more named, and 4


def test_a_key_that_does_not_total_100_percent_names_its_facts_and_the_distribution(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(opgegeven_totaal=31000))
    message = fails(run, facts, RUNTIME)
    assert message.startswith("fout: de verdeelsleutel van Deel van het budget telt op tot ≈ 96,7742 %")
    check_places(
        message,
        fact=(facts, "inwoners: 12000", "12000"),
        rule=(RUNTIME, "distribute: {amount: budget, key: sleutel}", "sleutel", "deel"),
        article="artikel 3",
    )
    assert f"{facts.name}:{written(facts, 'opgegeven_totaal: 31000')}:" in also(message)


def test_no_case_of_a_decision_names_the_fact_and_the_cases(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(**{PEKELA: 10000, VEENDAM: 20000}))
    message = fails(run, facts, RUNTIME)
    assert message.startswith("fout: geen enkel geval van Categorie van de gemeente past bij GM0765\n")
    check_places(
        message,
        fact=(facts, "inwoners: 10000", "10000"),
        rule=(RUNTIME, "decision:", "decision", "categorie"),
        article="artikel 4",
    )


def test_two_cases_of_a_decision_name_the_fact_and_the_second_condition(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(opgegeven_totaal=72000, **{VEENDAM: 60000}))
    message = fails(run, facts, RUNTIME)
    assert message.startswith(
        "fout: meer dan één geval van Categorie van de gemeente past bij GM0047: groot, zeer_groot\n"
    )
    check_places(
        message,
        fact=(facts, "inwoners: 60000", "60000"),
        rule=(RUNTIME, "when: inwoners >= grens_hoog", "inwoners >= grens_hoog", "categorie"),
        article="artikel 4",
    )


# --- the Groningen primitives --------------------------------------------------------------------


def test_a_sheet_without_any_indication_names_the_counts(run, tmp_path):
    data = sheet_facts()
    for values in (*data["municipalities"].values(), data["rows"]["centraal"]):
        values["aantal"] = {"a": 0, "b": 0}
    facts = write_facts(tmp_path, data)
    message = fails(run, facts, SHEET)
    assert message.startswith(
        "fout: Sleutel (sleutel) kan niet worden geschaald: alle indicatiewaarden zijn nul\n"
    )
    check_places(
        message,
        fact=(facts, "aantal:", "aantal"),
        rule=(SHEET, "counts: aantal", "aantal", "sleutel"),
        article="artikel 4",
    )


def test_a_budget_of_zero_under_geen_names_the_payments_and_the_budget(run, tmp_path):
    rules = choose(tmp_path, "chosen: schalen", "chosen: geen")
    data = sheet_facts()
    for values in data["municipalities"].values():
        values["uitkering"] = "0.00"
    facts = write_facts(tmp_path, data)
    message = fails(run, facts, rules)
    assert (
        "fout: deling door nul in Sleutel (sleutel): indicatiewaarde / budget, en ‘budget’ is nul" in message
    )
    check_places(
        message,
        fact=(facts, "uitkering: 0.00", "0.00"),
        rule=(rules, "budget: budget", "budget", "sleutel"),
        article="artikel 4",
    )


def test_a_sheet_of_99_73_percent_under_geen_names_the_facts_and_the_scaling(run, tmp_path):
    rules = choose(tmp_path, "chosen: schalen", "chosen: geen")
    data = sheet_facts(waarde={"a": "114662.50", "b": "57331.25"})
    data["municipalities"][VEENDAM]["uitkering"] = "400000.00"
    facts = write_facts(tmp_path, data)
    message = fails(run, facts, rules)
    assert message.startswith(
        "fout: het spreadsheet van Sleutel (sleutel) telt op tot 99,73 %, niet tot 100 %\n"
    )
    check_places(
        message,
        fact=(facts, "waarde:", "waarde"),
        rule=(rules, "scaling: I-scaling", "I-scaling", "sleutel"),
        article="artikel 4",
    )


def test_a_negative_claim_names_that_claim(run, tmp_path):
    data = sheet_facts(beschikbaar="100.00")
    data["municipalities"][PEKELA]["aanspraak"] = "300.00"
    data["municipalities"][VEENDAM]["aanspraak"] = "-1.00"
    facts = write_facts(tmp_path, data)
    message = fails(run, facts, SHEET)
    assert "een aanspraak (aanspraak) of het beschikbare bedrag (beschikbaar) is negatief" in message
    check_places(
        message,
        fact=(facts, "aanspraak: -1.00", "-1.00"),
        rule=(SHEET, "ration:", "aanspraak", "buffer"),
        article="artikel 5",
    )
    assert "   = veld: municipalities.GM0047.aanspraak\n" in message


def test_a_trigger_date_outside_the_year_names_the_date(run, tmp_path):
    data = sheet_facts(datum_wijziging="2022-12-31")
    data["facts"]["waarde_na"] = {"a": "1000.00", "b": "500.00"}
    for values in (*data["municipalities"].values(), data["rows"]["centraal"]):
        values["aantal_na"] = values["aantal"]
    facts = write_facts(tmp_path, data)
    message = fails(run, facts, SHEET)
    assert message.startswith(
        "fout: datum_wijziging (31 december 2022) ligt niet in 2023, het jaar van de feiten\n"
    )
    check_places(
        message,
        fact=(facts, "datum_wijziging:", "'2022-12-31'"),
        rule=(SHEET, "pro_rata:", "datum_wijziging", "sleutel_bijgesteld"),
        article="artikel 5",
    )


# --- deadlines -----------------------------------------------------------------------------------


def test_a_month_that_has_no_such_day_under_weigeren_names_the_date(run, tmp_path):
    rules = choose(tmp_path, "chosen: afkappen", "chosen: weigeren")
    facts = write_facts(tmp_path, sheet_facts(datum_brief="2023-01-31"))
    message = fails(run, facts, rules)
    assert message.startswith(
        "fout: 31 januari 2023 plus 1 maand valt op een dag die in februari 2023 niet bestaat\n"
    )
    check_places(
        message,
        fact=(facts, "datum_brief:", "'2023-01-31'"),
        rule=(rules, "after:", "datum_brief", "betaling"),
        article="artikel 5",
    )


def test_a_term_past_the_last_day_of_the_calendar_is_a_message_not_a_crash(run, tmp_path):
    facts = write_facts(tmp_path, sheet_facts(datum_brief="9999-12-31"))
    message = fails(run, facts, SHEET)
    assert message.startswith(
        "fout: 31 december 9999 plus 1 maand valt na 31 december 9999, de laatste dag die het "
        "programma kent\n"
    )
    check_places(
        message,
        fact=(facts, "datum_brief:", "'9999-12-31'"),
        rule=(SHEET, "after:", "datum_brief", "betaling"),
        article="artikel 5",
    )


def test_in_english_the_places_are_the_same(run, tmp_path):
    facts = write_facts(tmp_path, runtime_facts(vergaderingen=0))
    result = run("--lang", "en", "evaluate", "--rules", str(RUNTIME), str(facts))
    assert result.stderr.startswith("error: division by zero in ")
    header, _, _ = excerpt(result.stderr, RUNTIME.name, written(RUNTIME, "check:"))
    assert header.endswith("(in the rule ‘overleg’)")
    assert "   = article: Article 6\n" in result.stderr


# --- batch ---------------------------------------------------------------------------------------


def test_a_failure_in_a_scenario_names_its_row_and_column(run, tmp_path):
    header = [
        "scenario",
        "jaar",
        "budget",
        "opgegeven_totaal",
        "vergaderingen",
        "aanwezigen",
        f"inwoners.{PEKELA}",
        f"inwoners.{VEENDAM}",
    ]
    rows = [
        ["goed", "2024", "1000.00", "30000", "4", "8", "12000", "18000"],
        ["geen inwoners", "2024", "1000.00", "30000", "4", "8", "0", "0"],
    ]
    source = tmp_path / "scenarios.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    out = tmp_path / "out.csv"
    result = run("batch", str(RUNTIME), str(source), "--out", str(out))
    assert result.exit_code == 1
    with out.open(encoding="utf-8", newline="") as handle:
        results = list(csv.DictReader(handle))
    assert [r["status"] for r in results] == ["ok", "fout"]
    expected = f"inwoners.{PEKELA}: deling door nul in Aandeel in de inwoners (aandeel)"
    assert results[1]["rij"] == "3" and results[1]["melding"].startswith(expected)
    assert f"rij 3 (geen inwoners): {expected}" in result.stderr


# --- the examples in the guides are the command's own words ---------------------------------------


def shown_in(guide: str, after: str) -> str:
    """The first text block of a guide after the sentence that gives the command."""
    text = (REPO_ROOT / "docs" / guide).read_text(encoding="utf-8")
    start = text.index("```text\n", text.index(after)) + len("```text\n")
    return text[start : text.index("```", start)]


def test_the_analysts_guide_shows_what_evaluate_says(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the guide runs it beside the fact file, from the repository
    text = (REPO_ROOT / "examples" / "assen-2024.yaml").read_text(encoding="utf-8")
    zeroed = "\n".join(
        line.split(":")[0] + ": 0.00" if line.strip().startswith("uitvoeringskosten:") else line
        for line in text.splitlines()
    )
    (tmp_path / "assen-2024-nul.yaml").write_text(zeroed + "\n", encoding="utf-8")
    said = fails(run, tmp_path / "assen-2024-nul.yaml").replace(f"{REPO_ROOT}/", "")
    assert shown_in("analysts.md", "(`convenant evaluate assen-2024-nul.yaml`)") == said


def test_the_developers_guide_shows_what_evaluate_says(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_facts(tmp_path, runtime_facts(vergaderingen=0), "geen-vergaderingen.yaml")
    result = run("--lang", "en", "evaluate", "--rules", str(RUNTIME), "geen-vergaderingen.yaml")
    said = result.stderr.replace(f"{REPO_ROOT}/", "")
    assert shown_in("developers.md", "geen-vergaderingen.yaml`;") == said
