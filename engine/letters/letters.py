"""Settlement letters: one per municipality, from the centrumgemeente, in Markdown, HTML or PDF,
each with the explanation for that municipality attached and a reproducibility block.

- A regiogemeente's letter states each settlement (a rule with `settlement`) as "u ontvangt" /
  "u betaalt" / nihil, never a bare minus, with its deadline and the article that sets it.
- The centrumgemeente's own letter is a record for its own administration: its own share is no
  payment (it stays in, or is charged to, its own budget); it lists what every other municipality
  receives or pays, and the results that are not distributed (such as the Reserve MO).
- One letter per act (`acts`, engine.letters.acts): it states the act's results and no others,
  and is dated as the act is; a term that follows an event after that date is said as future.
- Nothing is written unless every letter rendered: all files are made in memory, written into a
  fresh folder beside the target, and only then moved into place (see `write_folder`).
- Only what this command wrote is ever replaced: the letters its manifest lists, each unchanged
  since (see `earlier_letters`); a folder with anything else in it is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from markupsafe import Markup

from convenant import __version__, words
from convenant.core import dates
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.output import (
    cannot_write,
    make_folders,
    refuse_file_as_folder,
    refuse_rules_directory,
    remove_folders,
    umask_mode,
)
from convenant.core.paths import display_path
from convenant.core.units import Kind
from convenant.core.wording import WORDS, show
from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.explain.explainers import Scope
from convenant.explain.report import NOTHING, PAYS, RECEIVES
from convenant.language.model import MUNICIPALITY, Act
from convenant.language.parties import YearParty
from convenant.letters.acts import Chosen, choose
from convenant.primitives.deadline import After
from convenant.render import templating

FORMATS = ("md", "html", "pdf")
MANIFEST = "brieven.sha256"  # lists every letter with its hash; marks a folder this command owns

UNKNOWN = "unknown"  # a settlement that cannot be computed yet (beside report.direction's codes)


@dataclass(frozen=True)
class Settlement:
    label: str
    title: str  # the label without its notes in brackets: the heading of the settlement in the letter
    citation: str
    direction: str  # receives | pays | nothing (report.direction) | unknown
    amount: str  # without sign: the direction says it
    sentence: str  # "U ontvangt € 32.801,38 van de gemeente Assen"
    deadline: str  # "uiterlijk 30 juni 2025 (artikel 8, zesde lid)"
    dated: bool = True  # False: the covenant sets no deadline (the sentence says so after a semicolon)

    @property
    def line(self) -> str:
        """The sentence as the letter states it: with its deadline when money moves."""
        if self.direction in (RECEIVES, PAYS):
            return f"{self.sentence}{', ' if self.dated else '; '}{self.deadline}."
        return f"{self.sentence.rstrip('.')}."

    def own_deadline(self, words: dict[str, str]) -> str:
        """For the centrumgemeente's own record: when the settlement with the regiogemeenten is due."""
        if self.direction == UNKNOWN:
            return ""
        if not self.dated:
            return words["own_no_deadline"]
        return words["own_deadline"].format(deadline=self.deadline)


@dataclass
class Letter:
    party: YearParty
    own: bool  # the centrumgemeente's record for its own administration
    stem: str  # file name without extension
    subject: str
    settlements: list[Settlement]
    explanation: explain.Explanation
    overview: list[list[str]] = field(default_factory=list)
    others: list[tuple[str, str]] = field(default_factory=list)
    # results stated, not settled (a rule with `letter`): (heading with article, the rule's sentence)
    statements: list[tuple[str, str]] = field(default_factory=list)


