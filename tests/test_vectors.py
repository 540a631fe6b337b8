"""Exact arithmetic on arrays (engine/core/vectors.py) and the compiled rules (engine/batch/vectorise.py)
give what `fractions.Fraction` and the interpreter give, also past the range of int64."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from typing import Any

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from convenant.batch.batch import Batch
from convenant.batch.scenarios import Reader
from convenant.core import money, vectors
from convenant.core.diagnostics import ConvenantError
from convenant.core.vectors import Rat, Terms
from convenant.evaluation.evaluate import evaluate
from convenant.explain import report
from convenant.language.model import RuleFile
from convenant.source.spreadsheets import Table
from tests.conftest import ASSEN_CODES, assen_text, check_text, make_facts, replace_once

# Numerators from small to far past 2⁶³: the int64 path and the exact object path.
integers = st.one_of(st.integers(-(10**6), 10**6), st.integers(-(2**70), 2**70))
denominators = st.one_of(st.integers(1, 1000), st.integers(1, 2**66))
fractions = st.builds(Fraction, integers, denominators)
columns = st.lists(st.tuples(fractions, fractions), min_size=1, max_size=8)


def rat(values: list[Fraction]) -> Rat:
    """A column of fractions as a Rat with one denominator per place, int64 when it fits."""
    nums, dens = [v.numerator for v in values], [v.denominator for v in values]
    try:
        return Rat.of(
            np.array(nums, dtype=np.int64).reshape(-1, 1), np.array(dens, dtype=np.int64).reshape(-1, 1)
        )
    except OverflowError:
        return Rat.of(
            np.array(nums, dtype=object).reshape(-1, 1), np.array(dens, dtype=object).reshape(-1, 1)
        )


def values(x: Rat) -> list[Fraction]:
    den = np.broadcast_to(x.den, x.num.shape)
    return [
        Fraction(int(n), int(d)) for n, d in zip(x.num.ravel().tolist(), den.ravel().tolist(), strict=True)
    ]


# 100 drawn columns and the edges written out (before: 300 drawn, one edge): the two ends of int64,
# a sum and a product that leave it, zeros (division by zero, ties at zero), equal and opposite
# values (comparisons, smallest/largest), halves of both signs (round_half_up), and a column with
# both paths at once (numbers past 2⁶³ beside small ones)
@settings(max_examples=100, deadline=None)
@given(columns)
@example([(Fraction(-1), Fraction(-(2**63))), (Fraction(2**63 - 1), Fraction(1, 2**63 - 1))])
@example(
    [
        (Fraction(2**63 - 1), Fraction(1)),
        (Fraction(2**62), Fraction(2**62)),
        (Fraction(-(2**63)), Fraction(-1)),
    ]
)
@example([(Fraction(0), Fraction(0)), (Fraction(5, 3), Fraction(0)), (Fraction(0), Fraction(-7, 2))])
@example(
    [(Fraction(1, 2), Fraction(1, 2)), (Fraction(-1, 2), Fraction(1, 2)), (Fraction(5, 2), Fraction(-5, 2))]
)
@example(
    [
        (Fraction(2**70, 3), Fraction(1, 2**66)),
        (Fraction(-3, 2), Fraction(7)),
        (Fraction(-(2**70)), Fraction(2)),
    ]
)
def test_arithmetic_and_comparisons_are_those_of_fractions(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    x, y = rat(a), rat(b)
    assert values(vectors.add(x, y)) == [p + q for p, q in pairs]
    assert values(vectors.sub(x, y)) == [p - q for p, q in pairs]
    assert values(vectors.mul(x, y)) == [p * q for p, q in pairs]
    quotient, zero = vectors.div(x, y)
    assert zero.ravel().tolist() == [q == 0 for q in b]
    assert [v for v, z in zip(values(quotient), zero.ravel(), strict=True) if not z] == [
        p / q for p, q in pairs if q
    ]
    for op, check in (("<", Fraction.__lt__), ("=", Fraction.__eq__), (">=", Fraction.__ge__)):
        assert vectors.compare(op, x, y).ravel().tolist() == [check(p, q) for p, q in pairs]
    assert values(vectors.smallest(x, y)) == [min(p, q) for p, q in pairs]
    assert values(vectors.largest(x, y)) == [max(p, q) for p, q in pairs]
    assert values(vectors.round_half_up(x)) == [money.round_half_up(p) for p in a]
    assert values(vectors.total(Rat(x.num.reshape(1, -1), x.den.reshape(1, -1), x.nb, x.db))) == [sum(a)]


# 100 drawn keys and the edges written out (before: 300 drawn): remainders that all tie, a member
# with nothing of one term, one weight nil (0, 1), a single member, and amounts of nil, one cent of
# either sign and the largest drawn
@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(lambda ws: sum(ws) > 0),
    st.lists(st.integers(0, 10**9), min_size=1, max_size=12).filter(lambda ws: sum(ws) > 0),
    st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=6),
    st.sampled_from([(1, 2), (1, 3), (3, 4), (0, 1)]),
)
@example([1, 1, 1], [5, 5, 5], [1, -1, 2, 100], (1, 3))
@example([0, 4, 0, 9], [3, 0, 0, 1], [0, 1, -1, 10**12, -(10**12)], (1, 2))
@example([7, 7], [0, 10**9], [3, -3], (0, 1))
@example([10**6], [1], [-(10**12), 10**12, 1], (3, 4))
def test_largest_remainder_is_that_of_engine_money(inhabitants, costs, amounts, weight):
    """A two-term key w·inh/Σinh + (1 − w)·cost/Σcost, as a weighted key is compiled."""
    m = min(len(inhabitants), len(costs))
    inhabitants, costs = inhabitants[:m], costs[:m]
    if sum(inhabitants) == 0 or sum(costs) == 0:
        return
    p, q = weight
    rows = len(amounts)
    terms = (
        Rat.of(
            np.tile(np.array([[p * i for i in inhabitants]]), (rows, 1)),
            np.full((rows, 1), q * sum(inhabitants)),
        ),
        Rat.of(
            np.tile(np.array([[(q - p) * c for c in costs]]), (rows, 1)), np.full((rows, 1), q * sum(costs))
        ),
    )
    got = vectors.largest_remainder(np.array(amounts), Terms(terms, one=True))
    key = [
        Fraction(p, q) * Fraction(i, sum(inhabitants)) + Fraction(q - p, q) * Fraction(c, sum(costs))
        for i, c in zip(inhabitants, costs, strict=True)
    ]
    for row, amount in zip(got.tolist(), amounts, strict=True):
        assert row == [part.cents for part in money.largest_remainder(amount, key)]


# --- the compiler on primitives and functions beyond the Assen file ------------------------------

EXTRA_PARAMETERS = """
  drempel_inwoners:
    label: Drempel voor een grote gemeente (alleen voor deze test)
    value: 50000
    unit: count
    article: "8.5"
  percentage_opslag:
    label: Opslag op de reserve (alleen voor deze test)
    value: "0,25 %"
    unit: percentage
    article: "8.7"
