"""Assen as the text says (issue 11): the art. 8 lid 9 toegemoetkoming per regiogemeente, the art. 10
lid 2 end date as a value of the rule file, and the last year settled after the covenant's end
(art. 8 lid 6). Every amount is worked by hand in the test."""

from __future__ import annotations

import copy
import re
import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from convenant.check import registry
from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.core.diagnostics import ConvenantError
from convenant.core.messages import message
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.explain import explain, report
from convenant.letters import letters
from tests.conftest import load_example, write_facts
from tests.paths import REPO_ROOT

ASSEN = REPO_ROOT / "rules" / "assen"
RULES = ASSEN / "2024-v1.6.yaml"

# Hand-chosen parts (euros) for the eight regiogemeenten; Assen, the centrumgemeente, has none.
PARTS = {
    "GM1680": "15000.00",  # Aa en Hunze
    "GM0118": "25000.00",  # Hoogeveen
    "GM0119": "20000.00",  # Meppel
    "GM1731": "20000.00",  # Midden-Drenthe
    "GM1699": "20000.00",  # Noordenveld
    "GM1730": "20000.00",  # Tynaarlo
    "GM1701": "12500.00",  # Westerveld
    "GM1690": "17500.00",  # De Wolden
}
# 15.000 + 25.000 + 4 × 20.000 + 12.500 + 17.500 = 40.000 + 80.000 + 30.000 = 150.000
PARTS_TOTAL = Fraction(150_000)


def with_parts(total: str | None = None) -> dict[str, Any]:
    data = load_example("assen-2024.yaml")
    del data["facts"]["toegemoetkoming_regiogemeenten"]
    if total is not None:
        data["facts"]["toegemoetkoming_regiogemeenten"] = total
    for code, part in PARTS.items():
        data["municipalities"][code]["toegemoetkoming_regiogemeente"] = part
    return data


def run(tmp_path: Path, data: dict[str, Any], rules_path: Path = RULES) -> Evaluation:
    rules = load_rule_file(rules_path)
    return evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules))


def plain(text: str) -> str:
    """Amounts are written with a no-break space after the euro sign; read them with a plain one."""
    return text.replace("\u00a0", " ")


def letter_texts(ev: Evaluation) -> dict[str, str]:
    files = letters.make_letters(ev, ("md",), "nl", None)
    return {
        re.search(r"-(GM\d{4})-", name)[1]: plain(data.decode())
        for name, data in files.items()
        if not name.endswith(".toelichting.md")
    }


def explained(ev: Evaluation, member: str | None = None) -> str:
    return plain(explain.render(explain.explain(ev, "md", "nl", member), "md"))


# --- art. 8 lid 9: the toegemoetkoming per regiogemeente ---------------------------------------


def test_each_regiogemeente_letter_states_its_own_part_and_the_parts_are_the_charged_total(tmp_path):
    ev = run(tmp_path, with_parts())
    # the total charged under I-A-8.9 is the sum of the parts: 150.000, as in the example's total,
    # so the BW result is unchanged: 38.412.000,00 − 35.950.123,45 − 1.850.000,00 − 150.000,00
    assert ev.values["toegemoetkoming_regiogemeenten"] == PARTS_TOTAL
    assert ev.values["resultaat_bw"] == Fraction(38_412_000) - Fraction("35950123.45") - 1_850_000 - 150_000
    assert ev.values["resultaat_bw"] == Fraction("461876.55")
    parts = ev.values["deel_toegemoetkoming"]
    assert set(parts) == set(PARTS)  # not the centrumgemeente
    assert sum(parts.values()) == ev.values["toegemoetkoming_regiogemeenten"]
    texts = letter_texts(ev)
    for code, part in PARTS.items():
        euros = f"€ {int(Fraction(part)):,}".replace(",", ".") + ",00"
        own = f"in de uitvoeringskosten van de regiogemeenten over 2024 is {euros} (artikel 8, negende lid)"
        assert own in texts[code], code
        for other_part in PARTS.values():  # nobody else's part is in this letter
            if other_part != part:
                shown = f"{int(Fraction(other_part)):,}".replace(",", ".")
                assert f"is € {shown},00 (artikel 8, negende lid)" not in texts[code]
    assert "Deel van de regiogemeente in de toegemoetkoming" not in texts["GM0106"]


