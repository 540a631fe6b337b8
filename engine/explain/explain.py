"""Trace → explanation. For each result (per member where the rule is per set): the value, the
sentence legal staff wrote for the rule, the covenant's own text, the citation, every input with
where it came from (a line of the fact file, a default, a parameter with its citation, another
rule), the arithmetic with exact intermediate values (per primitive: `engine.explainers`), the
rounding and why, the interpretations relied on, the deadline and the article that sets it.

`explain` builds the model (sentences rendered in the output format); `render` lays it out with
the shared template `engine/render/templates/explanation.j2`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Literal

from markupsafe import Markup

from convenant import __version__
from convenant.core import money
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind
from convenant.core.wording import WORDS, show
from convenant.evaluation.evaluate import BUILTIN, DEADLINE, FACT, PARAMETER, Evaluation, InputUse, TraceNode
from convenant.explain import report, trace_json
from convenant.explain.explainers import UNKNOWN, Scope, explainer_for
from convenant.language import trace
from convenant.language.model import CASE, MUNICIPALITY, Rule, RuleFile
from convenant.render import templating

_SPACES = re.compile(r"[ \t\r\n]+")  # not the no-break space between € and an amount
SETS_IN_WORDS = {"municipality": "gemeente", "case": "casus"}  # a member of a built-in set in a sentence
_FIRST_WORD = re.compile(r"\w+")


def member_word(rules: RuleFile, per: str) -> str:
    """The name a rule's member goes by in its sentence: `gemeente` or `casus` for a built-in set;
    for a set the rule file declares, the first word of its label in lower case (Groningen's
    "Rij van het spreadsheet …": `rij`)."""
    declared = rules.sets.get(per)
    found = _FIRST_WORD.match(declared.label) if declared is not None else None
    return found[0].lower() if found else SETS_IN_WORDS.get(per, per)


@dataclass(frozen=True)
class Shown:
    """A value as a sentence template sees it: it prints in Dutch and knows its sign."""

    text: str
    absoluut: str
    positief: bool
    negatief: bool
    nihil: bool

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class InputRow:
    name: str
    label: str
    value: str
    source: str


@dataclass(frozen=True)
class Quote:
    citation: str
    text: str


@dataclass(frozen=True)
class Reading:
    """An interpretation as the explanation cites it: id, article, question, chosen reading."""

    id: str
    citation: str
    question: str
    chosen: str | None  # the chosen option of a switchable interpretation
    reading: str
    others: tuple[tuple[str, str], ...]  # (option id or "", text) of the readings not chosen


@dataclass(frozen=True)
class DeadlineInfo:
    name: str
    label: str
    when: str | None
    citation: str
    who: str | None
    quotes: tuple[Quote, ...]


@dataclass
class Section:
    rule: Rule
    member: str | None
    who: str | None
    value: str
    citation: str
    sentence: str
    quotes: list[Quote]
    inputs: list[InputRow]
    primitive: str
    work: dict[str, Any]
    rounding: list[str]
    readings: list[Reading]
    deadline: DeadlineInfo | None
    warnings: list[str]
    decided: str | None  # the decision it rests on (`decided_by`): its date, or that none is given
    direction: str | None = None  # receives | pays | nothing (report.direction), for a settlement


@dataclass
class Explanation:
    ev: Evaluation
    lang: str
    member: str | None
    member_name: str | None
    evaluation_date: date | None
    templates_sha256: str | None
    sections: list[Section] = field(default_factory=list)

    @property
    def readings(self) -> list[Reading]:
        """Every interpretation used, in order of first use."""
        seen: dict[str, Reading] = {}
        for section in self.sections:
            for reading in section.readings:
                seen.setdefault(reading.id, reading)
        return list(seen.values())

    @property
    def engine_version(self) -> str:
        return __version__

    @property
    def part_of_year(self) -> str | None:
        """The warning that the version covers only part of the year, if it does (report.part_of_year);
        a letter says it without what to check, which is for those who run the commands."""
        return report.part_of_year(self.ev.rules, self.ev.facts.year, self.lang, check=False)

    @property
    def part_of_year_checked(self) -> str | None:
        return report.part_of_year(self.ev.rules, self.ev.facts.year, self.lang)

    @property
    def period_text(self) -> str:
        """The version's period with the article that sets it (Assen: art. 10 lid 2)."""
        c = self.ev.rules.covenant
        return WORDS[self.lang]["period_value"].format(
            start=show(Kind.DATE, c.valid_from, self.lang),
            end=show(Kind.DATE, c.valid_until, self.lang),
            citation=c.period_article.formal(self.lang),
        )

    @property
    def after_end_text(self) -> str | None:
        """Said when the year is settled after the covenant's end (as the covenant provides)."""
        return report.settled_after_end(self.ev, self.lang)

    @property
    def evaluation_date_text(self) -> str | None:
        return show(Kind.DATE, self.evaluation_date, self.lang) if self.evaluation_date else None


