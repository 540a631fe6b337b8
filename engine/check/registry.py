"""The covenant versions that sit side by side in `rules/`, and which one is in force for a year."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from convenant.check.checking import SCHEMA_LINE, load_rule_file
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path, rules_dir
from convenant.core.reading import first_line
from convenant.language.model import RuleFile
from convenant.source import schemas
from convenant.source.loading import load_document


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
    try:
        data = load_document(path).data
        return data["covenant"]["id"] if isinstance(data["covenant"]["id"], str) else None
    except (ConvenantError, KeyError, TypeError):
        return None


def versions(covenant: str, directory: Path | None = None) -> list[Version]:
    """Every version of `covenant` in the rules directory, oldest period first. A file whose
    covenant cannot be read is checked in full, so that its problems are reported, not skipped."""
    found = []
    for path in rule_files(directory):
        if covenant_id(path) not in (covenant, None):
            continue
        rules = load_rule_file(path)
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
    listing = [
        (
            display_path(v.path),
            v.rules.covenant.version,
            v.rules.covenant.valid_from,
            v.rules.covenant.valid_until,
        )
        for v in candidates
    ]
    code = "registry.no_version" if not matching else "registry.several_versions"
    article = candidates[-1].rules.covenant.period_article
    raise ConvenantError(
        [Problem(code, {"covenant": covenant, "year": year, "versions": listing}, location, "year", article)]
    )


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
