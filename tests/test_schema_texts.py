"""The texts the editor shows from the JSON Schemas are Dutch, complete and true.

yaml-language-server (the Red Hat YAML extension of VS Code) shows a schema's own text instead of
its English sentence for two keywords (src/languageservice/parser/schemaValidation/baseValidator.ts
in redhat-developer/yaml-language-server; vscode-json-languageservice does the same):

- `patternErrorMessage` on a schema with a `pattern`: the text for a value that does not match
  (also for a failed `format`), instead of `String does not match the pattern of "…"`;
- `errorMessage` on an object: the text for an unknown field (`additionalProperties: false`),
  instead of `Property x is not allowed.`. The same text replaces its `Missing property "x".` and
  `Incorrect type.` for that object, so it names all three and lists the fields.

The project's own validator (jsonschema) ignores both keywords; `convenant validate` keeps its own
messages, with "Bedoelt u …?" and the article.

`CONVENANT_UPDATE_SCHEMA_TEXTS=1 .venv/bin/pytest tests/test_schema_texts.py` writes the unknown-key
message of every closed object (from its fields, so it never goes stale) and the pattern message of
every pattern in PATTERN_MESSAGES; a new pattern needs a Dutch sentence there first.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from convenant.core.paths import SCHEMAS_DIR

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = sorted(p.name for p in SCHEMAS_DIR.glob("*.schema.json"))
# the files people type in an editor; the output schemas (evaluate-output, explain-output) describe
# what the program writes, which no editor validates while someone types it
EDITED = [name for name in SCHEMAS if not name.endswith("-output.schema.json")]
UPDATE = bool(os.environ.get("CONVENANT_UPDATE_SCHEMA_TEXTS"))

# Values, not schemas: the walk does not look inside them.
VALUES = {"examples", "default", "const", "enum", "enumDescriptions", "markdownEnumDescriptions"}
# The keywords whose text an editor shows.
SHOWN = (
    "title",
    "description",
    "markdownDescription",
    "errorMessage",
    "patternErrorMessage",
    "deprecationMessage",
    "$comment",
)

DUTCH = set(
    "de het een van en of is in op met voor die dat niet wordt zijn bij als naar ook uit per elk elke "
    "dit deze geen wat hier moet".split()
)
ENGLISH = set(
    "the which must should this with from into each every allowed does match pattern property "
    "missing expected".split()
)

# The Dutch sentence for each pattern in the schemas: what the value must look like, with an example.
PATTERN_MESSAGES = {
    "^[a-z][a-z0-9_-]*$": (
        "Geen geldige naam van een toets: kleine letters, cijfers, _ en -, beginnend met een letter, "
        "bijvoorbeeld voorbeeld-2024."
    ),
    "^[a-z_]+(\\.[a-z_]+)+$": (
        "Geen geldige code van een melding: woorden met een punt ertussen, bijvoorbeeld facts.missing; "
        "de codes staan in de tabel van meldingen in docs/legal-staff.md."
    ),
    "^[a-z][a-z0-9_]*$": (
        "Geen geldige naam: alleen kleine letters, cijfers en _, beginnend met een letter (geen "
        "spaties, hoofdletters of koppeltekens), bijvoorbeeld zorgkosten_bw."
    ),
    "^[a-z][a-z0-9-]*$": (
        "Geen geldige korte naam van een convenant: kleine letters, cijfers en -, beginnend met een "
        "letter, bijvoorbeeld assen of groningen."
    ),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": (
        "Geen geldige datum: schrijf jjjj-mm-dd, een dag die bestaat, bijvoorbeeld 2025-05-15 (niet "
        "15-05-2025 of 15 mei 2025)."
    ),
    "^GM[0-9]{4}$": (
        "Geen geldige CBS-code: GM en vier cijfers, bijvoorbeeld GM0106 (Assen); de codes staan in "
        "rules/municipalities.yaml."
    ),
    "^[1-9][0-9]*(\\.[1-9][0-9]*)?([a-z]{1,2})?$": (
        'Geen geldige verwijzing naar een artikel: "8" (artikel 8), "8.5" (artikel 8, vijfde lid), '
        '"8.5a" (vijfde lid, onder a) of "1b" (artikel 1, onder b); geen woorden, spaties of '
        "'lid'."
    ),
    "^I-[A-Za-z0-9][A-Za-z0-9.-]*$": (
        "Geen geldige code van een interpretatie: I- en dan letters, cijfers, punten of -, "
        "bijvoorbeeld I-A-8.5 of I-ATW."
    ),
    "^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$": (
        "Geen geldig versienummer: letters, cijfers, punt, _ of -, hoogstens 32 tekens, tussen "
        'aanhalingstekens, bijvoorbeeld "1.6".'
    ),
    "^CVDR[0-9]+$": (
        "Geen geldige CVDR-id: CVDR en cijfers, bijvoorbeeld CVDR645538; onbekend is null, verzin er geen."
    ),
    "^BWBR[0-9]{7}$": "Geen geldige BWB-id: BWBR en zeven cijfers, bijvoorbeeld BWBR0035362.",
    "^jci1\\.3:c:BWBR[0-9]{7}": (
        "Geen geldige Juriconnect-verwijzing: die begint met jci1.3:c: en een BWB-id, bijvoorbeeld "
        "jci1.3:c:BWBR0035362&artikel=1.2.1."
    ),
    "^[0-9+() -]{6,20}$": (
        "Geen geldig telefoonnummer: 6 tot 20 tekens, alleen cijfers, spaties, +, - en haakjes, "
        "bijvoorbeeld 050 000 00 00."
    ),
    "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$": (
        "Geen geldig e-mailadres: één @, een domein met een punt en geen spaties, bijvoorbeeld "
        "beschermdwonen@example.org."
    ),
    "^[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,4})?$": (
        "Geen geldige IBAN: landcode en twee controlecijfers, dan het rekeningnummer in hoofdletters "
        "en cijfers, met of zonder spaties in groepen van vier, bijvoorbeeld NL00 TEST 0000 0000 00."
    ),
}


def unknown_key_message(schema: dict[str, Any]) -> str:
    """The text for a closed object, from its own fields (see the module's docstring).

    >>> text = unknown_key_message({"required": ["code"], "properties": {"code": {}, "name": {}}})
    >>> text[text.index("De velden") :]
    'De velden hier: code (verplicht), name. convenant validate zegt precies wat er mis is.'
    """
    required = schema.get("required", [])
    listed = ", ".join(f"{k} (verplicht)" if k in required else k for k in schema.get("properties", {}))
    missing = ", een verplicht veld dat ontbreekt" if required else ""
    return (
        f"Een veld klopt hier niet: een onbekend veld (een spelfout?){missing}, of hier staat geen blok "
        f"met velden. De velden hier: {listed or 'geen'}. convenant validate zegt precies wat er mis is."
    )


def schemas_in(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (sub)schema of a schema file, with its JSON path; `properties` maps are stepped over."""
    if isinstance(node, dict):
        if not path.endswith(("/properties", "/$defs", "/patternProperties", "/dependentSchemas")):
            yield path, node
        for key, value in node.items():
            if key not in VALUES:
                yield from schemas_in(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from schemas_in(value, f"{path}/{i}")


def closed(schema: dict[str, Any]) -> bool:
    return schema.get("additionalProperties") is False or schema.get("unevaluatedProperties") is False


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))


