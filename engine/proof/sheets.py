"""Proof obligations of the spreadsheet key (art. 4), its pro-rata adjustment (art. 5 lid 2) and the
rationing of a buffer (art. 5 lid 5).

- A sheet under "schalen" totals 1 for every number of rows and columns and all counts and values
  with a non-zero total T = Σ_rc v_c·n_rc: Σ_r (Σ_c v_c·n_rc/T·(1 − F) + F_r) = (1 − F) + F = 1,
  with F = Σ_r F_r the fixed cells (sympy, symbolic sums). Under "geen" no identity holds for all
  inputs; the engine refuses any sheet that does not total exactly 100 % (a guard, said as such).
- A pro-rata key of two keys that total 1 totals 1: Σ (o_i + (n_i − o_i)·f) = 1 + (1 − 1)·f = 1.
- Rationing never pays more than a claim nor more than is available, and pays out all that is
  available when rationed: an exact share a·c_i/C < c_i when a < C; the largest-remainder parts
  add up to a and lie within one cent above the exact share, which is below a whole-cent claim.
"""

from __future__ import annotations

from sympy import IndexedBase, Sum, Symbol, factor_terms, simplify, symbols, true

from convenant.model import ProRata, Ration, Rule, Sheet
from convenant.proof.keys import exhaustive, largest_remainder_lemma
from convenant.proof.results import PROVEN, UNDECIDED, Context, Result, result

KEY_OBLIGATIONS = ("key_total", "sheet_total", "pro_rata_total")  # what a distribution may rely on
_R, _C, _N_ROWS, _N_COLUMNS = symbols("r c R K", integer=True, positive=True)


def sheet_total(rule: Rule, context: Context) -> list[Result]:
    assert isinstance(rule.spec, Sheet)
    options = context.rules.interpretations[rule.spec.scaling].options
    worth = IndexedBase("w", real=True)  # w[r, c] = v_c · n_rc
    total, fixed = Symbol("T", nonzero=True), IndexedBase("F", real=True)
    fixed_total = Symbol("F_totaal", real=True)
    computed = factor_terms(
        Sum(worth[_R, _C] / total * (1 - fixed_total), (_C, 1, _N_COLUMNS), (_R, 1, _N_ROWS))
    )
    computed = computed.subs(Sum(worth[_R, _C], (_C, 1, _N_COLUMNS), (_R, 1, _N_ROWS)), total)
    fixed_sum = Sum(fixed[_R], (_R, 1, _N_ROWS)).subs(Sum(fixed[_R], (_R, 1, _N_ROWS)), fixed_total)
    schalen = simplify(computed + fixed_sum - 1) == 0
    return [
        result(
            rule,
            "sheet_total",
            PROVEN if schalen else UNDECIDED,
            interpretation=rule.spec.scaling,
            guarded="geen" in options,
        )
    ]


def pro_rata_total(rule: Rule, context: Context) -> list[Result]:
    assert isinstance(rule.spec, ProRata)
    spec = rule.spec
    keys_proven = all(any(context.proven(name, o) for o in KEY_OBLIGATIONS) for name in (spec.old, spec.new))
    if not rule.per or not keys_proven:
        return []
    old, new, share = IndexedBase("o", real=True), IndexedBase("n", real=True), Symbol("f", real=True)
    n = Symbol("N", integer=True, positive=True)
    i = Symbol("i", integer=True, positive=True)
    adjusted = factor_terms(Sum(old[i] + (new[i] - old[i]) * share, (i, 1, n)).expand())
    adjusted = adjusted.subs({Sum(old[i], (i, 1, n)): 1, Sum(new[i], (i, 1, n)): 1}).doit()
    adjusted = simplify(adjusted.subs({Sum(old[i], (i, 1, n)): 1, Sum(new[i], (i, 1, n)): 1}))
    status = PROVEN if simplify(adjusted - 1) == 0 else UNDECIDED
    return [result(rule, "pro_rata_total", status, old=spec.old, new=spec.new)]


def ration_bounds(rule: Rule, context: Context) -> list[Result]:
    assert isinstance(rule.spec, Ration)
    available, claims, claim = symbols("a C c", positive=True)
    # rationed: available = C − d for some d > 0, so a·c/C − c = −c·d/C < 0
    below_claim = simplify(
        (available * claim / claims - claim).subs(available, claims - Symbol("d", positive=True))
    )
    exact_below = (below_claim < 0) is true
    lemma, checked = largest_remainder_lemma(), exhaustive()
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
