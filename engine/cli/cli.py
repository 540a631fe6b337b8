"""The command line: the only place that prints and chooses exit codes.

Exit codes: 0 done; 1 a problem in a rule file or a fact file (clear message, no traceback);
2 a usage error (click's own); 3 an internal error (a bug: rerun with CONVENANT_DEBUG=1);
130 / 143 interrupted by Ctrl-C (SIGINT) / SIGTERM, after removing any temporary file; 141 the
reader of the output stopped reading (`convenant letters … | head`), silently, as other tools do.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from convenant import words
from convenant.core import messages
from convenant.core.columns import fit
from convenant.core.diagnostics import ConvenantError, Problem, UsageRefusal

EXIT_PROBLEM, EXIT_USAGE, EXIT_INTERNAL = 1, 2, 3


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C (SIGINT), so that every `with` and `finally` on the way out
    removes its temporary files before the command ends."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


HELP = words.Languages("cli.help")
_H = HELP[messages.language()]


def _problems_text(problems: tuple[Problem, ...], lang: str) -> str:
    """The problems as said on standard error, with the count of errors and warnings below."""
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    summary = words.say(f"cli.count.errors.{'one' if errors == 1 else 'many'}", lang, n=errors)
    if warnings:
        summary += ", " + words.say(
            f"cli.count.warnings.{'one' if warnings == 1 else 'many'}", lang, n=warnings
        )
    return f"{messages.render_all(problems, lang)}\n\n{summary}.\n"


def _emit_problems(problems: tuple[Problem, ...], lang: str) -> None:
    click.echo(_problems_text(problems, lang), err=True, nl=False)


def _emit(
    fmt: str, lang: str, result: Any, as_json: Callable[..., Any], as_table: Callable[..., str]
) -> None:
    """Print a result as one JSON object or as a table for people."""
    if fmt == "json":
        click.echo(json.dumps(as_json(result, lang), ensure_ascii=False, indent=2))
    else:
        click.echo(fit(as_table(result, lang)), nl=False)


def handles_problems(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ConvenantError into messages and exit 1 (a UsageRefusal: exit 2, as click's usage errors);
    a bug into a short note and exit 3."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        lang = messages.language(click.get_current_context().obj.get("lang"))
        try:
            return command(*args, **kwargs)
        except ConvenantError as error:
            _emit_problems(error.problems, lang)
            sys.exit(EXIT_USAGE if isinstance(error, UsageRefusal) else EXIT_PROBLEM)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except KeyboardInterrupt as interrupt:  # the temporary files are gone by now
            number = signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT
            _emit_problems((Problem("output.interrupted", {"signal": number.name}),), lang)
            sys.exit(128 + number)
        except BrokenPipeError:  # the reader stopped reading (`… | head`): not an error of ours
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # nothing more to flush at exit
            sys.exit(128 + signal.SIGPIPE)
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


# --- usage errors: click finds them, in English; here they are said in the user's language ------

_EXPECTED = words.Languages("cli.expected")  # what a usage error expects instead
_QUOTED = re.compile(r"'([^']*)'")


class _Refused(click.BadParameter):
    """A value refused by one of our own checks, with the value and what is expected."""

    def __init__(self, value: str, expected: str) -> None:
        super().__init__(value)
        self.value, self.expected = value, expected


class _Explained(click.BadParameter):
    """A value refused by one of our own checks that says in its own words what is wrong and what
    to do (a version number, an impossible date)."""

    def __init__(
        self, what: str, todo: str, ctx: click.Context | None = None, param: click.Parameter | None = None
    ) -> None:
        super().__init__(f"{what}; {todo}", ctx, param)
        self.what, self.todo = what, todo


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "—"
    if isinstance(param, click.Option):
        return max(param.opts, key=len)
    return param.human_readable_name


def _expected(param: click.Parameter | None, expected: Mapping[str, str]) -> str:
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice):
        return expected["choice"].format(choices=", ".join(map(str, kind.choices)))
    if isinstance(kind, click.IntRange):
        return expected["range"].format(low=kind.min, high=kind.max)
    if isinstance(kind, click.DateTime):
        return expected["date"]
    if isinstance(kind, click.Path) and not kind.file_okay:
        return expected["folder"]
    return ""


def _usage_problem(error: click.UsageError, lang: str) -> Problem:
    """A usage error as a problem with a message code, like every other refusal."""
    ctx = error.ctx
    command = ctx.command_path if ctx else "convenant"
    root = ctx.find_root().command if ctx else None
    commands = ", ".join(sorted(root.commands)) if isinstance(root, click.Group) else "—"
    words = _EXPECTED[lang]

    def problem(code: str, **args: Any) -> Problem:
        return Problem(code, {"command": command, "commands": commands, **args})

    if isinstance(error, click.NoSuchOption):
        close = error.possibilities[0] if error.possibilities else None
        return problem("usage.no_such_option", option=error.option_name, suggestion=close)
    if isinstance(error, click.MissingParameter):
        what = words["argument" if isinstance(error.param, click.Argument) else "option"]
        return problem("usage.missing", what=what, name=_param_name(error.param))
    if isinstance(error, _Refused):
        return problem(
            "usage.bad_value",
            value=error.value,
            name=_param_name(error.param),
            expected=words[error.expected],
        )
    if isinstance(error, _Explained):
        return problem("usage.explained", what=error.what, todo=error.todo, name=_param_name(error.param))
    if isinstance(error, click.BadParameter):
        quoted = _QUOTED.findall(error.message)
        value = quoted[0] if quoted else error.message.split(" ")[0]
        return problem(
            "usage.bad_value",
            value=value,
            name=_param_name(error.param),
            expected=_expected(error.param, words),
        )
    text = error.message
    if text.startswith("No such command"):
        name = _QUOTED.findall(text)[0]
        nearest = difflib.get_close_matches(name, commands.split(", "), n=1)
        return problem("usage.no_such_command", name=name, suggestion=nearest[0] if nearest else None)
    if text.startswith("Missing command"):
        return problem("usage.missing_command")
    if text.startswith("Got unexpected extra argument"):
        return problem("usage.extra_arguments", extra=text[text.find("(") + 1 : text.rfind(")")])
    return problem("usage.other", detail=text)


class _SaidUsageError(click.UsageError):
    """A usage error shown as our messages are: what is wrong and what to do, exit 2."""

    def __init__(self, original: click.UsageError, lang: str) -> None:
        super().__init__(original.message, original.ctx)
        self.original, self.lang = original, lang

    def show(self, file: Any = None) -> None:
        click.echo(messages.render(_usage_problem(self.original, self.lang), self.lang), err=True)


def _said(error: click.UsageError) -> click.UsageError:
    if isinstance(error, _SaidUsageError):
        return error
    root = error.ctx.find_root() if error.ctx else None
    # before the group's callback ran (no command given) `--lang` is parsed but not yet in `obj`
    given = ((root.obj or {}).get("lang") or root.params.get("lang")) if root else None
    return _SaidUsageError(error, messages.language(given))


class _Group(click.Group):
    """The command group, with usage errors said as every other refusal is (click writes its own)."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _said(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _said(error) from None
        except KeyboardInterrupt as interrupt:  # outside a command's own handler (handles_problems)
            number = signal.SIGTERM if isinstance(interrupt, Terminated) else signal.SIGINT
            lang = messages.language((ctx.obj or {}).get("lang"))
            _emit_problems((Problem("output.interrupted", {"signal": number.name}),), lang)
            sys.exit(128 + number)


