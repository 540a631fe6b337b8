"""One catalogue of words: every fixed phrase the engine shows people, Dutch and English side by side.

The words are data, in the YAML files beside this module (one file per area: messages, explanations,
cli, diff, …). Every file is a nested mapping; a leaf is a mapping with exactly the keys `nl` and
`en`, and its key is the path to it joined with dots: `explanations.ration_fits`,
`messages.file.not_found.what`, `cli.help.main`. A leaf's value is a string, or a list of strings
(the headings of a table), the same length in both languages.

    >>> say("report.merger.facts", "en", given="A (GM1)", name="B", code="GM2")
    'The fact file names A (GM1); their facts were added up for B (GM2).'

One function reads it: `say(key, lang, **args)` (and `fill(key, lang, args)` for a message, whose
arguments may hold more than one phrase needs). An unknown key raises `UnknownWord`; arguments
that do not match the placeholders of the phrase (one missing, or one too many) raise
`PlaceholderMismatch`: a missing placeholder never becomes an empty string. `table(prefix, lang)`
is the same catalogue as a strict read-only mapping (for templates, as `t`, and for code that
indexes the words of one area); its phrases format just as strictly. Internal codes are
identifiers (`receives`, `in_force`, …); they become words only here, when shown.

The catalogue is read once, with `yaml.safe_load` semantics (no tags that build objects) and
duplicate keys refused; tests/test_words.py checks that every key has both languages with the
same placeholders.
"""

from __future__ import annotations

import hashlib
import json
import os
import string
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("nl", "en")


class UnknownWord(KeyError):
    """A key, or a language, the catalogue does not have."""


class PlaceholderMismatch(ValueError):
    """Arguments that do not match a phrase's placeholders."""


@cache
def placeholders(text: str) -> frozenset[str]:
    """The names a phrase needs (`{who}`, `{n:,}` and `{x.y}` need who, n and x).

    >>> sorted(placeholders("{who} ontvangt {amount}; {{letterlijk}}"))
    ['amount', 'who']
    """
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            root = field.split(".", 1)[0].split("[", 1)[0]
            if not root or root.isdigit():
                raise PlaceholderMismatch(f"a positional placeholder in {text!r}; name it")
            names.add(root)
    return frozenset(names)


def _check(key: str, text: str, args: Mapping[str, Any], positional: tuple[Any, ...] = ()) -> None:
    if positional:
        raise PlaceholderMismatch(f"{key}: give the arguments by name")
    wanted = placeholders(text)
    missing, extra = sorted(wanted - set(args)), sorted(set(args) - wanted)
    if missing or extra:
        raise PlaceholderMismatch(f"{key}: missing {missing}, unexpected {extra}")


class Phrase(str):
    """A phrase from the catalogue: a string whose `format` takes exactly its placeholders, and
    whose `format_map` takes them from a bag that may hold more; a missing one raises either way."""

    key: str

    def __new__(cls, text: str, key: str) -> Phrase:
        phrase = super().__new__(cls, text)
        phrase.key = key
        return phrase

    def format(self, *args: Any, **kwargs: Any) -> str:
        _check(self.key, self, kwargs, args)
        return str.format(self, **kwargs)

    def format_map(self, mapping: Any) -> str:
        """Placeholders from a bag of arguments that may hold more (as `fill`); none may be missing."""
        missing = sorted(placeholders(self) - set(mapping))
        if missing:
            raise PlaceholderMismatch(f"{self.key}: missing {missing}")
        return str.format_map(self, mapping)


_SAFE: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, when built


class _Loader(_SAFE):  # type: ignore[valid-type,misc]
    """yaml.safe_load's loader (libyaml's when PyYAML has it: the catalogue is read by every
    command) that also refuses a key given twice."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    twice = {k for k in keys if keys.count(k) > 1}
    if twice:
        raise ValueError(f"{node.start_mark}: the key {sorted(map(str, twice))} is given twice")
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _leaves(tree: Any, prefix: str, where: str, out: dict[str, dict[str, Any]]) -> None:
    if not isinstance(tree, dict):
        raise ValueError(f"{where}: {prefix or 'the file'} is neither a phrase nor a group of phrases")
    if set(tree) == set(LANGUAGES):
        if prefix in out:
            raise ValueError(f"{where}: the key {prefix} is given twice")
        out[prefix] = tree
        return
    for name, sub in tree.items():
        if not isinstance(name, str):  # `on:` or `yes:` unquoted would be a boolean
            raise ValueError(f"{where}: the key {name!r} under {prefix or 'the file'} must be quoted")
        _leaves(sub, f"{prefix}.{name}" if prefix else str(name), where, out)


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """key → {"nl": …, "en": …}, from every YAML file of this package (read once per process;
    between processes from the kept copy, `_kept`)."""
    files = [
        (entry.name, entry.read_bytes())
        for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]
    kept = _kept(files)
    found = kept.read()
    if found is not None:
        return found
    out: dict[str, dict[str, Any]] = {}
    for name, data in files:
        _leaves(yaml.load(data.decode("utf-8"), Loader=_Loader), "", name, out)
    kept.write(out)
    return out


# --- the catalogue kept between processes ---------------------------------------------------------
# Reading the YAML files took 0.1-0.2 s of every command. The catalogue read is kept as JSON in
# `$XDG_CACHE_HOME/convenant/words/` (core.identity.cache_dir("words"); this lowest package imports
# no other), named by the sha256 of what it is made from: every YAML file's name and bytes, this
# module's own source, PyYAML's version and the Python's. Any change is another name, so an edited
# word is never read from an old copy. Words decide no amount. A folder that cannot be written, or a
# copy that cannot be read, only means the files are read again.

_FORMAT = 1  # the layout of a kept catalogue; a new layout is a new name


class _Kept:
    def __init__(self, path: str) -> None:
        self.path = path

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            with open(self.path, encoding="utf-8") as file:
                found = json.load(file)
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def write(self, out: dict[str, dict[str, Any]]) -> None:
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(out, file, ensure_ascii=False)
            os.replace(temporary, self.path)
        except OSError:
            try:
                os.remove(temporary)
            except OSError:
                pass


def cache_folder() -> str:
    """`$XDG_CACHE_HOME/convenant/words` (else `~/.cache/convenant/words`), as core.identity.cache_dir."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "convenant", "words")


