"""A sample trace for a rule file: made-up facts of every declared kind, evaluated, so that
every template can be rendered before any real letter is made (`engine.template_check`).

The values are positive and differ per fact and per member, so keys have non-zero totals and no
difference of two facts is zero by accident; booleans are false. A correct rule file evaluates
on them: decisions are total by construction (checked by `verify`).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from convenant.check.facts import Case, Facts, FactValue
from convenant.core import dates
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.units import Kind
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.language.model import CASE, MUNICIPALITY, FactDecl, RuleFile
from convenant.language.parties import in_year

SAMPLE_PATH = "<voorbeeldfeiten>"
SAMPLE_CASE = "voorbeeld-1"


def _value(decl: FactDecl, i: int, j: int, year: int) -> Any:
    """A made-up value of the fact's kind: the i-th fact, the j-th member."""
    kind = decl.kind
    if kind is Kind.MONEY:
        value: Any = Fraction(1_000_000_00 + 1_234_56 * i + 5_678_91 * j, 100)
    elif kind is Kind.COUNT:
        value = 10_000 + 100 * i + 7 * j
    elif kind in (Kind.PERCENTAGE, Kind.RATIO):
        value = Fraction(1, 10 + i + j)
    elif kind is Kind.BOOLEAN:
        return False
    elif kind is Kind.DATE:
        return date(year, 3, 1)
    elif kind is Kind.TERM:
        return dates.Term(months=1)
    elif kind is Kind.DAY_MONTH:
        return dates.DayMonth(1, 3)
    elif kind is Kind.MONTH:
        return 3
    else:
        return "voorbeeld"
    return max(value, decl.minimum) if decl.minimum is not None else value


def sample_facts(rules: RuleFile) -> Facts:
    """Made-up facts for every declared fact, for the members of the covenant's first computed year."""
    year = max(rules.covenant.valid_from.year, rules.covenant.first_year or 0)
    facts = Facts(SAMPLE_PATH, "0" * 64, rules.covenant.id, year, True, None, date(year + 1, 5, 1))
    members = {MUNICIPALITY: [m.code for m in in_year(rules, year).members]}
    for name, declared in rules.sets.items():
        members[name] = (members[MUNICIPALITY] if declared.parties else []) + list(declared.extra_ids())
    case_values: dict[str, FactValue] = {}
    for i, (name, decl) in enumerate(rules.facts.items()):
        where = Location(SAMPLE_PATH, i + 1)
        if decl.sparse:  # given for none: nothing agreed (made-up agreements need not add up)
            continue

        def value(j: int, decl: FactDecl = decl, i: int = i) -> Any:
            """The j-th member's value; over a second set (columns), a value per column."""
            if decl.by is None:
                return _value(decl, i, j, year)
            return {c: _value(decl, i, j + 31 * k, year) for k, c in enumerate(members[decl.by])}

        if decl.per is None:
            facts.scalars[name] = FactValue(value(0), where)
        elif decl.per == CASE:
            case_values[name] = FactValue(value(0), where)
        elif decl.per == MUNICIPALITY or rules.sets[decl.per].parties:
            for j, member in enumerate(members[decl.per]):
                facts.per_municipality.setdefault(member, {})[name] = FactValue(value(j), where)
        else:  # per a set of columns: one mapping for the year
            facts.scalars[name] = FactValue(
                {m: _value(decl, i, j, year) for j, m in enumerate(members[decl.per])}, where
            )
    facts.cases = [Case(SAMPLE_CASE, None, case_values)] if case_values else []
    return facts


def sample_evaluation(rules: RuleFile) -> Evaluation:
    """The rule file evaluated on made-up facts; a failure says so before its own problems."""
    try:
        return evaluate(rules, sample_facts(rules))
    except ConvenantError as error:
        raise ConvenantError(
            [Problem("template.sample_failed", {"rules": rules.path}), *error.problems]
        ) from None
