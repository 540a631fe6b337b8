"""Check a rule file's templates before any letter is made: every sentence template belongs to
a rule, every rule has one, no template reads a variable it is not given (in any branch), and
every template, the shared layouts included, renders against a sample trace in Markdown and
HTML. Faults are problems with the template's file and line.

A rule file without a templates folder has no sentences to check; when no sample trace can be
made for it (a set `sample.py` does not know yet), its check is skipped rather than failed.

A check that passed is remembered for the life of the process under everything it read, by
content: the rule file's, its tables', the municipalities table's and the sentence templates'. Not
by where they are: a check finds the same faults in the same files wherever they lie (a fault is
found again, with its place, since only passed checks are kept), and a reproduction from the
register puts the same files in a new temporary folder every time. A server makes letters many
times from the same rules; rendering every template against the sample took a second each time. A
change to any of them checks again.

`convenant letters`, `reproduce` and the letters page also remember a passed check on disk, between processes
(`disk=True`): an empty file in `$XDG_CACHE_HOME/convenant/templates/` named by the sha256 of the
same inputs and of the engine's identity (`core.identity`: its version and its own files, the
shared layouts included), so a new engine or any changed input checks again. Rendering every
template took 2–3 s of each command. `convenant validate` never reads it: its full check is full.
A cache folder that cannot be read or written only makes the next command slower.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
from pathlib import Path

from convenant.check.registry import directory_digest
from convenant.core import identity
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path
from convenant.explain import explain
from convenant.explain.explainers import Scope
from convenant.language.model import Act, RuleFile
from convenant.letters.acts import Chosen
from convenant.letters.sample import sample_evaluation
from convenant.letters.settlements import _Composer
from convenant.render import templating


def _file_problems(rules: RuleFile, folder: Path) -> list[Problem]:
    problems = []
    names = set(rules.rules)
    for path in sorted(folder.iterdir()):
        stem = path.name.removesuffix(templating.SUFFIX)
        if path.name.endswith(templating.SUFFIX) and stem in names:
            continue
        close = difflib.get_close_matches(stem, sorted(names), n=1)
        problems.append(
            Problem(
                "template.unknown_rule",
                {"file": path.name, "suggestion": close[0] + templating.SUFFIX if close else None},
                Location(display_path(path)),
            )
        )
    for name, rule in rules.rules.items():
        if not (folder / f"{name}{templating.SUFFIX}").is_file():
            location = rules.document.locate((rule.section, name), at_key=True)
            problems.append(
                Problem(
                    "template.missing",
                    {"rule": name, "folder": display_path(folder)},
                    location,
                    None,
                    rule.article,
                )
            )
    return problems


_passed: set[tuple[str | None, ...]] = set()
_passed_lock = threading.Lock()
_REMEMBERED = 256


def _inputs(rules: RuleFile) -> tuple[str | None, ...]:
    folder = templating.sentence_dir(rules.path)
    return (
        rules.sha256,
        rules.municipalities.sha256,
        *sorted(f"{key}={table.sha256}" for key, table in rules.tables.items()),
        directory_digest(folder) if folder.is_dir() else None,
    )


def _on_disk(key: tuple[str | None, ...]) -> str:
    """Where a passed check of these inputs, by this engine, is remembered between processes."""
    what = json.dumps([identity.engine_identity(), *key])
    return os.path.join(identity.cache_dir("templates"), hashlib.sha256(what.encode()).hexdigest())


def check_templates(rules: RuleFile, disk: bool = False) -> None:
    """Raise ConvenantError with every template fault of this rule file (none: return). `disk`:
    a check passed in an earlier process counts too (and a passed check is remembered there)."""
    key = _inputs(rules)
    with _passed_lock:
        if key in _passed:
            return
    marker = _on_disk(key) if disk else None
    if marker is None or not os.path.isfile(marker):
        _check(rules)
        if marker is not None:
            identity.remember(marker)
    with _passed_lock:
        if len(_passed) >= _REMEMBERED:
            _passed.clear()
        _passed.add(key)


def _check(rules: RuleFile) -> None:
    folder = templating.sentence_dir(rules.path)
    sentences = folder if folder.is_dir() else None
    problems = _file_problems(rules, folder) if sentences else []
    if problems:
        raise ConvenantError(problems)
    try:
        ev = sample_evaluation(rules)
    except ConvenantError:
        if sentences is None:  # no sentences of its own to check; the layouts are checked with others
            return
        raise
    if sentences:
        scope = Scope(ev, "nl")
        for name in rules.rules:
            node = ev.nodes[name]
            member = ev.members[node.rule.per][0] if node.rule.per and ev.members[node.rule.per] else None
            known = explain.sentence_context(scope, node, member)
            problems += templating.find_unknown("md", sentences, f"rules/{name}{templating.SUFFIX}", known)
    if problems:
        raise ConvenantError(problems)
    when = ev.facts.evaluation_date
    assert when is not None
    # every act's letters (a future event said as such), or the one letter of a file without acts
    every: list[Act | None] = [*rules.acts.values()] or [None]
    chosen = [
        Chosen(
            act,
            when,
            "repro_date_from_fact" if act and act.date else "repro_date_from_facts",
            ev,
            dict(act.future) if act else {},
        )
        for act in every
    ]
    for fmt in templating.FORMATS:
        explain.render(explain.explain(ev, fmt), fmt)
        for one in chosen:  # each letter's digital annex: what the act's results rest on
            only = one.act.states if one.act is not None else None
            said = _Composer(one, fmt, "nl").said
            # the whole year's explanation above rendered every rule for every member; what an act
            # adds is its selection and its future terms, the same for every regiogemeente
            centrum = next(m.code for m in ev.parties.members if m.role == "centrumgemeente")
            other = next((m.code for m in ev.parties.members if m.code != centrum), None)
            for code in dict.fromkeys(c for c in (centrum, other) if c is not None):
                ex = explain.explain(ev, fmt, "nl", code, when, scalars=code == centrum, only=only, said=said)
                explain.render(ex, fmt)
