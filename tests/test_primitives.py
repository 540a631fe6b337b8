"""The primitive is the unit of the code: one module per primitive, one registry.

- every registered primitive has every part the drivers need (spec, schema entry, check,
  evaluation, explainer with its template and words, proof obligations), and every primitive the
  schema allows is registered;
- the primitives reach the drivers only through `convenant.primitives.base`: no module of
  `engine/primitives/` imports a driver, and none imports sympy or numpy at module level;
- a primitive defined in one file (here, in this test) and registered is checked, evaluated,
  explained and given its proof obligations by the drivers, without touching them.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import typing
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest

from convenant import primitives
from convenant.check.checking import _Checker, table_for
from convenant.check.facts import check_facts, read_header
from convenant.core.units import Kind
from convenant.core.wording import WORDS
from convenant.evaluation.evaluate import evaluate
from convenant.explain import explain
from convenant.language import trace
from convenant.language.model import Rule
from convenant.primitives.base import (
    CheckContext,
    EvalContext,
    ExplainScope,
    Node,
    Outcome,
    ProofContext,
    Written,
)
from convenant.source.loading import parse_document
from tests.conftest import ASSEN, ASSEN_FACTS, assen_text
from tests.paths import REPO_ROOT

ENGINE = REPO_ROOT / "engine"
PRIMITIVES_DIR = ENGINE / "primitives"
DRIVERS = {
    "convenant.check.checking",
    "convenant.evaluation.evaluate",
    "convenant.explain.explain",
    "convenant.explain.explainers",
    "convenant.verify",
    "convenant.batch.vectorise",
    "convenant.batch.batch",
    "convenant.cli.cli",
}


def _schema_keys(section: str) -> set[str]:
    """The keys a rule (`rules`) or term (`deadlines`) may compute with, by the schema: its fields
    that are not the entry's own (label, article, inputs, …)."""
    schema = json.loads((REPO_ROOT / "schemas" / "rule-file.schema.json").read_text(encoding="utf-8"))
    definition = schema["$defs"]["rule" if section == "rules" else "deadline"]
    own = {"label", "article", "type", "per", "roles", "inputs", "interpretations", "warnings"}
    own |= {"settlement", "letter", "who", "decided_by"}
    return set(definition["properties"]) - own


@pytest.mark.parametrize("section", ["rules", "deadlines"])
def test_every_primitive_the_schema_allows_is_registered_and_back(section):
    assert set(primitives.keys(section)) == _schema_keys(section)


def test_the_spec_union_is_the_registered_specs():
    registered = {spec for p in primitives.REGISTRY.values() for spec in p.specs}
    assert set(typing.get_args(primitives.Spec)) == registered
    assert len(registered) == sum(len(p.specs) for p in primitives.REGISTRY.values())  # one owner each


def _words_read(module: ast.Module) -> set[str]:
    """The constant keys an explainer reads from its words: `w["…"]` and `scope.words["…"]`."""
    found = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            target = node.value
            named = isinstance(target, ast.Name) and target.id == "w"
            attribute = isinstance(target, ast.Attribute) and target.attr == "words"
            if (named or attribute) and isinstance(node.slice.value, str):
                found.add(node.slice.value)
    return found


@pytest.mark.parametrize("name", sorted(primitives.REGISTRY))
def test_every_registered_primitive_has_every_part(name):
    p = primitives.REGISTRY[name]
    assert p.section in ("rules", "deadlines")
    assert p.keys and len(p.keys) == len(p.specs)
    assert set(p.keys) <= _schema_keys(p.section)
    for part in (p.check, p.evaluate, p.explain):
        assert callable(part)
    assert isinstance(p.obligations, tuple) and all(callable(o) for o in p.obligations)
    assert p.vectorise is None or callable(p.vectorise)
    assert (ENGINE / "render" / "templates" / "primitives" / f"{p.template}.j2").is_file()
    source = ast.parse((PRIMITIVES_DIR / f"{name}.py").read_text(encoding="utf-8"))
    for lang, words in WORDS.items():
        missing = _words_read(source) - set(words)
        assert not missing, f"{name}: no words {sorted(missing)} in {lang}"
    if p.key_obligation is not None:  # a key proves the obligation a distribution relies on
        assert p.key_obligation in primitives.key_obligations()


def test_every_module_of_the_package_is_registered():
    modules = {path.stem for path in PRIMITIVES_DIR.glob("*.py")} - {"__init__", "base"}
    assert modules == set(primitives.REGISTRY)


