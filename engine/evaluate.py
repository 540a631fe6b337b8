"""The interpreter: a checked rule file and checked facts → every value with its trace.

Rules and deadlines run in dependency order. Each result is a `TraceNode`: the rule, its
citation, where each input came from (fact, parameter with its citation, other rule), the
interpretations it relies on (its own and those of its inputs), the exact value, the rounding
applied and the exact intermediate values of its primitive, in `details`:

- expression: none; `Evaluation.values` and `expr.Evaluator` re-evaluate any sub-expression;
- weighted_key: {"components": [{"by", "weight", "total", "shares": {member: Fraction}, "article"}]};
- distribute: {"amount": Fraction, "parts": {member: money.Part}} (exact, floor, remainder, extra);
- decision: {"case": index of the case that held} (per set: {member: index});
- deadlines: {"shifted": Shifted} when the Algemene termijnenwet moved it, {"unknown": name} when
  the date it counts from is not (yet) in the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from engine import dates, expr, money
from engine.citation import Citation
from engine.diagnostics import ConvenantError, Location, Problem
from engine.facts import Facts
from engine.model import (
    CASE,
    MUNICIPALITY,
    YEAR,
    After,
    Decision,
    Distribute,
    Expression,
    InMonth,
    OnDate,
    Rule,
    RuleFile,
    WeightedKey,
)
from engine.units import Kind

FACT, PARAMETER, RULE, DEADLINE, BUILTIN = "fact", "parameter", "rule", "deadline", "builtin"


@dataclass(frozen=True)
class InputUse:
    """One input of a result: its name, what it is, its label and its citation."""

    name: str
    source: str  # fact | parameter | rule | deadline | builtin
    label: str
    citation: Citation | None


@dataclass(frozen=True)
class Shifted:
    """A deadline moved by the Algemene termijnenwet (interpretation I-ATW)."""

    original: date
    reasons: tuple[str, ...]


@dataclass
class TraceNode:
    """One result: value, citation, inputs, interpretations, rounding, intermediate values."""

    rule: Rule
    value: Any  # one value, or for a rule per set: member → value (None: not yet known)
    inputs: tuple[InputUse, ...]
    interpretations: tuple[str, ...]  # own and inherited, in order of first use
    rounding: str | None = None  # money.HALF_UP | money.LARGEST_REMAINDER
    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[tuple[str | None, str]] = field(default_factory=list)  # (member, message)

    @property
    def name(self) -> str:
        return self.rule.name

    def value_for(self, member: str | None) -> Any:
        return self.value[member] if self.rule.per and member is not None else self.value


@dataclass(frozen=True)
class DutyResult:
    name: str
    period: dates.Period
    status: str  # voldaan | niet_voldaan | niet_getoetst
    missing: tuple[str, ...]


@dataclass
class Evaluation:
    rules: RuleFile
    facts: Facts
    members: dict[str, list[str]]  # each set's members in order (municipalities: preamble order)
    nodes: dict[str, TraceNode]
    duties: list[DutyResult]
    values: dict[str, Any]  # every name's value: parameters, facts, rules, deadlines, `jaar`

    def evaluator(self) -> expr.Evaluator:
        """An evaluator over this evaluation's values, e.g. to show a sub-expression's value."""
        chosen = {k: v.chosen for k, v in self.rules.interpretations.items() if v.switchable}
        return expr.Evaluator(self.values, self.members, chosen)  # type: ignore[arg-type]

    def node(self, name: str) -> TraceNode:
        return self.nodes[name]

    def interpretation_choices(self) -> dict[str, str]:
        return {k: v.chosen or "" for k, v in self.rules.interpretations.items()}


def evaluate(rules: RuleFile, facts: Facts) -> Evaluation:
    return _Run(rules, facts).run()


@dataclass
class Calendar:
    """The deadlines and duties of a covenant version for one year, without facts."""

    rules: RuleFile
    year: int
    deadlines: list[TraceNode]
    duties: list[DutyResult]


def deadlines_for(rules: RuleFile, year: int) -> Calendar:
    """Every deadline that can be known from the year alone; one that needs a fact stays unknown."""
    run = _Run(
        rules,
        Facts(
            path="",
            sha256="",
            covenant=rules.covenant.id,
            year=year,
            illustrative=False,
            description=None,
            evaluation_date=None,
        ),
    )
    nodes = []
    for name in rules.order:
        rule = rules.rules[name]
        if rule.section == "deadlines":
            node = run.compute(rule)
            run.values[name] = node.value
            run.nodes[name] = node
            nodes.append(node)
    return Calendar(rules, year, nodes, [run.duty(d) for d in rules.duties.values()])


class _Run:
    def __init__(self, rules: RuleFile, facts: Facts) -> None:
        self.rules, self.facts = rules, facts
        self.members: dict[str, list[str]] = {
            MUNICIPALITY: [p.code for p in rules.parties],
            CASE: [c.id for c in facts.cases],
        }
        self.values: dict[str, Any] = {YEAR: facts.year}
        self.values.update({n: p.value for n, p in rules.parameters.items()})
        for name, decl in rules.facts.items():
            if decl.per is None:
                if name in facts.scalars:
                    self.values[name] = facts.scalars[name].value
            elif decl.per == MUNICIPALITY:
                self.values[name] = {c: v[name].value for c, v in facts.per_municipality.items() if name in v}
            else:
                self.values[name] = {c.id: c.values[name].value for c in facts.cases if name in c.values}
        self.chosen = {k: v.chosen for k, v in rules.interpretations.items() if v.switchable}
        self.evaluator = expr.Evaluator(self.values, self.members, self.chosen)  # type: ignore[arg-type]
        self.nodes: dict[str, TraceNode] = {}

    def run(self) -> Evaluation:
        for name in self.rules.order:
            rule = self.rules.rules[name]
            node = self.compute(rule)
            self.values[name] = node.value
            self.nodes[name] = node
            self.check_warnings(node)
        duties = [self.duty(d) for d in self.rules.duties.values()]
        return Evaluation(self.rules, self.facts, self.members, self.nodes, duties, self.values)

    # --- provenance -----------------------------------------------------------------------

    def input_use(self, name: str) -> InputUse:
        r = self.rules
        if name in r.parameters:
            p = r.parameters[name]
            return InputUse(name, PARAMETER, p.label, p.article)
        if name in r.facts:
            f = r.facts[name]
            return InputUse(name, FACT, f.label, f.article)
        if name in r.rules:
            rule = r.rules[name]
            return InputUse(name, DEADLINE if rule.section == "deadlines" else RULE, rule.label, rule.article)
        return InputUse(name, BUILTIN, "het kalenderjaar van de feiten", None)

    def interpretations_of(self, rule: Rule, own: list[str]) -> tuple[str, ...]:
        found = dict.fromkeys(own)
        for name in rule.inputs:
            if name in self.nodes:
                found.update(dict.fromkeys(self.nodes[name].interpretations))
        return tuple(found)

    def fail(self, code: str, rule: Rule, location: Location | None = None, /, **args: Any) -> ConvenantError:
        return ConvenantError(
            [
                Problem(
                    code,
                    {"rule": rule.name, "label": rule.label, **args},
                    location or Location(self.facts.path),
                    None,
                    rule.article,
                )
            ]
        )

    # --- primitives -----------------------------------------------------------------------

    def compute(self, rule: Rule) -> TraceNode:
        own = list(rule.interpretations)
        spec = rule.spec
        node = TraceNode(rule, None, tuple(self.input_use(n) for n in rule.inputs), ())
        if isinstance(spec, Expression):
            node.value = self.expression(rule, spec)
            if any(isinstance(n, expr.Call) and n.function == "round" for n in spec.tree.walk()):
                node.rounding = money.HALF_UP
        elif isinstance(spec, WeightedKey):
            node.value, node.details = self.weighted_key(rule, spec)
        elif isinstance(spec, Distribute):
            node.value, node.details = self.distribute(rule, spec)
            node.rounding = money.LARGEST_REMAINDER
        elif isinstance(spec, Decision):
            node.value, node.details = self.decision(rule, spec)
        else:
            node.value, node.details = self.deadline(rule, spec, own)
        node.interpretations = self.interpretations_of(rule, own)
        if rule.kind is Kind.MONEY:  # the checker proved it; a wrong number must never pass silently
            values = node.value.values() if rule.per else [node.value]
            assert all(money.is_whole_cents(v) for v in values), f"{rule.name}: fraction of a cent"
        return node

    def expression(self, rule: Rule, spec: Expression) -> Any:
        try:
            if rule.per is None:
                return self.evaluator.evaluate(spec.tree)
            return {m: self.evaluator.evaluate(spec.tree, {rule.per: m}) for m in self.members[rule.per]}
        except expr.ExprProblem:  # the only fault left after checking: division by zero
            raise self.fail("evaluate.division_by_zero", rule, expression=spec.text) from None

    def weighted_key(self, rule: Rule, spec: WeightedKey) -> tuple[dict[str, Fraction], dict[str, Any]]:
        members = self.members[rule.per or MUNICIPALITY]
        key = dict.fromkeys(members, Fraction(0))
        components = []
        for component in spec.components:
            by = self.values[component.by]
            weight = self.values[component.weight]
            total = sum((Fraction(by[m]) for m in members), Fraction(0))
            if total == 0:
                raise self.fail(
                    "evaluate.key_total_zero",
                    rule,
                    None,
                    fact=component.by,
                    component_article=component.article,
                )
            shares = {m: Fraction(by[m]) / total for m in members}
            for m in members:
                key[m] += weight * shares[m]
            components.append(
                {
                    "by": component.by,
                    "weight": weight,
                    "total": total,
                    "shares": shares,
                    "article": component.article,
                }
            )
        if sum(key.values(), Fraction(0)) != 1:
            raise self.fail("evaluate.key_not_one", rule, total=sum(key.values(), Fraction(0)))
        return key, {"components": components}

    def distribute(self, rule: Rule, spec: Distribute) -> tuple[dict[str, Fraction], dict[str, Any]]:
        members = self.members[rule.per or MUNICIPALITY]
        amount = self.values[spec.amount]
        key = self.values[spec.key]
        shares = [key[m] for m in members]
        if sum(shares, Fraction(0)) != 1:
            raise self.fail("evaluate.key_not_one", rule, total=sum(shares, Fraction(0)))
        parts = money.largest_remainder(money.to_cents(amount), shares)
        value = {m: Fraction(part.cents, 100) for m, part in zip(members, parts, strict=True)}
        return value, {"amount": amount, "parts": dict(zip(members, parts, strict=True))}

    def decision(self, rule: Rule, spec: Decision) -> tuple[Any, dict[str, Any]]:
        per = rule.per
        members = self.members[per] if per else [None]
        outcomes, matched = {}, {}
        for m in members:
            current = {per: m} if per else {}
            hits = [
                i for i, case in enumerate(spec.cases) if self.evaluator.evaluate(case.when.tree, current)
            ]
            if len(hits) != 1:
                code = "evaluate.decision_none" if not hits else "evaluate.decision_overlap"
                raise self.fail(
                    code, rule, member=m or "—", outcomes=", ".join(spec.cases[i].outcome for i in hits)
                )
            outcomes[m] = spec.cases[hits[0]].outcome
            matched[m] = hits[0]
        value = outcomes if per else outcomes[None]
        return value, {"case": matched if per else matched[None]}

    def deadline(self, rule: Rule, spec: Any, own: list[str]) -> tuple[Any, dict[str, Any]]:
        year = self.facts.year
        policy = self.rules.date_policy
        details: dict[str, Any] = {}
        if isinstance(spec, OnDate):
            value: Any = self.values[spec.date].in_year(year + spec.year_offset)
        elif isinstance(spec, InMonth):
            value = dates.month_window(year + spec.year_offset, self.values[spec.month])
        else:
            assert isinstance(spec, After)
            start, term = self.values.get(spec.date), self.values[spec.term]
            if term.months and policy.months:
                own.append(policy.months)
            if start is None:
                return None, {"unknown": spec.date}
            try:
                value = dates.add_term(start, term, self.chosen.get(policy.months or "", dates.MONTH_REFUSE))
            except dates.DateProblem as problem:
                raise self.fail(problem.code, rule, **problem.args_) from None
        if policy.working_days:
            own.append(policy.working_days)
            if self.chosen.get(policy.working_days) == dates.ATW_APPLY:
                end = value.end if isinstance(value, dates.Period) else value
                moved, reasons = dates.next_working_day(end)
                if reasons:
                    details["shifted"] = Shifted(end, reasons)
                    value = dates.Period(value.start, moved) if isinstance(value, dates.Period) else moved
        return value, details

    # --- warnings and duties --------------------------------------------------------------

    def check_warnings(self, node: TraceNode) -> None:
        rule = node.rule
        for warning in rule.warnings:
            members = self.members[rule.per] if rule.per else [None]
            for m in members:
                if self.evaluator.evaluate(warning.when.tree, {rule.per: m} if rule.per else {}):
                    node.warnings.append((m, warning.message))

    def duty(self, duty: Any) -> DutyResult:
        period = dates.Period(date(self.facts.year, 1, 1), date(self.facts.year, 12, 31))
        missing = tuple(n for n in duty.inputs if n not in self.values)
        if duty.check is None or missing:
            return DutyResult(duty.name, period, "niet_getoetst", missing)
        met = self.evaluator.evaluate(duty.check.tree)
        return DutyResult(duty.name, period, "voldaan" if met else "niet_voldaan", ())
