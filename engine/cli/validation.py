"""`convenant validate`: check every file given (or found in a folder) by the schema it names.

Rule files, the municipalities table and fact files are recognised by their first line
(`# yaml-language-server: $schema=…`); a fact file without that line is recognised by its
`covenant` and `year`. A fact file is valid when it evaluates against the rule file in force (or
the one given with --rules; one that covers only part of the year is a warning).
Versions of one covenant whose periods overlap are refused, naming both files (`engine.versions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from convenant import words
from convenant.check import registry
from convenant.check.checking import SCHEMA_LINE, load_rule_file, table_for
from convenant.check.municipalities import load_table
from convenant.check.tables import OFF, ROUNDING, findings
from convenant.check.tables import load_table as load_data_table
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path
from convenant.core.reading import first_line
from convenant.language.model import RuleFile
from convenant.source import schemas
from convenant.source.loading import load_document
from convenant.source.workbook import is_workbook
from convenant.workflow.session import evaluate_file
from convenant.workflow.versions import period_problems

RULE_FILE, TABLE, FACTS, DATA = "rule-file", "municipalities", "facts", "data-table"
PROFILE = "sender-profile"
TESTS = "rule-tests"
KIND_WORDS = words.Languages("validation.kind")
_BY_SCHEMA = {
    schemas.RULE_FILE: RULE_FILE,
    schemas.MUNICIPALITIES: TABLE,
    schemas.FACTS: FACTS,
    schemas.TABLE: DATA,
    "sender-profile.schema.json": PROFILE,  # letters/profile.py: SCHEMA
    "rule-tests.schema.json": TESTS,  # workflow/legaltests.py: SCHEMA
}


@dataclass
class Checked:
    path: str
    kind: str | None
    summary: str | None  # what the file is, when it passed
    errors: int


@dataclass
class ValidationReport:
    checked: list[Checked] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors, and warnings that do not fail

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def lines(self, lang: str) -> list[str]:
        ok, bad = words.say("validation.valid", lang), words.say("validation.errors", lang)
        kinds = KIND_WORDS[lang]
        return [
            f"{'✓' if c.errors == 0 else '✗'} {c.path} — {kinds[c.kind or 'file']}"
            + (f" {c.summary}" if c.summary else "")
            + f": {ok if c.errors == 0 else f'{c.errors} {bad}'}"
            for c in self.checked
        ]


def _files(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
    return found


def _kind(path: Path) -> str:
    """The kind a file declares on its first line; a fact file may leave that line out."""
    if is_workbook(path):  # an Excel workbook is only ever a fact workbook (`convenant template`)
        return FACTS
    line = first_line(path)
    match = SCHEMA_LINE.match(line) if line is not None else None
    named = Path(match[1]).name if match else None
    if named in _BY_SCHEMA:
        return _BY_SCHEMA[named]
    doc = load_document(path, display_path(path))
    if named is None and isinstance(doc.data, dict) and {"covenant", "year"} <= set(doc.data):
        return FACTS
    raise ConvenantError([Problem("file.unknown_kind", {"found": named}, Location(doc.path, 1, 1))])


def _check(
    path: Path, kind: str, report: ValidationReport, rule_files: dict[Path, RuleFile], rules_file: Path | None
) -> str:
    if kind == RULE_FILE:
        from convenant.letters.template_check import check_templates  # Jinja only for commands that render

        rules = rule_files[path] = load_rule_file(path)
        check_templates(rules)
        c = rules.covenant
        return f"{c.id} {c.version} ({c.valid_from} – {c.valid_until})"
    if kind == TABLE:
        return f"({len(load_table(path.resolve()).municipalities)})"
    if kind == PROFILE:
        from convenant.letters.profile import load_profile

        profile = load_profile(path)
        return f"{profile.name} ({profile.municipality})"
    if kind == TESTS:  # read and checked here; `convenant test` runs them
        from convenant.workflow.legaltests import load_tests

        return f"({load_tests(path, with_facts=False).count})"
    if kind == DATA:
        table = load_data_table(path.resolve(), table_for(path))
        found = findings(table)
        off = sum(1 for f in found if f.status == OFF)
        rounding = sum(1 for f in found if f.status == ROUNDING)
        if off or rounding:
            report.problems.append(
                Problem(
                    "table.findings",
                    {"off": off, "rounding": rounding, "path": table.path},
                    Location(table.path),
                    severity="warning",
                )
            )
        return f"({len(table.rows)} rijen, {len(table.corrections)} correcties)"
    evaluation = evaluate_file(path, rules_file)
    c, year = evaluation.rules.covenant, evaluation.facts.year
    part = registry.part_of_year(c, year)
    if part is not None:
        args = {"version": c.version, "covenant": c.id, "year": year, "start": part.start, "end": part.end}
        where = Location(evaluation.facts.path)
        report.problems.append(
            Problem("registry.part_of_year", args, where, "year", c.period_article, severity="warning")
        )
    return f"{c.id} {year} → {c.version}"


def validate_paths(paths: tuple[Path, ...], rules_file: Path | None = None) -> ValidationReport:
    """Check every file; a fact file against `rules_file` when one is given (--rules), else against
    the version in force in its year."""
    report = ValidationReport()
    rule_files: dict[Path, RuleFile] = {}
    for path in _files(paths):
        kind: str | None = None
        try:
            kind = _kind(path)
            summary = _check(path, kind, report, rule_files, rules_file)
            report.checked.append(Checked(display_path(path), kind, summary, 0))
        except ConvenantError as error:
            report.problems += error.problems
            errors = sum(1 for p in error.problems if p.severity == "error")
            report.checked.append(Checked(display_path(path), kind, None, errors))
    for problem in period_problems(rule_files):
        report.problems.append(problem)
        for checked in report.checked:
            checked.errors += checked.path in (problem.args["file_a"], problem.args["file_b"])
    return report
