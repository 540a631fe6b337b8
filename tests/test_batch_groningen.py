"""`convenant batch` on the Groningen covenant gives, scenario by scenario, what `convenant evaluate`
gives on the equivalent fact file: the same cents, the same unknowns, the same refusals.

Each scenario is made as the plain data of a fact file (`covenant`, `year`, `facts`,
`municipalities`, `rows`). The batch side gets it as a row of a scenario file (one column per fact
and member, and per row and column of the sheet); the reference side gets it as a fact file,
checked by `engine.facts` and evaluated by `engine.evaluate`, and written as `--format json` writes
it (`report.to_json`, without the traces as data: no cell of a batch holds a step). Scenarios are
of 2022 and 2023, name Eemsdelta or its three predecessors, and give the optional facts (buffer,
execution costs, the adjustment of art. 5 lid 2) or not.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenant.batch.batch import META, Batch
from convenant.batch.scenarios import Reader
from convenant.check.checking import load_rule_file
from convenant.check.facts import FactHeader, check_facts
from convenant.core.diagnostics import ConvenantError
from convenant.evaluation.evaluate import evaluate
from convenant.explain import report
from convenant.language.model import RuleFile
from convenant.source.loading import parse_document
from convenant.source.spreadsheets import Table
from tests.conftest import assen_text, check_text, facts_text, replace_once
from tests.paths import REPO_ROOT

RULES = REPO_ROOT / "rules" / "groningen" / "2021.yaml"
COLUMNS = ["bw_intramuraal", "bw_extramuraal", "bw_lokaal", "begeleiding_mo", "mo_opvang", "mo_toegang"]
EXTRA_ROWS = ["buiten_prov_groningen", "onbekend", "centraal"]
# Eemsdelta first, at the place of Appingedam (2022 and later)
MEMBERS = ["GM1979", "GM0014", "GM1966", "GM1952", "GM1895", "GM0765", "GM0037", "GM0047", "GM1969", "GM1950"]
PREDECESSORS = ["GM0003", "GM0010", "GM0024"]  # Appingedam, Delfzijl, Loppersum: Eemsdelta from 2021


@cache
def groningen() -> RuleFile:
    return load_rule_file(RULES)


def euros(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def counts(rng: random.Random, high: int) -> dict[str, int]:
    return {c: rng.randint(0, high) for c in COLUMNS}


def random_scenario(rng: random.Random, name: str) -> dict[str, Any]:
    """A fact file's data: every required fact, optional facts for all members or none."""
    year = rng.choice([2022, 2023])
    facts: dict[str, Any] = {"indicatiewaarde": {c: euros(rng.randint(0, 10**7)) for c in COLUMNS}}
    if rng.random() < 0.5:
        facts["toevoeging_budget"] = euros(rng.randint(0, 10**8))
    if rng.random() < 0.5:
        facts["percentage_innovatiebudget"] = Decimal(rng.choice(["0.5", "1.0", "0.25"]))
    for fact in ("buffer_beschikbaar", "werkelijke_uitvoeringskosten", "budget_volgend_jaar"):
        if rng.random() < 0.5:
            facts[fact] = euros(rng.randint(1, 10**9))
    adjusted = rng.random() < 0.4
    if adjusted:
        facts["indicatiewaarde_na_wijziging"] = {c: euros(rng.randint(0, 10**7)) for c in COLUMNS}
        facts["datum_aanleiding_bijstelling"] = date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat()
    costs = rng.random() < 0.6
    municipalities: dict[str, Any] = {}
    for code in MEMBERS:
        values: dict[str, Any] = {
            "individuele_uitkering": euros(rng.randint(0, 6 * 10**9)),
            "aantal_indicaties": counts(rng, 600),
        }
        if adjusted:
            values["aantal_indicaties_na_wijziging"] = counts(rng, 600)
        if costs:
            values["kosten_taken"] = euros(rng.randint(0, 7 * 10**9))
            values["kosten_onvermijdbaar"] = rng.random() < 0.5
        municipalities[code] = values
    if rng.random() < 0.4:
        municipalities.update(split_eemsdelta(rng, municipalities.pop("GM1979")))
    rows = {r: {"aantal_indicaties": counts(rng, 80)} for r in EXTRA_ROWS}
    if adjusted:
        for r in EXTRA_ROWS:
            rows[r]["aantal_indicaties_na_wijziging"] = counts(rng, 80)
    return {
        "covenant": "groningen",
        "year": year,
        "description": name,
        "facts": facts,
        "municipalities": municipalities,
        "rows": rows,
    }


