r"""A LetterDocument (document.py) → a Markdown letter, in the order of the PDF (typst_letter.py):
the banner, the letterhead, the address block, the kenmerk block, the aanhef, the body, the
payment instruction, the slot and signature, each annex, and the kenmerk as the last line.

Markdown for GitHub and CommonMark readers: pipe tables (numeric columns right-aligned, the
legend above, the totals row in bold), line breaks within a block with a backslash at the end of
the line (never trailing spaces).

Every text of the model is escaped (`inline`, `line`), so that no name or label becomes markup:
a backslash before each character that can start emphasis, code, a link, HTML, an entity, a
table cell, a strikethrough, math or a template tag (`\ * _ ` [ ] < > & | ~ $ # { }`, and `%`
after `{` or before `}`, so that no "{{" or "{%" is left for Liquid or Jinja after us), and at
the start of a line before what would make a list, a heading or a setext underline (`-`, `+`,
`=`, "1." and "1)"). A text is shown on one line (`document.one_line`). What is left: GitHub
still links a bare web or e-mail address (an autolink is a link, not a change of the text), and
the recipient's own row in a table is not shaded (Markdown has no shading; bold is the outcome's).

    >>> inline("*vet* <b> a|b {{ 7*7 }}")
    '\\*vet\\* \\<b\\> a\\|b \\{\\{ 7\\*7 \\}\\}'
    >>> line("- punt"), line("1. eerste"), line("2024 jaar")
    ('\\- punt', '1\\. eerste', '2024 jaar')
"""

from __future__ import annotations

import re

from convenant import words
from convenant.render import document as d

_ALWAYS = frozenset("\\`*_[]<>&|~$#{}")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")
_SPACES = re.compile(r" {2,}")


def _escape(text: str) -> str:
    escaped = "".join(f"\\{ch}" if ch in _ALWAYS else ch for ch in text)
    return escaped.replace("\\{%", "\\{\\%").replace("%\\}", "\\%\\}")  # no "{%" or "%}" is left


def inline(text: str) -> str:
    """`text` on one line, every character that is markup anywhere escaped (for table cells and
    the inside of a line)."""
    return _escape(d.one_line(text))


def _line_start(escaped: str) -> str:
    if escaped[:1] in ("-", "+", "="):
        return "\\" + escaped
    return _LIST_NUMBER.sub(r"\1\\\2", escaped)


def line(text: str) -> str:
    """`text` escaped as the start of a line: also what would begin a list or a heading."""
    return _line_start(inline(text))


def _lines(texts: tuple[str, ...] | list[str]) -> str:
    """Lines of one block (an address, a legend), each broken with a backslash."""
    return "\\\n".join(line(t) for t in texts if d.one_line(t))


def _paragraph(p: d.Paragraph) -> str:
    parts = []
    for span in p.spans:
        text = d.one_line(span.text, strip=False)
        escaped = _escape(text)
        if span.strong and escaped.strip(" "):
            core = escaped.strip(" ")
            lead = " " if escaped.startswith(" ") else ""
            trail = " " if escaped.endswith(" ") else ""
            escaped = f"{lead}**{core}**{trail}"
        parts.append(escaped)
    return _line_start(_SPACES.sub(" ", "".join(parts)).strip(" "))


def _row(cells: tuple[str, ...] | list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(t: d.Table) -> list[str]:
    blocks = []
    if t.caption:
        blocks.append(f"*{inline(t.caption)}*")
    if t.legend:
        blocks.append(_lines(t.legend))
    rows = [
        _row([inline(c.title) for c in t.columns]),
        _row(["---:" if c.numeric else "---" for c in t.columns]),
        *(_row([inline(cell) for cell in r]) for r in t.rows),
    ]
    if t.total:
        rows.append(_row([f"**{inline(cell)}**" if inline(cell) else "" for cell in t.total]))
    blocks.append("\n".join(rows))
    return blocks


def _payment(p: d.Payment, lang: str) -> str:
    label = words.table("letterform.payment", lang)
    fields = (
        (label["amount"], p.amount),
        (label["due"], p.due),
        (label["iban"], p.iban),
        (label["holder"], p.holder),
        (label["reference"], p.reference),
    )
    rows = [
        _row([inline(words.say("letterform.payment_title", lang)), ""]),
        _row(["---", "---"]),
        *(_row([inline(k), inline(v)]) for k, v in fields),
    ]
    return "\n".join(rows)


def _block(block: d.Block, lang: str) -> list[str]:
    if isinstance(block, d.Paragraph):
        return [_paragraph(block)]
    if isinstance(block, d.Heading):
        return [f"{'#' * min(max(block.level, 1), 6)} {inline(block.text)}"]
    if isinstance(block, d.OutcomeTable):
        return _table(block.table)
    if isinstance(block, d.Table):
        return _table(block)
    return [_payment(block, lang)]


def _signature(sig: d.Signature) -> list[str]:
    college = [sig.college, *([sig.mandate] if sig.mandate else [])]
    blocks = [line(sig.closing), _lines(college)]
    for s in sig.signatories:
        if sig.mandate:
            blocks.append(_lines([s.name, s.function]))
        else:
            blocks.append(f"{line(s.function)},\\\n{line(s.name)}")
    return blocks


def to_markdown(doc: d.LetterDocument) -> str:
    """The letter as Markdown: the same text for the same document, ending in one newline."""
    blocks: list[str] = []
    if doc.page.banner:
        blocks.append(f"> **{inline(doc.page.banner)}**")
    s = doc.sender
    blocks.append("\\\n".join([f"**{inline(s.name)}**", *([line(s.department)] if s.department else [])]))
    blocks.append(_lines([*s.address, *([s.website] if s.website else [])]))
    blocks.append(_lines(doc.recipient.lines))
    reference = [*doc.reference.fields, *doc.reference.lines]
    blocks.append("\\\n".join(f"{line(k)}: {inline(v)}" for k, v in reference))
    blocks.append(line(doc.salutation))
    for b in doc.body:
        blocks.extend(_block(b, doc.lang))
    blocks.extend(_signature(doc.signature))
    for annex in doc.annexes:
        blocks.append("---")
        blocks.append(f"# {inline(annex.title)}")
        for b in annex.blocks:
            blocks.extend(_block(b, doc.lang))
    blocks.append("---")
    blocks.append(f"{line(doc.page.kenmerk_label)} {inline(doc.page.kenmerk)}")
    text = "\n\n".join(b for b in blocks if b.strip())
    return "\n".join(row.rstrip() for row in text.splitlines()) + "\n"
