"""`convenant batch` gives, cent for cent, what the interpreter gives for each scenario.

The reference is the single-case interpreter (`engine.evaluate`, what `convenant evaluate`
runs), fed facts built directly from the scenario's numbers (`tests.conftest.make_facts`),
independently of the batch command's own reading of the file. Values are compared as
`convenant evaluate --format json` writes them (`report.json_value`).
"""

from __future__ import annotations

import csv
import json
import random
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from convenant.batch.batch import Batch
from convenant.batch.scenarios import Reader
from convenant.core.diagnostics import ConvenantError
from convenant.evaluation.evaluate import evaluate
from convenant.explain import report
from convenant.source.spreadsheets import Table
from tests.conftest import ASSEN, ASSEN_CODES, ASSEN_FACTS, assen_rules, make_facts, write_facts

SCALARS = [
    "macrobudget_bw",
    "zorgkosten_bw",
    "uitvoeringsbudget_bw",
    "toegemoetkoming_regiogemeenten",
    "rijksuitkering_mo",
    "uitgaven_mo",
    "reserve_mo_begin",
]
HEADER = ["scenario", "jaar", *SCALARS]
HEADER += [f"inwoners.{c}" for c in ASSEN_CODES] + [f"uitvoeringskosten.{c}" for c in ASSEN_CODES]
META = 7  # rij, scenario, jaar, status, melding, waarschuwingen, onbekend


def euros(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def random_scenario(rng: random.Random, name: str) -> dict[str, Any]:
    """The benchmark's ranges: 10.000–120.000 inhabitants, costs € 0–50.000.000,00 per
    municipality, a BW result of −€ 5.000.000,00 to € 5.000.000,00."""
    zorg, uitv, toeg = rng.randint(0, 4 * 10**9), rng.randint(0, 2 * 10**8), rng.randint(0, 2 * 10**7)
    result = rng.randint(-(5 * 10**8), 5 * 10**8)
    cents = {
        "macrobudget_bw": result + zorg + uitv + toeg,
        "zorgkosten_bw": zorg,
        "uitvoeringsbudget_bw": uitv,
        "toegemoetkoming_regiogemeenten": toeg,
        "rijksuitkering_mo": rng.randint(0, 10**9),
        "uitgaven_mo": rng.randint(0, 10**9),
        "reserve_mo_begin": rng.randint(-(10**8), 10**8),
    }
    return {
        "name": name,
        "cents": cents,
        "inwoners": [rng.randint(10_000, 120_000) for _ in ASSEN_CODES],
        "kosten": [rng.randint(0, 5 * 10**9) for _ in ASSEN_CODES],
    }


def row_of(s: dict[str, Any], year: int = 2024) -> list[str]:
    return (
        [s["name"], str(year)]
        + [euros(s["cents"][k]) for k in SCALARS]
        + [str(i) for i in s["inwoners"]]
        + [euros(k) for k in s["kosten"]]
    )


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def interpreted(s: dict[str, Any]) -> dict[str, str]:
    """The interpreter's values for one scenario, in the batch's column names."""
    rules = assen_rules()
    scalars = {k: Fraction(v, 100) for k, v in s["cents"].items()}
    per = {
        code: {"inwoners": s["inwoners"][i], "uitvoeringskosten": Fraction(s["kosten"][i], 100)}
        for i, code in enumerate(ASSEN_CODES)
    }
    ev = evaluate(rules, make_facts(rules, 2024, scalars, per))
    out = {}
    for name, node in ev.nodes.items():
        rule = node.rule
        if rule.section != "rules" or rule.per == "case" or rule.stated is not None:
            continue  # a result a letter states (art. 8.9) is no output of the batch
        if rule.per is None:
            out[name] = report.json_value(rule.kind, node.value)
        else:
            out.update({f"{name}.{c}": report.json_value(rule.kind, node.value[c]) for c in ASSEN_CODES})
    out["waarschuwingen"] = "; ".join(n for n, node in ev.nodes.items() if node.warnings)
    return out


def test_2000_random_scenarios_give_the_interpreters_cents(run, tmp_path):
    rng = random.Random(20240805)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(2000)]
    source = write_csv(tmp_path / "scenarios.csv", [row_of(s) for s in scenarios])
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    rows = read_csv(tmp_path / "out.csv")
    assert len(rows) == 2000
    for s, row in zip(scenarios, rows, strict=True):
        expected = interpreted(s)
        assert row["status"] == "ok" and row["scenario"] == s["name"]
        assert {k: row[k] for k in expected} == expected
        shares = [int(row[f"aandeel_resultaat_bw.{c}"].replace(".", "")) for c in ASSEN_CODES]
        assert sum(shares) == int(row["resultaat_bw"].replace(".", ""))


