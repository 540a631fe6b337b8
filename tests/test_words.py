"""The one catalogue of words (engine/words): both languages for every key, with the same
placeholders; strict formatting; and no words kept anywhere else in the engine."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from jinja2.sandbox import SandboxedEnvironment

from convenant import words
from tests.paths import REPO_ROOT

ENGINE = REPO_ROOT / "engine"

# Keys whose two languages name different arguments, each for a reason that is not a wording choice.
DIFFERENT_PLACEHOLDERS = {
    # the JSON Schemas' descriptions are Dutch: only the Dutch message quotes them
    **dict.fromkeys(
        (f"messages.schema.{c}.todo" for c in ("required", "bad_name", "type", "pattern", "empty")),
        "Dutch-only schema description",
    ),
    # Dutch names a file-system error in Dutch words, English in the system's own
    "messages.output.cannot_write.what": "reason_nl / reason",
}

# Files that may still choose words by language in code, each with its reason.
ALLOWED = {
    # Citation.formal: Dutch spells the lid as an ordinal word ("vijfde lid"), English as "(5)"
    "core/citation.py": "each language's citation grammar",
}


def _names(text: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f is not None}


CATALOGUE = words.catalogue()


def test_the_catalogue_is_large_and_every_key_is_dotted() -> None:
    assert len(CATALOGUE) > 900
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+", key) for key in CATALOGUE), [
        k for k in CATALOGUE if not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+", k)
    ]


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE[key]
    assert set(entry) == {"nl", "en"}
    nl, en = entry["nl"], entry["en"]
    if isinstance(nl, list):
        assert isinstance(en, list) and len(nl) == len(en) and nl and en
        pairs = list(zip(nl, en, strict=True))
    else:
        pairs = [(nl, en)]
    for a, b in pairs:
        assert isinstance(a, str) and isinstance(b, str) and a.strip() and b.strip()
        names_nl, names_en = _names(a), _names(b)  # also: each is a valid format string
        assert "" not in names_nl | names_en, "name every placeholder"
        if key not in DIFFERENT_PLACEHOLDERS:
            assert names_nl == names_en


def test_the_exceptions_are_still_needed() -> None:
    for key in DIFFERENT_PLACEHOLDERS:
        assert _names(CATALOGUE[key]["nl"]) != _names(CATALOGUE[key]["en"]), key


def test_an_unknown_key_or_language_raises() -> None:
    with pytest.raises(words.UnknownWord):
        words.say("explanations.no_such_word", "nl")
    with pytest.raises(words.UnknownWord):
        words.say("explanations.result", "de")
    with pytest.raises(words.UnknownWord):
        words.table("explanations", "nl")["no_such_word"]
    with pytest.raises(words.UnknownWord):
        words.Languages("explanations")["fr"]
    with pytest.raises(words.UnknownWord):
        words.table("no_such_area", "en")


def test_a_missing_or_extra_argument_raises() -> None:
    with pytest.raises(words.PlaceholderMismatch, match="missing"):
        words.say("explanations.settle.receives", "nl", who="Assen")
    with pytest.raises(words.PlaceholderMismatch, match="unexpected"):
        words.say("explanations.settle.nothing", "nl", who="Assen", amount="€ 1")
    with pytest.raises(words.PlaceholderMismatch, match="missing"):
        words.fill("messages.file.not_found.what", "en", {"other": 1})
    phrase = words.table("explanations", "en")["ration_part"]  # the views format just as strictly
    with pytest.raises(words.PlaceholderMismatch):
        phrase.format(who="A", claim="1")
    with pytest.raises(words.PlaceholderMismatch):
        phrase.format("A", "1", "2")
    assert phrase.format(who="A", claim="1", paid="2") == "A: claim 1, payment 2; never more than the claim."
    assert words.fill("messages.file.not_found.what", "en", {"path": "x", "other": 1}) == (
        "the file x does not exist"
    )


def test_a_message_with_a_missing_argument_raises_instead_of_printing_nothing() -> None:
    from convenant.core import messages
    from convenant.core.diagnostics import Problem

    with pytest.raises(words.PlaceholderMismatch):
        messages.message(Problem("file.not_found", {}), "nl")


def test_a_template_reading_an_unknown_word_fails() -> None:
    env = SandboxedEnvironment()
    t = words.table("explanations", "nl")
    assert env.from_string("{{ t.explanation }} {{ t['result'] }}").render(t=t) == (
        "Uitleg bij de berekening Uitkomst"
    )
    with pytest.raises(words.UnknownWord):
        env.from_string("{{ t.no_such_word }}").render(t=t)


def test_no_word_is_hidden_by_a_method_of_the_view() -> None:
    methods = {name for name in dir(words.Table) if not name.startswith("_")}
    for prefix in ("explanations",):
        assert not methods & set(words.table(prefix, "nl")), methods & set(words.table(prefix, "nl"))


def test_the_loader_refuses_a_key_given_twice_and_object_tags(tmp_path: Path) -> None:
    import yaml

    with pytest.raises(ValueError, match="twice"):
        yaml.load("a:\n  nl: x\n  nl: y\n  en: z\n", Loader=words._Loader)
    with pytest.raises(yaml.constructor.ConstructorError):
        yaml.load("a: !!python/object/apply:os.getcwd []\n", Loader=words._Loader)


def _sources() -> list[Path]:
    return [p for p in sorted(ENGINE.rglob("*.py")) if "words" not in p.relative_to(ENGINE).parts[:1]]


_BRANCH = re.compile(r"""\blang\s*[!=]=|[!=]=\s*["'](?:nl|en)["']|["'](?:nl|en)["']\s*[!=]=""")


def _language_dicts(tree: ast.AST) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and {k.value for k in node.keys if isinstance(k, ast.Constant)} & {"nl", "en"}
    ]


def test_no_module_outside_the_catalogue_keeps_words_per_language() -> None:
    found = []
    for path in _sources():
        name = path.relative_to(ENGINE).as_posix()
        if name in ALLOWED:
            continue
        text = path.read_text(encoding="utf-8")
        found += [
            f"{name}:{n}: a language branch"
            for n, line in enumerate(text.splitlines(), 1)
            if _BRANCH.search(line)
        ]
        found += [f"{name}:{n}: a dictionary per language" for n in _language_dicts(ast.parse(text))]
    assert found == []


def test_the_allowed_files_still_need_it() -> None:
    for name in ALLOWED:
        text = (ENGINE / name).read_text(encoding="utf-8")
        assert _BRANCH.search(text) or _language_dicts(ast.parse(text)), name