# Commands that check every file in full: they never count a schema pass remembered on disk.
_FULL_CHECKS = ("validate", "serve")


@click.group(cls=_Group, help=_H["main"])
@click.option("--lang", type=click.Choice(messages.LANGUAGES), default=None, help=_H["lang"])
@click.option(
    "--rules-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help=_H["rules_dir"]
)
@click.version_option(package_name="convenant")
@click.pass_context
def cli(ctx: click.Context, lang: str | None, rules_dir: Path | None) -> None:
    ctx.obj = {"lang": messages.language(lang)}
    if ctx.invoked_subcommand not in _FULL_CHECKS:
        from convenant.source import schemas

        ctx.with_resource(schemas.passes_on_disk())  # a file that passed before passes without jsonschema
    if threading.current_thread() is threading.main_thread():  # SIGTERM cleans up like Ctrl-C
        handler = signal.signal(signal.SIGTERM, _terminate) or signal.SIG_DFL  # None: set outside Python
        ctx.call_on_close(lambda: signal.signal(signal.SIGTERM, handler))
    if rules_dir is not None:  # for this command only: restored when it ends (tests run many in one process)
        before = os.environ.get("CONVENANT_RULES_DIR")
        os.environ["CONVENANT_RULES_DIR"] = str(rules_dir)
        ctx.call_on_close(lambda: _restore("CONVENANT_RULES_DIR", before))


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@cli.command(help=_H["validate"])
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option("--full", "--no-cache", "full", is_flag=True, default=False, help=_H["validate_full"])
@click.pass_context
@handles_problems
def validate(ctx: click.Context, paths: tuple[Path, ...], rules_file: Path | None, full: bool) -> None:
    """Every run checks in full (`--full` only says so: a warm run is answered by `start.main`
    from the disk cache before this command is reached) and keeps its outcome there."""
    from convenant.check import municipalities, tables
    from convenant.cli import validate_cache
    from convenant.cli.validation import validate_paths
    from convenant.core.paths import rules_dir
    from convenant.core.reading import recording

    lang = ctx.obj["lang"]
    municipalities.forget()  # read again (and so noted) even in a process that read them before
    tables.forget()
    with recording() as read:
        report = validate_paths(paths, rules_file)
        said = {
            one: (
                "".join(f"{line}\n" for line in report.lines(one)),
                f"\n{_problems_text(tuple(report.problems), one)}" if report.problems else "",
            )
            for one in validate_cache.LANGUAGES
        }  # both languages now: the words of the other are not at hand on a warm run
    out, err = said[lang]
    click.echo(out, nl=False)
    sys.stdout.flush()
    click.echo(err, err=True, nl=False)
    code = EXIT_PROBLEM if report.failed else 0
    inputs = validate_cache.inputs(read, [*(str(p) for p in paths if p.is_dir()), str(rules_dir())])
    if inputs is not None:  # None: a file changed while it was checked; keep nothing
        name = validate_cache.key(
            [str(p) for p in paths], str(rules_file) if rules_file is not None else None
        )
        validate_cache.store(name, inputs, {"exit": code, **{k: list(v) for k, v in said.items()}})
    if code:
        sys.exit(code)


