"""`convenant diff --facts`: the same facts under two versions, per municipality and for the region.

The facts are checked and evaluated against each rule file as given (engine.facts,
engine.evaluate), also when the facts' year lies outside a version's period: the output says so.
Shown: every money result for the region, and every result per municipality (money and keys),
with the amount under OLD, under NEW and the difference NEW − OLD; and each case whose outcome
changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import words
from convenant.check.facts import check_facts, read_header
from convenant.core import money
from convenant.core.citation import Citation
from convenant.core.columns import columns
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind, display, percent_text
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.explain.report import PAYS, RECEIVES, direction, json_value
from convenant.language.model import CASE, MUNICIPALITY, Rule, RuleFile

OLD, NEW = "old", "new"


@dataclass(frozen=True)
class Row:
    """One result under both versions; None where a version does not have it."""

    member: str | None  # CBS code, case id, or None for the region
    name: str  # the member's name (or the rule's label for the region)
    old: Any
    new: Any


@dataclass(frozen=True)
class Table:
    rule: str
    label: str
    article: Citation
    kind: Kind
    settlement: bool
    rows: list[Row]


@dataclass(frozen=True)
class Effect:
    facts: str
    year: int
    illustrative: bool
    outside: list[tuple[str, RuleFile]]  # (OLD | NEW, version) whose period does not cover the year
    region: list[Row]  # the region's money results: one row per rule (member: the rule's name)
    tables: list[Table]  # per municipality: one table per rule
    cases: list[tuple[str, str, str, str]]  # (case, rule label, old outcome, new outcome) that changed


def _evaluate(facts: Path, rules: RuleFile, which: str, display: str | None = None) -> Evaluation:
    try:
        return evaluate(rules, check_facts(read_header(facts, display), rules))
    except ConvenantError as error:
        note = Problem(
            "diff.facts_failed",
            {
                "facts": display or str(facts),
                "rules": rules.path,
                "which": words.Said(f"effect.{which}"),  # "oude" / "old": in the message's language
            },
        )
        raise ConvenantError([note, *error.problems]) from None


def _rules(old: RuleFile, new: RuleFile) -> list[Rule]:
    """The computations of both versions: NEW's order, then those only OLD has."""
    found = {n: r for n, r in new.rules.items() if r.section == "rules"}
    found.update({n: r for n, r in old.rules.items() if r.section == "rules" and n not in found})
    return list(found.values())


def _value(ev: Evaluation, name: str, member: str | None) -> Any:
    """A result for a member (None where a version lacks it, it does not apply, or is not yet known)."""
    node = ev.nodes.get(name)
    if node is None or node.value is None:
        return None
    return node.value.get(member) if node.rule.per else node.value


def _members(before: Evaluation, after: Evaluation, per: str) -> dict[str, str]:
    """The members of a set under both versions, in order, with their names: the municipalities of
    the facts' year (after mergers) and, for a sheet's rows, the other rows."""
    found: dict[str, str] = {}
    for ev in (before, after):
        for member in ev.members.get(per, []):
            found.setdefault(member, ev.label(member))
    return found


def _per_municipality(ev: Evaluation, rule: Rule) -> bool:
    """A rule per municipality, or per a set that includes the municipalities (a sheet's rows)."""
    declared = ev.rules.sets.get(rule.per or "")
    return rule.per == MUNICIPALITY or bool(declared and declared.parties)


def effect(facts: Path, old: RuleFile, new: RuleFile, display: str | None = None) -> Effect:
    """The facts under both versions; `display` names the fact file in the output and in every
    message (an uploaded file's own name, not the temporary file it was saved in)."""
    before, after = _evaluate(facts, old, OLD, display), _evaluate(facts, new, NEW, display)
    year = before.facts.year
    outside = [(w, r) for w, r in ((OLD, old), (NEW, new)) if not r.covenant.covers(year)]
    region, tables, cases = [], [], []
    for rule in _rules(old, new):
        if rule.per is None and rule.kind is Kind.MONEY:
            label = f"{rule.label} ({rule.article.short()})"
            region.append(
                Row(rule.name, label, _value(before, rule.name, None), _value(after, rule.name, None))
            )
        elif (
            rule.per
            and _per_municipality(after if rule.name in new.rules else before, rule)
            and rule.kind
            in (
                Kind.MONEY,
                Kind.RATIO,
            )
        ):
            names = _members(before, after, rule.per)
            rows = [
                Row(c, names[c], _value(before, rule.name, c), _value(after, rule.name, c)) for c in names
            ]
            if all(r.old is None and r.new is None for r in rows):
                continue  # known under neither version (Assen art. 8.9 without parts): nothing to compare
            settles = rule.settlement is not None
            tables.append(Table(rule.name, rule.label, rule.article, rule.kind, settles, rows))
        elif rule.per == CASE:
            for case in after.members[CASE]:
                was, now = _value(before, rule.name, case), _value(after, rule.name, case)
                if was != now:
                    cases.append((case, rule.label, str(was or "—"), str(now or "—")))
    return Effect(display or str(facts), year, before.facts.illustrative, outside, region, tables, cases)


