"""`convenant explain`: a snapshot of a fixed case, exactly the dependent sentences and amounts
change with a percentage, interpretations always shown, and the arithmetic of each primitive.

Update the snapshot after an intended change with:  UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_explain.py
"""

from __future__ import annotations

import os
import re
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from convenant.check.checking import load_rule_file
from convenant.check.facts import check_facts, read_header
from convenant.core.diagnostics import ConvenantError
from convenant.core.units import Kind
from convenant.evaluation.evaluate import evaluate
from convenant.explain import explain, explainers
from convenant.language import expr, formula, trace
from convenant.primitives import distribute
from convenant.render import templating
from convenant.workflow.session import evaluate_file
from tests.conftest import ASSEN_CODES, ASSEN_FACTS, assen_facts, assen_rules, evaluate_assen, write_facts
from tests.explain_support import copy_rules
from tests.paths import REPO_ROOT

SNAPSHOT = REPO_ROOT / "tests" / "snapshots" / "explain-assen-2024-GM1701.md"
NBSP = "\xa0"


def chunks(markdown: str) -> list[str]:
    """The explanation cut at its level-2 headings; the first chunk is the header."""
    return re.split(r"^## ", markdown, flags=re.MULTILINE)


def explained(rules_path, facts_path=ASSEN_FACTS, member=None):
    rules = load_rule_file(rules_path)
    ev = evaluate(rules, check_facts(read_header(facts_path), rules))
    x = explain.explain(ev, "md", "nl", member)
    return ev, x, explain.render(x, "md")


def by_section(x, text: str) -> dict[tuple[str, str | None], str]:
    parts = chunks(text)[1 : 1 + len(x.sections)]
    assert len(parts) == len(x.sections)
    return {(s.rule.name, s.member): part for s, part in zip(x.sections, parts, strict=True)}


