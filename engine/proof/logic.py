"""Conditions of a rule file as formulas sympy decides, with concrete counterexamples.

A condition (`acute_situatie and not nieuwe_client`, `verschil > 0`, `interpretation('I-…') = 'x'`)
becomes a propositional formula over *atoms*:

- a yes/no name (a fact, a rule) is an atom;
- a comparison of numbers is an atom tied to a linear relation over real variables (facts and
  rule results; parameters are the exact numbers of this version; `jaar` lies in the period);
- `name = 'text'` is an atom; atoms for one name exclude each other, and for an interpretation
  exactly one of its options holds (the choice can be switched, so every option counts);
- anything else (a product of two unknowns, a date comparison, round/min/max/sum) is an opaque
  atom or variable: a free unknown. That over-approximates: "unreachable" is then still a proof,
  but a counterexample may rest on such an unknown, and says so.

`Solver.find(formula)` is a small DPLL(T): sympy's SAT solver proposes a truth assignment, sympy's
simplex checks that its comparisons can hold together (strict ones with a positive margin); an
impossible combination is blocked and the search goes on. It returns a witness, None (proven
impossible) or UNKNOWN (search limit reached).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sympy import And, Dummy, Eq, Not, Or, Rational, Symbol, false, true
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue
from sympy.logic.inference import satisfiable
from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, lpmax

from convenant.core.units import Kind
from convenant.language import expr
from convenant.language.model import BUILTINS, LAST_YEAR, YEAR, RuleFile

UNKNOWN = "unknown"
SEARCH_LIMIT = 256
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


@dataclass(eq=False)
class Variable:
    """A number the conditions depend on: a fact, a rule's result, `jaar`, or an opaque term."""

    symbol: Symbol
    name: str  # the name in the rule file, or the text of an opaque term
    kind: Kind
    source: str  # fact | rule | builtin | opaque
    minimum: Fraction | None = None
    maximum: Fraction | None = None


@dataclass(eq=False)
class Atom:
    symbol: Symbol
    kind: str  # name | compare | text | opaque
    text: str  # as the reader wrote it
    name: str | None = None  # the yes/no name, the text name or the interpretation id
    literal: str | None = None  # for text atoms: the literal compared with
    relation: tuple[Any, str] | None = None  # for compare atoms: (left − right, op)
    interpretation: bool = False


@dataclass
class Witness:
    """A truth assignment of atoms and values of variables that make a formula true."""

    atoms: dict[Atom, bool]
    values: dict[Variable, Fraction]
    opaque: bool  # it rests on an opaque atom or variable


