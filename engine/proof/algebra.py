"""The mathematics behind the primitives' proof obligations, proven with sympy.

Each primitive's obligations (in `engine/primitives/<name>.py`) say what is to be proven for a
rule and how the outcome is reported; the identities and lemmas they rest on are proven here,
the one place besides `engine.proof.logic` that imports sympy.

- A weighted key totals 1: Σ_i Σ_c w_c·x_ci / Σ_j x_cj = Σ_c w_c·(Σ_i x_ci)/(Σ_j x_cj) = Σ_c w_c.
- A distribution's exact shares add up to its amount: Σ_i A·k_i = A·Σ_i k_i = A for a key that
  totals 1.
- The largest-remainder step keeps the amount to the cent: a lemma proven with sympy for every
  number of parties and every amount, and separately an exhaustive check of the engine's own
  `money.largest_remainder` on a finite domain (which is which is said in the result).
- A sheet under "scaling" totals 1 for every number of rows and columns and all counts and values
  with a non-zero total T = Σ_rc v_c·n_rc: Σ_r (Σ_c v_c·n_rc/T·(1 − F) + F_r) = (1 − F) + F = 1.
- A sheet with agreed cells (Groningen art. 5 lid 1) totals 1 under "schalen", in each period: kept
  as agreed ("vast"), Σ_rc (d_rc·a_rc + (1 − d_rc)·w_rc·(1 − F − A)/O) + F = A + (1 − F − A) + F = 1
  with d_rc = 1 for an agreed cell, A = Σ d·a and O = Σ (1 − d)·w; scaled with the others
  ("mee_schalen"), Σ_rc v_rc·(1 − F)/T + F = 1 with v the cells after replacement and T = Σ v.
- A pro-rata key of keys that total 1 totals 1: Σ (o_i + (n_i − s_i)·f) = 1 + (1 − 1)·f = 1, with s
  the old key in force on the date (o itself, or o's last sheet after a mid-year deviation).
- A rationed claim's exact share is below the claim: a·c/C < c when a < C.
- The difference of two distributions of one amount adds up to nil: Σ (a_i − b_i) = A − A = 0
  (an adjustment: the Budgetdeel after it minus the one before).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from typing import Any

from sympy import IndexedBase, Rational, Sum, Symbol, factor_terms, floor, frac, simplify, symbols, true

from convenant.core import money

_I, _N = symbols("i n", integer=True, positive=True)
_R, _C, _N_ROWS, _N_COLUMNS = symbols("r c R K", integer=True, positive=True)
EXHAUSTIVE_PARTIES, EXHAUSTIVE_CENTS, EXHAUSTIVE_DENOMINATOR = 4, 40, 6


def _share_sum(weight: Any, by: str) -> Any:
    """Σ_{i=1..n} w·x_i/S where S stands for Σ_j x_j (non-zero): factor out, then use S's definition."""
    x = IndexedBase(by, real=True)
    total = Symbol(f"Σ{by}", nonzero=True)
    return factor_terms(Sum(weight * x[_I] / total, (_I, 1, _N))).subs(Sum(x[_I], (_I, 1, _N)), total)


def weighted_key_total(weights: Sequence[tuple[Any, str]]) -> Fraction | None:
    """Σ over the members of a weighted key with components (weight, by): None when it is 1 for
    every number of members, else what it totals."""
    total = sum((_share_sum(Rational(weight), by) for weight, by in weights), Rational(0))
    if simplify(total - 1) == 0:
        return None
    return Fraction(str(total))


def exact_shares() -> bool:
    """Σ_i A·k_i = A when Σ_i k_i = 1."""
    k, amount = IndexedBase("k", real=True), Symbol("A", real=True)
    shares = factor_terms(Sum(amount * k[_I], (_I, 1, _N))).subs(Sum(k[_I], (_I, 1, _N)), 1)
    return bool(simplify(shares - amount) == 0)


def domain() -> dict[str, int]:
    """The finite domain of `exhaustive`."""
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


def scaled_sheet_total() -> bool:
    """Σ_r (Σ_c w_rc/T·(1 − F) + F_r) = 1 with T = Σ_rc w_rc and F = Σ_r F_r."""
    worth = IndexedBase("w", real=True)  # w[r, c] = v_c · n_rc
    total, fixed = Symbol("T", nonzero=True), IndexedBase("F", real=True)
    fixed_total = Symbol("F_totaal", real=True)
    computed = factor_terms(
        Sum(worth[_R, _C] / total * (1 - fixed_total), (_C, 1, _N_COLUMNS), (_R, 1, _N_ROWS))
    )
    computed = computed.subs(Sum(worth[_R, _C], (_C, 1, _N_COLUMNS), (_R, 1, _N_ROWS)), total)
    fixed_sum = Sum(fixed[_R], (_R, 1, _N_ROWS)).subs(Sum(fixed[_R], (_R, 1, _N_ROWS)), fixed_total)
    return bool(simplify(computed + fixed_sum - 1) == 0)