def test_the_compiled_plan_covers_every_assen_rule_without_the_interpreter():
    batch = Batch(assen_rules())
    assert batch.plan.complete
    rng = random.Random(7)
    chunk = scenarios_of([row_of(random_scenario(rng, str(i))) for i in range(300)])
    result = batch.evaluate(chunk)
    assert result.exact == {} and result.failed == {} and result.vectorised.all()


def scenarios_of(rows: list[list[str]], header: list[str] = HEADER, year: int | None = None) -> Any:
    table = Table("scenarios.csv", header, iter(enumerate(rows, start=2)), len(rows))
    return next(Reader(table, assen_rules(), year).chunks(10**6))


# --- edge cases (hypothesis) -------------------------------------------------------------------

N = len(ASSEN_CODES)
inhabitants = st.one_of(
    st.lists(st.sampled_from([10_000, 120_000]), min_size=N, max_size=N),  # extremes and ties
    st.lists(st.integers(10_000, 120_000), min_size=N, max_size=N),
    st.integers(10_000, 120_000).map(lambda x: [x] * N),  # all equal: every remainder ties
)
costs = st.one_of(
    st.lists(st.sampled_from([0, 5 * 10**9]), min_size=N, max_size=N),
    st.lists(st.integers(0, 5 * 10**9), min_size=N, max_size=N),
    st.integers(0, 5 * 10**9).map(lambda x: [x] * N),
)
results = st.one_of(
    st.sampled_from([0, 1, -1, 8, -8, 5 * 10**8, -(5 * 10**8), 5 * 10**8 - 1]),
    st.integers(-(5 * 10**8), 5 * 10**8),
)


@st.composite
def edge_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    result = draw(results)
    cents = dict.fromkeys(SCALARS, 0)
    cents["macrobudget_bw"] = result
    cents["reserve_mo_begin"] = draw(st.sampled_from([0, -1, 1]))
    return {"name": "", "cents": cents, "inwoners": draw(inhabitants), "kosten": draw(costs)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(edge_scenarios(), min_size=1, max_size=12))
@example([{"name": "", "cents": dict.fromkeys(SCALARS, 0), "inwoners": [10_000] * N, "kosten": [0] * N}])
def test_edge_cases_give_the_interpreters_cents_or_its_message(scenarios):
    chunk = scenarios_of([row_of(s) for s in scenarios])
    result = Batch(assen_rules()).evaluate(chunk)
    rows = result.rows()
    header = Batch(assen_rules()).header
    for i, s in enumerate(scenarios):
        row = dict(zip(header, rows[i], strict=True))
        try:
            expected = interpreted(s)
        except ConvenantError as error:  # all costs zero: the key is undefined (art. 8 lid 5)
            assert [p.code for p in result.failed[i]] == [p.code for p in error.problems]
            assert row["status"] == "fout" and "uitvoeringskosten" in row["melding"]
            continue
        assert {k: row[k] for k in expected} == expected


# --- the command: errors per row, exit codes, atomic output --------------------------------------