"""
EXTRA_RULES = """
  sleutel_inwoners:
    label: Aandeel in de inwoners
    article: "8.5"
    type: ratio
    per: municipality
    inputs: [inwoners]
    expression: inwoners / sum(inwoners)
  verdeling_mo:
    label: Resultaat MO verdeeld naar inwoners
    article: "8.7"
    type: money
    per: municipality
    inputs: [resultaat_mo, sleutel_inwoners]
    distribute: {amount: resultaat_mo, key: sleutel_inwoners}
  begrensd_resultaat:
    label: Begrensd resultaat
    article: "8.5"
    type: money
    inputs: [resultaat_bw, resultaat_mo, reserve_mo_begin]
    expression: max(min(resultaat_bw, resultaat_mo), 0 - abs(reserve_mo_begin))
  kosten_per_inwoner:
    label: Kosten per inwoner
    article: "8.5"
    type: money
    per: municipality
    inputs: [uitvoeringskosten, inwoners]
    expression: round(uitvoeringskosten / inwoners)
  reserve_opslag:
    label: Opslag op de reserve
    article: "8.7"
    type: money
    inputs: [percentage_opslag, reserve_mo_begin]
    expression: round(percentage_opslag * reserve_mo_begin)
  grote_gemeente:
    label: Grote gemeente
    article: "8.5"
    type: boolean
    per: municipality
    inputs: [inwoners, drempel_inwoners, uitvoeringskosten]
    expression: inwoners >= drempel_inwoners and not (uitvoeringskosten = 0)
  totaal_inwoners:
    label: Inwoners van de regio
    article: "8.5"
    type: count
    inputs: [inwoners]
    expression: sum(inwoners)
  correctie:
    label: Correctie
    article: "8.5"
    type: money
    per: municipality
    inputs: [grote_gemeente, aandeel_resultaat_bw, kosten_per_inwoner]
    expression: if grote_gemeente then aandeel_resultaat_bw - kosten_per_inwoner else 0
  klasse:
    label: Klasse
    article: "8.5"
    type: outcome
    per: municipality
    inputs: [inwoners, drempel_inwoners]
    decision:
      - when: inwoners >= drempel_inwoners
        outcome: groot
        text: Groot.
      - when: inwoners < drempel_inwoners
        outcome: klein
        text: Klein.
  sleutel_verschil:
    label: Verschil tussen de verdeelsleutel en het aandeel in de inwoners
    article: "8.5"
    type: ratio
    per: municipality
    inputs: [verdeelsleutel_bw, sleutel_inwoners]
    expression: verdeelsleutel_bw - sleutel_inwoners
  verhouding_mo:
    label: Uitgaven MO als deel van de rijksuitkering
    article: "8.7"
    type: ratio
    inputs: [uitgaven_mo, rijksuitkering_mo]
    expression: uitgaven_mo / rijksuitkering_mo
