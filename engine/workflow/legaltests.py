"""`convenant test`: the tests legal staff write beside a rule file, run and reported.

A test file sits beside its rule file with the same name and `.tests.yaml`
(`rules/assen/2024-v1.6.tests.yaml` belongs to `rules/assen/2024-v1.6.yaml`): one file per version,
so that `new-version` copies it with the rule file and `diff --tests` runs the old version's tests
against the new one. Each test names its facts (a fact file, or the facts inline), may change some
of them (`change`, at the same place as in a fact file), and says what must come out (`expect`, by
the name of a rule, deadline or duty) or that the facts must be refused (`refused`). The file is read
by the strict loader and checked by `schemas/rule-tests.schema.json`; every problem points at the
test file's line. A changed fact is located in the test file, the rest in the fact file.

Comparisons are exact: an amount to the cent, a date to the day, an outcome by its name. A key is
written as a percentage and compared at as many decimals as written (7.1018 against ≈ 7,1018 %),
because no jurist writes 84925808773404/1195841311428455; an exact fraction "a/b" is compared exactly.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import words
from convenant.check import registry
from convenant.check.checking import require_schema_line
from convenant.check.facts import FactChecker, Facts
from convenant.core import dates, messages
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path
from convenant.core.units import Kind, ValueProblem, display, parse_value
from convenant.evaluation.evaluate import MET, NOT_CHECKED, NOT_MET, Evaluation, evaluate
from convenant.language.model import RuleFile
from convenant.source import schemas
from convenant.source.loading import Document, MappingNode, Node, load_document, to_data
from convenant.source.schemas import field_name

SCHEMA = "rule-tests.schema.json"
SUFFIX = ".tests.yaml"
FieldPath = tuple[str | int, ...]
# a duty's status as a test file writes it
DUTY_WORDS = {"voldaan": MET, "niet_voldaan": NOT_MET, "niet_getoetst": NOT_CHECKED}
_FRACTION = re.compile(r"^\s*(-?[0-9]+)\s*/\s*([1-9][0-9]*)\s*$")


def suite_of(rule_file: Path) -> Path:
    """The test file of a rule file.

    >>> suite_of(Path("rules/assen/2024-v1.6.yaml")).as_posix()
    'rules/assen/2024-v1.6.tests.yaml'
    """
    return rule_file.with_name(rule_file.name.removesuffix(".yaml") + SUFFIX)


def rule_file_of(test_file: Path) -> Path:
    """The rule file a test file belongs to.

    >>> rule_file_of(Path("rules/assen/2024-v1.6.tests.yaml")).as_posix()
    'rules/assen/2024-v1.6.yaml'
    """
    return test_file.with_name(test_file.name.removesuffix(SUFFIX) + ".yaml")


# --- reading ----------------------------------------------------------------------------------


@dataclass
class _Changed(Document):
    """A fact file with some facts changed by a test: a changed fact is located in the test file."""

    change: Any = None  # the plain data of `change`
    test_doc: Document | None = None
    at: FieldPath = ()  # where `change` is in the test file
    names: dict[str, str] = field(default_factory=dict)  # CBS code → the name the test file wrote

    def _written(self, path: FieldPath) -> FieldPath:
        """A path of the fact file as the plain data of `change` holds it (a municipality by the name
        written; the nodes of `change` hold its code)."""
        if len(path) > 1 and path[0] == "municipalities" and str(path[1]) in self.names:
            return (path[0], self.names[str(path[1])], *path[2:])
        return path

    def _changed(self, path: FieldPath) -> bool:
        path = self._written(path)
        data = self.change
        for step in path:
            if not isinstance(data, dict):
                return True
            if step not in data:
                return False
            data = data[step]
        return not isinstance(data, dict)

    def locate(self, field_path: FieldPath, at_key: bool = False) -> Location:
        if self.test_doc is not None and self._changed(field_path):
            return self.test_doc.locate((*self.at, *field_path), at_key)  # its keys are codes now
        return super().locate(field_path, at_key)

    def locate_key(self, field_path: FieldPath, key: str) -> Location:
        if self.test_doc is not None and self._changed((*field_path, key)):
            return self.test_doc.locate_key((*self.at, *field_path), key)
        return super().locate_key(field_path, key)


def _merged(base: Node, over: Node) -> Node:
    """`base` with the mappings of `over` merged in; anything else in `over` replaces."""
    if not (isinstance(base, MappingNode) and isinstance(over, MappingNode)):
        return over
    changes = {k.text: (k, v) for k, v in over.items}
    items = [(k, _merged(v, changes.pop(k.text)[1]) if k.text in changes else v) for k, v in base.items]
    return MappingNode(base.line, base.column, base.end_line, base.end_column, items + list(changes.values()))


@dataclass(frozen=True)
class Expected:
    """One expected value: a result (for one member, or None), as written, and where."""

    name: str
    member: str | None  # as written: a CBS code, a municipality's name, a row or a case
    raw: Any
    location: Location


@dataclass(frozen=True)
class LegalTest:
    id: str
    description: str
    location: Location
    facts: Document
    expected: tuple[Expected, ...]
    refused: dict[str, str] | None


@dataclass(frozen=True)
class LegalTestFile:
    path: Path
    display: str
    tests: tuple[LegalTest, ...]  # empty when read without the facts
    count: int


def load_tests(path: Path, with_facts: bool = True) -> LegalTestFile:
    """Read and check a test file and (`with_facts`) the fact files it names; raise ConvenantError
    with every problem. `validate` checks the file alone: a copied rules folder may lack the examples."""
    shown = display_path(path)
    doc = load_document(path, shown)
    require_schema_line(doc, SCHEMA)
    problems = schemas.validate(doc, SCHEMA)
    if problems:
        raise ConvenantError(problems)
    found, problems = [], []
    for test_id, data in doc.data["tests"].items():
        at: FieldPath = ("tests", test_id)
        if ("expect" in data) == ("refused" in data):
            problems.append(
                Problem("tests.expect_or_refused", {}, doc.locate(at, at_key=True), field_name(at))
            )
            continue
        if not with_facts:
            continue
        try:
            facts = _facts_document(doc, path, at, data)
        except ConvenantError as error:
            problems += error.problems
            continue
        expected = []
        for name, raw in data.get("expect", {}).items():
            if isinstance(raw, dict) and not _is_period(raw):
                for member, value in raw.items():
                    expected.append(Expected(name, member, value, doc.locate((*at, "expect", name, member))))
            else:
                expected.append(Expected(name, None, raw, doc.locate((*at, "expect", name))))
        found.append(
            LegalTest(
                test_id,
                data["description"],
                doc.locate(at, at_key=True),
                facts,
                tuple(expected),
                data.get("refused"),
            )
        )
    if problems:
        raise ConvenantError(problems)
    return LegalTestFile(path, shown, tuple(found), len(doc.data["tests"]))


def _is_period(raw: dict[str, Any]) -> bool:
    return set(raw) == {"start", "end"}


def _facts_document(doc: Document, path: Path, at: FieldPath, data: dict[str, Any]) -> Document:
    node, _ = doc.node_at((*at, "facts"))
    if isinstance(data["facts"], str):
        target = path.parent / data["facts"]
        if not target.is_file():
            raise ConvenantError(
                [Problem("tests.no_fact_file", {"path": data["facts"]}, doc.locate((*at, "facts")))]
            )
        base = load_document(target, display_path(target))
    else:
        base = Document(doc.path, doc.text, doc.sha256, node, to_data(node))
    if "change" not in data:
        return base
    change, _ = doc.node_at((*at, "change"))
    names = _codes_for_names(change, path)
    root = _merged(base.root, change)
    return _Changed(
        base.path, base.text, base.sha256, root, to_data(root), data["change"], doc, (*at, "change"), names
    )


def _codes_for_names(change: Node, path: Path) -> dict[str, str]:
    """Under `change.municipalities` a test may name a municipality (no file in rules/ writes a CBS
    code; rules/municipalities.yaml knows them): the key becomes its code, in place. Returns code → name."""
    from convenant.check.checking import table_for

    found = change.get("municipalities") if isinstance(change, MappingNode) else None
    if found is None or not isinstance(found[1], MappingNode):
        return {}
    table, names = table_for(path), {}
    for key, _ in found[1].items:
        municipality = table.by_name(key.text)
        if municipality is not None:
            names[municipality.code] = key.text
            key.text = key.value = municipality.code
    return names


# --- running ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One expected value against the value computed."""

    label: str  # the result's label
    member: str  # the member's name (or "")
    article: Citation | None
    expected: str
    got: str
    ok: bool