def test_bad_rows_are_reported_by_row_and_the_others_still_computed(run, tmp_path):
    rng = random.Random(3)
    good = [row_of(random_scenario(rng, f"goed {i}")) for i in range(3)]
    comma = row_of(random_scenario(rng, "komma"))
    comma[2] = "1.234,50"  # macrobudget_bw written the Dutch way
    empty = row_of(random_scenario(rng, "leeg"))
    empty[HEADER.index("inwoners.GM0106")] = ""
    negative = row_of(random_scenario(rng, "negatief"))
    negative[HEADER.index("inwoners.GM1680")] = "-5"
    year = row_of(random_scenario(rng, "2027"), year=2027)
    zero = row_of(random_scenario(rng, "nul"))
    for code in ASSEN_CODES:
        zero[HEADER.index(f"uitvoeringskosten.{code}")] = "0.00"
    source = write_csv(tmp_path / "s.csv", [good[0], comma, empty, good[1], negative, year, zero, good[2]])
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 1
    rows = read_csv(tmp_path / "out.csv")
    assert [r["status"] for r in rows] == ["ok", "fout", "fout", "ok", "fout", "fout", "fout", "ok"]
    assert [r["rij"] for r in rows] == [str(n) for n in range(2, 10)]
    melding = {r["scenario"]: r["melding"] for r in rows}
    assert melding["komma"] == (
        "macrobudget_bw: ‘1.234,50’ is Nederlandse schrijfwijze (punt tussen duizendtallen of komma als "
        "decimaalteken); schrijf 1234.50"
    )
    assert melding["leeg"] == (
        "inwoners.GM0106: het feit ‘inwoners’ (Inwoneraantal op 31 december van het kalenderjaar (CBS)) "
        "ontbreekt voor Assen (GM0106)"
    )
    # (the minimum is shown as "0 %" by the shared message of facts.below_minimum, as for fact files)
    assert melding["negatief"].startswith("inwoners.GM1680: inwoners is -5, maar mag niet kleiner zijn dan 0")
    assert melding["2027"] == "jaar: geen versie van convenant ‘assen’ geldt in 2027"
    assert "het totaal van ‘uitvoeringskosten’ over alle gemeenten is nul" in melding["nul"]
    assert melding["nul"].startswith("uitvoeringskosten.GM1680: ")  # the column of the first zero
    assert all(r["aandeel_resultaat_bw.GM0106"] for r in rows if r["status"] == "ok")
    assert all(not r["aandeel_resultaat_bw.GM0106"] for r in rows if r["status"] == "fout")
    assert "rij 3 (komma): macrobudget_bw: ‘1.234,50’ is Nederlandse schrijfwijze" in result.stderr
    assert "8 scenario's doorgerekend, 5 mislukt" in result.stderr


def test_a_file_level_problem_stops_before_anything_is_written(run, tmp_path):
    source = write_csv(tmp_path / "s.csv", [row_of(random_scenario(random.Random(1), "a"))])
    header = [*HEADER[:2], "macrobudget", *HEADER[3:]]
    broken = write_csv(tmp_path / "broken.csv", [row_of(random_scenario(random.Random(1), "a"))], header)
    out = tmp_path / "out.csv"
    assert run("batch", str(ASSEN), str(source), "--out", str(out)).exit_code == 0
    earlier = out.read_bytes()
    result = run("batch", str(ASSEN), str(broken), "--out", str(out), "--overwrite")
    assert result.exit_code == 1
    assert "fout: onbekende kolom ‘macrobudget’" in result.stderr
    assert "bedoelt u ‘macrobudget_bw’?" in result.stderr.lower()
    assert out.read_bytes() == earlier  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.csv", "out.csv", "s.csv"]
    missing = write_csv(
        tmp_path / "missing.csv",
        [row[:-1] for row in [row_of(random_scenario(random.Random(1), "a"))]],
        HEADER[:-1],
    )
    result = run("batch", str(ASSEN), str(missing), "--out", str(tmp_path / "new.csv"))
    assert result.exit_code == 1
    assert "fout: kolom ontbreekt: uitvoeringskosten.GM1690 (Uitvoeringskosten per gemeente" in result.stderr
    assert result.stderr.count("fout:") == 1
    assert not (tmp_path / "new.csv").exists()
    assert run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "ok.csv")).exit_code == 0


def test_a_crash_halfway_leaves_no_partial_file(run, tmp_path, monkeypatch):
    import convenant.batch.batch

    rng = random.Random(5)
    source = write_csv(tmp_path / "s.csv", [row_of(random_scenario(rng, str(i))) for i in range(30)])
    monkeypatch.setattr(convenant.batch.batch, "CHUNK", 10)
    calls = []
    original = convenant.batch.batch.Batch.evaluate

    def failing(self, scenarios):
        calls.append(len(scenarios))
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        return original(self, scenarios)

    monkeypatch.setattr(convenant.batch.batch.Batch, "evaluate", failing)
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 3 and "simulated crash" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.csv"]


def test_usage_errors_exit_2(run, tmp_path):
    source = write_csv(tmp_path / "s.csv", [row_of(random_scenario(random.Random(1), "a"))])
    assert run("batch", str(ASSEN), str(source)).exit_code == 2  # no --out
    assert run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.txt")).exit_code == 2
    assert (
        run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"), "--jaar", "x").exit_code == 2
    )


