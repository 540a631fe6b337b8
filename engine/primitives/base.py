"""The interface between a primitive and the drivers that run it.

A primitive module (`engine/primitives/<name>.py`) holds everything of one primitive: its spec,
its check, its evaluation, its explainer, its proof obligations and, where it has one, its batch
compilation. It reaches the drivers only through the protocols below, which the drivers implement:

- `CheckContext`: the rule-file checker (`engine.checking`), while it builds the model;
- `EvalContext`: one evaluation run (`engine.evaluate`);
- `ExplainScope` and `Node`: an evaluation read in one language, and one of its trace nodes
  (`engine.explainers`, `engine.evaluate.TraceNode`);
- `ProofContext`: a `verify` run (`engine.proof.results.Context`);
- `BatchCompiler` and `BatchContext`: the batch compiler and one chunk of scenarios
  (`engine.vectorise`).

This module imports none of the drivers, so a primitive never does either: there is no import
circle. A primitive's proofs need sympy and its batch step numpy; both are imported inside the
functions that use them (sympy only in `engine.proof`), so `evaluate` loads neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from convenant.core import money
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.units import Kind
from convenant.core.wording import exact_number
from convenant.language import expr, trace
from convenant.language.model import Expression, Interpretation, Parameter, Rule, RuleFile, SetDecl

if TYPE_CHECKING:
    from convenant.check.facts import Facts
    from convenant.proof.results import Result

FieldPath = tuple[str | int, ...]
Reads = Iterable[tuple[str, str | None]]  # (name, member; None: every member) of values a failure read


# --- checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    """A primitive as the rule file writes it in one rule: its key, its body and where it is."""

    key: str  # the YAML key written (a primitive may have several: on_date, in_month, after)
    body: Any
    path: FieldPath  # (section, rule, key)
    kind: Kind  # the rule's declared result kind
    per: str | None  # the set the rule is per
    interpretations: dict[str, Interpretation]


class CheckContext(Protocol):
    """What a primitive's check may ask of the checker (`engine.checking`)."""

    @property
    def data(self) -> dict[str, Any]: ...  # the rule file as read (another rule's entry, date_policy)

    @property
    def sets(self) -> dict[str, SetDecl]: ...

    @property
    def types(self) -> dict[str, expr.Type]: ...  # every name defined, with its type

    @property
    def parameter_values(self) -> dict[str, Parameter]: ...

    @property
    def used_interpretations(self) -> set[str]: ...

    def error(
        self,
        code: str,
        path: FieldPath,
        /,
        at_key: bool = False,
        location: Location | None = None,
        **args: Any,
    ) -> None: ...

    def cite(self, text: str, path: FieldPath) -> Citation: ...

    def name_of_kind(
        self,
        name: str,
        path: FieldPath,
        kinds: tuple[Kind, ...],
        per: str | bool | None = False,
        sections: tuple[str, ...] | None = None,
        by: str | None = None,
    ) -> bool: ...

    def known_set(self, name: str, path: FieldPath) -> bool: ...

    def policy(
        self,
        interpretations: dict[str, Interpretation],
        ident: str,
        path: FieldPath,
        field: str,
        allowed: tuple[str, ...],
    ) -> bool: ...  # a switchable interpretation with only the `allowed` options (reported if not)

    def includes(self, outer: str, inner: str) -> bool: ...

    def expression(
        self,
        text: str,
        path: FieldPath,
        extra: dict[str, expr.Type] | None = None,
        interpretations: dict[str, Interpretation] | None = None,
    ) -> Expression | None: ...

    def check_result(
        self, path: FieldPath, result: expr.Type, sets: set[str], kind: Kind, per: str | None
    ) -> None: ...

    def stray_sets(self, sets: set[str], per: str | None) -> set[str]: ...


# --- evaluating --------------------------------------------------------------------------------


class Node(Protocol):
    """One result of an evaluation (`engine.evaluate.TraceNode`)."""

    @property
    def rule(self) -> Rule: ...

    @property
    def value(self) -> Any: ...

    @property
    def details(self) -> trace.Details: ...

    @property
    def name(self) -> str: ...

    def value_for(self, member: str | None) -> Any: ...


class EvalContext(Protocol):
    """What a primitive's evaluation may ask of the run (`engine.evaluate`)."""

    @property
    def rules(self) -> RuleFile: ...

    @property
    def year(self) -> int: ...  # the calendar year of the facts

    @property
    def values(self) -> dict[str, Any]: ...  # every name's value so far

    @property
    def members(self) -> dict[str, list[str]]: ...  # each set's members in order

    @property
    def chosen(self) -> dict[str, str]: ...  # switchable interpretation → chosen option

    @property
    def nodes(self) -> Mapping[str, Node]: ...  # the results computed so far

    def fail(
        self,
        code: str,
        owner: Rule,
        path: FieldPath,
        reads: Reads = ...,
        span: tuple[int, int] | None = None,
        /,
        **args: Any,
    ) -> ConvenantError: ...

    def record_in(
        self, owner: Rule, expression: Expression, per: str | None, member: str | None
    ) -> trace.Evaluated: ...

    def rule_members(self, rule: Rule) -> list[str]: ...


@dataclass(frozen=True)
class Outcome:
    """What a primitive's evaluation came to: the value, its details and the roundings applied."""

    value: Any
    details: trace.Details
    roundings: tuple[trace.Rounding, ...] = ()
    warnings: tuple[tuple[str | None, trace.Said], ...] = ()  # (member, what the text does not foresee)


