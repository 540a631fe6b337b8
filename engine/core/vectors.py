"""Exact rationals over many scenarios at once: numpy integer arrays with proven bounds.

A `Rat` holds one exact rational per scenario (shape (n, 1)) or per scenario and member of a
set (shape (n, M)): `num / den` with `den > 0`, where `den` is a Python integer (the same for
every place) or an integer array. There are no floats anywhere.

Speed comes from numpy's int64; exactness from a proof before every operation. Each value
carries upper bounds on |num| and den (`nb`, `db`). An operation first bounds every
intermediate it will form (|a·d| ≤ nb_a·db_b, …) in Python integers; if a bound could pass
2⁶³−1 it tightens the bounds to the arrays' actual maxima, and if that is still not enough it
turns the operands into numpy object arrays of Python integers, which are exact at any size
(slower, same code). An int64 operation therefore never overflows, and nothing is ever rounded
by the machine.

Rounding happens only where the covenant says so, with the definitions of `engine.money`:
`round_half_up` (round(q) = sgn(q)·⌊|q|·100 + ½⌋ / 100) and `largest_remainder`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

LIMIT = 2**63 - 1  # the largest int64

Den = int | np.ndarray


def max_abs(array: np.ndarray) -> int:
    """The largest |value|, in Python integers (np.abs would overflow on −2⁶³)."""
    return max(int(array.max()), -int(array.min())) if array.size else 0


def integers(values: list[int]) -> np.ndarray:
    """Python integers as an int64 array, or as an object array when one does not fit."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array


def _as_object(den: Den) -> Den:
    return den.astype(object) if isinstance(den, np.ndarray) else den


@dataclass(frozen=True)
class Rat:
    """Exact rationals num/den (den > 0). `nb`, `db` bound |num| and den; None: object arrays."""

    num: np.ndarray
    den: Den
    nb: int | None
    db: int | None

    @property
    def exact_mode(self) -> bool:
        return self.nb is None

    @staticmethod
    def of(num: np.ndarray, den: Den = 1) -> Rat:
        """Wrap integer arrays and measure their bounds (object arrays stay exact)."""
        if num.dtype == object or (isinstance(den, np.ndarray) and den.dtype == object):
            return Rat(num.astype(object), _as_object(den), None, None)
        nb, db = max_abs(num), den if isinstance(den, int) else max_abs(den)
        if max(nb, db) > LIMIT:  # −2⁶³ itself: negating it would overflow
            return Rat(num.astype(object), _as_object(den), None, None)
        return Rat(num, den, nb, db)

    @staticmethod
    def constant(value: Fraction | int) -> Rat:
        value = Fraction(value)
        return Rat(
            np.array([[value.numerator]], dtype=np.int64),
            value.denominator,
            abs(value.numerator),
            value.denominator,
        )

    def tight(self) -> Rat:
        return self if self.exact_mode else Rat.of(self.num, self.den)

    def exact(self) -> Rat:
        return self if self.exact_mode else Rat(self.num.astype(object), _as_object(self.den), None, None)

    def neg(self) -> Rat:
        return Rat(-self.num, self.den, self.nb, self.db)

    def abs(self) -> Rat:
        return Rat(np.abs(self.num), self.den, self.nb, self.db)

    def member_den(self) -> bool:
        """True when the denominator may differ between the members of a set."""
        return isinstance(self.den, np.ndarray) and self.den.shape[-1] > 1


def _n(x: Rat) -> int:
    return x.nb or 0


def _d(x: Rat) -> int:
    return x.db or 1


def guard(bound: Callable[..., int], *xs: Rat) -> tuple[Rat, ...]:
    """The operands, made safe for an operation whose intermediates are bounded by `bound(*xs)`:
    int64 when the bound is proven (from the carried bounds, then from the actual maxima),
    exact object arrays otherwise."""
    if any(x.exact_mode for x in xs):
        return tuple(x.exact() for x in xs)
    if bound(*xs) <= LIMIT:
        return xs
    xs = tuple(x.tight() for x in xs)
    if bound(*xs) <= LIMIT:
        return xs
    return tuple(x.exact() for x in xs)


