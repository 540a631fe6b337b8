"""Surgical edits of YAML text: replace the written value of one field, keep everything else.

Legal staff read their rule files as text: comments, the order of fields and the layout must
survive a tool's edit. So a value is replaced where the located node (`engine.loading`) says it
is written, and the result is read back to prove that exactly that value changed.

>>> from convenant.source.loading import parse_document
>>> doc = parse_document('a:\\n  b: "1.6"   # versie\\n  c: 2024-01-01\\n', "x.yaml")
>>> print(replace_values(doc, {("a", "b"): "1.7", ("a", "c"): "2025-01-01"}), end="")
a:
  b: "1.7"   # versie
  c: 2025-01-01
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from convenant.source.loading import Document, Scalar, parse_document

FieldPath = tuple[str | int, ...]


def _offset(text: str, line: int, column: int) -> int:
    """The string offset of a 0-based line and column, as PyYAML counts them."""
    starts = [0]
    for i, char in enumerate(text):
        if char == "\n":
            starts.append(i + 1)
    return starts[line] + column


def _written(old: Scalar, value: str) -> str:
    """`value` written in the style of the scalar it replaces (plain, 'single' or "double")."""
    if old.style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if old.style == "'":
        return "'" + value.replace("'", "''") + "'"
    return value


def replace_values(doc: Document, values: Mapping[FieldPath, str]) -> str:
    """The text of `doc` with the scalars at the given field paths replaced by the given text.

    Each field must exist and hold a single-line scalar; the result must read back with exactly
    these values changed (otherwise AssertionError: a bug, never a silent corruption).
    """
    spans = []
    for path, value in values.items():
        node, _ = doc.node_at(path)
        assert isinstance(node, Scalar) and node.line == node.end_line, f"{path} is not a one-line value"
        start = _offset(doc.text, node.line, node.column)
        end = _offset(doc.text, node.end_line, node.end_column)
        spans.append((start, end, _written(node, value)))
    text = doc.text
    for start, end, written in sorted(spans, reverse=True):
        text = text[:start] + written + text[end:]
    _check_read_back(doc, text, values)
    return text


def replace_first_line(text: str, line: str) -> str:
    """The text with its first line replaced (the `# yaml-language-server: $schema=…` line)."""
    rest = text.split("\n", 1)
    return line + ("\n" + rest[1] if len(rest) == 2 else "")


def _check_read_back(doc: Document, text: str, values: Mapping[FieldPath, str]) -> None:
    """The edited text holds the new values, and apart from them the same data as before."""
    after = parse_document(text, doc.path)
    restored = copy.deepcopy(after.data)
    for path, value in values.items():
        node, _ = after.node_at(path)
        assert isinstance(node, Scalar) and node.text == value, f"{path} did not read back as {value!r}"
        *parents, last = path
        holder = restored
        for step in parents:
            holder = holder[step]
        before, _ = doc.node_at(path)
        holder[last] = before.value  # type: ignore[attr-defined]
    assert restored == doc.data, "an edit changed more than the values it was asked to change"
