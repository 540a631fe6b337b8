"""The primitives: one module each, and the one registry the drivers look them up in.

A primitive is what a rule (section `rules`) or a term (section `deadlines`) computes with:
`expression`, `weighted_key`, `distribute`, `decision`, `sheet`, `ration`, `pro_rata`,
`threshold` and `deadline` (written `on_date`, `in_month` or `after`). Its module holds its spec
(the checked model of what the rule file writes), its check, its evaluation, its explainer, its
proof obligations and, where it has one, its batch compilation; `engine.primitives.base` is the
interface it reaches the drivers through. The drivers (`engine.checking`, `engine.evaluate`,
`engine.explainers`, `engine.proof`, `engine.vectorise`) know no primitive: they look each one up
here, by the key the rule file writes or by the type of its spec.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from convenant.core.units import Kind
from convenant.language.model import Expression
from convenant.primitives import (
    deadline,
    decision,
    distribute,
    expression,
    pro_rata,
    ration,
    sheet,
    threshold,
    weighted_key,
)
from convenant.primitives.base import (
    Check,
    EvalContext,
    Evaluate,
    Explain,
    FieldPath,
    Needs,
    Obligation,
    Vectorise,
)
from convenant.primitives.deadline import After, InMonth, OnDate
from convenant.primitives.decision import Decision, DecisionCase
from convenant.primitives.distribute import Distribute
from convenant.primitives.pro_rata import ProRata
from convenant.primitives.ration import Ration
from convenant.primitives.sheet import FixedCell, Sheet
from convenant.primitives.threshold import Threshold, ThresholdTest
from convenant.primitives.weighted_key import KeyComponent, WeightedKey

# Every spec a rule can hold (`engine.model.Rule.spec`); a test keeps it equal to the registry's.
Spec = (
    Expression
    | WeightedKey
    | Distribute
    | Decision
    | Sheet
    | Ration
    | ProRata
    | Threshold
    | OnDate
    | InMonth
    | After
)


@dataclass(frozen=True)
class Primitive:
    """Everything the drivers need of one primitive."""

    name: str  # the module's name
    section: str  # where the rule file writes it: "rules" or "deadlines"
    keys: tuple[str, ...]  # the keys the rule file writes it as (most have one, named as the module)
    specs: tuple[type, ...]  # the spec types its check builds (one per key)
    check: Check
    evaluate: Evaluate
    explain: Explain
    template: str  # its explanation's shared template: engine/render/templates/primitives/<template>.j2
    obligations: tuple[Obligation, ...]  # what `verify` proves of it (empty: nothing to prove)
    vectorise: Vectorise | None = None  # its batch compilation (None: the interpreter runs it)
    key_obligation: str | None = None  # a key: the obligation a distribution over it relies on
    nested_articles: int = 0  # 1: its body is a list of items with their own article; 2: a list in it
    kinds: Mapping[str, Kind] = field(default_factory=dict)  # a section without `type`: key → kind
    relies_on: Callable[[EvalContext, Any, list[str]], None] | None = None  # interpretations, if unknown
    expressions: Callable[[Any], list[tuple[FieldPath, Expression]]] | None = None  # for `verify`
    needs: Needs | None = None  # the inputs it needs given the values known (None: all of them)


def _of(module: Any, template: str, **extra: Any) -> Primitive:
    """A primitive from its module: `check`, `evaluate`, `explain`, `OBLIGATIONS` and optionally
    `vectorise`, `KEY_OBLIGATION`, `expressions` and `needs`; its one key is its name, its spec `Spec`."""
    name = module.__name__.rsplit(".", 1)[1]
    return Primitive(
        name=name,
        section=extra.pop("section", "rules"),
        keys=extra.pop("keys", None) or (name,),
        specs=extra.pop("specs", None) or (module.Spec,),
        check=module.check,
        evaluate=module.evaluate,
        explain=module.explain,
        template=template,
        obligations=getattr(module, "OBLIGATIONS", ()),
        vectorise=getattr(module, "vectorise", None),
        key_obligation=getattr(module, "KEY_OBLIGATION", None),
        expressions=getattr(module, "expressions", None),
        needs=getattr(module, "needs", None),
        **extra,
    )


# In the order the rule file's messages list them ("give exactly one of …").
REGISTRY: dict[str, Primitive] = {
    p.name: p
    for p in (
        _of(expression, "expression"),
        _of(weighted_key, "weighted_key", nested_articles=1),
        _of(distribute, "distribute"),
        _of(decision, "decision", nested_articles=1),
        _of(sheet, "lines", nested_articles=2),
        _of(ration, "lines"),
        _of(pro_rata, "lines"),
        _of(threshold, "lines", nested_articles=2),
        _of(
            deadline,
            "deadline",
            section="deadlines",
            keys=deadline.KEYS,
            specs=deadline.SPECS,
            kinds=deadline.KINDS,
            relies_on=deadline.relies_on,
        ),
    )
}


def keys(section: str) -> tuple[str, ...]:
    """Every key a rule of `section` may compute with, in registry order."""
    return tuple(k for p in REGISTRY.values() if p.section == section for k in p.keys)


def by_key(key: str) -> Primitive | None:
    return next((p for p in REGISTRY.values() if key in p.keys), None)


def by_spec(spec: object) -> Primitive:
    """The primitive a checked spec belongs to."""
    return next(p for p in REGISTRY.values() if type(spec) in p.specs)


def find_spec(spec: object) -> Primitive | None:
    return next((p for p in REGISTRY.values() if type(spec) in p.specs), None)


def key_obligations() -> tuple[str, ...]:
    """What a distribution may rely on: the obligation of each key-like primitive."""
    return tuple(p.key_obligation for p in REGISTRY.values() if p.key_obligation)


@contextmanager
def registered(primitive: Primitive) -> Iterator[Primitive]:
    """Register a primitive for the duration of a `with` block (tests: a primitive in one file)."""
    if primitive.name in REGISTRY:
        raise ValueError(f"a primitive {primitive.name!r} is registered already")
    REGISTRY[primitive.name] = primitive
    try:
        yield primitive
    finally:
        del REGISTRY[primitive.name]


__all__ = [
    "REGISTRY",
    "After",
    "Decision",
    "DecisionCase",
    "Distribute",
    "FixedCell",
    "InMonth",
    "KeyComponent",
    "OnDate",
    "Primitive",
    "ProRata",
    "Ration",
    "Sheet",
    "Spec",
    "Threshold",
    "ThresholdTest",
    "WeightedKey",
    "by_key",
    "by_spec",
    "find_spec",
    "key_obligations",
    "keys",
    "registered",
]
