"""`ration`: pay each claim if all fit in what is available; else share what is available in
proportion to the claims, in whole cents (Groningen, art. 5 lid 5)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core import money
from convenant.core.units import Kind
from convenant.core.wording import exact_number, show
from convenant.language.model import MUNICIPALITY, Rule
from convenant.language.trace import RationDetails
from convenant.primitives.base import (
    CENT_DECIMALS,
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
    distributed,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Rat
    from convenant.proof.results import Result


@dataclass(frozen=True)
class Ration:
    """Pay each claim if all fit in `available`; else share `available` in proportion to the claims."""

    claims: str
    available: str


Spec = Ration


def check(ctx: CheckContext, written: Written) -> tuple[Ration | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.MONEY or per is None:
        ctx.error("rules.key_shape", path, primitive="ration")
    ok = ctx.name_of_kind(body["claims"], (*path, "claims"), (Kind.MONEY,), per)
    ok &= ctx.name_of_kind(body["available"], (*path, "available"), (Kind.MONEY,), None)
    return (Ration(body["claims"], body["available"]) if ok else None), [body["claims"], body["available"]]


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    """Claims are paid in full when they fit in what is available; else in proportion to them."""
    spec = rule.spec
    assert isinstance(spec, Ration)
    claims, available = ctx.values[spec.claims], ctx.values[spec.available]
    members = [m for m in ctx.members[rule.per or MUNICIPALITY] if m in claims]
    negative = [m for m in members if claims[m] < 0]
    if available < 0 or negative:
        field, read = (
            ("available", (spec.available, None)) if available < 0 else ("claims", (spec.claims, negative[0]))
        )
        raise ctx.fail(
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
        return Outcome(own, RationDetails(own, total, available, True))
    parts = money.largest_remainder(money.to_cents(available), [claims[m] / total for m in members])
    details = RationDetails(own, total, available, False, dict(zip(members, parts, strict=True)))
    value = {m: Fraction(p.cents, 100) for m, p in zip(members, parts, strict=True)}
    shares = {m: details.claims[m] / details.claims_total for m in value}
    return Outcome(value, details, distributed(spec.available, details.available, shares, value))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    """Art. 5 lid 5: whether the claims fit, and if not, this member's proportional part."""
    d, w, lang = node.details, scope.words, scope.lang
    assert isinstance(d, RationDetails) and member is not None
    claim = d.claims[member]
    total, available = show(Kind.MONEY, d.claims_total, lang), show(Kind.MONEY, d.available, lang)
    who = scope.member_name(member)
    if d.fits:
        lines = [w["ration_fits"].format(total=total, available=available)]
    else:
        part = d.parts[member]
        lines = [
            w["ration_rationed"].format(
                total=total,
                available=available,
                who=who,
                claim=show(Kind.MONEY, claim, lang),
                exact=exact_number(part.exact, lang, decimals=CENT_DECIMALS),
                floor=exact_number(Fraction(part.floor), lang),
                extra=part.extra,
            )
        ]
    lines.append(
        w["ration_part"].format(
            who=who, claim=show(Kind.MONEY, claim, lang), paid=show(Kind.MONEY, node.value[member], lang)
        )
    )
    return {"lines": lines}


def ration_bounds(rule: Rule, context: ProofContext) -> list[Result]:
    """Rationing never pays more than a claim nor more than is available, and pays out all that is
    available when rationed: an exact share a·c_i/C < c_i when a < C; the largest-remainder parts
    add up to a and lie within one cent above the exact share, which is below a whole-cent claim."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, UNDECIDED, result

    assert isinstance(rule.spec, Ration)
    exact_below = algebra.rationed_below_claim()
    lemma, checked = algebra.largest_remainder_lemma(), algebra.exhaustive()
    status = PROVEN if exact_below and lemma and checked is not None else UNDECIDED
    return [
        result(
            rule,
            "ration_bounds",
            status,
            claims=rule.spec.claims,
            available=rule.spec.available,
            cases=checked or 0,
        )
    ]


OBLIGATIONS = (ration_bounds,)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    """Claims in whole cents per member; where their total fits in what is available, each claim;
    else what is available by largest remainder over claim / total (one denominator per scenario,
    `vectors.largest_remainder_over`). A negative claim or availability is refused by the
    interpreter: flagged."""
    import numpy as np

    from convenant.core import vectors
    from convenant.core.vectors import LIMIT, Rat

    spec = rule.spec
    assert isinstance(spec, Ration)
    for name in (spec.claims, spec.available):
        if name not in compiler.known:
            raise NotVectorised(f"{name} has no array form")

    def ration(ctx: Any) -> Rat:
        n = ctx.rows
        claims = np.broadcast_to(vectors.cents(ctx.values[spec.claims]), (n, ctx.width(rule.per)))
        available = vectors.cents(vectors.broadcast(ctx.values[spec.available], n, 1))
        ctx.flag((available < 0) | (claims < 0).any(axis=1, keepdims=True))
        if claims.dtype != object and vectors.max_abs(claims) * max(claims.shape[1], 1) > LIMIT:
            claims = claims.astype(object)
        total = claims.sum(axis=1, keepdims=True)
        fits = total <= available
        den = np.where(fits | (total <= 0), 1, total)
        parts = vectors.largest_remainder_over(np.where(fits, 0, available), claims, den)
        paid = np.where(fits, claims, parts)
        return Rat.of(paid if paid.dtype == object else paid.astype(np.int64), 100)

    return ration