@cli.command(help=_H["evaluate"])
@click.argument("facts", type=click.Path(path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def evaluate(ctx: click.Context, facts: Path, rules_file: Path | None, fmt: str) -> None:
    from convenant.explain import report
    from convenant.workflow.session import evaluate_file

    evaluation = evaluate_file(facts, rules_file)
    _emit(fmt, ctx.obj["lang"], evaluation, report.to_json, report.to_table)


def _xlsx_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() != ".xlsx":
        raise _Refused(str(value), "xlsx_suffix")
    return value


@cli.command(help=_H["template"])
@click.argument("covenant")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), callback=_xlsx_file, help=_H["template_out"]
)
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.pass_context
@handles_problems
def template(ctx: click.Context, covenant: str, year: int, out: Path, rules_file: Path | None) -> None:
    from convenant.workflow.template import write_template

    made = write_template(covenant, year, out, ctx.obj["lang"], rules_file)
    shown = {k: getattr(made, k) for k in ("path", "covenant", "year", "version", "facts", "members")}
    click.echo(words.say("cli.template.made", ctx.obj["lang"], **shown))


@cli.command(help=_H["deadlines"])
@click.argument("covenant")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def deadlines(ctx: click.Context, covenant: str, year: int, rules_file: Path | None, fmt: str) -> None:
    from convenant.check import registry
    from convenant.evaluation.evaluate import deadlines_for
    from convenant.explain import report

    rules = (
        registry.in_force(covenant, year)
        if rules_file is None
        else registry.chosen(rules_file, covenant, year)
    )
    calendar = deadlines_for(rules, year)
    _emit(fmt, ctx.obj["lang"], calendar, report.deadlines_json, report.deadlines_table)


