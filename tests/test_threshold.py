"""The `threshold` primitive (Groningen art. 5 lid 2: a substantial change is one of at least 5 %).

Hand-worked cases on the three-row toy sheet (tests/fixtures/toy/sheet.yaml: Pekela, Veendam and
"centraal"; columns a and b; 3 % + 5 % fixed cells in row centraal, so the computed cells share 92 %).
Each case pins one part of the rule that a one-line change of the evaluator would break:
the boundary is "at least" (exactly 5 % counts), the measure named in the test is the one compared,
and a cell that was nil counts only when it changes.
"""

from __future__ import annotations

from fractions import Fraction

from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.evaluation.evaluate import evaluate
from tests.conftest import write_facts
from tests.test_groningen_golden import PEKELA, TOY, VEENDAM

RELATIVE_TEST = (
    'tests: [{cause: aanleiding, measure: relatieve_indicatiewaarde, at_least: drempel, article: "5"}]'
)
MONEY_TEST = (
    'tests: [{cause: aanleiding, measure: indicatiewaarde, column: b, at_least: drempel, article: "5"}]'
)


def sheets(before, after, waarde=("1000.00", "500.00"), waarde_na=None):
    """Facts with counts {row: (a, b)} before and after the change; values per column a and b."""
    waarde_na = waarde_na or waarde
    members = {PEKELA: "municipalities", VEENDAM: "municipalities", "centraal": "rows"}
    data = {
        "covenant": "toy-sheet",
        "year": 2023,
        "facts": {
            "waarde": dict(zip("ab", waarde, strict=True)),
            "waarde_na": dict(zip("ab", waarde_na, strict=True)),
            "datum_wijziging": "2023-07-01",
            "aanleiding": True,  # the cause of art. 5 lid 2 (without it no test applies)
        },
        "municipalities": {
            PEKELA: {"uitkering": "600000.00"},
            VEENDAM: {"uitkering": "400000.00"},
        },
        "rows": {"centraal": {}},
    }
    for row, group in members.items():
        data[group][row]["aantal"] = dict(zip("ab", before[row], strict=True))
        data[group][row]["aantal_na"] = dict(zip("ab", after[row], strict=True))
    return data


def changed(tmp_path, data, test=RELATIVE_TEST):
    """The value of rule `wijziging` and its hits, under the toy rule file with `test` as its test."""
    text = TOY.read_text(encoding="utf-8")
    assert RELATIVE_TEST in text
    path = tmp_path / "toy-threshold.yaml"
    path.write_text(text.replace(RELATIVE_TEST, test), encoding="utf-8")
    rules = load_rule_file(path)
    node = evaluate(rules, check_facts(read_header(write_facts(tmp_path, data)), rules)).node("wijziging")
    return node.value, list(node.details.hits)


def test_a_change_of_exactly_five_percent_is_substantial(tmp_path):
    # Only row centraal changes (not a member of `among`): b from 5 to 6 indications.
    #   Σ indicatiewaarde before: Pekela 3×1.000 + 2×500 = 4.000, Veendam 1.000 + 2.000 = 3.000,
    #   centraal 5×500 = 2.500 → 9.500; after: centraal 3.000 → 10.000.
    # Every member's cell is iw / Σ × 92 %, so it moves by the factor 9.500/10.000 = 0,95: by
    # exactly 5 % of its old value, e.g. Pekela a 3.000/9.500 × 92 % → 3.000/10.000 × 92 % = 27,6 %.
    before = {PEKELA: (3, 2), VEENDAM: (1, 4), "centraal": (0, 5)}
    after = {PEKELA: (3, 2), VEENDAM: (1, 4), "centraal": (0, 6)}
    value, hits = changed(tmp_path, sheets(before, after))
    assert value is True
    pekela_a = next(h for h in hits if (h.member, h.column) == (PEKELA, "a"))
    assert pekela_a.old == Fraction(3000, 9500) * Fraction("0.92")
    assert pekela_a.new == Fraction("0.276")
    assert abs(pekela_a.new - pekela_a.old) == Fraction(5, 100) * pekela_a.old
    # all four member cells moved by the same 5 %; row centraal is not among the members
    assert sorted((h.member, h.column) for h in hits) == sorted(
        [(PEKELA, "a"), (PEKELA, "b"), (VEENDAM, "a"), (VEENDAM, "b")]
    )


