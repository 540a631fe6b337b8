"""The interpreter: a checked rule file and checked facts → every value with its trace.

Rules and deadlines run in dependency order. Each result is a `TraceNode`: the rule, its
citation, where each input came from (fact, parameter with its citation, other rule), the
interpretations it relies on (its own and those of its inputs), the exact value, each rounding
applied and the typed details of its primitive (`engine.trace`): the exact intermediate values,
the branches taken and the case that held. Explanations and letters read only these.

A result whose inputs are not (yet) all known — an optional fact that is not given, or a result that
is itself unknown — is None, with `trace.Unknown` details naming them: "unknown until given", and the
report says so. It is never silently zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from convenant import dates, expr, money, schemas, trace
from convenant.citation import Citation
from convenant.diagnostics import ConvenantError, Location, Place, Problem
from convenant.facts import Facts, FactValue
from convenant.model import (
    CASE,
    MUNICIPALITY,
    YEAR,
    After,
    Decision,
    Distribute,
    Duty,
    Expression,
    InMonth,
    OnDate,
    ProRata,
    Ration,
    Rule,
    RuleFile,
    Sheet,
    Threshold,
    WeightedKey,
)
from convenant.parties import YearParties, in_year
from convenant.trace import (
    Component,
    DeadlineDetails,
    DecisionDetails,
    Details,
    DistributeDetails,
    ExpressionDetails,
    Hit,
    ProRataDetails,
    RationDetails,
    Rounding,
    SheetDetails,
    Shifted,
    ThresholdDetails,
    Unknown,
    WeightedKeyDetails,
)
from convenant.units import Kind

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
    warnings: list[tuple[str | None, str]] = field(default_factory=list)  # (member, message)

    @property
    def name(self) -> str:
        return self.rule.name

    def rounding(self, member: str | None) -> str | None:
        """How the value for `member` (None for a result not per set) was rounded, if it was."""
        return next((r.mode for r in self.roundings if r.member == member), None)

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
    parties: YearParties  # the members of the municipality set in this year (after mergers)
    narrower: dict[str, list[str]]  # set → the sets it includes (rows include the municipalities)

    def waiting_for(self, name: str) -> list[str]:
        """The facts a result that is not yet known waits for: its missing inputs, traced back through
        results that are themselves unknown."""
        found: dict[str, None] = {}
        todo, seen = [name], set()
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            node = self.nodes.get(current)
            if node is not None and isinstance(node.details, Unknown):
                todo += node.details.missing
            elif node is None and self.values.get(current) is None:
                found.setdefault(current)
        return list(found)

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
        self.values: dict[str, Any] = {YEAR: facts.year}
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
            if given:  # an optional fact given for no member stays unknown
                self.values[name] = given

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
        return InputUse(name, BUILTIN, "het kalenderjaar van de feiten", None)

    def interpretations_of(self, rule: Rule, own: list[str]) -> tuple[str, ...]:
        found = dict.fromkeys(own)
        for name in rule.inputs:
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

    def compute(self, rule: Rule) -> TraceNode:
        own = list(rule.interpretations)
        spec = rule.spec
        value: Any = None
        details: Details
        roundings: tuple[Rounding, ...] = ()
        unknown = [n for n in rule.inputs if self.values.get(n) is None]
        if unknown:
            if rule.section == "deadlines":
                self.date_interpretations(spec, own)
            details = Unknown(tuple(unknown))
        elif isinstance(spec, Expression):
            evaluated = self.expression(rule, spec)
            value = evaluated[None].value if rule.per is None else {m: e.value for m, e in evaluated.items()}
            details = ExpressionDetails(evaluated)
            roundings = tuple(r for e in evaluated.values() for r in e.roundings)
        elif isinstance(spec, WeightedKey):
            value, details = self.weighted_key(rule, spec)
        elif isinstance(spec, Distribute):
            value, distributed = self.distribute(rule, spec)
            roundings = _distributed(spec.amount, distributed.amount, distributed.key, value)
            details = distributed
        elif isinstance(spec, Decision):
            value, details = self.decision(rule, spec)
        elif isinstance(spec, Sheet):
            value, details = self.sheet(rule, spec)
        elif isinstance(spec, Ration):
            value, rationed = self.ration(rule, spec)
            if not rationed.fits:
                shares = {m: rationed.claims[m] / rationed.claims_total for m in value}
                roundings = _distributed(spec.available, rationed.available, shares, value)
            details = rationed
        elif isinstance(spec, ProRata):
            value, details = self.pro_rata(rule, spec)
        elif isinstance(spec, Threshold):
            value, details = self.threshold(rule, spec)
        else:
            value, details = self.deadline(rule, spec, own)
        inputs = tuple(self.input_use(n) for n in rule.inputs)
        node = TraceNode(rule, value, inputs, self.interpretations_of(rule, own), details, roundings)
        if rule.kind is Kind.MONEY and node.value is not None:  # proven by the checker; never pass silently
            values = node.value.values() if rule.per else [node.value]
            assert all(money.is_whole_cents(v) for v in values), f"{rule.name}: fraction of a cent"
        return node

    def expression(self, rule: Rule, spec: Expression) -> dict[str | None, trace.Evaluated]:
        if rule.per is None:
            return {None: self.record_in(rule, spec, None, None)}
        values: dict[str | None, trace.Evaluated] = {}
        for m in self.rule_members(rule):
            try:
                values[m] = self.record_in(rule, spec, rule.per, m)
            except expr.Absent:  # reads a value that does not apply to this member
                continue
        return values

    def weighted_key(self, rule: Rule, spec: WeightedKey) -> tuple[dict[str, Fraction], WeightedKeyDetails]:
        members = self.members[rule.per or MUNICIPALITY]
        key = dict.fromkeys(members, Fraction(0))
        components = []
        for i, component in enumerate(spec.components):
            by = self.values[component.by]
            weight = self.values[component.weight]
            total = sum((Fraction(by[m]) for m in members), Fraction(0))
            if total == 0:
                raise self.fail(
                    "evaluate.key_total_zero",
                    rule,
                    (*rule.path, "weighted_key", i, "by"),
                    [(component.by, None)],
                    fact=component.by,
                    component_article=component.article,
                )
            shares = {m: Fraction(by[m]) / total for m in members}
            for m in members:
                key[m] += weight * shares[m]
            own = {m: by[m] for m in members}
            components.append(Component(component.by, weight, component.article, own, total, shares))
        if sum(key.values(), Fraction(0)) != 1:
            raise self.fail(
                "evaluate.key_not_one",
                rule,
                (*rule.path, "weighted_key"),
                total=sum(key.values(), Fraction(0)),
            )
        return key, WeightedKeyDetails(tuple(components))

    def distribute(self, rule: Rule, spec: Distribute) -> tuple[dict[str, Fraction], DistributeDetails]:
        members = self.members[rule.per or MUNICIPALITY]
        amount = self.values[spec.amount]
        key = self.values[spec.key]
        shares = [key[m] for m in members]
        if sum(shares, Fraction(0)) != 1:
            raise self.fail(
                "evaluate.key_not_one",
                rule,
                (*rule.path, "distribute", "key"),
                [(spec.key, None)],
                total=sum(shares, Fraction(0)),
            )
        parts = money.largest_remainder(money.to_cents(amount), shares)
        value = {m: Fraction(part.cents, 100) for m, part in zip(members, parts, strict=True)}
        by_member = dict(zip(members, parts, strict=True))
        return value, DistributeDetails(amount, {m: key[m] for m in members}, by_member)

    def decision(self, rule: Rule, spec: Decision) -> tuple[Any, DecisionDetails]:
        per = rule.per
        members = self.members[per] if per else [None]
        outcomes: dict[str | None, str] = {}
        matched: dict[str | None, int] = {}
        tested: dict[str | None, tuple[trace.Evaluated, ...]] = {}
        for m in members:
            tested[m] = tuple(self.record_in(rule, case.when, per, m) for case in spec.cases)
            hits = [i for i, evaluated in enumerate(tested[m]) if evaluated.value]
            if len(hits) != 1:
                code = "evaluate.decision_none" if not hits else "evaluate.decision_overlap"
                # none: every condition, at the cases; several: the second that held, at its condition
                shown = [spec.cases[i] for i in hits] or list(spec.cases)
                raise self.fail(
                    code,
                    rule,
                    (*rule.path, "decision", hits[1], "when") if hits else (*rule.path, "decision"),
                    [read for case in shown for read in _reads(case.when.tree, m)],
                    member=m or "—",
                    outcomes=", ".join(spec.cases[i].outcome for i in hits),
                )
            outcomes[m] = spec.cases[hits[0]].outcome
            matched[m] = hits[0]
        value = outcomes if per else outcomes[None]
        return value, DecisionDetails(matched, tested)

    def date_interpretations(self, spec: Any, own: list[str]) -> None:
        """The date policy a deadline relies on: months (for a term in months) and working days."""
        policy = self.rules.date_policy
        if isinstance(spec, After) and policy.months and self.values[spec.term].months:
            own.append(policy.months)
        if policy.working_days:
            own.append(policy.working_days)

    def deadline(self, rule: Rule, spec: Any, own: list[str]) -> tuple[Any, DeadlineDetails]:
        year = self.facts.year
        policy = self.rules.date_policy
        self.date_interpretations(spec, own)
        months: str | None = None
        shifted: Shifted | None = None
        if isinstance(spec, OnDate):
            value: Any = self.values[spec.date].in_year(year + spec.year_offset)
        elif isinstance(spec, InMonth):
            value = dates.month_window(year + spec.year_offset, self.values[spec.month])
        else:
            assert isinstance(spec, After)
            try:
                month_policy = self.chosen.get(policy.months or "", dates.MONTH_REFUSE)
                value = dates.add_term(self.values[spec.date], self.values[spec.term], month_policy)
            except dates.DateProblem as problem:
                raise self.fail(
                    problem.code, rule, (*rule.path, "after", "date"), [(spec.date, None)], **problem.args_
                ) from None
            if policy.months and self.values[spec.term].months:
                months = policy.months
        if policy.working_days and self.chosen.get(policy.working_days) == dates.ATW_APPLY:
            end = value.end if isinstance(value, dates.Period) else value
            moved, reasons = dates.next_working_day(end)
            if reasons:
                shifted = Shifted(end, reasons)
                value = dates.Period(value.start, moved) if isinstance(value, dates.Period) else moved
        chosen = (self.rules.interpretations[months].chosen or "") if months else None
        return value, DeadlineDetails(months, chosen, shifted)

    # --- a sheet, rationing, pro rata, thresholds ------------------------------------------

    def sheet(self, rule: Rule, spec: Sheet) -> tuple[dict[str, Fraction], SheetDetails]:
        """Art. 4: computed cells (count × value) and fixed cells; under "schalen" the computed cells
        share what the fixed cells leave of 100 %, under "geen" they are divided by the Budget."""
        rows = self.members[rule.per or ""]
        columns = self.members[self.rules.facts[spec.counts].by or ""]
        counts, prices = self.values[spec.counts], self.values[spec.values]
        worth = {r: {c: prices[c] * counts[r][c] for c in columns} for r in rows}
        total_worth = sum((v for row in worth.values() for v in row.values()), Fraction(0))
        fixed: dict[str, dict[str, Fraction]] = {r: {} for r in rows}
        for cell in spec.fixed:
            value = self.values[cell.value]
            for r in rows:
                fixed[r][cell.column] = (value if r == cell.row else Fraction(0)) if cell.row else value[r]
        fixed_total = sum((v for row in fixed.values() for v in row.values()), Fraction(0))
        scaling = self.chosen[spec.scaling]
        budget: Fraction | None = None
        if scaling == "schalen":
            if total_worth == 0:
                raise self.fail(
                    "evaluate.sheet_empty",
                    rule,
                    (*rule.path, "sheet", "counts"),
                    [(spec.counts, None)],
                    counts=spec.counts,
                )
            cells = {r: {c: worth[r][c] / total_worth * (1 - fixed_total) for c in columns} for r in rows}
        else:
            budget = self.values[spec.budget]
            if budget == 0:
                raise self.fail(
                    "evaluate.division_by_zero",
                    rule,
                    self.sheet_field(rule, "budget"),
                    [(spec.budget, None)],
                    expression=f"indicatiewaarde / {spec.budget}",
                    divisor=spec.budget,
                )
            cells = {r: {c: worth[r][c] / budget for c in columns} for r in rows}
        key = {r: sum(cells[r].values(), Fraction(0)) + sum(fixed[r].values(), Fraction(0)) for r in rows}
        total = sum(key.values(), Fraction(0))
        if total != 1:
            reads = [
                (name, None)
                for name in (spec.budget, *(c.value for c in spec.fixed), spec.values, spec.counts)
            ]
            raise self.fail(
                "evaluate.sheet_not_100",
                rule,
                self.sheet_field(rule, "scaling"),
                reads,
                total=total,
                scaling=scaling,
            )
        row_counts = {r: counts[r] for r in rows}
        details = SheetDetails(
            rows,
            columns,
            row_counts,
            prices,
            worth,
            total_worth,
            fixed,
            fixed_total,
            scaling,
            budget,
            cells,
            total,
        )
        return key, details

    def sheet_field(self, rule: Rule, name: str) -> FieldPath:
        """Where a sheet's `budget` or `scaling` is written: in the sheet, or in the sheet it is `like`."""
        body = self.rules.document.data[rule.section][rule.name]["sheet"]
        owner = body.get("like", rule.name) if name not in body else rule.name
        return (rule.section, owner, "sheet", name)

    def ration(self, rule: Rule, spec: Ration) -> tuple[dict[str, Fraction], RationDetails]:
        """Claims are paid in full when they fit in what is available; else in proportion to them."""
        claims, available = self.values[spec.claims], self.values[spec.available]
        members = [m for m in self.members[rule.per or MUNICIPALITY] if m in claims]
        negative = [m for m in members if claims[m] < 0]
        if available < 0 or negative:
            field, read = (
                ("available", (spec.available, None))
                if available < 0
                else ("claims", (spec.claims, negative[0]))
            )
            raise self.fail(
                "evaluate.negative_claim",
                rule,
                (*rule.path, "ration", field),
                [read],
                claims=spec.claims,
                available=spec.available,
            )
        total = sum((claims[m] for m in members), Fraction(0))
        own = {m: claims[m] for m in members}
        if total <= available:
            return own, RationDetails(own, total, available, True)
        parts = money.largest_remainder(money.to_cents(available), [claims[m] / total for m in members])
        details = RationDetails(own, total, available, False, dict(zip(members, parts, strict=True)))
        return {m: Fraction(p.cents, 100) for m, p in zip(members, parts, strict=True)}, details

    def pro_rata(self, rule: Rule, spec: ProRata) -> tuple[Any, ProRataDetails]:
        """The new values apply from the date on: old + (new − old) × days left in the year / days."""
        old, new, day = self.values[spec.old], self.values[spec.new], self.values[spec.from_date]
        year = self.facts.year
        if day.year != year:
            raise self.fail(
                "evaluate.date_outside_year",
                rule,
                (*rule.path, "pro_rata", "from_date"),
                [(spec.from_date, None)],
                date=day,
                year=year,
                fact=spec.from_date,
            )
        applied = self.values[spec.when] if spec.when else True
        days = dates.days_in_year(year)
        remaining = (date(year, 12, 31) - day).days + 1
        fraction = Fraction(remaining, days) if applied else Fraction(0)
        details = ProRataDetails(applied, day, remaining, days, fraction, old, new)
        if not rule.per:
            return old + (new - old) * fraction, details
        return {m: old[m] + (new[m] - old[m]) * fraction for m in self.members[rule.per]}, details

    def threshold(self, rule: Rule, spec: Threshold) -> tuple[bool, ThresholdDetails]:
        """True when any member's measure in the new sheet differs from the old one by at least the
        threshold (a share of the old value; any change of a value that was nil counts)."""
        old, new = self.nodes[spec.old].details, self.nodes[spec.new].details
        assert isinstance(old, SheetDetails) and isinstance(new, SheetDetails)  # checked: two sheets
        hits = []
        for test in spec.tests:
            by_indicatiewaarde = test.measure == "indicatiewaarde"
            before_sheet = old.indicatiewaarde if by_indicatiewaarde else old.cells
            after_sheet = new.indicatiewaarde if by_indicatiewaarde else new.cells
            limit = self.values[test.at_least]
            for member in self.members[spec.among]:
                for column in [test.column] if test.column else old.columns:
                    before, after = before_sheet[member][column], after_sheet[member][column]
                    if before != after and abs(after - before) >= limit * abs(before):
                        hits.append(Hit(member, column, test.measure, before, after, limit))
        return bool(hits), ThresholdDetails(tuple(hits))

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
            return DutyResult(duty.name, period, "niet_getoetst", missing)
        met = self.evaluate_in(duty, duty.check)
        return DutyResult(duty.name, period, "voldaan" if met else "niet_voldaan", ())


def _reads(node: expr.Node, member: str | None) -> list[tuple[str, str | None]]:
    """The names a sub-expression reads and for which member: the member evaluated for, or every
    member inside sum, any and all."""
    found: list[tuple[str, str | None]] = []

    def visit(n: expr.Node, bound: str | None) -> None:
        if isinstance(n, expr.Name):
            found.append((n.name, bound if n.type and n.type.per else None))
        inner = None if isinstance(n, expr.Call) and n.function in expr.AGGREGATES else bound
        for child in n.children():
            visit(child, inner)

    visit(node, member)
    return found


def _distributed(
    what: str, amount: Fraction, shares: Mapping[str, Fraction], value: Mapping[str, Fraction]
) -> tuple[Rounding, ...]:
    """The roundings of a largest-remainder distribution: each member's exact share to its cents."""
    cents = Fraction(money.to_cents(amount), 100)
    return tuple(Rounding(m, what, cents * shares[m], value[m], money.LARGEST_REMAINDER) for m in value)
