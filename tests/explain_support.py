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
    """The text of each page of a PDF by extraction (pypdf), once per distinct PDF in a test run:
    extraction takes a good part of a second per letter, and several tests read the same letters."""
    from pypdf import PdfReader

    return tuple(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


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
