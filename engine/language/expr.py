"""The small expression language of rule files: parse → checked tree → exact evaluation.

Grammar (lowest binding first)::

    expr    := 'if' expr 'then' expr 'else' expr | or
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('=' | '!=' | '<' | '<=' | '>' | '>=') sum)?
    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/') unary)*
    unary   := '-' unary | primary
    primary := NUMBER | STRING | 'true' | 'false' | NAME | NAME '(' expr (',' expr)* ')' | '(' expr ')'

Functions: sum(x) over all members of x's set (all municipalities, all rows, all cases), any(c) and
all(c) for a condition over a set, min(a, b, …), max(a, b, …), abs(x), round(x) (money to whole
cents, half away from zero), year(d) (the calendar year of a date, to compare with `jaar`: a decision
"achteraf" has year(d) > jaar) and interpretation('I-…') (the chosen reading of a switchable
interpretation).

Sets may include other sets: the rows of a spreadsheet include the municipalities, so a rule per
municipality may read a value per row (its own row). A member a rule does not apply to (a rule
restricted to some roles) is skipped by sum, any and all.

Numbers other than 0 and 1 may not be written in an expression: every number of a covenant is a
parameter with its own citation. Nothing here calls `eval`; values are exact `Fraction`s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from convenant.core.diagnostics import Fault
from convenant.core.money import round_half_up
from convenant.core.units import Kind

KEYWORDS = {"if", "then", "else", "and", "or", "not", "true", "false"}
FUNCTIONS = {"sum", "any", "all", "min", "max", "abs", "round", "year", "interpretation"}
AGGREGATES = {"sum", "any", "all"}

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>[0-9]+(?:\.[0-9]+)?)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<string>'[^'\n]*'|"[^"\n]*")
      | (?P<op><=|>=|!=|[-+*/()<>=,])
    """,
    re.VERBOSE,
)


class ExprProblem(Fault):
    """A fault in an expression, with the span [start, end) of the text it concerns."""

    def __init__(self, code: str, start: int, end: int, **args: Any) -> None:
        super().__init__(code, **args)
        self.start, self.end = start, end


@dataclass(frozen=True)
class Type:
    """What an expression yields: a kind, the set it is indexed by (None: one value), and for
    money whether it is statically known to be whole cents."""

    kind: Kind
    per: str | None = None
    cents: bool = True
    options: frozenset[str] | None = None  # for interpretation(...): its option ids
    by: str | None = None  # the second set of a two-dimensional fact (not usable in expressions)


# --- syntax tree ---------------------------------------------------------------------------


@dataclass(eq=False)
class Node:
    start: int
    end: int
    type: Type | None = field(default=None, init=False)
    # the span with the parentheses written around it, `(a + b)`; None: written without
    outer: tuple[int, int] | None = field(default=None, init=False)

    @property
    def written_start(self) -> int:
        return self.outer[0] if self.outer else self.start

    @property
    def written_end(self) -> int:
        return self.outer[1] if self.outer else self.end

    def children(self) -> Sequence[Node]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(eq=False)
class Number(Node):
    value: Fraction = Fraction(0)


@dataclass(eq=False)
class String(Node):
    value: str = ""


@dataclass(eq=False)
class Boolean(Node):
    value: bool = False


@dataclass(eq=False)
class Name(Node):
    name: str = ""


@dataclass(eq=False)
class Call(Node):
    function: str = ""
    args: list[Node] = field(default_factory=list)

    def children(self) -> Sequence[Node]:
        return self.args


@dataclass(eq=False)
class Unary(Node):
    op: str = "-"
    operand: Node | None = None

    def children(self) -> Sequence[Node]:
        return (self.operand,) if self.operand else ()


@dataclass(eq=False)
class Binary(Node):
    op: str = "+"
    left: Node | None = None
    right: Node | None = None

    def children(self) -> Sequence[Node]:
        return (self.left, self.right)  # type: ignore[return-value]


@dataclass(eq=False)
class If(Node):
    condition: Node | None = None
    then: Node | None = None
    otherwise: Node | None = None

    def children(self) -> Sequence[Node]:
        return (self.condition, self.then, self.otherwise)  # type: ignore[return-value]


COMPARISON = {"=", "!=", "<", "<=", ">", ">="}
LOGICAL = {"and", "or"}


