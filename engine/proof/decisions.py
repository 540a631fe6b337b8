"""Proof obligations of conditions: a decision's cases cover every situation, never overlap and can
each occur; every branch of an `if … then … else …` can be taken; every warning can occur.

Each counterexample is a concrete assignment of the facts (and rule results) involved. Unless it
rests on an opaque term, it is replayed with the engine's own evaluator (`expr.Evaluator`) before
it is reported, so a reported counterexample is one the engine itself would meet.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from sympy import And, Not, Or, true
from sympy.logic.boolalg import Boolean

from convenant.core import money
from convenant.core.units import Kind, display, percent_text
from convenant.language import expr
from convenant.language.model import Expression, Rule
from convenant.proof.logic import UNKNOWN, Solver, Translator, Witness
from convenant.proof.results import PROVEN, REFUTED, UNDECIDED, Result, result
from convenant.words import Said, say

if TYPE_CHECKING:  # the primitives use this module; it only reads their types
    from convenant.primitives.base import ProofContext
    from convenant.primitives.decision import Decision


def _translator(rule: Rule, context: ProofContext) -> Translator:
    return context.cache.setdefault(f"translator:{rule.name}", Translator(context.rules))


def _conditions(rule: Rule, context: ProofContext) -> list[Boolean]:
    spec = cast("Decision", rule.spec)  # the decision primitive's own rules only
    t = _translator(rule, context)
    return [t.formula(case.when.tree, case.when.text) for case in spec.cases]


def _undecided(rule: Rule, context: ProofContext, obligation: str, path: tuple[str | int, ...]) -> Result:
    problem = context.problem("verify.undecided", rule, path, what=obligation)
    return result(rule, obligation, UNDECIDED, problem)


def cases_cover(rule: Rule, context: ProofContext) -> list[Result]:
    t = _translator(rule, context)
    found = Solver(t).find(Not(Or(*_conditions(rule, context))))
    if found is None:
        return [result(rule, "cover", PROVEN, names=_names(t))]
    if found == UNKNOWN:
        return [_undecided(rule, context, "cover", ("decision",))]
    assert isinstance(found, Witness)
    spec = cast("Decision", rule.spec)
    if not _replays(context, t, found, [(c.when.tree, False) for c in spec.cases]):
        return [_undecided(rule, context, "cover", ("decision",))]
    example = Example(context, t, found)
    problem = context.problem("verify.decision_gap", rule, ("decision",), None, **example.args())
    return [result(rule, "cover", REFUTED, problem, names=_names(t))]


def cases_disjoint(rule: Rule, context: ProofContext) -> list[Result]:
    spec = cast("Decision", rule.spec)  # the decision primitive's own rules only
    t, conditions, problems = _translator(rule, context), _conditions(rule, context), []
    for (i, a), (j, b) in itertools.combinations(enumerate(conditions), 2):
        found = Solver(t).find(And(a, b))
        if found == UNKNOWN:
            return [_undecided(rule, context, "disjoint", ("decision", j, "when"))]
        if isinstance(found, Witness):
            cases = spec.cases
            if not _replays(context, t, found, [(cases[i].when.tree, True), (cases[j].when.tree, True)]):
                return [_undecided(rule, context, "disjoint", ("decision", j, "when"))]
            related = context.locate(rule, "decision", i, "when")
            problems.append(
                context.problem(
                    "verify.decision_overlap",
                    rule,
                    ("decision", j, "when"),
                    related,
                    first=cases[i].outcome,
                    second=cases[j].outcome,
                    **Example(context, t, found).args(),
                )
            )
    return [result(rule, "disjoint", REFUTED if problems else PROVEN, *problems)]


def cases_reachable(rule: Rule, context: ProofContext) -> list[Result]:
    spec = cast("Decision", rule.spec)  # the decision primitive's own rules only
    t, problems = _translator(rule, context), []
    for i, (case, condition) in enumerate(zip(spec.cases, _conditions(rule, context), strict=True)):
        found = Solver(t).find(condition)
        if found == UNKNOWN:
            return [_undecided(rule, context, "reachable", ("decision", i, "when"))]
        if found is None:
            problems.append(
                context.problem(
                    "verify.unreachable_case",
                    rule,
                    ("decision", i, "when"),
                    outcome=case.outcome,
                    when=case.when.text,
                )
            )
    return [result(rule, "reachable", REFUTED if problems else PROVEN, *problems)]


# --- branches and warnings -------------------------------------------------------------------------


def branches(
    rule: Rule, context: ProofContext, expressions: list[tuple[tuple[str | int, ...], Expression]]
) -> list[Result]:
    """Every `if … then … else …` branch of `expressions` (each with its place in the rule) can be
    taken, given the conditions around it."""
    t, problems, count = _translator(rule, context), [], 0
    for path, expression in expressions:
        for condition, around, condition_text in _ifs(t, expression.tree, expression.text, true):
            for branch, formula in (("then", And(around, condition)), ("else", And(around, Not(condition)))):
                count += 1
                found = Solver(t).find(formula)
                if found == UNKNOWN:
                    return [_undecided(rule, context, "branches", path)]
                if found is None:
                    problems.append(
                        context.problem(
                            "verify.unreachable_branch",
                            rule,
                            path,
                            branch=branch,
                            condition=condition_text,
                            expression=expression.text,
                            holds=Said("proof.example." + ("true" if branch == "then" else "false")),
                        )
                    )
    if count == 0:
        return []
    return [result(rule, "branches", REFUTED if problems else PROVEN, *problems, count=count)]


def _ifs(t: Translator, node: expr.Node, text: str, around: Boolean) -> list[tuple[Boolean, Boolean, str]]:
    """Each if-node's condition as a formula, with the conjunction of the branches around it and
    the condition's text."""
    found: list[tuple[Boolean, Boolean, str]] = []
    if isinstance(node, expr.If):
        assert node.condition and node.then and node.otherwise
        condition = t.formula(node.condition, text)
        found.append((condition, around, " ".join(text[node.condition.start : node.condition.end].split())))
        found += _ifs(t, node.condition, text, around)
        found += _ifs(t, node.then, text, And(around, condition))
        found += _ifs(t, node.otherwise, text, And(around, Not(condition)))
        return found
    for child in node.children():
        found += _ifs(t, child, text, around)
    return found