def distributed(
    what: str, amount: Fraction, shares: Mapping[str, Fraction], value: Mapping[str, Fraction]
) -> tuple[trace.Rounding, ...]:
    """The roundings of a largest-remainder distribution: each member's exact share to its cents."""
    cents = Fraction(money.to_cents(amount), 100)
    return tuple(trace.Rounding(m, what, cents * shares[m], value[m], money.LARGEST_REMAINDER) for m in value)


# --- explaining --------------------------------------------------------------------------------


class EvaluationView(Protocol):
    """The parts of an `engine.evaluate.Evaluation` an explainer reads."""

    @property
    def facts(self) -> Facts: ...

    def label(self, member: str) -> str: ...

    def waiting_for(self, name: str) -> list[str]: ...


class ExplainScope(Protocol):
    """An evaluation read in one language (`engine.explainers.Scope`)."""

    @property
    def ev(self) -> EvaluationView: ...

    @property
    def lang(self) -> str: ...

    @property
    def words(self) -> dict[str, Any]: ...

    def kind(self, name: str) -> Kind: ...

    def label(self, name: str) -> str: ...

    def show(self, name: str, member: str | None) -> str: ...

    def member_name(self, member: str | None) -> str | None: ...

    def percent(self, value: Fraction) -> str: ...


CENT_DECIMALS = 4  # exact shares in cents are shown to 1/10000 of a cent (marked ≈ when rounded)


def own(node: Node, member: str | None) -> str | None:
    """The key of a per-member record: the member for a result per set, None for one that is not."""
    return member if node.rule.per else None


def remainder_text(part: money.Part, lang: str) -> str:
    return exact_number(part.remainder, lang, decimals=CENT_DECIMALS)


# --- proving -----------------------------------------------------------------------------------


class ProofContext(Protocol):
    """What a primitive's proof obligation may ask of a `verify` run (`engine.proof.results.Context`)."""

    @property
    def rules(self) -> RuleFile: ...

    @property
    def cache(self) -> dict[str, Any]: ...

    def proven(self, subject: str, obligation: str) -> bool: ...

    def key_proven(self, subject: str) -> bool: ...  # by the obligation of the key's own primitive

    def locate(self, rule: Rule, *path: str | int) -> Location: ...

    def problem(
        self,
        code: str,
        rule: Rule,
        path: FieldPath,
        related: Location | None = None,
        **args: Any,
    ) -> Problem: ...


# --- batch -------------------------------------------------------------------------------------


class NotVectorised(Exception):
    """A rule the batch compiler leaves to the interpreter; the message says why."""


class BatchContext(Protocol):
    """One chunk of scenarios (`engine.vectorise.Context`): every name's array value."""

    @property
    def rows(self) -> int: ...

    @property
    def values(self) -> dict[str, Any]: ...

    @property
    def extra(self) -> dict[str, Any]: ...  # what a primitive leaves for another (a sheet's cells)

    @property
    def unknown(self) -> dict[str, Any]: ...  # name → per scenario: not (yet) known

    @property
    def chosen(self) -> dict[str, str]: ...

    @property
    def years(self) -> Any: ...  # each scenario's year, (n, 1)

    def flag(self, mask: Any) -> None: ...

    def width(self, per: str | None) -> int: ...

    def known(self, name: str) -> Any: ...  # per scenario (n,): is the name known?


Step = Callable[[Any], Any]  # a compiled rule: a chunk of scenarios (`BatchContext`) → its array value


class BatchCompiler(Protocol):
    """What a primitive's batch compilation may ask of the compiler (`engine.vectorise`)."""

    @property
    def rules(self) -> RuleFile: ...

    @property
    def known(self) -> set[str]: ...  # the names that have an array form so far

    @property
    def members(self) -> dict[str, list[str]] | None: ...  # each set's members (the results' columns)

    def expression(self, node: expr.Node) -> Step: ...

    def constant(self, name: str) -> Any: ...  # a parameter as an array, (1, 1) or (1, members)


# --- the parts of a primitive ------------------------------------------------------------------

Check = Callable[[CheckContext, Written], tuple[Any, list[str]]]  # (spec or None, the names it uses)
Evaluate = Callable[[EvalContext, Rule, list[str]], Outcome]  # the list: own interpretations (appended)
Explain = Callable[[ExplainScope, Node, str | None], dict[str, Any]]
Obligation = Callable[[Rule, ProofContext], "list[Result]"]
Vectorise = Callable[[BatchCompiler, Rule], Step]
# The inputs a rule needs, given the values known so far (`EvalContext.values`): a primitive whose
# result some inputs decide alone (a pro-rata key whose `when` is false is its old key) names only
# those, so that the others may be unknown. None of the inputs it names may be unknown.
Needs = Callable[[EvalContext, Rule], "tuple[str, ...]"]


def reads(node: expr.Node, member: str | None) -> list[tuple[str, str | None]]:
    """The names a sub-expression reads and for which member: the member evaluated for, or every
    member inside sum, any and all (where a failure's facts are found)."""
    found: list[tuple[str, str | None]] = []

    def visit(n: expr.Node, bound: str | None) -> None:
        if isinstance(n, expr.Name):
            found.append((n.name, bound if n.type and n.type.per else None))
        inner = None if isinstance(n, expr.Call) and n.function in expr.AGGREGATES else bound
        for child in n.children():
            visit(child, inner)

    visit(node, member)
    return found
