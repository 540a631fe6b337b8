"""YAML → a tree of nodes that remember file, line and column; strict and exact.

PyYAML only tokenises here: we read its parse events and build our own nodes, so no YAML tag can
build an object, anchors and aliases are refused, duplicate keys are refused, and scalars are
read by our rules instead of YAML 1.1's:

- a plain number is read exactly (int or Decimal, never float);
- `1.234.567` (points between thousands, as Dutch writes it) is refused, never read as a number;
- `yes`/`no`/`on`/`off`, `1:30` (sexagesimal), `012` (octal), `0x1F`, `1e3`, `.5`, `1_000` and
  `.inf` are refused: YAML 1.1 would read them as something the writer rarely means;
- `true`/`false` are booleans, `null`/`~`/empty are null, a date stays text (`2024-01-01`);
- anything quoted is text.

A file may start with a UTF-8 byte-order mark, as Notepad saves it: it is read as if it had none.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from convenant.core.diagnostics import ConvenantError, Location, Problem, Problems
from convenant.core.reading import read_bytes
from convenant.core.units import number_too_long

MAX_FILE_BYTES = 2 * 1024 * 1024
# A rule or fact file is a few levels deep; 100 levels of mappings and lists is far beyond any
# real file and far below Python's recursion limit, which a hostile file would otherwise reach.
MAX_DEPTH = 100
# The largest amount in any covenant is in the hundreds of millions; 15 digits before the point
# (below a thousand billion euro) and 15 after leave room for every real number and refuse a
# 5000-digit one before anything computes with it.
# libyaml's parser gives the same events and marks as PyYAML's own, several times faster; only
# parse events are used, never a constructor, so the choice of loader class builds no objects.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")
_DECIMAL = re.compile(r"^[-+]?(0|[1-9][0-9]*)\.[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# What YAML 1.1, YAML 1.2 or an editor may read as a number although we do not:
# 012, 0x1F, 0o17, 1_000, 1:30, 1e3, .5, 5., 1.6.2, .inf, .nan.
_NUMBERISH = re.compile(r"^[-+]?(\.?[0-9][0-9_.:eE+-]*|0[xo][0-9a-fA-F_]+|\.(inf|Inf|INF|nan|NaN|NAN))$")
# 1.234.567: points between groups of thousands, as Dutch writes a number (never read as one)
_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(\.[0-9]{3}){2,}$")
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOL = {"yes", "no", "on", "off"}
_YAML11_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
}


@dataclass
class Node:
    """A node of the document with its place in the file (0-based, as PyYAML counts)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class Scalar(Node):
    text: str
    style: str | None
    value: Any = None


@dataclass
class MappingNode(Node):
    items: list[tuple[Scalar, Node]]

    def get(self, key: str) -> tuple[Scalar, Node] | None:
        for k, v in self.items:
            if k.text == key:
                return k, v
        return None


@dataclass
class SequenceNode(Node):
    items: list[Node]