@dataclass
class Outcome:
    test: LegalTest
    rows: list[Row] = field(default_factory=list)
    refusal: tuple[Problem, ...] = ()  # the problems the facts were refused with
    missing_refusal: bool = False  # a refusal was expected, the facts were accepted

    @property
    def passed(self) -> bool:
        if self.test.refused is not None:
            return bool(self.refusal) and _refusal_matches(self.test.refused, self.refusal)
        return not self.refusal and all(r.ok for r in self.rows)


def _refusal_matches(wanted: dict[str, str], problems: tuple[Problem, ...]) -> bool:
    codes = {p.code for p in problems}
    text = " ".join(messages.render_all(problems, lang) for lang in messages.LANGUAGES).casefold()
    return ("code" not in wanted or wanted["code"] in codes) and (
        "text" not in wanted or wanted["text"].casefold() in text
    )


def checked_facts(doc: Document, rules: RuleFile, check_period: bool = True) -> Facts:
    """The facts of a test checked as a fact file is (`session.load_for_facts`), against `rules`."""
    problems = schemas.validate(doc, schemas.FACTS)
    if problems:
        raise ConvenantError(problems)
    year = doc.data["year"]
    if check_period:
        registry.check_year(rules, year, doc.locate(("year",)))
    registry.check_first_year(rules, year, doc.locate(("year",)))
    return FactChecker(doc, rules).build()


