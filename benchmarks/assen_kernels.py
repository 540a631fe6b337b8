"""Convenant Regio Assen 2024, art. 8 lid 5, written by hand in numpy: the benchmark's exact kernels.

The provision: the BW result (whole cents, either sign) is shared over the municipalities by the
key ½·inhabitants/Σinhabitants + ½·costs/Σcosts; each share is rounded to whole cents by largest
remainder on the magnitude of the result (the cents left over go to the largest remainders, equal
remainders to the earlier municipality in the rule file's order), and the sign is put back
(`convenant.core.money.largest_remainder`, DOMAIN.md).

Two kernels, both exact (tests/test_benchmark_kernels.py checks them against `fractions.Fraction`):

- `limit_shares`: a float64 guess of each share's floor, made exact by one int64 correction; the
  cents left over by pairwise comparison of the exact remainders. The fastest exact kernel this
  benchmark knows: the limit that `engine.batch` is measured against.
- `int64_shares`: integer division only (`divmod` of each half of the key), remainders ranked by a
  stable argsort. The benchmark's earlier "limit" row.

Both take the columns as scenarios come (one array per municipality) and return an (n, members)
int64 array of cents. Neither checks that the inputs are whole numbers ≥ 0 (`check_inputs` does,
outside the timing, as `from_arrays` does for the batch path); `limit_shares` checks, per chunk, the
bounds its proof of exactness needs and refuses with `ValueError` outside them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

LIMIT_CHUNK = 8_192  # scenarios per step: the working arrays of a chunk stay in the core's cache
INT64_CHUNK = 25_000  # the batch path's chunk (engine.batch.batch.CHUNK), as the benchmark always used

MAGNITUDE_BOUND = 2**48  # |result| below this: the float guess is within one of the floor (below)
PRODUCT_BOUND = 2**60  # Σinh·Σcost below this: every int64 value below is exact (below)


def check_inputs(result: np.ndarray, inhabitants: Sequence[np.ndarray], costs: Sequence[np.ndarray]) -> None:
    """The kernels' preconditions on the facts, checked once and outside the timing."""
    for column in (result, *inhabitants, *costs):
        if column.dtype != np.int64:
            raise ValueError(f"int64 columns expected, not {column.dtype}")
    if min(int(c.min(initial=0)) for c in (*inhabitants, *costs)) < 0:
        raise ValueError("inhabitants and costs must be ≥ 0")
    for columns in (inhabitants, costs):  # their sums cannot wrap around
        if len(columns) * max(int(c.max(initial=0)) for c in columns) >= 2**63:
            raise ValueError("inhabitants or costs too large to add in int64")


def limit_shares(
    result: np.ndarray,
    inhabitants: Sequence[np.ndarray],
    costs: Sequence[np.ndarray],
    chunk: int = LIMIT_CHUNK,
) -> np.ndarray:
    """Art. 8 lid 5 in whole cents: a float64 guess, an exact int64 correction, largest remainder."""
    n, members = len(result), len(inhabitants)
    if members > 127:
        raise ValueError("at most 127 members (the ranks are int8)")
    out = np.empty((n, members), dtype=np.int64)
    work = _Work(min(n, chunk), members)
    for start in range(0, n, chunk):
        end = min(n, start + chunk)
        _limit_chunk(
            result[start:end],
            [c[start:end] for c in inhabitants],
            [c[start:end] for c in costs],
            out[start:end],
            work.cut(end - start),
        )
    return out


class _Work:
    """The working arrays of a chunk, made once per call and reused (no page faults per chunk)."""

    def __init__(self, n: int, members: int) -> None:
        self.floors = np.empty((members, n), dtype=np.int64)
        self.remainders = np.empty((members, n), dtype=np.int64)
        self.rank = np.empty((members, n), dtype=np.int8)
        self.key = np.empty(n, dtype=np.int64)
        self.scratch = np.empty(n, dtype=np.int64)
        self.guess = np.empty(n, dtype=np.float64)
        self.flag = np.empty(n, dtype=np.bool_)

    def cut(self, n: int) -> _Work:
        if n == self.key.shape[0]:
            return self
        cut = object.__new__(_Work)
        for name, array in vars(self).items():
            setattr(cut, name, array[..., :n])
        return cut


