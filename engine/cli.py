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


# --- the rule-file workflow of legal staff: versions, new-version, diff, verify ---------------

WORKFLOW_HELP = {
    "nl": {
        "versions": "Toon de versies van een convenant met hun looptijd en status (in werking, vervallen, "
        "toekomstig) op een peildatum.",
        "on": "Peildatum jjjj-mm-dd voor de status (standaard: vandaag).",
        "new_version": "Maak een nieuwe versie van een regelbestand: een kopie met nieuwe versie, datum "
        "en looptijd (opmerkingen en opmaak blijven staan); de looptijd van de oude versie wordt "
        "afgesloten op de dag vóór de nieuwe begint. Een bestaand bestand wordt nooit overschreven.",
        "version": "Het nieuwe versienummer, bijvoorbeeld 1.7.",
        "valid_from": "De eerste dag van de nieuwe versie (jjjj-mm-dd).",
        "valid_until": "De laatste dag van de nieuwe versie (standaard: de laatste dag van de oude versie).",
        "version_date": "De datum van de nieuwe versie (standaard: vandaag).",
        "out": "Het nieuwe bestand (standaard: <jaar>-v<versie>.yaml naast het oude).",
        "diff": "Toon elke wijziging tussen twee versies van een regelbestand, per artikel, in zinnen; met "
        "--facts ook de gevolgen per gemeente (bedrag volgens OUD, volgens NIEUW en het verschil).",
        "diff_format": "Uitvoer als tekst (voor mensen) of json (voor programma's).",
        "facts": "Een feitenbestand om met beide versies door te rekenen.",
        "verify": "Bewijs met sympy, voor alle toegestane invoer, waar een regelbestand op steunt: sleutels "
        "tellen op tot 1, verdelingen behouden het bedrag, de gevallen van een beslissing dekken alles "
        "zonder overlap en elke tak kan voorkomen. Een mislukt bewijs komt met een tegenvoorbeeld.",
    },
    "en": {
        "versions": "List a covenant's versions with their periods and status (in force, expired, future) on "
        "a reference date.",
        "on": "Reference date yyyy-mm-dd for the status (default: today).",
        "new_version": "Make a new version of a rule file: a copy with a new version, date and period "
        "(comments and layout kept); the old version's period is closed on the day before the new one "
        "starts. An existing file is never overwritten.",
        "version": "The new version number, e.g. 1.7.",
        "valid_from": "The new version's first day (yyyy-mm-dd).",
        "valid_until": "The new version's last day (default: the old version's last day).",
        "version_date": "The new version's date (default: today).",
        "out": "The new file (default: <year>-v<version>.yaml beside the old one).",
        "diff": "Show every change between two versions of a rule file, per article, in sentences; with "
        "--facts also the effect per municipality (amount under OLD, under NEW and the difference).",
        "diff_format": "Output as text (for people) or json (for programs).",
        "facts": "A fact file to evaluate with both versions.",
        "verify": "Prove with sympy, for all admissible inputs, what a rule file relies on: keys total 1, "
        "distributions keep their amount, a decision's cases cover everything without overlap and every "
        "branch can occur. A failed proof comes with a counterexample.",
    },
}
_W = WORKFLOW_HELP[messages.language()]
_DATE = click.DateTime(formats=["%Y-%m-%d"])


@cli.command(help=_W["versions"])
@click.argument("covenant")
@click.option("--on", "on", type=_DATE, default=None, help=_W["on"])
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def versions(ctx: click.Context, covenant: str, on: Any, fmt: str) -> None:
    from datetime import date

    from engine import versions as listing

    lang = ctx.obj["lang"]
    day = on.date() if on else date.today()
    found = listing.listing(covenant)
    if fmt == "json":
        click.echo(json.dumps(listing.listing_json(covenant, found, day), ensure_ascii=False, indent=2))
    else:
        click.echo(listing.listing_text(covenant, found, day, lang), nl=False)


@cli.command("new-version", help=_W["new_version"])
@click.argument("rulefile", type=click.Path(path_type=Path))
@click.option("--version", "version", required=True, help=_W["version"])
@click.option("--valid-from", "valid_from", type=_DATE, required=True, help=_W["valid_from"])
@click.option("--valid-until", "valid_until", type=_DATE, default=None, help=_W["valid_until"])
@click.option("--version-date", "version_date", type=_DATE, default=None, help=_W["version_date"])
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help=_W["out"])
@click.pass_context
@handles_problems
def new_version(
    ctx: click.Context,
    rulefile: Path,
    version: str,
    valid_from: Any,
    valid_until: Any,
    version_date: Any,
    out: Path | None,
) -> None:
    from engine import newversion

    plan = newversion.plan(
        rulefile,
        version,
        valid_from.date(),
        valid_until.date() if valid_until else None,
        version_date.date() if version_date else None,
        out,
    )
    newversion.write(plan)
    click.echo(newversion.summary(plan, ctx.obj["lang"]), nl=False)


@cli.command(help=_W["diff"])
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=_W["diff_format"])
@click.option("--facts", "facts", type=click.Path(path_type=Path), default=None, help=_W["facts"])
@click.pass_context
@handles_problems
def diff(ctx: click.Context, old: Path, new: Path, fmt: str, facts: Path | None) -> None:
    from engine import diff_words, effect
    from engine.checking import load_rule_file
    from engine.diff import compare

    lang = ctx.obj["lang"]
    before, after = load_rule_file(old), load_rule_file(new)
    changes = compare(before, after)
    found = effect.effect(facts, before, after) if facts else None
    if fmt == "json":
        data = diff_words.to_json(before, after, changes, lang)
        if found:
            data["effect"] = effect.to_json(found, lang)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        text = diff_words.to_text(before, after, changes, lang)
        click.echo(text + (effect.to_text(found, lang) if found else ""), nl=False)


@cli.command(help=_W["verify"])
@click.argument("rulefile", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=_W["diff_format"])
@click.pass_context
@handles_problems
def verify(ctx: click.Context, rulefile: Path, fmt: str) -> None:
    from engine.checking import load_rule_file
    from engine.proof import verify as prove
    from engine.proof import words
    from engine.proof.results import Context

    lang = ctx.obj["lang"]
    rules = load_rule_file(rulefile)
    results = prove(Context(rules))
    if fmt == "json":
        click.echo(json.dumps(words.to_json(rules, results, lang), ensure_ascii=False, indent=2))
    else:
        click.echo(words.to_text(rules, results, lang), nl=False)
    problems = tuple(p for r in results for p in r.problems)
    if problems:
        sys.stdout.flush()
        click.echo("", err=True)
        click.echo(messages.render_all(problems, lang), err=True)
    if any(p.severity == "error" for p in problems):
        sys.exit(EXIT_PROBLEM)


def main() -> None:
    cli(prog_name="convenant")