def test_year_from_the_option_and_rule_selection(run, tmp_path):
    s = random_scenario(random.Random(9), "a")
    rows = [row_of(s)[:1] + row_of(s)[2:]]
    source = write_csv(tmp_path / "s.csv", rows, [HEADER[0], *HEADER[2:]])
    out = tmp_path / "o.csv"
    assert run("batch", str(ASSEN), str(source), "--out", str(out)).exit_code == 1
    assert read_csv(out)[0]["melding"] == "het jaar ontbreekt"
    args = ["--rule", "resultaat_bw", "--rule", "aandeel_resultaat_bw"]
    args = [*args, "--overwrite"]  # the same output file again: an earlier results file of batch
    assert run("batch", str(ASSEN), str(source), "--out", str(out), "--jaar", "2024", *args).exit_code == 0
    row = read_csv(out)[0]
    assert list(row)[META:] == ["resultaat_bw"] + [f"aandeel_resultaat_bw.{c}" for c in ASSEN_CODES]
    expected = interpreted(s)
    assert {k: row[k] for k in list(row)[META:]} == {k: expected[k] for k in list(row)[META:]}
    result = run(
        "batch", str(ASSEN), str(source), "--out", str(out), "--rule", "verdeelsleutel", "--overwrite"
    )
    assert result.exit_code == 1 and "geen regel ‘verdeelsleutel’" in result.stderr


def test_the_long_layout_gives_the_same_results(run, tmp_path):
    rng = random.Random(11)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(4)]
    wide = write_csv(tmp_path / "wide.csv", [row_of(s) for s in scenarios])
    long_rows = []
    for s in scenarios:
        for column, value in zip(HEADER[2:], row_of(s)[2:], strict=True):
            fact, _, member = column.partition(".")
            long_rows.append([s["name"], "2024", fact, member, value])
    long_rows[5], long_rows[40] = long_rows[40], long_rows[5]  # the order of the rows does not matter
    long = write_csv(tmp_path / "long.csv", long_rows, ["scenario", "jaar", "feit", "gemeente", "waarde"])
    assert run("batch", str(ASSEN), str(wide), "--out", str(tmp_path / "a.csv")).exit_code == 0
    assert run("batch", str(ASSEN), str(long), "--out", str(tmp_path / "b.csv")).exit_code == 0
    a, b = read_csv(tmp_path / "a.csv"), read_csv(tmp_path / "b.csv")
    assert [{k: v for k, v in r.items() if k != "rij"} for r in a] == [
        {k: v for k, v in r.items() if k != "rij"} for r in b
    ]
    duplicate = write_csv(
        tmp_path / "dup.csv", [*long_rows, long_rows[0]], ["scenario", "jaar", "feit", "gemeente", "waarde"]
    )
    result = run("batch", str(ASSEN), str(duplicate), "--out", str(tmp_path / "c.csv"))
    assert result.exit_code == 1
    assert read_csv(tmp_path / "c.csv")[0]["melding"].endswith("staat twee keer in dit scenario")


# --- Excel ---------------------------------------------------------------------------------------


def test_excel_scenarios_and_results_round_trip(run, tmp_path):
    import openpyxl

    rng = random.Random(13)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(5)]
    rows = [row_of(s) for s in scenarios]
    csv_in = write_csv(tmp_path / "s.csv", rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:  # numbers as Excel numbers where they can be exact, amounts as text
        sheet.append([int(c) if c.lstrip("-").isdigit() else c for c in row])
    book.save(tmp_path / "s.xlsx")
    assert run("batch", str(ASSEN), str(csv_in), "--out", str(tmp_path / "a.csv")).exit_code == 0
    result = run("batch", str(ASSEN), str(tmp_path / "s.xlsx"), "--out", str(tmp_path / "b.xlsx"))
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "b.xlsx")
    expected = read_csv(tmp_path / "a.csv")
    for sheet in book.worksheets:  # row 1: labels, row 2: the CSV's column names, then the values
        rows = list(sheet.iter_rows(values_only=True))
        names = rows[1]
        for want, got in zip(expected, rows[2:], strict=True):
            for name, value in zip(names, got, strict=True):
                if name.endswith(".exact"):
                    assert value == want[name.removesuffix(".exact")]  # the exact key, as text
                elif name.startswith("verdeelsleutel"):  # a ratio: a rounded percentage
                    assert value == pytest.approx(float(Fraction(want[name])), rel=1e-15)
                elif isinstance(value, int | float) and name not in ("rij", "jaar"):  # an amount, exactly
                    assert Decimal(repr(value)) == Decimal(want[name])
                else:
                    assert ("" if value is None else str(value)) == want[name], name


