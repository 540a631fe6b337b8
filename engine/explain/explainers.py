"""The explanations' driver: a trace node (for one member) → the values its primitive's shared
template `engine/render/templates/primitives/<name>.j2` shows.

Each primitive's explainer lives in its module (`engine/primitives/<name>.py`, its `explain`) and
is registered with its template name in `engine.primitives.REGISTRY`; this module holds what
they share: `Scope`, an evaluation read in one language (it implements
`engine.primitives.base.ExplainScope`). Every value is read from the trace (the typed
`TraceNode.details` of `engine.trace`, and the inputs' values in `Evaluation.values`) and formatted
for people; nothing is evaluated or recomputed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from convenant import primitives
from convenant.core.units import Kind, percent_text
from convenant.core.wording import WORDS, show
from convenant.evaluation.evaluate import Evaluation, TraceNode


@dataclass(frozen=True)
class Scope:
    """An evaluation read in one language: kinds, values and names of members."""

    ev: Evaluation
    lang: str

    @property
    def words(self) -> dict[str, Any]:
        return WORDS[self.lang]

    def kind(self, name: str) -> Kind:
        r = self.ev.rules
        if name in r.parameters:
            return r.parameters[name].kind
        if name in r.facts:
            return r.facts[name].kind
        if name in r.rules:
            return r.rules[name].kind
        return Kind.COUNT  # `jaar`

    def label(self, name: str) -> str:
        r = self.ev.rules
        for table in (r.parameters, r.facts, r.rules):
            if name in table:
                return table[name].label
        return self.words["source_builtin"]

    def per(self, name: str) -> str | None:
        r = self.ev.rules
        for table in (r.facts, r.parameters, r.rules):
            if name in table:
                return table[name].per
        return None

    def includes(self, outer: str | None, inner: str | None) -> bool:
        """True when every member of set `inner` is a member of set `outer` (rows ⊇ municipalities)."""
        if outer is None or inner is None:
            return False
        declared = self.ev.rules.sets.get(outer)
        return outer == inner or bool(declared and declared.includes(inner))

    def value(self, name: str, member: str | None) -> Any:
        """A name's value for `member`; a value per municipality read without a member is its total;
        a value per another set (per column, per row) read without a member is the whole mapping."""
        value = self.ev.values.get(name)
        if self.per(name) is None or value is None:
            return value
        if member is not None and member in value:
            return value[member]
        decl = self.ev.rules.facts.get(name)
        if member is not None and decl is not None and decl.sparse:  # this member gave nothing
            return None
        if self.per(name) == "municipality" and self.kind(name).numeric:
            return sum(value.values(), Fraction(0))
        return value if isinstance(value, dict) else None

    def show(self, name: str, member: str | None) -> str:
        value = self.value(name, member)
        if isinstance(value, dict):  # per column (or a row of a two-dimensional fact)
            return "; ".join(
                f"{self.ev.label(k)} {show(self.kind(name), v, self.lang)}" for k, v in value.items()
            )
        return show(self.kind(name), value, self.lang)

    def member_name(self, member: str | None) -> str | None:
        return self.ev.label(member) if member else None

    def percent(self, value: Fraction) -> str:
        return percent_text(value, lang=self.lang)


Explainer = Callable[[Scope, TraceNode, str | None], dict[str, Any]]


def unknown(scope: Scope, node: TraceNode, member: str | None) -> dict[str, Any]:
    """A result whose inputs are not all known yet: what it waits for."""
    missing = ", ".join(scope.ev.waiting_for(node.name))
    return {"lines": [scope.words["unknown_because"].format(missing=missing)]}


UNKNOWN: tuple[str, Explainer] = ("lines", unknown)


def explainer_for(spec: object) -> tuple[str, Explainer]:
    """The shared template name and the explainer of the primitive a spec belongs to."""
    primitive = primitives.by_spec(spec)
    return primitive.template, primitive.explain
