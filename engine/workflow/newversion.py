"""`convenant new-version`: a new rule file from the current one, the old one's period closed.

The new file is the old file's text with four values replaced (version, version_date,
valid_from, valid_until) and, when it goes to another folder, its schema line pointed at the
same schema. The old file's valid_until becomes the day before the new version starts when it
ran on past that day. Both texts are checked completely, and against the other versions in the
rules directory, before anything is written; then the new file is created (never over an
existing file) and the old file replaced atomically. On a failure or an interrupt, only what
this command made is removed again.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from convenant import words
from convenant.check import registry
from convenant.check.checking import SCHEMA_LINE, check_rule_file, load_rule_file, table_for
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.output import cannot_write, place
from convenant.core.paths import display_path, rules_directory_of
from convenant.core.units import Kind, display
from convenant.language.model import RuleFile
from convenant.source import schemas
from convenant.source.loading import parse_document
from convenant.source.textedit import replace_first_line, replace_values
from convenant.workflow.legaltests import suite_of
from convenant.workflow.versions import overlap, overlap_problem

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
# the rule-file schema's pattern for covenant.version: letters, digits, '.', '_' and '-'
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


@dataclass(frozen=True)
class Plan:
    """Everything `write` will do, checked: the two texts and what they hold."""

    old: RuleFile
    old_path: Path
    new_path: Path
    new_text: str
    new: RuleFile
    closed_text: str | None  # the old file's new text; None when its period stays as it is
    closed: RuleFile
    stale_lines: tuple[int, ...]  # comment lines that still name the old version


def default_path(old_path: Path, version: str, valid_from: date) -> Path:
    """`<year>-v<version>.yaml` beside the old file, as rules/<regio>/<jaar>-v<versie>.yaml.

    >>> default_path(Path("rules/assen/2024-v1.6.yaml"), "1.7", date(2025, 1, 1)).as_posix()
    'rules/assen/2025-v1.7.yaml'
    """
    return old_path.parent / f"{valid_from.year}-v{_SAFE.sub('-', version)}.yaml"


def _refuse(code: str, location: Location | None = None, **args: object) -> ConvenantError:
    return ConvenantError([Problem(code, args, location)])


def plan(
    old_path: Path,
    version: str,
    valid_from: date,
    valid_until: date | None = None,
    version_date: date | None = None,
    out: Path | None = None,
) -> Plan:
    """Check the request and both resulting files; raise ConvenantError when anything is wrong."""
    old = load_rule_file(old_path)
    c = old.covenant
    at = old.document.locate
    if version == c.version:
        raise _refuse("new_version.same_version", at(("covenant", "version")), version=version)
    if valid_from <= c.valid_from:
        raise _refuse(
            "new_version.starts_too_early",
            at(("covenant", "valid_from")),
            valid_from=valid_from,
            old=c.version,
            old_from=c.valid_from,
        )
    new_path = out or default_path(old_path, version, valid_from)
    if new_path.exists():
        raise _refuse("new_version.exists", None, path=display_path(new_path))
    if not new_path.parent.is_dir():
        raise _refuse("new_version.no_folder", None, path=display_path(new_path.parent))
    if valid_until is None:
        if c.valid_until < valid_from:
            raise _refuse(
                "new_version.until_needed",
                at(("covenant", "valid_until")),
                old=c.version,
                old_until=c.valid_until,
            )
        valid_until = c.valid_until
    if valid_until < valid_from:
        raise _refuse("new_version.period_reversed", None, valid_from=valid_from, valid_until=valid_until)
    new_text = _new_text(
        old, old_path, new_path, version, valid_from, valid_until, version_date or date.today()
    )
    closed_text = None
    if c.valid_until >= valid_from:
        day_before = (valid_from - timedelta(days=1)).isoformat()
        closed_text = replace_values(old.document, {("covenant", "valid_until"): day_before})
    new = _checked(new_text, new_path)
    closed = _checked(closed_text, old_path) if closed_text else old
    _check_periods(new, closed, old_path, new_path)
    return Plan(
        old, old_path, new_path, new_text, new, closed_text, closed, _stale_lines(new_text, c.version)
    )


def _new_text(
    old: RuleFile,
    old_path: Path,
    new_path: Path,
    version: str,
    valid_from: date,
    valid_until: date,
    version_date: date,
) -> str:
    text = replace_values(
        old.document,
        {
            ("covenant", "version"): version,
            ("covenant", "version_date"): version_date.isoformat(),
            ("covenant", "valid_from"): valid_from.isoformat(),
            ("covenant", "valid_until"): valid_until.isoformat(),
        },
    )
    match = SCHEMA_LINE.match(text.split("\n", 1)[0])
    if match and new_path.resolve().parent != old_path.resolve().parent:
        schema = (old_path.resolve().parent / match[1]).resolve()
        if not schema.is_file():
            schema = schemas.schema_path(schemas.RULE_FILE)
        relative = Path(os.path.relpath(schema, new_path.resolve().parent)).as_posix()
        text = replace_first_line(text, f"# yaml-language-server: $schema={relative}")
    return text


def _checked(text: str, path: Path) -> RuleFile:
    """The rule file `text` would be at `path`; its problems, if any, with a note that nothing was written."""
    try:
        return check_rule_file(parse_document(text, display_path(path)), table_for(path))
    except ConvenantError as error:
        note = Problem("new_version.not_written", {"path": display_path(path)})
        raise ConvenantError([note, *error.problems]) from None


def _check_periods(new: RuleFile, closed: RuleFile, old_path: Path, new_path: Path) -> None:
    others = [closed]
    directory = rules_directory_of(new_path)
    if directory is not None:
        skip = {old_path.resolve(), new_path.resolve()}
        others += [
            v.rules for v in registry.versions(new.covenant.id, directory) if v.path.resolve() not in skip
        ]
    problems = [overlap_problem(new, other) for other in others if overlap(new.covenant, other.covenant)]
    if problems:
        note = Problem("new_version.not_written", {"path": display_path(new_path)})
        raise ConvenantError([note, *problems])


def _stale_lines(text: str, old_version: str) -> tuple[int, ...]:
    """Comment lines that still name the old version ("versie 1.6"): legal staff check them."""
    token = re.compile(rf"(?<![0-9.]){re.escape(old_version)}(?![0-9])")
    return tuple(
        i + 1
        for i, line in enumerate(text.splitlines())
        if line.lstrip().startswith("#") and token.search(line)
    )


def _temporary(beside: Path, text: str, mode_from: Path) -> Path:
    """`text` in a hidden file in the folder of `beside`, with the mode of `mode_from`."""
    handle, temporary = tempfile.mkstemp(dir=beside.parent, prefix=".convenant-", suffix=".yaml")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        shutil.copymode(mode_from, temporary)
    except BaseException:
        os.unlink(temporary)
        raise
    return Path(temporary)


def _copy_sentences(source: Path, target: Path) -> bool:
    """Copy the sentence templates to the new version's folder, all or nothing (a hidden copy
    renamed into place); True when copied. An existing folder is left as it is."""
    if not source.is_dir() or target.exists():
        return False
    stage = Path(tempfile.mkdtemp(dir=target.parent, prefix=".convenant-"))
    try:
        shutil.copytree(source, stage / target.name)
        os.rename(stage / target.name, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return True


def _copy_tests(old_path: Path, new_path: Path) -> bool:
    """Copy the legal staff's test file beside the new version (its fact paths stay right in the same
    folder); True when copied. An existing file is left as it is."""
    source, target = suite_of(old_path), suite_of(new_path)
    if not source.is_file() or target.exists() or source.parent.resolve() != target.parent.resolve():
        return False
    temporary = _temporary(target, source.read_text(encoding="utf-8"), source)
    try:
        place(temporary, target, replace=False)
    finally:
        temporary.unlink(missing_ok=True)
    return True


def write(plan: Plan) -> None:
    """Write the new file (never over an existing one) with a copy of the old one's sentence
    templates (legal staff's sentences carry over to the new version), then close the old one
    atomically; if anything fails or is interrupted, nothing new stays and the old file is as it
    was. A file-system error becomes a message naming the path."""
    from convenant.render.templating import sentence_dir

    new, copied, tests_copied = None, False, False
    new_sentences = sentence_dir(plan.new_path)
    try:
        temporary = _temporary(plan.new_path, plan.new_text, plan.old_path)
        try:
            place(temporary, plan.new_path, replace=False)
        finally:
            temporary.unlink(missing_ok=True)
        new = plan.new_path
        copied = _copy_sentences(sentence_dir(plan.old_path), new_sentences)
        tests_copied = _copy_tests(plan.old_path, plan.new_path)
        if plan.closed_text is not None:
            closed = _temporary(plan.old_path, plan.closed_text, plan.old_path)
            try:
                os.replace(closed, plan.old_path)
            finally:
                closed.unlink(missing_ok=True)
    except BaseException as error:
        if new is not None:
            new.unlink()
        if copied:  # only the folder this command made
            shutil.rmtree(new_sentences, ignore_errors=True)
        if tests_copied:
            suite_of(plan.new_path).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise cannot_write(plan.new_path.parent, error) from None
        raise


_WORDS = words.Languages("newversion")


def summary(plan: Plan, lang: str) -> str:
    """What `write` did, in words, with the next step."""
    w = _WORDS[lang]
    new, old = plan.new.covenant, plan.old.covenant

    def day(d: date) -> str:
        return display(Kind.DATE, d, lang)

    period = f"{day(new.valid_from)} {w['until']} {day(new.valid_until)}"
    new_path, old_path = display_path(plan.new_path), display_path(plan.old_path)
    out = [w["written"].format(path=new_path, version=new.version, period=period, date=day(new.version_date))]
    if plan.closed_text is not None:
        closed = plan.closed.covenant.valid_until
        out.append(w["closed"].format(path=old_path, until=day(closed), was=day(old.valid_until)))
        if closed.year == new.valid_from.year:
            out.append(w["split"].format(year=new.valid_from.year))
    else:
        out.append(w["kept"].format(path=old_path, until=day(old.valid_until)))
        if old.valid_until + timedelta(days=1) < new.valid_from:
            gap_end = new.valid_from - timedelta(days=1)
            out.append(w["gap"].format(start=day(old.valid_until + timedelta(days=1)), end=day(gap_end)))
    if plan.stale_lines:
        lines = ", ".join(map(str, plan.stale_lines))
        out.append(w["stale"].format(path=new_path, old=old.version, lines=lines))
    out += [w["next"], f"  convenant diff {old_path} {new_path}"]
    return "\n".join(out) + "\n"