def shown(kind: Kind, value: Any, lang: str) -> Shown:
    numeric = isinstance(value, int | Fraction) and not isinstance(value, bool)
    magnitude = abs(value) if numeric else value
    return Shown(
        show(kind, value, lang),
        show(kind, magnitude, lang),
        numeric and value > 0,
        numeric and value < 0,
        numeric and value == 0,
    )


def member_of(ev: Evaluation, wanted: str) -> str:
    """A municipality of the year given by CBS code or name, or by a party that merged into it."""
    from convenant.language.parties import existing_on

    day = date(ev.facts.year, 1, 1)
    table = ev.rules.municipalities
    found = table.by_code(wanted) or next(
        (m for m in table.municipalities if m.name.lower() == wanted.lower()), None
    )
    member = existing_on(table, found.code, day) if found else None
    if member is not None and ev.parties.member(member) is not None:
        return member
    parties = ", ".join(f"{p.code} ({p.name})" for p in ev.parties.members)
    raise ConvenantError([Problem("explain.unknown_municipality", {"given": wanted, "parties": parties})])


def deadlines_of(rule: Rule) -> list[str]:
    """The deadlines a settlement names (one, or one per direction)."""
    if rule.settlement is None:
        return []
    return list(dict.fromkeys(d for d in (rule.settlement.pays_by, rule.settlement.receives_by) if d))


def has_role(ev: Evaluation, rule: Rule, member: str) -> bool:
    """True unless the rule is for some roles only and `member` is a party with none of them."""
    party = ev.parties.member(member)
    return not rule.roles or party is None or party.role in rule.roles


def selection(
    ev: Evaluation, member: str | None, scalars: bool = False, only: Iterable[str] | None = None
) -> list[tuple[str, str | None]]:
    """The (rule, member) pairs to explain: everything, or what one municipality's results rest on
    (with `scalars`, also every result that is not per set: what the centrumgemeente keeps). With
    `only` (an act's results), what those results rest on, for every recipient alike."""
    rules = ev.rules.rules
    scope = Scope(ev, "nl")

    def applies(name: str, m: str | None) -> bool:  # a member a role-restricted rule skips is left out
        value = ev.nodes[name].value
        return m is None or (has_role(ev, rules[name], m) if value is None else m in value)

    if member is None:
        return [
            (n, m)
            for n, r in rules.items()
            for m in (ev.members[r.per] if r.per else [None])
            if applies(n, m)
        ]
    wanted: set[str] = set()
    todo = [
        n
        for n, r in rules.items()
        if (scope.includes(r.per, MUNICIPALITY) and applies(n, member)) or (scalars and r.per is None)
    ]
    if only is not None:
        todo = [n for n in only if not scope.includes(rules[n].per, MUNICIPALITY) or applies(n, member)]
    while todo:
        name = todo.pop()
        if name in wanted or name not in rules:
            continue
        wanted.add(name)
        todo += [*rules[name].inputs, *deadlines_of(rules[name])]
    pairs: list[tuple[str, str | None]] = []
    for name, rule in rules.items():
        if name in wanted:
            mine = scope.includes(rule.per, MUNICIPALITY)
            members = [member] if mine else ev.members[rule.per] if rule.per else [None]
            pairs += [(name, m) for m in members if applies(name, m)]
    return pairs


