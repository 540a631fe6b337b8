"""`convenant verify`: prove with sympy, for all admissible inputs, what a rule file relies on.

Only this package imports sympy (the command line imports it inside `verify`), so `evaluate`
stays fast and never loads it.

Each primitive has its proof obligations, registered in one place, `OBLIGATIONS` below; a new
primitive (the Groningen rows × columns key, rationing, pro rata) gets its own entry there. An
obligation is a function (rule, context) → results; a key's obligation is named "key_total" so
that distributions over that key can rely on it. A primitive without an entry is reported as
having no proof obligation, never silently passed. Obligations for every rule (if-branches and
warnings) and for duties (if-branches in their check) come on top.
"""

from __future__ import annotations

from collections.abc import Callable

from convenant.model import (
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
    Sheet,
    Threshold,
    WeightedKey,
)
from convenant.proof import decisions, keys, sheets
from convenant.proof.results import Context, Result

Obligation = Callable[[Rule, Context], list[Result]]

OBLIGATIONS: dict[type, tuple[Obligation, ...]] = {
    WeightedKey: (keys.weighted_key,),
    Distribute: (keys.distribution,),
    Decision: (decisions.cases_cover, decisions.cases_disjoint, decisions.cases_reachable),
    Sheet: (sheets.sheet_total,),
    ProRata: (sheets.pro_rata_total,),
    Ration: (sheets.ration_bounds,),
    Threshold: (),  # a yes/no over two sheets: nothing beyond its branches to prove
    Expression: (),
    OnDate: (),  # a fixed day: nothing to prove
    InMonth: (),
    After: (),
}
EVERY_RULE: tuple[Obligation, ...] = (decisions.branches, decisions.warnings_reachable)


def verify(context: Context) -> list[Result]:
    """Every obligation of every rule (in dependency order) and duty of the rule file."""
    rules = context.rules
    for name in rules.order:
        rule = rules.rules[name]
        for obligation in OBLIGATIONS.get(type(rule.spec), (keys.no_obligation,)) + EVERY_RULE:
            context.results += obligation(rule, context)
    for duty in rules.duties.values():
        if duty.check is not None:
            context.results += decisions.branches(_as_rule(duty), context)
    return context.results


def _as_rule(duty: Duty) -> Rule:
    """A duty's check seen as a yes/no rule, so the branch obligation applies to it unchanged."""
    from convenant.units import Kind

    assert duty.check is not None
    return Rule(
        duty.name, "duties", duty.label, duty.article, Kind.BOOLEAN, None, duty.inputs, (), duty.check
    )
