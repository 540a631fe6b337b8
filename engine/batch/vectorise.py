"""Compile a checked rule file once into steps that evaluate many scenarios at a time, exactly.

`compile_rules` turns each rule of the model (`engine.model`) into a step over arrays of
`engine.vectors` values: `Rat` (exact rationals), numpy bool arrays, `Terms` (keys) and arrays
of outcome names. Expressions are compiled from their checked tree (`engine.expr`) into
closures. A rule the compiler cannot vectorise (a deadline, a fact of a kind with no array
form, a rule over a set other than the municipalities or for some roles only, or a rule that
needs one) is left to the exact interpreter, which then runs per scenario.

At run time a step may meet what the interpreter would refuse for some scenarios (a division
by zero, a key whose total is zero, a decision where no case or several cases hold). It marks
those scenarios (`Context.flag`); the caller evaluates them with the interpreter, which gives
the same result or the same message as `convenant evaluate`.

A primitive is vectorised by its module (`engine/primitives/<name>.py`, its `vectorise`, registered
in `engine.primitives.REGISTRY`) through `Compiler`, which compiles the expressions it holds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from convenant import primitives
from convenant.batch.scenarios import years_covered
from convenant.core import vectors
from convenant.core.units import Kind
from convenant.core.vectors import Rat, Terms
from convenant.evaluation.evaluate import waiting_for
from convenant.language import expr
from convenant.language.model import BUILTINS, MUNICIPALITY, Rule, RuleFile
from convenant.language.parties import in_year
from convenant.primitives.base import NotVectorised

NUMERIC_FACTS = (Kind.MONEY, Kind.COUNT, Kind.PERCENTAGE, Kind.RATIO)
ARRAY_FACTS = (*NUMERIC_FACTS, Kind.BOOLEAN)
CONSTANT_KINDS = (*ARRAY_FACTS, Kind.TEXT)


@dataclass
class Context:
    """One chunk of scenarios: every name's array value and the scenarios the interpreter needs.

    `unknown[name]` marks the scenarios where a name is not (yet) known, as the interpreter has it:
    an optional fact left empty, or a rule one of whose needed inputs is unknown; there the value
    is a placeholder that is never shown. `needs[rule]` holds, for a primitive that needs only some
    inputs under a condition (`Step.needs`), each (condition, names); `applies[rule]` the members a
    rule for some roles applies to (the others hold 0 and are empty cells). `extra` holds what a
    primitive leaves for another one (a sheet's cells, for a threshold over two sheets)."""

    rows: int
    members: dict[str, list[str]]  # each set's members in order (municipalities: preamble order)
    values: dict[str, Any]
    chosen: dict[str, str]  # switchable interpretation → chosen option
    flagged: np.ndarray = field(init=False)
    warnings: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    unknown: dict[str, np.ndarray] = field(default_factory=dict)
    needs: dict[str, list[tuple[np.ndarray, tuple[str, ...]]]] = field(default_factory=dict)
    applies: dict[str, np.ndarray] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # municipality → its role this year
    years: np.ndarray | None = None  # each scenario's year, (n, 1)
    extra: dict[str, Any] = field(default_factory=dict)
    skip: np.ndarray | None = None  # while a rule runs: where it is unknown (no flag counts there)

    def __post_init__(self) -> None:
        self.flagged = np.zeros(self.rows, dtype=bool)

    def flag(self, mask: Any) -> None:
        """Leave the scenarios where `mask` ((n,), or (n, width): anywhere in the row) holds to the
        interpreter; not
        where the rule being computed is unknown anyway (its value is a placeholder there)."""
        mask = np.asarray(mask)
        if mask.ndim == 1 and mask.shape[0] == self.rows:  # one per scenario
            found = mask.astype(bool)
        elif mask.ndim:
            found = np.broadcast_to(mask, (self.rows, mask.shape[-1])).any(axis=-1)
        else:
            found = np.full(self.rows, bool(mask))
        if self.skip is not None:
            found = found & ~self.skip
        self.flagged |= found

    def known(self, name: str) -> np.ndarray:
        """Per scenario (n,): is `name` known?"""
        unknown = self.unknown.get(name)
        return np.ones(self.rows, dtype=bool) if unknown is None else ~unknown

    def width(self, per: str | None) -> int:
        return 1 if per is None else len(self.members[per])


Step = Callable[[Context], Any]


@dataclass(frozen=True)
class Plan:
    """A rule file compiled once: steps in dependency order and the rules left to the interpreter."""

    rules: RuleFile
    steps: tuple[tuple[Rule, Step, tuple[Step, ...]], ...]  # rule, its step, its warnings' steps
    unsupported: dict[str, str]  # rule name → why it is left to the interpreter

    @property
    def complete(self) -> bool:
        return not self.unsupported


@dataclass(frozen=True)
class Compiler:
    """What a primitive's batch compilation reads (`engine.primitives.base.BatchCompiler`)."""

    rules: RuleFile
    known: set[str]  # the names with an array form so far
    per: str | None = None  # the set of the rule being compiled
    members: dict[str, list[str]] | None = None  # each set's members (the columns of the results)

    def expression(self, node: expr.Node) -> Step:
        return _expression(node, self.rules, self.known, self.per, self.members)

    def constant(self, name: str) -> Any:
        """A parameter's value as an array: (1, 1), or (1, members) for a parameter per set."""
        return _constant(self.rules, name, self.members)


def compile_rules(
    rules: RuleFile, wanted: Iterable[str], members: dict[str, list[str]] | None = None
) -> Plan:
    """Compile the rules that `wanted` needs, in dependency order. `members`: each set's members,
    as the results have them (needed for a parameter per set)."""
    needed = _needed(rules, wanted)
    known = {n for n, d in rules.facts.items() if d.kind in ARRAY_FACTS} | set(BUILTINS)
    steps, unsupported = [], {}
    for name in rules.order:
        if name not in needed:
            continue
        rule = rules.rules[name]
        try:
            _check_sets(rule, rules)
            primitive = primitives.find_spec(rule.spec)
            if primitive is None or primitive.vectorise is None:
                raise NotVectorised(type(rule.spec).__name__)
            step = primitive.vectorise(Compiler(rules, known, rule.per, members), rule)
            warnings = tuple(
                _expression(w.when.tree, rules, known | {name}, rule.per, members) for w in rule.warnings
            )
        except NotVectorised as reason:
            unsupported[name] = str(reason)
            continue
        known.add(name)
        steps.append((rule, step, warnings))
    return Plan(rules, tuple(steps), unsupported)


def _check_sets(rule: Rule, rules: RuleFile) -> None:
    """Arrays are one value per scenario, or per member of a set (municipalities, a sheet's rows
    or columns), or per row and column (`fact.row.column`, flattened row by row). A rule for some
    roles is a mask over the municipalities. Cases have no array form."""
    if rule.roles and rule.per != MUNICIPALITY:
        raise NotVectorised(f"{rule.name}: only for {', '.join(rule.roles)}, per {rule.per}")
    for name in (rule.name, *rule.inputs):
        entry = rules.rules.get(name) or rules.facts.get(name) or rules.parameters.get(name)
        per = entry.per if entry is not None else None
        if per is not None and per != MUNICIPALITY and per not in rules.sets:
            raise NotVectorised(f"{name}: per {per}")


def _needed(rules: RuleFile, wanted: Iterable[str]) -> set[str]:
    needed: set[str] = set()
    stack = list(wanted)
    while stack:
        name = stack.pop()
        if name in rules.rules and name not in needed:
            needed.add(name)
            stack.extend(rules.rules[name].inputs)
    return needed


def run(plan: Plan, context: Context) -> Context:
    """Evaluate every compiled rule for a chunk of scenarios; values land in `context.values`.

    Before a rule runs, where it is unknown is worked out as the interpreter does (`_unknown`);
    there no flag counts and no warning is given. A rule for some roles holds 0 for the other
    members (so that a sum over it is the interpreter's sum over the members it has)."""
    for rule, step, warnings in plan.steps:
        name = rule.name
        unknown = _unknown(rule, step, context)
        if unknown is not None:
            context.unknown[name] = unknown
        context.skip = unknown
        if unknown is not None and unknown.all():  # unknown in every scenario: nothing to compute
            value = _placeholder(rule, context)
        else:
            value = _shaped(step(context), context, rule.per)
        applies = None
        if rule.roles:
            members = context.members[MUNICIPALITY]
            applies = np.array([context.roles.get(m) in rule.roles for m in members], dtype=bool)
            context.applies[name] = applies
            value = _masked(value, applies)
        context.values[name] = value
        for i, condition in enumerate(warnings):
            context.warnings[(name, i)] = _shaped(condition(context), context, rule.per)
        context.skip = None
        for key in [k for k in context.warnings if k[0] == name]:
            holds = context.warnings[key]
            if unknown is not None:
                holds = holds & ~unknown.reshape(-1, 1)
            if applies is not None:
                holds = holds & applies
            context.warnings[key] = holds
    return context


def _unknown(rule: Rule, step: Step, ctx: Context) -> np.ndarray | None:
    """Per scenario: is the rule unknown, as `engine.evaluate` decides it? A needed input is
    unknown; a primitive may need only some inputs under a condition (its step's `needs`)."""

    def any_unknown(names: Iterable[str]) -> np.ndarray | None:
        found = [ctx.unknown[n] for n in names if n in ctx.unknown]
        return np.logical_or.reduce(found) if found else None

    result = any_unknown(rule.inputs)
    needs = getattr(step, "needs", None)
    if needs is None or result is None:
        return result
    alternatives = needs(ctx)
    ctx.needs[rule.name] = alternatives
    for condition, names in reversed(alternatives):
        narrower = any_unknown(names)
        result = np.where(condition, narrower if narrower is not None else False, result)
    return result if result.any() else None


def needed(ctx: Context, rule: Rule, i: int) -> tuple[str, ...]:
    """The inputs rule needs in scenario i (`Primitive.needs`, as `_unknown` decided)."""
    for condition, names in ctx.needs.get(rule.name, ()):
        if condition[i]:
            return names
    return rule.inputs


def waiting_texts(plan: Plan, ctx: Context, names: list[str], rows: np.ndarray) -> list[list[list[str]]]:
    """For each scenario of `rows`: for each rule of `names`, the facts it waits for ([] when it
    is known), as `Evaluation.waiting_for` traces them. Scenarios alike in what is unknown (and in
    which inputs were needed) share one answer, worked out once."""
    order = [n for n in ctx.unknown]
    bits = [ctx.unknown[n][rows] for n in order]
    bits += [c[rows] for alternatives in ctx.needs.values() for c, _ in alternatives]
    if not bits:
        return [[[] for _ in names] for _ in rows.tolist()]
    signature = np.packbits(np.stack(bits, axis=1), axis=1)  # a row's bits as bytes: one key per row
    keys = np.ascontiguousarray(signature).view(f"V{signature.shape[1]}").ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    rules = plan.rules.rules
    answers = [[_waiting(ctx, rules, name, int(rows[i])) for name in names] for i in first.tolist()]
    return [answers[p] for p in inverse.reshape(-1).tolist()]


def _waiting(ctx: Context, rules: dict[str, Rule], name: str, i: int) -> list[str]:
    unknown = ctx.unknown
    if name not in unknown or not unknown[name][i]:
        return []

    def traced(current: str) -> list[str] | None:
        missing = current in unknown and bool(unknown[current][i])
        if current in rules:
            return (
                [n for n in needed(ctx, rules[current], i) if n in unknown and unknown[n][i]]
                if missing
                else []
            )
        return None if missing else []

    return waiting_for(name, traced)


def _placeholder(rule: Rule, ctx: Context) -> Any:
    """The value of a rule unknown in every scenario of the chunk: never shown, never read."""
    shape = (ctx.rows, ctx.width(rule.per))
    if rule.kind is Kind.BOOLEAN:
        return np.zeros(shape, dtype=bool)
    return Rat.of(np.zeros(shape, dtype=np.int64))


def _masked(value: Any, applies: np.ndarray) -> Any:
    if isinstance(value, Terms):
        value = value.as_rat()
    if isinstance(value, Rat):  # 0 over the same denominator
        return Rat(np.where(applies, value.num, 0), value.den, value.nb, value.db)
    return np.where(applies, value, np.zeros_like(value))


def _shaped(value: Any, context: Context, per: str | None) -> Any:
    width = context.width(per)
    if isinstance(value, Rat):
        return vectors.broadcast(value, context.rows, width)
    if isinstance(value, Terms):
        return value
    return np.broadcast_to(np.asarray(value), (context.rows, width))


# --- expressions -----------------------------------------------------------------------------


def _constant(rules: RuleFile, name: str, members: dict[str, list[str]] | None = None) -> Any:
    parameter = rules.parameters[name]
    if parameter.kind not in CONSTANT_KINDS:
        raise NotVectorised(f"{name}: {parameter.kind}")
    if parameter.per is not None:
        if members is None or parameter.kind not in NUMERIC_FACTS:
            raise NotVectorised(f"{name}: per {parameter.per}")
        values = per_member(rules, parameter.value, members[parameter.per])
        fractions = [Fraction(v) for v in values]
        den = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
        num = vectors.integers([f.numerator * (den // f.denominator) for f in fractions]).reshape(1, -1)
        return Rat.of(num, den)
    if parameter.kind is Kind.BOOLEAN:
        return np.bool_(parameter.value)
    if parameter.kind is Kind.TEXT:
        return parameter.value
    return Rat.constant(Fraction(parameter.value))


def per_member(rules: RuleFile, by_party: dict[str, Any], members: list[str]) -> list[Any]:
    """A parameter's value for each member, as the interpreter has it (`_Run.per_member`): a merged
    municipality adds up its parties' values. The merged municipalities are those of the first
    year the rule file computes (the batch computes only years with the same members)."""
    parties = in_year(rules, years_covered(rules)[0])
    values = []
    for m in members:
        party = parties.member(m)
        if party is not None and party.predecessors:
            values.append(sum((by_party[p.code] for p in party.predecessors), Fraction(0)))
        else:
            values.append(by_party[m])
    return values


def _expression(
    node: expr.Node,
    rules: RuleFile,
    known: set[str],
    per: str | None = None,
    members: dict[str, list[str]] | None = None,
    in_sum: bool = False,
) -> Step:
    """A closure that evaluates the checked tree `node` over a chunk, as `expr.Evaluator` would."""
    if isinstance(node, expr.Number):
        value = Rat.constant(node.value)
        return lambda ctx: value
    if isinstance(node, expr.String | expr.Boolean):
        constant = node.value if isinstance(node, expr.String) else np.bool_(node.value)
        return lambda ctx: constant
    if isinstance(node, expr.Name):
        return _name(node.name, rules, known, per, members, in_sum)
    if isinstance(node, expr.Unary):
        assert node.operand is not None
        operand = _expression(node.operand, rules, known, per, members)
        if node.op == "not":
            return lambda ctx: np.logical_not(operand(ctx))
        return lambda ctx: operand(ctx).neg()
    if isinstance(node, expr.If):
        return _if(node, rules, known, per, members)
    if isinstance(node, expr.Call):
        return _call(node, rules, known, per, members)
    assert isinstance(node, expr.Binary) and node.left and node.right
    return _binary(
        node.op,
        _expression(node.left, rules, known, per, members),
        _expression(node.right, rules, known, per, members),
    )


def _name(
    name: str,
    rules: RuleFile,
    known: set[str],
    per: str | None,
    members: dict[str, list[str]] | None,
    in_sum: bool,
) -> Step:
    """A name's value. In a rule per municipality, a name per a set that includes them (a sheet's
    rows: the municipalities, then extra rows) is read for the municipalities: its first columns.
    A rule for some roles is read only in a sum (where its other members count as 0)."""
    if name in rules.parameters:
        constant = _constant(rules, name, members)
        return lambda ctx: constant
    if name not in known:
        raise NotVectorised(f"{name} has no array form")
    entry = rules.rules.get(name) or rules.facts.get(name)
    own = entry.per if entry is not None else None
    if name in rules.rules and rules.rules[name].roles and not in_sum:
        raise NotVectorised(f"{name}: only for {', '.join(rules.rules[name].roles)}, read outside sum(…)")
    if name in rules.facts and rules.facts[name].by is not None:
        raise NotVectorised(f"{name}: per row and column, in an expression")
    narrower = own is not None and per == MUNICIPALITY and own != MUNICIPALITY
    if narrower and not (own in rules.sets and rules.sets[own].parties):
        raise NotVectorised(f"{name}: per {own}, read per {per}")
    if own is not None and per is not None and own != per and not narrower:
        raise NotVectorised(f"{name}: per {own}, read per {per}")

    def value(ctx: Context) -> Any:
        found = ctx.values[name]
        found = found.as_rat() if isinstance(found, Terms) else found  # a weighted key in arithmetic
        if narrower:
            width = len(ctx.members[MUNICIPALITY])
            if isinstance(found, Rat):
                den = (
                    found.den[:, :width]
                    if isinstance(found.den, np.ndarray) and found.member_den()
                    else found.den
                )
                return Rat(found.num[:, :width], den, found.nb, found.db)
            return found[:, :width]
        return found

    return value


def _binary(op: str, left: Step, right: Step) -> Step:
    if op in expr.LOGICAL:
        combine = np.logical_and if op == "and" else np.logical_or
        return lambda ctx: combine(left(ctx), right(ctx))
    if op in expr.COMPARISON:
        return lambda ctx: _compare(op, left(ctx), right(ctx))
    if op == "/":

        def divide(ctx: Context) -> Rat:
            value, zero = vectors.div(left(ctx), right(ctx))
            ctx.flag(zero)
            return value

        return divide
    arithmetic = {"+": vectors.add, "-": vectors.sub, "*": vectors.mul}[op]
    return lambda ctx: arithmetic(left(ctx), right(ctx))


def _compare(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, Rat):
        return vectors.compare(op, a, b)
    if op == "=":
        return np.equal(a, b)
    return np.not_equal(a, b)


def _if(
    node: expr.If, rules: RuleFile, known: set[str], per: str | None, members: dict[str, list[str]] | None
) -> Step:
    assert node.condition and node.then and node.otherwise
    condition = _expression(node.condition, rules, known, per, members)
    then = _expression(node.then, rules, known, per, members)
    otherwise = _expression(node.otherwise, rules, known, per, members)

    def choose(ctx: Context) -> Any:
        holds = condition(ctx)
        if np.ndim(holds) == 0:  # decided by constants (an interpretation): one branch only
            return then(ctx) if holds else otherwise(ctx)
        a, b = then(ctx), otherwise(ctx)
        if isinstance(a, Rat):
            return vectors.where(holds, a, b)
        return np.where(holds, a, b)

    return choose


def _call(
    node: expr.Call, rules: RuleFile, known: set[str], per: str | None, members: dict[str, list[str]] | None
) -> Step:
    fn = node.function
    if fn == "interpretation":
        ident = node.args[0].value  # type: ignore[attr-defined]
        return lambda ctx: ctx.chosen[ident]
    if fn == "year":  # dates have no array form
        raise NotVectorised("year(…)")
    if fn == "sum":  # over the members of the argument's own set
        arg = node.args[0]
        inner = None if isinstance(arg, expr.Name) else per
        args = [_expression(arg, rules, known, inner, members, in_sum=isinstance(arg, expr.Name))]
    else:
        args = [_expression(arg, rules, known, per, members) for arg in node.args]
    if fn == "sum":
        return lambda ctx: vectors.total(args[0](ctx))
    if fn == "abs":
        return lambda ctx: args[0](ctx).abs()
    if fn == "round":
        return lambda ctx: vectors.round_half_up(args[0](ctx))
    pick = vectors.smallest if fn == "min" else vectors.largest

    def extreme(ctx: Context) -> Rat:
        values = [arg(ctx) for arg in args]
        result = values[0]
        for value in values[1:]:
            result = pick(result, value)
        return result

    return extreme
