"""A demonstration of the letter form: one municipality's letter for one act, as a LetterDocument
(render/document.py) from an Evaluation and a sender profile (profile.py), typeset by Typst
(render/typst_letter.py).

It stands beside `letters.py` and reads its settlements (`_Composer.settlement`) without changing
them; which act a letter is, and which settlements belong to it, is for the acts of issue 12 to
decide. Until then `DEMO_ACTS` names one act per covenant: Groningen's mededeling (art. 3 lid 3,
the difference with the individuele uitkering) and Assen's definitief aandeel (art. 8 lid 5–6).

The annex is the region's table for each settlement of the act: every member with the inputs the
key rests on (facts and results per member, in the order they are computed), the key to twelve
decimals, and the outcome, with totals; the amount distributed, the interpretations the outcome
relies on and the article texts once each.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from convenant import words
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.evaluation.evaluate import Evaluation
from convenant.explain.report import NOTHING, PAYS, RECEIVES
from convenant.language.model import MUNICIPALITY
from convenant.language.trace import DistributeDetails, WeightedKeyDetails
from convenant.letters.acts import Chosen
from convenant.letters.letters import Settlement, _Composer, _title
from convenant.letters.profile import Profile
from convenant.render import document as d

KEY_DECIMALS = 12


@dataclass(frozen=True)
class Act:
    id: str  # in the kenmerk: mededeling | besluit | voorlopig | definitief
    rules: tuple[str, ...]  # the settlements this act states


DEMO_ACTS = {
    "groningen": Act("mededeling", ("afrekening",)),
    "assen": Act("definitief", ("aandeel_resultaat_bw",)),
}


def decimals(value: Fraction, places: int, lang: str) -> str:
    """A share to `places` decimals, rounded half up (named: the key is shown, never computed with).

    >>> decimals(Fraction(1, 3), 12, "nl"), decimals(Fraction(1), 12, "en")
    ('0,333333333333', '1.000000000000')
    """
    scaled = abs(value) * 10**places
    whole = int(scaled + Fraction(1, 2))  # half up, on a non-negative value
    text = f"{whole // 10**places}{words.say('letterform.decimal_mark', lang)}{whole % 10**places:0{places}d}"
    return f"{d.MINUS}{text}" if value < 0 else text


def inputs_hash(ev: Evaluation, profile: Profile) -> str:
    """The first eight hex digits of the hash of the rule file, the facts and the profile: in the kenmerk."""
    joined = f"{ev.rules.sha256}\n{ev.facts.sha256}\n{profile.sha256}\n"
    return hashlib.sha256(joined.encode()).hexdigest()[:8]


class _Builder:
    def __init__(self, ev: Evaluation, profile: Profile, act: Act, when: date, lang: str) -> None:
        self.ev, self.profile, self.act, self.when, self.lang = ev, profile, act, when, lang
        self.w = words.table("letterform", lang)
        self.demo = words.table("letterform.demo", lang)
        self.composer = _Composer(_every_settlement(ev, when), "md", lang)
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

    # the region's table -------------------------------------------------------------------------
    def closure(self, name: str) -> list[str]:
        """The facts and results per member that `name` rests on, inputs before results (a fact per
        column of the sheet, or per row and column, is not a member's input and is left out)."""
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

    def label(self, name: str) -> str:
        node = self.ev.nodes.get(name)
        label = node.rule.label if node is not None else self.ev.rules.facts[name].label
        return _title(label)

    def kind(self, name: str) -> Kind:
        node = self.ev.nodes.get(name)
        return node.rule.kind if node is not None else self.ev.rules.facts[name].kind

    def cell(self, kind: Kind, value: Any) -> str:
        if value is None:
            return "—"
        if kind is Kind.RATIO:
            return decimals(Fraction(value), KEY_DECIMALS, self.lang)
        if kind is Kind.MONEY:
            return d.signed(show(kind, abs(Fraction(value)), self.lang), value < 0)
        return show(kind, value, self.lang)

    def region_table(self, rule_name: str, code: str) -> d.Table:
        """Every member (the widest set among the columns: a sheet's rows include the
        municipalities) with each input and result, numbered (1), (2), … with a legend."""
        names = self.closure(rule_name)
        values = [self.ev.values.get(n) or {} for n in names]
        per = [
            self.ev.rules.rules[n].per if n in self.ev.rules.rules else self.ev.rules.facts[n].per
            for n in names
        ]
        members = max((self.ev.members[p] for p in per if p), key=len)
        legend, columns = [], [d.Column(self.demo["member_column"])]
        for number, n in enumerate(names, start=1):
            title = self.label(n)
            if self.kind(n) is Kind.RATIO:
                title = self.demo["exact_key"].format(label=title)
            legend.append(f"({number}) {title}")
            columns.append(d.Column(f"({number})", numeric=True))
        rows = tuple(
            (
                self.ev.label(m),
                *(self.cell(self.kind(n), v.get(m)) for n, v in zip(names, values, strict=True)),
            )
            for m in members
        )
        total = [self.demo["total"]]
        for n, v in zip(names, values, strict=True):
            present = [x for x in v.values() if x is not None]
            kind = self.kind(n)
            total.append(self.cell(kind, sum(present, Fraction(0))) if present and kind.numeric else "")
        own = members.index(code) if code in members else None
        return d.Table(tuple(columns), rows, tuple(total), legend=tuple(legend), highlight=own)

    def distributed(self, rule_name: str) -> list[d.Block]:
        """The amount each distribution in the closure divided, and each weighted key's weights."""
        out: list[d.Block] = []
        for n in self.closure(rule_name):
            node = self.ev.nodes.get(n)
            if node is None:
                continue
            if isinstance(node.details, DistributeDetails):
                amount = node.details.amount
                total = d.signed(show(Kind.MONEY, abs(amount), self.lang), amount < 0)
                out.append(
                    d.Paragraph.of(
                        self.demo["distributed"].format(
                            label=self.label(n), amount=total, article=node.rule.article.formal(self.lang)
                        )
                    )
                )
            if isinstance(node.details, WeightedKeyDetails):
                parts = [
                    self.demo["weight"].format(
                        weight=show(Kind.PERCENTAGE, c.weight, self.lang), label=self.label(c.by)
                    )
                    for c in node.details.components
                ]
                out.append(
                    d.Paragraph.of(
                        self.demo["weights"].format(
                            label=self.label(n),
                            parts="; ".join(parts),
                            article=node.rule.article.formal(self.lang),
                        )
                    )
                )
        return out

    def readings(self, rule_name: str) -> list[d.Block]:
        out: list[d.Block] = []
        for ident in self.ev.nodes[rule_name].interpretations:
            i = self.ev.rules.interpretations[ident]
            where = i.article.formal(self.lang) if i.article else self.ev.rules.covenant.title
            out.append(d.Paragraph.of(f"{ident} ({where}): {' '.join(i.chosen_reading.split())}"))
        return out

    def articles(self, rule_names: Sequence[str]) -> list[d.Block]:
        seen: dict[str, str] = {}
        for name in rule_names:
            for n in [*self.closure(name), name]:
                node = self.ev.nodes.get(n)
                if node is None:
                    continue
                article = self.ev.rules.articles.get(node.rule.article.key)
                text = (article.text or article.title) if article else None
                if text:
                    seen.setdefault(node.rule.article.formal(self.lang), " ".join(text.split()))
        return [d.Paragraph.of(f"{cite}: “{text}”") for cite, text in seen.items()]

    # the letter ---------------------------------------------------------------------------------
    def outcome(self, s: Settlement, title: str) -> d.Paragraph:
        w = self.demo
        if s.direction == NOTHING:
            return d.Paragraph.of(w["nothing"].format(title=title.lower()))
        marker = "\x00"
        phrase = w[s.direction].format(amount=marker, deadline=s.deadline)
        before, after = phrase.split(marker)
        head = before + s.amount
        return d.Paragraph((d.Span(head, strong=True), d.Span(after)), outcome=True)

    def letter(self, code: str) -> d.LetterDocument:
        ev, p, w, lang = self.ev, self.profile, self.w, self.lang
        party = ev.parties.member(code)
        if party is None or code == self.centrum.code:
            raise ValueError(f"{code} is not a municipality that receives this letter")
        c, year = ev.rules.covenant, ev.facts.year
        kenmerk = p.kenmerk(c.id, year, self.act.id, code, inputs_hash(ev, p))
        act = words.table(f"letterform.demo.act.{self.act.id}", lang)
        subject = act["subject"].format(year=year)
        illustrative = ev.facts.illustrative or p.illustrative
        settlements = [
            (self.composer.settlement(r, code, own=False), _title(ev.rules.rules[r].label))
            for r in self.act.rules
            if self.composer.applies(r, code)
        ]
        body: list[d.Block] = [d.Paragraph.of(act["basis"].format(year=year))]
        if len(settlements) == 1:
            body.append(self.outcome(*settlements[0]))
        else:
            dirs = words.table("letterform.demo.direction", lang)
            rows = tuple((t, dirs[s.direction], s.amount, s.deadline) for s, t in settlements)
            head = tuple(d.Column(t, numeric=i == 2) for i, t in enumerate(self.demo["outcome_column"]))
            body.append(d.OutcomeTable(d.Table(head, rows)))
        for s, _ in settlements:
            if s.direction == PAYS:
                due = s.deadline.split(" (")[0]
                body.append(d.Payment(s.amount, due, p.iban, p.holder, kenmerk))
        total = self.total_distributed()
        body.append(d.Paragraph.of(act["why"].format(total=total)))
        if any(s.direction == RECEIVES for s, _ in settlements):
            body.append(d.Paragraph.of(self.demo["we_pay"]))
        body.append(d.Paragraph.of(self.dispute))
        if illustrative:
            body.append(d.Paragraph.of(self.demo["illustrative"]))
        annex: list[d.Block] = []
        for r in self.act.rules:
            annex.append(d.Heading(_title(ev.rules.rules[r].label), level=2))
            annex += self.distributed(r)
            annex.append(self.region_table(r, code))
        readings = [b for r in self.act.rules for b in self.readings(r)]
        if readings:
            annex.append(d.Heading(self.demo["readings_heading"], level=2))
            annex += list(dict.fromkeys(readings))
        quoted = self.articles(self.act.rules)
        if quoted:
            annex.append(d.Heading(self.demo["articles_heading"], level=2))
            annex += quoted
        annex.append(d.Heading(self.demo["repro_heading"], level=2))
        annex.append(self.repro(kenmerk))
        ref = words.table("letterform.reference", lang)
        signature = d.Signature(
            w["closing"],
            p.college,
            tuple(d.Signatory(s.name, s.function) for s in p.signatories),
            w["mandate"] if p.mode == "mandaat" else None,
        )
        recipient = [line.format_map({"name": party.name}) for line in w["recipient"]]
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
                    (ref["annexes"], self.demo["annex_count"]),
                ),
                ((ref["ours"], kenmerk), (ref["subject"], subject)),
            ),
            salutation=w["salutation"],
            body=tuple(body),
            signature=signature,
            annexes=(d.Annex(self.demo["annex_title"], tuple(annex)),),
        )

    def total_distributed(self) -> str:
        for r in self.act.rules:
            for n in self.closure(r):
                node = self.ev.nodes.get(n)
                if node is not None and isinstance(node.details, DistributeDetails):
                    amount = node.details.amount
                    return d.signed(show(Kind.MONEY, abs(amount), self.lang), amount < 0)
        return "—"

    def repro(self, kenmerk: str) -> d.Table:
        ev, p, w = self.ev, self.profile, self.demo
        rows = (
            (w["repro_kenmerk"], kenmerk),
            (w["repro_rules"], f"{ev.rules.covenant.id} {ev.rules.covenant.version}: {ev.rules.sha256}"),
            (w["repro_facts"], f"{ev.facts.year}: {ev.facts.sha256}"),
            (w["repro_profile"], p.sha256),
        )
        return d.Table((d.Column(w["repro_what"]), d.Column(w["repro_value"])), rows, widths=(1, 4))