@dataclass
class Translator:
    """Turns checked expression trees into sympy formulas, sharing atoms and variables."""

    rules: RuleFile
    atoms: dict[str, Atom] = field(default_factory=dict)
    variables: dict[str, Variable] = field(default_factory=dict)

    # --- atoms and variables -----------------------------------------------------------------

    def _atom(self, key: str, **kwargs: Any) -> Symbol:
        if key not in self.atoms:
            self.atoms[key] = Atom(Symbol(f"a{len(self.atoms)}"), **kwargs)
        return self.atoms[key].symbol

    def _variable(self, name: str, kind: Kind, source: str) -> Symbol:
        if name not in self.variables:
            variable = Variable(Symbol(f"x{len(self.variables)}", real=True), name, kind, source)
            decl = self.rules.facts.get(name)
            if decl is not None:
                variable.minimum = decl.minimum
            if name == YEAR:
                c = self.rules.covenant
                variable.minimum, variable.maximum = Fraction(c.valid_from.year), Fraction(c.valid_until.year)
            self.variables[name] = variable
        return self.variables[name].symbol

    def options(self, ident: str) -> list[str]:
        interpretation = self.rules.interpretations.get(ident)
        return list(interpretation.options) if interpretation else []

    # --- formulas ----------------------------------------------------------------------------

    def formula(self, node: expr.Node, text: str) -> Boolean:
        """The condition `node` (a yes/no expression; `text` is its source) as a sympy formula."""
        if isinstance(node, expr.Boolean):
            return true if node.value else false
        if isinstance(node, expr.Name):
            return self._atom(f"name:{node.name}", kind="name", text=node.name, name=node.name)
        if isinstance(node, expr.Unary) and node.op == "not":
            return Not(self.formula(node.operand, text))  # type: ignore[arg-type]
        if isinstance(node, expr.Binary) and node.op in ("and", "or"):
            left, right = self.formula(node.left, text), self.formula(node.right, text)  # type: ignore[arg-type]
            return And(left, right) if node.op == "and" else Or(left, right)
        if isinstance(node, expr.If):
            c = self.formula(node.condition, text)  # type: ignore[arg-type]
            then, otherwise = self.formula(node.then, text), self.formula(node.otherwise, text)  # type: ignore[arg-type]
            return Or(And(c, then), And(Not(c), otherwise))
        if isinstance(node, expr.Binary) and node.op in expr.COMPARISON:
            return self._comparison(node, text)
        return self._atom(f"opaque:{_source(node, text)}", kind="opaque", text=_source(node, text))

    def _comparison(self, node: expr.Binary, text: str) -> Boolean:
        assert node.left is not None and node.right is not None
        left_type, right_type = node.left.type, node.right.type
        if left_type and right_type and left_type.kind is Kind.TEXT and right_type.kind is Kind.TEXT:
            return self._text_comparison(node, text)
        if not (left_type and right_type and left_type.kind.numeric and right_type.kind.numeric):
            return self._atom(f"opaque:{_source(node, text)}", kind="opaque", text=_source(node, text))
        difference = self.term(node.left, text) - self.term(node.right, text)
        op = node.op
        if difference.is_number:
            return true if _holds(Rational(difference), op) else false
        if op == "!=":
            return Not(self._compare(difference, "=", _source(node, text)))
        return self._compare(difference, op, _source(node, text))

    def _compare(self, difference: Any, op: str, text: str) -> Symbol:
        if op in (">", ">="):  # one direction only: e < 0, e <= 0, e = 0
            difference, op = -difference, _FLIP[op]
        return self._atom(f"compare:{difference}:{op}", kind="compare", text=text, relation=(difference, op))

    def _text_comparison(self, node: expr.Binary, text: str) -> Boolean:
        sides = (node.left, node.right)
        literal = next((s for s in sides if isinstance(s, expr.String)), None)
        other = next((s for s in sides if s is not literal), None)
        if literal is None or other is None or node.op not in ("=", "!="):
            return self._atom(f"opaque:{_source(node, text)}", kind="opaque", text=_source(node, text))
        if isinstance(other, expr.Call) and other.function == "interpretation":
            ident = other.args[0].value  # type: ignore[attr-defined]
            for option in self.options(ident):  # every option gets its atom: exactly one holds
                self._atom(
                    f"text:{ident}:{option}",
                    kind="text",
                    text=f"{ident} = {option}",
                    name=ident,
                    literal=option,
                    interpretation=True,
                )
            found = self._atom(
                f"text:{ident}:{literal.value}",
                kind="text",
                text=f"{ident} = {literal.value}",
                name=ident,
                literal=literal.value,
                interpretation=True,
            )
        elif isinstance(other, expr.Name):
            found = self._atom(
                f"text:{other.name}:{literal.value}",
                kind="text",
                text=f"{other.name} = '{literal.value}'",
                name=other.name,
                literal=literal.value,
            )
        else:
            return self._atom(f"opaque:{_source(node, text)}", kind="opaque", text=_source(node, text))
        return found if node.op == "=" else Not(found)

    def term(self, node: expr.Node, text: str) -> Any:
        """A number-valued expression as a linear sympy term; anything non-linear becomes opaque."""
        if isinstance(node, expr.Number):
            return Rational(node.value)
        if isinstance(node, expr.Name):
            parameter = self.rules.parameters.get(node.name)
            if parameter is not None and isinstance(parameter.value, Fraction | int):
                return Rational(parameter.value)
            if node.name == LAST_YEAR:  # a constant of the rule file, like a parameter
                return Rational(self.rules.covenant.valid_until.year)
            kind = node.type.kind if node.type else Kind.RATIO
            source = (
                "builtin" if node.name in BUILTINS else "rule" if node.name in self.rules.rules else "fact"
            )
            return self._variable(node.name, kind, source)
        if isinstance(node, expr.Unary) and node.op == "-":
            return -self.term(node.operand, text)  # type: ignore[arg-type]
        if isinstance(node, expr.Binary) and node.op in ("+", "-", "*", "/"):
            left, right = self.term(node.left, text), self.term(node.right, text)  # type: ignore[arg-type]
            if node.op == "+":
                return left + right
            if node.op == "-":
                return left - right
            if node.op == "*" and (left.is_number or right.is_number):
                return left * right
            if node.op == "/" and right.is_number and right != 0:
                return left / right
        kind = node.type.kind if node.type else Kind.RATIO
        return self._variable(_source(node, text), kind, "opaque")


def _source(node: expr.Node, text: str) -> str:
    return " ".join(text[node.start : node.end].split())