def test_the_summed_total_says_where_it_came_from(tmp_path):
    ev = run(tmp_path, with_parts())
    text = explained(ev, "GM1701")
    assert "som van ‘toegemoetkoming_regiogemeente’ per gemeente" in text
    assert "Het deel van Westerveld in de toegemoetkoming" in text and "€ 12.500,00" in text


def test_a_total_that_agrees_with_the_parts_is_accepted(tmp_path):
    ev = run(tmp_path, with_parts(total="150000.00"))
    assert ev.values["toegemoetkoming_regiogemeenten"] == PARTS_TOTAL


def test_a_total_that_disagrees_with_the_parts_is_refused(tmp_path):
    with pytest.raises(ConvenantError) as caught:
        run(tmp_path, with_parts(total="140000.00"))
    (problem,) = caught.value.problems
    what, todo = (plain(t) for t in message(problem, "nl"))
    assert what.startswith(
        "het totaal ‘toegemoetkoming_regiogemeenten’ (€ 140.000,00) is niet de som van "
        "‘toegemoetkoming_regiogemeente’ per gemeente (€ 150.000,00: Aa en Hunze € 15.000,00 + "
    )
    assert "De Wolden € 17.500,00)" in what
    assert "het convenant noemt geen verdeling van een totaal" in todo
    assert problem.field == "facts.toegemoetkoming_regiogemeenten"
    assert problem.article is not None and problem.article.formal("nl") == "artikel 8, negende lid"


def test_the_centrumgemeente_gives_no_part(tmp_path):
    data = with_parts()
    data["municipalities"]["GM0106"]["toegemoetkoming_regiogemeente"] = "1.00"
    with pytest.raises(ConvenantError) as caught:
        run(tmp_path, data)
    what, _ = message(caught.value.problems[0], "nl")
    assert what == (
        "het feit ‘toegemoetkoming_regiogemeente’ geldt alleen voor een regiogemeente; "
        "Assen (GM0106) is centrumgemeente"
    )


def test_only_a_total_gives_no_part_and_the_letters_say_so(tmp_path):
    ev = run(tmp_path, load_example("assen-2024.yaml"))  # the example gives only the total, 150.000
    assert ev.values["deel_toegemoetkoming"] is None  # no key is invented, and nothing becomes zero
    assert ev.values["resultaat_bw"] == Fraction("461876.55")
    texts = letter_texts(ev)
    said = (
        "De feiten geven alleen het totaal ‘Toegemoetkoming in de uitvoeringskosten van de "
        "regiogemeenten (totaal)’: € 150.000,00 (artikel 8, negende lid). Het convenant noemt geen "
        "verdeling van dat totaal; daarom is er geen deel per regiogemeente vastgesteld."
    )
    for code in PARTS:
        assert said in texts[code], code
        assert "nog onbekend" not in texts[code]
    assert "Deel van de regiogemeente in de toegemoetkoming" not in texts["GM0106"]


# --- art. 10 lid 2: the end date is a value of the rule file -------------------------------------


def copied_rules(tmp_path: Path, valid_until: str) -> Path:
    folder = tmp_path / "rules" / "assen"
    folder.mkdir(parents=True)
    text = RULES.read_text(encoding="utf-8")
    assert text.count("  valid_until: 2025-12-31\n") == 1
    (folder / RULES.name).write_text(text.replace("2025-12-31", valid_until, 1), encoding="utf-8")
    shutil.copytree(ASSEN / "2024-v1.6.templates", folder / "2024-v1.6.templates")
    return folder / RULES.name


@pytest.mark.parametrize(
    ("valid_until", "accepted"),
    [
        ("2025-12-31", {2024, 2025}),  # "tot 1 januari 2026": the last day is 31 December 2025
        ("2026-12-31", {2024, 2025, 2026}),  # the doordecentralisatie takes effect on 1 January 2027
        ("2024-12-31", {2024}),  # it took effect on 1 January 2025
    ],
)
def test_the_end_date_in_the_rule_file_decides_which_years_are_accepted(tmp_path, valid_until, accepted):
    rules = load_rule_file(copied_rules(tmp_path, valid_until))
    assert rules.covenant.valid_until == date.fromisoformat(valid_until)
    for year in range(2023, 2028):
        if year in accepted:
            registry.check_year(rules, year)
            continue
        with pytest.raises(ConvenantError) as caught:
            registry.check_year(rules, year)
        (problem,) = caught.value.problems
        assert problem.code == "registry.no_version"
        assert problem.article is not None and problem.article.formal("nl") == "artikel 10, tweede lid"


