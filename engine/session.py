"""One evaluation from files: fact file → rule file in force (or the one given) → evaluation.

The commands `evaluate`, `validate` (for fact files) and later `explain` and `letters` share it,
so that all of them refuse the same inputs in the same words.
"""

from __future__ import annotations

from pathlib import Path

from convenant import registry
from convenant.checking import load_rule_file
from convenant.evaluate import Evaluation, evaluate
from convenant.facts import Facts, check_facts, read_header
from convenant.model import RuleFile


def load_for_facts(facts_path: Path, rules_file: Path | None = None) -> tuple[RuleFile, Facts]:
    """The checked rule file for a fact file, and the checked facts."""
    header = read_header(facts_path)
    year_at = header.document.locate(("year",))
    if rules_file is not None:
        rules = load_rule_file(rules_file)
        registry.check_year(rules, header.year, year_at)
    else:
        rules = registry.in_force(header.covenant, header.year, location=year_at)
    registry.check_first_year(rules, header.year, year_at)
    return rules, check_facts(header, rules)


def evaluate_file(facts_path: Path, rules_file: Path | None = None) -> Evaluation:
    rules, facts = load_for_facts(facts_path, rules_file)
    return evaluate(rules, facts)