@cli.command(help=_H["table"])
@click.argument("path", type=click.Path(path_type=Path))
@click.pass_context
@handles_problems
def table(ctx: click.Context, path: Path) -> None:
    from convenant.check.checking import table_for
    from convenant.check.tables import findings, load_table
    from convenant.explain import report

    data = load_table(path.resolve(), table_for(path))
    click.echo(fit(report.table_text(data, findings(data), ctx.obj["lang"])), nl=False)


@cli.command(help=_H["explain"])
@click.argument("facts", type=click.Path(path_type=Path))
@click.option("--municipality", default=None, help=_H["municipality"])
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", help=_H["explain_format"]
)
@click.pass_context
@handles_problems
def explain(
    ctx: click.Context, facts: Path, municipality: str | None, rules_file: Path | None, fmt: str
) -> None:
    from convenant.workflow.session import explain_file

    click.echo(explain_file(facts, rules_file, fmt, ctx.obj["lang"], municipality), nl=False)


def _letter_inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide which letters the inputs give: `letters` and `verify-letter` alike."""
    for option in reversed(
        (
            click.option("--act", "act", default=None, help=_H["act"]),
            click.option("--date", "date_option", default=None, help=_H["date"]),
            click.option(
                "--profile", "profile_file", type=click.Path(path_type=Path), default=None, help=_H["profile"]
            ),
            click.option(
                "--docx-template",
                "docx_template",
                type=click.Path(path_type=Path),
                default=None,
                help=_H["docx_template"],
            ),
        )
    ):
        command = option(command)
    return command


@cli.command(help=_H["letters"])
@click.argument("facts", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help=_H["out"])
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@click.option(
    "--format",
    "formats",
    type=click.Choice(["md", "html", "pdf", "docx"]),
    multiple=True,
    help=_H["letters_format"],
)
@_letter_inputs
@click.option("--register", "register", default=None, help=_H["record_register"])
@click.pass_context
@handles_problems
def letters(
    ctx: click.Context,
    facts: Path,
    out: Path,
    rules_file: Path | None,
    formats: tuple[str, ...],
    act: str | None,
    date_option: str | None,
    profile_file: Path | None,
    docx_template: Path | None,
    register: str | None,
) -> None:
    from convenant.workflow.session import letters_for_file

    lang = ctx.obj["lang"]
    record = None
    recorded: list[tuple[str, str]] = []
    if register is not None:  # opt-in: only a command that names the register writes into it
        from convenant.register.recorder import recorder

        record = recorder(
            register,
            facts,
            lang,
            act,
            date_option,
            formats,
            profile_file,
            docx_template,
            lambda place, run_id: recorded.append((place, run_id)),
        )
    written = letters_for_file(
        facts,
        rules_file,
        out,
        formats,
        ctx.obj["lang"],
        date_option,
        act,
        profile_file,
        docx_template,
        record,
    )
    for name in written:
        click.echo(str(out / name))
    for place, run_id in recorded:
        click.echo(words.say("cli.register.recorded", lang, place=place, id=run_id), err=True)


@cli.command(help=_H["reproduce"])
@click.argument("kenmerk")
@click.option("--register", "register", default=None, help=_H["register"])
@click.option("--out", type=click.Path(path_type=Path), default=None, help=_H["out"])
@click.pass_context
@handles_problems
def reproduce(ctx: click.Context, kenmerk: str, register: str | None, out: Path | None) -> None:
    from convenant.letters.letters import earlier_letters, write_folder
    from convenant.register.reproduce import for_kenmerk
    from convenant.register.store import Register

    lang = ctx.obj["lang"]
    if out is not None:
        earlier_letters(out)  # refuse a folder of the user's before any work is done
    opened = Register.open(register)
    try:
        found = for_kenmerk(opened, kenmerk)
    finally:
        opened.close()
    run = found.run
    say = functools.partial(words.say, lang=lang)
    click.echo(
        say(
            "cli.register.run",
            id=run.id,
            created=run.created_at,
            covenant=run.covenant,
            version=run.version,
            year=run.year,
            facts=run.facts_name,
            then=run.engine_version,
            now=found.engine_now,
        )
    )
    for letter in found.letters:
        args = {"kenmerk": letter.kenmerk, "recipient": letter.recipient or letter.municipality or "—"}
        if letter.identical:
            click.echo(say("cli.register.identical", files=len(letter.files), **args))
            continue
        click.echo(say("cli.register.different", **args))
        for f in letter.files:
            if f.found is None:
                click.echo(say("cli.register.file_missing", name=f.name, expected=f.expected))
            elif not f.identical:
                click.echo(
                    say("cli.register.file_different", name=f.name, expected=f.expected, found=f.found)
                )
    if out is not None:
        write_folder(found.files, out)
    different = sum(1 for letter in found.letters if not letter.identical)
    if different:
        total = len(found.letters)
        click.echo(
            say(
                "cli.register.not_identical",
                n=different,
                total=total,
                then=run.engine_version,
                now=found.engine_now,
            )
        )
        sys.exit(EXIT_PROBLEM)
    click.echo(say("cli.register.all_identical", n=len(found.letters)))


@cli.command("verify-letter", help=_H["verify_letter"])
@click.argument("letter")
@click.argument("facts", type=click.Path(path_type=Path))
@click.option("--rules", "rules_file", type=click.Path(path_type=Path), default=None, help=_H["rules"])
@_letter_inputs
@click.pass_context
@handles_problems
def verify_letter(
    ctx: click.Context,
    letter: str,
    facts: Path,
    rules_file: Path | None,
    profile_file: Path | None,
    act: str | None,
    date_option: str | None,
    docx_template: Path | None,
) -> None:
    from convenant.letters.reproduce import FOUND, IDENTICAL
    from convenant.workflow.session import verify_letter_file

    lang = ctx.obj["lang"]
    verdict = verify_letter_file(
        letter, facts, rules_file, profile_file, lang, act, date_option, docx_template
    )
    args = {k: v for k, v in vars(verdict).items() if v is not None and k != "status"}
    click.echo(words.fill(f"cli.verify_letter.{verdict.status}", lang, args))
    if verdict.status not in (IDENTICAL, FOUND):
        sys.exit(EXIT_PROBLEM)


# --- the rule-file workflow of legal staff: versions, new-version, diff, verify ---------------

WORKFLOW_HELP = words.Languages("cli.workflow")
_W = WORKFLOW_HELP[messages.language()]


class _Date(click.DateTime):
    """A date yyyy-mm-dd; a wrong one (2025-13-01) is a usage error in the user's language."""

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            lang = messages.language((ctx.obj or {}).get("lang") if ctx else None)
            what, todo = messages.message(Problem("versions.bad_date", {"given": value}), lang)
            raise _Explained(what, todo, ctx, param) from None


