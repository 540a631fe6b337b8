"""Rounding and distribution (engine/core/money.py and its batch twin engine/core/vectors.py), pinned so that
changing a rounding mode or a tie-break makes a test fail.

DOMAIN.md: one amount is rounded to cents half away from zero; an amount over a key is distributed by
the largest-remainder method on |amount|, ties to the party that comes first in the rule file's
party order (the preamble's), then the sign put back.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from convenant.core import money, vectors
from convenant.core.vectors import Rat, Terms
from tests.conftest import ASSEN_CODES, assen_rules, evaluate_assen
from tests.test_vectors import rat, values

cents = st.integers(-(10**12), 10**12)


# --- an amount as people read it -----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(cents)
def test_an_amount_is_written_as_babel_writes_it_in_both_languages(n):
    """money.dutch writes the euro patterns of nl_NL and en_GB itself (importing Babel cost every
    command 0.06 s): character for character what Babel writes, no-break space and sign included."""
    plain = money.plain(Fraction(n, 100))
    for lang, locale in (("nl", "nl_NL"), ("en", "en_GB")):
        assert money.dutch(Fraction(n, 100), lang) == money.babel_formatted(plain, locale), (lang, plain)


def test_an_amount_in_dutch_and_in_english():
    # 1234567,89: groups of three, points (Dutch) or commas (English); the minus after € in Dutch
    assert money.dutch(Fraction("-1234567.89"), "nl") == "€\xa0-1.234.567,89"
    assert money.dutch(Fraction("-1234567.89"), "en") == "-€1,234,567.89"
    assert money.dutch(Fraction(0), "nl") == "€\xa00,00"
    assert money._formatted("12.00", "de_DE") == money.babel_formatted("12.00", "de_DE")  # Babel's own


# --- one amount: half away from zero --------------------------------------------------------------


def test_half_a_cent_rounds_away_from_zero():
    # The amounts are exact halves of a cent; half-to-even (Python's round, Babel) would give
    # 0,02 / 0,02 / 0,00 for the first three, half-up towards +∞ would give −0,00 for −0,005.
    cases = {
        "0.005": "0.01",  # ⌊0,5 + ½⌋ = 1 cent
        "0.015": "0.02",  # ⌊1,5 + ½⌋ = 2 cent
        "0.025": "0.03",  # ⌊2,5 + ½⌋ = 3 cent (half-to-even: 2)
        "-0.005": "-0.01",  # −⌊0,5 + ½⌋ = −1 cent (towards +∞: 0)
        "-0.025": "-0.03",  # −⌊2,5 + ½⌋ = −3 cent (half-to-even: −2; towards +∞: −2)
        "0.0049999": "0.00",  # ⌊0,49999 + ½⌋ = 0: just below a half goes down
        "-0.0050001": "-0.01",
        "1234.565": "1234.57",
    }
    for amount, rounded in cases.items():
        assert money.round_half_up(Fraction(amount)) == Fraction(rounded), amount


@settings(max_examples=300, deadline=None)
@given(cents)
def test_every_exact_half_cent_rounds_away_from_zero(n):
    # (n + ½) cent lies exactly between n and n + 1 cent; away from zero is n + 1 when n ≥ 0, and
    # for the negative amount −(n + ½) it is −(n + 1). n ≥ 0 here; negatives come from the sign.
    n = abs(n)
    tie = Fraction(2 * n + 1, 200)
    assert money.round_half_up(tie) == Fraction(n + 1, 100)
    assert money.round_half_up(-tie) == -Fraction(n + 1, 100)


@settings(max_examples=300, deadline=None)
@given(st.fractions(min_value=-(10**9), max_value=10**9))
def test_rounding_is_the_nearest_cent_and_sign_symmetric(amount):
    rounded = money.round_half_up(amount)
    assert money.is_whole_cents(rounded)
    assert money.round_half_up(-amount) == -rounded
    assert abs(rounded - amount) <= Fraction(1, 200)
    if abs(rounded - amount) == Fraction(1, 200):  # a tie: away from zero
        assert abs(rounded) > abs(amount)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(cents, st.integers(1, 10**6)), min_size=1, max_size=20))
def test_the_batch_rounding_is_the_same(pairs):
    # vectors.round_half_up (numpy, whole scenarios at once) against money.round_half_up, with
    # every exact half cent added so that ties are always among the cases.
    amounts = [Fraction(p, q) for p, q in pairs] + [Fraction(2 * p + 1, 200) for p, _ in pairs]
    assert values(vectors.round_half_up(rat(amounts))) == [money.round_half_up(a) for a in amounts]


# --- an amount over a key: largest remainder ------------------------------------------------------


def test_the_left_over_cent_goes_to_the_largest_remainder():
    # 100 cent over 12,3 % / 45,6 % / 42,1 %: exact 12,3 / 45,6 / 42,1 cent; floors 12 + 45 + 42 = 99;
    # 1 cent left over goes to the largest remainder, 0,6 (the second party): 12 / 46 / 42.
    key = [Fraction("0.123"), Fraction("0.456"), Fraction("0.421")]
    parts = money.largest_remainder(100, key)
    assert [p.cents for p in parts] == [12, 46, 42]
    assert [p.remainder for p in parts] == [Fraction("0.3"), Fraction("0.6"), Fraction("0.1")]
    assert [p.extra for p in parts] == [0, 1, 0]
    # −100 cent: the same parts, negated (the method works on |amount|, not towards −∞).
    assert [p.cents for p in money.largest_remainder(-100, key)] == [-12, -46, -42]


def test_two_left_over_cents_and_a_tie_go_to_the_earlier_party():
    # 7 cent over 1/4, 1/4, 1/4, 1/8, 1/8: exact 1,75 / 1,75 / 1,75 / 0,875 / 0,875 cent; floors
    # 1 + 1 + 1 + 0 + 0 = 3, so 4 cents are left. Remainders 0,75 / 0,75 / 0,75 / 0,875 / 0,875: the
    # two of 0,875 first, then two of the three tied 0,75, the earlier ones: 2 / 2 / 1 / 1 / 1.
    key = [Fraction(1, 4)] * 3 + [Fraction(1, 8)] * 2
    assert [p.cents for p in money.largest_remainder(7, key)] == [2, 2, 1, 1, 1]


keys = (
    st.lists(st.integers(0, 50), min_size=1, max_size=12)  # small weights: many equal remainders
    .filter(lambda ws: sum(ws) > 0)
    .map(lambda ws: [Fraction(w, sum(ws)) for w in ws])
)


@settings(max_examples=400, deadline=None)
@given(cents, keys)
def test_the_extra_cents_go_to_the_largest_remainders_ties_first(total, key):
    parts = money.largest_remainder(total, key)
    assert sum(p.cents for p in parts) == total
    assert [p.cents for p in money.largest_remainder(-total, key)] == [-p.cents for p in parts]
    for i, lucky in enumerate(parts):
        assert lucky.exact == abs(total) * key[i] and lucky.floor + lucky.remainder == lucky.exact
        if not lucky.extra:
            continue
        for j, other in enumerate(parts):
            if not other.extra:  # every party without an extra cent has a smaller remainder, or
                assert lucky.remainder > other.remainder or (lucky.remainder == other.remainder and i < j)


def test_the_batch_distribution_breaks_ties_the_same_way():
    # 5 cent over nine equal shares: 5 = 9 × 0 + 5, all remainders 5/9: the first five get one cent.
    # Also 14 cent (9 × 1 + 5) and −5 cent.
    terms = Terms((Rat.of(np.ones((3, 9), dtype=np.int64), np.full((3, 1), 9)),), one=True)
    got = vectors.largest_remainder(np.array([5, 14, -5]), terms)
    assert got.tolist() == [[1] * 5 + [0] * 4, [2] * 5 + [1] * 4, [-1] * 5 + [0] * 4]


# --- the tie-break follows the rule file's party order, whatever the fact file's order ------------


def test_a_tie_between_municipalities_goes_to_the_first_in_the_preamble():
    # Assen, nine equal municipalities (same inhabitants and costs): each key share is exactly 1/9.
    # A BW result of 5 cent: every exact share is 5/9 cent, floors 0, 5 cents left over, all
    # remainders equal: one cent each to the first five parties of the preamble (Aa en Hunze, Assen,
    # Hoogeveen, Meppel, Midden-Drenthe), even when the fact file lists the municipalities backwards.
    backwards = list(reversed(range(len(ASSEN_CODES))))
    for result, expected in ((5, [1] * 5 + [0] * 4), (-5, [-1] * 5 + [0] * 4), (23, [3] * 5 + [2] * 4)):
        ev = evaluate_assen(assen_rules(), result, [1000] * 9, [100_00] * 9, order=backwards)
        shares = ev.node("aandeel_resultaat_bw").value
        assert [money.to_cents(shares[c]) for c in ASSEN_CODES] == expected, result
