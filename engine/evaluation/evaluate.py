"""The interpreter: a checked rule file and checked facts → every value with its trace.

Rules and deadlines run in dependency order. Each result is a `TraceNode`: the rule, its
citation, where each input came from (fact, parameter with its citation, other rule), the
interpretations it relies on (its own and those of its inputs), the exact value, each rounding
applied and the typed details of its primitive (`engine.trace`): the exact intermediate values,
the branches taken and the case that held. Explanations and letters read only these.

A result whose inputs are not (yet) all known — an optional fact that is not given, or a result that
is itself unknown — is None, with `trace.Unknown` details naming them: "unknown until given", and the
report says so. It is never silently zero. A primitive may say that, given the values known, it needs
only some of its inputs (`Primitive.needs`: a pro-rata key whose condition is false is its old key);
then only those must be known, and the result inherits the interpretations of only those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from convenant import primitives
from convenant.check.facts import Facts, FactValue
from convenant.core import dates, money
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Place, Problem
from convenant.core.units import Kind
from convenant.language import expr, trace
from convenant.language.model import BUILTINS, CASE, LAST_YEAR, MUNICIPALITY, Duty, Expression, Rule, RuleFile
from convenant.language.parties import YearParties, in_year
from convenant.language.trace import Details, Rounding, Said, Unknown
from convenant.primitives.base import reads as _reads
from convenant.source import schemas

FACT, PARAMETER, RULE, DEADLINE, BUILTIN = "fact", "parameter", "rule", "deadline", "builtin"
FieldPath = tuple[str | int, ...]
Reads = Iterable[tuple[str, str | None]]  # (name, member; None: every member) of values a failure read


@dataclass(frozen=True)
class InputUse:
    """One input of a result: its name, what it is, its label and its citation."""

    name: str
    source: str  # fact | parameter | rule | deadline | builtin
    label: str
    citation: Citation | None


@dataclass
class TraceNode:
    """One result: value, citation, inputs, interpretations, roundings, intermediate values."""

    rule: Rule
    value: Any  # one value, or for a rule per set: member → value (None: not yet known)
    inputs: tuple[InputUse, ...]
    interpretations: tuple[str, ...]  # own and inherited, in order of first use
    details: Details  # the primitive's exact intermediate values (engine.trace)
    roundings: tuple[Rounding, ...] = ()  # every rounding applied, for every member
    # (member, message): a rule file's `warnings:` (its text) and its primitive's (`trace.Said`)
    warnings: list[tuple[str | None, str | Said]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.rule.name

    def rounding(self, member: str | None) -> str | None:
        """How the value for `member` (None for a result not per set) was rounded, if it was."""
        return next((r.mode for r in self.roundings if r.member == member), None)

    def value_for(self, member: str | None) -> Any:
        return self.value[member] if self.rule.per and member is not None else self.value


# a duty's status; its words are report.heading.status.*
MET, NOT_MET, NOT_CHECKED = "met", "not_met", "not_checked"


@dataclass(frozen=True)
class DutyResult:
    name: str
    period: dates.Period
    status: str  # MET | NOT_MET | NOT_CHECKED
    missing: tuple[str, ...]


@dataclass
class Evaluation:
    rules: RuleFile
    facts: Facts
    members: dict[str, list[str]]  # each set's members in order (municipalities: preamble order)
    nodes: dict[str, TraceNode]
    duties: list[DutyResult]
    values: dict[str, Any]  # every name's value: parameters, facts, rules, deadlines, `jaar`
    parties: YearParties  # the members of the municipality set in this year (after mergers)
    narrower: dict[str, list[str]]  # set → the sets it includes (rows include the municipalities)

    def waiting_for(self, name: str) -> list[str]:
        """The facts a result that is not yet known waits for: its missing inputs, traced back through
        results that are themselves unknown."""

        def traced(current: str) -> list[str] | None:
            node = self.nodes.get(current)
            if node is not None:
                return list(node.details.missing) if isinstance(node.details, Unknown) else []
            return None if self.values.get(current) is None else []

        return waiting_for(name, traced)

    def label(self, member: str) -> str:
        """A member's name: the municipality's name, or an extra member's label."""
        party = self.parties.member(member)
        if party is not None:
            return party.name
        return next((label for s in self.rules.sets.values() if (label := s.extra_label(member))), member)

    def node(self, name: str) -> TraceNode:
        return self.nodes[name]


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
        self.parties = in_year(rules, facts.year)
        self.members: dict[str, list[str]] = {
            MUNICIPALITY: [m.code for m in self.parties.members],
            CASE: [c.id for c in facts.cases],
        }
        self.narrower: dict[str, list[str]] = {}
        for name, declared in rules.sets.items():
            self.members[name] = (self.members[MUNICIPALITY] if declared.parties else []) + list(
                declared.extra_ids()
            )
            if declared.parties:
                self.narrower[name] = [MUNICIPALITY]
        self.values: dict[str, Any] = dict(rules.covenant.builtins(facts.year))
        for name, parameter in rules.parameters.items():
            self.values[name] = self.per_member(parameter.value) if parameter.per else parameter.value
        for name, decl in rules.facts.items():
            self.fact_value(name, decl.per)
        # the checker requires a switchable interpretation to have a chosen option: none is left out
        self.chosen = {k: v.chosen for k, v in rules.interpretations.items() if v.switchable and v.chosen}
        self.evaluator = expr.Evaluator(self.values, self.members, self.chosen, self.narrower)
        self.nodes: dict[str, TraceNode] = {}

    def per_member(self, by_party: dict[str, Any]) -> dict[str, Any]:
        """A parameter's values for this year's members: a merged member adds up its parties' values."""
        values = {k: v for k, v in by_party.items() if self.parties.member(k) is None}  # extra members
        for member in self.parties.members:
            parts = member.predecessors or ()
            values[member.code] = (
                sum((by_party[p.code] for p in parts), Fraction(0)) if parts else by_party[member.code]
            )
        return values

    def fact_value(self, name: str, per: str | None) -> None:
        facts = self.facts
        if per is None or name in facts.scalars:
            if name in facts.scalars:
                self.values[name] = facts.scalars[name].value
        elif per == CASE:
            self.values[name] = {c.id: c.values[name].value for c in facts.cases if name in c.values}
        else:
            given = {
                m: facts.per_municipality[m][name].value
                for m in self.members.get(per, [])
                if name in facts.per_municipality.get(m, {})
            }
            if given or self.rules.facts[name].sparse:  # an optional fact given for no member stays
                self.values[name] = given  # unknown; a sparse one is known to be empty

    def rule_members(self, rule: Rule) -> list[str]:
        members = self.members[rule.per or MUNICIPALITY]
        if rule.roles:
            members = [
                m for m in members if (p := self.parties.member(m)) is not None and p.role in rule.roles
            ]
        return members

    def run(self) -> Evaluation:
        for name in self.rules.order:
            rule = self.rules.rules[name]
            node = self.compute(rule)
            self.values[name] = node.value
            self.nodes[name] = node
            self.check_warnings(node)
        duties = [self.duty(d) for d in self.rules.duties.values()]
        return Evaluation(
            self.rules, self.facts, self.members, self.nodes, duties, self.values, self.parties, self.narrower
        )

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
        assert name in BUILTINS, name
        if name == LAST_YEAR:
            return InputUse(name, BUILTIN, name, r.covenant.period_article)
        return InputUse(name, BUILTIN, name, None)

    def interpretations_of(self, own: list[str], needed: Iterable[str]) -> tuple[str, ...]:
        """Its own interpretations and those of the inputs it needed (`Primitive.needs`): a result
        does not rest on a reading only an input it did not need relies on."""
        found = dict.fromkeys(own)
        for name in needed:
            if name in self.nodes:
                found.update(dict.fromkeys(self.nodes[name].interpretations))
        return tuple(found)

    # --- where a failure comes from -------------------------------------------------------
    # A failure while evaluating points at the fact whose value caused it (the fact file's line, or
    # the scenario's row and column in batch) and, as a further place, at the rule file: the
    # sub-expression that failed, or the field of the primitive, with the rule's article.

    def fail(
        self,
        code: str,
        owner: Rule | Duty,
        path: FieldPath,
        reads: Reads = (),
        span: tuple[int, int] | None = None,
        /,
        **args: Any,
    ) -> ConvenantError:
        """A failure of `owner` at the rule file's field `path` (at characters `span` of the expression
        written there), caused by the values of facts among `reads`."""
        doc = self.rules.document
        at = doc.locate_in(path, span[0], span[1] - span[0]) if span else doc.locate(path)
        causes = self.sources(reads)
        here = Place("rule", owner.name, at)
        if causes:
            first, *others = causes
            assert first.location is not None  # sources() keeps only values read from a file
            location, shown = first.location, first.field
            places = (here, *(Place("fact", v.field or "", v.location) for v in others if v.location))
        else:
            location, shown, places = at, schemas.field_name(path), ()
        args = {"rule": owner.name, "label": owner.label, **args}
        return ConvenantError([Problem(code, args, location, shown, owner.article, places=places)])

    def sources(self, reads: Reads) -> list[FactValue]:
        """The given values (not defaults) of the facts among `reads` and of the facts the rules among
        them read (for every member), each place once, in set order."""
        found: dict[Location, FactValue] = {}
        todo, seen = list(reads), set()
        while todo:
            name, member = todo.pop(0)
            if (name, member) in seen:
                continue
            seen.add((name, member))
            decl = self.rules.facts.get(name)
            if decl is None:
                todo += [(n, None) for n in self.rules.rules[name].inputs] if name in self.rules.rules else []
                continue
            if name in self.facts.scalars or decl.per is None:
                values = [self.facts.scalars.get(name)]
            elif decl.per == CASE:
                values = [c.values.get(name) for c in self.facts.cases if member in (None, c.id)]
            else:
                given = self.facts.per_municipality
                values = [given.get(m, {}).get(name) for m in self.members[decl.per] if member in (None, m)]
            for value in values:
                if value is not None and value.location is not None:
                    found.setdefault(value.location, value)
        return list(found.values())

    def evaluate_in(
        self, owner: Rule | Duty, expression: Expression, current: Mapping[str, str] | None = None
    ) -> Any:
        """An expression's value; a division by zero names the division and the facts its divisor read."""
        try:
            return self.evaluator.evaluate(expression.tree, current)
        except expr.ExprProblem as problem:
            member = next(iter((current or {}).values()), None)
            raise self.division_by_zero(owner, expression, problem, member) from None

    def record_in(
        self, owner: Rule | Duty, expression: Expression, per: str | None, member: str | None
    ) -> trace.Evaluated:
        """As `evaluate_in`, keeping what the expression came to for the trace (`trace.Recorder`)."""
        try:
            return trace.Recorder(self.evaluator, expression.text).record(expression.tree, per, member)
        except expr.ExprProblem as problem:
            raise self.division_by_zero(owner, expression, problem, member) from None

    def division_by_zero(
        self, owner: Rule | Duty, expression: Expression, problem: expr.ExprProblem, member: str | None
    ) -> ConvenantError:
        """The only fault left after checking: the division that failed and the facts its divisor read."""
        failed = next(
            n
            for n in expression.tree.walk()
            if isinstance(n, expr.Binary) and (n.start, n.end) == (problem.start, problem.end)
        )
        assert failed.right is not None
        return self.fail(
            "evaluate.division_by_zero",
            owner,
            expression.path,
            _reads(failed.right, member),
            (problem.start, problem.end),
            expression=expression.text[failed.start : failed.end],
            divisor=expression.text[failed.right.start : failed.right.end],
        )

    # --- primitives -----------------------------------------------------------------------

    @property
    def year(self) -> int:
        return self.facts.year

    def compute(self, rule: Rule) -> TraceNode:
        """A rule's result, by its primitive (`engine.primitives`), with its provenance."""
        own = list(rule.interpretations)
        primitive = primitives.by_spec(rule.spec)
        value: Any = None
        details: Details
        roundings: tuple[Rounding, ...] = ()
        warned: tuple[tuple[str | None, Said], ...] = ()
        needed = primitive.needs(self, rule) if primitive.needs is not None else rule.inputs
        unknown = [n for n in needed if self.values.get(n) is None]
        if unknown:
            if primitive.relies_on is not None:
                primitive.relies_on(self, rule.spec, own)
            details = Unknown(tuple(unknown))
        else:
            outcome = primitive.evaluate(self, rule, own)
            value, details, roundings = outcome.value, outcome.details, outcome.roundings
            warned = outcome.warnings
        inputs = tuple(self.input_use(n) for n in rule.inputs)
        node = TraceNode(rule, value, inputs, self.interpretations_of(own, needed), details, roundings)
        node.warnings.extend(warned)
        if rule.kind is Kind.MONEY and node.value is not None:  # proven by the checker; never pass silently
            values = node.value.values() if rule.per else [node.value]
            assert all(money.is_whole_cents(v) for v in values), f"{rule.name}: fraction of a cent"
        return node

    # --- warnings and duties --------------------------------------------------------------

    def check_warnings(self, node: TraceNode) -> None:
        rule = node.rule
        for warning in rule.warnings if node.value is not None else ():
            members = self.rule_members(rule) if rule.per else [None]
            for m in members:
                current = {rule.per: m} if rule.per and m is not None else {}
                if self.evaluate_in(rule, warning.when, current):
                    node.warnings.append((m, warning.message))

    def duty(self, duty: Duty) -> DutyResult:
        period = dates.Period(date(self.facts.year, 1, 1), date(self.facts.year, 12, 31))
        missing = tuple(n for n in duty.inputs if n not in self.values)
        if duty.check is None or missing:
            return DutyResult(duty.name, period, NOT_CHECKED, missing)
        met = self.evaluate_in(duty, duty.check)
        return DutyResult(duty.name, period, MET if met else NOT_MET, ())


def waiting_for(name: str, traced: Callable[[str], list[str] | None]) -> list[str]:
    """The facts `name` waits for, in the order found: `traced(n)` gives what an unknown result n
    waits for (its missing inputs; [] for a known result or a given fact), or None for a missing
    fact, which is one of the answers. The interpreter's `Evaluation.waiting_for` and the batch's
    compiled plan trace through the same walk."""
    found: dict[str, None] = {}
    todo, seen = [name], set()
    while todo:
        current = todo.pop(0)
        if current in seen:
            continue
        seen.add(current)
        after = traced(current)
        if after is None:
            found.setdefault(current)
        else:
            todo += after
    return list(found)
