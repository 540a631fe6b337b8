"""The compiled Groningen plan gives, cell by cell, the output the interpreter gives.

Each test reads one table of scenarios twice: once through `Batch.evaluate` as it is (the compiled
plan where it applies), once with the plan switched off (`interpreted`: every scenario through the
fact-file checker and `engine.evaluate`, the path every Groningen scenario took before the plan
was complete). Every cell of every row must be the same text: values, `waarschuwingen`, `onbekend`,
`status` and `melding`. The scenarios are drawn to reach the places where a compiled form could go
wrong: ties in the largest remainder, negative keys and amounts, nil columns and rows, an empty
sheet, predecessors of Eemsdelta, optional facts left empty, the adjustment of art. 5 lid 2 with a
date in and outside the year, rationing of the buffer, and the last year of the covenant.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenant.batch.batch import Batch
from convenant.batch.scenarios import Reader
from convenant.core import money, vectors
from convenant.core.units import Kind
from convenant.source.spreadsheets import Table
from tests.paths import REPO_ROOT
from tests.test_batch_groningen import (
    COLUMNS,
    EXTRA_ROWS,
    MEMBERS,
    PREDECESSORS,
    RULES,
    cells,
    euros,
    groningen,
    random_scenario,
    split_eemsdelta,
    write_scenarios,
)

STYLES = ["random", "ties", "zero_column", "empty_row", "negative", "empty_sheet", "huge"]


def table_of(scenarios: list[dict[str, Any]]) -> Table:
    rows = [cells(s) for s in scenarios]
    header = list(dict.fromkeys(c for row in rows for c in row))
    return Table("s.csv", header, iter(enumerate([[r.get(c, "") for c in header] for r in rows], 2)), None)


def both(scenarios: list[dict[str, Any]], wanted: list[str] | None = None) -> tuple[Any, Any, Batch]:
    """The rows of the compiled batch, the rows of the interpreter, and the compiled batch's result."""
    compiled = Batch(groningen(), wanted)
    forced = Batch(groningen(), wanted)
    forced.plan = replace(forced.plan, unsupported={"*": "forced: every scenario interpreted"})
    result = compiled.evaluate(next(Reader(table_of(scenarios), groningen()).chunks(1000)))
    reference = forced.evaluate(next(Reader(table_of(scenarios), groningen()).chunks(1000)))
    assert not reference.vectorised.any()
    return result, reference, compiled


def assert_same_rows(result: Any, reference: Any, batch: Batch) -> None:
    for lang in ("nl", "en"):
        for got, expected in zip(result.rows(lang), reference.rows(lang), strict=True):
            for column, a, b in zip(batch.header, got, expected, strict=True):
                assert a == b, (got[1], column, a, b)