class _Builder:
    def __init__(self, ev: Evaluation, fmt: str, lang: str, said: Mapping[str, str] | None = None) -> None:
        self.ev, self.fmt, self.lang = ev, fmt, lang
        self.said = dict(said or {})  # a term after a future event → as the letter says it
        self.scope = Scope(ev, lang)
        self.words = WORDS[lang]
        folder = templating.sentence_dir(ev.rules.path)
        self.sentences = folder if folder.is_dir() else None

    def quote(self, citation: Citation) -> Quote | None:
        article = self.ev.rules.articles.get(citation.key)
        text = article.text or article.title if article else None
        return Quote(citation.formal(self.lang), " ".join(text.split())) if text else None

    def reading(self, ident: str) -> Reading:
        i = self.ev.rules.interpretations[ident]
        if i.switchable:
            others = tuple((k, " ".join(v.split())) for k, v in i.options.items() if k != i.chosen)
        else:
            others = (("", " ".join((i.alternative or "").split())),) if i.alternative else ()
        return Reading(
            ident,
            i.article.formal(self.lang) if i.article else self.ev.rules.covenant.title,
            " ".join(i.question.split()),
            i.chosen,
            " ".join(i.chosen_reading.split()),
            others,
        )

    def source(self, use: InputUse, member: str | None) -> str:
        w, facts = self.words, self.ev.facts
        cite = use.citation.formal(self.lang) if use.citation else ""
        if use.source == FACT:
            decl = self.ev.rules.facts[use.name]
            if decl.per is not None and member is None and use.name not in facts.scalars:
                return w["source_facts_total"].format(path=facts.path, citation=cite)
            found = self._fact_value(use.name, decl.per, member)
            if found is None and decl.sparse:  # nothing agreed for this member
                return f"{w['source_sparse']} ({cite})"
            if found is None:
                return f"{w['source_not_given']} ({cite})"
            if found.summed is not None:
                return f"{w['source_summed'].format(parts=found.summed, path=facts.path)} ({cite})"
            if found.location is None:
                return f"{w['source_default']} ({cite})"
            if found.location.line is None:  # a cell of a fact workbook: "feiten.xlsx, blad Feiten, cel D12"
                text = f"{w['source_cell'].format(place=found.location.path)} ({cite})"
            else:
                text = f"{w['source_fact'].format(path=facts.path, line=found.location.line)} ({cite})"
            merged = next((m for m in facts.merged if m.member == member), None)
            if merged is not None:
                text += " " + w["source_merged"].format(parts=", ".join(name for _, name in merged.given))
            return text
        if use.source == PARAMETER:
            parameter = self.ev.rules.parameters[use.name]
            line = self.ev.rules.document.locate(("parameters", use.name)).line
            if parameter.table is None:
                return w["source_parameter"].format(line=line, citation=cite)
            text = w["source_table"].format(table=parameter.table, line=line, citation=cite)
            party = self.ev.parties.member(member) if member else None
            if party is not None and party.predecessors:
                text += " " + w["source_merged"].format(parts=", ".join(p.name for p in party.predecessors))
            return text
        if use.source == BUILTIN:
            return w[f"source_builtin_{use.name}"].format(citation=cite)
        key = "source_deadline" if use.source == DEADLINE else "source_rule"
        return w[key].format(label=use.label, citation=cite, anchor=use.name)

    def _fact_value(self, name: str, per: str | None, member: str | None) -> Any:
        facts = self.ev.facts
        if per is None or name in facts.scalars:
            return facts.scalars.get(name)
        if per == CASE:
            case = next((c for c in facts.cases if c.id == member), None)
            return case.values.get(name) if case else None
        return facts.per_municipality.get(member or "", {}).get(name)

    def member_for(self, name: str, rule: Rule, member: str | None) -> str | None:
        per = self.scope.per(name)
        return member if per == rule.per or self.scope.includes(per, rule.per) else None

    def inputs(self, node: TraceNode, member: str | None) -> list[InputRow]:
        return [
            InputRow(
                use.name,
                self.words[f"builtin_{use.name}"] if use.source == BUILTIN else use.label,
                self.scope.show(use.name, self.member_for(use.name, node.rule, member)),
                self.source(use, self.member_for(use.name, node.rule, member)),
            )
            for use in node.inputs
        ]

    def rounding(self, node: TraceNode, member: str | None) -> list[str]:
        """The roundings the evaluation applied to this member's value (a `round(…)` in a branch that
        was not taken was not applied, and is not named)."""
        w, rule = self.words, node.rule
        applied = [r for r in node.roundings if r.member == (member if rule.per else None)]
        if any(r.mode == money.LARGEST_REMAINDER for r in applied):
            return [w["rounding_largest_remainder"]]
        if applied:
            return [
                w["rounding_half_up"].format(
                    exact=show(Kind.MONEY, r.exact, self.lang), rounded=show(Kind.MONEY, r.cents, self.lang)
                )
                for r in applied
            ]
        return [w["rounding_exact" if rule.kind in (Kind.RATIO, Kind.PERCENTAGE) else "rounding_none"]]

    def deadline(self, rule: Rule, value: Any) -> DeadlineInfo | None:
        name = rule.settlement.deadline(value) if rule.settlement else None
        if name is None:
            return None
        node = self.ev.nodes[name]
        quote = self.quote(node.rule.article)
        return DeadlineInfo(
            name,
            node.rule.label,
            show(node.rule.kind, node.value, self.lang) if node.value is not None else self.said.get(name),
            node.rule.article.formal(self.lang),
            node.rule.who,
            (quote,) if quote else (),
        )

    def decided(self, rule: Rule) -> str | None:
        """The decision a result rests on (Groningen art. 5 lid 8 with art. 6): its date when the facts
        give it, else that it is not yet taken or not given — the result is computed either way."""
        d = rule.decided_by
        if d is None or (d.about is not None and not self.ev.values.get(d.about)):
            return None  # no decision, or one about a value that is nil: nothing was decided
        articles = report.and_([a.formal(self.lang) for a in d.articles], self.lang)
        day = self.ev.values.get(d.date)
        if day is None:
            return self.words["decided_by_missing"].format(articles=articles, fact=d.date)
        shown = show(Kind.DATE, day, self.lang)
        return self.words["decided_by"].format(date=shown, articles=articles, fact=d.date)

    def sentence(self, node: TraceNode, member: str | None) -> str:
        if report.not_set(node):  # only a total was given: no part is set, and none is invented
            return report.not_set_sentence(self.ev, node, self.lang)
        if node.value is None:  # legal staff's sentence speaks of a value; there is none yet
            return self.words["unknown_because"].format(missing=", ".join(self.ev.waiting_for(node.name)))
        context = sentence_context(self.scope, node, member, self.said)
        name = f"rules/{node.name}{templating.SUFFIX}"
        if self.sentences is None or not (self.sentences / f"{node.name}{templating.SUFFIX}").is_file():
            name = f"engine/sentence_default{templating.SUFFIX}"
            context = {**context, "label": node.rule.label}
        text = _SPACES.sub(" ", templating.render(self.fmt, self.sentences, name, context)).strip()
        return Markup(text) if self.fmt == "html" else text

    def shown_value(self, node: TraceNode, value: Any) -> str:
        if value is not None:
            return show(node.rule.kind, value, self.lang)
        return self.words["not_set_value" if report.not_set(node) else "unknown_value"]

    def section(self, name: str, member: str | None) -> Section:
        node = self.ev.nodes[name]
        rule = node.rule
        template, explainer = UNKNOWN if node.value is None else explainer_for(rule.spec)
        work = {"lines": []} if report.not_set(node) else explainer(self.scope, node, member)
        value = node.value_for(member) if node.value is not None else None
        cited = rule.cited(value)
        citations = [cited, *work.pop("articles", [])]
        quotes = [q for q in dict.fromkeys(self.quote(c) for c in citations) if q is not None]
        section = Section(
            rule=rule,
            member=member,
            who=self.scope.member_name(member),
            value=self.shown_value(node, value),
            citation=cited.formal(self.lang),
            sentence=self.sentence(node, member),
            quotes=quotes,
            inputs=self.inputs(node, member),
            primitive=template,
            work=work,
            rounding=self.rounding(node, member),
            readings=[self.reading(i) for i in node.interpretations],
            deadline=self.deadline(rule, value),
            warnings=[
                trace.warning_text(text, self.lang) for m, text in node.warnings if m in (None, member)
            ],
            decided=self.decided(rule),
        )
        if node.value is None and name in self.said:  # a term after an event the letter cannot know yet
            section.value = self.said[name]
            section.sentence = self.words["term_after_event"].format(term=self.said[name])
        if rule.settlement is not None and value is not None:
            section.direction = report.direction(value)
            amount = show(Kind.MONEY, abs(value), self.lang)
            shown = {"amount": amount} if section.direction != report.NOTHING else {}  # nil names none
            phrase = self.words[f"settle.{section.direction}"].format(who=section.who, **shown)
            section.value = f"{section.value} ({phrase})"
        return section