def test_just_below_five_percent_is_not_substantial_and_just_above_is(tmp_path):
    # The same sheet with 100 × as many indications, so row centraal can move in small steps.
    # Before: Pekela 300 × 1.000 + 200 × 500 = 400.000, Veendam 100.000 + 200.000 = 300.000,
    # centraal 500 × 500 = 250.000 → Σ 950.000. Every member cell moves by the factor 950.000 / Σ'.
    before = {PEKELA: (300, 200), VEENDAM: (100, 400), "centraal": (0, 500)}
    cases = [
        # centraal a 1, b 597: 1.000 + 298.500 = 299.500 → Σ' 999.500; factor 0,950475…: −4,95 %
        ((1, 597), False),
        # centraal a 1, b 598: 1.000 + 299.000 = 300.000 → Σ' 1.000.000; factor 0,95: −5 % exactly
        ((1, 598), True),
        # centraal a 1, b 599: 1.000 + 299.500 = 300.500 → Σ' 1.000.500; factor 0,949525…: −5,05 %
        ((1, 599), True),
    ]
    for centraal, substantial in cases:
        after = {**before, "centraal": centraal}
        assert changed(tmp_path, sheets(before, after))[0] is substantial, centraal


def test_the_measure_named_is_the_one_compared(tmp_path):
    # Every value is raised by exactly 5 % (1.000 → 1.050, 500 → 525), counts unchanged:
    # each cell's indicatiewaarde (money) moves by 5 %, but every relative cell (its share of the
    # sheet) stays the same, because numerator and Σ grow by the same factor.
    counts = {PEKELA: (3, 2), VEENDAM: (1, 4), "centraal": (0, 2)}
    data = sheets(counts, counts, waarde_na=("1050.00", "525.00"))
    assert changed(tmp_path, data, RELATIVE_TEST) == (False, [])
    value, hits = changed(tmp_path, data, MONEY_TEST)
    # measure indicatiewaarde, column b only: Pekela 2 × 500 = 1.000 → 2 × 525 = 1.050 (+5 %);
    # Veendam 4 × 500 = 2.000 → 2.100 (+5 %).
    assert value is True
    assert [(h.member, h.column, h.old, h.new) for h in hits] == [
        (PEKELA, "b", Fraction(1000), Fraction(1050)),
        (VEENDAM, "b", Fraction(2000), Fraction(2100)),
    ]


def test_a_relative_change_is_not_a_change_of_money(tmp_path):
    # The other way round: Pekela's a goes from 3 to 4 indications and centraal's b from 2 to 0,
    # so Σ stays 8.000 − 1.000 + 1.000 = 8.000. Column b's money (indicatiewaarde) is unchanged for
    # the members; their relative cells in column a move (Pekela 3.000 → 4.000: +33 %).
    before = {PEKELA: (3, 2), VEENDAM: (1, 4), "centraal": (0, 2)}
    after = {PEKELA: (4, 2), VEENDAM: (1, 4), "centraal": (0, 0)}
    assert changed(tmp_path, sheets(before, after), MONEY_TEST) == (False, [])
    value, hits = changed(tmp_path, sheets(before, after), RELATIVE_TEST)
    assert value is True and [(h.member, h.column) for h in hits] == [(PEKELA, "a")]


def test_an_unchanged_nil_cell_is_no_change(tmp_path):
    # Pekela has no indications in column a, before and after; nothing else changes either.
    # 0 → 0 is no change, although |0 − 0| ≥ 5 % × 0 holds: a nil cell counts only when it changes.
    counts = {PEKELA: (0, 2), VEENDAM: (1, 4), "centraal": (0, 2)}
    assert changed(tmp_path, sheets(counts, counts)) == (False, [])
    assert changed(tmp_path, sheets(counts, counts), MONEY_TEST.replace("column: b, ", "")) == (False, [])


def test_a_nil_cell_that_changes_counts_whatever_the_size(tmp_path):
    # Pekela a from 0 to 1 indication among large rows. Σ before: Pekela 200 × 500 = 100.000,
    # Veendam 100 × 1.000 + 400 × 500 = 300.000, centraal 1.200 × 500 = 600.000 → 1.000.000;
    # after: Pekela + 1.000 → Σ' 1.001.000. Pekela's a cell goes from 0 to 1.000 / 1.001.000 × 92 %
    # (about 0,09 %): any change of a value that was nil counts. Every other member cell moves by
    # the factor 1.000.000 / 1.001.000 (−0,1 %), below the threshold.
    before = {PEKELA: (0, 200), VEENDAM: (100, 400), "centraal": (0, 1200)}
    after = {PEKELA: (1, 200), VEENDAM: (100, 400), "centraal": (0, 1200)}
    value, hits = changed(tmp_path, sheets(before, after))
    assert value is True
    assert [(h.member, h.column, h.old) for h in hits] == [(PEKELA, "a", 0)]