"""


def extended_rules() -> Any:
    text = replace_once(assen_text(), "\nfacts:\n", EXTRA_PARAMETERS + "\nfacts:\n")
    return check_text(replace_once(text, "\ndeadlines:\n", EXTRA_RULES + "\ndeadlines:\n"))


EXTENDED = extended_rules()
SCALARS = [
    "macrobudget_bw",
    "zorgkosten_bw",
    "uitvoeringsbudget_bw",
    "rijksuitkering_mo",
    "uitgaven_mo",
    "reserve_mo_begin",
]
# up to the longest numbers a file may write (15 digits before the point, units.MAX_INTEGER_DIGITS),
# where sums and products already overflow int64 and the plan must fall back to exact integers
LONGEST_CENTS, LONGEST_COUNT = 10**17 - 1, 10**15 - 1
cents = st.one_of(
    st.sampled_from([0, 1, -1]), st.integers(-(10**11), 10**11), st.integers(-LONGEST_CENTS, LONGEST_CENTS)
)
counts = st.one_of(
    st.sampled_from([0, 50_000, 49_999]), st.integers(0, 200_000), st.integers(0, LONGEST_COUNT)
)
nonnegative = st.one_of(st.sampled_from([0, 1]), st.integers(0, 10**11), st.integers(0, LONGEST_CENTS))
scenario = st.fixed_dictionaries(
    {
        **{
            k: nonnegative
            if k in ("zorgkosten_bw", "uitvoeringsbudget_bw", "rijksuitkering_mo", "uitgaven_mo")
            else cents
            for k in SCALARS
        },
        "inwoners": st.lists(counts, min_size=9, max_size=9),
        "kosten": st.lists(nonnegative, min_size=9, max_size=9),
    }
)


def euros(c: int) -> str:
    return f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}"


def interpreted(s: dict[str, Any]) -> dict[str, str] | list[str]:
    scalars: dict[str, Any] = {k: Fraction(s[k], 100) for k in SCALARS}
    scalars["toegemoetkoming_regiogemeenten"] = Fraction(0)
    per = {
        c: {"inwoners": s["inwoners"][i], "uitvoeringskosten": Fraction(s["kosten"][i], 100)}
        for i, c in enumerate(ASSEN_CODES)
    }
    try:
        ev = evaluate(EXTENDED, make_facts(EXTENDED, 2024, scalars, per))
    except ConvenantError as error:
        return [p.code for p in error.problems]
    out = {}
    for name, node in ev.nodes.items():
        if node.rule.section != "rules" or node.rule.per == "case" or node.rule.stated is not None:
            continue  # a result a letter states (art. 8.9) is no batch output
        shown = (
            {name: node.value}
            if node.rule.per is None
            else {f"{name}.{c}": node.value[c] for c in ASSEN_CODES}
        )
        for column, value in shown.items():
            text = report.json_value(node.rule.kind, value)
            out[column] = ("true" if text else "false") if isinstance(text, bool) else str(text)
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(scenario, min_size=1, max_size=8))
def test_compiled_rules_give_the_interpreters_values_or_its_message(scenarios):
    header = (
        ["jaar", *SCALARS]
        + [f"inwoners.{c}" for c in ASSEN_CODES]
        + [f"uitvoeringskosten.{c}" for c in ASSEN_CODES]
    )
    rows = [
        ["2024", *(euros(s[k]) for k in SCALARS), *map(str, s["inwoners"]), *map(euros, s["kosten"])]
        for s in scenarios
    ]
    table = Table("s.csv", header, iter(enumerate(rows, start=2)), len(rows))
    batch = Batch(EXTENDED)
    assert batch.plan.complete
    result = batch.evaluate(next(Reader(table, EXTENDED).chunks(100)))
    for i, (s, row) in enumerate(zip(scenarios, result.rows(), strict=True)):
        expected = interpreted(s)
        cells = dict(zip(batch.header, row, strict=True))
        if isinstance(expected, list):
            assert [p.code for p in result.failed[i]] == expected
        else:
            assert {k: cells[k] for k in expected} == expected


def test_a_rule_the_compiler_leaves_to_the_interpreter_gives_the_same_rows():
    """A rule that compares deadlines (dates) has no array form: every scenario then goes
    through the interpreter, with the same columns and values."""
    rule = """
  afwikkeling_na_voorlopig:
    label: De afwikkeling valt na het voorlopige aandeel
    article: "8.6"
    type: boolean
    inputs: [afwikkeling_resultaat_bw, voorleggen_uitvoeringskosten]
    expression: afwikkeling_resultaat_bw > voorleggen_uitvoeringskosten