def depends_on(ev, name: str) -> set[str]:
    """The rules whose value depends on `name`, read from the trace."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for rule, node in ev.nodes.items():
            if rule not in found and any(i.name == name or i.name in found for i in node.inputs):
                found.add(rule)
                changed = True
    return found


def test_snapshot_of_the_explanation_for_westerveld(run):
    # Westerveld (GM1701): share ≈ 4,9864 % of € 461.876,55 = 2.303.121,7356 cents, floor 2.303.121,
    # remainder 0,7356 is among the 4 largest of 9, so one extra cent: € 23.031,22.
    result = run("explain", str(ASSEN_FACTS), "--municipality", "GM1701")
    assert result.exit_code == 0, result.output
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == SNAPSHOT.read_text(encoding="utf-8")
    assert f"€{NBSP}23.031,22 (Westerveld ontvangt €{NBSP}23.031,22)" in result.stdout


def test_a_municipality_may_be_named(run):
    by_code = run("explain", str(ASSEN_FACTS), "--municipality", "GM1690")
    by_name = run("explain", str(ASSEN_FACTS), "--municipality", "de wolden")
    assert by_code.exit_code == 0 and by_code.stdout == by_name.stdout
    unknown = run("explain", str(ASSEN_FACTS), "--municipality", "Groningen")
    assert unknown.exit_code == 1
    assert "‘Groningen’ is geen partij bij dit convenant" in unknown.stderr


def test_changing_one_percentage_changes_exactly_what_depends_on_it(tmp_path):
    ev, x, before = explained(REPO_ROOT / "rules/assen/2024-v1.6.yaml")
    copy = copy_rules(tmp_path, "value: 5\n", "value: 6\n")
    ev2, x2, after = explained(copy)
    dependent = depends_on(ev, "percentage_uitvoeringsbudget_mo")
    assert dependent == {"uitvoeringsbudget_mo", "resultaat_mo", "reserve_mo_eind"}
    old, new = by_section(x, before), by_section(x2, after)
    assert old.keys() == new.keys()
    changed = {key for key in old if old[key] != new[key]}
    assert changed == {key for key in old if key[0] in dependent}
    values_changed = {n for n in ev.nodes if ev.nodes[n].value != ev2.nodes[n].value}
    assert values_changed == dependent
    # 6 % × € 6.283.417,00 = € 377.005,02 exactly; resultaat_mo = 6.283.417,00 − 377.005,02 − 6.100.000,00
    assert f"€{NBSP}377.005,02" in new[("uitvoeringsbudget_mo", None)]
    assert f"€{NBSP}-193.588,02" in new[("resultaat_mo", None)]


def test_switching_an_interpretation_changes_its_paragraph(tmp_path):
    _, x, before = explained(REPO_ROOT / "rules/assen/2024-v1.6.yaml")
    copy = copy_rules(tmp_path, "chosen: ten_laste_van_resultaat_bw", "chosen: buiten_resultaat_bw")
    _, x2, after = explained(copy)
    old, new = by_section(x, before)[("resultaat_bw", None)], by_section(x2, after)[("resultaat_bw", None)]
    paragraph = "### Interpretaties waarop deze uitkomst steunt"
    assert old.split(paragraph)[1] != new.split(paragraph)[1]
    assert "**I-A-8.9** (artikel 8, negende lid), `buiten_resultaat_bw`: Nee: de toegemoetkoming" in new
    assert "`ten_laste_van_resultaat_bw`" not in new.split(paragraph)[1]
    summary = chunks(after)[-1]
    assert "gekozen lezing `buiten_resultaat_bw`" in summary
    assert "andere lezing `ten_laste_van_resultaat_bw`" in summary
    # 38.412.000,00 − 35.950.123,45 − 1.850.000,00 = 611.876,55 (the € 150.000,00 no longer counts)
    assert (
        f"€{NBSP}611.876,55" in new and "toegemoetkoming in de uitvoeringskosten" not in new.split("###")[0]
    )


def test_every_interpretation_used_is_in_the_explanation():
    ev, x, text = explained(REPO_ROOT / "rules/assen/2024-v1.6.yaml")
    sections = by_section(x, text)
    used = set()
    for (name, _member), part in sections.items():
        for ident in ev.nodes[name].interpretations:
            reading = " ".join(ev.rules.interpretations[ident].chosen_reading.split())
            assert f"**{ident}**" in part and reading in part, (name, ident)
            used.add(ident)
    summary = chunks(text)[-1]
    assert used == {"I-A-5.1", "I-A-8.5", "I-A-8.9", "I-ATW"}  # I-A-5.1: the cases
    for ident in used:
        assert f"### {ident} (" in summary


def test_a_default_is_named_as_such(tmp_path):
    data = assen_facts()
    del data["facts"]["toegemoetkoming_regiogemeenten"]
    ev = evaluate_file(write_facts(tmp_path, data))
    text = explain.render(explain.explain(ev, "md"), "md")
    row = next(line for line in text.splitlines() if line.startswith("| `toegemoetkoming_regiogemeenten`"))
    assert "standaardwaarde uit het regelbestand is gebruikt" in row and f"€{NBSP}0,00" in row


def test_html_is_autoescaped_and_markdown_is_not(tmp_path):
    (tmp_path / "probe.j2").write_text("{{ value }}", encoding="utf-8")
    context = {"value": "<script>alert(1)</script> & co"}
    assert templating.render("html", tmp_path, "rules/probe.j2", context) == (
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"
    )
    assert templating.render("md", tmp_path, "rules/probe.j2", context) == context["value"]


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_section_shared_by_explanations_is_rendered_once_and_reads_the_same(fmt, monkeypatch):
    """The letters of an act share their sections (`explain(kept=…)`) and their sections' texts
    (`render(rendered=…)`): each text is made once, and every explanation reads as made alone."""
    ev = evaluate_file(ASSEN_FACTS)
    made: list[str] = []
    real = templating.render

    def counted(fmt_: str, folder: object, name: str, context: object) -> str:
        made.append(name)
        return real(fmt_, folder, name, context)  # type: ignore[arg-type]

    kept: dict = {}
    rendered: explain.RenderedSections = {}
    shared = {}
    monkeypatch.setattr(templating, "render", counted)
    for code in ASSEN_CODES[:3]:
        ex = explain.explain(ev, fmt, "nl", code, kept=kept)
        shared[code] = explain.render(ex, fmt, standalone=False, rendered=rendered)
    sections = made.count("engine/explanation_section.j2")
    monkeypatch.setattr(templating, "render", real)
    alone = {
        code: explain.render(explain.explain(ev, fmt, "nl", code), fmt, standalone=False)
        for code in ASSEN_CODES[:3]
    }
    assert shared == alone
    assert sections == len(kept) < 3 * len(explain.explain(ev, fmt, "nl", ASSEN_CODES[0]).sections)


def test_the_sandbox_refuses_python_internals(tmp_path):
    (tmp_path / "probe.j2").write_text("{{ value.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(ConvenantError) as caught:
        templating.render("md", tmp_path, "rules/probe.j2", {"value": "x"})
    problem = caught.value.problems[0]
    assert problem.code == "template.unsafe" and problem.args["name"] == "__class__"
    assert problem.location is not None and problem.location.path.endswith("probe.j2")
    assert problem.location.column == 10  # under __class__


def _money_tree(text: str) -> expr.Node:
    tree = expr.parse(text)
    expr.check(tree, lambda name: expr.Type(Kind.PERCENTAGE if name == "p" else Kind.MONEY), lambda _: None)
    return tree


def _worked(text: str, values: dict[str, Fraction]) -> formula.Arithmetic:
    """The arithmetic of `text`, from what evaluating it recorded."""
    tree = _money_tree(text)
    evaluated = trace.Recorder(expr.Evaluator(values, {}, {}), text).record(tree, None, None)
    return formula.arithmetic(text, tree, evaluated)


def test_a_bracketed_subtraction_is_its_own_step():
    # a − (b − c) = 10,00 − (4,00 − 1,00) = 10,00 − 3,00 = 7,00; not 10,00 − 4,00 − 1,00
    values = {"a": Fraction(10), "b": Fraction(4), "c": Fraction(1)}
    work = _worked("a - (b - c)", values)
    assert work.filled == f"€{NBSP}10,00 − €{NBSP}3,00"
    assert work.result == f"€{NBSP}7,00"
    assert [(s.symbols, s.filled, s.result) for s in work.steps] == [
        ("b - c", f"€{NBSP}4,00 − €{NBSP}1,00", f"€{NBSP}3,00")
    ]


def test_rounding_shows_the_exact_amount_before_it():
    # 5 % × € 6.283.417,01 = € 314.170,8505 exactly; rounded half away from zero: € 314.170,85
    values = {"p": Fraction(1, 20), "x": Fraction("6283417.01")}
    work = _worked("round(p * x)", values)
    assert work.steps[0].result == f"€{NBSP}314.170,8505"
    assert work.filled == f"afgerond(€{NBSP}314.170,8505)"
    assert work.result == f"€{NBSP}314.170,85"


@settings(max_examples=40, deadline=None)
@given(
    result=st.integers(-(10**9), 10**9),
    inwoners=st.lists(st.integers(1, 10**5), min_size=9, max_size=9),
    kosten=st.lists(st.integers(1, 10**8), min_size=9, max_size=9),
)
@example(result=100, inwoners=[1] * 9, kosten=[1] * 9)  # 9 equal remainders of 1/9, 1 cent left over
def test_the_distribution_explains_each_extra_cent(result, inwoners, kosten):
    ev = evaluate_assen(assen_rules(), result, inwoners, kosten)
    node = ev.nodes["aandeel_resultaat_bw"]
    scope = explainers.Scope(ev, "nl")
    for i, code in enumerate(ASSEN_CODES):
        work = distribute.explain(scope, node, code)
        part = node.details.parts[code]
        name = ev.rules.party(code).name
        assert work["reason"].startswith(f"{name} kreeg {'een' if part.extra else 'geen'} extra cent")
        assert [r["mine"] for r in work["rows"]].count(True) == 1 and work["rows"][i]["mine"]
        others = [p for c, p in node.details.parts.items() if c != code and p.remainder == part.remainder]
        crosses = any(p.extra != part.extra for p in others)
        assert (work["tie"] is not None) == crosses


def test_a_deadline_moved_by_the_termijnenwet_names_both_dates(tmp_path):
    # 1 oktober 2023 (art. 8, tweede lid, for 2024) is a Sunday: under I-ATW "toepassen" it moves
    # to Monday 2 oktober 2023, and the explanation says so.
    copy = copy_rules(tmp_path, "chosen: niet_toepassen", "chosen: toepassen")
    _ev, x, text = explained(copy)
    part = by_section(x, text)[("voorleggen_uitvoeringskosten", None)]
    assert "Verschoven van 1 oktober 2023 naar 2 oktober 2023 door de Algemene termijnenwet (zondag)" in part
    assert "`toepassen`" in part


def test_the_full_explanation_shows_each_case_decision():
    _ev, x, text = explained(REPO_ROOT / "rules/assen/2024-v1.6.yaml")
    part = by_section(x, text)[("plaatsing_nieuwe_client", "casus-2024-003")]
    held = next(line for line in part.splitlines() if line.startswith("- **Dit geval geldt —"))
    assert "`overleg_en_passende_voorziening`" in held and "(artikel 5, derde lid)" in held
    assert part.count("- Dit geval geldt niet —") == 3
