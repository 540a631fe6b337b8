"""`convenant reproduce KENMERK`: make a run's letters again from what the register keeps, and say
of each letter whether it is byte-identical to what was made then.

The run's inputs are written into a private temporary folder, laid out as a rules directory
(the municipalities table, the rule file with its tables and sentence templates beside it), and
each file is shown by the name it had when the run was made (`paths.shown_as`), so that the
letters and their annexes name their inputs exactly as they did then. The letters are then made as
`convenant letters` makes them (`workflow.session.load_for_facts`, `letters.make_letters`), with
the run's options: act, date, formats, language, profile and house-style template.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from convenant import __version__
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import TABLE_NAME, shown_as
from convenant.register.inputs import safe_name, sender
from convenant.register.store import Register, StoredInput, StoredRun


@dataclass(frozen=True)
class FileCheck:
    name: str
    expected: str  # sha256 then
    found: str | None  # sha256 now (None: not made again)

    @property
    def identical(self) -> bool:
        return self.expected == self.found


@dataclass(frozen=True)
class LetterCheck:
    kenmerk: str
    municipality: str | None
    recipient: str | None
    files: tuple[FileCheck, ...]

    @property
    def identical(self) -> bool:
        return all(f.identical for f in self.files)


@dataclass(frozen=True)
class Reproduction:
    run: StoredRun
    engine_now: str
    letters: tuple[LetterCheck, ...]
    files: dict[str, bytes]  # the letters made again

    @property
    def identical(self) -> bool:
        return all(letter.identical for letter in self.letters)


def for_kenmerk(register: Register, kenmerk: str) -> Reproduction:
    """The run that gave the letter with this kenmerk, made again; a clear error when no run did."""
    run = register.find_kenmerk(kenmerk.strip())
    if run is None:
        raise ConvenantError([Problem("register.unknown_kenmerk", {"kenmerk": kenmerk})])
    return reproduce(register, run)


def reproduce(register: Register, run: StoredRun) -> Reproduction:
    if run.kind != "letters":
        raise ConvenantError([Problem("register.not_letters", {"id": run.id})])
    files = remake(register, run)
    checks = []
    for letter in run.letters():
        mine = [o for o in run.outputs if o.kenmerk == letter.kenmerk]
        found = tuple(
            FileCheck(
                o.name, o.sha256, hashlib.sha256(files[o.name]).hexdigest() if o.name in files else None
            )
            for o in mine
        )
        checks.append(LetterCheck(letter.kenmerk or "", letter.municipality, letter.recipient, found))
    return Reproduction(run, __version__, tuple(checks), files)


def remake(register: Register, run: StoredRun) -> dict[str, bytes]:
    """The run's letters made again, in memory, from its stored inputs."""
    from convenant.evaluation.evaluate import evaluate
    from convenant.letters import letters
    from convenant.letters.template_check import check_templates
    from convenant.workflow.session import load_for_facts

    by_role: dict[str, list[StoredInput]] = {}
    for stored in run.inputs:
        by_role.setdefault(stored.role, []).append(stored)

    def one(role: str) -> StoredInput:
        found = by_role.get(role, [])
        if len(found) != 1:
            raise ConvenantError([Problem("register.incomplete_run", {"id": run.id, "role": role})])
        return found[0]

    with tempfile.TemporaryDirectory(prefix="convenant-reproduce-") as folder:
        root = Path(folder)
        names: dict[Path, str] = {}

        def put(path: Path, stored: StoredInput) -> Path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(register.blob(stored.sha256))
            names[path] = stored.shown
            return path

        rules = one("rules")
        rule_file = put(root / "rules" / safe_name(run.covenant) / safe_name(Path(rules.name).name), rules)
        put(root / "rules" / TABLE_NAME, one("municipalities"))
        for table in by_role.get("bijlage", []):
            put(rule_file.parent / safe_name(table.name), table)
        sentences = rule_file.with_name(rule_file.stem + ".templates")
        for template in by_role.get("templates", []):
            put(sentences / safe_name(template.name), template)
        facts = one("facts")
        facts_file = put(root / "facts" / safe_name(Path(facts.name).name), facts)
        profile = one("profile")
        signed = (profile.shown, register.blob(profile.sha256))
        docx = by_role.get("docx_template")
        style = (docx[0].shown, register.blob(docx[0].sha256)) if docx else None
        with shown_as(names):
            checked_rules, checked_facts = load_for_facts(facts_file, rule_file)
            check_templates(checked_rules, disk=True)
            ev = evaluate(checked_rules, checked_facts)
            with sender(signed, style) as (signer, _layout, house, _inputs):
                return letters.make_letters(
                    ev, run.formats, run.lang, run.date_option, run.act, signer, house
                )