def test_the_explanation_states_the_period_with_article_10_lid_2(tmp_path):
    data = load_example("assen-2024.yaml")
    data["year"] = 2026
    ev = run(tmp_path, data, copied_rules(tmp_path, "2026-12-31"))
    text = explained(ev)
    assert "- **Looptijd**: 1 januari 2024 t/m 31 december 2026 (artikel 10, tweede lid)" in text


# --- art. 8 lid 6: the last year is settled after the covenant's end, as normal --------------------

SETTLED_AFTER = (
    "De looptijd van het convenant eindigt op 31 december 2025 (artikel 10, tweede lid). De afwikkeling "
    "over 2025 valt daarna: de centrumgemeente informeert de regiogemeenten over hun voorlopige aandeel "
    "in het resultaat (1 februari 2026 – 28 februari 2026); afwikkeling van het definitieve aandeel in "
    "het resultaat beschermd wonen (30 juni 2026). Zo regelt het convenant dat (artikel 8, zesde lid): "
    "een kalenderjaar wordt in het jaar erna afgewikkeld, ook het laatste jaar van de looptijd."
)


def facts_of(year: int) -> dict[str, Any]:
    data = copy.deepcopy(load_example("assen-2024.yaml"))
    data["year"], data["evaluation_date"] = year, f"{year + 1}-05-15"
    return data


def test_2025_is_settled_in_2026_and_every_output_says_so_as_normal(tmp_path):
    ev = run(tmp_path, facts_of(2025))
    assert [n.name for n in report.after_end(report.deadline_nodes(ev), date(2025, 12, 31))] == [
        "voorlopig_aandeel_resultaat_bw",
        "afwikkeling_resultaat_bw",
    ]
    assert report.to_json(ev)["validity"]["after_end"] == [
        "voorlopig_aandeel_resultaat_bw",
        "afwikkeling_resultaat_bw",
    ]
    assert report.to_json(ev)["warnings"] == report.to_json(run(tmp_path, facts_of(2024)))["warnings"]
    assert f"Afwikkeling na de looptijd: {SETTLED_AFTER}" in plain(report.to_table(ev))
    assert SETTLED_AFTER in explained(ev)
    for code, text in letter_texts(ev).items():
        assert SETTLED_AFTER in text, code
        assert "waarschuwing" not in text.lower(), code


def test_2024_is_settled_within_the_period_and_says_nothing_of_it(tmp_path):
    ev = run(tmp_path, facts_of(2024))
    assert report.to_json(ev)["validity"]["after_end"] == []
    assert report.settled_after_end(ev, "nl") is None
    assert "Afwikkeling na de looptijd" not in report.to_table(ev)


def test_a_scenario_that_gives_the_parts_is_charged_their_sum_in_batch(tmp_path):
    """The batch's compiled plan reads the total; a scenario with parts goes to the fact-file
    checker, which sums them: the same 461.876,55 as with the total of 150.000 written out."""
    from convenant.batch.batch import Batch
    from convenant.batch.scenarios import Reader, facts_of
    from convenant.source.spreadsheets import read_table

    source = (REPO_ROOT / "examples" / "assen-2024-scenarios.csv").read_text(encoding="utf-8").splitlines()
    header, first = source[0].split(","), source[1].split(",")
    total = header.index("toegemoetkoming_regiogemeenten")
    with_parts_row = [*first[:total], "", *first[total + 1 :], *PARTS.values()]
    lines = [
        ",".join([*header, *(f"toegemoetkoming_regiogemeente.{c}" for c in PARTS)]),
        ",".join(with_parts_row),
        ",".join([*first, *([""] * len(PARTS))]),  # the total only
    ]
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rules = load_rule_file(RULES)
    scenarios = next(Reader(read_table(tmp_path / "s.csv"), rules, None).chunks(10**6))
    batch = Batch(rules)
    assert batch.direct(scenarios).tolist() == [False, True]
    result = batch.evaluate(scenarios)
    assert result.failed == {}
    assert list(result.exact) == [0]  # interpreted; a batch keeps its row, not its evaluation
    assert result.cents("resultaat_bw").tolist() == [[46187655], [46187655]]  # € 461.876,55 both ways
    interpreted = evaluate(rules, facts_of(rules, scenarios, 0))  # what the batch's interpreter ran
    assert interpreted.values["resultaat_bw"] == Fraction("461876.55")
    assert interpreted.values["toegemoetkoming_regiogemeenten"] == PARTS_TOTAL