def _title(label: str) -> str:
    """A rule's label without its notes in brackets."""
    return re.sub(r"\s*\([^)]*\)", "", label)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Composer:
    def __init__(self, chosen: Chosen, fmt: str, lang: str) -> None:
        self.chosen, self.ev, self.fmt, self.lang, self.when = chosen, chosen.ev, fmt, lang, chosen.when
        self.act: Act | None = chosen.act
        ev = self.ev
        self.words = WORDS[lang]
        self.centrum = next(m for m in ev.parties.members if m.role == "centrumgemeente")
        scope = Scope(ev, lang)
        self.settled = [
            r
            for r in ev.rules.rules.values()
            if r.settlement is not None and scope.includes(r.per, MUNICIPALITY) and self.states(r.name)
        ]
        self.said = {name: text for name in ev.rules.rules if (text := self.future_term(name))}

    def states(self, name: str) -> bool:
        """Whether this letter states the result: the act's results (no acts: every result)."""
        return self.act is None or name in self.act.states

    def applies(self, rule_name: str, code: str) -> bool:
        """A settlement applies to a municipality unless the rule leaves it out (roles)."""
        value = self.ev.nodes[rule_name].value
        return value is None or code in value

    def future_term(self, name: str) -> str | None:
        """A term after an event the letter's date does not know yet, as the letter says it:
        "binnen 2 weken nadat …" (without its article)."""
        rule = self.ev.rules.rules[name]
        if rule.section != "deadlines" or not isinstance(rule.spec, After):
            return None
        event = self.chosen.later.get(rule.spec.date)
        if event is None:
            return None
        term = show(Kind.TERM, self.ev.values[rule.spec.term], self.lang)
        return self.words["after_event"].format(term=term, event=event)

    def deadline(self, name: str | None) -> str:
        w = self.words
        if name is None:
            return w["no_deadline"]
        node = self.ev.nodes[name]
        citation = node.rule.article.formal(self.lang)
        if name in self.said:
            return f"{self.said[name]} ({citation})"
        if node.value is None:
            return w["unknown_deadline"].format(citation=citation)
        if isinstance(node.value, dates.Period):
            return w["in_window"].format(period=show(Kind.PERIOD, node.value, self.lang), citation=citation)
        return w["by_deadline"].format(date=show(Kind.DATE, node.value, self.lang), citation=citation)

    def settlement(self, rule_name: str, code: str, own: bool) -> Settlement:
        node, w = self.ev.nodes[rule_name], self.words
        rule = node.rule
        title = _title(rule.label)
        if node.value is None:  # not yet computable: say so, with what it waits for
            return Settlement(
                rule.label,
                title,
                rule.article.formal(self.lang),
                UNKNOWN,
                "",
                w["unknown_settlement"].format(missing=self.missing(rule_name)),
                w["no_deadline"],
                dated=False,
            )
        value = node.value[code]
        direction = report.direction(value)
        amount = show(Kind.MONEY, abs(value), self.lang)
        provisional = self.act is not None and self.act.provisional
        if own:
            key = f"own_{direction}"
            shown = {"amount": amount} if direction != NOTHING else {}  # nil names no amount
            sentence = w[key].format(centrum=self.centrum.name, **shown)
        elif provisional:
            shown = {"amount": amount} if direction != NOTHING else {}
            sentence = w[f"provisional_{direction}"].format(**shown)
        elif direction == NOTHING:
            sentence = w["nothing"]
        else:
            key, place = (RECEIVES, "receives_from") if direction == RECEIVES else (PAYS, "pays_to")
            sentence = f"{w[key].format(amount=amount)} {w[place].format(centrum=self.centrum.name)}"
        deadline_rule = rule.settlement.deadline(value) if rule.settlement else None
        deadline = self.deadline(deadline_rule)
        if provisional and deadline_rule is not None:  # not settled by this letter: afterwards
            deadline = w["provisional_deadline"].format(deadline=deadline)
        return Settlement(
            rule.label,
            title,
            rule.cited(value).formal(self.lang),
            direction,
            amount,
            sentence,
            deadline,
            dated=deadline_rule is not None and not provisional,
        )

    def missing(self, rule_name: str) -> str:
        """The facts an unknown settlement waits for, as a reader knows them: label and field name."""
        facts = self.ev.rules.facts
        return "; ".join(
            f"‘{facts[name].label}’ ({name})" if name in facts else name
            for name in self.ev.waiting_for(rule_name)
        )

    def overview(self) -> list[list[str]]:
        w, rows = self.words, []
        for party in self.ev.parties.members:
            if party.code == self.centrum.code:
                continue
            for rule in self.settled:
                if not self.applies(rule.name, party.code):
                    continue
                s = self.settlement(rule.name, party.code, own=False)
                direction = w[f"overview_{s.direction}"]
                rows.append([party.name, s.title, direction, s.amount, s.deadline])
        return rows

    def others(self, explained: set[str]) -> list[tuple[str, str]]:
        """Results of the year that no municipality's settlement rests on (the centrumgemeente keeps them)."""
        return [
            (f"{r.label} ({r.article.formal(self.lang)})", self.unsigned(r.kind, self.ev.nodes[n].value))
            for n, r in self.ev.rules.rules.items()
            if r.per is None and r.section == "rules" and n not in explained and self.states(n)
        ]

    def unsigned(self, kind: Kind, value: object) -> str:
        """A value for the letter itself: a negative amount in words, never a bare minus."""
        if kind is Kind.MONEY and isinstance(value, Fraction) and value < 0:
            return self.words["negative"].format(amount=show(kind, -value, self.lang))
        return show(kind, value, self.lang)

    def subject(self, own: bool) -> str:
        w, year = self.words, self.ev.facts.year
        if self.act is not None:
            title = self.act.titled(year)
            return w["letter_own_act_subject"].format(title=title) if own else title
        short = [_title(r.label) for r in self.settled]
        lower = words.say("casing.label_in_sentence", self.lang) == "lower"
        subjects = ", ".join(label.lower() if lower else label for label in short)
        return w["letter_own_subject" if own else "letter_subject"].format(year=year, subjects=subjects)

    def letter(self, party: YearParty) -> Letter:
        own = party.code == self.centrum.code
        c, year = self.ev.rules.covenant, self.ev.facts.year
        only = self.act.states if self.act is not None else None
        explanation = explain.explain(
            self.ev, self.fmt, self.lang, party.code, self.when, scalars=own, only=only, said=self.said
        )
        act = f"{_slug(self.act.name)}-" if self.act is not None else ""
        letter = Letter(
            party,
            own,
            f"{c.id}-{year}-{act}{party.code}-{_slug(party.name)}",
            self.subject(own),
            [
                self.settlement(r.name, party.code, own)
                for r in self.settled
                if self.applies(r.name, party.code)
            ],
            explanation,
        )
        letter.statements = [
            (f"{_title(s.rule.label)} ({s.citation})", s.sentence)
            for s in explanation.sections
            if s.rule.stated is not None and s.member == party.code
        ]
        if own:
            letter.overview = self.overview()
            # what the regional settlements rest on; the other results the act states are listed
            rules = self.ev.rules.rules
            per_member = [n for n in only if rules[n].per is not None] if only is not None else None
            regional = {n for n, _ in explain.selection(self.ev, party.code, only=per_member)}
            letter.others = self.others(regional)
        return letter


