"""A LetterDocument (document.py) → Typst source → PDF, with Typst's own compiler (the `typst`
package: a self-contained wheel, no system library; see docs/developers.md, "Typesetting").

Nothing in the letter is ever written into Typst markup. The layout is one fixed file,
`templates/letter.typ`; the letter reaches it as one Typst value, a dictionary literal in which
every text is a string literal (`typst_string`), so `*`, `_`, `$`, `#eval(…)`, `@`, `<` or a
backslash in a municipality's name or a rule file's label is shown as it is written.

Reproducible: only the fonts shipped in `engine/render/fonts/` are used (system fonts and
Typst's embedded fonts are both switched off), and the PDF's creation date is the letter's date;
the same letter gives the same bytes on every machine.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from convenant import words
from convenant.render import document as d

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
LAYOUT = Path(__file__).resolve().parent / "templates" / "letter.typ"
_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def typst_string(text: str) -> str:
    r"""`text` as a Typst string literal: only the backslash, the quote and control characters need
    an escape inside one, and a string literal is never read as markup.

    >>> print(typst_string('a "b" \\ #eval("x") *y* $z$'))
    "a \"b\" \\ #eval(\"x\") *y* $z$"
    >>> print(typst_string("regel\nregel\x00"))
    "regel\nregel\u{0}"
    """
    out = ['"']
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch in "\u2028\u2029":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def typst_value(value: Any) -> str:
    """Plain data as a Typst value literal: str, bool, int, None, lists and dicts with str keys.

    >>> typst_value({"a": ["x"], "b": None, "c": True, "d": 3})
    '("a": ("x",), "b": none, "c": true, "d": 3)'
    >>> typst_value({})
    '(:)'
    """
    if isinstance(value, str):
        return typst_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "none"
    if isinstance(value, list | tuple):
        items = [typst_value(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict):
        if not value:
            return "(:)"
        return "(" + ", ".join(f"{typst_string(str(k))}: {typst_value(v)}" for k, v in value.items()) + ")"
    raise TypeError(f"no Typst literal for {type(value).__name__}")


def _page_words(phrase: str) -> list[dict[str, str]]:
    """ "pagina {page} van {pages}" → the parts the layout fills with the page numbers."""
    parts: list[dict[str, str]] = []
    at = 0
    for match in _PLACEHOLDER.finditer(phrase):
        if match.start() > at:
            parts.append({"kind": "text", "text": phrase[at : match.start()]})
        parts.append({"kind": match[1], "text": ""})
        at = match.end()
    if at < len(phrase):
        parts.append({"kind": "text", "text": phrase[at:]})
    return parts


def _table(t: d.Table) -> dict[str, Any]:
    return {
        "columns": [{"title": c.title, "numeric": c.numeric} for c in t.columns],
        "legend": list(t.legend),
        "highlight": t.highlight,
        "rows": [list(r) for r in t.rows],
        "total": list(t.total) if t.total else None,
        "caption": t.caption,
        "widths": list(t.widths) if t.widths else None,
    }


def _block(block: d.Block, lang: str) -> dict[str, Any]:
    if isinstance(block, d.Paragraph):
        return {"kind": "paragraph", "spans": [{"text": s.text, "strong": s.strong} for s in block.spans]}
    if isinstance(block, d.Heading):
        return {"kind": "heading", "text": block.text, "level": block.level}
    if isinstance(block, d.OutcomeTable):
        return {"kind": "table", "table": _table(block.table)}
    if isinstance(block, d.Table):
        return {"kind": "table", "table": _table(block)}
    label = words.table("letterform.payment", lang)
    fields = [
        (label["amount"], block.amount),
        (label["due"], block.due),
        (label["iban"], block.iban),
        (label["holder"], block.holder),
        (label["reference"], block.reference),
    ]
    return {"kind": "payment", "fields": [list(f) for f in fields]}


def to_data(doc: d.LetterDocument) -> dict[str, Any]:
    """The letter as the plain value the layout reads."""
    s, sig = doc.sender, doc.signature
    return {
        "lang": doc.lang,
        "title": doc.title,
        "author": doc.author,
        "date": [doc.dated.year, doc.dated.month, doc.dated.day],
        "page": {
            "kenmerk-label": doc.page.kenmerk_label,
            "kenmerk": doc.page.kenmerk,
            "words": _page_words(doc.page.page_words),
            "banner": doc.page.banner,
            "watermark": doc.page.watermark,
        },
        "sender": {
            "name": s.name,
            "department": s.department,
            "address": list(s.address),
            "website": s.website,
        },
        "recipient": list(doc.recipient.lines),
        "reference": {
            "fields": [list(f) for f in doc.reference.fields],
            "lines": [list(f) for f in doc.reference.lines],
        },
        "salutation": doc.salutation,
        "body": [_block(b, doc.lang) for b in doc.body],
        "signature": {
            "closing": sig.closing,
            "college": sig.college,
            "mandate": sig.mandate,
            "signatories": [{"name": p.name, "function": p.function} for p in sig.signatories],
        },
        "annexes": [
            {"title": a.title, "blocks": [_block(b, doc.lang) for b in a.blocks]} for a in doc.annexes
        ],
    }


def source(doc: d.LetterDocument) -> str:
    """The Typst source of one letter: the fixed layout, then the letter as one value."""
    return f"{_layout()}\n#letter({typst_value(to_data(doc))})\n"


@cache
def _layout() -> str:
    return LAYOUT.read_text(encoding="utf-8")


@cache
def _compiler() -> Any:
    import typst

    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS_DIR)])
    return typst.Compiler(font_paths=fonts, ignore_system_fonts=True)


def compiler_made() -> bool:
    """Whether this process has made its Typst compiler (and so may run the typesetter's threads)."""
    return _compiler.cache_info().currsize > 0


def to_pdf(doc: d.LetterDocument) -> bytes:
    """The letter as a tagged PDF, dated by the letter."""
    when = datetime(doc.dated.year, doc.dated.month, doc.dated.day, tzinfo=UTC)
    pdf = _compiler().compile(input=source(doc).encode("utf-8"), format="pdf", timestamp=when)
    assert isinstance(pdf, bytes)
    return pdf
