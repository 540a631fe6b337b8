"""What a letter says of each settlement of an act (`_Composer.settlement`): direction, amount
without sign, the deadline with its article, or the future term when the deadline follows an event
the letter's date does not know yet; the act's settlements, and which of them apply to a party.
Read by the letter builder (letterform.py) and the template check."""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from convenant.core import dates
from convenant.core.units import Kind
from convenant.core.wording import WORDS, show
from convenant.explain import report
from convenant.explain.explainers import Scope
from convenant.explain.report import NOTHING, PAYS, RECEIVES
from convenant.language.model import MUNICIPALITY, Act
from convenant.letters.acts import Chosen
from convenant.primitives.deadline import After

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


def _title(label: str) -> str:
    """A rule's label without its notes in brackets."""
    return re.sub(r"\s*\([^)]*\)", "", label)


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
                "",
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

    def unsigned(self, kind: Kind, value: object) -> str:
        """A value for the letter itself: a negative amount in words, never a bare minus."""
        if kind is Kind.MONEY and isinstance(value, Fraction) and value < 0:
            return self.words["negative"].format(amount=show(kind, -value, self.lang))
        return show(kind, value, self.lang)