def _holds(value: Any, op: str) -> bool:
    return {
        "<": value < 0,
        "<=": value <= 0,
        ">": value > 0,
        ">=": value >= 0,
        "=": value == 0,
        "!=": value != 0,
    }[op]


# --- deciding -------------------------------------------------------------------------------------


class Solver:
    """Finds a witness for a formula over a translator's atoms, or proves there is none."""

    def __init__(self, translator: Translator, limit: int = SEARCH_LIMIT) -> None:
        self.t, self.limit = translator, limit

    def domain(self) -> Boolean:
        """What holds whatever the facts: text atoms of one name exclude each other, and an
        interpretation has exactly one chosen option."""
        by_name: dict[str, list[Atom]] = {}
        for atom in self.t.atoms.values():
            if atom.kind == "text" and atom.name:
                by_name.setdefault(atom.name, []).append(atom)
        clauses = []
        for atoms in by_name.values():
            clauses += [Not(And(a.symbol, b.symbol)) for a, b in itertools.combinations(atoms, 2)]
            if atoms[0].interpretation:
                clauses.append(Or(*(a.symbol for a in atoms)))
        return And(*clauses)

    def find(self, formula: Boolean) -> Witness | str | None:
        by_symbol = {a.symbol: a for a in self.t.atoms.values()}
        search = And(formula, self.domain())
        for _ in range(self.limit):
            model = satisfiable(search)
            if model is False:
                return None
            assigned = {by_symbol[s]: bool(v) for s, v in model.items() if s in by_symbol}
            compares = [(a, v) for a, v in assigned.items() if a.kind == "compare"]
            point = self.feasible(compares)
            if point is not None:
                return self._witness(assigned, point)
            search = And(search, Not(And(*(a.symbol if v else Not(a.symbol) for a, v in compares))))
        return UNKNOWN

    def _witness(self, assigned: dict[Atom, bool], point: dict[Any, Any]) -> Witness:
        values = {}
        for variable in self.t.variables.values():
            if variable.symbol in point:
                values[variable] = Fraction(str(point[variable.symbol]))
        opaque = any(a.kind == "opaque" for a in assigned) or any(v.source == "opaque" for v in values)
        return Witness(assigned, values, opaque)

    def feasible(self, literals: list[tuple[Atom, bool]]) -> dict[Any, Any] | None:
        """A point where the comparisons hold as assigned (with the variables' bounds), or None."""
        strict: list[Any] = []  # sympy expressions, each compared with 0
        weak: list[Any] = []
        equal: list[Any] = []
        unequal: list[Any] = []
        for atom, value in literals:
            assert atom.relation is not None
            e, op = atom.relation
            if op == "=":
                (equal if value else unequal).append(e)
            elif value:
                (strict if op == "<" else weak).append(e)
            else:  # not (e < 0) is -e <= 0; not (e <= 0) is -e < 0
                (weak if op == "<" else strict).append(-e)
        weak += self._bounds(literals)
        for signs in itertools.product((1, -1), repeat=len(unequal)):
            point = _lp(strict + [s * e for s, e in zip(signs, unequal, strict=True)], weak, equal)
            if point is not None:
                return point
        return None

    def _bounds(self, literals: list[tuple[Atom, bool]]) -> list[Any]:
        used = (
            set().union(*(a.relation[0].free_symbols for a, _ in literals if a.relation))
            if literals
            else set()
        )
        bounds = []
        for variable in self.t.variables.values():
            if variable.symbol in used:
                if variable.minimum is not None:
                    bounds.append(Rational(variable.minimum) - variable.symbol)
                if variable.maximum is not None:
                    bounds.append(variable.symbol - Rational(variable.maximum))
        return bounds


def _lp(strict: list[Any], weak: list[Any], equal: list[Any]) -> dict[Any, Any] | None:
    """Maximise a margin t ≤ 1 with e + t ≤ 0 (strict), e ≤ 0 (weak), e = 0; feasible iff t > 0
    when there are strict constraints (sympy's exact simplex)."""
    t = Dummy("t")
    constraints = [e + t <= 0 for e in strict] + [e <= 0 for e in weak] + [Eq(e, 0) for e in equal] + [t <= 1]
    if any(isinstance(c, BooleanFalse) for c in constraints):
        return None
    constraints = [c for c in constraints if not isinstance(c, BooleanTrue)]
    try:
        margin, point = lpmax(t, constraints)
    except InfeasibleLPError:
        return None
    except UnboundedLPError:  # pragma: no cover - t is bounded by 1
        return None
    if strict and margin <= 0:
        return None
    return point