def _limit_chunk(
    result: np.ndarray, inhabitants: list[np.ndarray], costs: list[np.ndarray], out: np.ndarray, work: _Work
) -> None:
    """One chunk, written into `out`.

    With M = |result|, I = Σinh, C = Σcost, municipality j's exact share is x_j = M·K_j / D with
    K_j = inh_j·C + cost_j·I and D = 2·I·C (so Σ_j K_j = D). Its floor q_j and remainder
    r_j = M·K_j − q_j·D ∈ [0, D) decide everything: the parts are q_j plus one cent for the
    M − Σq_j largest r_j (ties to the smaller j), all remainders sharing the denominator D.

    Why the result is exact (inh, cost ≥ 0 and their sums without overflow: `check_inputs`;
    I, C ≥ 1, I·C < 2^60 and M < 2^48: checked here; I·C is checked in float64, whose two roundings
    cannot bring a product ≥ 2^61 below 2^60, so D < 2^62):
    1. Integers: 0 ≤ K_j ≤ D < 2^62, so I·C, D and K_j are exact in int64. M·K_j (up to 2^110) and
       q·D are not, but int64 arithmetic in numpy wraps modulo 2^64, so r' = M·K_j − q'·D is right
       modulo 2^64; its true value lies in [−D, D) ⊂ [−2^62, 2^62) (step 2), where the value
       modulo 2^64 is the value itself.
    2. The guess: g = fl(fl(fl(K_j)·fl(M/fl(D))) + fl(1 − b)) with the bias b = M·2^-49 (exact).
       The four roundings of the product (K_j and D to float, the quotient, the product) are each
       off by at most the unit roundoff u = 2^-53 relatively, so the product is within
       ((1+u)^3/(1−u) − 1)·x_j < 5u·M of x_j; 1 − b is within u, the sum within u·(M + 1) more:
       |g − (x_j + 1 − b)| < 6u·M + 2u < 16u·M = b for M ≥ 1, so g ∈ (x_j + 1 − 2b, x_j + 1)
       ⊂ (x_j, x_j + 1) as 2b < 1 (M < 2^48); for M = 0, g = 1 exactly. So q' = trunc(g) is ⌊x_j⌋
       or ⌊x_j⌋ + 1 and r' ∈ [−D, D). One step without branches makes them the floor and the
       remainder: s = r' >> 63 (−1 where r' < 0, else 0), q = q' + s, r = r' + (D & s).
    3. Largest remainder: rank_j = #{k < j: r_k ≥ r_j} + #{k > j: r_k > r_j}, the position of j
       when sorted by remainder descending and index ascending; j gets a cent iff rank_j < M − Σq,
       which lies in [0, members).
    """
    members = len(inhabitants)
    magnitude = np.abs(result)
    total_inh, total_cost = inhabitants[0].copy(), costs[0].copy()
    for j in range(1, members):
        total_inh += inhabitants[j]
        total_cost += costs[j]
    if len(result) and (total_inh.min() < 1 or total_cost.min() < 1):
        raise ValueError("a key component totals 0: the key is undefined")
    if len(result) and (total_inh.astype(np.float64) * total_cost).max() >= PRODUCT_BOUND:
        raise ValueError("Σinhabitants·Σcosts too large for the int64 correction")
    if len(result) and magnitude.max() >= MAGNITUDE_BOUND:
        raise ValueError("|result| too large for the float guess")
    den = total_inh * total_cost
    den += den  # D = 2·I·C
    scale = magnitude / den.astype(np.float64)  # M / D
    offset = 1.0 - magnitude * 2.0**-49  # 1 − b
    key, scratch, guess, flag = work.key, work.scratch, work.guess, work.flag
    left = magnitude.copy()
    for j in range(members):
        q, r = work.floors[j], work.remainders[j]
        np.multiply(inhabitants[j], total_cost, out=key)
        np.multiply(costs[j], total_inh, out=scratch)
        key += scratch  # K_j
        guess[...] = key
        guess *= scale
        guess += offset
        q[...] = guess  # q' (step 2)
        np.multiply(magnitude, key, out=r)  # wraps modulo 2^64 (step 1)
        np.multiply(q, den, out=scratch)
        r -= scratch  # r'
        np.right_shift(r, 63, out=scratch)  # s
        q += scratch
        scratch &= den
        r += scratch
        left -= q
    rank, bits = work.rank, flag.view(np.int8)
    for j in range(members):
        rank[j] = j  # as if every earlier one came first; corrected pair by pair
    for j in range(members):
        for k in range(j + 1, members):
            np.greater(work.remainders[k], work.remainders[j], out=flag)  # k before j
            rank[j] += bits
            rank[k] -= bits
    cents_left = left.astype(np.int8)
    sign = np.sign(result)  # where the result is 0, every part is 0
    for j in range(members):
        q = work.floors[j]
        np.less(rank[j], cents_left, out=flag)
        q += flag
        q *= sign
    out[...] = work.floors.T


def int64_shares(
    result: np.ndarray,
    inhabitants: Sequence[np.ndarray],
    costs: Sequence[np.ndarray],
    chunk: int = INT64_CHUNK,
) -> np.ndarray:
    """Art. 8 lid 5 in int64 only, in chunks: each half of the key divided on its own, the
    fractional parts added over 4·Σinh·Σcost, remainders ranked by a stable sort (int64 suffices
    for the benchmark's ranges, unchecked)."""
    n = len(result)
    inh, cost = np.stack(inhabitants, axis=1), np.stack(costs, axis=1)
    return np.concatenate(
        [
            _int64_chunk(result[s : s + chunk], inh[s : s + chunk], cost[s : s + chunk])
            for s in range(0, n, chunk)
        ]
    )


def _int64_chunk(result: np.ndarray, inhabitants: np.ndarray, costs: np.ndarray) -> np.ndarray:
    magnitude = np.abs(result)[:, None]
    d1 = 2 * inhabitants.sum(axis=1, keepdims=True)
    d2 = 2 * costs.sum(axis=1, keepdims=True)
    q1, r1 = np.divmod(magnitude * inhabitants, d1)
    q2, r2 = np.divmod(magnitude * costs, d2)
    fraction = r1 * d2 + r2 * d1
    floor = q1 + q2 + fraction // (d1 * d2)
    remainder = fraction % (d1 * d2)
    left = magnitude - floor.sum(axis=1, keepdims=True)
    order = np.argsort(-remainder, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(order.shape[1]), order.shape), axis=1)
    parts = floor + (rank < left)
    return np.where(result[:, None] < 0, -parts, parts)
