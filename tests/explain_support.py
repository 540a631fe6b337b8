"""Helpers for the explanation and letter tests: copies of the Assen rule file with its sentence
templates, reading a letter's text back (Markdown, HTML, PDF, DOCX) and pulling amounts and dates out."""

from __future__ import annotations

import html
import io
import re
import shutil
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from convenant.core.dates import MONTHS_NL
from convenant.render.templating import sentence_dir
from tests.conftest import ASSEN, replace_once

AMOUNT = re.compile(r"€ ?(-?)(\d{1,3}(?:\.\d{3})*,\d+)")
DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(MONTHS_NL)}) (\d{{4}})\b")
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<style\b.*?</style>", re.S)  # the page's style sheet is not text a person reads


def copy_rules(directory: Path, old: str | None = None, new: str | None = None) -> Path:
    """The Assen rule file and its templates copied into `directory`, optionally with one edit."""
    target = directory / "rules" / "assen" / ASSEN.name
    target.parent.mkdir(parents=True)
    text = ASSEN.read_text(encoding="utf-8")
    if old is not None:
        text = replace_once(text, old, new or "")
    target.write_text(text, encoding="utf-8")
    shutil.copytree(sentence_dir(ASSEN), sentence_dir(target))
    return target


def edit_template(rules: Path, name: str, old: str, new: str) -> Path:
    path = sentence_dir(rules) / f"{name}.j2"
    path.write_text(replace_once(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    return path


@cache
def pdf_pages(data: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF by extraction (pypdf), once per distinct PDF in a test process:
    several tests read the same letters. pypdf's own extraction, on each page's content stream as
    `_fast_content` reads it (`pdf_pages_by_pypdf` reads it with pypdf's parser, the same text)."""
    from pypdf import PdfReader
    from pypdf.generic import NameObject

    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        content = _fast_content(page)
        if content is not None:
            page[NameObject("/Contents")] = content
        pages.append(page.extract_text())
    return tuple(pages)


def pdf_pages_by_pypdf(data: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF by pypdf alone (what `pdf_pages` must give)."""
    from pypdf import PdfReader

    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# A content stream's tokens, as Typst writes them: pypdf's parser reads it a byte at a time (three
# quarters of its text extraction); these regular expressions read the same objects. A name is
# read here only without '#', a string as pypdf reads it (balanced parentheses unescaped inside:
# one level by the expression, more by `_string_end`; the escapes below, anything else after a
# backslash kept with its backslash): anything else, any text no token matches, leaves the stream
# to pypdf's parser.
_TOKEN = re.compile(
    rb"""[\x00\t\n\f\r ]*+(?:
      (?P<string>\((?:[^\\()]++|\\.|\((?:[^\\()]++|\\.)*+\))*+\)) | (?P<deep>\()
    | (?P<number>[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))(?=[\x00\t\n\f\r /\[\]()<>]|$)
    | (?P<name>/[^\x00\t\n\f\r /\[\]()<>{}%#]*)
    | (?P<hex><[0-9A-Fa-f\x00\t\n\f\r ]*>)
    | (?P<open><<|\[) | (?P<close>>>|\])
    | (?P<operator>[A-Za-z'"*][A-Za-z0-9'"*]*)
    )""",
    re.X | re.S,
)
_IN_STRING = re.compile(rb"[\\()]")


def _string_end(data: bytes, start: int) -> int | None:
    """Where the string opened at `start` ends (after its closing parenthesis), or None."""
    depth, at = 1, start + 1
    while True:
        found = _IN_STRING.search(data, at)
        if found is None:
            return None
        at = found.end()
        if found[0] == b"\\":
            at += 1
        elif found[0] == b"(":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return at


_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3}|\r\n?|\n\r?)")
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")"}
_ESCAPED[b"\\"] = b"\\"


def _unescaped(code: bytes) -> bytes:
    """What pypdf reads for an escape (`code`, after the backslash)."""
    if code in _ESCAPED:
        return _ESCAPED[code]
    if code[:1] in b"\r\n":
        return b""  # an escaped line break is no part of the string
    number = int(code, 8)
    return bytes([number]) if number <= 255 else b"\\" + code  # pypdf keeps the backslash


_UNESCAPED: dict[bytes, bytes] = {}  # an escape as matched → what it reads as


def _unescape(match: re.Match[bytes]) -> bytes:
    found = _UNESCAPED.get(match[0])
    if found is None:
        found = _UNESCAPED[match[0]] = _unescaped(match[1])
    return found


def _fast_content(page):
    """The page's content stream with its operations read by `_TOKEN`, or None (pypdf reads it)."""
    from pypdf.generic import (
        ArrayObject,
        BooleanObject,
        ByteStringObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NullObject,
        NumberObject,
    )

    contents = page.get("/Contents")
    if contents is None:
        return None
    content = _content_class()(contents, page.pdf, "bytes")
    data = content.get_data().rstrip(b"\x00\t\n\f\r ")
    operations: list = []
    operands: list = []
    stack: list[list] = []
    at, end = 0, len(data)
    unescape, escape, token_at = _unescape, _ESCAPE.sub, _TOKEN.match
    while at < end:
        match = token_at(data, at)
        if match is None:
            return None  # text no token matches
        at = match.end()
        kind = match.lastgroup
        if kind == "string" or kind == "deep":
            if kind == "deep":
                closed = _string_end(data, at - 1)
                if closed is None:
                    return None
                token, at = data[at - 1 : closed], closed
            else:
                token = match[1]
            value = ByteStringObject(escape(unescape, token[1:-1]) if b"\\" in token else token[1:-1])
        elif kind == "number":
            token = match[3]
            value = FloatObject(float(token)) if b"." in token else NumberObject(int(token))
        elif kind == "name":
            value = NameObject(match[4].decode("utf-8"))
        elif kind == "hex":
            digits = re.sub(rb"[^0-9A-Fa-f]", b"", match[5])
            value = ByteStringObject(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode()))
        elif kind == "open":
            stack.append([match[6]])
            continue
        elif kind == "close":
            opened, token = (stack[-1][0] if stack else None), match[7]
            if opened is None or (opened == b"[") != (token == b"]"):
                return None
            _, *items = stack.pop()
            if opened == b"[":
                value = ArrayObject(items)
            elif len(items) % 2 or not all(isinstance(k, NameObject) for k in items[::2]):
                return None
            else:
                value = DictionaryObject(zip(items[::2], items[1::2], strict=True))
        else:
            token = match[8]
            if token in (b"true", b"false", b"null"):
                value = NullObject() if token == b"null" else BooleanObject(token == b"true")
            elif stack or token in (b"BI", b"ID", b"EI"):
                return None  # an operator inside an array, or an inline image: pypdf's parser
            else:
                operations.append((operands, token))
                operands = []
                continue
        (stack[-1] if stack else operands).append(value)
    if stack or operands:
        return None
    content.read = operations
    return content


@cache
def _content_class() -> type:
    """pypdf's ContentStream whose operations are the ones `_fast_content` read (`read`): pypdf
    parses a content stream when its text extraction first asks for the operations."""
    from pypdf.generic import ContentStream

    class Read(ContentStream):
        read: list

        def _parse_content_stream(self, stream: object) -> None:
            self._operations = self.read

    return Read


def pdf_text(data: bytes) -> str:
    """The text of a PDF by extraction, its pages one after the other (`pdf_pages`)."""
    return "\n".join(pdf_pages(data))


@cache
def docx_text(data: bytes) -> str:
    """The text of a DOCX: every paragraph of the body (tables included, in order), then the
    headers and footers, read from its XML with python-docx's parts."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(data))
    parts = [
        doc.element.body,
        *(s.header._element for s in doc.sections),
        *(s.footer._element for s in doc.sections),
    ]
    return "\n".join(
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for part in parts for p in part.iter(qn("w:p"))
    )


_MD_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\(.)", re.S)  # a backslash before a newline is a line break


def markdown_text(text: str) -> str:
    """What a person reads in a Markdown letter: no bold markers, table pipes or escapes."""
    text = text.replace("**", "")
    text = _MD_PIPE.sub(" ", text)
    text = re.sub(r"^[\s:|-]+$", "", text, flags=re.M)  # a table's separator row
    return _MD_ESCAPE.sub(r"\1", text)


def text_of(name: str, data: bytes) -> str:
    """What a person reads in a letter of any format, with whitespace collapsed."""
    suffix = name.rsplit(".", 1)[-1]
    if suffix == "pdf":
        text = pdf_text(data)
    elif suffix == "docx":
        text = docx_text(data)
    elif suffix == "html":
        text = html.unescape(_TAG.sub(" ", _STYLE.sub(" ", data.decode("utf-8"))))
    else:
        text = markdown_text(data.decode("utf-8"))
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def letter_text(path: Path) -> str:
    """What a person reads in a letter file: Markdown without markup, HTML without tags, PDF and
    DOCX by text extraction."""
    return text_of(path.name, path.read_bytes())


def amounts(text: str) -> list[Decimal]:
    """Every euro amount in a text, signed, e.g. '€ -1.234,50' → Decimal('-1234.50')."""
    return [
        Decimal(sign + digits.replace(".", "").replace(",", ".")) for sign, digits in AMOUNT.findall(text)
    ]


def dates_in(text: str) -> list[date]:
    return [date(int(y), MONTHS_NL.index(m) + 1, int(d)) for d, m, y in DATE.findall(text)]
