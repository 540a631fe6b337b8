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

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from convenant import primitives
from convenant.core import vectors
from convenant.core.units import Kind
from convenant.core.vectors import Rat, Terms
from convenant.language import expr
from convenant.language.model import BUILTINS, MUNICIPALITY, Rule, RuleFile
from convenant.primitives.base import NotVectorised

NUMERIC_FACTS = (Kind.MONEY, Kind.COUNT, Kind.PERCENTAGE, Kind.RATIO)
ARRAY_FACTS = (*NUMERIC_FACTS, Kind.BOOLEAN)
CONSTANT_KINDS = (*ARRAY_FACTS, Kind.TEXT)


@dataclass
class Context:
    """One chunk of scenarios: every name's array value and the scenarios the interpreter needs."""

    rows: int
    members: dict[str, list[str]]  # each set's members in order (municipalities: preamble order)
    values: dict[str, Any]
    chosen: dict[str, str]  # switchable interpretation → chosen option
    flagged: np.ndarray = field(init=False)
    warnings: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.flagged = np.zeros(self.rows, dtype=bool)

    def flag(self, mask: Any) -> None:
        """Leave the scenarios where `mask` holds (anywhere in the row) to the interpreter."""
        mask = np.asarray(mask)
        if mask.ndim:
            self.flagged |= np.broadcast_to(mask, (self.rows, mask.shape[-1])).any(axis=-1)
        elif mask:
            self.flagged[:] = True

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

    def expression(self, node: expr.Node) -> Step:
        return _expression(node, self.rules, self.known)


def compile_rules(rules: RuleFile, wanted: Iterable[str]) -> Plan:
    """Compile the rules that `wanted` needs, in dependency order."""
    needed = _needed(rules, wanted)
    known = {n for n, d in rules.facts.items() if d.kind in ARRAY_FACTS and d.by is None} | set(BUILTINS)
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
            step = primitive.vectorise(Compiler(rules, known), rule)
            warnings = tuple(_expression(w.when.tree, rules, known | {name}) for w in rule.warnings)
        except NotVectorised as reason:
            unsupported[name] = str(reason)
            continue
        known.add(name)
        steps.append((rule, step, warnings))
    return Plan(rules, tuple(steps), unsupported)


def _check_sets(rule: Rule, rules: RuleFile) -> None:
    """Arrays are one value per scenario or per municipality: a rule for some roles only, or over
    or reading another set (a sheet's rows, a parameter per member), is left to the interpreter."""
    if rule.roles:
        raise NotVectorised(f"{rule.name}: only for {', '.join(rule.roles)}")
    for name in (rule.name, *rule.inputs):
        entry = rules.rules.get(name) or rules.facts.get(name) or rules.parameters.get(name)
        per = entry.per if entry is not None else None
        if per not in (None, MUNICIPALITY) or (name in rules.parameters and per is not None):
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
    """Evaluate every compiled rule for a chunk of scenarios; values land in `context.values`."""
    for rule, step, warnings in plan.steps:
        value = step(context)
        context.values[rule.name] = _shaped(value, context, rule.per)
        for i, condition in enumerate(warnings):
            context.warnings[(rule.name, i)] = _shaped(condition(context), context, rule.per)
    return context


def _shaped(value: Any, context: Context, per: str | None) -> Any:
    width = context.width(per)
    if isinstance(value, Rat):
        return vectors.broadcast(value, context.rows, width)
    if isinstance(value, Terms):
        return value
    return np.broadcast_to(np.asarray(value), (context.rows, width))


# --- expressions -----------------------------------------------------------------------------


def _constant(rules: RuleFile, name: str) -> Any:
    parameter = rules.parameters[name]
    if parameter.kind not in CONSTANT_KINDS:
        raise NotVectorised(f"{name}: {parameter.kind}")
    if parameter.kind is Kind.BOOLEAN:
        return np.bool_(parameter.value)
    if parameter.kind is Kind.TEXT:
        return parameter.value
    return Rat.constant(Fraction(parameter.value))


def _expression(node: expr.Node, rules: RuleFile, known: set[str]) -> Step:
    """A closure that evaluates the checked tree `node` over a chunk, as `expr.Evaluator` would."""
    if isinstance(node, expr.Number):
        value = Rat.constant(node.value)
        return lambda ctx: value
    if isinstance(node, expr.String | expr.Boolean):
        constant = node.value if isinstance(node, expr.String) else np.bool_(node.value)
        return lambda ctx: constant
    if isinstance(node, expr.Name):
        return _name(node.name, rules, known)
    if isinstance(node, expr.Unary):
        assert node.operand is not None
        operand = _expression(node.operand, rules, known)
        if node.op == "not":
            return lambda ctx: np.logical_not(operand(ctx))
        return lambda ctx: operand(ctx).neg()
    if isinstance(node, expr.If):
        return _if(node, rules, known)
    if isinstance(node, expr.Call):
        return _call(node, rules, known)
    assert isinstance(node, expr.Binary) and node.left and node.right
    return _binary(node.op, _expression(node.left, rules, known), _expression(node.right, rules, known))


def _name(name: str, rules: RuleFile, known: set[str]) -> Step:
    if name in rules.parameters:
        constant = _constant(rules, name)
        return lambda ctx: constant
    if name not in known:
        raise NotVectorised(f"{name} has no array form")

    def value(ctx: Context) -> Any:
        found = ctx.values[name]
        return found.as_rat() if isinstance(found, Terms) else found  # a weighted key in arithmetic

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


def _if(node: expr.If, rules: RuleFile, known: set[str]) -> Step:
    assert node.condition and node.then and node.otherwise
    condition = _expression(node.condition, rules, known)
    then = _expression(node.then, rules, known)
    otherwise = _expression(node.otherwise, rules, known)

    def choose(ctx: Context) -> Any:
        holds = condition(ctx)
        if np.ndim(holds) == 0:  # decided by constants (an interpretation): one branch only
            return then(ctx) if holds else otherwise(ctx)
        a, b = then(ctx), otherwise(ctx)
        if isinstance(a, Rat):
            return vectors.where(holds, a, b)
        return np.where(holds, a, b)

    return choose


def _call(node: expr.Call, rules: RuleFile, known: set[str]) -> Step:
    fn = node.function
    if fn == "interpretation":
        ident = node.args[0].value  # type: ignore[attr-defined]
        return lambda ctx: ctx.chosen[ident]
    args = [_expression(arg, rules, known) for arg in node.args]
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
