"""`decision`: the outcome of the one case whose condition holds (per member or once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.units import Kind
from convenant.language import expr, formula, trace
from convenant.language.model import Expression, Rule
from convenant.language.trace import DecisionDetails
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
    reads,
)

if TYPE_CHECKING:
    from convenant.proof.results import Result


@dataclass(frozen=True)
class DecisionCase:
    when: Expression
    outcome: str
    text: str
    article: Citation | None


@dataclass(frozen=True)
class Decision:
    cases: tuple[DecisionCase, ...]


Spec = Decision


def check(ctx: CheckContext, written: Written) -> tuple[Decision | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.OUTCOME:
        ctx.error("rules.result_kind", path, declared=kind, found=Kind.OUTCOME)
    cases, uses, outcomes = [], [], set()
    for i, item in enumerate(body):
        cpath = (*path, i, "when")
        checked = ctx.expression(str(item["when"]), cpath, interpretations=written.interpretations)
        if item["outcome"] in outcomes:
            ctx.error("rules.duplicate_outcome", (*path, i, "outcome"), outcome=item["outcome"])
        outcomes.add(item["outcome"])
        if checked is None:
            continue
        assert checked.tree.type is not None
        if checked.tree.type.kind is not Kind.BOOLEAN:
            ctx.error("rules.condition_kind", cpath, kind=checked.tree.type.kind)
        stray = ctx.stray_sets(expr.unbound_per(checked.tree), per)
        if stray:
            ctx.error("rules.per_mismatch", cpath, sets=", ".join(sorted(stray)), per=per or "—")
        uses += expr.names(checked.tree)
        article = ctx.cite(item["article"], (*path, i, "article")) if "article" in item else None
        cases.append(DecisionCase(checked, item["outcome"], item["text"], article))
    if len(cases) != len(body):
        return None, uses
    return Decision(tuple(cases)), uses


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    spec = rule.spec
    assert isinstance(spec, Decision)
    per = rule.per
    members = ctx.members[per] if per else [None]
    outcomes: dict[str | None, str] = {}
    matched: dict[str | None, int] = {}
    tested: dict[str | None, tuple[trace.Evaluated, ...]] = {}
    for m in members:
        tested[m] = tuple(ctx.record_in(rule, case.when, per, m) for case in spec.cases)
        hits = [i for i, evaluated in enumerate(tested[m]) if evaluated.value]
        if len(hits) != 1:
            code = "evaluate.decision_none" if not hits else "evaluate.decision_overlap"
            # none: every condition, at the cases; several: the second that held, at its condition
            shown = [spec.cases[i] for i in hits] or list(spec.cases)
            raise ctx.fail(
                code,
                rule,
                (*rule.path, "decision", hits[1], "when") if hits else (*rule.path, "decision"),
                [read for case in shown for read in reads(case.when.tree, m)],
                member=m or "—",
                outcomes=", ".join(spec.cases[i].outcome for i in hits),
            )
        outcomes[m] = spec.cases[hits[0]].outcome
        matched[m] = hits[0]
    value = outcomes if per else outcomes[None]
    return Outcome(value, DecisionDetails(matched, tested))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Decision) and isinstance(d, DecisionDetails)
    held, tested = d.held[own(node, member)], d.cases[own(node, member)]
    cases = []
    for i, case in enumerate(spec.cases):
        work = formula.arithmetic(case.when.text, case.when.tree, tested[i], scope.lang)
        cases.append(
            {
                "holds": i == held,
                "condition": work.formula,
                "filled": work.filled,
                "outcome": case.outcome,
                "text": " ".join(case.text.split()),
                "citation": (case.article or node.rule.article).formal(scope.lang),
            }
        )
    return {"cases": cases, "articles": [spec.cases[held].article or node.rule.article]}


def expressions(spec: Decision) -> list[tuple[FieldPath, Expression]]:
    """The conditions, with their places in the rule (for the proof of every branch)."""
    return [(("decision", i, "when"), c.when) for i, c in enumerate(spec.cases)]


# The proofs decide the conditions with the logic of `engine.proof.decisions` (sympy).


def cases_cover(rule: Rule, context: ProofContext) -> list[Result]:
    """In every situation some case holds."""
    import convenant.proof.decisions as decisions

    return decisions.cases_cover(rule, context)


def cases_disjoint(rule: Rule, context: ProofContext) -> list[Result]:
    """No two cases hold at once."""
    import convenant.proof.decisions as decisions

    return decisions.cases_disjoint(rule, context)


def cases_reachable(rule: Rule, context: ProofContext) -> list[Result]:
    """Every case can hold."""
    import convenant.proof.decisions as decisions

    return decisions.cases_reachable(rule, context)


OBLIGATIONS = (cases_cover, cases_disjoint, cases_reachable)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    import numpy as np

    assert isinstance(rule.spec, Decision)
    conditions = [compiler.expression(case.when.tree) for case in rule.spec.cases]
    outcomes = np.array([case.outcome for case in rule.spec.cases], dtype=object)

    def decide(ctx: Any) -> Any:
        shape = (ctx.rows, ctx.width(rule.per))
        holds = np.stack([np.broadcast_to(np.asarray(c(ctx)), shape) for c in conditions])
        ctx.flag(holds.sum(axis=0) != 1)
        return outcomes[np.argmax(holds, axis=0)]

    return decide
