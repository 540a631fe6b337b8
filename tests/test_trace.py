"""The trace records what the evaluation did, and only that: the roundings applied (not a
`round(…)` in a branch that was not taken), the branches taken with the values they compared, and
the exact value of every part an explanation shows."""

from __future__ import annotations

from fractions import Fraction

from convenant.core import money
from convenant.core.units import Kind
from convenant.language import expr, trace
from tests.examples_support import evaluated

KINDS = {"x": Kind.MONEY, "y": Kind.MONEY, "a": Kind.BOOLEAN, "b": Kind.BOOLEAN}


def recorded(text: str, values: dict[str, object]) -> trace.Evaluated:
    tree = expr.parse(text)
    expr.check(tree, lambda name: expr.Type(KINDS[name]), lambda _: None)
    return trace.Recorder(expr.Evaluator(values, {}, {}), text).record(tree, None, None)


def test_a_rounding_in_the_branch_taken_is_recorded_with_its_exact_value():
    # x = 10,005 > 0: then round(x) = 10,01 (half away from zero); exact 10,005
    done = recorded("if x > y then round(x) else y", {"x": Fraction("10.005"), "y": Fraction(0)})
    assert done.value == Fraction("10.01")
    assert done.roundings == (
        trace.Rounding(None, "round(x)", Fraction("10.005"), Fraction("10.01"), money.HALF_UP),
    )
    assert done.branches == (trace.Branch("x > y", True, (("x", Fraction("10.005")), ("y", Fraction(0)))),)


def test_a_rounding_in_the_branch_not_taken_is_not_recorded():
    done = recorded("if x > y then round(x) else y", {"x": Fraction("-0.005"), "y": Fraction(0)})
    assert done.value == 0 and done.roundings == ()
    assert [b.holds for b in done.branches] == [False]


def test_the_part_an_and_did_not_need_is_recorded_for_the_explanation_only():
    # a is false, so `a and b` never reads b; the explanation still shows b's value
    done = recorded("a and b", {"a": False, "b": True})
    assert done.value is False
    assert sorted(done.values.values(), key=str) == [False, False, True]  # a, a and b, b


def test_a_rounding_in_the_part_an_or_did_not_need_was_not_applied():
    # a is true, so `a or round(x) > y` is true without round(x): its value is shown, not as applied
    done = recorded("a or round(x) > y", {"a": True, "x": Fraction("0.005"), "y": Fraction(0)})
    assert done.value is True and done.roundings == () and done.branches == ()
    assert Fraction("0.01") in done.values.values()


def test_groningen_2022_rounds_the_buffer_claim_only_where_the_claim_exists():
    # Art. 5.5: round(kosten_taken − 105 % × budgetdeel) only for a municipality above the limit;
    # the others get 0 from the `else` branch, which rounds nothing.
    ev = evaluated("groningen-2022")
    node = ev.node("buffer_aanspraak")
    rounded = {r.member for r in node.roundings}
    assert rounded == {m for m, v in node.value.items() if v != 0} == {"GM0014", "GM0765", "GM1950"}
    for r in node.roundings:
        values = ev.values
        exact = values["kosten_taken"][r.member] - values["grens_buffer"] * values["budgetdeel"][r.member]
        assert (r.exact, r.cents, r.mode) == (exact, node.value[r.member], money.HALF_UP)
        assert r.cents == money.round_half_up(exact)
    assert node.rounding("GM0014") == money.HALF_UP and node.rounding("GM1979") is None
    details = node.details
    assert isinstance(details, trace.ExpressionDetails)
    assert [b.holds for b in details.evaluated["GM1979"].branches] == [False]


def test_a_distribution_records_each_members_exact_share_and_its_cents():
    ev = evaluated("assen-2024")
    node = ev.node("aandeel_resultaat_bw")
    details = node.details
    assert isinstance(details, trace.DistributeDetails)
    assert [r.member for r in node.roundings] == list(details.parts)
    assert sum((r.cents for r in node.roundings), Fraction(0)) == details.amount
    for r in node.roundings:
        assert r.exact == details.amount * details.key[r.member] and abs(r.exact - r.cents) < Fraction(1, 100)


def test_a_step_keeps_the_parentheses_written_around_its_operand():
    """`(a + b) * c`: the product's text starts at the parenthesis, so an explanation's step never
    shows an unbalanced ')' (it did for `(if … then … else …) * budget`)."""
    from convenant.language import expr

    text = "(a + b) * -(c)"
    tree = expr.parse(text)
    assert (tree.start, tree.end) == (0, len(text))
    assert isinstance(tree, expr.Binary) and tree.left is not None and tree.right is not None
    assert text[tree.left.start : tree.left.end] == "a + b"  # the sum itself, for its own step
    assert text[tree.right.start : tree.right.end] == "-(c)"
