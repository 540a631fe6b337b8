"""Proof obligations of keys and distributions.

- A weighted key totals 1, for every number of members and all values with a non-zero total:
  Σ_i Σ_c w_c·x_ci / Σ_j x_cj = Σ_c w_c·(Σ_i x_ci)/(Σ_j x_cj) = Σ_c w_c = 1 (sympy, symbolic n).
- A distribution's exact shares add up to its amount: Σ_i A·k_i = A·Σ_i k_i = A, because its key
  totals 1 (the key's own obligation must have been proven).
- The largest-remainder step keeps the amount to the cent: a lemma proven with sympy for every
  number of parties and every amount, and separately an exhaustive check of the engine's own
  `money.largest_remainder` on a finite domain (which is which is said in the result).
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from functools import cache
from typing import Any

from sympy import IndexedBase, Rational, Sum, Symbol, factor_terms, floor, frac, simplify, symbols, true

from convenant import money
from convenant.model import Distribute, Rule, WeightedKey
from convenant.proof.results import NO_OBLIGATION, PROVEN, REFUTED, UNDECIDED, Context, Result, result
from convenant.units import display

_I, _N = symbols("i n", integer=True, positive=True)
EXHAUSTIVE_PARTIES, EXHAUSTIVE_CENTS, EXHAUSTIVE_DENOMINATOR = 4, 40, 6


def _share_sum(weight: Any, by: str) -> Any:
    """Σ_{i=1..n} w·x_i/S where S stands for Σ_j x_j (non-zero): factor out, then use S's definition."""
    x = IndexedBase(by, real=True)
    total = Symbol(f"Σ{by}", nonzero=True)
    return factor_terms(Sum(weight * x[_I] / total, (_I, 1, _N))).subs(Sum(x[_I], (_I, 1, _N)), total)


def weighted_key(rule: Rule, context: Context) -> list[Result]:
    assert isinstance(rule.spec, WeightedKey)
    parameters = context.rules.parameters
    weights = [(c, parameters[c.weight]) for c in rule.spec.components]
    total = sum((_share_sum(Rational(p.value), c.by) for c, p in weights), Rational(0))
    shown = " + ".join(display(p.kind, p.value) for _, p in weights)
    if simplify(total - 1) == 0:
        return [result(rule, "key_total", PROVEN, weights=shown)]
    problem = context.problem(
        "verify.key_not_one", rule, ("weighted_key",), total=Fraction(str(total)), weights=shown
    )
    return [result(rule, "key_total", REFUTED, problem, weights=shown)]


def distribution(rule: Rule, context: Context) -> list[Result]:
    assert isinstance(rule.spec, Distribute)
    key = context.rules.rules.get(rule.spec.key)
    key_label = key.label if key else rule.spec.key
    found = []
    from convenant.proof.sheets import KEY_OBLIGATIONS

    if any(context.proven(rule.spec.key, obligation) for obligation in KEY_OBLIGATIONS):
        k, amount = IndexedBase("k", real=True), Symbol("A", real=True)
        shares = factor_terms(Sum(amount * k[_I], (_I, 1, _N))).subs(Sum(k[_I], (_I, 1, _N)), 1)
        status = PROVEN if simplify(shares - amount) == 0 else REFUTED
        found.append(result(rule, "exact_shares", status, key=key_label))
    else:
        problem = context.problem("verify.key_unproven", rule, ("distribute", "key"), key=key_label)
        found.append(result(rule, "exact_shares", UNDECIDED, problem, key=key_label))
    lemma, checked = largest_remainder_lemma(), exhaustive()
    status = PROVEN if lemma and checked is not None else REFUTED
    problems = () if status == PROVEN else (context.problem("verify.not_conserved", rule, ("distribute",)),)
    found.append(result(rule, "largest_remainder", status, *problems, cases=checked or 0, **_domain()))
    return found


def _domain() -> dict[str, int]:
    return {
        "parties": EXHAUSTIVE_PARTIES,
        "cents": EXHAUSTIVE_CENTS,
        "denominator": EXHAUSTIVE_DENOMINATOR,
    }


@cache  # the same for every rule and rule file: proven once per run
def largest_remainder_lemma() -> bool:
    """For n parties, exact shares e_i ≥ 0 in cents with Σ e_i = M (whole cents), floors f_i and
    L = M − Σ f_i left-over cents, each handed to a different party: Σ parts = M, and the sign.

    Steps proven by sympy: (1) f_i + frac(e_i) = e_i; (2) 0 ≤ frac(e_i) < 1; (3) Σ (f_i + frac(e_i))
    = Σ e_i, so L = Σ frac(e_i), which by (2) summed over the n parties lies in [0, n) and, being
    M − Σ f_i, is whole: at most n − 1 cents, one each to different parties; (4) Σ f_i + L = M;
    (5) s·(Σ f_i + L) = s·M for the sign s.
    """
    e = IndexedBase("e", real=True)
    one = (floor(e[_I]) + frac(e[_I]) - e[_I]).rewrite(floor) == 0
    two = frac(e[_I]).is_nonnegative is True and (frac(e[_I]) < 1) is true
    three = simplify(Sum(floor(e[_I]) + frac(e[_I]) - e[_I], (_I, 1, _N)).rewrite(floor)) == 0
    whole, floors, sign = symbols("M F s", integer=True)
    four = simplify(floors + (whole - floors) - whole) == 0
    five = simplify(sign * (floors + (whole - floors)) - sign * whole) == 0
    return bool(one and two and three and four and five)


@cache
def exhaustive() -> int | None:
    """Every key in 1/6ths over 1–4 parties and every amount from −40 to 40 cents: the engine's
    `money.largest_remainder` parts add up to the amount and each lies within one cent of its
    exact share. The number of cases checked, or None when one failed."""
    cases = 0
    for n in range(1, EXHAUSTIVE_PARTIES + 1):
        for cut in itertools.combinations_with_replacement(range(EXHAUSTIVE_DENOMINATOR + 1), n - 1):
            bounds = (0, *cut, EXHAUSTIVE_DENOMINATOR)
            key = [Fraction(b - a, EXHAUSTIVE_DENOMINATOR) for a, b in itertools.pairwise(bounds)]
            for amount in range(-EXHAUSTIVE_CENTS, EXHAUSTIVE_CENTS + 1):
                parts = money.largest_remainder(amount, key)
                if sum(p.cents for p in parts) != amount:
                    return None
                if any(abs(p.cents - amount * k) >= 1 for p, k in zip(parts, key, strict=True)):
                    return None
                cases += 1
    return cases


def no_obligation(rule: Rule, context: Context) -> list[Result]:
    """A primitive without a registered obligation: said, never silently passed."""
    return [result(rule, "none", NO_OBLIGATION, primitive=type(rule.spec).__name__)]