@dataclass
class Document:
    """One YAML file: its text, its hash, its node tree and its plain data."""

    path: str
    text: str
    sha256: str
    root: Node
    data: Any

    def node_at(self, field_path: tuple[str | int, ...]) -> tuple[Node, Scalar | None]:
        """The deepest node on `field_path`, and the key scalar that names it (if any)."""
        node: Node = self.root
        key_node: Scalar | None = None
        for step in field_path:
            if isinstance(node, MappingNode) and isinstance(step, str):
                found = node.get(step)
                if found is None:
                    break
                key_node, node = found
            elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.items):
                node, key_node = node.items[step], None
            else:
                break
        return node, key_node

    def locate(self, field_path: tuple[str | int, ...], at_key: bool = False) -> Location:
        """File, line and column of a field; `at_key` points at its key instead of its value."""
        node, key_node = self.node_at(field_path)
        # a block (mapping or list) is best shown by the key that names it
        at_key = at_key or not isinstance(node, Scalar)
        target: Node = key_node if (at_key and key_node is not None) else node
        length = 1
        if isinstance(target, Scalar):
            length = max(1, len(target.text) + (2 if target.style in ("'", '"') else 0))
            if target.end_line != target.line:
                length = 1
        return Location(self.path, target.line + 1, target.column + 1, length)

    def locate_in(self, field_path: tuple[str | int, ...], offset: int, length: int) -> Location:
        """Where the characters offset … offset + length of the text at `field_path` are written: an
        expression's sub-expression, for a caret under it (plain, quoted and block scalars)."""
        node, _ = self.node_at(field_path)
        if not isinstance(node, Scalar):
            return self.locate(field_path)
        lines = self.text.splitlines()
        if node.style in ("|", ">"):
            first, column0 = node.line + 1, None
        else:
            first, column0 = node.line, node.column + (1 if node.style in ("'", '"') else 0)
        # A block scalar keeps what is indented deeper than its first line; plain text does not.
        base = len(lines[first]) - len(lines[first].lstrip()) if first < len(lines) else 0
        remaining, line = offset, first
        while line < len(lines):
            raw = lines[line]
            indent = len(raw) - len(raw.lstrip())
            start = (
                column0
                if (line == first and column0 is not None)
                else (min(base, indent) if node.style in ("|", ">") else indent)
            )
            content = raw[start:]
            if remaining <= len(content):
                return Location(self.path, line + 1, start + remaining + 1, max(1, length))
            remaining -= len(content) + 1
            line += 1
        return self.locate(field_path)

    def locate_key(self, field_path: tuple[str | int, ...], key: str) -> Location:
        """Where `key` is written inside the mapping at `field_path`."""
        node, _ = self.node_at(field_path)
        if isinstance(node, MappingNode):
            found = node.get(key)
            if found is not None:
                k = found[0]
                return Location(self.path, k.line + 1, k.column + 1, max(1, len(k.text)))
        return self.locate(field_path)


def _read_text(path: Path, display: str) -> tuple[bytes, str]:
    raw = read_bytes(path, display, MAX_FILE_BYTES)
    try:
        # a byte-order mark (Notepad saves one) is not part of the text; the hash stays that of
        # the bytes on disk, so it matches `sha256sum` of the file
        return raw, raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConvenantError([Problem("file.not_utf8", {}, Location(display, line, 1))]) from None


def load_document(path: Path | str, display: str | None = None) -> Document:
    """Read one YAML file strictly; raise ConvenantError with every problem found."""
    path = Path(path)
    display = display or str(path)
    raw, text = _read_text(path, display)
    return parse_document(text, display, hashlib.sha256(raw).hexdigest())


def parse_document(text: str, display: str, sha256: str | None = None) -> Document:
    sha256 = sha256 or hashlib.sha256(text.encode()).hexdigest()
    builder = _Builder(display)
    try:
        root = builder.build(yaml.parse(text, Loader=_PARSER))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(display, mark.line + 1, mark.column + 1) if mark else Location(display)
        found = text[mark.index] if mark and mark.index < len(text) else ""  # libyaml does not say
        builder.problems.add("yaml.syntax", detail=exc.problem or str(exc), found=found, location=location)
        builder.problems.raise_if_any()
        raise AssertionError("unreachable") from None
    except yaml.YAMLError as exc:
        builder.problems.add("yaml.syntax", detail=str(exc), location=Location(display))
        builder.problems.raise_if_any()
        raise AssertionError("unreachable") from None
    builder.problems.raise_if_any()
    return Document(display, text, sha256, root, to_data(root))


def to_data(node: Node) -> Any:
    """Plain data for schema validation: dict, list, str, int, Decimal, bool, None."""
    if isinstance(node, MappingNode):
        return {k.text: to_data(v) for k, v in node.items}
    if isinstance(node, SequenceNode):
        return [to_data(v) for v in node.items]
    assert isinstance(node, Scalar)
    return node.value