"""
    rules = check_text(replace_once(assen_text(), "\ndeadlines:\n", rule + "\ndeadlines:\n"))
    batch = Batch(rules)
    assert set(batch.plan.unsupported) == {
        "afwikkeling_na_voorlopig",
        "afwikkeling_resultaat_bw",  # deadlines have no array form
        "voorleggen_uitvoeringskosten",
    }
    s = {k: 100_00 for k in SCALARS} | {"inwoners": [20_000] * 9, "kosten": [1_000_00] * 9}
    header = (
        ["jaar", *SCALARS]
        + [f"inwoners.{c}" for c in ASSEN_CODES]
        + [f"uitvoeringskosten.{c}" for c in ASSEN_CODES]
    )
    row = ["2024", *(euros(s[k]) for k in SCALARS), *map(str, s["inwoners"]), *map(euros, s["kosten"])]
    result = batch.evaluate(next(Reader(Table("s.csv", header, iter([(2, row)]), 1), rules).chunks(10)))
    assert list(result.exact) == [0] and not result.vectorised.any()
    cells = dict(zip(batch.header, result.rows()[0], strict=True))
    assert cells["afwikkeling_na_voorlopig"] == "true"
    # 100 − 100 − 100 = −€ 100,00 over nine equal shares: 10.000 cents / 9 = 1.111 rest 1, the cent
    # left over goes to the first party (Aa en Hunze)
    assert cells["resultaat_bw"] == "-100.00"
    assert (
        cells["aandeel_resultaat_bw.GM1680"] == "-11.12" and cells["aandeel_resultaat_bw.GM0106"] == "-11.11"
    )


@cache
def _without_minimum() -> RuleFile:
    """Assen without the minimum of 0 on the execution costs; checked once, not per example."""
    text = replace_once(
        assen_text(),
        '    minimum: 0\n    article: "8.5b"',
        '    article: "8.5b"',
    )
    return check_text(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=9, max_size=9),
    st.integers(-(10**9), 10**9),
)
def test_a_key_over_negative_values_gives_the_interpreters_shares(costs, result):
    """Without a minimum, execution costs may be negative and their total too (a correction
    year): the shares keep their sign, as in the interpreter."""
    rules = _without_minimum()
    s = dict.fromkeys(SCALARS, 0) | {"macrobudget_bw": result, "inwoners": [10_000] * 9, "kosten": costs}
    header = (
        ["jaar", *SCALARS]
        + [f"inwoners.{c}" for c in ASSEN_CODES]
        + [f"uitvoeringskosten.{c}" for c in ASSEN_CODES]
    )
    row = ["2024", *(euros(s[k]) for k in SCALARS), *map(str, s["inwoners"]), *map(euros, s["kosten"])]
    batch = Batch(rules)
    got = batch.evaluate(next(Reader(Table("s.csv", header, iter([(2, row)]), 1), rules).chunks(10)))
    scalars = {k: Fraction(s[k], 100) for k in SCALARS} | {"toegemoetkoming_regiogemeenten": Fraction(0)}
    per = {
        c: {"inwoners": 10_000, "uitvoeringskosten": Fraction(costs[i], 100)}
        for i, c in enumerate(ASSEN_CODES)
    }
    try:
        ev = evaluate(rules, make_facts(rules, 2024, scalars, per))
    except ConvenantError as error:
        assert [p.code for p in got.failed[0]] == [p.code for p in error.problems]
        return
    cells = dict(zip(batch.header, got.rows()[0], strict=True))
    for c in ASSEN_CODES:
        assert cells[f"aandeel_resultaat_bw.{c}"] == report.json_value(
            ev.nodes["aandeel_resultaat_bw"].rule.kind, ev.nodes["aandeel_resultaat_bw"].value[c]
        )
        assert cells[f"verdeelsleutel_bw.{c}"] == report.json_value(
            ev.nodes["verdeelsleutel_bw"].rule.kind, ev.nodes["verdeelsleutel_bw"].value[c]
        )
