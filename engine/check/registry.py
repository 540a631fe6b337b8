"""The covenant versions that sit side by side in `rules/`, and which one is in force for a year.

A process that lives long (the web application) asks for the versions on every request; reading
and checking every rule file again took four fifths of an evaluation. So the checked versions of a
rules directory are kept under the digest of everything in it (every file's place and content,
`directory_digest`): a rule file, table or sentence template edited on disk changes the digest, and
the next request reads the directory again, after the tables kept by path are forgotten too.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import NoReturn

from convenant.check.checking import SCHEMA_LINE, check_rule_file, load_rule_file, table_for
from convenant.core.dates import Period
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path, rules_dir, shown_context
from convenant.core.reading import first_line
from convenant.language.model import Covenant, RuleFile
from convenant.source import schemas
from convenant.source.loading import Document, load_document


@dataclass(frozen=True)
class Version:
    path: Path
    rules: RuleFile


def is_rule_file(path: Path) -> bool:
    """True when the first line names the rule-file schema."""
    line = first_line(path)
    match = SCHEMA_LINE.match(line) if line is not None else None
    return match is not None and Path(match[1]).name == schemas.RULE_FILE


def rule_files(directory: Path | None = None) -> list[Path]:
    directory = directory or rules_dir()
    return sorted(p for p in directory.rglob("*.yaml") if is_rule_file(p))


def covenant_id(path: Path) -> str | None:
    """The covenant a rule file belongs to, read without checking the file (None if unreadable);
    only the files of the covenant asked for are then checked in full."""
    return _covenant_of(_document(path))


def _document(path: Path) -> Document | None:
    """A rule file read as `load_rule_file` reads it (None if it cannot be read: it is then checked
    in full, which says why)."""
    try:
        return load_document(path, display_path(path))
    except ConvenantError:
        return None


def _covenant_of(doc: Document | None) -> str | None:
    try:
        found = doc.data["covenant"]["id"] if doc is not None else None
    except (KeyError, TypeError):
        return None
    return found if isinstance(found, str) else None


_KEPT = 16  # rules directories whose checked versions are kept (a server reads one; tests many)
_kept: OrderedDict[tuple[object, ...], tuple[str, list[Version]]] = OrderedDict()
_digests: dict[str, str] = {}
_lock = threading.Lock()
_forgetters: list[Callable[[], None]] = []


def directory_digest(directory: Path) -> str:
    """The sha256 of every file under `directory`, by its place and its content (the bundled rules,
    some forty files, take about a millisecond: certain where a file's time of change is not)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def forget_when_changed(forget: Callable[[], None]) -> None:
    """Call `forget` whenever a rules directory read before has changed (a later layer's caches
    by path: the sentence templates' environments)."""
    with _lock:
        if forget not in _forgetters:
            _forgetters.append(forget)


def _noticed(root: str, digest: str) -> None:
    """Forget what is kept by path when the directory's content changed since it was last read."""
    from convenant.check import municipalities, tables

    if _digests.get(root, digest) != digest:
        municipalities.forget()
        tables.forget()
        for forget in _forgetters:
            forget()
    _digests[root] = digest


def versions(covenant: str, directory: Path | None = None) -> list[Version]:
    """Every version of `covenant` in the rules directory, oldest period first (kept while the
    directory's content, and the way its files are shown, stay the same). A file whose covenant
    cannot be read is checked in full, so that its problems are reported, not skipped."""
    root = directory or rules_dir()
    digest = directory_digest(root)
    resolved = str(root.resolve())
    key = (covenant, resolved, shown_context())  # a checked rule file holds its paths as shown
    with _lock:
        _noticed(resolved, digest)
        kept = _kept.get(key)
        if kept is not None and kept[0] == digest:
            _kept.move_to_end(key)
            return list(kept[1])
    found = _read_versions(covenant, root)
    with _lock:
        _kept[key] = (digest, found)
        while len(_kept) > _KEPT:
            _kept.popitem(last=False)
    return list(found)


def _read_versions(covenant: str, directory: Path) -> list[Version]:
    found = []
    for path in rule_files(directory):
        doc = _document(path)  # read once: for its covenant, then checked in full
        if _covenant_of(doc) not in (covenant, None):
            continue
        rules = check_rule_file(doc, table_for(path)) if doc is not None else load_rule_file(path)
        if rules.covenant.id == covenant:
            found.append(Version(path, rules))
    return sorted(found, key=lambda v: (v.rules.covenant.valid_from, v.rules.covenant.version))


def known_covenants(directory: Path | None = None) -> list[str]:
    return sorted({c for p in rule_files(directory) if (c := covenant_id(p))})


def in_force(
    covenant: str, year: int, directory: Path | None = None, location: Location | None = None
) -> RuleFile:
    """The version of `covenant` in force in `year`; a clear error when none or several are."""
    candidates = versions(covenant, directory)
    if not candidates:
        raise ConvenantError(
            [
                Problem(
                    "registry.unknown_covenant",
                    {
                        "covenant": covenant,
                        "known": ", ".join(known_covenants(directory)) or "—",
                        "directory": display_path(directory or rules_dir()),
                    },
                    location,
                )
            ]
        )
    matching = [v for v in candidates if v.rules.covenant.covers(year)]
    if len(matching) == 1:
        return matching[0].rules
    article = candidates[-1].rules.covenant.period_article
    if len(matching) > 1 and not _any_overlap(matching):
        _refuse_split_year(covenant, year, matching, location)
    code = "registry.no_version" if not matching else "registry.several_versions"
    raise ConvenantError(
        [
            Problem(
                code,
                {"covenant": covenant, "year": year, "versions": _listing(candidates)},
                location,
                "year",
                article,
            )
        ]
    )


def _listing(found: list[Version]) -> list[tuple[str, str, date, date]]:
    """(file, version, first day, last day) of each version, as the messages list them."""
    return [
        (
            display_path(v.path),
            v.rules.covenant.version,
            v.rules.covenant.valid_from,
            v.rules.covenant.valid_until,
        )
        for v in found
    ]


def _any_overlap(found: list[Version]) -> bool:
    """True when two of the versions share a day (both ends count)."""
    periods = sorted((v.rules.covenant.valid_from, v.rules.covenant.valid_until) for v in found)
    return any(later[0] <= earlier[1] for earlier, later in pairwise(periods))


def _refuse_split_year(
    covenant: str, year: int, matching: list[Version], location: Location | None
) -> NoReturn:
    """A year that versions following each other share (one ends in it, the next begins in it): the
    engine does not choose between them; the user does, with --rules. Never called an overlap."""
    latest = matching[-1]
    args = {
        "covenant": covenant,
        "year": year,
        "names": [v.rules.covenant.version for v in matching],
        "versions": _listing(matching),
        "example": display_path(latest.path),
    }
    raise ConvenantError(
        [Problem("registry.year_split", args, location, "year", latest.rules.covenant.period_article)]
    )


def part_of_year(covenant: Covenant, year: int) -> Period | None:
    """The days of `year` a version covers when it covers only part of that year; None when it
    covers the whole year (or none of it). A year evaluated under such a version carries a warning.

    >>> from convenant.core.citation import Citation
    >>> c = Covenant("x", "X", None, "1", date(2023, 11, 8), date(2024, 1, 1), date(2025, 6, 30),
    ...              Citation(10), None, None, None)
    >>> part_of_year(c, 2024) is None, part_of_year(c, 2025), part_of_year(c, 2026)
    (True, Period(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 6, 30)), None)
    """
    if not covenant.covers(year):
        return None
    start, end = max(covenant.valid_from, date(year, 1, 1)), min(covenant.valid_until, date(year, 12, 31))
    return None if (start, end) == (date(year, 1, 1), date(year, 12, 31)) else Period(start, end)


def check_year(rules: RuleFile, year: int, location: Location | None = None) -> None:
    """Refuse a year outside the period of an explicitly chosen rule file."""
    c = rules.covenant
    if not c.covers(year):
        raise ConvenantError(
            [
                Problem(
                    "registry.no_version",
                    {
                        "covenant": c.id,
                        "year": year,
                        "versions": [(rules.path, c.version, c.valid_from, c.valid_until)],
                    },
                    location,
                    "year",
                    c.period_article,
                )
            ]
        )


def chosen(path: Path, covenant: str, year: int) -> RuleFile:
    """A rule file given with --rules for `covenant` and `year` (`convenant deadlines`): of that
    covenant, and covering the year (perhaps only part of it: the output then says so)."""
    rules = load_rule_file(path)
    if rules.covenant.id != covenant:
        raise ConvenantError(
            [
                Problem(
                    "registry.other_covenant",
                    {"rules": rules.path, "found": rules.covenant.id, "expected": covenant},
                    rules.document.locate(("covenant", "id")),
                    "covenant.id",
                )
            ]
        )
    check_year(rules, year)
    return rules


def check_first_year(rules: RuleFile, year: int, location: Location | None = None) -> None:
    """Refuse a year before the first year the covenant's computations apply (Groningen: 2022)."""
    c = rules.covenant
    if c.first_year is not None and year < c.first_year:
        raise ConvenantError(
            [
                Problem(
                    "registry.before_first_year",
                    {"covenant": c.id, "year": year, "first": c.first_year},
                    location,
                    "year",
                    c.first_year_article or c.period_article,
                )
            ]
        )