def _centrum(ev: Evaluation) -> str:
    """The centrumgemeente's name in the year (after any merger)."""
    return next(m.name for m in ev.parties.members if m.role == "centrumgemeente")


def compose(chosen: Chosen, fmt: str, lang: str) -> list[Letter]:
    """Every party's letter of the chosen act, in preamble order, with its explanation in `fmt`
    (md or html)."""
    composer = _Composer(chosen, fmt, lang)
    return [composer.letter(p) for p in chosen.ev.parties.members]


def _repro(chosen: Chosen, letter: Letter, lang: str) -> list[tuple[str, str]]:
    ev, when = chosen.ev, chosen.when
    w, c = WORDS[lang], ev.rules.covenant
    rows = [
        (w["repro_covenant"], f"{c.id}, {w['version']} {c.version}"),
        (w["repro_rules_sha"], f"{Path(ev.rules.path).name}: {ev.rules.sha256}"),
    ]
    if letter.explanation.templates_sha256:
        rows.append((w["repro_templates_sha"], letter.explanation.templates_sha256))
    # a year that versions share is evaluated only under a rule file given (registry.year_split):
    # under a version that covers part of the year, the command names the rule file
    options = f" --rules {ev.rules.path}" if letter.explanation.part_of_year else ""
    if chosen.act is not None:
        options += f" --act {chosen.act.name}"
        rows.append((w["repro_act"], f"{chosen.act.name}: {chosen.act.titled(ev.facts.year)}"))
    dated = f" --date {when.isoformat()}" if chosen.date_fact is None else ""  # else the fact is the date
    source = w[chosen.source]
    if chosen.source == "repro_date_from_fact":
        source = source.format(fact=chosen.date_fact)
    rows += [
        (w["repro_facts_sha"], f"{Path(ev.facts.path).name}: {ev.facts.sha256}"),
        (w["repro_engine"], f"convenant {__version__}"),
        (w["repro_date"], f"{show(Kind.DATE, when, lang)} ({source})"),
        (w["repro_command"], f"convenant letters {Path(ev.facts.path).name}{options} --out DIR{dated}"),
    ]
    return rows


