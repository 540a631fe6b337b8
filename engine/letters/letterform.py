"""The settlement letters of one act as municipal letters: a LetterDocument (render/document.py)
for every party, from the chosen act (acts.py) and the sender profile (profile.py). The
renderers (Typst PDF, DOCX, Markdown, HTML) typeset the same document, so every format says the
same words.

- A regiogemeente's letter: the act and its basis, then what it pays or receives, by when, on
  which account and reference; why, in two sentences; the results the act states beside them;
  the dispute route; the signature. A settlement that cannot be computed yet is one line.
- The centrumgemeente's own letter is a record for its own administration: its own share is no
  payment; it lists what every other municipality receives or pays, with totals, and the
  results that are not distributed.
- The annex is the region's table for each settlement of the act: every member with the inputs
  its key rests on (facts and results per member, in the order they are computed), the key to
  twelve decimals, and the outcome, with totals; the amount distributed and the weights; the
  interpretations the outcomes rely on and the article texts, once each; the digital annex (the
  full explanation, named by its hash) and the reproducibility block.
- No identifier and no code syntax reaches a letter: facts and results are named by their labels.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import __version__, words
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.explain.report import NOTHING, PAYS, RECEIVES
from convenant.language.model import MUNICIPALITY
from convenant.language.trace import DistributeDetails, WeightedKeyDetails
from convenant.letters.acts import Chosen, choose
from convenant.letters.profile import Profile
from convenant.letters.settlements import UNKNOWN, Settlement, _Composer, _title
from convenant.render import document as d
from convenant.render import templating

KEY_DECIMALS = 12
COLUMNS_PER_TABLE = 4  # numbers beside the member's name: what fits an A4 page at 8 pt
NO_ACT = "afrekening"  # the act's part of the kenmerk and file name when the rule file declares no acts


@dataclass(frozen=True)
class Layout:
    """A house-style Word template given for the DOCX letters: its path and sha256."""

    path: Path
    sha256: str


@dataclass(frozen=True)
class Made:
    """One letter of the run: its file stem, its recipient, the document and its digital annex."""

    stem: str
    code: str
    own: bool  # the centrumgemeente's record for its own administration
    document: d.LetterDocument
    explanation: str  # the full explanation (Markdown): the digital annex the letter names by its hash

    @property
    def explanation_name(self) -> str:
        return f"{self.stem}.toelichting.md"


def decimals(value: Fraction, places: int, lang: str) -> str:
    """A share to `places` decimals, rounded half up (named: the key is shown, never computed with).

    >>> decimals(Fraction(1, 3), 12, "nl"), decimals(Fraction(1), 12, "en")
    ('0,333333333333', '1.000000000000')
    """
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # half up, on a non-negative value
    text = f"{whole // 10**places}{words.say('letterform.decimal_mark', lang)}{whole % 10**places:0{places}d}"
    return f"{d.MINUS}{text}" if value < 0 else text


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _fill(phrase: str, **args: Any) -> str:
    """A phrase with the arguments it names (an act's sentences name different ones)."""
    wanted = words.placeholders(phrase)
    return phrase.format(**{k: v for k, v in args.items() if k in wanted})


class _Builder:
    def __init__(self, chosen: Chosen, profile: Profile, lang: str, layout: Layout | None = None) -> None:
        self.chosen, self.ev, self.profile, self.lang = chosen, chosen.ev, profile, lang
        self.layout = layout
        self.act, self.when = chosen.act, chosen.when
        ev = self.ev
        self.w = words.table("letterform", lang)
        self.t = words.table("letterform.letter", lang)
        self.composer = _Composer(chosen, "md", lang)
        self.centrum = self.composer.centrum
        c = ev.rules.covenant
        if profile.municipality != self.centrum.code:
            args = {
                "code": profile.municipality,
                "covenant": c.id,
                "year": ev.facts.year,
                "centrum": self.centrum.code,
            }
            raise ConvenantError([Problem("profile.wrong_sender", args)])
        self.dispute = profile.dispute(c.id)
        self._closures: dict[str, list[str]] = {}  # per result: the same in every letter of the act
        self._regions: dict[str, tuple[list[str], list[d.Table]]] = {}
        self._distributed: dict[str, list[d.Block]] = {}
        self._sections: dict[tuple[str, str | None], explain.Section] = {}  # shared by the annexes
        self._rendered: explain.RenderedSections = {}  # and their texts
        self.act_id = _slug(self.act.name) if self.act is not None else NO_ACT  # no identifier in a letter
        settled = [r.name for r in self.composer.settled]
        if self.act is not None:  # in the order the act states them
            settled.sort(key=self.act.states.index)
        self.settled = settled
        self.sentences = templating.sentence_dir(ev.rules.path)
        self.inputs = self.hashes()
        self.inputs_id = _sha("".join(f"{k}\n{v}\n" for k, v in self.inputs))[:8]

    # inputs ---------------------------------------------------------------------------------------
    def hashes(self) -> list[tuple[str, str]]:
        """Every input a letter is made from, as (what, sha256): what the kenmerk and the
        reproducibility block name."""
        rules, w = self.ev.rules, self.t
        out = [(w["repro_rules"].format(file=Path(rules.path).name), rules.sha256)]
        for table in rules.tables.values():
            out.append((w["repro_table"].format(file=Path(table.path).name), table.sha256))
        out.append(
            (
                w["repro_municipalities"].format(file=Path(rules.municipalities.path).name),
                rules.municipalities.sha256,
            )
        )
        folder = templating.folder_sha256(self.sentences if self.sentences.is_dir() else None)
        self.sentences_sha256 = folder  # read once for every letter and annex of the act
        if folder:
            out.append((w["repro_sentences"].format(folder=self.sentences.name), folder))
        out.append((w["repro_profile"].format(file=Path(self.profile.path).name), self.profile.sha256))
        out.append((w["repro_facts"].format(file=Path(self.ev.facts.path).name), self.ev.facts.sha256))
        if self.layout is not None:  # a house-style Word template: the DOCX is made from it
            out.append(
                (w["repro_docx_template"].format(file=Path(self.layout.path).name), self.layout.sha256)
            )
        return out

    def kenmerk(self, code: str) -> str:
        c = self.ev.rules.covenant
        return self.profile.kenmerk(c.id, self.ev.facts.year, self.act_id, code, self.inputs_id)

    def stem(self, code: str, name: str) -> str:
        c, year = self.ev.rules.covenant, self.ev.facts.year
        act = f"{_slug(self.act.name)}-" if self.act is not None else ""
        return f"{c.id}-{year}-{act}{code}-{_slug(name)}"

    # the region's table ---------------------------------------------------------------------------
    def closure(self, name: str) -> list[str]:
        """The facts and results per member that `name` rests on, inputs before results (a fact per
        column of the sheet, or per row and column, is not a member's input and is left out).
        The same for every letter of the act: traced once per result."""
        if name not in self._closures:
            self._closures[name] = self._trace(name)
        return self._closures[name]

    def _trace(self, name: str) -> list[str]:
        order: list[str] = []
        members = {MUNICIPALITY, *(s for s, wider in self.ev.narrower.items() if MUNICIPALITY in wider)}

        def visit(n: str) -> None:
            if n in order:
                return
            node = self.ev.nodes.get(n)
            if node is not None:
                for use in node.inputs:
                    visit(use.name)
                if node.rule.per in members:
                    order.append(n)
            elif n in self.ev.rules.facts:
                decl = self.ev.rules.facts[n]
                if decl.per in members and not decl.by and decl.kind.numeric:
                    order.append(n)

        visit(name)
        return order

    def upstream(self, names: Sequence[str]) -> set[str]:
        """Every result the given ones rest on, themselves included (scalars too, unlike `closure`)."""
        seen: set[str] = set()
        todo = list(names)
        while todo:
            n = todo.pop()
            node = self.ev.nodes.get(n)
            if n in seen or node is None:
                continue
            seen.add(n)
            todo += [use.name for use in node.inputs]
        return seen

    def label(self, name: str) -> str:
        node = self.ev.nodes.get(name)
        label = node.rule.label if node is not None else self.ev.rules.facts[name].label
        return _title(label)

    def kind(self, name: str) -> Kind:
        node = self.ev.nodes.get(name)
        return node.rule.kind if node is not None else self.ev.rules.facts[name].kind

    def money(self, value: Fraction) -> str:
        return d.signed(show(Kind.MONEY, abs(value), self.lang), value < 0)

    def cell(self, kind: Kind, value: Any) -> str:
        if value is None:
            return "—"
        if kind is Kind.RATIO:
            return decimals(Fraction(value), KEY_DECIMALS, self.lang)
        if kind is Kind.MONEY:
            return self.money(Fraction(value))
        return show(kind, value, self.lang)

    def region_table(self, rule_name: str, code: str) -> list[d.Table]:
        """Every member (the widest set among the columns: a sheet's rows include the
        municipalities) with each input and result, numbered (1), (2), … with a legend; more
        columns than fit the page are shown in parts of `COLUMNS_PER_TABLE`. The recipient's own
        row is shaded; the rest is the same in every letter of the act, so it is made once."""
        if rule_name not in self._regions:
            self._regions[rule_name] = self._region(rule_name)
        members, tables = self._regions[rule_name]
        own = members.index(code) if code in members else None
        return [dataclasses.replace(t, highlight=own) for t in tables]

    def _region(self, rule_name: str) -> tuple[list[str], list[d.Table]]:
        names = self.closure(rule_name)
        values = [self.ev.values.get(n) or {} for n in names]
        per = [
            self.ev.rules.rules[n].per if n in self.ev.rules.rules else self.ev.rules.facts[n].per
            for n in names
        ]
        members = max((self.ev.members[p] for p in per if p), key=len)
        legend, columns = [], [d.Column(self.t["member_column"])]
        for number, n in enumerate(names, start=1):
            title = self.label(n)
            if self.kind(n) is Kind.RATIO:
                title = self.t["exact_key"].format(label=title)
            legend.append(f"({number}) {title}")
            columns.append(d.Column(f"({number})", numeric=True))
        rows = tuple(
            (
                self.ev.label(m),
                *(self.cell(self.kind(n), v.get(m)) for n, v in zip(names, values, strict=True)),
            )
            for m in members
        )
        total = [self.t["total"]]
        for n, v in zip(names, values, strict=True):
            present = [x for x in v.values() if x is not None]
            kind = self.kind(n)
            total.append(self.cell(kind, sum(present, Fraction(0))) if present and kind.numeric else "")
        tables = []
        for at in range(0, len(names), COLUMNS_PER_TABLE):  # a wide table in parts, each with the members
            part = slice(at + 1, at + 1 + COLUMNS_PER_TABLE)
            tables.append(
                d.Table(
                    (columns[0], *columns[part]),
                    tuple((row[0], *row[part]) for row in rows),
                    (total[0], *total[part]),
                    legend=tuple(legend[at : at + COLUMNS_PER_TABLE]),
                )
            )
        return list(members), tables

    def distributed(self, rule_name: str) -> list[d.Block]:
        """The amount each distribution in the closure divided, and each weighted key's weights
        (the same in every letter of the act: made once per result)."""
        if rule_name not in self._distributed:
            self._distributed[rule_name] = self._distribution(rule_name)
        return self._distributed[rule_name]

    def _distribution(self, rule_name: str) -> list[d.Block]:
        out: list[d.Block] = []
        for n in self.closure(rule_name):
            node = self.ev.nodes.get(n)
            if node is None:
                continue
            article = node.rule.article.formal(self.lang)
            if isinstance(node.details, DistributeDetails):
                amount = self.money(node.details.amount)
                text = self.t["distributed"].format(label=self.label(n), amount=amount, article=article)
                out.append(d.Paragraph.of(text))
            if isinstance(node.details, WeightedKeyDetails):
                parts = "; ".join(
                    self.t["weight"].format(
                        weight=show(Kind.PERCENTAGE, c.weight, self.lang), label=self.label(c.by)
                    )
                    for c in node.details.components
                )
                out.append(
                    d.Paragraph.of(
                        self.t["weights"].format(label=self.label(n), parts=parts, article=article)
                    )
                )
        return out

    @functools.cached_property
    def total_distributed(self) -> str:
        for r in self.settled:
            for n in self.closure(r):
                node = self.ev.nodes.get(n)
                if node is not None and isinstance(node.details, DistributeDetails):
                    return self.money(node.details.amount)
        return "—"

    @functools.cached_property
    def readings(self) -> list[d.Block]:
        """Each interpretation the act's settlements rely on, once, with its chosen reading."""
        seen: dict[str, d.Block] = {}
        for rule_name in self.settled:
            for n in [*self.closure(rule_name), rule_name]:
                node = self.ev.nodes.get(n)
                for ident in node.interpretations if node is not None else ():
                    i = self.ev.rules.interpretations[ident]
                    where = i.article.formal(self.lang) if i.article else self.ev.rules.covenant.title
                    text = self.t["reading"].format(
                        id=ident, article=where, reading=" ".join(i.chosen_reading.split())
                    )
                    seen.setdefault(ident, d.Paragraph.of(text))
        return list(seen.values())

    @functools.cached_property
    def articles(self) -> list[d.Block]:
        """The text of each article the act's settlements rest on, once."""
        seen: dict[str, str] = {}
        for name in self.settled:
            for n in [*self.closure(name), name]:
                node = self.ev.nodes.get(n)
                if node is None:
                    continue
                article = self.ev.rules.articles.get(node.rule.article.key)
                text = (article.text or article.title) if article else None
                if text:
                    seen.setdefault(node.rule.article.formal(self.lang), " ".join(text.split()))
        return [d.Paragraph.of(f"{cite}: “{text}”") for cite, text in seen.items()]

    # the letter -----------------------------------------------------------------------------------
    def missing(self, rule_name: str) -> str:
        """What an unknown settlement waits for, by label (never a field name)."""
        facts, rules = self.ev.rules.facts, self.ev.rules.rules
        names = self.ev.waiting_for(rule_name)
        labels = [
            facts[n].label if n in facts else rules[n].label if n in rules else self.t["unnamed_input"]
            for n in names
        ]
        return ", ".join(f"‘{_title(label)}’" for label in dict.fromkeys(labels))

    def settlements(self, code: str) -> list[tuple[Settlement, str]]:
        return [
            (self.composer.settlement(r, code, own=False), r)
            for r in self.settled
            if self.composer.applies(r, code)
        ]

    def outcome_sentence(self, s: Settlement, rule_name: str) -> tuple[str, str | None, str]:
        """The outcome as (before the amount, the amount or None, after it)."""
        t, title = self.t, s.title[:1].lower() + s.title[1:]
        provisional = self.act is not None and self.act.provisional
        if s.direction == UNKNOWN:
            return t["unknown"].format(title=s.title, missing=self.missing(rule_name)), None, ""
        if s.direction == NOTHING:
            key = "provisional_nothing" if provisional else "nothing"
            return t[key].format(title=title), None, ""
        phrase = t[f"provisional_{s.direction}" if provisional else s.direction]
        deadline = (
            ", " if s.dated or provisional else "; "
        ) + s.deadline  # no deadline: said after a semicolon
        before, _, after = phrase.partition("{amount}")
        return before.format(title=title), s.amount, after.format(deadline=deadline, title=title)

    def outcome(self, s: Settlement, rule_name: str) -> d.Paragraph:
        before, amount, after = self.outcome_sentence(s, rule_name)
        if amount is None:
            return d.Paragraph((d.Span(before, strong=True),), outcome=True)
        return d.Paragraph((d.Span(before + amount, strong=True), d.Span(after)), outcome=True)

    def outcome_table(self, settlements: list[tuple[Settlement, str]]) -> list[d.Block]:
        dirs = words.table("letterform.letter.direction", self.lang)
        rows, unknown = [], []
        for s, r in settlements:
            if s.direction == UNKNOWN:
                rows.append((s.title, dirs[UNKNOWN], "—", "—"))
                unknown.append(
                    d.Paragraph.of(self.t["unknown"].format(title=s.title, missing=self.missing(r)))
                )
            else:
                amount = s.amount if s.direction != NOTHING else "—"
                rows.append(
                    (s.title, dirs[s.direction], amount, s.deadline if s.direction != NOTHING else "—")
                )
        head = tuple(d.Column(t, numeric=i == 2) for i, t in enumerate(self.t["outcome_column"]))
        return [d.OutcomeTable(d.Table(head, tuple(rows), widths=(3, 2, 2, 4))), *unknown]

    def act_words(self) -> dict[str, str]:
        """The act's own sentences (basis and why), or the general ones."""
        key = f"letterform.act.{self.act.name if self.act is not None else NO_ACT}"
        found = words.catalogue()
        if f"{key}.basis" in found:
            return dict(words.table(key, self.lang))
        return dict(words.table("letterform.act_general", self.lang))

    def subject(self, own: bool) -> str:
        year = self.ev.facts.year
        if self.act is not None:
            title = f"{self.act.titled(year)} ({self.act.article.formal(self.lang)})"
        else:
            title = self.t["no_act_subject"].format(year=year)
        return self.t["own_subject"].format(title=title) if own else title

    def notices(self) -> list[d.Block]:
        """What holds for every letter of the run: a version that covers part of the year, a
        settlement after the covenant's end."""
        ev, out = self.ev, list[d.Block]()
        partly = report.part_of_year(ev.rules, ev.facts.year, self.lang, check=False)
        if partly:
            out.append(d.Paragraph.of(partly))
        after_end = report.settled_after_end(ev, self.lang)
        if after_end:
            out.append(d.Paragraph.of(after_end))
        return out

    def statements(self, ex: explain.Explanation, code: str) -> list[d.Block]:
        """The results the act states beside the settlements (a rule with `letter`), one paragraph each."""
        return [
            d.Paragraph.of(f"{_title(s.rule.label)} ({s.citation}): {' '.join(s.sentence.split())}")
            for s in ex.sections
            if s.rule.stated is not None and s.member == code
        ]

    def annex(self, code: str, kenmerk: str, explanation: str, name: str) -> d.Annex:
        ev, t = self.ev, self.t
        blocks: list[d.Block] = []
        for r in self.settled:
            rule, value = ev.rules.rules[r], ev.nodes[r].value
            # the article of the recipient's own direction (a receiver lid 5, a payer lid 4)
            cited = rule.cited(value[code]) if isinstance(value, dict) and code in value else rule.article
            blocks.append(d.Heading(f"{_title(rule.label)} ({cited.formal(self.lang)})", level=2))
            if ev.nodes[r].value is None:
                blocks.append(d.Paragraph.of(t["annex_unknown"].format(missing=self.missing(r))))
                continue
            blocks += self.distributed(r)
            blocks += self.region_table(r, code)
        readings = self.readings
        if readings:
            blocks.append(d.Heading(t["readings_heading"], level=2))
            blocks += readings
        quoted = self.articles
        if quoted:
            blocks.append(d.Heading(t["articles_heading"], level=2))
            blocks += quoted
        blocks.append(d.Heading(t["repro_heading"], level=2))
        blocks.append(d.Paragraph.of(t["digital_annex"].format(file=name, sha256=_sha(explanation))))
        blocks.append(self.repro(kenmerk))
        return d.Annex(t["annex_title"], tuple(blocks))

    def repro(self, kenmerk: str) -> d.Table:
        ev, t, c = self.ev, self.t, self.ev.rules.covenant
        covenant = t["repro_covenant_value"].format(
            title=c.title, region=f", {c.region}" if c.region else "", version=c.version
        )
        cvdr = c.cvdr
        rows: list[tuple[str, str]] = [(t["repro_kenmerk"], kenmerk), (t["repro_covenant"], covenant)]
        if cvdr:
            rows.append((t["repro_cvdr"], cvdr))
        if self.act is not None:
            rows.append((t["repro_act"], self.act.titled(ev.facts.year)))
        rows += self.inputs
        rows.append((t["repro_engine"], f"convenant {__version__}"))
        source = words.table("letterform.letter.date_source", self.lang)[self.chosen.source]
        if self.chosen.date_fact is not None:
            source = source.format(fact=_title(ev.rules.facts[self.chosen.date_fact].label))
        rows.append((t["repro_date"], f"{show(Kind.DATE, self.when, self.lang)} ({source})"))
        return d.Table((d.Column(t["repro_what"]), d.Column(t["repro_value"])), tuple(rows), widths=(2, 5))

    def document(
        self, code: str, own: bool, body: list[d.Block], recipient: list[str], explanation: str, name: str
    ) -> d.LetterDocument:
        ev, p, w, lang = self.ev, self.profile, self.w, self.lang
        kenmerk = self.kenmerk(code)
        illustrative = ev.facts.illustrative or p.illustrative
        subject = self.subject(own)
        ref = words.table("letterform.reference", lang)
        under_mandate = p.mode == "mandaat"
        signature = d.Signature(
            w["closing"],
            p.college,
            tuple(
                d.Signatory(
                    s.name,  # under mandate, the decision it rests on is named with the function
                    w["mandate_function"].format(function=s.function, decision=p.mandate_decision)
                    if under_mandate and p.mandate_decision
                    else s.function,
                )
                for s in p.signatories
            ),
            w["mandate"] if under_mandate else None,
        )
        if self.dispute and not own:
            body.append(d.Paragraph.of(self.dispute))
        if illustrative:
            body.append(d.Paragraph.of(self.t["illustrative"]))
        return d.LetterDocument(
            lang=lang,
            title=subject,
            author=p.college.rstrip(","),
            dated=self.when,
            page=d.Page(
                ref["ours"],
                kenmerk,
                w["page"],
                w["banner"] if illustrative else None,
                w["watermark"] if illustrative else None,
            ),
            sender=d.Sender(p.name, p.department, p.address, p.website),
            recipient=d.Recipient(tuple(recipient)),
            reference=d.Reference(
                (
                    (ref["date"], show(Kind.DATE, self.when, lang)),
                    (ref["yours"], ref["none"]),
                    (ref["handled_by"], p.handled_by),
                    (ref["phone"], p.phone),
                    (ref["email"], p.email),
                    (ref["annexes"], self.t["annex_count"]),
                ),
                ((ref["ours"], kenmerk), (ref["subject"], subject)),
            ),
            salutation=w["salutation"],
            body=tuple(body),
            signature=signature,
            annexes=(self.annex(code, kenmerk, explanation, name),),
        )

    def explanation(self, code: str, own: bool) -> tuple[explain.Explanation, str]:
        """What the letter's results rest on for this party, and its Markdown: the digital annex."""
        only = self.act.states if self.act is not None else None
        ex = explain.explain(
            self.ev,
            "md",
            self.lang,
            code,
            self.when,
            scalars=own,
            only=only,
            said=self.composer.said,
            templates_sha256=self.sentences_sha256,
            kept=self._sections,
        )
        return ex, explain.render(ex, "md", rendered=self._rendered)

    def letter(self, code: str) -> Made:
        """A regiogemeente's letter."""
        ev, t = self.ev, self.t
        party = ev.parties.member(code)
        assert party is not None
        stem = self.stem(code, party.name)
        ex, explanation = self.explanation(code, own=False)
        name = f"{stem}.toelichting.md"
        said = self.act_words()
        settlements = self.settlements(code)
        year = ev.facts.year
        body: list[d.Block] = [d.Paragraph.of(_fill(said["basis"], year=year))]
        if len(settlements) == 1:
            body.append(self.outcome(*settlements[0]))
        elif settlements:
            body += self.outcome_table(settlements)
        else:
            body.append(d.Paragraph.of(t["no_settlement"]))
        provisional = self.act is not None and self.act.provisional
        kenmerk = self.kenmerk(code)
        for s, _ in settlements:
            if s.direction == PAYS and not provisional:
                due = s.deadline.split(" (")[0]
                body.append(d.Payment(s.amount, due, self.profile.iban, self.profile.holder, kenmerk))
        body.append(d.Paragraph.of(_fill(said["why"], year=year, total=self.total_distributed)))
        body += self.statements(ex, code)
        body += (
            self.others()
        )  # what the act states for the whole region (Assen: the Reserve MO, art. 8 lid 7)
        body += self.notices()
        if any(s.direction == RECEIVES for s, _ in settlements) and not provisional:
            body.append(d.Paragraph.of(t["we_pay"]))
        recipient = [line.format_map({"name": party.name}) for line in self.w["recipient"]]
        doc = self.document(code, False, body, recipient, explanation, name)
        return Made(stem, code, False, doc, explanation)

    def own_record(self) -> Made:
        """The centrumgemeente's record for its own administration."""
        ev, t, code = self.ev, self.t, self.centrum.code
        stem = self.stem(code, self.centrum.name)
        _, explanation = self.explanation(code, own=True)
        name = f"{stem}.toelichting.md"
        year = ev.facts.year
        title = self.act.titled(year) if self.act is not None else t["no_act_subject"].format(year=year)
        body: list[d.Block] = [d.Paragraph.of(t["own_intro"].format(title=title, centrum=self.centrum.name))]
        for r in self.settled:
            if not self.composer.applies(r, code):
                continue
            s = self.composer.settlement(r, code, own=True)
            if s.direction == UNKNOWN:
                body.append(d.Paragraph.of(t["unknown"].format(title=s.title, missing=self.missing(r))))
            else:
                body.append(d.Paragraph.of(f"{s.title}: {s.sentence}."))
        body += self.overview()
        others = self.others()
        if others:
            body.append(d.Heading(t["others_heading"], level=2))
            body += others
        body += self.notices()
        recipient = [line.format_map({"name": self.centrum.name}) for line in t["own_recipient"]]
        doc = self.document(code, True, body, recipient, explanation, name)
        return Made(stem, code, True, doc, explanation)

    def overview(self) -> list[d.Block]:
        """Every regiogemeente's settlements of the act, and what the centrumgemeente pays and receives."""
        dirs = words.table("letterform.letter.direction_own", self.lang)
        one = len(self.settled) == 1  # one settlement: its name is the heading, not a column
        rows, paid, received = [], Fraction(0), Fraction(0)
        for party in self.ev.parties.members:
            if party.code == self.centrum.code:
                continue
            for s, r in self.settlements(party.code):
                value = self.ev.nodes[r].value
                amount = "—" if s.direction in (UNKNOWN, NOTHING) else s.amount
                deadline = "—" if s.direction in (UNKNOWN, NOTHING) else s.deadline
                item = () if one else (s.title,)
                rows.append((party.name, *item, dirs[s.direction], amount, deadline))
                if s.direction == RECEIVES:
                    paid += value[party.code]
                elif s.direction == PAYS:
                    received -= value[party.code]
        if not rows:
            return []
        titles = list(self.t["overview_column"])
        if one:
            del titles[1]
        head = tuple(d.Column(c, numeric=c == titles[-2]) for c in titles)
        table = d.Table(head, tuple(rows), widths=(3, 2, 2, 4) if one else (3, 3, 2, 2, 4))
        key = "overview_totals" if paid and received else "overview_paid" if paid else "overview_received"
        totals = self.t[key].format_map(
            {"paid": show(Kind.MONEY, paid, self.lang), "received": show(Kind.MONEY, received, self.lang)}
        )
        heading = self.t["overview_heading"]
        if one:
            rule = self.ev.rules.rules[self.settled[0]]
            heading = self.t["overview_heading_one"].format(title=_title(rule.label))
        blocks: list[d.Block] = [d.Heading(heading, level=2), table]
        if paid or received:
            blocks.append(d.Paragraph.of(totals))
        return blocks

    def others(self) -> list[d.Block]:
        """Results of the act that no municipality's settlement rests on (the centrumgemeente keeps them)."""
        out: list[d.Block] = []
        regional = self.upstream(self.settled)  # what the settlements rest on is in the annex
        for n, r in self.ev.rules.rules.items():
            if r.per is None and r.section == "rules" and n not in regional and self.composer.states(n):
                value = self.composer.unsigned(r.kind, self.ev.nodes[n].value)
                out.append(d.Paragraph.of(f"{_title(r.label)} ({r.article.formal(self.lang)}): {value}"))
        return out


def documents(chosen: Chosen, profile: Profile, lang: str, layout: Layout | None = None) -> list[Made]:
    """Every party's letter of the chosen act, in preamble order: the regiogemeenten's letters and
    the centrumgemeente's own record (`layout`: a house-style Word template, an input like the others)."""
    return [compose() for _, compose in composers(chosen, profile, lang, layout)]


def composers(
    chosen: Chosen, profile: Profile, lang: str, layout: Layout | None = None
) -> list[tuple[str, Callable[[], Made]]]:
    """Every party's letter of the chosen act as (its file stem, what composes it), in the order
    of `documents`, for who needs only some of them: `verify-letter` composes the letter of a
    file's own name first (composing a letter, with its annex, is most of the work)."""
    builder = _Builder(chosen, profile, lang, layout)

    def compose(code: str) -> Made:
        return builder.own_record() if code == builder.centrum.code else builder.letter(code)

    return [
        (builder.stem(p.code, p.name), functools.partial(compose, p.code)) for p in chosen.ev.parties.members
    ]


def kenmerken(
    chosen: Chosen, profile: Profile, lang: str, layout: Layout | None = None
) -> dict[str, tuple[str, str]]:
    """Every party's letter of the chosen act by its file stem: (the recipient's code, the
    letter's kenmerk), without composing the letters (the register records them beside the files)."""
    builder = _Builder(chosen, profile, lang, layout)
    return {
        builder.stem(p.code, p.name): (p.code, builder.kenmerk(p.code)) for p in chosen.ev.parties.members
    }


def letter_document(
    ev: Evaluation,
    profile: Profile,
    code: str,
    lang: str = "nl",
    when: date | None = None,
    act: str | None = None,
) -> d.LetterDocument:
    """One party's letter of an act (`act`, or the first that applies, as `convenant letters`
    chooses it; `when` as its --date)."""
    chosen = choose(ev, act, when.isoformat() if when else None, lang)
    builder = _Builder(chosen, profile, lang)
    made = builder.own_record() if code == builder.centrum.code else builder.letter(code)
    return made.document
