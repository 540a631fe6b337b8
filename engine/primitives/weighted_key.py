"""`weighted_key`: a key per member, Σ weight × (own value / total) over its components."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core.citation import Citation
from convenant.core.units import Kind, display
from convenant.core.wording import show
from convenant.language.model import MUNICIPALITY, Rule
from convenant.language.trace import Component, WeightedKeyDetails
from convenant.primitives.base import (
    BatchCompiler,
    CheckContext,
    EvalContext,
    ExplainScope,
    Node,
    NotVectorised,
    Outcome,
    ProofContext,
    Step,
    Written,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Terms
    from convenant.proof.results import Result


@dataclass(frozen=True)
class KeyComponent:
    by: str
    weight: str
    article: Citation


@dataclass(frozen=True)
class WeightedKey:
    components: tuple[KeyComponent, ...]


Spec = WeightedKey


def check(ctx: CheckContext, written: Written) -> tuple[WeightedKey | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.RATIO or per is None:
        ctx.error("rules.key_shape", path, primitive="weighted_key")
    components, uses, total, ok = [], [], Fraction(0), True
    numeric = (Kind.MONEY, Kind.COUNT, Kind.RATIO, Kind.PERCENTAGE)
    for i, item in enumerate(body):
        ok &= ctx.name_of_kind(item["by"], (*path, i, "by"), numeric, per)
        ok &= ctx.name_of_kind(
            item["weight"], (*path, i, "weight"), (Kind.PERCENTAGE, Kind.RATIO), None, ("parameters",)
        )
        uses += [item["by"], item["weight"]]
        components.append(
            KeyComponent(item["by"], item["weight"], ctx.cite(item["article"], (*path, i, "article")))
        )
        weight = ctx.parameter_values.get(item["weight"])
        if weight is None:  # refused with its own message
            ok = False
        elif ok:
            total += weight.value
    if ok and total != 1:
        ctx.error(
            "rules.key_weights", path, total=total, weights=", ".join(f"{c.weight}" for c in components)
        )
    return (WeightedKey(tuple(components)) if ok else None), uses


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    spec = rule.spec
    assert isinstance(spec, WeightedKey)
    members = ctx.members[rule.per or MUNICIPALITY]
    key = dict.fromkeys(members, Fraction(0))
    components = []
    for i, component in enumerate(spec.components):
        by = ctx.values[component.by]
        weight = ctx.values[component.weight]
        total = sum((Fraction(by[m]) for m in members), Fraction(0))
        if total == 0:
            raise ctx.fail(
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
        mine = {m: by[m] for m in members}
        components.append(Component(component.by, weight, component.article, mine, total, shares))
    if sum(key.values(), Fraction(0)) != 1:
        raise ctx.fail(
            "evaluate.key_not_one",
            rule,
            (*rule.path, "weighted_key"),
            total=sum(key.values(), Fraction(0)),
        )
    return Outcome(key, WeightedKeyDetails(tuple(components)))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    d = node.details
    assert member is not None and isinstance(d, WeightedKeyDetails)
    rows = []
    for c in d.components:
        share = c.shares[member]
        rows.append(
            {
                "by": c.by,
                "label": scope.label(c.by),
                "citation": c.article.formal(scope.lang),
                "own": show(scope.kind(c.by), c.values[member], scope.lang),
                "total": show(scope.kind(c.by), c.total, scope.lang),
                "share": scope.percent(share),
                "weight": scope.percent(c.weight),
                "contribution": scope.percent(c.weight * share),
            }
        )
    key = node.value[member]
    return {
        "components": rows,
        "key": scope.percent(key),
        "exact": f"{key.numerator}/{key.denominator}",
        "articles": [c.article for c in d.components],
    }


KEY_OBLIGATION = "key_total"  # the obligation a distribution over this key relies on


def key_total(rule: Rule, context: ProofContext) -> list[Result]:
    """A weighted key totals 1, for every number of members and all values with a non-zero total:
    Σ_i Σ_c w_c·x_ci / Σ_j x_cj = Σ_c w_c·(Σ_i x_ci)/(Σ_j x_cj) = Σ_c w_c = 1 (sympy, symbolic n)."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, REFUTED, result

    assert isinstance(rule.spec, WeightedKey)
    parameters = context.rules.parameters
    weights = [(c, parameters[c.weight]) for c in rule.spec.components]
    shown = " + ".join(display(p.kind, p.value) for _, p in weights)
    total = algebra.weighted_key_total([(p.value, c.by) for c, p in weights])
    if total is None:
        return [result(rule, "key_total", PROVEN, weights=shown)]
    problem = context.problem("verify.key_not_one", rule, ("weighted_key",), total=total, weights=shown)
    return [result(rule, "key_total", REFUTED, problem, weights=shown)]


OBLIGATIONS = (key_total,)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    """Σₖ wₖ·by_k[m] / Σ by_k, as `Terms`: term k is pₖ·num[m] / (qₖ·Σ num) for wₖ = pₖ/qₖ."""
    import numpy as np

    from convenant.core import vectors
    from convenant.core.vectors import Rat, Terms

    assert isinstance(rule.spec, WeightedKey)
    components = []
    for component in rule.spec.components:
        if component.by not in compiler.known:
            raise NotVectorised(f"{component.by} has no array form")
        components.append((component.by, Fraction(compiler.rules.parameters[component.weight].value)))

    def key(ctx: Any) -> Terms:
        terms = []
        for by, weight in components:
            shares = vectors.common_den(ctx.values[by])
            counts = Rat(shares.num, 1, shares.nb, 1)
            summed = vectors.total(counts)
            ctx.flag(summed.num == 0)
            if np.any(summed.num < 0):  # a negative total: the share keeps its sign, the den turns positive
                counts = vectors.mul(counts, Rat.of(np.where(summed.num < 0, -1, 1)))
            numerator = vectors.mul(counts, Rat.constant(weight.numerator))
            total = vectors.mul(summed.abs(), Rat.constant(weight.denominator))
            den = np.where(total.num == 0, 1, total.num)
            exact = numerator.exact_mode or total.exact_mode
            terms.append(
                Rat(numerator.num, den, None, None)
                if exact
                else Rat(numerator.num, den, numerator.nb, total.nb)
            )
        return Terms(tuple(terms), one=True)

    return key