def _imports(path) -> set[str]:
    """Every module a file imports, at any depth (also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("path", sorted(PRIMITIVES_DIR.glob("*.py")), ids=lambda p: p.name)
def test_a_primitive_imports_no_driver(path):
    """The drivers import the primitives; a primitive reaches them only through
    `convenant.primitives.base`. (In a function, a proof obligation may import what the proof
    package proves with, `convenant.proof.algebra` and the like, but never the driver
    `convenant.verify`.)"""
    imported = _imports(path)
    assert not imported & DRIVERS, f"{path.name} imports {sorted(imported & DRIVERS)}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {n.module for n in tree.body if isinstance(n, ast.ImportFrom)}
    top |= {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
    heavy = {m for m in top if m and m.split(".")[0] in ("sympy", "numpy")}
    heavy |= {m for m in top if m and m.startswith(("convenant.proof", "convenant.core.vectors"))}
    assert not heavy, f"{path.name} imports {sorted(heavy)} when it is loaded"


def test_each_primitive_module_imports_alone_in_a_fresh_interpreter():
    """No import circle: each module loads first, on its own, and loads no driver with it."""
    code = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('convenant')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
        f"    drivers = sorted(m for m in {sorted(DRIVERS)!r} if m in sys.modules)\n"
        "    assert not drivers, (name, drivers)\n"
        "    assert 'sympy' not in sys.modules and 'numpy' not in sys.modules, name\n"
    )
    names = ["convenant.primitives", *(f"convenant.primitives.{n}" for n in ("base", *primitives.REGISTRY))]
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr


def test_the_proof_modules_import_each_other_without_a_circle():
    proof = ENGINE / "proof"
    graph = {
        path.stem: {m.rsplit(".", 1)[-1] for m in _imports(path) if m.startswith("convenant.proof.")}
        for path in proof.glob("*.py")
        if path.stem != "__init__"
    }
    for start in graph:
        seen, todo = set(), list(graph[start])
        while todo:
            current = todo.pop()
            assert current != start, f"engine/proof/{start}.py imports itself through {current}"
            if current not in seen and current in graph:
                seen.add(current)
                todo += graph[current]


# --- a primitive in one file ---------------------------------------------------------------------


@dataclass(frozen=True)
class Twice:
    """A test primitive: twice an amount."""

    amount: str


def check(ctx: CheckContext, written: Written) -> tuple[Twice | None, list[str]]:
    if written.kind is not Kind.MONEY or written.per is not None:
        ctx.error("rules.result_kind", written.path, declared=written.kind, found=Kind.MONEY)
    ok = ctx.name_of_kind(written.body, written.path, (Kind.MONEY,), None)
    return (Twice(written.body) if ok else None), [written.body]


def evaluate_twice(ctx: EvalContext, rule: Rule, interpretations: list[str]) -> Outcome:
    assert isinstance(rule.spec, Twice)
    return Outcome(2 * ctx.values[rule.spec.amount], trace.Unknown(()))


def explain_twice(scope: ExplainScope, node: Node, member: str | None) -> dict[str, Any]:
    assert isinstance(node.rule.spec, Twice)
    return {"lines": [f"Twice {scope.show(node.rule.spec.amount, None)} makes {node.value}."]}


def proven_twice(rule: Rule, context: ProofContext) -> list[Any]:
    from convenant.proof.results import PROVEN, result

    return [result(rule, "twice", PROVEN)]


TWICE = primitives.Primitive(
    name="twice",
    section="rules",
    keys=("twice",),
    specs=(Twice,),
    check=check,
    evaluate=evaluate_twice,
    explain=explain_twice,
    template="lines",
    obligations=(proven_twice,),
)


@pytest.fixture
def twice():
    with primitives.registered(TWICE) as registered:
        yield registered
    assert "twice" not in primitives.REGISTRY  # undone


def _with_twice(text: str) -> str:
    rule = (
        "  dubbel_macrobudget:\n"
        "    label: Twee keer het macrobudget\n"
        '    article: "8.1"\n'
        "    type: money\n"
        "    inputs: [macrobudget_bw]\n"
        "    twice: macrobudget_bw\n"
    )
    return text.replace("\nrules:\n", "\nrules:\n" + rule, 1)


def _checked(text: str):
    """The rule file checked past its schema, which does not know a primitive defined in a test."""
    doc = parse_document(text, str(ASSEN))
    return _Checker(doc, table_for(ASSEN), ASSEN.parent).build()


def test_a_primitive_in_one_file_is_checked_evaluated_explained_and_proven(twice):
    rules = _checked(_with_twice(assen_text()))
    rule = rules.rules["dubbel_macrobudget"]
    assert rule.spec == Twice("macrobudget_bw")
    assert "twice" in primitives.keys("rules")

    ev = evaluate(rules, check_facts(read_header(ASSEN_FACTS), rules))
    assert ev.nodes["dubbel_macrobudget"].value == 2 * Fraction(ev.values["macrobudget_bw"])

    text = explain.render(explain.explain(ev, "md"), "md")
    assert "Twice " in text and f"makes {ev.values['dubbel_macrobudget']}." in text

    from convenant import verify

    assert verify.obligations(rule)[0] is proven_twice


def test_a_primitive_refused_by_its_check_is_reported_by_the_checker(twice):
    from convenant.core.diagnostics import ConvenantError

    text = _with_twice(assen_text()).replace("twice: macrobudget_bw", "twice: geen_naam")
    with pytest.raises(ConvenantError) as caught:
        _checked(text)
    assert any(p.code == "rules.unknown_name" for p in caught.value.problems)


def test_registering_a_name_twice_is_refused(twice):
    with pytest.raises(ValueError), primitives.registered(TWICE):
        pass
    assert primitives.REGISTRY["twice"] is TWICE


def test_no_word_of_the_groningen_sheet_in_the_generic_drivers():
    """The sheet's scaling options and the spreadsheet's set name belong to the sheet primitive and
    the rule file, not to the drivers."""
    for name in (
        "check/checking.py",
        "evaluation/evaluate.py",
        "explain/explain.py",
        "explain/explainers.py",
        "batch/vectorise.py",
    ):
        source = (ENGINE / name).read_text(encoding="utf-8")
        for word in ('"schalen"', '"geen"', '"row"', "SCALING_OPTIONS"):
            assert word not in source, f"{name}: {word}"
