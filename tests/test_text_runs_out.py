"""Where the covenant's text runs out (issue 11, DOMAIN.md "Negative outcomes that the text does not
foresee" and "A raise computed for a year after the covenant's end"): the engine computes what the
formula says and warns, never silently.

The built-in name `laatste_jaar` (the last calendar year the version covers, cited to the article of
its period) lets a rule file say "in the last year" without writing the year twice.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.core import messages
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.explain.explain import explain, render
from tests.conftest import assen_text, load_example, problems_of, replace_once, write_facts
from tests.paths import REPO_ROOT

GRONINGEN = load_rule_file(REPO_ROOT / "rules" / "groningen" / "2021.yaml")


def run(tmp_path: Path, data: dict[str, Any]) -> Evaluation:
    return evaluate(GRONINGEN, check_facts(read_header(write_facts(tmp_path, data)), GRONINGEN))


def warnings_of(ev: Evaluation, name: str) -> list[tuple[str | None, str]]:
    return ev.node(name).warnings


def moved_to(data: dict[str, Any], year: int) -> dict[str, Any]:
    """The example's facts as facts of another year: every date moved to that year."""
    moved = copy.deepcopy(data)
    old = moved["year"]
    moved["year"] = year

    def shift(value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return f"{int(value[:4]) + year - old}{value[4:]}"
        if isinstance(value, dict):
            return {k: shift(v) for k, v in value.items()}
        return value

    return {k: shift(v) for k, v in moved.items()}


def test_the_last_years_surplus_warns_that_there_is_no_next_budget(tmp_path):
    data = moved_to(load_example("groningen-2023.yaml"), 2030)
    ev = run(tmp_path, data)
    surplus = ev.node("overschot_uitvoeringskosten")
    assert surplus.value > 0
    assert surplus.warnings and "laatste jaar van het convenant" in surplus.warnings[0][1]
    assert "artikel 9, eerste lid" in surplus.warnings[0][1]
    # the same facts in 2029 (a next year exists within the covenant): no warning
    assert not warnings_of(run(tmp_path, moved_to(data, 2029)), "overschot_uitvoeringskosten")


def test_the_last_years_deficit_warns_that_the_raise_falls_after_the_end(tmp_path):
    data = moved_to(load_example("groningen-2023.yaml"), 2030)
    budget = run(tmp_path, data).node("uitvoeringskosten_budget").value
    too_much = budget + Fraction(12345, 100)  # € 123,45 more than the amount for execution costs
    data["facts"]["werkelijke_uitvoeringskosten"] = Decimal(too_much.numerator) / too_much.denominator
    ev = run(tmp_path, data)
    assert ev.node("tekort_uitvoeringskosten").value == Fraction(12345, 100)
    (warning,) = warnings_of(ev, "tekort_uitvoeringskosten")
    assert "na het einde van het convenant" in warning[1]
    assert not warnings_of(ev, "overschot_uitvoeringskosten")  # no surplus, no surplus warning
    assert not warnings_of(run(tmp_path, moved_to(data, 2028)), "tekort_uitvoeringskosten")


def test_a_negative_budgetdeel_is_computed_as_the_formula_says_and_warned(tmp_path):
    # Buiten Prov. Groningen without indications keeps only its Bijlage 1 eigen bijdrage, −0,07 %:
    # its key is negative (I-G-4.2e), so is its Budgetdeel; computed, never clipped, and warned.
    data = load_example("groningen-2022.yaml")
    zero = {c: 0 for c in data["rows"]["buiten_prov_groningen"]["aantal_indicaties"]}
    data["rows"]["buiten_prov_groningen"]["aantal_indicaties"] = zero
    ev = run(tmp_path, data)
    key = ev.node("verdeelsleutel").value["buiten_prov_groningen"]
    assert key == Fraction(-7, 10000)
    share = ev.node("budgetdeel").value
    assert share["buiten_prov_groningen"] < 0
    assert sum(share.values()) == ev.node("budget").value  # conservation holds with a negative share
    warned = [m for m, _ in warnings_of(ev, "budgetdeel")]
    assert warned == ["buiten_prov_groningen"]
    text = render(explain(ev, "md", "nl"), "md")
    assert "Het Budgetdeel van deze rij is negatief" in text


def test_the_last_year_is_the_end_of_the_period_and_a_reserved_name(tmp_path):
    from convenant.language.model import LAST_YEAR

    ev = run(tmp_path, moved_to(load_example("groningen-2023.yaml"), 2030))
    assert ev.values[LAST_YEAR] == 2030 == GRONINGEN.covenant.valid_until.year
    text = replace_once(
        assen_text(),
        "parameters:\n",
        "parameters:\n  laatste_jaar: {label: x, value: 1, unit: count, article: '8.5'}\n",
    )
    (problem,) = [p for p in problems_of(text) if p.code == "rules.reserved_name"]
    what, _ = messages.message(problem)
    assert what.startswith("de naam ‘laatste_jaar’ is gereserveerd")