def run(tests: LegalTestFile, rules: RuleFile, lang: str = "nl", check_period: bool = True) -> list[Outcome]:
    """Every test of `tests` against `rules`; a fault in an expectation raises ConvenantError."""
    outcomes, problems = [], []
    for test in tests.tests:
        outcome = Outcome(test)
        try:
            ev = evaluate(rules, checked_facts(test.facts, rules, check_period))
        except ConvenantError as error:
            outcome.refusal = tuple(error.problems)
            outcomes.append(outcome)
            continue
        if test.refused is not None:
            outcome.missing_refusal = True
        unknown: set[str] = set()  # a misspelt name is said once, not once per municipality under it
        for expected in test.expected:
            if expected.name in unknown:
                continue
            try:
                outcome.rows.append(_compare(ev, expected, lang))
            except _Fault as fault:
                args = (
                    {**fault.args_, "name": expected.name} if fault.code == "tests.bad_value" else fault.args_
                )
                if fault.code.startswith("tests.unknown_result"):
                    unknown.add(expected.name)
                problems.append(Problem(fault.code, args, expected.location, _field(test, expected)))
        outcomes.append(outcome)
    if problems:
        raise ConvenantError(problems)
    return outcomes


def _field(test: LegalTest, expected: Expected) -> str:
    return f"tests.{test.id}.expect.{expected.name}" + (
        f".{expected.member}" if expected.member is not None else ""
    )


class _Fault(Exception):
    def __init__(self, code: str, **args: Any) -> None:
        super().__init__(code)
        self.code, self.args_ = code, args


def _member(ev: Evaluation, per: str, written: str) -> str:
    members = ev.members.get(per, [])
    for member in members:
        if written.casefold() in (member.casefold(), ev.label(member).casefold()):
            return member
    known = ", ".join(f"{m} ({ev.label(m)})" if ev.label(m) != m else m for m in members)
    raise _Fault("tests.unknown_member", member=written, known=known)


def _compare(ev: Evaluation, expected: Expected, lang: str) -> Row:
    name = expected.name
    duty = next((d for d in ev.duties if d.name == name), None)
    if duty is not None:
        declared = ev.rules.duties[name]
        if expected.raw not in DUTY_WORDS:
            raise _Fault("tests.bad_duty", value=str(expected.raw), allowed=", ".join(DUTY_WORDS))
        status = next(k for k, v in DUTY_WORDS.items() if v == duty.status)
        ok = DUTY_WORDS[expected.raw] == duty.status

        def said(word: str) -> str:
            return words.say(f"legaltests.duty.{word}", lang)

        return Row(declared.label, "", declared.article, said(expected.raw), said(status), ok)
    node = ev.nodes.get(name)
    if node is None:
        names = [*ev.nodes, *(d.name for d in ev.duties)]
        close = difflib.get_close_matches(name, names, n=1)
        if close:
            raise _Fault("tests.unknown_result_close", name=name, closest=close[0])
        raise _Fault("tests.unknown_result", name=name, known=", ".join(names))
    rule = node.rule
    if rule.per and expected.member is None:
        raise _Fault("tests.per_member", name=name, set=rule.per)
    if not rule.per and expected.member is not None:
        raise _Fault("tests.not_per_member", name=name)
    member = _member(ev, rule.per, expected.member) if rule.per and expected.member is not None else None
    got = node.value_for(member) if node.value is not None else None
    if rule.per and isinstance(node.value, dict) and member not in node.value:
        got = None
    shown_member = ev.label(member) if member is not None else ""
    ok, wanted = _matches(rule.kind, expected.raw, got, lang)
    return Row(rule.label, shown_member, rule.cited(got), wanted, _shown(rule.kind, got, lang), ok)