def warnings_reachable(rule: Rule, context: ProofContext) -> list[Result]:
    """Every warning of a rule can occur for some input."""
    if not rule.warnings:
        return []
    t, problems = _translator(rule, context), []
    for i, warning in enumerate(rule.warnings):
        found = Solver(t).find(t.formula(warning.when.tree, warning.when.text))
        if found == UNKNOWN:
            return [_undecided(rule, context, "warnings", ("warnings", i, "when"))]
        if found is None:
            problems.append(
                context.problem("verify.warning_never", rule, ("warnings", i, "when"), when=warning.when.text)
            )
    return [result(rule, "warnings", REFUTED if problems else PROVEN, *problems, count=len(rule.warnings))]


def _names(t: Translator) -> list[str]:
    return sorted({a.name or a.text for a in t.atoms.values()} | {v.name for v in t.variables.values()})


# --- counterexamples ---------------------------------------------------------------------------------


class Example:
    """A witness as the facts that make it happen; a message argument said in the message's
    language (`said`), in Dutch where it is printed as it is."""

    def __init__(self, context: ProofContext, t: Translator, witness: Witness) -> None:
        self.context, self.t, self.witness = context, t, witness

    def args(self) -> dict[str, Example]:
        return {"example": self}

    def __str__(self) -> str:
        return self.said("nl")

    def said(self, lang: str) -> str:
        yes, no = say("proof.example.yes", lang), say("proof.example.no", lang)
        parts, texts = [], {}
        for atom, value in sorted(self.witness.atoms.items(), key=lambda item: item[0].text):
            if atom.kind == "name":
                parts.append(f"{atom.name} = {yes if value else no}")
            elif atom.kind == "text" and value:
                texts[atom.name] = atom.literal
            elif atom.kind == "opaque":
                parts.append(f"„{atom.text}” = {yes if value else no}")
        for name, literal in texts.items():
            word = say("proof.example.choice_for", lang)
            parts.append(
                f"{word} {name} = {literal}" if name and name.startswith("I-") else f"{name} = ‘{literal}’"
            )
        for variable, number in sorted(self.witness.values.items(), key=lambda item: item[0].name):
            parts.append(f"{variable.name} = {_number(variable.kind, number, lang)}")
        if self.witness.opaque:
            parts.append(say("proof.example.opaque", lang))
        return ", ".join(parts) or say("proof.example.any_input", lang)


def _number(kind: Kind, value: Fraction, lang: str) -> str:
    if kind is Kind.MONEY and money.is_whole_cents(value):
        return display(Kind.MONEY, value, lang)
    if kind in (Kind.PERCENTAGE, Kind.RATIO):
        return percent_text(value, lang=lang)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def replay(context: ProofContext, t: Translator, witness: Witness, tree: expr.Node) -> Any:
    """Evaluate `tree` with the engine's own evaluator on the witness's values (None: it rests on
    an opaque term and cannot be replayed)."""
    if witness.opaque:
        return None
    rules, member = context.rules, "—"
    values: dict[str, Any] = {n: p.value for n, p in rules.parameters.items()}
    values.update(rules.covenant.builtins(rules.covenant.valid_from.year))
    chosen = {k: v.chosen for k, v in rules.interpretations.items() if v.switchable}
    for node in tree.walk():
        if isinstance(node, expr.Name) and node.name not in values:
            values[node.name] = _default(node)
    for atom, value in witness.atoms.items():
        if atom.kind == "name" and atom.name:
            values[atom.name] = value
        elif atom.kind == "text" and value and atom.name:
            if atom.interpretation:
                chosen[atom.name] = atom.literal
            else:
                values[atom.name] = atom.literal
    for variable, number in witness.values.items():
        values[variable.name] = number
    sets: dict[str, list[str]] = {}
    for node in tree.walk():
        if isinstance(node, expr.Name) and node.type and node.type.per:
            sets[node.type.per] = [member]
            if not isinstance(values[node.name], dict):
                values[node.name] = {member: values[node.name]}
    evaluator = expr.Evaluator(values, sets, chosen)  # type: ignore[arg-type]
    return evaluator.evaluate(tree, {s: member for s in sets})


def _replays(
    context: ProofContext, t: Translator, witness: Witness, expected: list[tuple[expr.Node, bool]]
) -> bool:
    """True when the witness is usable: whole numbers for counts and, unless it rests on an
    opaque term, each condition evaluates as expected by the engine itself (else a bug)."""
    if any(v.kind is Kind.COUNT and value.denominator != 1 for v, value in witness.values.items()):
        return False
    for tree, value in expected:
        replayed = replay(context, t, witness, tree)
        assert replayed is None or replayed == value, "the prover and the evaluator disagree"
    return True


def _default(node: expr.Name) -> Any:
    kind = node.type.kind if node.type else Kind.RATIO
    return False if kind is Kind.BOOLEAN else "" if kind in (Kind.TEXT, Kind.OUTCOME) else Fraction(0)
