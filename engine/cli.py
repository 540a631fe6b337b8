"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 done; 1 a problem in a rule file or a fact file (clear message, no traceback);
2 a usage error (click's own); 3 an internal error (a bug: rerun with CONVENANT_DEBUG=1).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from engine import messages
from engine.diagnostics import ConvenantError, Problem

EXIT_PROBLEM, EXIT_INTERNAL = 1, 3

HELP = {
    "nl": {
        "main": "Convenanten Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang als regels: "
        "controleren, doorrekenen en termijnen tonen. Zet CONVENANT_LANG=en voor Engels.",
        "lang": "Taal van meldingen en uitvoer: nl (standaard) of en.",
        "rules_dir": "Map met regelbestanden (standaard: rules/ van dit project).",
        "validate": "Controleer regelbestanden, de tabel van gemeenten en feitenbestanden. "
        "PATH mag een bestand of een map zijn (rules/ controleert alles).",
        "evaluate": "Reken de feiten van één jaar door met de versie van het convenant die in dat jaar "
        "geldt.",
        "rules": "Gebruik dit regelbestand in plaats van de versie die in het jaar geldt.",
        "format": "Uitvoer als tabel (voor mensen) of json (voor programma's).",
        "deadlines": "Toon de termijnen en verplichtingen van een convenant voor een jaar (COVENANT is de "
        "korte naam, bijvoorbeeld assen).",
        "batch": "Reken veel scenario's door met één regelbestand: SCENARIOS is een .csv- of .xlsx-bestand "
        "met één scenario per regel (zie docs/analysts.md); de uitkomsten gaan naar --out. Afsluitcode 1 "
        "als een scenario mislukt (de andere staan dan wel in de uitvoer).",
        "out": "Het uitvoerbestand (.csv of .xlsx); het verschijnt pas als alles is geschreven.",
        "year": "Het jaar van scenario's zonder kolom jaar (of met een lege cel).",
        "sheet": "Het werkblad van een .xlsx-bestand (standaard het eerste).",
        "rule": "Alleen deze regel in de uitvoer (mag vaker); standaard alle regels.",
        "progress": "Toon een voortgangsbalk (standaard: vanaf 20.000 scenario's).",
    },
    "en": {
        "main": "Covenants on Beschermd Wonen and (Begeleiding) Maatschappelijke Opvang as rules: check, "
        "evaluate, list deadlines.",
        "lang": "Language of messages and output: nl (default) or en.",
        "rules_dir": "Folder of rule files (default: this project's rules/).",
        "validate": "Check rule files, the municipalities table and fact files. PATH may be a file or a "
        "folder (rules/ checks everything).",
        "evaluate": "Evaluate one year's facts with the covenant version in force that year.",
        "rules": "Use this rule file instead of the version in force that year.",
        "format": "Output as a table (for people) or json (for programs).",
        "deadlines": "List a covenant's deadlines and duties for a year (COVENANT is its short id, "
        "e.g. assen).",
        "batch": "Evaluate many scenarios with one rule file: SCENARIOS is a .csv or .xlsx file with one "
        "scenario per row (see docs/analysts.md); results go to --out. Exit code 1 when a scenario "
        "fails (the others are still written).",
        "out": "The output file (.csv or .xlsx); it appears only once everything is written.",
        "year": "The year of scenarios without a jaar column (or with an empty cell).",
        "sheet": "The sheet of an .xlsx file (default: the first).",
        "rule": "Only this rule in the output (may be repeated); default: every rule.",
        "progress": "Show a progress bar (default: from 20,000 scenarios on).",
    },
}
_H = HELP[messages.language()]


def _emit_problems(problems: tuple[Problem, ...], lang: str) -> None:
    click.echo(messages.render_all(problems, lang), err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    word = ("fout" if errors == 1 else "fouten") if lang == "nl" else ("error" if errors == 1 else "errors")
    click.echo(f"\n{errors} {word}.", err=True)


def handles_problems(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ConvenantError into messages and exit 1; a bug into a short note and exit 3."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = messages.language(click.get_current_context().obj.get("lang"))
        try:
            return command(*args, **kwargs)
        except ConvenantError as error:
            _emit_problems(error.problems, lang)
            sys.exit(EXIT_PROBLEM)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as error:
            if os.environ.get("CONVENANT_DEBUG"):
                raise
            label = messages.LABELS[lang]["internal"]
            click.echo(
                f"{label}: {type(error).__name__}: {error}\n"
                "(CONVENANT_DEBUG=1 shows the traceback; please report it)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


@click.group(help=_H["main"])
@click.option("--lang", type=click.Choice(messages.LANGUAGES), default=None, help=_H["lang"])
@click.option(
    "--rules-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=_H["rules_dir"]
)
@click.version_option(package_name="convenant")
@click.pass_context
def cli(ctx: click.Context, lang: str | None, rules_dir: Path | None) -> None:
    ctx.obj = {"lang": messages.language(lang)}
    if rules_dir is not None:
        os.environ["CONVENANT_RULES_DIR"] = str(rules_dir)


@cli.command(help=_H["validate"])
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
@handles_problems
def validate(ctx: click.Context, paths: tuple[Path, ...]) -> None:
    from engine.validation import validate_paths

    lang = ctx.obj["lang"]
    report = validate_paths(paths)
    for line in report.lines(lang):
        click.echo(line)
    sys.stdout.flush()
    if report.problems:
        click.echo("", err=True)
        _emit_problems(tuple(report.problems), lang)
        sys.exit(EXIT_PROBLEM)


@cli.command(help=_H["evaluate"])
@click.argument("facts", type=click.Path(path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def evaluate(ctx: click.Context, facts: Path, rules_file: Path | None, fmt: str) -> None:
    from engine import report
    from engine.session import evaluate_file

    lang = ctx.obj["lang"]
    evaluation = evaluate_file(facts, rules_file)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(evaluation, lang), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_table(evaluation, lang), nl=False)


@cli.command(help=_H["deadlines"])
@click.argument("covenant")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def deadlines(ctx: click.Context, covenant: str, year: int, fmt: str) -> None:
    from engine import registry, report
    from engine.evaluate import deadlines_for

    lang = ctx.obj["lang"]
    rules = registry.in_force(covenant, year)
    calendar = deadlines_for(rules, year)
    if fmt == "json":
        click.echo(json.dumps(report.deadlines_json(calendar, lang), ensure_ascii=False, indent=2))
    else:
        click.echo(report.deadlines_table(calendar, lang), nl=False)


def _output_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() not in (".csv", ".xlsx"):
        raise click.BadParameter(".csv / .xlsx")
    return value


@cli.command(help=_H["batch"])
@click.argument("rules_file", type=click.Path(path_type=Path))
@click.argument("scenarios", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), callback=_output_file, help=_H["out"])
@click.option("--jaar", "--year", "year", type=click.IntRange(1900, 2200), default=None, help=_H["year"])
@click.option("--sheet", default=None, help=_H["sheet"])
@click.option("--rule", "wanted", multiple=True, help=_H["rule"])
@click.option("--progress/--no-progress", default=None, help=_H["progress"])
@click.pass_context
@handles_problems
def batch(
    ctx: click.Context,
    rules_file: Path,
    scenarios: Path,
    out: Path,
    year: int | None,
    sheet: str | None,
    wanted: tuple[str, ...],
    progress: bool | None,
) -> None:
    from engine.batch import PROGRESS_FROM, WORDS, run_file

    lang = ctx.obj["lang"]
    words = WORDS[lang]
    bars: list[Any] = []

    def started(count: int | None) -> None:
        if progress or (progress is None and (count or 0) >= PROGRESS_FROM):
            bars.append(click.progressbar(length=count, label=words["progress"], file=sys.stderr).__enter__())

    try:
        summary = run_file(
            rules_file,
            scenarios,
            out,
            year=year,
            sheet=sheet,
            wanted=wanted or None,
            lang=lang,
            started=started,
            progress=lambda done: [bar.update(done) for bar in bars],
        )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    for row, name, text in summary.failures[:20]:
        click.echo(
            words["failed_row"].format(row=row, name=f" ({name})" if name else "", text=text), err=True
        )
    if len(summary.failures) > 20:
        click.echo(words["more"].format(count=len(summary.failures) - 20), err=True)
    click.echo(
        words["summary"].format(total=summary.total, failed=len(summary.failures), out=summary.output),
        err=True,
    )
    if summary.failures:
        sys.exit(EXIT_PROBLEM)


def main() -> None:
    cli(prog_name="convenant")
