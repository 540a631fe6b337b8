"""The schemas are checked with their definitions inlined (engine.source.schemas.inline_definitions):
a broken rule file or fact file gets, problem for problem, what the schema as written gives: the
same code, words, place, field and article.

Each case is a shipped file with one change a person could make in an editor: a field left out, a
value of the wrong kind, an unknown field, a wrong text, an empty list.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any
from unittest import mock

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convenant.check.checking import article_of as article_in_rule_file
from convenant.core.paths import SCHEMAS_DIR
from convenant.source import schemas
from convenant.source.loading import load_document
from tests.paths import REPO_ROOT

FILES = {
    "rules/assen/2024-v1.6.yaml": schemas.RULE_FILE,
    "rules/groningen/2021.yaml": schemas.RULE_FILE,
    "examples/assen-2024.yaml": schemas.FACTS,
    "examples/groningen-2022.yaml": schemas.FACTS,
}
DOCUMENTS = {path: load_document(REPO_ROOT / path) for path in FILES}
WRONG = [None, True, 5, 2.5, "", "iets", [], {}, ["x"], {"onbekend": 1}]


def as_written(name: str) -> Any:
    schema = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def places(data: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += places(value, (*path, index))
    return found


PLACES = {path: places(doc.data)[1:] for path, doc in DOCUMENTS.items()}


def changed(data: Any, at: tuple[str | int, ...], change: str, wrong: Any) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for step in at[:-1]:
        parent = parent[step]
    last = at[-1]
    if change == "leave out" and isinstance(parent, dict):
        del parent[last]
    elif change == "add a field" and isinstance(parent[last], dict):
        parent[last]["onbekend_veld"] = wrong
    else:
        parent[last] = wrong
    return data


def problems(document: Any, name: str) -> list[Any]:
    article_of = article_in_rule_file if name == schemas.RULE_FILE else None
    return [dataclasses.astuple(p) for p in schemas.validate(document, name, article_of)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FILES)),
    st.data(),
    st.sampled_from(["leave out", "wrong value", "add a field"]),
    st.sampled_from(WRONG),
)
def test_a_changed_file_gets_the_problems_of_the_schema_as_written(path, data, change, wrong):
    at = data.draw(st.sampled_from(PLACES[path]))
    name = FILES[path]
    document = dataclasses.replace(DOCUMENTS[path], data=changed(DOCUMENTS[path].data, at, change, wrong))
    inlined = problems(document, name)
    with mock.patch.object(schemas, "_validator", as_written):
        written = problems(document, name)
    assert inlined == written


def test_the_shipped_schemas_are_inlined_whole():
    """No `$ref` is left in the schemas people's files are checked against (none refers to itself),
    so the time jsonschema took to look them up is gone; the check of the rule file above would
    pass with the `$ref`s left in as well."""
    for name in (schemas.RULE_FILE, schemas.FACTS):
        text = json.dumps({k: v for k, v in schemas._validator(name).schema.items() if k != "$defs"})
        assert "$ref" not in text, name
        assert "$ref" in (SCHEMAS_DIR / name).read_text(encoding="utf-8"), name


def test_the_check_can_tell_a_difference():
    """A schema that differs gives other problems: the comparison above is not blind."""
    path = "examples/assen-2024.yaml"
    document = dataclasses.replace(
        DOCUMENTS[path], data=changed(DOCUMENTS[path].data, ("year",), "wrong value", "x")
    )
    loose = jsonschema.Draft202012Validator({"type": "object"})
    assert problems(document, schemas.FACTS)
    with mock.patch.object(schemas, "_validator", lambda name: loose):
        assert problems(document, schemas.FACTS) == []
