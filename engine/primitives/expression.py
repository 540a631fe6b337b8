"""`expression`: a value computed by an expression (`engine.expr`), per member or once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    ProofContext,
    Step,
    Written,
    own,
)
from convenant.primitives.distribute import Distribute

if TYPE_CHECKING:
    from convenant.proof.results import Result

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


def needs(ctx: EvalContext, rule: Rule) -> tuple[str, ...]:
    """The names the expression reads outside the branches it will not take: an `if` whose condition
    reads no name (only `interpretation(…)` and constants) is decided before any fact is read, so
    the branch of the option not chosen need not be known."""
    spec = rule.spec
    assert isinstance(spec, Expression)
    decide = expr.Evaluator({}, {}, ctx.chosen)
    found: dict[str, None] = {}

    def visit(node: expr.Node) -> None:
        if isinstance(node, expr.Name):
            found.setdefault(node.name)
        if isinstance(node, expr.If) and node.condition is not None and not expr.names(node.condition):
            taken = node.then if decide.evaluate(node.condition) else node.otherwise
            assert taken is not None  # parsed: every if has both branches
            visit(taken)
            return
        for child in node.children():
            visit(child)

    visit(spec.tree)
    for warning in rule.warnings:  # a warning is checked on the value: what it reads is needed
        visit(warning.when.tree)
    return tuple(n for n in rule.inputs if n in found)


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


def balanced(rule: Rule, context: ProofContext) -> list[Result]:
    """`a - b` of two distributions of the same amount adds up to nil over the members (Groningen
    art. 5 lid 3: the adjustments, for every cause, or none): Σ (a_i − b_i) = A − A = 0, given that
    each distribution was proven to keep its amount to the cent. Any other expression: nothing."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, REFUTED, UNDECIDED, result

    spec, rules = rule.spec, context.rules.rules
    assert isinstance(spec, Expression)
    tree = spec.tree
    if not (rule.per and isinstance(tree, expr.Binary) and tree.op == "-"):
        return []
    if not (isinstance(tree.left, expr.Name) and isinstance(tree.right, expr.Name)):
        return []
    parts = [rules.get(tree.left.name), rules.get(tree.right.name)]
    specs = [p.spec for p in parts if p is not None and isinstance(p.spec, Distribute)]
    amounts = {s.amount for s in specs}
    if len(specs) != 2 or len(amounts) != 1:  # not two distributions of one amount
        return []
    names = [tree.left.name, tree.right.name]
    kept = all(context.proven(n, o) for n in names for o in ("exact_shares", "largest_remainder"))
    status = (PROVEN if algebra.difference_of_distributions() else REFUTED) if kept else UNDECIDED
    problems = () if kept else (context.problem("verify.undecided", rule, ("expression",), what="balanced"),)
    return [
        result(rule, "balanced", status, *problems, after=names[0], before=names[1], amount=amounts.pop())
    ]


OBLIGATIONS = (balanced,)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    assert isinstance(rule.spec, Expression)
    return compiler.expression(rule.spec.tree)
