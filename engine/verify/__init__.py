"""`convenant verify`: prove with sympy, for all admissible inputs, what a rule file relies on.

This driver runs every obligation of every rule; the mathematics is the toolkit `engine/proof/`.
Only these two packages import sympy (the command line imports it inside `verify`), so
`evaluate` stays fast and never loads it.

Each primitive declares its proof obligations in its module (`engine/primitives/<name>.py`,
registered in `engine.primitives.REGISTRY`); the mathematics they rest on is proven here
(`engine.proof.algebra`, and the logic of conditions in `engine.proof.decisions`). An obligation
is a function (rule, context) → results; a key's obligation is its registered `key_obligation`
so that distributions over that key can rely on it. A spec of no registered primitive is reported
as having no proof obligation, never silently passed. Obligations for every rule (if-branches and
warnings) and for duties (if-branches in their check) come on top.
"""

from __future__ import annotations

from collections.abc import Callable

from convenant import primitives
from convenant.language.model import Duty, Expression, Rule
from convenant.proof import decisions
from convenant.proof.results import NO_OBLIGATION, Context, Result, result

Obligation = Callable[[Rule, Context], list[Result]]


def _expressions(rule: Rule) -> list[tuple[tuple[str | int, ...], Expression]]:
    """Every expression of a rule with its place in the file: the computation (as its primitive
    names them), each decision condition and each warning condition."""
    primitive = primitives.find_spec(rule.spec)
    found: list[tuple[tuple[str | int, ...], Expression]] = []
    if primitive is not None and primitive.expressions is not None:
        found += primitive.expressions(rule.spec)
    found += [(("warnings", i, "when"), w.when) for i, w in enumerate(rule.warnings)]
    return found


def branches(rule: Rule, context: Context) -> list[Result]:
    """Every `if … then … else …` branch of every expression of the rule can be taken."""
    return decisions.branches(rule, context, _expressions(rule))


EVERY_RULE: tuple[Obligation, ...] = (branches, decisions.warnings_reachable)


def no_obligation(rule: Rule, context: Context) -> list[Result]:
    """A primitive without a registered obligation: said, never silently passed."""
    return [result(rule, "none", NO_OBLIGATION, primitive=type(rule.spec).__name__)]


def obligations(rule: Rule) -> tuple[Obligation, ...]:
    """What `verify` proves of a rule: its primitive's obligations, then those of every rule."""
    primitive = primitives.find_spec(rule.spec)
    own: tuple[Obligation, ...] = primitive.obligations if primitive is not None else (no_obligation,)
    return own + EVERY_RULE


def verify(context: Context) -> list[Result]:
    """Every obligation of every rule (in dependency order) and duty of the rule file."""
    rules = context.rules
    context.key_obligations = primitives.key_obligations()
    for name in rules.order:
        rule = rules.rules[name]
        for obligation in obligations(rule):
            context.results += obligation(rule, context)
    for duty in rules.duties.values():
        if duty.check is not None:
            context.results += branches(_as_rule(duty), context)
    return context.results


def _as_rule(duty: Duty) -> Rule:
    """A duty's check seen as a yes/no rule, so the branch obligation applies to it unchanged."""
    from convenant.core.units import Kind

    assert duty.check is not None
    return Rule(
        duty.name, "duties", duty.label, duty.article, Kind.BOOLEAN, None, duty.inputs, (), duty.check
    )