def _intro(chosen: Chosen, letter: Letter, lang: str) -> str:
    ev, w, c = chosen.ev, WORDS[lang], chosen.ev.rules.covenant
    intro = w["own_intro" if letter.own else "letter_intro"].format(
        title=c.title,
        region=f", {c.region}" if c.region else "",
        version=c.version,
        version_date=show(Kind.DATE, c.version_date, lang),
        centrum=_centrum(ev),
        year=ev.facts.year,
    )
    act = chosen.act
    if act is None:
        return intro
    intro += " " + w["act_line"].format(act=act.titled(ev.facts.year), citation=act.article.formal(lang))
    return intro + (" " + w["provisional_note"] if act.provisional else "")


def render(chosen: Chosen, letter: Letter, fmt: str, lang: str, page: bool) -> str:
    """One letter as Markdown or HTML (`page` False: the HTML fragment the PDF is made from)."""
    ev, when = chosen.ev, chosen.when
    w = WORDS[lang]
    attached = explain.render(letter.explanation, fmt, standalone=False)
    context = {
        "L": letter,
        "t": w,
        "page": page,
        "lang": lang,
        "illustrative": ev.facts.illustrative,
        "sender": w["college_of"].format(name=_centrum(ev)) + f" ({w['role_centrum']})",
        "addressee": w["college_of"].format(name=letter.party.name),
        "dated": f"{_centrum(ev)}, {show(Kind.DATE, when, lang)}",
        "intro": _intro(chosen, letter, lang),
        "after_end": report.settled_after_end(ev, lang),
        "signature": w["signature"].format(name=_centrum(ev)),
        "explanation": Markup(attached) if fmt == "html" else attached,
        "repro": _repro(chosen, letter, lang),
    }
    folder = templating.sentence_dir(ev.rules.path)
    text = templating.render(fmt, folder if folder.is_dir() else None, "engine/letter.j2", context)
    return templating.tidy(text, fmt)


def make_letters(
    ev: Evaluation,
    formats: tuple[str, ...],
    lang: str,
    date_option: str | None,
    act: str | None = None,
) -> dict[str, bytes]:
    """Every letter of one act (`act`, or the first that applies) in every format, in memory:
    file name → bytes."""
    return letters_of(choose(ev, act, date_option, lang), formats, lang)


def letters_of(chosen: Chosen, formats: tuple[str, ...], lang: str) -> dict[str, bytes]:
    """Every letter of the chosen act in every format, in memory: file name → bytes."""
    files: dict[str, bytes] = {}
    if "md" in formats:
        for letter in compose(chosen, "md", lang):
            files[f"{letter.stem}.md"] = render(chosen, letter, "md", lang, page=True).encode()
    if "html" in formats or "pdf" in formats:
        from convenant.render.pdf import html_to_pdf

        author = WORDS[lang]["college_of"].format(name=_centrum(chosen.ev))
        for letter in compose(chosen, "html", lang):
            if "html" in formats:
                files[f"{letter.stem}.html"] = render(chosen, letter, "html", lang, page=True).encode()
            if "pdf" in formats:
                fragment = render(chosen, letter, "html", lang, page=False)
                files[f"{letter.stem}.pdf"] = html_to_pdf(fragment, letter.subject, author, chosen.when, lang)
    return dict(sorted(files.items()))


