"""`distribute`: an amount shared over a key in whole cents, by largest remainder."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convenant.core import money
from convenant.core.units import Kind
from convenant.core.wording import exact_number, show
from convenant.language.model import MUNICIPALITY, Rule
from convenant.language.trace import DistributeDetails
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
    remainder_text,
)

if TYPE_CHECKING:
    from convenant.core.vectors import Rat
    from convenant.proof.results import Result


@dataclass(frozen=True)
class Distribute:
    amount: str
    key: str


Spec = Distribute


def check(ctx: CheckContext, written: Written) -> tuple[Distribute | None, list[str]]:
    body, path, kind, per = written.body, written.path, written.kind, written.per
    if kind is not Kind.MONEY or per is None:
        ctx.error("rules.key_shape", path, primitive="distribute")
    ok = ctx.name_of_kind(body["amount"], (*path, "amount"), (Kind.MONEY,), None)
    ok &= ctx.name_of_kind(body["key"], (*path, "key"), (Kind.RATIO,), per)
    return (Distribute(body["amount"], body["key"]) if ok else None), [body["amount"], body["key"]]


def evaluate(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    spec = rule.spec
    assert isinstance(spec, Distribute)
    members = ctx.members[rule.per or MUNICIPALITY]
    amount = ctx.values[spec.amount]
    key = ctx.values[spec.key]
    shares = [key[m] for m in members]
    if sum(shares, Fraction(0)) != 1:
        raise ctx.fail(
            "evaluate.key_not_one",
            rule,
            (*rule.path, "distribute", "key"),
            [(spec.key, None)],
            total=sum(shares, Fraction(0)),
        )
    parts = money.largest_remainder(money.to_cents(amount), shares)
    value = {m: Fraction(part.cents, 100) for m, part in zip(members, parts, strict=True)}
    by_member = dict(zip(members, parts, strict=True))
    details = DistributeDetails(amount, {m: key[m] for m in members}, by_member)
    return Outcome(value, details, distributed(spec.amount, details.amount, details.key, value))


def explain(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    spec, d = node.rule.spec, node.details
    assert isinstance(spec, Distribute) and isinstance(d, DistributeDetails) and member is not None
    parts, key = d.parts, d.key
    order = list(parts)
    rows = [
        {
            "who": scope.member_name(m),
            "mine": m == member,
            "share": scope.percent(key[m]),
            "exact": exact_number(p.exact, scope.lang, decimals=CENT_DECIMALS),
            "floor": exact_number(Fraction(p.floor), scope.lang),
            "remainder": remainder_text(p, scope.lang),
            "extra": p.extra,
            "part": show(Kind.MONEY, Fraction(p.cents, 100), scope.lang),
        }
        for m, p in parts.items()
    ]
    left_over = sum(p.extra for p in parts.values())
    mine = parts[member]
    w = scope.words
    reason = w["got_extra" if mine.extra else "no_extra"].format(
        who=scope.member_name(member), remainder=remainder_text(mine, scope.lang), n=left_over
    )
    ties = [m for m in order if m != member and parts[m].remainder == mine.remainder]
    boundary = any(parts[m].extra != mine.extra for m in ties)
    tie = None
    if ties and boundary and 0 < left_over < len(order):
        tie = w["tie"].format(
            remainder=remainder_text(mine, scope.lang),
            others=", ".join(str(scope.member_name(m)) for m in ties),
            order=", ".join(str(scope.member_name(m)) for m in order),
        )
    return {
        "amount_name": spec.amount,
        "amount": scope.show(spec.amount, None),
        "key_name": spec.key,
        "rows": rows,
        "left_over": w["left_over"].format(n=left_over),
        "reason": reason,
        "tie": tie,
    }


def exact_shares(rule: Rule, context: ProofContext) -> list[Result]:
    """The exact shares add up to the amount (Σ_i A·k_i = A·Σ_i k_i = A), because the key totals 1:
    the key's own obligation must have been proven. Then the largest-remainder step keeps the
    amount to the cent."""
    import convenant.proof.algebra as algebra
    from convenant.proof.results import PROVEN, REFUTED, UNDECIDED, result

    assert isinstance(rule.spec, Distribute)
    key = context.rules.rules.get(rule.spec.key)
    key_label = key.label if key else rule.spec.key
    found = []
    if context.key_proven(rule.spec.key):
        status = PROVEN if algebra.exact_shares() else REFUTED
        found.append(result(rule, "exact_shares", status, key=key_label))
    else:
        problem = context.problem("verify.key_unproven", rule, ("distribute", "key"), key=key_label)
        found.append(result(rule, "exact_shares", UNDECIDED, problem, key=key_label))
    lemma, checked = algebra.largest_remainder_lemma(), algebra.exhaustive()
    status = PROVEN if lemma and checked is not None else REFUTED
    problems = () if status == PROVEN else (context.problem("verify.not_conserved", rule, ("distribute",)),)
    found.append(result(rule, "largest_remainder", status, *problems, cases=checked or 0, **algebra.domain()))
    return found


OBLIGATIONS = (exact_shares,)


def vectorise(compiler: BatchCompiler, rule: Rule) -> Step:
    from convenant.core import vectors
    from convenant.core.vectors import Rat, Terms

    assert isinstance(rule.spec, Distribute)
    amount_name, key_name = rule.spec.amount, rule.spec.key
    for name in (amount_name, key_name):
        if name not in compiler.known:
            raise NotVectorised(f"{name} has no array form")

    def distribute(ctx: Any) -> Rat:
        key = ctx.values[key_name]
        if isinstance(key, Rat):
            key = Terms((vectors.common_den(key),))
        if not key.one:
            ctx.flag(vectors.not_one(key))
        amount = vectors.cents(vectors.broadcast(ctx.values[amount_name], ctx.rows, 1))
        parts = vectors.largest_remainder(amount, key)
        bound = None if parts.dtype == object else vectors.max_abs(amount)  # no part exceeds the amount
        return Rat(parts, 100, bound, 100) if bound is not None else Rat.of(parts, 100)

    return distribute
