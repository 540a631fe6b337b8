"""Problems → words, in Dutch (default) or English, with the source line and a caret under the
fault, the field, the article it belongs to, and what to do.

    fout: onbekend veld ‘vlaue’
      --> rules/assen/2024-v1.6.yaml:57:5
       |
    57 |     vlaue: 50
       |     ^^^^^
       = veld: parameters.weging_inwoners.vlaue
       = artikel: artikel 8, vijfde lid
       = wat te doen: bedoelt u ‘value’? Toegestaan zijn: label, value, unit, article, note.

A failure while evaluating points first at the fact whose value caused it, then at the rule file's
part that failed, as a second excerpt "(in de regel ‘…’)"; other facts follow on one line "= ook:"
(docs/developers.md, "Failures while evaluating").
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import words
from convenant.core.citation import Citation
from convenant.core.dates import dutch_date
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.reading import read_bytes
from convenant.core.units import UNIT_NAMES, Kind, percent_text
from convenant.words import fill, say

LANGUAGES = ("nl", "en")

# code → language → (what is wrong, what to do): a read-only view of the one catalogue of words
# (engine/words/messages.yaml), for the message table and the tests that walk every code.
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    key.removeprefix("messages.").removesuffix(".what"): {
        lang: (words.word(key, lang), words.word(key.removesuffix(".what") + ".todo", lang))
        for lang in LANGUAGES
    }
    for key in words.catalogue()
    if key.startswith("messages.") and key.endswith(".what")
}
LABELS = words.Languages("diagnostics.label")


def language(explicit: str | None = None) -> str:
    lang = explicit or os.environ.get("CONVENANT_LANG", "nl")
    return lang if lang in LANGUAGES else "nl"


def _word(value: Any, lang: str) -> str:
    if isinstance(value, words.Said) or callable(getattr(value, "said", None)):
        return str(value.said(lang))  # a word, or a phrase built in the message's language
    if isinstance(value, Kind):
        return UNIT_NAMES[lang][value]
    if isinstance(value, Citation):
        return value.formal(lang)
    if isinstance(value, date):
        return dutch_date(value, lang)
    if isinstance(value, Fraction):
        return percent_text(value, lang=lang)
    if isinstance(value, list | tuple):
        shown = [_word(v, lang) for v in value]
        if len(shown) < 2:
            return shown[0] if shown else "—"
        return ", ".join(shown[:-1]) + say("list.and", lang) + shown[-1]
    if value is None:
        return "—"
    return str(value)


def _type_word(name: Any, lang: str) -> str:
    """A JSON Schema type in words ("tekst"); a name that is not a type is kept."""
    key = f"diagnostics.type.{name}"
    return say(key, lang) if key in words.catalogue() else str(name)


def _arguments(problem: Problem, lang: str) -> dict[str, str]:
    args = {k: _word(v, lang) for k, v in problem.args.items()}
    raw = problem.args
    if "suggestion" in raw:
        s = raw["suggestion"]
        args["suggestion"] = say("diagnostics.argument.suggestion", lang, suggestion=s) if s else ""
    if "suggestions" in raw:
        s = raw["suggestions"]
        options = say("list.or", lang).join(f"‘{x}’" for x in s)
        args["suggestions"] = say("diagnostics.argument.suggestions", lang, options=options) if s else ""
    if "expected" in raw and isinstance(raw["expected"], list):
        names = [_type_word(t, lang) for t in raw["expected"]]
        or_word = say("list.or", lang)
        args["expected"] = or_word.join([", ".join(names[:-1]), names[-1]] if len(names) > 2 else names)
    if "got" in raw:
        args["got"] = _type_word(raw["got"], lang)
    if "hint" in raw:
        hint = raw["hint"]
        args["hint"] = say(f"diagnostics.argument.hint.{hint}", lang) if hint in ("quote", "unquote") else ""
    if "whose" in raw:
        args["whose_text"] = (
            say("diagnostics.argument.whose", lang, whose=raw["whose"]) if raw["whose"] else ""
        )
    if "versions" in raw:
        args["versions"] = "".join(
            say(
                "diagnostics.argument.version",
                lang,
                version=v,
                start=_word(a, lang),
                end=_word(b, lang),
                path=p,
            )
            for p, v, a, b in raw["versions"]
        )
    if "allowed" in raw:  # a list of choices, or the choices already written out
        allowed = raw["allowed"]
        args["allowed"] = allowed if isinstance(allowed, str) else ", ".join(str(a) for a in allowed)
    return args


# Jinja's syntax errors in the words of the one who wrote the template (Jinja writes English).
_JINJA_SYNTAX: list[tuple[re.Pattern[str], str]] = [  # pattern → key under diagnostics.jinja
    (re.compile(r"unexpected end of template, expected '(?P<a>[^']+)'"), "ends_early"),
    (
        re.compile(r"Unexpected end of template\..*innermost block that needs to be closed is '(?P<a>\w+)'"),
        "block_not_closed",
    ),
    (re.compile(r"expected token '(?P<a>[^']+)', got '(?P<b>[^']*)'"), "expected_token"),
    (re.compile(r"Encountered unknown tag '(?P<a>\w+)'"), "unknown_tag"),
    (re.compile(r"unexpected char '(?P<a>.+?)'"), "unexpected_char"),
    (re.compile(r"unexpected '(?P<a>[^']+)'"), "unexpected"),
]
_JINJA_TOKENS = ("end of print statement", "end of statement block", "name")  # in diagnostics.jinja_token


# PyYAML's syntax errors, in words (PyYAML writes English).
_YAML_SYNTAX: list[tuple[re.Pattern[str], str]] = [  # pattern → key under diagnostics.yaml
    (re.compile(r"tab character|character '\\t'"), "tab"),
    (re.compile(r"did not find expected ',' or '\]'"), "list_not_closed"),
    (re.compile(r"did not find expected ',' or '\}'"), "block_not_closed"),
    (re.compile(r"did not find expected node content"), "value_missing"),
    (re.compile(r"mapping values are not allowed"), "colon"),
    (re.compile(r"could not find expected ':'"), "colon_missing"),
    (re.compile(r"found unexpected end of stream|found unexpected end of"), "quote_not_closed"),
    (re.compile(r"expected <block end>|did not find expected key|expected <document start>"), "indentation"),
    (
        re.compile(r"found character '(?P<a>.)' that cannot start any token|cannot start any token"),
        "cannot_start",
    ),
]


def yaml_syntax(text: str, lang: str) -> str:
    """PyYAML's syntax message in words; text PyYAML writes that is not known here is kept."""
    for pattern, key in _YAML_SYNTAX:
        if pattern.search(text):
            return say(f"diagnostics.yaml.{key}", lang)
    return text


