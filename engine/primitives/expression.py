"""`expression`: a value computed by an expression (`engine.expr`), per member or once."""

from __future__ import annotations

from typing import Any

from convenant.language import expr, formula, trace
from convenant.language.model import Expression, Rule
from convenant.primitives.base import (
    BatchCompiler,
    CheckContext,
    EvalContext,
    ExplainScope,
    FieldPath,
    Node,
    Outcome,
    Step,
    Written,
    own,
)

Spec = Expression  # the spec is the checked expression itself (`engine.model.Expression`)


def check(ctx: CheckContext, written: Written) -> tuple[Expression | None, list[str]]:
    path, kind, per = written.path, written.kind, written.per
    checked = ctx.expression(written.body, path, interpretations=written.interpretations)
    if checked is None:
        return None, []
    result = checked.tree.type
    assert result is not None
    ctx.check_result(path, result, expr.unbound_per(checked.tree), kind, per)
    return checked, expr.names(checked.tree)


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    spec = rule.spec
    assert isinstance(spec, Expression)
    evaluated = _evaluated(ctx, rule, spec)
    value = evaluated[None].value if rule.per is None else {m: e.value for m, e in evaluated.items()}
    roundings = tuple(r for e in evaluated.values() for r in e.roundings)
    return Outcome(value, trace.ExpressionDetails(evaluated), roundings)


def _evaluated(ctx: EvalContext, rule: Rule, spec: Expression) -> dict[str | None, trace.Evaluated]:
    if rule.per is None:
        return {None: ctx.record_in(rule, spec, None, None)}
    values: dict[str | None, trace.Evaluated] = {}
    for m in ctx.rule_members(rule):
        try:
            values[m] = ctx.record_in(rule, spec, rule.per, m)
        except expr.Absent:  # reads a value that does not apply to this member
            continue
    return values


def expressions(spec: Expression) -> list[tuple[FieldPath, Expression]]:
    """The expression, with its place in the rule (for the proof of every branch)."""
    return [(("expression",), spec)]


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Expression) and isinstance(d, trace.ExpressionDetails)
    return {
        "arithmetic": formula.arithmetic(spec.text, spec.tree, d.evaluated[own(node, member)], scope.lang)
    }


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    assert isinstance(rule.spec, Expression)
    return compiler.expression(rule.spec.tree)