def split_eemsdelta(rng: random.Random, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Eemsdelta's facts as given for Appingedam, Delfzijl and Loppersum: amounts and counts in
    three parts (added up again by the checker), yes/no the same for all three."""
    parts: dict[str, dict[str, Any]] = {code: {} for code in PREDECESSORS}
    for fact, value in values.items():
        if isinstance(value, bool):
            pieces: list[Any] = [value] * 3
        elif isinstance(value, dict):
            split = {c: three(rng, v) for c, v in value.items()}
            pieces = [{c: split[c][i] for c in value} for i in range(3)]
        elif isinstance(value, Decimal):
            pieces = [euros(p) for p in three(rng, int(value * 100))]
        for code, piece in zip(PREDECESSORS, pieces, strict=True):
            parts[code][fact] = piece
    return parts


def three(rng: random.Random, total: int) -> list[int]:
    a, b = sorted(rng.randint(0, total) for _ in range(2))
    return [a, b - a, total - b]


# --- a scenario as a row of a scenario file ------------------------------------------------------


def cells(data: dict[str, Any]) -> dict[str, str]:
    """The scenario's cells, by column: `fact.CODE`, `fact.row.column`, `fact.column`, `fact`."""
    out = {"scenario": data["description"], "jaar": str(data["year"])}
    for fact, value in data["facts"].items():
        if isinstance(value, dict):
            out.update({f"{fact}.{c}": text(v) for c, v in value.items()})
        else:
            out[fact] = text(value)
    for member, values in {**data["municipalities"], **data.get("rows", {})}.items():
        for fact, value in values.items():
            if isinstance(value, dict):
                out.update({f"{fact}.{member}.{c}": text(v) for c, v in value.items()})
            else:
                out[f"{fact}.{member}"] = text(value)
    return out


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_scenarios(path: Path, scenarios: list[dict[str, Any]]) -> Path:
    """A wide scenario file; a column any scenario uses is in the header (empty for the others)."""
    rows = [cells(s) for s in scenarios]
    header = list(dict.fromkeys(c for row in rows for c in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([row.get(c, "") for c in header] for row in rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the reference: the equivalent fact file, checked and evaluated -----------------------------


def evaluated(data: dict[str, Any], rules: RuleFile | None = None) -> dict[str, Any]:
    """`convenant evaluate --format json` on the scenario as a fact file (raises its problems)."""
    rules = rules or groningen()
    document = parse_document(facts_text(data), "scenario.yaml")
    facts = check_facts(FactHeader(document, data["covenant"], data["year"]), rules)
    return report.to_json(evaluate(rules, facts), traces=False)


def expected_cells(result: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """Every result as a batch column writes it, and the rules that are not yet known."""
    out: dict[str, str] = {}
    unknown = set()
    places = [("", result["results"])]
    places += [(f".{code}", m["results"]) for code, m in result["municipalities"].items()]
    places += [(f".{row}", r["results"]) for row, r in result["other_rows"].items()]
    for suffix, results in places:
        for name, value in results.items():
            out[f"{name}{suffix}"] = "" if value["value"] is None else text(value["value"])
            if "unknown_because" in value:
                unknown.add(name)
    return out, unknown


def assert_same(
    row: dict[str, str], data: dict[str, Any], rules: RuleFile | None = None, result: dict | None = None
) -> None:
    """The batch's row is `result`, the scenario evaluated (evaluated here when not given)."""
    expected, unknown = expected_cells(result or evaluated(data, rules))
    assert row["status"] == "ok", row["melding"]
    outputs = list(row)[len(META) :]
    assert {c: row[c] for c in outputs} == {c: expected.get(c, "") for c in outputs}
    assert {part.split(" (")[0] for part in row["onbekend"].split("; ") if part} == unknown
    for name in unknown:  # an unknown result is an empty cell, never zero
        assert all(row[c] == "" for c in outputs if c == name or c.startswith(f"{name}."))


# --- random scenarios through the command ---------------------------------------------------------


def test_random_scenarios_give_the_cents_and_unknowns_of_evaluate(run, tmp_path):
    rng = random.Random(20220101)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(48)]
    assert {s["year"] for s in scenarios} == {2022, 2023}
    assert any("GM0003" in s["municipalities"] for s in scenarios)
    assert any("GM1979" in s["municipalities"] for s in scenarios)
    assert any("buffer_beschikbaar" in s["facts"] for s in scenarios)
    assert any("buffer_beschikbaar" not in s["facts"] for s in scenarios)
    source = write_scenarios(tmp_path / "s.csv", scenarios)
    result = run("batch", str(RULES), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "o.csv")
    assert len(rows) == len(scenarios)
    for s, row in zip(scenarios, rows, strict=True):
        assert row["scenario"] == s["description"]
        assert_same(row, s)
        parts = [int(row[f"budgetdeel.{m}"].replace(".", "")) for m in MEMBERS + EXTRA_ROWS]
        assert sum(parts) == int(row["budget"].replace(".", ""))  # the Budget, to the cent


def test_the_example_scenarios_start_from_the_example_facts(run, tmp_path):
    source = REPO_ROOT / "examples" / "groningen-2022-scenarios.csv"
    result = run("batch", str(RULES), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in read_csv(tmp_path / "o.csv")}
    example = REPO_ROOT / "examples" / "groningen-2022.yaml"
    evaluated_json = json.loads(run("evaluate", str(example), "--format", "json").stdout)
    expected, unknown = expected_cells(evaluated_json)
    outputs = list(rows["basis"])[len(META) :]
    for name in ("basis", "Eemsdelta als Appingedam, Delfzijl en Loppersum"):
        assert {c: rows[name][c] for c in outputs} == {c: expected.get(c, "") for c in outputs}
    assert rows["basis"]["budgetdeel.GM1979"] == "4739889.57"
    assert rows["basis"]["afrekening.GM0014"] == ""  # the centrumgemeente has no settlement of its own
    more = rows["indicaties Groningen +10%"]
    assert more["budget"] == rows["basis"]["budget"]
    assert int(more["budgetdeel.GM0014"].replace(".", "")) > int(
        rows["basis"]["budgetdeel.GM0014"].replace(".", "")
    )
    waiting = rows["buffer nog onbekend"]
    assert waiting["buffer_betaling.GM0014"] == "" and waiting["buffer_aanspraak.GM0014"] != ""
    assert "buffer_betaling (wacht op buffer_beschikbaar)" in waiting["onbekend"]
    assert "buffer_betaling" not in rows["basis"]["onbekend"] and unknown


# --- edge cases (hypothesis), in memory ------------------------------------------------------------

tiny = st.sampled_from([0, 1])
huge = st.sampled_from([10**6, 999_999])


@st.composite
def edge_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Nil and extreme counts and amounts, ties, an empty sheet, predecessors, absent optional facts."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    data = random_scenario(rng, "")
    style = draw(st.sampled_from(["zeros", "ties", "extremes", "random"]))
    members = {**data["municipalities"], **data["rows"]}
    for values in members.values():
        if style == "zeros":
            values["aantal_indicaties"] = dict.fromkeys(COLUMNS, 0)
        elif style == "ties":
            values["aantal_indicaties"] = dict.fromkeys(COLUMNS, 7)
        elif style == "extremes":
            values["aantal_indicaties"] = {c: draw(st.one_of(tiny, huge)) for c in COLUMNS}
    if draw(st.booleans()):
        for values in data["municipalities"].values():
            values["individuele_uitkering"] = euros(draw(st.sampled_from([0, 1, 10**13])))
    if draw(st.booleans()):
        data["facts"]["buffer_beschikbaar"] = euros(draw(st.sampled_from([0, 1, 10**13])))
    return data


def batch_rows(
    scenarios: list[dict[str, Any]], rules: RuleFile | None = None
) -> tuple[list[dict[str, str]], Any]:
    rules = rules or groningen()
    rows = [cells(s) for s in scenarios]
    header = list(dict.fromkeys(c for row in rows for c in row))
    table = Table("s.csv", header, iter(enumerate([[r.get(c, "") for c in header] for r in rows], 2)), None)
    batch = Batch(rules)
    result = batch.evaluate(next(Reader(table, rules).chunks(100)))
    return [dict(zip(batch.header, row, strict=True)) for row in result.rows()], result


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edge_scenarios(), min_size=1, max_size=3))
def test_edge_cases_give_the_cents_of_evaluate_or_its_message(scenarios):
    rows, result = batch_rows(scenarios)
    for i, (s, row) in enumerate(zip(scenarios, rows, strict=True)):
        try:
            reference = evaluated(s)
        except ConvenantError as error:  # every count nil: the sheet cannot be scaled (art. 4.2a)
            assert [p.code for p in result.failed[i]] == [p.code for p in error.problems]
            assert row["status"] == "fout"
            continue
        assert_same(row, s, result=reference)


# --- bad rows, file problems ---------------------------------------------------------------------


def test_bad_rows_are_reported_by_row_and_the_others_still_computed(run, tmp_path):
    rng = random.Random(5)
    good = [random_scenario(rng, f"goed {i}") for i in range(3)]
    negative = random_scenario(rng, "negatief")
    negative["municipalities"]["GM0014"]["aantal_indicaties"]["mo_opvang"] = -3
    partly = random_scenario(rng, "half")
    partly["municipalities"].pop("GM1979", None)
    for code in PREDECESSORS:
        partly["municipalities"].pop(code, None)
    partly["municipalities"]["GM0003"] = {
        "individuele_uitkering": Decimal("100.00"),
        "aantal_indicaties": dict.fromkeys(COLUMNS, 1),
    }
    early = random_scenario(rng, "2021")
    early["year"] = 2021
    scenarios = [good[0], negative, partly, good[1], early, good[2]]
    source = write_scenarios(tmp_path / "s.csv", scenarios)
    result = run("batch", str(RULES), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    rows = read_csv(tmp_path / "o.csv")
    assert [r["status"] for r in rows] == ["ok", "fout", "fout", "ok", "fout", "ok"]
    melding = {r["scenario"]: r["melding"] for r in rows}
    assert melding["negatief"].startswith(
        "aantal_indicaties.GM0014.mo_opvang: aantal_indicaties is -3, maar mag niet kleiner zijn dan 0"
    )
    assert melding["half"].startswith(
        "GM0003: in 2022 zijn Appingedam (GM0003), Delfzijl (GM0010) en Loppersum (GM0024) samen één "
        "gemeente, Eemsdelta (GM1979); het bestand noemt Appingedam (GM0003)"
    ) or melding["half"].startswith("GM0003: in 2023")
    assert melding["2021"] == (
        "jaar: de berekeningen van convenant ‘groningen’ gelden voor het eerst voor 2022; 2021 valt daarvóór"
    )
    for s, row in zip(scenarios, rows, strict=True):
        if row["status"] == "ok":
            assert_same(row, s)
        else:
            assert row["budget"] == "" and row["budgetdeel.centraal"] == ""


def test_a_line_with_an_unknown_column_fails_its_scenario_only(run, tmp_path):
    rng = random.Random(7)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(3)]
    lines = []
    for s in scenarios:
        for column, value in cells(s).items():
            if column in ("scenario", "jaar"):
                continue
            fact, _, rest = column.partition(".")
            member, _, kolom = rest.partition(".")
            if fact in ("indicatiewaarde", "indicatiewaarde_na_wijziging"):
                member, kolom = "", member
            lines.append([s["description"], str(s["year"]), fact, member, kolom, value])
    lines.append(["s1", "", "aantal_indicaties", "GM0014", "bw_intramurall", "4"])  # a typo in the column
    lines.append(["s2", "", "individuele_uitkering", "GM0106", "", "4.00"])  # Assen is no party here
    lines.reverse()  # the order of the lines does not matter
    source = tmp_path / "long.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([["scenario", "jaar", "feit", "gemeente", "kolom", "waarde"], *lines])
    result = run("batch", str(RULES), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    rows = {r["scenario"]: r for r in read_csv(tmp_path / "o.csv")}
    assert rows["s1"]["melding"] == (
        "aantal_indicaties.GM0014.bw_intramurall: "
        "onbekende kolom of rij ‘bw_intramurall’ bij aantal_indicaties"
    )
    assert rows["s2"]["melding"] == (
        "individuele_uitkering.GM0106: Assen (GM0106) is geen partij bij het Convenant Beschermd Wonen en "
        "Opvang 2021"
    )
    assert rows["s0"]["status"] == "ok"
    assert_same(rows["s0"], scenarios[0])


def test_a_file_without_a_column_for_a_member_stops(run, tmp_path):
    data = random_scenario(random.Random(11), "a")
    row = cells(data)
    for column in [c for c in row if c.startswith("aantal_indicaties.centraal.")]:
        del row[column]
    source = tmp_path / "s.csv"
    source.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n", encoding="utf-8")
    result = run("batch", str(RULES), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and not (tmp_path / "o.csv").exists()
    assert "kolom ontbreekt: aantal_indicaties.centraal.bw_intramuraal" in result.stderr
    header = tmp_path / "h.csv"
    header.write_text("jaar,aantal_indicaties.GM0014.bw_intramurall\n2022,1\n", encoding="utf-8")
    result = run("batch", str(RULES), str(header), "--out", str(tmp_path / "o.csv"))
    assert "onbekende kolom of rij ‘bw_intramurall’ bij aantal_indicaties" in result.stderr


def test_a_file_that_names_only_the_predecessors_needs_no_column_for_eemsdelta():
    rng = random.Random(19)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(4)]
    for s in scenarios:
        if "GM1979" in s["municipalities"]:
            s["municipalities"].update(split_eemsdelta(rng, s["municipalities"].pop("GM1979")))
    rows, _ = batch_rows(scenarios)
    assert not any(".GM1979" in c for s in scenarios for c in cells(s))
    for s, row in zip(scenarios, rows, strict=True):
        assert_same(row, s)


# --- the compiled plan where it applies ------------------------------------------------------------


def test_rules_run_compiled_and_predecessors_are_added_up_in_arrays():
    rng = random.Random(13)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(12)]
    rows = [cells(s) for s in scenarios]
    header = list(dict.fromkeys(c for row in rows for c in row))
    table = Table("s.csv", header, iter(enumerate([[r.get(c, "") for c in header] for r in rows], 2)), None)
    batch = Batch(groningen(), ["budget", "uitvoeringskosten_budget"])
    assert batch.plan.complete
    result = batch.evaluate(next(Reader(table, groningen()).chunks(100)))
    named = ["GM0003" in s["municipalities"] for s in scenarios]
    assert any(named) and not all(named)
    assert result.vectorised.all()  # predecessors: added up in arrays, as the checker adds them up
    for i, s in enumerate(scenarios):
        expected = evaluated(s)["results"]
        row = dict(zip(batch.header, result.rows()[i], strict=True))
        assert row["budget"] == expected["budget"]["value"]
        assert row["uitvoeringskosten_budget"] == expected["uitvoeringskosten_budget"]["value"]
    assert Batch(groningen()).plan.unsupported == {}  # the whole covenant has a compiled form


# --- each scenario with the municipalities of its own year ---------------------------------------


def merging_rules() -> RuleFile:
    """The Assen rules with Appingedam, Delfzijl and Loppersum as parties, for 2020–2021: three
    municipalities in 2020, one (Eemsdelta) in 2021."""
    text = assen_text()
    for old, new in (("Aa en Hunze", "Appingedam"), ("Hoogeveen", "Delfzijl"), ("Meppel", "Loppersum")):
        text = replace_once(
            text, f"{{name: {old}, role: regiogemeente", f"{{name: {new}, role: regiogemeente"
        )
    text = replace_once(text, "valid_from: 2024-01-01", "valid_from: 2020-01-01")
    text = replace_once(text, "valid_until: 2025-12-31", "valid_until: 2021-12-31")
    return check_text(text, "rules/test/merged.yaml")


def test_scenarios_of_different_years_each_use_that_years_municipalities():
    rules = merging_rules()
    rng = random.Random(17)
    others = ["GM0106", "GM1731", "GM1699", "GM1730", "GM1701", "GM1690"]

    def scenario(name: str, year: int, codes: list[str]) -> dict[str, Any]:
        money = [
            "macrobudget_bw",
            "zorgkosten_bw",
            "uitvoeringsbudget_bw",
            "rijksuitkering_mo",
            "uitgaven_mo",
        ]
        return {
            "covenant": "assen",
            "year": year,
            "description": name,
            "facts": {k: euros(rng.randint(0, 10**9)) for k in [*money, "reserve_mo_begin"]},
            "municipalities": {
                c: {
                    "inwoners": rng.randint(10_000, 120_000),
                    "uitvoeringskosten": euros(rng.randint(1, 10**9)),
                }
                for c in codes + others
            },
        }

    scenarios = [
        scenario("2020", 2020, PREDECESSORS),
        scenario("2021", 2021, ["GM1979"]),
        scenario("2021 voorgangers", 2021, PREDECESSORS),
        scenario("2020 te vroeg", 2020, ["GM1979"]),
    ]
    rows, _ = batch_rows(scenarios, rules)
    assert [r["status"] for r in rows] == ["ok", "ok", "ok", "fout"]
    assert rows[3]["melding"].startswith("GM1979: Eemsdelta (GM1979) bestond op 1 januari 2020 nog niet")
    for s, row in zip(scenarios[:3], rows[:3], strict=True):
        assert_same(row, s, rules)
    assert rows[0]["aandeel_resultaat_bw.GM0003"] != "" and rows[0]["aandeel_resultaat_bw.GM1979"] == ""
    assert rows[1]["aandeel_resultaat_bw.GM0003"] == "" and rows[1]["aandeel_resultaat_bw.GM1979"] != ""
    shares = [rows[2][f"aandeel_resultaat_bw.{c}"] for c in ["GM1979", *PREDECESSORS]]
    assert shares[0] != "" and shares[1:] == ["", "", ""]  # predecessors added up for Eemsdelta
