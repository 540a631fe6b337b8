"""Editor support: every field of the JSON Schemas has a Dutch description (the hover text in VS
Code), every enumeration describes its values, and every field that takes text or a number has
examples."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from convenant.core.paths import SCHEMAS_DIR

SCHEMAS = sorted(p.name for p in SCHEMAS_DIR.glob("*.schema.json"))
DUTCH = set(
    "de het een van en of is in op met voor die dat niet wordt zijn bij als naar ook uit per elk elke".split()
)
ENGLISH = set("the which must should this with from into each every".split())


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))


def resolve(root: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its local $ref followed (its own keywords win)."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = root["$defs"][ref.removeprefix("#/$defs/")]
    return {**resolve(root, target), **{k: v for k, v in schema.items() if k != "$ref"}}


def fields(root: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field an editor can hover: properties, list items and the values of named maps."""

    def walk(path: str, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, sub in schema.get("properties", {}).items():
            yield f"{path}.{name}", sub
            yield from walk(f"{path}.{name}", resolve(root, sub))
        for key in ("items", "additionalProperties"):
            sub = schema.get(key)
            if isinstance(sub, dict):
                yield f"{path}[{key}]", sub
                yield from walk(f"{path}[{key}]", resolve(root, sub))

    yield from walk("", root)
    for name, definition in root.get("$defs", {}).items():
        yield from walk(f"$defs.{name}", definition)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]+", text.lower()))


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_field_has_a_dutch_description(name):
    root = load(name)
    missing, english = [], []
    for path, schema in fields(root):
        description = resolve(root, schema).get("description")
        if not description:
            missing.append(path)
        elif not words(description) & DUTCH or words(description) & ENGLISH:
            english.append(f"{path}: {description}")
    assert not missing, f"fields without a description in {name}: {missing}"
    assert not english, f"descriptions that do not read as Dutch in {name}: {english}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_enumeration_describes_its_values(name):
    root = load(name)
    for path, schema in fields(root):
        resolved = resolve(root, schema)
        if "enum" in resolved:
            described = resolved.get("enumDescriptions")
            assert described and len(described) == len(resolved["enum"]), path
            assert resolved.get("markdownEnumDescriptions") in (None, described), path
            assert not any(words(d) & ENGLISH for d in described), path


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_field_for_text_or_numbers_has_examples(name):
    root = load(name)
    for path, schema in fields(root):
        resolved = resolve(root, schema)
        types = resolved.get("type")
        types = types if isinstance(types, list) else [types]
        free = (
            {"string", "number", "integer"} & set(types)
            and "enum" not in resolved
            and "const" not in resolved
        )
        if free:
            assert resolved.get("examples"), f"{name}: {path} has no examples"


def test_the_walk_sees_the_fields_legal_staff_edit():
    seen = {path for path, _ in fields(load("rule-file.schema.json"))}
    for expected in (
        ".parameters[additionalProperties]",
        "$defs.parameter.value",
        "$defs.rule.decision[items]",
        "$defs.rule.decision[items].when",
        ".covenant.valid_until",
    ):
        assert expected in seen