def _result(num: np.ndarray, den: Den, nb: int, db: int, exact: bool) -> Rat:
    return Rat(num, den, None, None) if exact else Rat(num, den, nb, db)


# --- arithmetic ------------------------------------------------------------------------------


def _scales(a: Rat, b: Rat) -> tuple[Den, Den, Den, int]:
    """Factors that bring a and b over one denominator: (fa, fb, den, bound of den)."""
    if isinstance(a.den, int) and isinstance(b.den, int):
        lcm = math.lcm(a.den, b.den)
        return lcm // a.den, lcm // b.den, lcm, lcm
    return b.den, a.den, a.den * b.den, _d(a) * _d(b)


def _scale_bounds(a: Rat, b: Rat) -> tuple[int, int, int]:
    if isinstance(a.den, int) and isinstance(b.den, int):
        lcm = math.lcm(a.den, b.den)
        return _n(a) * (lcm // a.den), _n(b) * (lcm // b.den), lcm
    return _n(a) * _d(b), _n(b) * _d(a), _d(a) * _d(b)


def aligned(a: Rat, b: Rat, headroom: int = 1) -> tuple[np.ndarray, np.ndarray, Den, int, bool]:
    """a and b over one denominator: (num_a, num_b, den, bound of the nums × headroom, exact)."""
    a, b = guard(lambda x, y: max(*_scale_bounds(x, y)) * headroom, a, b)
    bound_a, bound_b, _ = _scale_bounds(a, b)
    fa, fb, den, _ = _scales(a, b)
    return a.num * fa, b.num * fb, den, max(bound_a, bound_b) * headroom, a.exact_mode


def add(a: Rat, b: Rat) -> Rat:
    na, nb, den, bound, exact = aligned(a, b, headroom=2)
    return _result(na + nb, den, bound, _scale_bounds(a, b)[2], exact)


def sub(a: Rat, b: Rat) -> Rat:
    return add(a, b.neg())


def mul(a: Rat, b: Rat) -> Rat:
    for one, other in ((a, b), (b, a)):
        if one.num.shape == (1, 1) and one.den == 1 and one.num[0, 0] == 1:
            return other
    a, b = guard(lambda x, y: max(_n(x) * _n(y), _d(x) * _d(y)), a, b)
    return _result(a.num * b.num, a.den * b.den, _n(a) * _n(b), _d(a) * _d(b), a.exact_mode)


def div(a: Rat, b: Rat) -> tuple[Rat, np.ndarray]:
    """a / b and the mask of places where b is zero (there the value is a placeholder 0)."""
    zero = b.num == 0
    a, b = guard(lambda x, y: max(_n(x) * _d(y), _n(y) * _d(x)), a, b)
    num = np.where(zero, 0, np.where(b.num < 0, -a.num, a.num) * b.den)
    den = np.where(zero, 1, np.abs(b.num) * a.den)
    return _result(num, den, _n(a) * _d(b), _n(b) * _d(a), a.exact_mode), zero


_COMPARE = {
    "=": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def compare(op: str, a: Rat, b: Rat) -> np.ndarray:
    na, nb, _, _, _ = aligned(a, b)
    return _COMPARE[op](na, nb)


def where(condition: np.ndarray, a: Rat, b: Rat) -> Rat:
    """`a if condition else b`, place by place; each place keeps its own denominator."""
    if a.exact_mode or b.exact_mode:
        a, b = a.exact(), b.exact()
    if isinstance(a.den, int) and isinstance(b.den, int) and a.den != b.den:  # one den: their lcm
        na, nb_, den, bound, exact = aligned(a, b)
        return _result(np.where(condition, na, nb_), den, bound, den, exact)  # type: ignore[arg-type]
    num = np.where(condition, a.num, b.num)
    if isinstance(a.den, int) and a.den == b.den:
        return _result(num, a.den, max(_n(a), _n(b)), a.den, a.exact_mode)
    den = np.where(condition, a.den, b.den)
    return _result(num, den, max(_n(a), _n(b)), max(_d(a), _d(b)), a.exact_mode)


def smallest(a: Rat, b: Rat) -> Rat:
    return where(compare("<=", a, b), a, b)


def largest(a: Rat, b: Rat) -> Rat:
    return where(compare(">=", a, b), a, b)


def common_den(x: Rat) -> Rat:
    """The same values with one denominator per scenario, the lcm of its members' (shape (n, 1)).

    The lcm is taken with exact integers; the result returns to int64 when its bounds allow.
    """
    if not x.member_den():
        return x
    assert isinstance(x.den, np.ndarray)
    den = x.den.astype(object)
    lcm = np.lcm.reduce(den, axis=1, keepdims=True)
    num = x.num.astype(object) * (lcm // den)
    return Rat(num, lcm, None, None) if x.exact_mode else _back_to_int64(num, lcm)


def _back_to_int64(num: np.ndarray, den: np.ndarray) -> Rat:
    if max(max_abs(num), max_abs(den)) <= LIMIT:
        return Rat.of(num.astype(np.int64), den.astype(np.int64))
    return Rat(num, den, None, None)


def total(x: Rat) -> Rat:
    """The sum over the members of a set: shape (n, M) → (n, 1)."""
    x = common_den(x)
    members = max(x.num.shape[-1], 1)
    x = guard(lambda y: _n(y) * members, x)[0]
    num = x.num.sum(axis=-1, keepdims=True, dtype=x.num.dtype)
    return _result(num, x.den, _n(x) * members, _d(x), x.exact_mode)


def round_half_up(x: Rat) -> Rat:
    """To whole cents, half away from zero: sgn(q)·⌊(200·|num| + den) / (2·den)⌋ cents.

    The same as `engine.money.round_half_up`: |q|·100 + ½ = (200·|num| + den) / (2·den).
    """
    x = guard(lambda y: 200 * _n(y) + 2 * _d(y), x)[0]
    magnitude = (200 * np.abs(x.num) + x.den) // (2 * x.den)
    signed = np.where(x.num < 0, -magnitude, magnitude)
    return _result(signed, 100, 100 * _n(x) + 1, 100, x.exact_mode)


def cents(x: Rat) -> np.ndarray:
    """Whole cents of amounts that are whole cents (the checker proved it for money rules)."""
    if isinstance(x.den, int) and 100 % x.den == 0:
        factor = 100 // x.den
        if factor == 1:
            return x.num
        x = guard(lambda y: _n(y) * factor, x)[0]
        return x.num * factor
    x = guard(lambda y: _n(y) * 100, x)[0]
    scaled = x.num * 100
    assert not np.any(scaled % x.den), "money with a fraction of a cent"
    return scaled // x.den


def whole(x: Rat) -> np.ndarray:
    """Whole numbers of values that are whole (counts)."""
    assert not np.any(x.num % x.den), "a count that is not whole"
    return x.num // x.den


def reduced(x: Rat) -> tuple[np.ndarray, np.ndarray]:
    """Numerators and denominators in lowest terms, as `Fraction` writes them."""
    den = np.broadcast_to(x.den, x.num.shape)
    g = np.gcd(x.num, den)
    g = np.where(g == 0, 1, g)
    return x.num // g, den // g


def broadcast(x: Rat, rows: int, width: int) -> Rat:
    """A value shaped for `rows` scenarios and `width` places (1, or the members of a set)."""
    num = np.broadcast_to(x.num, (rows, width))
    den = x.den if isinstance(x.den, int) else np.broadcast_to(x.den, (rows, x.den.shape[-1]))
    return Rat(num, den, x.nb, x.db)


# --- keys and distribution -------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """Shares per member as a sum of fractions Σₖ numₖ / denₖ, each denₖ one per scenario.

    A weighted key is kept in this form: multiplying it out would put the product of all the
    component totals into one denominator, which overflows long before each term does.
    `one`: the shares are known to total exactly 1 (a weighted key whose weights total 1).
    """

    terms: tuple[Rat, ...]
    one: bool = False

    def as_rat(self) -> Rat:
        value = self.terms[0]
        for term in self.terms[1:]:
            value = add(value, term)
        return value


def not_one(key: Terms) -> np.ndarray:
    """Per scenario: do the shares fail to total exactly 1?"""
    summed = total(key.as_rat())
    return np.asarray(summed.num != summed.den)[:, 0]


def largest_remainder(amount_cents: np.ndarray, key: Terms) -> np.ndarray:
    """Distribute whole cents over a key, per scenario, exactly as `engine.money.largest_remainder`.

    The exact share of member m in |A| is Σₖ |A|·Nₖ[m]/dₖ. Each term is split on its own:
    qₖ, rₖ = divmod(|A|·Nₖ[m], dₖ). The fractions rₖ/dₖ are added over the common denominator
    D = Πₖ dₖ (`add`): F = Σₖ rₖ·(D/dₖ) < K·D, so the share's floor is Σₖ qₖ plus the (fewer
    than K) whole units in F/D, and its remainder is what is left of F, over D. D is the same for
    every member of a scenario, so ranking remainders needs only integer comparisons. The cents
    left over go one each to the largest remainders, ties to the earlier member; then the sign
    of A is put back.
    """
    if len(key.terms) == 1:  # one denominator per scenario: the float-guess kernel, exact
        term = key.terms[0]
        dens = term.den if isinstance(term.den, np.ndarray) else np.full((term.num.shape[0], 1), term.den)
        if dens.shape[-1] == 1:
            return largest_remainder_over(amount_cents, term.num, dens)
    amount = Rat.of(np.asarray(amount_cents).reshape(-1, 1))
    magnitude = amount.abs()
    floor: Any = 0
    fraction: Rat | None = None
    for term in key.terms:
        product = mul(magnitude, Rat(term.num, 1, term.nb, 1))
        den = _as_object(term.den) if product.exact_mode else term.den
        whole, rest = _divmod(product.num, den)
        floor = floor + whole
        part = _result(rest, den, term.db or 1, term.db or 1, product.exact_mode)
        fraction = part if fraction is None else add(fraction, part)
    assert fraction is not None
    rest = fraction.num
    for _ in range(len(key.terms) - 1):  # carry the whole units of F/D (fewer than K)
        carry = rest >= fraction.den
        floor = floor + carry
        rest = rest - np.where(carry, fraction.den, 0)
    left_over = magnitude.num - np.sum(floor, axis=1, keepdims=True, dtype=floor.dtype)
    parts = floor + _largest(rest, left_over, fraction.db)
    return np.where(amount.num < 0, -parts, parts)


def _divmod(a: np.ndarray, b: Den) -> tuple[np.ndarray, np.ndarray]:
    if a.dtype == object:  # numpy has no divmod for Python integers
        return a // b, a % b
    return np.divmod(a, b)


def _largest(remainder: np.ndarray, count: np.ndarray, bound: int | None) -> np.ndarray:
    """Per row: is the member among the `count` largest remainders (ties to the earlier member)?

    Fast path: one int64 key per member, remainder·2ᵇ + (M − 1 − position), unique and ordered as
    the ranking is; a member is chosen when its key is at least the count-th largest of its row.
    Otherwise a stable sort ranks the remainders.
    """
    members = remainder.shape[1]
    if members == 0:
        return np.zeros(remainder.shape, dtype=bool)
    shift = max(1, (members - 1).bit_length())
    if remainder.dtype != object and bound is not None and (bound << shift) <= LIMIT:
        keys = (remainder << shift) + (members - 1 - np.arange(members))
        ordered = np.sort(keys, axis=1)
        kth = np.take_along_axis(ordered, np.clip(members - count, 0, members - 1), axis=1)
        return (keys >= kth) & (count > 0)
    order = np.argsort(-remainder, axis=1, kind="stable")
    rank = np.empty(order.shape, dtype=np.int64)
    np.put_along_axis(rank, order, np.arange(members), axis=1)
    return rank < count


# --- one key over a denominator per scenario -------------------------------------------------

FLOAT_EXACT = 2**53  # integers below this are exact as float64
QUOTIENT = 2**50  # a float64 quotient below this is within ½ of the exact one (relative error < 2⁻⁵¹)


def floor_divmod(a: np.ndarray, num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """⌊a·num / den⌋ and a·num − ⌊…⌋·den, exactly, for a ≥ 0 (n, 1), num (n, M), den > 0 (n, 1).

    Fast path (int64, every |a|, |num|, den < 2⁵³ and |a·num/den| < 2⁵⁰): a float64 guess of the
    quotient, exact within one (two roundings of relative error 2⁻⁵³ on a quotient below 2⁵⁰ are
    less than ½ apart from it), and the remainder in int64 arithmetic modulo 2⁶⁴: the true remainder
    of the guess lies in (−den, 2·den), far inside int64, so the wrapped products give it exactly.
    One correction step makes 0 ≤ remainder < den; a remainder still outside (impossible by the
    bound, checked anyway) sends the chunk to the exact path. Otherwise: Python integers.
    """
    fast = a.dtype != object and num.dtype != object and den.dtype != object and num.size > 0
    if fast:
        top_a, top_num = max_abs(a), max_abs(num)
        fast = max(top_a, top_num, max_abs(den)) < FLOAT_EXACT and int(den.min()) > 0
    if fast:  # the largest quotient of each row, estimated in float64 with a margin of 2 for its error
        largest = np.max(np.abs(num), axis=1, keepdims=True).astype(np.float64)
        fast = float(np.max(a.astype(np.float64) * largest / den.astype(np.float64))) < QUOTIENT / 2
    if fast:
        guess = np.floor(a.astype(np.float64) * num.astype(np.float64) / den.astype(np.float64))
        quotient = guess.astype(np.int64)
        with np.errstate(over="ignore"):
            rest = a * num - quotient * den  # exact modulo 2⁶⁴, and truly in (−den, 2·den)
        low = rest < 0
        quotient = quotient - low
        rest = rest + np.where(low, den, 0)
        high = rest >= den
        quotient = quotient + high
        rest = rest - np.where(high, den, 0)
        if not np.any((rest < 0) | (rest >= den)):
            return quotient, rest
    a_, num_, den_ = a.astype(object), num.astype(object), den.astype(object)
    product = a_ * num_
    return product // den_, product % den_


def largest_remainder_over(amount_cents: np.ndarray, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """`largest_remainder` for a key num[m] / den with one den per scenario (shares that total 1):
    floor and remainder of |A|·num[m] / den exactly (`floor_divmod`), the cents left over one each to
    the largest remainders (ties to the earlier member), then the sign of A put back. The same
    arithmetic as `engine.money.largest_remainder`: ⌊x⌋ and x − ⌊x⌋ for a negative share too."""
    amount = np.asarray(amount_cents).reshape(-1, 1)
    magnitude = (
        np.abs(amount)
        if amount.dtype != object
        else np.array([[abs(v)] for v in amount[:, 0].tolist()], dtype=object).reshape(-1, 1)
    )
    rows = max(amount.shape[0], num.shape[0], np.shape(den)[0] if np.ndim(den) else 1)
    magnitude = np.broadcast_to(magnitude, (rows, 1))
    num = np.broadcast_to(num, (rows, num.shape[1]))
    den = np.broadcast_to(den, (rows, 1)) if np.ndim(den) else np.full((rows, 1), int(den))
    floor, rest = floor_divmod(magnitude, num, den)
    left_over = magnitude - np.sum(floor, axis=1, keepdims=True, dtype=floor.dtype)
    bound = None if rest.dtype == object else max_abs(np.asarray(den))
    if rest.dtype == object:
        left_over = left_over.astype(object)
    parts = floor + _largest(rest, left_over, bound)
    return np.where(amount < 0, -parts, parts)