class _Builder:
    """Builds nodes from parse events, collecting every problem on the way."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems = Problems()
        self._resolver = yaml.resolver.Resolver()
        self._depth = 0

    def _loc(self, event: Any, length: int = 1) -> Location:
        mark = event.start_mark
        return Location(self.display, mark.line + 1, mark.column + 1, length)

    def build(self, events: Any) -> Node:
        events = iter(events)
        documents: list[Node] = []
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents.append(self._node(next(events), events))
                if len(documents) == 2:
                    self.problems.add("yaml.multiple_documents", location=self._loc(event))
        if not documents:
            return MappingNode(0, 0, 0, 0, [])
        return documents[0]

    def _check_event(self, event: Any) -> None:
        if getattr(event, "anchor", None):
            self.problems.add("yaml.anchor", name=event.anchor, location=self._loc(event))
        tag = getattr(event, "tag", None)
        if tag is not None:  # PyYAML reports a tag only when one was written
            self.problems.add("yaml.tag", tag=tag, location=self._loc(event, len(tag)))

    def _node(self, event: Any, events: Any, is_key: bool = False) -> Node:
        start, end = event.start_mark, event.end_mark
        if isinstance(event, yaml.AliasEvent):
            self.problems.add("yaml.alias", name=event.anchor, location=self._loc(event))
            return Scalar(start.line, start.column, end.line, end.column, "", None, None)
        self._check_event(event)
        if isinstance(event, yaml.ScalarEvent):
            style = event.style or None  # libyaml reports a plain scalar's style as ""
            scalar = Scalar(start.line, start.column, end.line, end.column, event.value, style)
            scalar.value = event.value if is_key else self._scalar_value(event)  # a key is a name
            return scalar
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if self._depth >= MAX_DEPTH:
                return self._too_deep(event, events)
            self._depth += 1
            try:
                return self._collection(event, events)
            finally:
                self._depth -= 1
        raise AssertionError(f"unexpected YAML event {event!r}")

    def _too_deep(self, event: Any, events: Any) -> Node:
        """Report the first level too deep and skip what it holds, without recursing into it."""
        self.problems.add("yaml.too_deep", limit=MAX_DEPTH, location=self._loc(event))
        open_ = 1
        for child in events:
            if isinstance(child, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                open_ += 1
            elif isinstance(child, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                open_ -= 1
                if open_ == 0:
                    break
        start, end = event.start_mark, event.end_mark
        return Scalar(start.line, start.column, end.line, end.column, "", None, None)

    def _collection(self, event: Any, events: Any) -> Node:
        start = event.start_mark
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Node] = []
            for child in events:
                if isinstance(child, yaml.SequenceEndEvent):
                    end = child.end_mark
                    assert end is not None  # PyYAML's parser gives every event its marks
                    return SequenceNode(start.line, start.column, end.line, end.column, items)
                items.append(self._node(child, events))
        return self._mapping(event, events)

    def _mapping(self, event: Any, events: Any) -> MappingNode:
        start = event.start_mark
        pairs: list[tuple[Scalar, Node]] = []
        seen: dict[str, Scalar] = {}
        for child in events:
            if isinstance(child, yaml.MappingEndEvent):
                end = child.end_mark
                assert end is not None  # PyYAML's parser gives every event its marks
                return MappingNode(start.line, start.column, end.line, end.column, pairs)
            key = self._node(child, events, is_key=True)
            value = self._node(next(events), events)
            if not isinstance(key, Scalar) or key.text == "<<" or (key.style is None and key.text == ""):
                self.problems.add(
                    "yaml.bad_key", location=Location(self.display, key.line + 1, key.column + 1)
                )
                continue
            if key.text in seen:
                first = seen[key.text]
                self.problems.add(
                    "yaml.duplicate_key",
                    key=key.text,
                    first_line=first.line + 1,
                    location=Location(self.display, key.line + 1, key.column + 1, len(key.text)),
                    related=Location(self.display, first.line + 1, first.column + 1, len(first.text)),
                )
                continue
            key.value = key.text
            seen[key.text] = key
            pairs.append((key, value))
        raise AssertionError("unterminated mapping")

    def _scalar_value(self, event: Any) -> Any:
        text = event.value
        if event.style:
            return text
        if text in _NULL:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        if _INT.match(text) or _DECIMAL.match(text):
            too_long = number_too_long(text, fraction_counts=True)
            if too_long is not None:
                self.problems.add(
                    "value.number_too_long", location=self._loc(event, min(len(text), 40)), **too_long
                )
                return text
            return Decimal(text) if "." in text else int(text)
        if text.lower() in _YAML11_BOOL:
            self.problems.add("yaml.ambiguous_bool", text=text, location=self._loc(event, len(text)))
            return text
        if _DATE.match(text):
            return text
        if _THOUSANDS.match(text):
            plain = text.replace(".", "")
            self.problems.add(
                "yaml.thousands_separator", text=text, plain=plain, location=self._loc(event, len(text))
            )
            return text
        if _NUMBERISH.match(text) or (
            self._resolver.resolve(yaml.ScalarNode, text, (True, False)) in _YAML11_TAGS
        ):
            self.problems.add("yaml.ambiguous_number", text=text, location=self._loc(event, len(text)))
            return text
        return text