# --- parsing -------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExprProblem("expr.bad_character", position, position + 1, char=text[position])
        kind = match.lastgroup or ""
        if kind != "space":
            word = match.group()
            if kind == "name" and word in KEYWORDS:
                kind = "keyword"
            tokens.append(_Token(kind, word, match.start(), match.end()))
        position = match.end()
    tokens.append(_Token("end", "", len(text), len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.i = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def accept(self, *texts: str) -> _Token | None:
        if self.peek.kind in ("op", "keyword") and self.peek.text in texts:
            return self.take()
        return None

    def expect(self, text: str) -> _Token:
        token = self.accept(text)
        if token is None:
            got = self.peek
            raise ExprProblem(
                "expr.expected",
                got.start,
                max(got.end, got.start + 1),
                expected=text,
                found=got.text or "einde",
            )
        return token

    def parse(self) -> Node:
        if self.peek.kind == "end":
            raise ExprProblem("expr.empty", 0, 1)
        node = self.expression()
        if self.peek.kind != "end":
            token = self.peek
            raise ExprProblem("expr.unexpected", token.start, token.end, found=token.text)
        return node

    def expression(self) -> Node:
        start = self.accept("if")
        if start is None:
            return self.logical("or")
        condition = self.expression()
        self.expect("then")
        then = self.expression()
        self.expect("else")
        otherwise = self.expression()
        node = If(start.start, otherwise.end)
        node.condition, node.then, node.otherwise = condition, then, otherwise
        return node

    def logical(self, op: str) -> Node:
        operand = (lambda: self.logical("and")) if op == "or" else self.negation
        left = operand()
        while self.accept(op):
            right = operand()
            left = _binary(op, left, right)
        return left

    def negation(self) -> Node:
        token = self.accept("not")
        if token is None:
            return self.comparison()
        operand = self.negation()
        node = Unary(token.start, operand.written_end)
        node.op, node.operand = "not", operand
        return node

    def comparison(self) -> Node:
        left = self.additive()
        token = self.accept(*COMPARISON)
        if token is None:
            return left
        return _binary(token.text, left, self.additive())

    def additive(self) -> Node:
        left = self.multiplicative()
        while token := self.accept("+", "-"):
            left = _binary(token.text, left, self.multiplicative())
        return left

    def multiplicative(self) -> Node:
        left = self.unary()
        while token := self.accept("*", "/"):
            left = _binary(token.text, left, self.unary())
        return left

    def unary(self) -> Node:
        token = self.accept("-")
        if token is None:
            return self.primary()
        operand = self.unary()
        node = Unary(token.start, operand.written_end)
        node.operand = operand
        return node

    def primary(self) -> Node:
        token = self.take()
        node: Node
        if token.kind == "number":
            node = Number(token.start, token.end)
            node.value = Fraction(token.text)
            return node
        if token.kind == "string":
            node = String(token.start, token.end)
            node.value = token.text[1:-1]
            return node
        if token.kind == "keyword" and token.text in ("true", "false"):
            node = Boolean(token.start, token.end)
            node.value = token.text == "true"
            return node
        if token.kind == "name":
            if self.accept("("):
                return self.call(token)
            node = Name(token.start, token.end)
            node.name = token.text
            return node
        if token.kind == "op" and token.text == "(":
            inner = self.expression()
            close = self.expect(")")
            inner.outer = (token.start, close.end)  # an operator's span keeps these parentheses
            return inner
        raise ExprProblem(
            "expr.unexpected", token.start, max(token.end, token.start + 1), found=token.text or "einde"
        )

    def call(self, name: _Token) -> Node:
        if name.text not in FUNCTIONS:
            raise ExprProblem(
                "expr.unknown_function",
                name.start,
                name.end,
                name=name.text,
                known=", ".join(sorted(FUNCTIONS)),
            )
        args = [self.expression()]
        while self.accept(","):
            args.append(self.expression())
        close = self.expect(")")
        node = Call(name.start, close.end)
        node.function, node.args = name.text, args
        return node


def _binary(op: str, left: Node, right: Node) -> Binary:
    node = Binary(left.written_start, right.written_end)
    node.op, node.left, node.right = op, left, right
    return node


def parse(text: str) -> Node:
    """The syntax tree of an expression; raises ExprProblem with the span of the fault."""
    return _Parser(text).parse()


def names(tree: Node) -> list[str]:
    """The names an expression uses, in order of first use."""
    seen: dict[str, None] = {}
    for node in tree.walk():
        if isinstance(node, Name):
            seen.setdefault(node.name)
    return list(seen)


def interpretations(tree: Node) -> list[str]:
    """The interpretations an expression branches on: interpretation('I-…')."""
    return [
        node.args[0].value
        for node in tree.walk()
        if isinstance(node, Call)
        and node.function == "interpretation"
        and node.args
        and isinstance(node.args[0], String)
    ]


# --- checking: kinds, units and sets ------------------------------------------------------

Lookup = Callable[[str], Type | None]
OptionsLookup = Callable[[str], frozenset[str] | None]
Includes = Callable[[str, str], bool]  # includes(outer, inner): every member of inner is in outer


def _same_set(outer: str, inner: str) -> bool:
    return outer == inner


def _is_zero(node: Node) -> bool:
    return isinstance(node, Number) and node.value == 0


class Checker:
    """Infers the type of every node; refuses unit mismatches, unknown names and loose numbers."""

    def __init__(self, lookup: Lookup, options: OptionsLookup, includes: Includes = _same_set) -> None:
        self.lookup, self.options, self.includes = lookup, options, includes

    def _merge_per(self, node: Node, a: Type, b: Type) -> str | None:
        """The set a combination of two values is per: the narrower one when one includes the other."""
        if not a.per or not b.per or a.per == b.per:
            return a.per or b.per
        if self.includes(a.per, b.per):
            return b.per
        if self.includes(b.per, a.per):
            return a.per
        raise ExprProblem("expr.per_mismatch", node.start, node.end, left=a.per, right=b.per)

    def check(self, node: Node) -> Type:
        node.type = self._infer(node)
        return node.type

    def _infer(self, node: Node) -> Type:
        if isinstance(node, Number):
            if node.value not in (0, 1):
                raise ExprProblem("expr.literal_number", node.start, node.end, number=str(node.value))
            return Type(Kind.COUNT)
        if isinstance(node, String):
            return Type(Kind.TEXT)
        if isinstance(node, Boolean):
            return Type(Kind.BOOLEAN)
        if isinstance(node, Name):
            found = self.lookup(node.name)
            if found is None:
                raise ExprProblem("expr.unknown_name", node.start, node.end, name=node.name)
            if found.by:
                raise ExprProblem(
                    "expr.two_dimensional", node.start, node.end, name=node.name, per=found.per, by=found.by
                )
            return found
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Unary):
            assert node.operand is not None
            inner = self.check(node.operand)
            wanted = Kind.BOOLEAN if node.op == "not" else None
            if (wanted and inner.kind is not wanted) or (not wanted and not inner.kind.numeric):
                raise ExprProblem("expr.operand_kind", node.start, node.end, op=node.op, kind=inner.kind)
            return inner
        if isinstance(node, If):
            return self._if(node)
        assert isinstance(node, Binary)
        return self._binary(node)

    def _if(self, node: If) -> Type:
        assert node.condition and node.then and node.otherwise
        condition = self.check(node.condition)
        if condition.kind is not Kind.BOOLEAN:
            raise ExprProblem(
                "expr.condition_kind", node.condition.start, node.condition.end, kind=condition.kind
            )
        a, b = self.check(node.then), self.check(node.otherwise)
        per = self._merge_per(node, a, b)
        if _is_zero(node.otherwise) and a.kind.numeric:
            return Type(a.kind, per, a.cents)
        if _is_zero(node.then) and b.kind.numeric:
            return Type(b.kind, per, b.cents)
        if a.kind is not b.kind and not (a.kind.dimensionless and b.kind.dimensionless):
            raise ExprProblem("expr.branch_kinds", node.start, node.end, left=a.kind, right=b.kind)
        kind = a.kind if a.kind is b.kind else Kind.RATIO
        return Type(kind, per, a.cents and b.cents)

    def _binary(self, node: Binary) -> Type:
        assert node.left and node.right
        a, b = self.check(node.left), self.check(node.right)
        per = self._merge_per(node, a, b)
        op = node.op
        if op in LOGICAL:
            if a.kind is not Kind.BOOLEAN or b.kind is not Kind.BOOLEAN:
                raise ExprProblem(
                    "expr.operand_kind",
                    node.start,
                    node.end,
                    op=op,
                    kind=a.kind if a.kind is not Kind.BOOLEAN else b.kind,
                )
            return Type(Kind.BOOLEAN, per)
        if op in COMPARISON:
            self._comparable(node, a, b)
            return Type(Kind.BOOLEAN, per)
        if not (a.kind.numeric and b.kind.numeric):
            raise ExprProblem(
                "expr.operand_kind",
                node.start,
                node.end,
                op=op,
                kind=a.kind if not a.kind.numeric else b.kind,
            )
        money_a, money_b = a.kind is Kind.MONEY, b.kind is Kind.MONEY
        counts = a.kind is Kind.COUNT and b.kind is Kind.COUNT
        if op in ("+", "-"):
            if money_a != money_b and not (_is_zero(node.left) or _is_zero(node.right)):
                raise ExprProblem(
                    "expr.unit_mismatch", node.start, node.end, op=op, left=a.kind, right=b.kind
                )
            if money_a or money_b:
                return Type(Kind.MONEY, per, a.cents and b.cents)
            return Type(Kind.COUNT if counts else Kind.RATIO, per)
        if op == "*":
            if money_a and money_b:
                raise ExprProblem(
                    "expr.unit_mismatch", node.start, node.end, op=op, left=a.kind, right=b.kind
                )
            if money_a or money_b:
                other = b if money_a else a
                return Type(Kind.MONEY, per, (a if money_a else b).cents and other.kind is Kind.COUNT)
            return Type(Kind.COUNT if counts else Kind.RATIO, per)
        # division
        if money_b and not money_a:
            raise ExprProblem("expr.unit_mismatch", node.start, node.end, op=op, left=a.kind, right=b.kind)
        if money_a and not money_b:
            return Type(Kind.MONEY, per, False)
        return Type(Kind.RATIO, per)

    def _comparable(self, node: Binary, a: Type, b: Type) -> None:
        assert node.left and node.right
        if a.kind is Kind.TEXT and b.kind is Kind.TEXT:
            self._option_literal(node.left, a, node.right)
            self._option_literal(node.right, b, node.left)
            if node.op in ("=", "!="):
                return
        zero = _is_zero(node.left) or _is_zero(node.right)
        same = a.kind is b.kind or (a.kind.dimensionless and b.kind.dimensionless)
        if not (same or (zero and a.kind.numeric and b.kind.numeric)):
            raise ExprProblem(
                "expr.unit_mismatch", node.start, node.end, op=node.op, left=a.kind, right=b.kind
            )
        if node.op not in ("=", "!=") and not (a.kind.numeric or a.kind is Kind.DATE):
            raise ExprProblem("expr.operand_kind", node.start, node.end, op=node.op, kind=a.kind)

    @staticmethod
    def _option_literal(side: Node, side_type: Type, other: Node) -> None:
        if side_type.options is not None and isinstance(other, String):
            if other.value not in side_type.options:
                raise ExprProblem(
                    "expr.unknown_option",
                    other.start,
                    other.end,
                    option=other.value,
                    options=", ".join(sorted(side_type.options)),
                )

    def _call(self, node: Call) -> Type:
        fn, args = node.function, node.args
        if fn == "interpretation":
            if len(args) != 1 or not isinstance(args[0], String):
                raise ExprProblem("expr.interpretation_arg", node.start, node.end)
            options = self.options(args[0].value)
            if options is None:
                raise ExprProblem(
                    "expr.unknown_interpretation", args[0].start, args[0].end, name=args[0].value
                )
            return Type(Kind.TEXT, None, True, options)
        types = [self.check(arg) for arg in args]
        if fn in ("sum", "any", "all", "abs", "round", "year") and len(args) != 1:
            raise ExprProblem("expr.arity", node.start, node.end, function=fn, count=1)
        first = types[0]
        if fn == "year":
            if first.kind is not Kind.DATE:
                raise ExprProblem("expr.operand_kind", node.start, node.end, op=fn, kind=first.kind)
            return Type(Kind.COUNT, first.per)
        if fn in ("any", "all"):
            if first.kind is not Kind.BOOLEAN:
                raise ExprProblem("expr.operand_kind", node.start, node.end, op=fn, kind=first.kind)
            if first.per is None:
                raise ExprProblem("expr.sum_of_scalar", node.start, node.end)
            return Type(Kind.BOOLEAN)
        if not first.kind.numeric:
            raise ExprProblem("expr.operand_kind", node.start, node.end, op=fn, kind=first.kind)
        if fn == "sum":
            if first.per is None:
                raise ExprProblem("expr.sum_of_scalar", node.start, node.end)
            return Type(first.kind, None, first.cents)
        if fn == "abs":
            return first
        if fn == "round":
            if first.kind is not Kind.MONEY:
                raise ExprProblem("expr.round_kind", node.start, node.end, kind=first.kind)
            return Type(Kind.MONEY, first.per, True)
        # min, max
        if len(args) < 2:
            raise ExprProblem("expr.arity", node.start, node.end, function=fn, count=2)
        per, cents = first.per, first.cents
        for arg, t in zip(args[1:], types[1:], strict=True):
            if (t.kind is Kind.MONEY) != (first.kind is Kind.MONEY) and not _is_zero(arg):
                raise ExprProblem(
                    "expr.unit_mismatch", node.start, node.end, op=fn, left=first.kind, right=t.kind
                )
            per = self._merge_per(node, Type(first.kind, per), t)
            cents = cents and t.cents
        return Type(first.kind, per, cents)


def check(tree: Node, lookup: Lookup, options: OptionsLookup, includes: Includes = _same_set) -> Type:
    return Checker(lookup, options, includes).check(tree)


def unbound_per(tree: Node) -> set[str]:
    """The sets whose members an expression reads outside sum(...): the sets it is per."""
    found: set[str] = set()

    def visit(node: Node) -> None:
        if isinstance(node, Call) and node.function in AGGREGATES:
            return
        if isinstance(node, Name) and node.type and node.type.per:
            found.add(node.type.per)
        for child in node.children():
            visit(child)

    visit(tree)
    return found


# --- evaluation ----------------------------------------------------------------------------


class Evaluator:
    """Exact evaluation of a checked tree.

    `values` holds every name's value: a plain value, or for a name indexed by a set, a mapping
    from member to value. `members` lists each set's members; `current` binds the member a
    per-set expression is evaluated for.
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        members: Mapping[str, Sequence[str]],
        chosen: Mapping[str, str],
        narrower: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.values, self.members, self.chosen = values, members, chosen
        self.narrower = narrower or {}  # set → the sets it includes (rows → municipality)

    def _member(self, per: str, current: Mapping[str, str]) -> str:
        if per in current:
            return current[per]
        return next(current[inner] for inner in self.narrower.get(per, ()) if inner in current)

    def evaluate(self, node: Node, current: Mapping[str, str] | None = None) -> Any:
        return self._eval(node, dict(current or {}))

    def _eval(self, node: Node, current: dict[str, str]) -> Any:
        if isinstance(node, Number | String | Boolean):
            return node.value
        if isinstance(node, Name):
            value = self.values[node.name]
            per = node.type.per if node.type else None
            if not per:
                return value
            member = self._member(per, current)
            if member not in value:
                raise Absent(node.name, member)
            return value[member]
        if isinstance(node, Unary):
            operand = self._eval(node.operand, current)  # type: ignore[arg-type]
            return (not operand) if node.op == "not" else -operand
        if isinstance(node, If):
            branch = node.then if self._eval(node.condition, current) else node.otherwise  # type: ignore[arg-type]
            return self._eval(branch, current)  # type: ignore[arg-type]
        if isinstance(node, Call):
            return self._call(node, current)
        assert isinstance(node, Binary) and node.left and node.right
        left = self._eval(node.left, current)
        if node.op == "and":
            return left and self._eval(node.right, current)
        if node.op == "or":
            return left or self._eval(node.right, current)
        right = self._eval(node.right, current)
        return _apply(node, left, right)

    def _call(self, node: Call, current: dict[str, str]) -> Any:
        fn = node.function
        if fn == "interpretation":
            return self.chosen[node.args[0].value]  # type: ignore[attr-defined]
        if fn in AGGREGATES:
            typed = node.args[0].type
            assert typed is not None and typed.per is not None  # the checker typed it: a value per set
            per = typed.per
            values = []
            for member in self.members[per]:
                try:
                    values.append(self._eval(node.args[0], {**current, per: member}))
                except Absent:  # a member the value does not apply to
                    continue
            return sum(values, Fraction(0)) if fn == "sum" else (any(values) if fn == "any" else all(values))
        values = [self._eval(arg, current) for arg in node.args]
        if fn == "year":
            return values[0].year
        if fn == "abs":
            return abs(values[0])
        if fn == "round":
            return round_half_up(values[0])
        return min(values) if fn == "min" else max(values)


class Absent(KeyError):
    """A value read for a member it does not apply to (e.g. a rule restricted to some roles)."""


def _apply(node: Binary, left: Any, right: Any) -> Any:
    op = node.op
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            raise ExprProblem("expr.division_by_zero", node.start, node.end)
        return Fraction(left) / right
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right