def test_excel_number_cells_are_read_as_the_decimal_excel_shows(run, tmp_path):
    import zipfile

    import openpyxl

    s = random_scenario(random.Random(17), "a")
    row = row_of(s)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    exact = [*row]
    exact[HEADER.index("zorgkosten_bw")] = 1234.5  # a binary float that is exactly 1234.5
    exact[HEADER.index("inwoners.GM0106")] = 25812.0  # a whole number stored as a float
    three = [*row]
    three[HEADER.index("zorgkosten_bw")] = 1234.567
    computed = [*row]
    computed[HEADER.index("zorgkosten_bw")] = 0.75  # replaced below by what Excel stores for 0.1 + 0.2
    for r in (exact, three, computed):
        sheet.append(r)
    book.save(tmp_path / "plain.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "plain.xlsx") as source,
        zipfile.ZipFile(tmp_path / "s.xlsx", "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>0.75</v>", b"<v>0.30000000000000004</v>")
            target.writestr(item, data)
    result = run("batch", str(ASSEN), str(tmp_path / "s.xlsx"), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    first, second, third = read_csv(tmp_path / "o.csv")
    s["cents"]["zorgkosten_bw"] = 123450
    s["inwoners"][1] = 25812
    assert first["status"] == "ok" and first["resultaat_bw"] == interpreted(s)["resultaat_bw"]
    assert second["melding"] == (
        "zorgkosten_bw: ‘1234.567’ heeft 3 decimalen; een geldbedrag heeft er hoogstens twee"
    )
    assert third["melding"] == (
        "zorgkosten_bw: ‘0.30000000000000004’ heeft 17 decimalen; een geldbedrag heeft er hoogstens twee"
    )


# --- against the command itself ------------------------------------------------------------------


def test_batch_rows_equal_convenant_evaluate_json(run, tmp_path):
    rng = random.Random(19)
    scenarios = [random_scenario(rng, f"s{i}") for i in range(5)]
    source = write_csv(tmp_path / "s.csv", [row_of(s) for s in scenarios])
    assert run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv")).exit_code == 0
    for s, row in zip(scenarios, read_csv(tmp_path / "o.csv"), strict=True):
        facts = {
            "covenant": "assen",
            "year": 2024,
            "facts": {k: euros(v) for k, v in s["cents"].items()},
            "municipalities": {
                c: {"inwoners": s["inwoners"][i], "uitvoeringskosten": euros(s["kosten"][i])}
                for i, c in enumerate(ASSEN_CODES)
            },
        }
        path = write_facts(tmp_path, facts, f"{s['name']}.yaml")
        result = run("evaluate", str(path), "--format", "json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        for name, value in data["results"].items():
            assert row[name] == value["value"]
        for code, municipality in data["municipalities"].items():
            for name, value in municipality["results"].items():
                if name != "deel_toegemoetkoming":  # stated in letters (art. 8.9), no batch output
                    assert row[f"{name}.{code}"] == value["value"]


@pytest.mark.parametrize("name", ["s.txt", "s"])
def test_an_unknown_file_type_is_refused(run, tmp_path, name):
    (tmp_path / name).write_text("a,b\n", encoding="utf-8")
    result = run("batch", str(ASSEN), str(tmp_path / name), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1 and "wordt niet ondersteund" in result.stderr


def test_a_sheet_asked_of_a_csv_file_is_refused_not_ignored(run, tmp_path):
    path = write_csv(tmp_path / "s.csv", [row_of(random_scenario(random.Random(5), "a"))])
    result = run("batch", str(ASSEN), str(path), "--sheet", "scenario's", "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 1
    assert (
        "is een CSV-bestand en heeft geen werkbladen; --sheet scenario's kan daar niet gelden"
        in result.stderr
    )
    assert not (tmp_path / "o.csv").exists()


def test_semicolons_a_decimal_comma_and_a_missing_folder(run, tmp_path):
    row = row_of(random_scenario(random.Random(23), "a"))
    lines = [";".join(HEADER), ";".join(row)]
    (tmp_path / "semi.csv").write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")  # with BOM
    result = run("batch", str(ASSEN), str(tmp_path / "semi.csv"), "--out", str(tmp_path / "a.csv"))
    assert result.exit_code == 0, result.output
    comma = [*row]
    comma[2] = comma[2].replace(".", ",")  # 1234,50 in a comma-separated file: one cell too many
    (tmp_path / "comma.csv").write_text(",".join(HEADER) + "\n" + ",".join(comma) + "\n", encoding="utf-8")
    result = run("batch", str(ASSEN), str(tmp_path / "comma.csv"), "--out", str(tmp_path / "b.csv"))
    assert result.exit_code == 1
    assert read_csv(tmp_path / "b.csv")[0]["melding"].startswith(
        "deze regel heeft meer cellen dan de kopregel"
    )
    result = run(
        "batch", str(ASSEN), str(tmp_path / "semi.csv"), "--out", str(tmp_path / "nowhere" / "c.csv")
    )
    assert result.exit_code == 1 and "bestaat niet" in result.stderr


def test_a_progress_bar_on_request(run, tmp_path):
    source = write_csv(tmp_path / "s.csv", [row_of(random_scenario(random.Random(29), "a"))])
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"), "--progress")
    assert result.exit_code == 0 and "scenario's" in result.stderr


def test_every_message_code_of_the_batch_modules_speaks_dutch_and_english():
    import re

    from convenant.core import messages
    from tests.paths import REPO_ROOT

    codes = set()
    for module in ("batch.batch", "batch.scenarios", "check.tables", "batch.vectorise", "core.vectors"):
        text = (REPO_ROOT / "engine" / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8")
        codes |= set(re.findall(r'"((?:batch|facts|registry|file|value)\.[a-z0-9_]+)"', text))
    assert "batch.unknown_column" in codes
    for code in codes:
        assert set(messages.CATALOGUE[code]) == {"nl", "en"}, code


def test_scenarios_from_arrays_for_a_monte_carlo_run():
    import numpy as np

    from convenant.batch.scenarios import from_arrays

    rng = random.Random(31)
    scenarios = [random_scenario(rng, "") for _ in range(50)]
    columns: dict[str, Any] = {k: np.array([s["cents"][k] for s in scenarios]) for k in SCALARS}
    for j, code in enumerate(ASSEN_CODES):
        columns[f"inwoners.{code}"] = np.array([s["inwoners"][j] for s in scenarios])
        columns[f"uitvoeringskosten.{code}"] = np.array([s["kosten"][j] for s in scenarios])
    columns["inwoners.GM0118"][7] = -1  # below the minimum: that scenario fails, the others not
    result = Batch(assen_rules()).evaluate(from_arrays(assen_rules(), columns, 2024))
    assert list(result.failed) == [7] and result.failed[7][0].code == "facts.below_minimum"
    shares = result.cents("aandeel_resultaat_bw")
    for i, s in enumerate(scenarios):
        if i != 7:
            expected = interpreted(s)
            assert [euros(c) for c in shares[i]] == [
                expected[f"aandeel_resultaat_bw.{c}"] for c in ASSEN_CODES
            ]
    with pytest.raises(ConvenantError) as caught:
        from_arrays(assen_rules(), {**columns, "macrobudget": columns["macrobudget_bw"]}, 2024)
    assert [p.code for p in caught.value.problems] == ["batch.unknown_column"]


def test_the_example_scenarios_start_from_the_example_facts(run, tmp_path):
    from tests.paths import REPO_ROOT

    source = REPO_ROOT / "examples" / "assen-2024-scenarios.csv"
    result = run("batch", str(ASSEN), str(source), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in read_csv(tmp_path / "o.csv")}
    evaluated = json.loads(run("evaluate", str(ASSEN_FACTS), "--format", "json").stdout)
    assert rows["basis"]["resultaat_bw"] == evaluated["results"]["resultaat_bw"]["value"] == "461876.55"
    for code, municipality in evaluated["municipalities"].items():
        share = municipality["results"]["aandeel_resultaat_bw"]["value"]
        assert rows["basis"][f"aandeel_resultaat_bw.{code}"] == share
    # zorgkosten +10 %: 38.412.000,00 − 39.545.135,80 − 1.850.000,00 − 150.000,00 = −3.133.135,80
    assert rows["zorgkosten +10%"]["resultaat_bw"] == "-3133135.80"