def styled(rng: random.Random, style: str, name: str) -> dict[str, Any]:
    """A random scenario, bent towards one edge of the compiled arithmetic."""
    data = random_scenario(rng, name)
    data["year"] = rng.choice([2022, 2023, 2024, 2030])
    if "datum_aanleiding_bijstelling" in data["facts"]:
        day = date.fromisoformat(data["facts"]["datum_aanleiding_bijstelling"])
        data["facts"]["datum_aanleiding_bijstelling"] = day.replace(year=data["year"]).isoformat()
    members = {**data["municipalities"], **data["rows"]}
    if style == "ties":  # equal rows: equal remainders, the earlier member gets the cent
        for values in members.values():
            values["aantal_indicaties"] = dict.fromkeys(COLUMNS, rng.choice([1, 3, 7]))
        data["facts"]["toevoeging_budget"] = euros(rng.choice([1, 2, 7, 13, 101]))
    elif style == "zero_column":  # an indicatiewaarde of nil: that column adds nothing
        data["facts"]["indicatiewaarde"][rng.choice(COLUMNS)] = euros(0)
    elif style == "empty_row":  # a row without indications: its key is its eigen bijdrage alone
        for code in rng.sample([*MEMBERS, *EXTRA_ROWS], 3):
            if code in members:
                members[code]["aantal_indicaties"] = dict.fromkeys(COLUMNS, 0)
    elif style == "negative":  # Eemsdelta's eigen bijdrage is negative: with few indications a
        for values in members.values():  # negative key, a negative budgetdeel and its warning
            values["aantal_indicaties"] = {c: rng.randint(0, 2) for c in COLUMNS}
        for code in ("GM1979", *PREDECESSORS):
            if code in data["municipalities"]:
                data["municipalities"][code]["aantal_indicaties"] = dict.fromkeys(COLUMNS, 0)
    elif style == "empty_sheet":  # every count nil: the sheet cannot be scaled; the interpreter says so
        for values in members.values():
            values["aantal_indicaties"] = dict.fromkeys(COLUMNS, 0)
    elif style == "huge":  # amounts and counts far beyond a real budget: int64 bounds must hold
        for values in members.values():
            values["aantal_indicaties"] = {c: rng.choice([0, 1, 10**6]) for c in COLUMNS}
        for values in data["municipalities"].values():
            values["individuele_uitkering"] = euros(rng.choice([0, 10**14]))
        data["facts"]["indicatiewaarde"] = {c: euros(rng.choice([1, 10**11])) for c in COLUMNS}
    if rng.random() < 0.5 and "indicatiewaarde_na_wijziging" in data["facts"]:  # art. 5 lid 2
        data["facts"]["aanleiding_verhuizingen"] = rng.random() < 0.7
        data["facts"]["aanleiding_nieuwe_instelling"] = rng.random() < 0.5
        year = data["year"] if rng.random() < 0.9 else data["year"] + 1  # outside the year: refused
        data["facts"]["datum_aanleiding_bijstelling"] = date(
            year, rng.randint(1, 12), rng.randint(1, 28)
        ).isoformat()
    if rng.random() < 0.3:  # a buffer too small for the claims: rationed
        data["facts"]["buffer_beschikbaar"] = euros(rng.choice([0, 1, 3, 10**5]))
    return data


@st.composite
def scenario_tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    rng = random.Random(draw(st.integers(0, 2**32)))
    return [styled(rng, draw(st.sampled_from(STYLES)), f"s{i}") for i in range(draw(st.integers(1, 10)))]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_tables())
def test_the_compiled_plan_writes_every_cell_as_the_interpreter_does(scenarios):
    result, reference, batch = both(scenarios)
    assert_same_rows(result, reference, batch)
    # the plan computed every scenario the interpreter computes: none is left to it
    assert not result.exact
    assert result.vectorised.sum() + len(result.failed) == len(scenarios)


def test_ties_empty_rows_negative_keys_predecessors_and_unknowns_each_go_compiled():
    """One of each, deterministic: all computed by the plan, with the interpreter's texts."""
    rng = random.Random(3)
    scenarios = [styled(rng, style, style) for style in ("ties", "zero_column", "empty_row", "negative")]
    for s in scenarios:
        s["facts"].pop("buffer_beschikbaar", None)  # unknown: buffer_betaling waits for it
        s["facts"]["percentage_innovatiebudget"] = Decimal("0.5")
        s["facts"].pop("datum_aanleiding_bijstelling", None)
        s["facts"]["aanleiding_verhuizingen"] = False
        s["facts"]["aanleiding_nieuwe_instelling"] = False
    eemsdelta = scenarios[0]["municipalities"]
    if "GM1979" in eemsdelta:
        eemsdelta.update(split_eemsdelta(rng, eemsdelta.pop("GM1979")))
    result, reference, batch = both(scenarios)
    assert result.vectorised.all()
    assert_same_rows(result, reference, batch)
    rows = [dict(zip(batch.header, r, strict=True)) for r in result.rows()]
    assert all("buffer_betaling (wacht op buffer_beschikbaar" in r["onbekend"] for r in rows)
    assert all(r["afrekening.GM0014"] == "" for r in rows)  # the centrumgemeente settles nothing itself
    for output in batch.outputs:  # the Python API's cents: None where unknown or not applying
        if output.rule.kind is Kind.MONEY:
            name = output.rule.name
            assert result.cents(name).tolist() == reference.cents(name).tolist(), name
    assert all(c is None for c in result.cents("afrekening")[:, MEMBERS.index("GM0014")])
    negative = rows[3]
    assert negative["budgetdeel.GM1979"].startswith("-")  # eigen bijdrage −0,17 %, no indications
    assert "verdeelsleutel.GM1979" in negative["waarschuwingen"]