def _rows_columns(term: Any) -> Any:
    return Sum(term, (_C, 1, _N_COLUMNS), (_R, 1, _N_ROWS))


def _fixed_total() -> Any:
    """Σ_r F_r, replaced by its total F (the fixed cells of art. 4 lid 2 onder b–f together)."""
    fixed, fixed_total = IndexedBase("F", real=True), Symbol("F_totaal", real=True)
    return Sum(fixed[_R], (_R, 1, _N_ROWS)).subs(Sum(fixed[_R], (_R, 1, _N_ROWS)), fixed_total), fixed_total


def agreed_kept_total() -> bool:
    """ "vast": Σ_rc (d_rc·a_rc + (1 − d_rc)·w_rc·(1 − F − A)/O) + F = 1, where d_rc is 1 for an agreed
    cell and 0 for another, A = Σ_rc d_rc·a_rc (the agreed cells together) and O = Σ_rc (1 − d_rc)·w_rc
    (the indicatiewaarde of the other cells, non-zero) — for any number of rows and columns, any
    agreed cells and percentages."""
    worth, agreed, chosen = (IndexedBase(x, real=True) for x in ("w", "a", "d"))
    others, agreed_total = Symbol("O", nonzero=True), Symbol("A", real=True)
    fixed_sum, fixed_total = _fixed_total()
    room = 1 - fixed_total - agreed_total
    kept = _rows_columns(chosen[_R, _C] * agreed[_R, _C])
    shared = factor_terms(_rows_columns((1 - chosen[_R, _C]) * worth[_R, _C] * room / others))
    cells = (kept + shared).subs(
        {kept: agreed_total, _rows_columns((1 - chosen[_R, _C]) * worth[_R, _C]): others}
    )
    return bool(simplify(cells + fixed_sum - 1) == 0)


def agreed_scaled_total() -> bool:
    """ "mee_schalen": Σ_rc v_rc·(1 − F)/T + F = 1 with v_rc the cells after the agreed ones replaced
    computed ones and T = Σ_rc v_rc (non-zero)."""
    cells, together = IndexedBase("v", real=True), Symbol("T", nonzero=True)
    fixed_sum, fixed_total = _fixed_total()
    scaled = factor_terms(_rows_columns(cells[_R, _C] * (1 - fixed_total) / together))
    scaled = scaled.subs(_rows_columns(cells[_R, _C]), together)
    return bool(simplify(scaled + fixed_sum - 1) == 0)


def pro_rata_total() -> bool:
    """Σ (o_i + (n_i − s_i)·f) = 1 when Σ o_i = Σ n_i = Σ s_i = 1: s is the old key in force on the
    date (the old key itself, or its last sheet when agreed deviations changed it within the year)."""
    old, new, share = IndexedBase("o", real=True), IndexedBase("n", real=True), Symbol("f", real=True)
    replaced = IndexedBase("s", real=True)
    n = Symbol("N", integer=True, positive=True)
    i = Symbol("i", integer=True, positive=True)
    totals = {Sum(old[i], (i, 1, n)): 1, Sum(new[i], (i, 1, n)): 1, Sum(replaced[i], (i, 1, n)): 1}
    adjusted = factor_terms(Sum(old[i] + (new[i] - replaced[i]) * share, (i, 1, n)).expand())
    adjusted = simplify(adjusted.subs(totals).doit().subs(totals))
    return bool(simplify(adjusted - 1) == 0)


def difference_of_distributions() -> bool:
    """Σ_i (a_i − b_i) = A − A = 0 when Σ_i a_i = Σ_i b_i = A: two distributions of one amount."""
    a, b, amount = IndexedBase("a", real=True), IndexedBase("b", real=True), Symbol("A", real=True)
    difference = Sum(a[_I], (_I, 1, _N)) - Sum(b[_I], (_I, 1, _N))
    return bool(
        simplify(difference.subs({Sum(a[_I], (_I, 1, _N)): amount, Sum(b[_I], (_I, 1, _N)): amount})) == 0
    )


def rationed_below_claim() -> bool:
    """a·c/C − c < 0 when a < C: available = C − d for some d > 0, so a·c/C − c = −c·d/C < 0."""
    available, claims, claim = symbols("a C c", positive=True)
    below_claim = simplify(
        (available * claim / claims - claim).subs(available, claims - Symbol("d", positive=True))
    )
    return bool((below_claim < 0) is true)