def _jinja_token(text: str, lang: str) -> str:
    """What Jinja expected, in words ("een naam"); a token itself ("endif") is kept."""
    return say(f"diagnostics.jinja_token.{text.replace(' ', '_')}", lang) if text in _JINJA_TOKENS else text


def jinja_syntax(text: str, lang: str) -> str:
    """Jinja's syntax message in words; text Jinja writes that is not known here is kept."""
    for pattern, key in _JINJA_SYNTAX:
        found = pattern.search(text)
        if found:
            parts = {k: _jinja_token(v, lang) for k, v in found.groupdict().items()}
            return say(f"diagnostics.jinja.{key}", lang, **parts)
    return text


def message(problem: Problem, lang: str = "nl") -> tuple[str, str]:
    """(what is wrong, what to do) for one problem."""
    entry = CATALOGUE.get(problem.code)
    if entry is None:
        return problem.code, ", ".join(f"{k}={v}" for k, v in problem.args.items())
    args = _arguments(problem, lang)
    if problem.code == "template.syntax":
        args["message"] = jinja_syntax(str(problem.args.get("message", "")), lang)
    if problem.code == "yaml.syntax":
        tab = problem.args.get("found") == "\t"
        args["detail"] = yaml_syntax("tab character" if tab else str(problem.args.get("detail", "")), lang)
    key = f"messages.{problem.code}"
    return fill(f"{key}.what", lang, args), fill(f"{key}.todo", lang, args).strip()


