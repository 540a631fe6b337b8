"""Which act a letter is, and its date (DOMAIN.md "The acts"): a letter is a legal act with a date,
and states as past only what happened before that date.

- The act is `--act`, or the first act of the rule file that applies: its date fact is given, the
  facts it requires are given, and the letter's date lies in the period it belongs in.
- The letter's date is the act's date fact when it has one (Groningen: `datum_brief`, from which
  art. 3 lid 4 runs): one date, so a `--date` that differs is refused. Otherwise `--date`, or the
  facts' `evaluation_date`; never the clock unless asked (`--date vandaag`).
- A fact the act's date cannot know is refused (`not_after`), or, where the rule file says how the
  letter names it (`future`), left out of the facts the letter is made from: a term that follows it
  is then said as a future event ("binnen 2 weken nadat …"), never as a date in the past.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from convenant.check.facts import Facts, FactValue
from convenant.core import dates
from convenant.core.diagnostics import ConvenantError, Location, Problem, UsageRefusal
from convenant.core.units import Kind
from convenant.core.wording import show
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.language.model import Act

TODAY_WORDS = ("vandaag", "today")


@dataclass(frozen=True)
class Chosen:
    """The act a run of `convenant letters` makes, its date, and the evaluation as of that date."""

    act: Act | None  # None: the rule file declares no acts (one letter with every settlement)
    when: date
    source: str  # where the date came from: a words key of the reproducibility block
    ev: Evaluation  # evaluated on the facts as the letter's date knows them
    later: dict[str, str] = field(default_factory=dict)  # future fact → the event in words

    @property
    def date_fact(self) -> str | None:
        return self.act.date if self.act is not None else None


def _given_date(option: str | None) -> date | None:
    if option is None:
        return None
    if option.strip().lower() in TODAY_WORDS:
        return date.today()
    try:
        return date.fromisoformat(option.strip())
    except ValueError:
        raise ConvenantError([Problem("letters.bad_date", {"given": option})]) from None


def evaluation_date(ev: Evaluation, option: str | None) -> tuple[date, str]:
    """The date of a letter that has no date fact, and where it came from."""
    given = _given_date(option)
    if given is not None:
        return given, "repro_date_from_option"
    if ev.facts.evaluation_date is not None:
        return ev.facts.evaluation_date, "repro_date_from_facts"
    raise ConvenantError([Problem("letters.no_date", {}, Location(ev.facts.path), "evaluation_date")])


def _values(facts: Facts, name: str) -> list[FactValue]:
    """Every given value of a fact: the one value, or one per member that gives it."""
    if name in facts.scalars:
        return [facts.scalars[name]]
    return [values[name] for values in facts.per_municipality.values() if name in values]


def _at(facts: Facts, name: str) -> tuple[Location, str]:
    found = _values(facts, name)
    if found and found[0].location is not None:
        return found[0].location, found[0].field or f"facts.{name}"
    return Location(facts.path), f"facts.{name}"


class _Acts:
    def __init__(self, ev: Evaluation, lang: str) -> None:
        self.ev, self.lang = ev, lang
        self.rules, self.facts = ev.rules, ev.facts

    def args(self, act: Act, **more: object) -> dict[str, object]:
        return {
            "act": act.name,
            "title": act.titled(self.facts.year),
            "article": act.article.formal(self.lang),
            **more,
        }

    def fact_args(self, name: str) -> dict[str, str]:
        return {"fact": name, "label": self.rules.facts[name].label}

    def date_of(self, act: Act, option: str | None) -> tuple[date, str]:
        """The act's date; a `--date` that contradicts its date fact is refused."""
        if act.date is None:
            return evaluation_date(self.ev, option)
        given = self.facts.scalars.get(act.date)
        if given is None:
            location, shown = _at(self.facts, act.date)
            args = self.args(act, **self.fact_args(act.date))
            raise ConvenantError([Problem("letters.act_date_missing", args, location, shown, act.article)])
        other = _given_date(option)
        if other is not None and other != given.value:
            args = self.args(
                act,
                **self.fact_args(act.date),
                given=option,
                fact_date=show(Kind.DATE, given.value, self.lang),
                iso=given.value.isoformat(),
            )
            problem = Problem("letters.date_disagrees", args, given.location, given.field, act.article)
            raise UsageRefusal([problem])
        return given.value, "repro_date_from_fact"

    def obstacles(self, act: Act, option: str | None) -> list[Problem]:
        """Why the act cannot be made from these facts (empty: it applies)."""
        try:
            when, _ = self.date_of(act, option)
        except UsageRefusal:
            raise
        except ConvenantError as error:
            return list(error.problems)
        found = []
        for name in act.requires:
            if not _values(self.facts, name):
                location, shown = _at(self.facts, name)
                args = self.args(act, **self.fact_args(name))
                found.append(Problem("letters.act_requires", args, location, shown, act.article))
        if act.during is not None:
            node = self.ev.nodes[act.during]
            window = node.value
            if isinstance(window, date):
                window = dates.Period(window, window)
            if isinstance(window, dates.Period) and not window.start <= when <= window.end:
                args = self.args(
                    act,
                    date=show(Kind.DATE, when, self.lang),
                    period=show(node.rule.kind, node.value, self.lang),
                    deadline=node.rule.article.formal(self.lang),
                )
                found.append(
                    Problem("letters.outside_period", args, Location(self.facts.path), None, act.article)
                )
        return found

    def choose(self, name: str | None, option: str | None) -> Act:
        acts = self.rules.acts
        listed = ", ".join(f"{a.name} (‘{a.titled(self.facts.year)}’)" for a in acts.values())
        if name is not None:
            if name not in acts:
                args = {"given": name, "rules": self.rules.path, "acts": listed}
                raise UsageRefusal([Problem("letters.unknown_act", args)])
            problems = self.obstacles(acts[name], option)
            if problems:
                raise ConvenantError(problems)
            return acts[name]
        reasons: list[Problem] = []
        for act in acts.values():
            problems = self.obstacles(act, option)
            if not problems:
                return act
            reasons += problems
        first = Problem("letters.no_act_applies", {"rules": self.rules.path, "acts": listed})
        raise ConvenantError([first, *reasons])

    def refuse_later(self, act: Act, when: date) -> None:
        """Every `not_after` fact dated after the letter: refused, with its date and the letter's."""
        problems = []
        for name in act.not_after:
            for value in _values(self.facts, name):
                if value.value > when:
                    args = self.args(
                        act,
                        **self.fact_args(name),
                        fact_date=show(Kind.DATE, value.value, self.lang),
                        letter_date=show(Kind.DATE, when, self.lang),
                    )
                    location = value.location or Location(self.facts.path)
                    shown = value.field or f"facts.{name}"
                    problems.append(Problem("letters.fact_after_letter", args, location, shown, act.article))
        if problems:
            raise ConvenantError(problems)

    def as_known(self, act: Act, when: date) -> tuple[Facts, dict[str, str]]:
        """The facts as the letter's date knows them: a `future` fact dated after it is left out."""
        later = {}
        scalars = dict(self.facts.scalars)
        for name, event in act.future.items():
            value = scalars.get(name)
            if value is None or value.value > when:
                scalars.pop(name, None)
                later[name] = event
        return dataclasses.replace(self.facts, scalars=scalars), later


def choose(ev: Evaluation, act_name: str | None, date_option: str | None, lang: str) -> Chosen:
    """The act to make, its date and the evaluation as of that date; refuses what it cannot know."""
    if not ev.rules.acts:
        if act_name is not None:
            raise UsageRefusal([Problem("letters.no_acts", {"given": act_name, "rules": ev.rules.path})])
        when, source = evaluation_date(ev, date_option)
        return Chosen(None, when, source, ev)
    acts = _Acts(ev, lang)
    act = acts.choose(act_name, date_option)
    when, source = acts.date_of(act, date_option)
    acts.refuse_later(act, when)
    known, later = acts.as_known(act, when)
    dropped = known.scalars.keys() != ev.facts.scalars.keys()
    return Chosen(act, when, source, evaluate(ev.rules, known) if dropped else ev, later)
