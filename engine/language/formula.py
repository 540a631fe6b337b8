"""An expression's arithmetic for people: the formula with its values filled in, and each
intermediate result (function calls, conditions, bracketed parts) as a step of its own.

The top line shows the expression with every name replaced by its value and every step by its
result, so it can be checked with a calculator; the steps, inner first, show where those results
came from. Every value is read from what the evaluation recorded (`trace.Evaluated`); nothing is
computed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from convenant import words
from convenant.core.units import Kind
from convenant.core.wording import WORDS, show, signed_in_formula
from convenant.language import expr
from convenant.language.trace import Evaluated

_OPS = {"+": "+", "-": "−", "*": "×", "/": "/", "=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_LOGIC = words.Languages("formula.logic")  # and, or, not in a formula as people read it
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "not": 3,
    **dict.fromkeys(expr.COMPARISON, 4),
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
}
_FUNCTIONS = words.Languages("formula.function")  # sum, any, … in a formula as people read it


@dataclass
class Step:
    """One intermediate result: its part of the formula, filled in, and its value."""

    symbols: str
    filled: str
    result: str
    condition: str | None = None  # for a condition: the test, filled in
    holds: bool | None = None
    branch: str | None = None  # for a condition: the part of the formula that applies


@dataclass
class Arithmetic:
    formula: str  # the expression as the rule file writes it (whitespace normalised)
    filled: str  # every name replaced by its value, every step by its result
    result: str
    steps: list[Step] = field(default_factory=list)


def _kind(node: expr.Node) -> Kind:
    return node.type.kind if node.type else Kind.RATIO


def _precedence(node: expr.Node) -> int:
    if isinstance(node, expr.Binary):
        return _PRECEDENCE[node.op]
    if isinstance(node, expr.Unary):
        return 3 if node.op == "not" else 7
    if isinstance(node, expr.If):
        return 0
    return 8


def _is_step(node: expr.Node, parent: expr.Node | None, right: bool = False) -> bool:
    """Calls, conditions, and sub-formulas that would need brackets are steps of their own."""
    if isinstance(node, expr.Call):
        return node.function != "interpretation"
    if isinstance(node, expr.If):
        return True
    if parent is None or not isinstance(node, expr.Binary):
        return False
    inner, outer = _precedence(node), _precedence(parent)
    non_associative = isinstance(parent, expr.Binary) and parent.op in ("-", "/", *expr.COMPARISON)
    return inner < outer or (right and inner == outer and non_associative)


class _Filler:
    def __init__(self, text: str, evaluated: Evaluated, lang: str) -> None:
        self.text, self.evaluated, self.lang = text, evaluated, lang
        self.steps: list[Step] = []

    def recorded(self, node: expr.Node) -> Any:
        """What the part `node` came to when it was evaluated."""
        return self.evaluated.values[node]

    def symbols(self, node: expr.Node) -> str:
        return " ".join(self.text[node.start : node.end].split())

    def value(self, node: expr.Node) -> str:
        """The node's value inside a formula (a negative value in brackets)."""
        return signed_in_formula(_kind(node), self.recorded(node), self.lang)

    def result(self, node: expr.Node) -> str:
        return show(_kind(node), self.recorded(node), self.lang)

    def fill(self, node: expr.Node, parent: expr.Node | None = None, right: bool = False) -> str:
        """The node filled in; a step node is explained as a step and shown by its value."""
        if parent is not None and _is_step(node, parent, right):
            self.step(node)
            return self.value(node)
        return self.inline(node)

    def inline(self, node: expr.Node) -> str:
        if isinstance(node, expr.Name | expr.Number):
            return self.value(node)
        if isinstance(node, expr.String):
            return f"‘{node.value}’"
        if isinstance(node, expr.Boolean):
            return WORDS[self.lang]["yes" if node.value else "no"]
        if isinstance(node, expr.Call):
            if node.function == "interpretation":
                return f"{node.args[0].value}: ‘{self.recorded(node)}’"  # type: ignore[attr-defined]
            if node.function in expr.AGGREGATES:
                return f"{_FUNCTIONS[self.lang][node.function]}({self.symbols(node.args[0])})"
            args = ", ".join(self.fill(a, node) for a in node.args)
            return f"{_FUNCTIONS[self.lang][node.function]}({args})"
        if isinstance(node, expr.Unary):
            assert node.operand is not None
            inner = self.fill(node.operand, node)
            return f"{_LOGIC[self.lang]['not']} {inner}" if node.op == "not" else f"−{inner}"
        if isinstance(node, expr.If):
            return self.value(node)
        assert isinstance(node, expr.Binary) and node.left and node.right
        op = _OPS.get(node.op) or _LOGIC[self.lang][node.op]
        return f"{self.fill(node.left, node)} {op} {self.fill(node.right, node, right=True)}"

    def step(self, node: expr.Node) -> None:
        if isinstance(node, expr.If):
            assert node.condition and node.then and node.otherwise
            holds = bool(self.recorded(node.condition))
            condition = self.inline(node.condition)
            branch = node.then if holds else node.otherwise
            filled = self.fill(branch, node)
            step = Step(self.symbols(node), filled, self.result(node), condition, holds, self.symbols(branch))
            self.steps.append(step)
            return
        if isinstance(node, expr.Call) and node.function in expr.AGGREGATES:
            kind = _kind(node.args[0])
            values = [signed_in_formula(kind, v, self.lang) for v in self.evaluated.terms[node]]
            joiner = {
                "sum": " + ",
                "any": f" {_LOGIC[self.lang]['or']} ",
                "all": f" {_LOGIC[self.lang]['and']} ",
            }
            filled = joiner[node.function].join(values) or "0"
        else:
            filled = self.inline(node)
        self.steps.append(Step(self.symbols(node), filled, self.result(node)))


def arithmetic(text: str, tree: expr.Node, evaluated: Evaluated, lang: str = "nl") -> Arithmetic:
    """The arithmetic of one expression for one member (or none), with the exact values recorded."""
    filler = _Filler(text, evaluated, lang)
    if _is_step(tree, None):
        filler.step(tree)
        top = filler.steps.pop()
        filled = top.filled if top.condition is None else filler.value(tree)
        if top.condition is not None:
            filler.steps.append(top)
    else:
        filled = filler.inline(tree)
    return Arithmetic(" ".join(text.split()), filled, filler.result(tree), filler.steps)