# --- words ------------------------------------------------------------------------------------

WORDS = words.Languages("effect")


def shown(kind: Kind, value: Any, settlement: bool, lang: str) -> str:
    w = WORDS[lang]
    if value is None:
        return w["absent"]
    if settlement and value != 0:
        word = {RECEIVES: w["receives"], PAYS: w["pays"]}[direction(value)]
        return f"{word} {display(Kind.MONEY, abs(value), lang)}"
    return display(kind, value, lang)


def difference(kind: Kind, old: Any, new: Any, lang: str) -> str:
    """NEW − OLD with its sign: "+ € 62.834,17", "− € 0,01", "+0,35 procentpunt"."""
    if old is None or new is None:
        return WORDS[lang]["absent"]
    delta = Fraction(new) - Fraction(old)
    sign = "+ " if delta > 0 else "− " if delta < 0 else ""
    if kind is Kind.MONEY:
        return sign + money.dutch(abs(delta), lang)
    text = percent_text(abs(delta), lang=lang)
    approx = text.startswith("≈ ")
    number = text.removeprefix("≈ ").removesuffix(" %")
    return f"{'≈ ' if approx else ''}{sign.strip()}{number} {WORDS[lang]['point']}"


def _columns(rows: list[list[str]], right: set[int]) -> list[str]:
    return columns(rows, right)  # aligned, and wrapped to fit the terminal


def to_text(found: Effect, lang: str) -> str:
    w = WORDS[lang]
    out = ["", w["title"].format(year=found.year, facts=found.facts)]
    if found.illustrative:
        out.append(f"  {w['illustrative']}")
    for which, rules in found.outside:
        c = rules.covenant
        start, end = display(Kind.DATE, c.valid_from, lang), display(Kind.DATE, c.valid_until, lang)
        out.append(
            w["outside"].format(year=found.year, which=w[which], version=c.version, start=start, end=end)
        )
    if found.region:
        out += ["", w["region"]]
        rows = [["", *w["columns"]]]
        rows += [[r.name, *_three(Kind.MONEY, r, False, lang)] for r in found.region]
        out += _columns(rows, {1, 2, 3})
    for table in found.tables:
        note = f" — {w['settlement']}" if table.settlement else ""
        out += ["", f"{table.label} ({table.article.short()}){note}"]
        rows = [[*w["member"], *w["columns"]]]
        rows += [[r.member or "", r.name, *_three(table.kind, r, table.settlement, lang)] for r in table.rows]
        if table.kind is Kind.MONEY:
            total = Row(None, w["total"], _sum(table, OLD), _sum(table, NEW))
            rows.append(["", w["total"], *_three(Kind.MONEY, total, False, lang)])
        out += _columns(rows, {2, 3, 4})
    out += ["", w["cases"] if found.cases else w["no_cases"]]
    out += [f"  {case}: {label}: {was} → {now}" for case, label, was, now in found.cases]
    return "\n".join(out) + "\n"


def _three(kind: Kind, row: Row, settlement: bool, lang: str) -> list[str]:
    return [
        shown(kind, row.old, settlement, lang),
        shown(kind, row.new, settlement, lang),
        difference(kind, row.old, row.new, lang),
    ]


def _sum(table: Table, which: str) -> Fraction | None:
    values = [getattr(r, which) for r in table.rows]
    return None if any(v is None for v in values) else sum(values, Fraction(0))


def to_json(found: Effect, lang: str) -> dict[str, Any]:
    def triple(kind: Kind, row: Row) -> dict[str, Any]:
        delta = None if row.old is None or row.new is None else Fraction(row.new) - Fraction(row.old)
        return {
            "old": json_value(kind, row.old),
            "new": json_value(kind, row.new),
            "difference": json_value(kind, delta),
        }

    return {
        "facts": found.facts,
        "year": found.year,
        "illustrative": found.illustrative,
        "outside_period": [{"which": w, "version": r.covenant.version} for w, r in found.outside],
        "region": {r.member: {"label": r.name, **triple(Kind.MONEY, r)} for r in found.region},
        "municipalities": {
            t.rule: {
                "label": t.label,
                "citation": t.article.as_json(lang),
                "type": t.kind.value,
                "settlement": t.settlement,
                "values": {r.member: {"name": r.name, **triple(t.kind, r)} for r in t.rows},
            }
            for t in found.tables
        },
        "cases": [{"case": c, "rule": label, "old": was, "new": now} for c, label, was, now in found.cases],
    }
