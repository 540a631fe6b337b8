"""The JSON Schemas in `schemas/` as the first check of every file, with errors in words.

A schema error from jsonschema names a JSON path; here it becomes a Problem with file, line and
column, the field, the article the field belongs to, and what to do.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from convenant.core import identity
from convenant.core.citation import Citation
from convenant.core.diagnostics import Problem
from convenant.core.paths import SCHEMAS_DIR
from convenant.source.loading import Document

RULE_FILE = "rule-file.schema.json"
FACTS = "facts.schema.json"
MUNICIPALITIES = "municipalities.schema.json"
TABLE = "table.schema.json"

ArticleFinder = Callable[[Any, tuple[str | int, ...]], Citation | None]


@cache
def _validator(name: str) -> Any:
    import jsonschema

    schema = inline_definitions(json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8")))
    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def inline_definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each `{"$ref": "#/$defs/…"}` replaced by the definition itself, the same
    schema to validate with (JSON Schema 2020-12): a `$ref` beside other keywords becomes an `allOf`
    of the one definition beside them, which applies both alike; a definition that refers to itself,
    through others or not, stays a `$ref`, and `$defs` stays for it. jsonschema looks each `$ref`
    up anew for every value it is applied to, which was half the time of checking a rule file. An
    error is found with the same keyword, value and subschema (`error.schema`); only its
    `schema_path` reads `allOf` where it read `$ref`, or nothing.

    >>> inline_definitions({"$defs": {"d": {"type": "string"}},
    ...     "properties": {"a": {"$ref": "#/$defs/d"}, "b": {"$ref": "#/$defs/d", "description": "B"}}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'$defs': {'d': {'type': 'string'}}, 'properties': {'a': {'type': 'string'},
     'b': {'allOf': [{'type': 'string'}], 'description': 'B'}}}
    """
    defs: dict[str, Any] = schema.get("$defs", {})
    prefix = "#/$defs/"

    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                yield ref.removeprefix(prefix)
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    def reached(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(refs(defs[start]))
        while todo:
            name = todo.pop()
            if name not in seen and name in defs:
                seen.add(name)
                todo.extend(refs(defs[name]))
        return seen

    recursive = {name for name in defs if name in reached(name)}

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(value) for value in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        name = ref.removeprefix(prefix) if isinstance(ref, str) and ref.startswith(prefix) else None
        if name is None or name in recursive or name not in defs:
            return {key: inline(value) for key, value in node.items()}
        target = inline(defs[name])
        if len(node) == 1:
            return target
        if "allOf" in node:  # not in our schemas: left as it is
            return {key: inline(value) for key, value in node.items()}
        # `allOf` where `$ref` stood: the keywords are applied, and their errors found, in order
        return {
            "allOf" if key == "$ref" else key: [target] if key == "$ref" else inline(value)
            for key, value in node.items()
        }

    return {key: value if key == "$defs" else inline(value) for key, value in schema.items()}


def schema_path(name: str) -> Path:
    return SCHEMAS_DIR / name


def field_name(path: tuple[str | int, ...]) -> str:
    """A field's path as a reader writes it.

    >>> field_name(("rules", "resultaat_bw", "decision", 2, "when"))
    'rules.resultaat_bw.decision[2].when'
    """
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def validate(doc: Document, name: str, article_of: ArticleFinder | None = None) -> list[Problem]:
    """Every schema problem of `doc`, located and explained. Within `passes_on_disk`, a document
    that passed this schema in an earlier process passes without jsonschema (see there)."""
    marker = _marker(doc, name) if _ON_DISK.get() else None
    if marker is not None and os.path.isfile(marker):
        return []
    problems = []
    for error in sorted(
        _validator(name).iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))
    ):
        problems.extend(_translate(doc, error, article_of, name))
    if marker is not None and not problems:
        identity.remember(marker)
    return problems


# --- passes kept between processes ---------------------------------------------------------------
# Importing jsonschema and building its validators took 0.15-0.2 s of every command, more than the
# rest of reading a rule file and a fact file. Within `passes_on_disk` (every command but
# `validate`, whose check is full, and `serve`; cli.py), a pass is remembered as an empty file in
# `$XDG_CACHE_HOME/convenant/schemas/`, named by the sha256 of the engine's identity
# (core.identity), the schema's name and bytes, and the document's data as read (its repr: every
# value with its type, so `5`, `"5"` and `5.0` differ). Only passes are kept: a document with a
# fault is checked, and its fault found with its place, every time. A schema decides no amount;
# the amounts are computed from the document itself, every time. A cache folder that cannot be
# written only means the next command checks again. Only plain YAML documents (`Document`) are
# kept: a workbook's data holds objects of its own.

_ON_DISK: contextvars.ContextVar[bool] = contextvars.ContextVar("schema_passes_on_disk", default=False)
_engine: list[str] = []  # the engine's identity, once per process


@contextlib.contextmanager
def passes_on_disk() -> Iterator[None]:
    """Within this, a schema pass of an earlier process counts (and a pass is remembered)."""
    token = _ON_DISK.set(True)
    try:
        yield
    finally:
        _ON_DISK.reset(token)


@cache
def _schema_sha256(name: str) -> str:
    return hashlib.sha256((SCHEMAS_DIR / name).read_bytes()).hexdigest()