_SOURCE_LIMIT = 64 * 1024 * 1024  # never read more than this to show one line
_SHOWN = 120  # a longer source line is shown as a window of this many characters around the fault


def _source_line(path: str, line: int) -> str | None:
    try:
        raw = read_bytes(Path(path), path, _SOURCE_LIMIT)
    except ConvenantError:
        return None
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()  # a byte-order mark is no text
    return lines[line - 1] if 0 < line <= len(lines) else None


def _window(text: str, column: int) -> tuple[str, int]:
    """A long line cut to the part around `column` (1-based), with the column in the cut."""
    if len(text) <= _SHOWN:
        return text, column
    start = max(0, min(column - 1 - _SHOWN // 3, len(text) - _SHOWN))
    cut = ("…" if start else "") + text[start : start + _SHOWN] + ("…" if start + _SHOWN < len(text) else "")
    return cut, column - start + (1 if start else 0)


ALSO_SHOWN = 4  # further facts a message names, before "en nog …"


def render(
    problem: Problem, lang: str = "nl", source: Callable[[str, int], str | None] = _source_line
) -> str:
    """One problem as a boxed message with the source excerpt and a caret under the fault; a
    failure while evaluating shows the rule file's expression below the fact that caused it."""
    words = LABELS[lang]
    what, todo = message(problem, lang)
    out = [f"{words[problem.severity]}: {what}"]
    rules = [p for p in problem.places if p.what == "rule"]
    shown = [loc for loc in (problem.location, *(p.location for p in rules)) if loc and loc.line]
    width = max((len(str(loc.line)) for loc in shown), default=1)
    if problem.location is not None:
        out += _excerpt(problem.location, source, width)
    for place in rules:
        out += _excerpt(place.location, source, width, words["in_rule"].format(name=place.name))
    if problem.field:
        out.append(f"   = {words['field']}: {problem.field}")
    facts = [p.location for p in problem.places if p.what == "fact"]
    if facts:
        out.append(f"   = {words['also']}: {_also(facts, words)}")
    if problem.article:
        out.append(f"   = {words['article']}: {problem.article.formal(lang)}")
    if problem.related:
        out.append(f"   = {words['related']}: {problem.related}")
    if todo:
        out.append(f"   = {words['todo']}: {todo}")
    return "\n".join(out)


def _excerpt(
    loc: Location, source: Callable[[str, int], str | None], width: int, label: str | None = None
) -> list[str]:
    """`--> file:line:column`, the line itself and a caret under the fault."""
    out = [f"  --> {loc}" + (f" ({label})" if label else "")]
    text = source(loc.path, loc.line) if loc.line else None
    if text is not None and loc.line is not None and loc.column is not None:
        text, column = _window(text, loc.column)  # a very long line: the part around the fault
        caret = max(1, min(loc.length, len(text) - column + 1, _SHOWN))
        gutter = " " * max(width, len(str(loc.line)))
        out += [
            f" {gutter} |",
            f" {loc.line:>{len(gutter)}} | {text}",
            f" {gutter} | {' ' * (column - 1)}{'^' * caret}",
        ]
    return out


def _also(facts: list[Location], words: Mapping[str, str]) -> str:
    """Further facts that caused a failure, as file:line:column (editors open them there)."""
    shown = ", ".join(str(loc) for loc in facts[:ALSO_SHOWN])
    more = len(facts) - ALSO_SHOWN
    return shown + (" " + words["more"].format(count=more) if more > 0 else "")


def render_all(problems: Iterable[Problem], lang: str = "nl") -> str:
    return "\n\n".join(render(p, lang) for p in problems)