def test_the_plan_for_groningen_is_complete():
    assert Batch(groningen()).plan.unsupported == {}


def test_a_scenario_with_agreed_cells_is_left_to_the_interpreter():
    """Art. 5 lid 1: agreed cells and their dates per row have no compiled form (yet)."""
    rng = random.Random(8)
    scenarios = [styled(rng, "random", f"s{i}") for i in range(2)]
    year = scenarios[1]["year"]
    scenarios[1]["rows"]["centraal"].update(
        {
            "afwijkend_percentage": {"bw_intramuraal": Decimal("1.5")},
            "afwijking_vanaf": date(year, 1, 1).isoformat(),
            "datum_besluit_afwijking": date(year - 1, 12, 1).isoformat(),
        }
    )
    result, reference, batch = both(scenarios)
    assert result.vectorised.tolist() == [True, False]
    assert_same_rows(result, reference, batch)


# --- the kernel ------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=13),
    st.integers(-(10**15), 10**15),
    st.booleans(),
)
def test_largest_remainder_over_one_denominator_is_money_largest_remainder(weights, amount, wide):
    """Shares w[m] / Σ w (a negative share too), one denominator per scenario; the float guess is
    corrected in int64, or the exact path taken when the bounds do not allow it (`wide`)."""
    total = sum(weights)
    if total == 0:
        weights, total = [*weights[:-1], weights[-1] + 1], total + 1
    sign = 1 if total > 0 else -1
    scale = 10**12 if wide else 1
    num = np.array([[w * sign * scale for w in weights]], dtype=np.int64)
    den = np.array([[abs(total) * scale]], dtype=np.int64)
    got = vectors.largest_remainder_over(np.array([[amount]], dtype=np.int64), num, den)
    shares = [money.Fraction(w * sign, abs(total)) for w in weights]
    assert got[0].tolist() == [p.cents for p in money.largest_remainder(amount, shares)]


def test_the_command_says_how_many_scenarios_were_interpreted(run, tmp_path):
    """The example's six scenarios all go compiled; one with agreed cells goes one by one."""
    example = REPO_ROOT / "examples" / "groningen-2022-scenarios.csv"
    result = run("batch", str(RULES), str(example), "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 0
    assert "0 van de 6 scenario's één voor één doorgerekend (de andere in één keer)" in result.stderr
    rng = random.Random(8)
    scenarios = [styled(rng, "random", f"s{i}") for i in range(3)]
    scenarios[2]["rows"]["centraal"].update(
        {
            "afwijkend_percentage": {"bw_intramuraal": Decimal("1.5")},
            "afwijking_vanaf": date(scenarios[2]["year"], 1, 1).isoformat(),
            "datum_besluit_afwijking": date(scenarios[2]["year"] - 1, 12, 1).isoformat(),
        }
    )
    source = write_scenarios(tmp_path / "s.csv", scenarios)
    result = run(
        "batch", str(RULES), str(source), "--out", str(tmp_path / "b.csv"), env={"CONVENANT_LANG": "en"}
    )
    assert "1 of the 3 scenarios evaluated one by one (the others all at once)" in result.stderr
