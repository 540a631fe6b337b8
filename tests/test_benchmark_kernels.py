"""The benchmark's hand-written Assen kernels (benchmarks/assen_kernels.py) give the engine's exact
cents: `money.largest_remainder` over the key in Fractions, scenario by scenario. The limit row of
the benchmark is only a limit if it is right, so it is checked here, cheaply, on random scenarios in
the benchmark's ranges and beyond, ties, negative results and zero costs."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from benchmarks.assen_kernels import check_inputs, int64_shares, limit_shares
from convenant.core.money import largest_remainder

MEMBERS = 9


def exact(result: int, inhabitants: list[int], costs: list[int]) -> list[int]:
    total_i, total_c = sum(inhabitants), sum(costs)
    key = [
        Fraction(i, 2 * total_i) + Fraction(c, 2 * total_c) for i, c in zip(inhabitants, costs, strict=True)
    ]
    return [part.cents for part in largest_remainder(result, key)]


def columns(
    rows: list[tuple[int, list[int], list[int]]],
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    result = np.array([r for r, _, _ in rows], dtype=np.int64)
    inh = np.array([i for _, i, _ in rows], dtype=np.int64).reshape(len(rows), -1)
    cost = np.array([c for _, _, c in rows], dtype=np.int64).reshape(len(rows), -1)
    return result, list(inh.T.copy()), list(cost.T.copy())


def random_rows(
    rng: np.random.Generator, n: int, members: int = MEMBERS
) -> list[tuple[int, list[int], list[int]]]:
    """The benchmark's ranges, and wider ones up to the limit kernel's bounds."""
    rows = []
    for _ in range(n):
        wide = rng.random() < 0.3
        bound = 2**47 if wide else 5 * 10**8
        result = int(rng.integers(-bound, bound, endpoint=True))
        inhabitants = rng.integers(1 if wide else 10_000, 10**6 if wide else 120_000, members, endpoint=True)
        costs = rng.integers(0, 10**10 if wide else 5 * 10**9, members, endpoint=True)
        if costs.sum() == 0:
            costs[0] = 1
        rows.append((result, inhabitants.tolist(), costs.tolist()))
    return rows


def edge_rows() -> list[tuple[int, list[int], list[int]]]:
    """Every remainder equal, halves of a cent, zero costs but one, results of 0 and ±1 cent."""
    same, zero_but_one = [50_000] * MEMBERS, [0] * (MEMBERS - 1) + [7]
    rows = []
    for result in (
        0,
        1,
        -1,
        8,
        -8,
        9,
        -9,
        10,
        5 * 10**8,
        -(5 * 10**8),
        5 * 10**8 - 1,
        2**48 - 1,
        -(2**48 - 1),
    ):
        rows += [
            (result, same, [1] * MEMBERS),  # key 1/9 each: all remainders tie
            (result, same, zero_but_one),
            (result, list(range(10_000, 10_000 + MEMBERS)), [0, 5 * 10**9] * 4 + [0]),
            (result, [120_000] * (MEMBERS - 1) + [10_000], [5 * 10**9] * MEMBERS),
            (result, [1] * MEMBERS, [2**30] * MEMBERS),
        ]
    return rows


def near_integer_rows(rng: np.random.Generator, n: int) -> list[tuple[int, list[int], list[int]]]:
    """Shares a hair (1/D) below, at, and above a whole cent, where a float64 floor goes wrong: the
    result M is chosen so that M·K_0 ≡ −1, 0 or 1 (mod D) for the first municipality's K_0."""
    rows = []
    while len(rows) < n:
        inh = rng.integers(1, 10_000, MEMBERS, endpoint=True).tolist()
        cost = rng.integers(0, 10**8, MEMBERS, endpoint=True).tolist()
        total_i, total_c = sum(inh), sum(cost)
        den, key = 2 * total_i * total_c, inh[0] * total_c + cost[0] * total_i
        if total_c == 0 or np.gcd(key, den) != 1:
            continue
        inverse = pow(key, -1, den)
        for residue in (-1, 0, 1):
            magnitude = (residue * inverse) % den or den  # M·K_0 ≡ residue (mod D), M > 0
            assert magnitude * key % den == residue % den and magnitude < 2**48
            rows += [(magnitude, inh, cost), (-magnitude, inh, cost)]
    return rows


@pytest.mark.parametrize("kernel", [limit_shares, int64_shares])
def test_the_kernels_give_the_exact_cents_in_the_benchmarks_ranges_and_at_the_edges(kernel):
    rng = np.random.default_rng(15)
    rows = [r for r in random_rows(rng, 1000) if kernel is limit_shares or abs(r[0]) <= 5 * 10**8]
    rows += [
        r
        for r in edge_rows() + near_integer_rows(rng, 60)
        if kernel is limit_shares or abs(r[0]) <= 5 * 10**8
    ]
    result, inhabitants, costs = columns(rows)
    check_inputs(result, inhabitants, costs)
    got = kernel(result, inhabitants, costs, chunk=64)  # many chunks, a short last one
    for i, (r, inh, cost) in enumerate(rows):
        assert got[i].tolist() == exact(r, inh, cost), (r, inh, cost)


def test_ties_go_to_the_earlier_municipality_and_the_sign_is_put_back():
    # 1000 cents over 3 equal shares: 333⅓ each, one cent left, to the first; the same negated
    result, inh, cost = columns([(1000, [1, 1, 1], [5, 5, 5]), (-1000, [1, 1, 1], [5, 5, 5])])
    assert limit_shares(result, inh, cost).tolist() == [[334, 333, 333], [-334, -333, -333]]
    # 2 cents, key ½·(1/4, 3/4) + ½·(1/2, 1/2) = (3/8, 5/8): exact 0.75 and 1.25; floors 0 and 1,
    # one cent left, to the larger remainder 0.75 (the first)
    result, inh, cost = columns([(2, [1, 3], [1, 1])])
    assert limit_shares(result, inh, cost).tolist() == [[1, 1]]


def test_outside_its_proof_the_limit_kernel_refuses_instead_of_guessing():
    for rows, message in [
        ([(1, [1, 1], [0, 0])], "totals 0"),
        ([(2**48, [1, 1], [1, 1])], "too large for the float guess"),
        ([(1, [2**31, 0], [2**30, 0])], "too large for the int64 correction"),
    ]:
        with pytest.raises(ValueError, match=message):
            limit_shares(*columns(rows))
    with pytest.raises(ValueError, match="≥ 0"):
        check_inputs(*columns([(1, [1, -1], [1, 1])]))
