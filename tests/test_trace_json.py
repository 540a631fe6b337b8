"""The trace as data: `evaluate --format json` and `explain --format json` give every result's input
values and intermediate steps, exact, and validate against the published schemas in `schemas/`
(evaluate-output.schema.json, explain-output.schema.json); a wrong output fails them. The worked
example of docs/analysts.md is recomputed here from the JSON, with the arithmetic written out."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from functools import cache
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from convenant.core.paths import SCHEMAS_DIR
from convenant.explain import explain, report
from tests.examples_support import EXAMPLES, in_repository

EVALUATE = json.loads((SCHEMAS_DIR / "evaluate-output.schema.json").read_text(encoding="utf-8"))
EXPLAIN = json.loads((SCHEMAS_DIR / "explain-output.schema.json").read_text(encoding="utf-8"))
REGISTRY = Registry().with_resource(EVALUATE["$id"], Resource.from_contents(EVALUATE))
CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


@cache
def _validator(schema_id: str) -> jsonschema.Draft202012Validator:
    schema = {EVALUATE["$id"]: EVALUATE, EXPLAIN["$id"]: EXPLAIN}[schema_id]
    jsonschema.Draft202012Validator.check_schema(schema)  # 0.3 s: once per schema and process
    return jsonschema.Draft202012Validator(schema, registry=REGISTRY, format_checker=CHECKER)


def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return _validator(schema["$id"])


def errors(schema: dict[str, Any], data: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator(schema).iter_errors(data)]


def evaluated_json(rendered: Any, example: str, lang: str = "nl") -> dict[str, Any]:
    return json.loads(json.dumps(report.to_json(rendered(example).evaluation, lang)))


def explained_json(rendered: Any, example: str, lang: str = "nl") -> dict[str, Any]:
    with in_repository():
        data = explain.to_json(explain.explain(rendered(example).evaluation, "md", lang))
    return json.loads(json.dumps(data))


def every_result(data: dict[str, Any]) -> list[dict[str, Any]]:
    found = [*data["results"].values(), *data["deadlines"].values()]
    for group in ("municipalities", "other_rows", "cases"):
        found += [r for member in data[group].values() for r in member["results"].values()]
    return found


def floats(value: Any) -> list[Any]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in floats(v)]
    return []


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_examples_evaluation_validates_against_its_schema(example, lang, rendered):
    data = evaluated_json(rendered, example, lang)
    assert errors(EVALUATE, data) == []
    assert floats(data) == []
    results = every_result(data)
    assert results and all("steps" in r and all("value" in i for i in r["inputs"]) for r in results)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_examples_explanation_validates_against_its_schema(example, lang, rendered):
    data = explained_json(rendered, example, lang)
    assert errors(EXPLAIN, data) == []
    assert floats(data) == []
    assert data["lang"] == lang and data["results"]
    assert all(r["sentence"] for r in data["results"])


def test_the_cli_writes_both_as_json(run):
    with in_repository():
        evaluated = run("evaluate", "examples/assen-2024.yaml", "--format", "json")
        explained = run("explain", "examples/assen-2024.yaml", "--format", "json", "--municipality", "Assen")
        again = run("explain", "examples/assen-2024.yaml", "--format", "json", "--municipality", "Assen")
    assert evaluated.exit_code == 0 and explained.exit_code == 0
    assert errors(EVALUATE, json.loads(evaluated.stdout)) == []
    data = json.loads(explained.stdout)
    assert errors(EXPLAIN, data) == []
    assert data["municipality"] == "GM0106"
    assert explained.stdout == again.stdout  # deterministic


@pytest.mark.parametrize(
    "path",
    [
        ("municipalities", "GM0106", "results", "aandeel_resultaat_bw", "steps"),
        ("municipalities", "GM0106", "results", "verdeelsleutel_bw", "roundings"),
        ("results", "uitvoeringsbudget_mo", "inputs", 0, "value"),
        ("municipalities", "GM0106", "results", "aandeel_resultaat_bw", "steps", "parts", "GM0106", "extra"),
        ("municipalities", "GM0106", "results", "verdeelsleutel_bw", "steps", "components", 0, "total"),
    ],
)
def test_an_output_without_a_required_field_fails_the_schema(path, rendered):
    data = copy.deepcopy(evaluated_json(rendered, "assen-2024"))
    inner = data
    for key in path[:-1]:
        inner = inner[key]
    del inner[path[-1]]
    assert errors(EVALUATE, data)


def test_an_explanation_without_its_sentence_or_with_a_float_fails_the_schema(rendered):
    data = explained_json(rendered, "assen-2024")
    without = copy.deepcopy(data)
    del without["results"][0]["sentence"]
    assert errors(EXPLAIN, without)
    with_float = copy.deepcopy(data)
    with_float["results"][3]["steps"]["components"][0]["weight"] = 0.5
    assert errors(EXPLAIN, with_float)


def test_only_new_fields_are_added_to_a_result(rendered):
    """The fields the output had before the trace keep their place and meaning: the trace is added
    after `rounding` (`roundings`, `steps`), and each input gets its `value` after its citation."""
    result = evaluated_json(rendered, "assen-2024")["results"]["uitvoeringsbudget_mo"]
    assert list(result) == [
        *("rule", "label", "type", "value", "citation", "interpretations", "inputs", "rounding"),
        *("roundings", "steps"),
    ]
    assert [list(i) for i in result["inputs"]] == [["name", "source", "citation", "value"]] * 2


@pytest.mark.parametrize("example", EXAMPLES)
def test_without_traces_only_the_trace_is_left_out(example, rendered):
    """`report.to_json(ev, traces=False)` (the batch tests' reference) is the output with only the
    trace left out of each result: every value, citation, deadline and unknown as written."""
    ev = rendered(example).evaluation
    full, bare = report.to_json(ev), report.to_json(ev, traces=False)
    for result in every_result(full):
        del result["roundings"], result["steps"]
        for used in result["inputs"]:
            del used["value"]
    assert bare == full


def test_the_worked_example_of_the_analyst_guide(rendered):
    """docs/analysts.md, "Het spoor als gegevens": Assen's share of the result beschermd wonen 2024,
    recomputed from the JSON alone."""
    assen = evaluated_json(rendered, "assen-2024")["municipalities"]["GM0106"]["results"]

    key = assen["verdeelsleutel_bw"]
    inwoners, kosten = key["steps"]["components"]
    assert (inwoners["values"]["GM0106"], inwoners["total"], inwoners["weight"]) == (69535, 332639, "1/2")
    assert (kosten["values"]["GM0106"], kosten["total"], kosten["weight"]) == (
        "12874310.55",
        "35950123.45",
        "1/2",
    )
    # ½ × 69535 / 332639 + ½ × 12874310,55 / 35950123,45 = 67822896211372 / 239168262285691 (≈ 28,3578 %)
    by_hand = Fraction(1, 2) * Fraction(69535, 332639) + Fraction(1, 2) * Fraction("12874310.55") / Fraction(
        "35950123.45"
    )
    assert by_hand == Fraction(67822896211372, 239168262285691) == Fraction(key["value"])

    share = assen["aandeel_resultaat_bw"]
    steps = share["steps"]
    assert steps["soort"] == "distribute" and steps["amount"] == "461876.55"
    assert Fraction(steps["key"]["GM0106"]) == by_hand
    mine = steps["parts"]["GM0106"]
    # 46187655 cents × 67822896211372 / 239168262285691 = 13097810,3088… cents
    exact = 46187655 * by_hand
    assert exact == Fraction(mine["exact"]) and 13097810 < exact < 13097811
    assert mine["floor"] == 13097810 and Fraction(mine["remainder"]) == exact - 13097810
    # the parts rounded down add up to 46187651 cents: 4 cents are left, for the 4 largest remainders;
    # Assen's remainder (0,3088…) is not among them, so it gets no extra cent
    parts = steps["parts"].values()
    assert sum(p["floor"] for p in parts) == 46187651 and sum(p["extra"] for p in parts) == 4
    fourth = sorted((Fraction(p["remainder"]) for p in parts), reverse=True)[3]
    assert Fraction(mine["remainder"]) < fourth and mine["extra"] == 0
    assert mine["cents"] == 13097810 and share["value"] == "130978.10"
    assert share["roundings"] == [
        {
            "what": "resultaat_bw",
            "exact": "156629026565582850633/1195841311428455",
            "cents": "130978.10",
            "mode": "largest_remainder",
        }
    ]
    assert Fraction(share["roundings"][0]["exact"]) == Fraction("461876.55") * by_hand


def test_a_result_for_one_member_carries_only_that_members_row(rendered):
    data = evaluated_json(rendered, "groningen-2022")
    steps = data["municipalities"]["GM0014"]["results"]["verdeelsleutel"]["steps"]
    assert steps["soort"] == "sheet"
    assert list(steps["counts"]) == list(steps["cells"]) == list(steps["indicatiewaarde"]) == ["GM0014"]
    assert len(steps["rows"]) > 1  # the rows of the sheet are named, the cells of others left out
    expression = data["municipalities"]["GM0014"]["results"]["bijstelling"]["steps"]
    assert [e["member"] for e in expression["evaluated"]] == ["GM0014"]
    budget = data["results"]["budget"]["steps"]["evaluated"]
    assert budget[0]["member"] is None and budget[0]["terms"][0]["expression"] == "sum(individuele_uitkering)"


def test_the_explain_schema_carries_the_evaluate_schemas_definitions_unchanged():
    shared = {k: v for k, v in EVALUATE["$defs"].items() if k != "resultaat"}
    assert {k: EXPLAIN["$defs"][k] for k in shared} == shared