_DATE = _Date()


@cli.command(help=_W["versions"])
@click.argument("covenant")
@click.option("--on", "on", type=_DATE, default=None, help=_W["on"])
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help=_H["format"])
@click.pass_context
@handles_problems
def versions(ctx: click.Context, covenant: str, on: Any, fmt: str) -> None:
    from datetime import date

    from convenant.workflow import versions as listing

    lang = ctx.obj["lang"]
    day = on.date() if on else date.today()
    found = listing.listing(covenant)
    if fmt == "json":
        click.echo(json.dumps(listing.listing_json(covenant, found, day), ensure_ascii=False, indent=2))
    else:
        click.echo(fit(listing.listing_text(covenant, found, day, lang)), nl=False)


def _version_text(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from convenant.workflow.newversion import VERSION

    if not VERSION.match(value):
        what, todo = messages.message(
            Problem("new_version.bad_version", {"version": repr(value)}), ctx.obj["lang"]
        )
        raise _Explained(what, todo, ctx, param)
    return value


@cli.command("new-version", help=_W["new_version"])
@click.argument("rulefile", type=click.Path(path_type=Path))
@click.option("--version", "version", required=True, callback=_version_text, help=_W["version"])
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
    from convenant.workflow import newversion

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
@click.option("--tests", "tests", type=click.Path(path_type=Path), default=None, help=_W["tests"])
@click.pass_context
@handles_problems
def diff(ctx: click.Context, old: Path, new: Path, fmt: str, facts: Path | None, tests: Path | None) -> None:
    from convenant.check.checking import load_rule_file
    from convenant.workflow import diff_words, effect, legaltests
    from convenant.workflow.diff import compare

    lang = ctx.obj["lang"]
    before, after = load_rule_file(old), load_rule_file(new)
    changes = compare(before, after)
    found = effect.effect(facts, before, after) if facts else None
    test_file = legaltests.load_tests(tests) if tests else None
    changed = legaltests.changed_tests(test_file, before, after, lang) if test_file else None
    if fmt == "json":
        data = diff_words.to_json(before, after, changes, lang)
        if found:
            data["effect"] = effect.to_json(found, lang)
        if test_file and changed is not None:
            data["tests"] = legaltests.changed_json(changed)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        text = diff_words.to_text(before, after, changes, lang)
        text += effect.to_text(found, lang) if found else ""
        text += legaltests.changed_text(test_file, changed, lang) if test_file and changed is not None else ""
        click.echo(fit(text), nl=False)


@cli.command("test", help=_W["test"])
@click.argument("target", required=False, type=click.Path(path_type=Path))
@click.pass_context
@handles_problems
def run_legal_tests(ctx: click.Context, target: Path | None) -> None:
    from convenant.check.checking import load_rule_file
    from convenant.core.paths import display_path
    from convenant.workflow import legaltests

    lang = ctx.obj["lang"]
    pairs, without = legaltests.find_test_files(target)
    runs = []
    for rule_file, test_file in pairs:
        outcomes = legaltests.run(legaltests.load_tests(test_file), load_rule_file(rule_file), lang)
        runs.append((display_path(rule_file), display_path(test_file), outcomes))
    click.echo(legaltests.report_text(runs, [display_path(p) for p in without], lang), nl=False)
    if any(not o.passed for _, _, outcomes in runs for o in outcomes):
        sys.exit(EXIT_PROBLEM)


@cli.command(help=_W["verify"])
@click.argument("rulefile", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help=_W["diff_format"])
@click.pass_context
@handles_problems
def verify(ctx: click.Context, rulefile: Path, fmt: str) -> None:
    from convenant.check.checking import load_rule_file
    from convenant.proof import words
    from convenant.proof.results import Context
    from convenant.verify import verify as prove

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


def _output_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() not in (".csv", ".xlsx"):
        raise _Refused(str(value), "suffix")
    return value


@cli.command(help=_H["batch"])
@click.argument("rules_file", type=click.Path(path_type=Path))
@click.argument("scenarios", type=click.Path(path_type=Path))
@click.option(
    "--out", required=True, type=click.Path(path_type=Path), callback=_output_file, help=_H["batch_out"]
)
@click.option("--jaar", "--year", "year", type=click.IntRange(1900, 2200), default=None, help=_H["year"])
@click.option("--sheet", default=None, help=_H["sheet"])
@click.option("--rule", "wanted", multiple=True, help=_H["rule"])
@click.option("--progress/--no-progress", default=None, help=_H["progress"])
@click.option("--overwrite", is_flag=True, default=False, help=_H["overwrite"])
@click.option(
    "--csv-dialect",
    "dialect",
    type=click.Choice(["auto", "plain", "nl"]),
    default="auto",
    help=_H["csv_dialect"],
)
@click.option("--encoding", type=click.Choice(["utf-8", "cp1252"]), default="utf-8", help=_H["encoding"])
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
    overwrite: bool,
    dialect: str,
    encoding: str,
) -> None:
    from convenant.batch.batch import PROGRESS_FROM, WORDS, hold_freed_memory, run_file
    from convenant.core.paths import display_path

    lang = ctx.obj["lang"]
    words = WORDS[lang]
    bars: list[Any] = []

    def started(count: int | None) -> None:
        if progress or (progress is None and (count or 0) >= PROGRESS_FROM):
            bars.append(click.progressbar(length=count, label=words["progress"], file=sys.stderr).__enter__())

    def advanced(done: int) -> None:
        for bar in bars:
            bar.update(done)

    hold_freed_memory()  # this process's own: a chunk's freed arrays serve the next chunk
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
            progress=advanced,
            overwrite=overwrite,
            dialect=dialect,
            encoding=encoding,
        )
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)
    for row, name, text in summary.failures[:20]:
        click.echo(
            words["failed_row"].format(
                path=display_path(scenarios), row=row, name=f" ({name})" if name else "", text=text
            ),
            err=True,
        )
    if summary.failed > 20:
        click.echo(words["more"].format(count=summary.failed - 20), err=True)
    click.echo(
        words["summary"].format(total=summary.total, failed=summary.failed, out=summary.output),
        err=True,
    )
    click.echo(words["interpreted"].format(count=summary.interpreted, total=summary.total), err=True)
    for _, warned in sorted(summary.warnings.items()):
        click.echo(f"{messages.LABELS[lang]['warning']}: {warned}", err=True)
    if summary.failed:
        sys.exit(EXIT_PROBLEM)