def texts(root: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for path, schema in schemas_in(root):
        for key in SHOWN:
            if isinstance(schema.get(key), str):
                yield f"{path}/{key}", schema[key]
        for key in ("enumDescriptions", "markdownEnumDescriptions"):
            for i, text in enumerate(schema.get(key) or []):
                yield f"{path}/{key}/{i}", text


@cache
def field_names() -> frozenset[str]:
    """The names of every field of every schema: identifiers, not words of a language."""
    return frozenset(
        key
        for name in SCHEMAS
        for _, schema in schemas_in(load(name))
        for key in schema.get("properties", {})
    )


def words(text: str) -> list[str]:
    """The words of a text, without what is quoted (values, names) and without field names."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|‘[^’]*’", " ", text)
    names = field_names() - DUTCH  # "per" is a field and a Dutch word
    return [w for w in re.findall(r"[a-zà-ÿ_][a-zà-ÿ_-]*", text.lower()) if w not in names]


def reads_as_dutch(text: str) -> bool:
    """Crude: no common English word, and a common Dutch one unless the text is a short label
    ("Aantal.", "Datum jjjj-mm-dd.")."""
    found = set(words(text))
    return not found & ENGLISH and (bool(found & DUTCH) or len(words(text)) <= 3)


def _put_after(schema: dict[str, Any], after: str, key: str, value: str) -> None:
    """Set `key` right after the keyword it explains, so that a reader sees them together."""
    items = [(k, v) for k, v in schema.items() if k != key]
    schema.clear()
    for k, v in items:
        schema[k] = v
        if k == after:
            schema[key] = value


def _update(name: str) -> None:
    root = load(name)
    for _, schema in schemas_in(root):
        if closed(schema):
            after = "additionalProperties" if "additionalProperties" in schema else "unevaluatedProperties"
            _put_after(schema, after, "errorMessage", unknown_key_message(schema))
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and pattern in PATTERN_MESSAGES:
            message = schema.get("patternErrorMessage", PATTERN_MESSAGES[pattern])
            _put_after(schema, "pattern", "patternErrorMessage", message)
    text = json.dumps(root, indent=2, ensure_ascii=False) + "\n"
    (SCHEMAS_DIR / name).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", EDITED)
def test_every_pattern_has_a_dutch_message(name):  # (the output schemas: see EDITED)
    if UPDATE:
        _update(name)
    lacking = []
    for path, schema in schemas_in(load(name)):
        if isinstance(schema.get("pattern"), str):
            message = schema.get("patternErrorMessage")
            if not (isinstance(message, str) and reads_as_dutch(message)):
                lacking.append(f"{path}: {schema['pattern']}")
    assert not lacking, (
        f"patterns without a Dutch patternErrorMessage in {name}: {lacking}; add the sentence to "
        "PATTERN_MESSAGES and run CONVENANT_UPDATE_SCHEMA_TEXTS=1 .venv/bin/pytest tests/test_schema_texts.py"
    )


@pytest.mark.parametrize("name", EDITED)
def test_every_closed_object_has_an_unknown_key_message_that_lists_its_fields(name):
    if UPDATE:
        _update(name)
    wrong = [
        path
        for path, schema in schemas_in(load(name))
        if closed(schema) and schema.get("errorMessage") != unknown_key_message(schema)
    ]
    assert not wrong, (
        f"closed objects whose errorMessage is missing or does not list their fields in {name}: {wrong}; "
        "run CONVENANT_UPDATE_SCHEMA_TEXTS=1 .venv/bin/pytest tests/test_schema_texts.py"
    )


def test_the_pattern_messages_fit_their_pattern():
    """Every example a message gives matches its pattern (a message must not teach a wrong form)."""
    examples = {
        "^[a-z][a-z0-9_]*$": ["zorgkosten_bw"],
        "^[a-z][a-z0-9-]*$": ["assen", "groningen"],
        "^[a-z][a-z0-9_-]*$": ["voorbeeld-2024"],
        "^[a-z_]+(\\.[a-z_]+)+$": ["facts.missing"],
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": ["2025-05-15"],
        "^GM[0-9]{4}$": ["GM0106"],
        "^[1-9][0-9]*(\\.[1-9][0-9]*)?([a-z]{1,2})?$": ["8", "8.5", "8.5a", "1b"],
        "^I-[A-Za-z0-9][A-Za-z0-9.-]*$": ["I-A-8.5", "I-ATW"],
        "^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$": ["1.6"],
        "^CVDR[0-9]+$": ["CVDR645538"],
        "^BWBR[0-9]{7}$": ["BWBR0035362"],
        "^jci1\\.3:c:BWBR[0-9]{7}": ["jci1.3:c:BWBR0035362&artikel=1.2.1"],
        "^[0-9+() -]{6,20}$": ["050 000 00 00"],
        "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$": ["beschermdwonen@example.org"],
        "^[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}( ?[A-Z0-9]{1,4})?$": ["NL00 TEST 0000 0000 00"],
    }
    assert examples.keys() == PATTERN_MESSAGES.keys()
    for pattern, values in examples.items():
        for value in values:
            assert value in PATTERN_MESSAGES[pattern]
            assert re.search(pattern, value), (pattern, value)
    assert not re.search("^[1-9][0-9]*(\\.[1-9][0-9]*)?([a-z]{1,2})?$", "8 lid 5")


def test_every_pattern_message_is_used():
    used = {
        schema["pattern"]
        for name in SCHEMAS
        for _, schema in schemas_in(load(name))
        if isinstance(schema.get("pattern"), str)
    }
    assert set(PATTERN_MESSAGES) <= used, set(PATTERN_MESSAGES) - used


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_text_the_editor_shows_is_dutch(name):
    english = [f"{path}: {text}" for path, text in texts(load(name)) if not reads_as_dutch(text)]
    assert not english, f"texts that do not read as Dutch in {name}: {english}"


def test_the_dutch_check_can_fail():
    assert not reads_as_dutch("Property valid_fromm is not allowed.")
    assert not reads_as_dutch('String does not match the pattern of "^[1-9][0-9]*"')
    assert not reads_as_dutch('Missing property "title".')
    assert not reads_as_dutch("The date of the evaluation, used for the letters.")
    assert reads_as_dutch(unknown_key_message({"properties": {"from": {}, "title": {}}}))
    assert reads_as_dutch("Aantal.")


# A file a text names: a path with a known extension, or one under a folder of the repository.
FILE = re.compile(
    r"(?<![\w/.-])((?:[\w*.-]+/)*[\w*-]+\.(?:md|ya?ml|json|csv|xlsx|py|txt|docx|typ|html))(?![\w])"
    r"|(?<![\w/.-])((?:rules|docs|schemas|examples|engine|tests)/[\w*./-]*[\w*])"
)
# A section of a guide: docs/legal-staff.md, "Interpretaties".
SECTION = re.compile(r"(docs/[\w-]+\.md),? (?:onder |kopje )?[\"“]([^\"”]+)[\"”]")


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split()
    return listed or [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if ".venv" not in p.parts]


def exists(reference: str, files: list[str]) -> bool:
    """A path from the repository's root or from schemas/ (where the schemas are), a glob, or a
    bare file name that some file of the repository has."""
    if "/" not in reference:
        return any(Path(f).name == reference for f in files)
    return any(
        Path(f).match(reference) or f == reference or f.startswith(reference.rstrip("/") + "/") for f in files
    ) or bool(list(ROOT.glob(reference)))


def references(text: str) -> list[str]:
    return [a or b for a, b in FILE.findall(text)]


def test_the_file_references_are_recognised():
    assert references("zoals in DOMAIN.md: I-A-8.5") == ["DOMAIN.md"]
    assert references("(zie rules/municipalities.yaml).") == ["rules/municipalities.yaml"]
    assert references('docs/legal-staff.md, "Interpretaties"') == ["docs/legal-staff.md"]
    assert references("oud + (nieuw − oud) × dagen t/m 31 december, 8.5a, en/of 1.6") == []
    files = tracked_files()
    assert not exists("DOMAIN.md", files)
    assert exists("rules/municipalities.yaml", files)
    assert exists("rules/*/*.yaml", files)


@pytest.mark.parametrize("name", SCHEMAS)
def test_no_text_names_a_file_or_section_that_is_not_in_the_repository(name):
    files = tracked_files()
    absent = []
    for path, text in texts(load(name)):
        absent += [f"{path}: {ref}" for ref in references(text) if not exists(ref, files)]
        for guide, heading in SECTION.findall(text):
            headings = (
                [
                    line.lstrip("#").strip()
                    for line in (ROOT / guide).read_text(encoding="utf-8").splitlines()
                    if line.startswith("#")
                ]
                if (ROOT / guide).exists()
                else []
            )
            if not any(h == heading or h.startswith(heading) for h in headings):
                absent.append(f'{path}: {guide}, "{heading}"')
    assert not absent, f"texts in {name} that name what the repository does not have: {absent}"


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_programs_own_validator_accepts_the_editor_keywords(name):
    import jsonschema

    jsonschema.Draft202012Validator.check_schema(load(name))


def test_validate_keeps_its_own_dutch_messages(run, tmp_path):
    """The editor's texts do not replace the program's: an unknown field still gets "Bedoelt u",
    a wrong form the field's own description, both at file:line."""
    text = (ROOT / "examples" / "assen-2024.yaml").read_text(encoding="utf-8")
    text = text.replace("evaluation_date: 2025-05-15", "evaluation_datum: 2025-05-15", 1)
    text = text.replace("covenant: assen", "covenant: Assen", 1)
    facts = tmp_path / "assen-2024.yaml"
    facts.write_text(
        text.replace("$schema=../schemas/", f"$schema={SCHEMAS_DIR.as_posix()}/"), encoding="utf-8"
    )
    result = run("validate", str(facts))
    assert result.exit_code == 1
    assert "onbekend veld ‘evaluation_datum’" in result.stderr
    assert "Bedoelt u ‘evaluation_date’?" in result.stderr
    assert "‘Assen’ heeft niet de goede vorm" in result.stderr
    assert f"{facts}:11:1" in result.stderr and f"{facts}:5:11" in result.stderr
    assert "wat te doen: De korte naam van het convenant (covenant.id in het regelbestand)" in result.stderr
    assert "Een veld klopt hier niet" not in result.stderr
    assert "Geen geldige korte naam" not in result.stderr


def test_the_rule_texts_name_every_way_of_computing():
    """ "Precies één van: …" in the hover text lists what the program accepts (the primitives)."""
    from convenant.primitives import REGISTRY

    ways = [name for name, primitive in REGISTRY.items() if primitive.section == "rules"]
    root = load("rule-file.schema.json")
    for text in (root["$defs"]["rule"]["description"], root["properties"]["rules"]["description"]):
        listed = re.findall(r"[a-z_]+", text.split("één")[-1])
        assert [w for w in listed if w in ways] == ways, text


def test_the_schemas_left_out_of_the_editor_messages_are_the_output_schemas():
    assert sorted(set(SCHEMAS) - set(EDITED)) == ["evaluate-output.schema.json", "explain-output.schema.json"]