def manifest(files: Mapping[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items()).encode()


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(out: Path) -> dict[str, str]:
    """The letters an earlier run wrote in `out` (name → sha256), from its manifest; a manifest
    this command could not have written is refused, so it can never make us replace a file."""
    path = out / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        lines = path.read_bytes().decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        lines = ["?"]
    listed: dict[str, str] = {}
    for number, line in enumerate(lines[:-1] if lines[-1] == "" else lines, start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None or match[2] in (".", "..", MANIFEST) or match[2] in listed:
            raise ConvenantError(
                [Problem("letters.bad_manifest", {"path": display_path(path), "line": number})]
            )
        listed[match[2]] = match[1]
    return listed


_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([^/\\\x00]+)")


def _some(names: list[str]) -> str:
    return ", ".join(names[:10]) + (", …" if len(names) > 10 else "")


def earlier_letters(out: Path) -> list[str]:
    """What of `out` this command may replace: nothing when it is new or empty; when an earlier
    run made it, the letters its manifest lists (and the manifest). Refuses a folder that holds
    anything else, or a letter changed since it was written: those are the user's."""
    refuse_rules_directory(out)
    refuse_file_as_folder(out)
    if not out.exists() and not out.is_symlink():
        return []
    if not out.is_dir():
        raise ConvenantError([Problem("letters.out_not_a_folder", {"path": display_path(out)})])
    try:
        present = sorted(os.listdir(out))
    except OSError as error:
        raise cannot_write(out, error) from None
    if not present:
        return []
    listed = _listed(out)
    ours = {MANIFEST, *listed} if listed else set()
    foreign = [n for n in present if n not in ours or (out / n).is_symlink() or not (out / n).is_file()]
    if foreign:
        args = {"path": display_path(out), "files": _some(foreign), "manifest": MANIFEST}
        raise ConvenantError([Problem("letters.foreign_files", args)])
    changed = [n for n in present if n != MANIFEST and _hash(out / n) != listed[n]]
    if changed:
        args = {"path": display_path(out), "files": _some(changed), "manifest": MANIFEST}
        raise ConvenantError([Problem("letters.changed", args)])
    return present


def write_folder(files: Mapping[str, bytes], out: Path) -> None:
    """Put exactly `files` (and the manifest) in `out`, all or nothing; see `earlier_letters`
    for what `out` may hold. The files are written into a hidden folder beside `out` first. A
    new folder is that folder renamed into place; in an earlier letters folder the old letters
    are moved aside, the new ones moved in, and the old ones removed only when all are in. On
    any failure, the earlier letters are put back and nothing new stays behind."""
    earlier = earlier_letters(out)
    created = make_folders(out.parent)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as error:
        remove_folders(created)
        raise cannot_write(out.parent, error) from None
    try:
        for name, data in {**files, MANIFEST: manifest(files)}.items():
            (stage / name).write_bytes(data)
        if out.is_dir():
            _move_in(stage, out, earlier)
        else:
            os.chmod(stage, umask_mode(0o777))
            os.rename(stage, out)
    except BaseException as error:
        shutil.rmtree(stage, ignore_errors=True)  # our own hidden folder, with only our files
        remove_folders(created)
        if isinstance(error, OSError):
            raise cannot_write(out, error) from None
        raise
    shutil.rmtree(stage, ignore_errors=True)


def _move_in(stage: Path, out: Path, earlier: list[str]) -> None:
    """Replace the earlier letters in `out` by those in `stage`, the manifest last."""
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in sorted(earlier, key=lambda n: n != MANIFEST):
            os.rename(out / name, backup / name)
            moved_out.append(name)
        for name in sorted(os.listdir(stage), key=lambda n: n == MANIFEST):
            os.rename(stage / name, out / name)
            moved_in.append(name)
    except BaseException:
        for name in reversed(moved_in):
            os.rename(out / name, stage / name)
        for name in reversed(moved_out):
            os.rename(backup / name, out / name)
        backup.rmdir()  # empty again; if not, the earlier letters stay there rather than be lost
        raise
    shutil.rmtree(backup)  # the earlier letters, each checked unchanged since this command wrote it