def _kept(files: list[tuple[str, bytes]]) -> _Kept:
    digest = hashlib.sha256(f"{_FORMAT}\0{sys.version}\0{yaml.__version__}".encode())
    try:
        with open(__file__, "rb") as own:
            digest.update(own.read())
    except OSError:
        digest.update(b"\0unread")
    for name, data in files:
        digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return _Kept(os.path.join(cache_folder(), digest.hexdigest() + ".json"))


def _phrase(key: str, value: Any) -> Any:
    if isinstance(value, list):
        return [Phrase(v, f"{key}.{i}") for i, v in enumerate(value)]
    return Phrase(value, key)


@cache
def _phrases(lang: str) -> dict[str, Any]:
    if lang not in LANGUAGES:
        raise UnknownWord(f"no words in the language {lang!r}")
    return {key: _phrase(key, entry[lang]) for key, entry in catalogue().items()}


def word(key: str, lang: str) -> Any:
    """The phrase (or list of phrases) for `key`, unformatted."""
    try:
        return _phrases(lang)[key]
    except KeyError:
        raise UnknownWord(f"no words for {key!r}") from None


def say(key: str, lang: str, **args: Any) -> str:
    """The phrase for `key` in `lang`, its placeholders filled in from `args` (all of them, no more).

    >>> say("explanations.settle.receives", "nl", who="Assen", amount="€ 5,00")
    'Assen ontvangt € 5,00'
    """
    text = word(key, lang)
    if not isinstance(text, str):
        raise UnknownWord(f"{key!r} is a list of phrases; read it with word()")
    _check(key, text, args)
    return str.format(text, **args)


def fill(key: str, lang: str, args: Mapping[str, Any]) -> str:
    """The phrase for `key`, its placeholders taken from `args`, which may hold more: a message's
    arguments serve both languages and all its phrases. A placeholder `args` lacks raises.

    >>> fill("diagnostics.label.more", "en", {"count": 3, "path": "x"})
    'and 3 more'
    """
    text = word(key, lang)
    missing = sorted(placeholders(text) - set(args))
    if missing:
        raise PlaceholderMismatch(f"{key}: missing {missing}")
    return str.format_map(text, args)


@dataclass(frozen=True)
class Said:
    """A word to be said in the reader's language, later: a message's argument (`which=Said("effect.old")`)
    that engine.messages renders in the language of the message."""

    key: str

    def said(self, lang: str) -> str:
        return say(self.key, lang)

    def __str__(self) -> str:
        return say(self.key, "nl")


class Table(dict[str, Any]):
    """The phrases under one prefix, in one language, as a strict mapping: an unknown key raises
    `UnknownWord`, in a template too: `t.name` reaches `__getattr__`, whose error Jinja does not
    turn into an undefined value. (A dict, so that code typed for the old dictionaries reads it.)

    >>> t = table("report.merger", "nl")
    >>> sorted(t), t["facts"].format(given="A", name="B", code="C")[:22]
    (['facts', 'parties'], 'Het feitenbestand noem')
    """

    def __init__(self, prefix: str, lang: str) -> None:
        head = f"{prefix}."
        super().__init__({k[len(head) :]: v for k, v in _phrases(lang).items() if k.startswith(head)})
        self._prefix, self._lang = prefix, lang
        if not self:
            raise UnknownWord(f"no words under {prefix!r}")

    def __missing__(self, key: Any) -> Any:
        if isinstance(key, Enum) and str(key.value) in self:  # a Kind reads as its value
            return self[str(key.value)]
        raise UnknownWord(f"no words for {self._prefix}.{key}")

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self or (isinstance(key, Enum) and str(key.value) in self) else default

    def __getattr__(self, key: str) -> Any:  # Jinja's `t.name` (only for names no method has)
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("the catalogue of words is read-only")

    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = _refuse  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<words {self._prefix!r} in {self._lang!r}>"


@cache
def table(prefix: str, lang: str) -> Table:
    """The phrases under `prefix` in `lang` (cached; the catalogue does not change)."""
    return Table(prefix, lang)


class Languages(Mapping[str, Table]):
    """`{lang: table(prefix, lang)}` for code that picks the language first (`WORDS[lang][key]`)."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix

    def __getitem__(self, lang: str) -> Table:
        if lang not in LANGUAGES:
            raise UnknownWord(f"no words in the language {lang!r}")
        return table(self._prefix, lang)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)