def sentence_context(
    scope: Scope, node: TraceNode, member: str | None, said: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The variables a rule's sentence template may use (docs/legal-staff.md lists them); `said`:
    the terms after an event the letter's date does not know yet, as the letter says them."""
    rule, lang = node.rule, scope.lang
    value = node.value_for(member) if node.value is not None else None
    context: dict[str, Any] = {"jaar": scope.ev.facts.year}
    for name in rule.inputs:
        per = scope.per(name)
        use_member = member if per == rule.per or scope.includes(per, rule.per) else None
        value_of = scope.value(name, use_member)
        if isinstance(value_of, dict):  # per column: shown as a list, it has no single sign
            text = scope.show(name, use_member)
            context[name] = Shown(text, text, False, False, False)
        else:
            context[name] = shown(scope.kind(name), value_of, lang)
    context["uitkomst"] = context[rule.name] = shown(rule.kind, value, lang)
    if rule.per:
        context[member_word(scope.ev.rules, rule.per)] = scope.member_name(member)
    due = rule.settlement.deadline(value) if rule.settlement else None
    if rule.settlement is not None:  # a settlement always names its deadline, "—" when none applies
        context["termijn"] = context["termijn_artikel"] = context["termijn_zin"] = "—"
    if due is not None:
        deadline = scope.ev.nodes[due]
        context["termijn"] = (
            show(deadline.rule.kind, deadline.value, lang) if deadline.value else WORDS[lang]["unknown_value"]
        )
        context["termijn_artikel"] = deadline.rule.article.formal(lang)
        context["termijn_zin"] = _term_sentence(deadline, (said or {}).get(due), lang)
    context["artikel"] = rule.cited(value).formal(lang)
    context["interpretaties"] = {
        k: v.chosen or "vast" for k, v in scope.ev.rules.interpretations.items() if k in node.interpretations
    }
    return context


def _term_sentence(deadline: TraceNode, said: str | None, lang: str) -> str:
    """A settlement's term as a sentence says it: "uiterlijk 28 februari 2022 (artikel 3, vierde lid)",
    or, after an event the letter's date does not know yet, "binnen 2 weken nadat … (…)"."""
    citation = deadline.rule.article.formal(lang)
    if said is not None:
        return f"{said} ({citation})"
    if deadline.value is None:
        return WORDS[lang]["unknown_deadline"].format(citation=citation)
    key = "in_window" if deadline.rule.kind is Kind.PERIOD else "by_deadline"
    field = "period" if key == "in_window" else "date"
    return WORDS[lang][key].format(
        citation=citation, **{field: show(deadline.rule.kind, deadline.value, lang)}
    )


def explain(
    ev: Evaluation,
    fmt: str,
    lang: str = "nl",
    member: str | None = None,
    evaluation_date: date | None = None,
    scalars: bool = False,
    only: Iterable[str] | None = None,
    said: Mapping[str, str] | None = None,
    templates_sha256: str | Literal[False] | None = False,
    kept: dict[tuple[str, str | None], Section] | None = None,
) -> Explanation:
    """The explanation of everything, or of what one member's results rest on; `only`: of what
    an act's results rest on; `said`: the terms after a future event, as the letter says them;
    `templates_sha256`: the sentence templates' `templating.folder_sha256`, when the caller has
    read it already (the letters of an act, each with its explanation, name the one they read).
    `kept`: the sections made by earlier calls with the same evaluation, format, language and
    `said`, by (rule, member), read and added to: a section depends on nothing else (not on the
    member explained), and the letters of an act share half their annexes' sections (the results
    for the region, or for all members alike). Sections are read-only once made."""
    builder = _Builder(ev, fmt, lang, said)
    if templates_sha256 is False:
        templates_sha256 = templating.folder_sha256(builder.sentences)
    explanation = Explanation(
        ev,
        lang,
        member,
        builder.scope.member_name(member),
        evaluation_date or ev.facts.evaluation_date,
        templates_sha256,
    )
    pairs = selection(ev, member, scalars, only)
    if kept is None:
        explanation.sections = [builder.section(n, m) for n, m in pairs]
    else:
        for n, m in pairs:
            if (n, m) not in kept:
                kept[n, m] = builder.section(n, m)
        explanation.sections = [kept[pair] for pair in pairs]
    return explanation


# a section's text, by the section (kept alive beside it, so that its id is its own), format,
# language and heading level: what `render` is given to share among the explanations of one act
RenderedSections = dict[tuple[int, str, str, int], tuple[Section, str]]


def render(
    explanation: Explanation,
    fmt: str,
    standalone: bool = True,
    page: bool = True,
    rendered: RenderedSections | None = None,
) -> str:
    """The explanation as Markdown or HTML; `standalone` False gives the part a letter attaches,
    `page` False an HTML fragment without <head> (what the PDF is made from). Each section is
    rendered by itself (`explanation_section.j2`), and with `rendered` once for every explanation
    that has the very same section (`explain(kept=…)`: the letters of one act share half theirs):
    its text depends on nothing of the explanation but the section, the language and the format."""
    sentences = templating.sentence_dir(explanation.ev.rules.path)
    folder = sentences if sentences.is_dir() else None
    t, top = WORDS[explanation.lang], 1 if standalone else 2
    texts = []
    for section in explanation.sections:
        key = (id(section), fmt, explanation.lang, top)
        hit = rendered.get(key) if rendered is not None else None
        if hit is None or hit[0] is not section:
            context = {"s": section, "t": t, "top": top}
            hit = (section, templating.render(fmt, folder, "engine/explanation_section.j2", context))
            if rendered is not None:
                rendered[key] = hit
        texts.append(hit[1])
    if fmt == "html":  # the sections' HTML, escaped where it was made
        texts = [Markup(text) for text in texts]
    context = {"x": explanation, "t": t, "standalone": standalone, "page": page, "section_texts": texts}
    return templating.tidy(templating.render(fmt, folder, "engine/explanation.j2", context), fmt)


# --- as data -----------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A primitive's work (what its template shows) as JSON: texts, lists and objects as they are."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def _section_data(explanation: Explanation, section: Section) -> dict[str, Any]:
    ev, lang, rule = explanation.ev, explanation.lang, section.rule
    node = ev.nodes[rule.name]
    value = node.value_for(section.member) if node.value is not None else None
    inputs = [
        {
            "name": use.name,
            "label": row.label,
            "source": use.source,
            "value": trace_json.input_value(ev, node, use.name, section.member),
            "shown": row.value,
            "source_text": row.source,
        }
        for use, row in zip(node.inputs, section.inputs, strict=True)
    ]
    deadline = section.deadline
    return {
        "rule": rule.name,
        "label": rule.label,
        "member": section.member,
        "who": section.who,
        "type": rule.kind.value,
        "value": report.json_value(rule.kind, value),
        "shown": section.value,
        "direction": report.DIRECTION_IN_JSON[section.direction] if section.direction else None,
        "citation": rule.cited(value).as_json(lang),
        "sentence": str(section.sentence),
        "quotes": [{"citation": q.citation, "text": q.text} for q in section.quotes],
        "inputs": inputs,
        "primitive": section.primitive,
        "work": _plain(section.work),
        "steps": trace_json.steps(ev, node, section.member, lang),
        "rounding": list(section.rounding),
        "roundings": trace_json.roundings(node, section.member),
        "interpretations": [
            {
                "id": r.id,
                "citation": r.citation,
                "question": r.question,
                "chosen": r.chosen,
                "reading": r.reading,
                "others": [{"option": k or None, "text": t} for k, t in r.others],
            }
            for r in section.readings
        ],
        "deadline": None
        if deadline is None
        else {
            "rule": deadline.name,
            "label": deadline.label,
            "when": deadline.when,
            "citation": deadline.citation,
            "who": deadline.who,
            "quotes": [{"citation": q.citation, "text": q.text} for q in deadline.quotes],
        },
        "warnings": list(section.warnings),
        "decided": section.decided,
    }


def to_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as data (`schemas/explain-output.schema.json`): per result and member its
    sentence in the explanation's language, the quotes, the inputs with their values and sources,
    the work as the explanation shows it and the exact steps (as `evaluate --format json`), the
    rounding, the interpretations and the deadline. Built from the Markdown explanation's model."""
    ev, c = explanation.ev, explanation.ev.rules.covenant
    return {
        "engine": {"name": "convenant", "version": __version__},
        "lang": explanation.lang,
        "covenant": {
            "id": c.id,
            "title": c.title,
            "version": c.version,
            "rule_file": ev.rules.path,
            "sha256": ev.rules.sha256,
            "sentences_sha256": explanation.templates_sha256,
        },
        "facts": {"path": ev.facts.path, "sha256": ev.facts.sha256, "year": ev.facts.year},
        "municipality": explanation.member,
        "evaluation_date": explanation.evaluation_date.isoformat() if explanation.evaluation_date else None,
        "part_of_year": explanation.part_of_year_checked,
        "after_end": explanation.after_end_text,
        "results": [_section_data(explanation, s) for s in explanation.sections],
    }
