"""One evaluation from files: fact file → rule file in force (or the one given) → evaluation.

The commands `evaluate`, `validate` (for fact files) and later `explain` and `letters` share it,
so that all of them refuse the same inputs in the same words; `explain_file` and
`letters_for_file` are the whole of those two commands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from convenant.check import registry
from convenant.check.checking import load_rule_file
from convenant.check.facts import Facts, check_facts, read_header
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.language.model import RuleFile


def load_for_facts(
    facts_path: Path, rules_file: Path | None = None, display: str | None = None
) -> tuple[RuleFile, Facts]:
    """The checked rule file for a fact file, and the checked facts; `display` names the fact file
    in messages when it is not its path (an upload)."""
    header = read_header(facts_path, display)
    year_at = header.document.locate(("year",))
    if rules_file is not None:
        rules = load_rule_file(rules_file)
        registry.check_year(rules, header.year, year_at)
    else:
        rules = registry.in_force(header.covenant, header.year, location=year_at)
    registry.check_first_year(rules, header.year, year_at)
    return rules, check_facts(header, rules)


def evaluate_file(facts_path: Path, rules_file: Path | None = None, display: str | None = None) -> Evaluation:
    rules, facts = load_for_facts(facts_path, rules_file, display)
    return evaluate(rules, facts)


def explain_file(facts: Path, rules_file: Path | None, fmt: str, lang: str, member: str | None) -> str:
    """`convenant explain`: the facts' evaluation explained, for every result or one municipality."""
    return explain_evaluation(evaluate_file(facts, rules_file), fmt, lang, member)


def explain_evaluation(ev: Evaluation, fmt: str, lang: str, member: str | None) -> str:
    """An evaluation explained as `convenant explain` prints it (the web's explain says the same)."""
    from convenant.explain import explain  # Jinja2 and the explainers only for the commands that render

    code = explain.member_of(ev, member) if member else None
    if fmt == "json":  # the explanation as data: its sentences as the Markdown explanation says them
        data = explain.to_json(explain.explain(ev, "md", lang, code))
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return explain.render(explain.explain(ev, fmt, lang, code), fmt)


def letters_for_file(
    facts: Path,
    rules_file: Path | None,
    out: Path,
    formats: tuple[str, ...],
    lang: str,
    date_option: str | None,
    act: str | None = None,
    profile_file: Path | None = None,
    docx_template: Path | None = None,
    record: Callable[[Evaluation, dict[str, bytes]], None] | None = None,
) -> list[str]:
    """`convenant letters`: check the rules, the facts, the templates and the sender profile,
    evaluate, make every letter of the act in memory, then write them all at once. Returns the
    names written. `record`: given the evaluation and the letters once they are written (the
    register, `convenant letters --register`)."""
    from convenant.letters import letters
    from convenant.letters.profile import load_profile
    from convenant.letters.template_check import check_templates

    letters.earlier_letters(out)  # refuse a folder of the user's before any work is done
    profile = load_profile(profile_file) if profile_file is not None else None
    letters.house_style(docx_template)  # refuse a template that cannot make letters before any work
    rules, checked = load_for_facts(facts, rules_file)
    check_templates(rules, disk=True)
    formats = formats or letters.FORMATS  # none asked for: every format
    ev = evaluate(rules, checked)
    files = letters.make_letters(
        ev, formats, lang, date_option, act, profile, docx_template, letters.workers()
    )
    letters.write_folder(files, out)
    if record is not None:
        record(ev, files)
    return list(files)


def verify_letter_file(
    given: str,
    facts: Path,
    rules_file: Path | None,
    profile_file: Path | None,
    lang: str,
    act: str | None,
    date_option: str | None,
    docx_template: Path | None = None,
) -> Any:
    """`convenant verify-letter`: the letter (file or kenmerk) against the letters these inputs give."""
    from convenant.letters.letters import house_style
    from convenant.letters.profile import for_letters, load_profile
    from convenant.letters.reproduce import verify

    layout = house_style(docx_template)
    ev = evaluate_file(facts, rules_file)
    profile = load_profile(profile_file) if profile_file is not None else for_letters(ev)
    return verify(given, ev, profile, lang, act, date_option, layout)