def _shown(kind: Kind, value: Any, lang: str) -> str:
    if value is None:
        return words.say("legaltests.unknown", lang)
    if kind is Kind.OUTCOME:
        return str(value)
    return display(kind, value, lang)


def _decimals(raw: Any) -> int | None:
    if isinstance(raw, Decimal):
        return max(0, -int(raw.as_tuple().exponent))
    if isinstance(raw, int):
        return 0
    if isinstance(raw, str):
        number = raw.replace("%", "").strip()
        return (
            len(number.split(",", 1)[1])
            if "," in number
            else len(number.split(".", 1)[1])
            if "." in number
            else 0
        )
    return None


def _matches(kind: Kind, raw: Any, got: Any, lang: str) -> tuple[bool, str]:
    """Whether `got` is what `raw` says, and `raw` as people read it."""
    if raw is None:
        return got is None, words.say("legaltests.unknown", lang)
    try:
        if kind in (Kind.RATIO, Kind.PERCENTAGE):
            return _matches_ratio(raw, got, lang)
        if kind is Kind.PERIOD:
            if not (isinstance(raw, dict) and _is_period(raw)):
                raise _Fault("tests.bad_value", value=str(raw))
            wanted = dates.Period(parse_value(Kind.DATE, raw["start"]), parse_value(Kind.DATE, raw["end"]))
            return wanted == got, display(kind, wanted, lang)
        if kind is Kind.OUTCOME:
            return str(raw) == got, str(raw)
        wanted = parse_value(kind, raw)
    except ValueProblem:
        raise _Fault("tests.bad_value", value=str(raw)) from None
    if kind is Kind.DATE and not isinstance(wanted, date):
        raise _Fault("tests.bad_value", value=str(raw))
    return wanted == got, display(kind, wanted, lang)


def _matches_ratio(raw: Any, got: Any, lang: str) -> tuple[bool, str]:
    if isinstance(raw, str) and (match := _FRACTION.match(raw)):
        wanted = Fraction(int(match[1]), int(match[2]))
        return wanted == got, f"{raw.strip()} ({display(Kind.RATIO, wanted, lang)})"
    wanted = parse_value(Kind.PERCENTAGE, raw)
    decimals = _decimals(raw) or 0
    shown = display(Kind.RATIO, wanted, lang).removeprefix("≈ ")
    if got is None:
        return False, shown
    scaled, quantum = Fraction(got) * 100, Fraction(1, 10**decimals)
    rounded = (-1 if scaled < 0 else 1) * math.floor(abs(scaled) / quantum + Fraction(1, 2)) * quantum
    return rounded == wanted * 100, shown


# --- finding ----------------------------------------------------------------------------------


def find_test_files(target: Path | None) -> tuple[list[tuple[Path, Path]], list[Path]]:
    """(rule file, test file) pairs to run for a rule file, a test file or a folder (default: the
    rules directory), and the rule files in it that have no test file."""
    from convenant.core.paths import rules_dir

    target = target or rules_dir()
    if target.is_file() and target.name.endswith(SUFFIX):
        return [(rule_file_of(target), target)], []
    if target.is_file() or not target.exists():
        if not suite_of(target).is_file():
            raise ConvenantError([Problem("tests.no_test_file", {"path": display_path(suite_of(target))})])
        return [(target, suite_of(target))], []
    pairs: list[Path] = []
    without: list[Path] = []
    for rule_file in registry.rule_files(target):
        (pairs if suite_of(rule_file).is_file() else without).append(rule_file)
    return [(r, suite_of(r)) for r in pairs], without


# --- words ------------------------------------------------------------------------------------

WORDS = words.Languages("legaltests")