def letter_document(
    ev: Evaluation,
    profile: Profile,
    code: str,
    lang: str = "nl",
    when: date | None = None,
    act: Act | None = None,
) -> d.LetterDocument:
    """One municipality's letter for one act (DEMO_ACTS by default), dated `when` (default: the
    facts' evaluation date)."""
    act = act or DEMO_ACTS[ev.rules.covenant.id]
    when = when or ev.facts.evaluation_date
    if when is None:
        raise ConvenantError([Problem("letters.no_date", {})])
    return _Builder(ev, profile, act, when, lang).letter(code)


def _every_settlement(ev: Evaluation, when: date) -> Chosen:
    """The demonstration composes from every settlement (no act of the rule file: `DEMO_ACTS` picks
    the results), dated `when`."""
    return Chosen(act=None, when=when, source="repro_date_from_option", ev=ev)


def recipients(ev: Evaluation, act: Act | None = None) -> list[str]:
    """The municipalities that receive a letter for the act: every party but the centrumgemeente
    to which one of its settlements applies."""
    act = act or DEMO_ACTS[ev.rules.covenant.id]
    composer = _Composer(
        _every_settlement(ev, ev.facts.evaluation_date or date(ev.facts.year, 1, 1)), "md", "nl"
    )
    return [
        m.code
        for m in ev.parties.members
        if m.code != composer.centrum.code and any(composer.applies(r, m.code) for r in act.rules)
    ]