def _marker(doc: Document, name: str) -> str | None:
    if type(doc) is not Document:
        return None
    try:
        schema = _schema_sha256(name)
    except OSError:
        return None
    if not _engine:
        _engine.append(identity.engine_identity())
    digest = hashlib.sha256(f"{_engine[0]}\0{name}\0{schema}\0".encode())
    digest.update(repr(doc.data).encode("utf-8", "surrogatepass"))
    return os.path.join(identity.cache_dir("schemas"), digest.hexdigest())


def _description(schema: dict[str, Any]) -> str | None:
    return schema.get("description") if isinstance(schema, dict) else None


def _kind_words(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return "number"
    if value is None:
        return "null"
    names: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return names.get(type(value), "string")


def _numeric(text: str) -> bool:
    """Whether quoted text reads as a number (exactly: no float anywhere in the engine)."""
    try:
        return Decimal(text.strip()).is_finite()
    except InvalidOperation:
        return False


def _translate(doc: Document, error: Any, article_of: ArticleFinder | None, name: str) -> list[Problem]:
    path = tuple(error.absolute_path)
    article = article_of(doc.data, path) if article_of else None
    validator, schema = error.validator, error.schema

    def problem(code: str, at: tuple[str | int, ...] = path, key: str | None = None, **args: Any) -> Problem:
        location = doc.locate_key(at, key) if key is not None else doc.locate(at)
        shown = field_name((*at, key) if key is not None else at)
        return Problem(code, args, location, shown or None, article)

    if validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        props = schema.get("properties", {})
        out = []
        for key in missing:
            described = _resolve_description(name, props.get(key, {}))
            code = "schema.missing_citation" if key == "article" else "schema.required"
            out.append(problem(code, key=None, name=key, description=described))
        return out
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        known = list(schema.get("properties", {}))
        unknown = [k for k in error.instance if k not in known]
        return [
            problem(
                "schema.unknown_key",
                key=k,
                name=k,
                known=", ".join(known),
                suggestion=(difflib.get_close_matches(k, known, n=1) or [None])[0],
            )
            for k in unknown
        ]
    if validator == "propertyNames" or (
        error.relative_schema_path and "propertyNames" in error.relative_schema_path
    ):
        return [
            problem(
                "schema.bad_name",
                key=str(error.instance),
                name=error.instance,
                description=_description(schema) or "",
            )
        ]
    if validator == "type":
        expected = (
            error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        )
        got = _kind_words(error.instance)
        if got == "number" and "integer" in expected and "number" not in expected:
            got = "decimal"  # 2024.5 where a whole number belongs
        hint = "quote" if "string" in expected and got in ("number", "boolean") else None
        if got == "string" and {"number", "integer"} & set(expected) and _numeric(error.instance):
            hint = "unquote"
        return [
            problem(
                "schema.type",
                expected=expected,
                got=got,
                value=error.instance,
                hint=hint,
                description=_description(schema) or "",
            )
        ]
    if validator in ("enum", "const"):
        allowed = error.validator_value if validator == "enum" else [error.validator_value]
        suggestion = difflib.get_close_matches(str(error.instance), [str(a) for a in allowed], n=1)
        return [
            problem(
                "schema.enum",
                value=error.instance,
                allowed=allowed,
                suggestion=suggestion[0] if suggestion else None,
            )
        ]
    if validator in ("pattern", "format"):
        return [problem("schema.pattern", value=error.instance, description=_description(schema) or "")]
    if validator in ("minItems", "minProperties", "minLength"):
        return [problem("schema.empty", description=_description(schema) or "")]
    if validator in ("minimum", "maximum"):
        return [
            problem("schema.range", value=error.instance, bound=error.validator_value, direction=validator)
        ]
    if validator == "uniqueItems":
        return [problem("schema.duplicate_items")]
    if validator in ("anyOf", "oneOf"):
        return _alternatives(doc, error, article_of, name, problem)
    if validator in ("maxItems", "maxProperties", "maxLength"):
        return [problem("schema.too_many", bound=error.validator_value)]
    return [problem("schema.invalid", rule=validator, description=_description(schema) or "")]


def _alternatives(
    doc: Document, error: Any, article_of: ArticleFinder | None, name: str, problem: Callable[..., Problem]
) -> list[Problem]:
    """A value that fits none of several forms: the wrong kind of value is named as such; else
    the fault of the form that fits best, in words (jsonschema's own sentence is English)."""
    kinds: list[str] = []
    for alternative in error.validator_value:
        target = _resolve(name, alternative)
        declared = target.get("type", [])
        kinds += [k for k in ([declared] if isinstance(declared, str) else declared) if k not in kinds]
    got = _kind_words(error.instance)
    if kinds and got not in kinds and not (got == "number" and "integer" in kinds):
        return [
            problem(
                "schema.type",
                expected=kinds,
                got=got,
                value=error.instance,
                hint=None,
                description=_description(error.schema) or "",
            )
        ]
    import jsonschema

    best = jsonschema.exceptions.best_match(error.context or [])
    if best is None or best is error:
        return [problem("schema.invalid", rule=error.validator, description=_description(error.schema) or "")]
    return _translate(doc, best, article_of, name)


def _resolve(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A subschema, following one local $ref."""
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    if ref.startswith("#/$defs/"):
        return _root(name).get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    return schema if isinstance(schema, dict) else {}


@cache
def _root(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))


def _resolve_description(name: str, schema: dict[str, Any]) -> str:
    """A property's description, following one local $ref if the property has none itself."""
    if "description" in schema:
        return schema["description"]
    ref = schema.get("$ref", "")
    target = _root(name).get("$defs", {}).get(ref.removeprefix("#/$defs/"), {})
    return target.get("description", "")
