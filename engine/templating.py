"""Jinja, the one way: sandboxed, `StrictUndefined`, autoescaped for HTML; template faults as
problems with the template's file and line.

Two kinds of template are loaded through one environment per output format:

- `engine/…`: the shared layouts in `engine/templates/` (explanation, letter, one per primitive,
  and `markup/<format>.j2`, the macros that make one template serve Markdown and HTML);
- `rules/…`: the sentence templates legal staff own, one per rule, in the folder beside the rule
  file (`rules/assen/2024-v1.6.templates/<rule>.j2`).

A misspelt variable is caught twice: statically (every branch, `find_unknown`) and when the
template is rendered (`render`), both reported as `template.unknown_variable` at file:line.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import traceback
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
    meta,
    nodes,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from convenant.diagnostics import ConvenantError, Location, Problem
from convenant.paths import display_path

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
FORMATS = ("md", "html")
SUFFIX = ".j2"
_UNDEFINED = re.compile(r"'(?P<name>[^']+)' is undefined|has no attribute '(?P<attr>[^']+)'")


def sentence_dir(rule_file: Path | str) -> Path:
    """Where the sentence templates of a rule file live: `<file without .yaml>.templates/`."""
    path = Path(rule_file)
    return path.with_name(path.stem + ".templates")


@cache
def environment(fmt: str, sentences: Path | None) -> SandboxedEnvironment:
    """The environment for one output format; HTML is autoescaped, Markdown is not."""
    # "utf-8-sig": a template saved with a byte-order mark (Notepad) does not start with one
    loaders: dict[str, Any] = {"engine": FileSystemLoader(TEMPLATES_DIR, encoding="utf-8-sig")}
    if sentences is not None:
        loaders["rules"] = FileSystemLoader(sentences, encoding="utf-8-sig")
    env = SandboxedEnvironment(
        loader=PrefixLoader(loaders),
        undefined=StrictUndefined,
        autoescape=fmt == "html",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    env.globals["format"] = fmt
    return env


def _location(filename: str | None, line: int | None, word: str | None = None) -> Location:
    path = display_path(Path(filename)) if filename else "<template>"
    column, length = 1, 1
    if filename and line and word:
        try:
            text = Path(filename).read_text(encoding="utf-8-sig").splitlines()[line - 1]
        except (OSError, IndexError):
            text = ""
        found = _find_name(text, word)
        if found is not None:
            column, length = found + 1, len(word)
    return Location(path, line, column if line else None, length)


_JINJA_SPAN = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def _find_name(line: str, name: str) -> int | None:
    """Where `name` is read inside a {{ … }} or {% … %} on this line (0-based), if it is."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    for span in _JINJA_SPAN.finditer(line):
        hit = word.search(line, span.start(), span.end())
        if hit:
            return hit.start()
    return None


_UNSAFE = re.compile(r"attribute '(?P<attr>[^']+)'|^(?P<call>.+?) is not safely callable")


def _frame(error: BaseException) -> tuple[str | None, int | None]:
    """The template file and line a runtime fault happened in: the innermost frame of a sentence
    template when there is one (the file legal staff can open), else of a shared layout."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(SUFFIX)]
    own = [f for f in frames if not Path(f.filename).resolve().is_relative_to(TEMPLATES_DIR)]
    chosen = (own or frames)[-1:]
    return (chosen[0].filename, chosen[0].lineno) if chosen else (None, None)


def _problem_of(error: TemplateError, known: Iterable[str]) -> Problem:
    if isinstance(error, TemplateSyntaxError):
        return Problem(
            "template.syntax",
            {"message": error.message or str(error)},
            _location(error.filename, error.lineno),
        )
    filename, line = _frame(error)
    if isinstance(error, TemplateNotFound):
        return Problem("template.not_found", {"name": error.name}, _location(filename, line, None))
    if isinstance(error, SecurityError):
        unsafe = _UNSAFE.search(error.message or "")
        name = (unsafe["attr"] or unsafe["call"]) if unsafe else "?"
        return Problem("template.unsafe", {"name": name}, _location(filename, line, name))
    match = _UNDEFINED.search(error.message or "")
    name = (match["name"] or match["attr"]) if match else None
    where = _location(filename, line, name)
    if isinstance(error, UndefinedError) and name:
        return _unknown(name, known, where)
    return Problem("template.error", {"message": error.message or str(error)}, where)


def render(fmt: str, sentences: Path | None, name: str, context: Mapping[str, Any]) -> str:
    """Render one template; a fault becomes a ConvenantError naming the template's file and line."""
    env = environment(fmt, sentences)
    try:
        template = env.get_template(name)
    except TemplateNotFound as error:
        raise ConvenantError([Problem("template.not_found", {"name": error.name})]) from None
    try:
        return template.render(context)
    except TemplateError as error:  # an include or import of a template that is not there too
        raise ConvenantError([_problem_of(error, context)]) from None


def find_unknown(fmt: str, sentences: Path | None, name: str, known: Iterable[str]) -> list[Problem]:
    """Every variable a template reads, in any branch, that is neither given nor set in it."""
    env = environment(fmt, sentences)
    source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    try:
        tree = env.parse(source, name, filename)
    except TemplateSyntaxError as error:
        error.filename = filename
        return [_problem_of(error, known)]
    allowed = set(known) | set(env.globals)
    unknown = meta.find_undeclared_variables(tree) - allowed
    problems = []
    for word in sorted(unknown):
        line = min(n.lineno for n in tree.find_all(nodes.Name) if n.name == word and n.ctx == "load")
        problems.append(_unknown(word, known, _location(filename, line, word)))
    return problems


def _unknown(name: str, known: Iterable[str], where: Location) -> Problem:
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1)
    args = {"name": name, "known": names, "suggestion": close[0] if close else None}
    return Problem("template.unknown_variable", args, where)


def folder_sha256(folder: Path | None) -> str | None:
    """One hash over a folder of templates (names and contents), for the reproducibility block."""
    if folder is None:
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_BLANK_RUNS = re.compile(r"\n{3,}")


def tidy(text: str, fmt: str) -> str:
    """No trailing spaces, no runs of blank lines in Markdown, exactly one final newline."""
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    if fmt == "md":
        lines = _BLANK_RUNS.sub("\n\n", lines)
    return lines.strip("\n") + "\n"
