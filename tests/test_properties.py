"""Invariants of distribution, proven on many generated cases (hypothesis).

- shares add up to the result, to the cent;
- every key totals exactly 1;
- negating the result negates every share (sign symmetry);
- scaling all inhabitants (or all costs) by one factor leaves the key unchanged;
- listing the facts in another order changes nothing;
- the largest remainder method: each part within one cent of its exact share, ties to the first.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.core import money
from tests.conftest import ASSEN_CODES, assen_rules, evaluate_assen

N = len(ASSEN_CODES)
inhabitants = st.lists(st.integers(0, 200_000), min_size=N, max_size=N).filter(lambda xs: sum(xs) > 0)
costs = st.lists(st.integers(0, 5_000_000_000), min_size=N, max_size=N).filter(lambda xs: sum(xs) > 0)
results = st.integers(-500_000_000, 500_000_000)


def run(result, inwoners, kosten, order=None):
    ev = evaluate_assen(assen_rules(), result, inwoners, kosten, order)
    key = ev.node("verdeelsleutel_bw").value
    shares = ev.node("aandeel_resultaat_bw").value
    return [key[c] for c in ASSEN_CODES], [money.to_cents(shares[c]) for c in ASSEN_CODES]


@settings(max_examples=150, deadline=None)
@given(results, inhabitants, costs)
def test_shares_add_up_to_the_result_and_the_key_to_one(result, inwoners, kosten):
    key, shares = run(result, inwoners, kosten)
    assert sum(key, Fraction(0)) == 1
    assert sum(shares) == result


@settings(max_examples=100, deadline=None)
@given(results, inhabitants, costs)
def test_negating_the_result_negates_every_share(result, inwoners, kosten):
    _, positive = run(result, inwoners, kosten)
    _, negative = run(-result, inwoners, kosten)
    assert negative == [-s for s in positive]


@settings(max_examples=100, deadline=None)
@given(results, inhabitants, costs, st.integers(2, 1000))
def test_scaling_inhabitants_or_costs_leaves_the_key_unchanged(result, inwoners, kosten, factor):
    key, shares = run(result, inwoners, kosten)
    assert run(result, [i * factor for i in inwoners], kosten) == (key, shares)
    assert run(result, inwoners, [k * factor for k in kosten]) == (key, shares)


@settings(max_examples=100, deadline=None)
@given(results, inhabitants, costs, st.permutations(range(N)))
def test_the_order_of_the_facts_changes_nothing(result, inwoners, kosten, order):
    assert run(result, inwoners, kosten, list(order)) == run(result, inwoners, kosten)


keys = (
    st.lists(st.integers(0, 10**6), min_size=1, max_size=15)
    .filter(lambda ws: sum(ws) > 0)
    .map(lambda ws: [Fraction(w, sum(ws)) for w in ws])
)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(10**12), 10**12), keys)
def test_largest_remainder_parts_are_within_a_cent_and_add_up(total, key):
    parts = money.largest_remainder(total, key)
    assert sum(p.cents for p in parts) == total
    for part, share in zip(parts, key, strict=True):
        exact = total * share
        assert abs(part.cents - exact) < 1
    assert [p.cents for p in money.largest_remainder(-total, key)] == [-p.cents for p in parts]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**9), st.integers(2, 40))
def test_equal_remainders_go_to_the_earliest_positions(total, n):
    parts = [p.cents for p in money.largest_remainder(total, [Fraction(1, n)] * n)]
    extra = total % n
    assert parts == [total // n + 1] * extra + [total // n] * (n - extra)


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=-(10**9), max_value=10**9))
def test_rounding_half_up_is_sign_symmetric_and_nearest(amount):
    rounded = money.round_half_up(amount)
    assert money.is_whole_cents(rounded)
    assert money.round_half_up(-amount) == -rounded
    assert abs(rounded - amount) <= Fraction(1, 200)