def _table(rows: Iterable[Row], lang: str) -> list[str]:
    w = WORDS[lang]
    lines = [list(w["columns"])]
    lines += [[r.label, r.member, r.article.short() if r.article else "", r.expected, r.got] for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    return [
        "      " + "  ".join(c.ljust(n) for c, n in zip(line, widths, strict=True)).rstrip() for line in lines
    ]


def outcome_text(outcome: Outcome, lang: str) -> list[str]:
    """One test: a line with ✓ or ✗, and for a failure what was expected against what came out."""
    w = WORDS[lang]
    test = outcome.test
    where = f"{test.location.path}:{test.location.line}"
    if outcome.passed:
        return [f"  ✓ {test.id} — {test.description}"]
    out = [f"  ✗ {test.id} — {test.description} ({where})"]
    if test.refused is not None and not outcome.refusal:
        out.append("      " + w["not_refused"].format(wanted=_wanted_refusal(test.refused)))
    elif test.refused is not None:
        codes = ", ".join(dict.fromkeys(p.code for p in outcome.refusal))
        out.append("      " + w["other_refusal"].format(wanted=_wanted_refusal(test.refused), codes=codes))
        out += _indented(messages.render_all(outcome.refusal, lang))
    elif outcome.refusal:
        out.append("      " + w["refused"])
        out += _indented(messages.render_all(outcome.refusal, lang))
    else:
        out += _table([r for r in outcome.rows if not r.ok], lang)
    return out


def _wanted_refusal(refused: dict[str, str]) -> str:
    return " / ".join(f"‘{v}’" for v in refused.values())


def _indented(text: str) -> list[str]:
    return ["      " + line if line else "" for line in text.splitlines()]


def report_text(runs: list[tuple[str, str, list[Outcome]]], without: list[str], lang: str) -> str:
    """Every test file's outcomes, then a count."""
    w = WORDS[lang]
    out: list[str] = []
    for rule_file, test_file, outcomes in runs:
        out.append(w["heading"].format(rules=rule_file, tests=test_file))
        for outcome in outcomes:
            out += outcome_text(outcome, lang)
        out.append("")
    for rule_file in without:
        out.append(w["without"].format(rules=rule_file))
    total = sum(len(o) for _, _, o in runs)
    failed = sum(1 for _, _, o in runs for x in o if not x.passed)
    out.append(w["summary"].format(total=total, passed=total - failed, failed=failed))
    return "\n".join(out) + "\n"


# --- diff --tests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Changed:
    """A test whose outcome the new version changes: the rows that differ, before and after."""

    test: LegalTest
    passed_before: bool
    passed_after: bool
    rows: list[tuple[Row, Row]]  # (old, new) of each expectation whose value changes
    refusal_before: tuple[str, ...]
    refusal_after: tuple[str, ...]


def changed_tests(tests: LegalTestFile, old: RuleFile, new: RuleFile, lang: str = "nl") -> list[Changed]:
    """The old version's tests run against both versions; those whose outcome differs."""
    before, after = run(tests, old, lang, check_period=False), run(tests, new, lang, check_period=False)
    found = []
    for was, now in zip(before, after, strict=True):
        rows = [(a, b) for a, b in zip(was.rows, now.rows, strict=False) if (a.got, a.ok) != (b.got, b.ok)]
        codes_was = tuple(p.code for p in was.refusal)
        codes_now = tuple(p.code for p in now.refusal)
        if rows or was.passed != now.passed or codes_was != codes_now:
            found.append(Changed(was.test, was.passed, now.passed, rows, codes_was, codes_now))
    return found


def changed_text(tests: LegalTestFile, found: list[Changed], lang: str) -> str:
    w = WORDS[lang]
    out = ["", w["diff_title"].format(tests=tests.display, count=len(tests.tests))]
    if not found:
        return "\n".join([*out, "  " + w["diff_none"]]) + "\n"
    for change in found:
        status = w["passes" if change.passed_after else "fails"]
        out.append(f"  {change.test.id} — {change.test.description}: {status}")
        for old, new in change.rows:
            article = f" ({new.article.formal(lang)})" if new.article else ""
            member = f", {new.member}" if new.member else ""
            out.append(
                "    "
                + w["diff_row"].format(
                    label=f"{new.label}{member}{article}", expected=new.expected, old=old.got, new=new.got
                )
            )
        if change.refusal_before != change.refusal_after:
            none = w["accepted"]
            out.append(
                "    "
                + w["diff_refusal"].format(
                    old=", ".join(change.refusal_before) or none, new=", ".join(change.refusal_after) or none
                )
            )
    return "\n".join(out) + "\n"


def changed_json(found: list[Changed]) -> list[dict[str, Any]]:
    return [
        {
            "test": c.test.id,
            "description": c.test.description,
            "passed_before": c.passed_before,
            "passed_after": c.passed_after,
            "results": [
                {
                    "label": new.label,
                    "member": new.member,
                    "expected": new.expected,
                    "old": old.got,
                    "new": new.got,
                }
                for old, new in c.rows
            ],
            "refusal_before": list(c.refusal_before),
            "refusal_after": list(c.refusal_after),
        }
        for c in found
    ]