@cli.command(help=_H["serve"])
@click.option("--host", default="127.0.0.1", show_default=True, help=_H["host"])
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help=_H["port"])
@click.option("--token-file", type=click.Path(path_type=Path), default=None, help=_H["token_file"])
@click.option("--register", "register", default=None, help=_H["register"])
@click.pass_context
@handles_problems
def serve(ctx: click.Context, host: str, port: int, token_file: Path | None, register: str | None) -> None:
    from convenant.web.serve import run

    run(host, port, token_file, register, ctx.obj["lang"])


@cli.command(help=_H["init"])
@click.argument("directory", type=click.Path(path_type=Path))
@click.pass_context
@handles_problems
def init(ctx: click.Context, directory: Path) -> None:
    from convenant.core.paths import display_path
    from convenant.workflow.workspace import init_workspace

    written = init_workspace(directory)
    shown = display_path(directory)
    lang = ctx.obj["lang"]
    click.echo(words.say("cli.init.made", lang, path=shown, count=len(written)))
    click.echo(words.say("cli.init.use", lang, path=shown))


def main() -> None:
    """The `convenant` command (the installed entry point is `start.main`: the same, with a warm
    `validate` answered before this module is imported)."""
    from convenant.cli import validate_cache

    validate_cache.answer(sys.argv[1:])
    cli(prog_name="convenant")
