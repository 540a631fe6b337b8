"""The versions of one covenant side by side: their periods, their status on a reference date,
and overlapping periods, which `validate` refuses (a year must have one version in force).

Status on a reference date `on`: *in werking* when valid_from ≤ on ≤ valid_until, *vervallen*
when valid_until < on, *toekomstig* when on < valid_from.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from convenant import words
from convenant.check import registry
from convenant.check.checking import load_rule_file
from convenant.core.columns import columns
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import display_path, rules_dir, rules_directory_of
from convenant.core.units import Kind, display
from convenant.language.model import Covenant, RuleFile

# A version's status on a reference date: identifiers; the JSON output writes them as the words of
# its contract (STATUS_IN_JSON), the table in the reader's language (versions.status.*).
IN_FORCE, EXPIRED, FUTURE = "in_force", "expired", "future"
STATUS_IN_JSON = {IN_FORCE: "in_werking", EXPIRED: "vervallen", FUTURE: "toekomstig"}
STATUS_WORDS = words.Languages("versions.status")
_WORDS = words.Languages("versions")


def status(covenant: Covenant, on: date) -> str:
    """The status of a version on a reference date.

    >>> from convenant.core.citation import Citation
    >>> c = Covenant("x", "X", None, "1", date(2023, 11, 8), date(2024, 1, 1), date(2025, 12, 31),
    ...              Citation(10), None, None, None)
    >>> [status(c, date(y, 6, 1)) for y in (2023, 2024, 2026)]
    ['future', 'in_force', 'expired']
    """
    if on < covenant.valid_from:
        return FUTURE
    return EXPIRED if covenant.valid_until < on else IN_FORCE


def overlap(a: Covenant, b: Covenant) -> bool:
    """True when two periods share a day (both ends count)."""
    return a.id == b.id and a.valid_from <= b.valid_until and b.valid_from <= a.valid_until


def listing(covenant: str, directory: Path | None = None) -> list[registry.Version]:
    """Every version of `covenant`, oldest first; a clear error when there is none."""
    found = registry.versions(covenant, directory)
    if not found:
        raise ConvenantError(
            [
                Problem(
                    "registry.unknown_covenant",
                    {
                        "covenant": covenant,
                        "known": ", ".join(registry.known_covenants(directory)) or "—",
                        "directory": display_path(directory or rules_dir()),
                    },
                )
            ]
        )
    return found


def _period(c: Covenant, lang: str) -> str:
    until = _WORDS[lang]["until"]
    return f"{display(Kind.DATE, c.valid_from, lang)} {until} {display(Kind.DATE, c.valid_until, lang)}"


def _overlapping_pairs(found: list[registry.Version]) -> list[tuple[registry.Version, registry.Version]]:
    return [
        (a, b)
        for i, a in enumerate(found)
        for b in found[i + 1 :]
        if overlap(a.rules.covenant, b.rules.covenant)
    ]


def split_years(found: list[registry.Version]) -> list[tuple[int, registry.Version, registry.Version]]:
    """The years two versions that follow each other share: one ends in the year, the next begins in
    it (they do not overlap). `evaluate` refuses such a year unless a rule file is given (--rules)."""
    ordered = sorted(found, key=lambda v: v.rules.covenant.valid_from)
    return [
        (b.rules.covenant.valid_from.year, a, b)
        for a, b in pairwise(ordered)
        if not overlap(a.rules.covenant, b.rules.covenant)
        and a.rules.covenant.valid_until.year == b.rules.covenant.valid_from.year
    ]


def listing_text(covenant: str, found: list[registry.Version], on: date, lang: str) -> str:
    words = _WORDS[lang]
    rows: list[list[str]] = [list(words["head"])]
    for v in found:
        c = v.rules.covenant
        rows.append(
            [
                c.version,
                display(Kind.DATE, c.version_date, lang),
                _period(c, lang),
                STATUS_WORDS[lang][status(c, on)],
                display_path(v.path),
            ]
        )
    out = [words["title"].format(id=covenant, on=display(Kind.DATE, on, lang))]
    out += columns(rows)  # aligned, and wrapped to fit the terminal
    for a, b in _overlapping_pairs(found):
        out.append(words["overlap"].format(a=a.rules.covenant.version, b=b.rules.covenant.version))
    for year, a, b in split_years(found):
        first, second = a.rules.covenant, b.rules.covenant
        out.append(
            words["split"].format(
                year=year,
                a=first.version,
                until=display(Kind.DATE, first.valid_until, lang),
                b=second.version,
                start=display(Kind.DATE, second.valid_from, lang),
            )
        )
    return "\n".join(out) + "\n"


def listing_json(covenant: str, found: list[registry.Version], on: date) -> dict[str, Any]:
    return {
        "covenant": covenant,
        "on": on.isoformat(),
        "versions": [
            {
                "version": v.rules.covenant.version,
                "title": v.rules.covenant.title,
                "version_date": v.rules.covenant.version_date.isoformat(),
                "valid_from": v.rules.covenant.valid_from.isoformat(),
                "valid_until": v.rules.covenant.valid_until.isoformat(),
                "status": STATUS_IN_JSON[status(v.rules.covenant, on)],
                "rule_file": display_path(v.path),
                "sha256": v.rules.sha256,
            }
            for v in found
        ],
        "overlaps": [
            [a.rules.covenant.version, b.rules.covenant.version] for a, b in _overlapping_pairs(found)
        ],
        "split_years": [
            {"year": year, "versions": [a.rules.covenant.version, b.rules.covenant.version]}
            for year, a, b in split_years(found)
        ],
    }


# --- overlapping periods, for `validate` ------------------------------------------------------


def overlap_problem(a: RuleFile, b: RuleFile) -> Problem:
    """Two versions of one covenant whose periods overlap; both files are named."""
    first, second = sorted((a, b), key=lambda r: (r.covenant.valid_from, r.path))
    f, s = first.covenant, second.covenant
    return Problem(
        "versions.overlap",
        {
            "covenant": f.id,
            "file_a": first.path,
            "version_a": f.version,
            "from_a": f.valid_from,
            "until_a": f.valid_until,
            "file_b": second.path,
            "version_b": s.version,
            "from_b": s.valid_from,
            "until_b": s.valid_until,
            "day_before": date.fromordinal(s.valid_from.toordinal() - 1).isoformat(),
        },
        second.document.locate(("covenant", "valid_from")),
        "covenant.valid_from",
        s.period_article,
        first.document.locate(("covenant", "valid_until")),
    )


def _siblings(path: Path, given: set[Path]) -> list[Path]:
    """The other rule files in the rules directory of `path` that were not given themselves."""
    directory = rules_directory_of(path)
    if directory is None:
        return []
    return [p.resolve() for p in registry.rule_files(directory) if p.resolve() not in given]


def period_problems(given: dict[Path, RuleFile]) -> list[Problem]:
    """Overlapping periods among the given rule files, and between each of them and the other
    versions in its rules directory (a file there that does not load is left to its own check)."""
    unique = list({p.resolve(): r for p, r in given.items()}.items())
    loaded: dict[Path, RuleFile | None] = {}

    def load(path: Path) -> RuleFile | None:
        if path not in loaded:
            try:
                loaded[path] = load_rule_file(path)
            except ConvenantError:
                loaded[path] = None
        return loaded[path]

    problems = []
    for i, (path, a) in enumerate(unique):
        siblings = [load(p) for p in _siblings(path, {q for q, _ in unique})]
        for b in [r for _, r in unique[i + 1 :]] + siblings:
            if b is not None and overlap(a.covenant, b.covenant):
                problems.append(overlap_problem(a, b))
    return problems
