"""A LetterDocument (document.py) → a Word file (.docx), from a Word template that a centrumgemeente
can put in its house style (`templates/letter.docx`, made by `tools/make_letter_docx.py`).

The template holds the layout: margins, the header and footer (ons kenmerk, "pagina X van Y" as
PAGE and NUMPAGES fields, the VOORBEELD banner), the letterhead, the address and kenmerk blocks,
the slot and the signatures, with Jinja placeholders such as `{{ sender.name }}` that docxtpl
fills. The variable blocks (the body's paragraphs, tables with any number of columns, the payment
instruction, the annexes) are built here with python-docx in the template's own NAMED styles
(`STYLES`), and put in at `{{p body }}` and `{{p annexes }}`: the house style (fonts, sizes,
spacing, borders) governs them too; this module sets only what a style cannot say (column widths,
the shading of the recipient's own row, a numeric column's right alignment).

Nothing in the letter is ever read as a template: the template is rendered in the render
package's budgeted sandbox (`templating._BudgetedEnvironment`) with autoescape, so `<`, `&`,
`{{` or `{%` in a municipality's name or a label is shown as written.

Reproducible: the core properties are the letter's (created and modified: its date; title,
author; the kenmerk as `identifier` and in `keywords`) and the zip is rewritten with fixed entry
times, a fixed order and no compression (`stable_zip`), so the same letter gives the same bytes
in any process, independent of the zlib a machine has.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from convenant import words
from convenant.render import document as d

TEMPLATE = Path(__file__).resolve().parent / "templates" / "letter.docx"

# The named styles the built blocks use, by role: the template must have each of them. The
# template's own parts (letterhead, address, kenmerk block, header, footer, signature) use more
# (tools/make_letter_docx.py); a house style may rename those freely, not these.
STYLES = {
    "text": "Brieftekst",
    "outcome": "Uitkomst",
    "amount": "Uitkomstbedrag",  # character style: the bold of the outcome
    "payment": "Betaalblok",
    "payment_label": "Betaallabel",  # character style
    "heading": "Kop",
    "subheading": "Tussenkop",
    "annex": "Bijlagekop",  # starts a new page
    "caption": "Tabelbijschrift",
    "legend": "Tabellegenda",
    "table": "Tabel",  # table style: rules above and below, the header and totals rows
    "table_head": "Tabelkop",
    "table_cell": "Tabeltekst",
    "table_total": "Tabeltotaal",
}
# The placeholders the template must use (a house style may move them, not drop them).
PLACEHOLDERS = ("sender", "recipient", "reference", "salutation", "body", "signature", "annexes", "page")
MAX_TEMPLATE_BYTES = 20 * 1024 * 1024  # a house-style template with its logo; ours is under 100 kB
HIGHLIGHT = "E4E4E4"  # the recipient's own row in the region's table
_CHAR_WIDTH = 90  # twips per character of table text (8 pt), to size columns that fit their content
_CELL_PADDING = 2 * 57  # twips: the table style's left and right cell margins (0.1 cm each)
_PAGE_PLACEHOLDER = re.compile(r"\{(page|pages)\}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DOCXTPL_ESCAPE = re.compile(r"\{_(?=[{%])|(?<=[}%])_\}")  # docxtpl turns "{_{" into "{{" after rendering
_BREAKS = re.compile(r"([\t\n])")
_LISTING = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\n\a\f]")  # a text docxtpl's resolve_listing would change
_KEEP = 64  # template parts kept patched and compiled (a template has about ten)


def text(value: str) -> str:
    """A text as it may stand in the document: characters XML cannot hold become U+FFFD, and the
    sequences docxtpl rewrites after rendering ("{_{", "}_}", "{_%", "%_}") keep their look with
    an invisible word joiner (U+2060).

    >>> text("a\\x00b"), text("{_{ x }_}")
    ('a\ufffdb', '{\u2060_{ x }_\u2060}')
    """
    cleaned = _NOT_XML.sub("\ufffd", value)
    return _DOCXTPL_ESCAPE.sub(
        lambda m: m[0].replace("_", "\u2060_" if m[0][0] == "{" else "_\u2060"), cleaned
    )


def page_words(phrase: str) -> dict[str, str]:
    """ "pagina {page} van {pages}" → the texts before, between and after the PAGE and NUMPAGES
    fields of the template's footer.

    >>> page_words("pagina {page} van {pages}")
    {'before': 'pagina ', 'between': ' van ', 'after': ''}
    """
    found = [m[1] for m in _PAGE_PLACEHOLDER.finditer(phrase)]
    if found != ["page", "pages"]:
        raise ValueError(f"the page words name {{page}} and then {{pages}}: {phrase!r}")
    before, between, after = _PAGE_PLACEHOLDER.split(phrase)[::2]
    return {"before": before, "between": between, "after": after}


def context(doc: d.LetterDocument) -> dict[str, Any]:
    """What the template's placeholders read, every text cleaned by `text` (None: "")."""
    s, sig, ref = doc.sender, doc.signature, doc.reference
    fields = [(text(label), text(value)) for label, value in ref.fields]
    if len(fields) % 2:
        fields.append(("", ""))
    under_mandate = sig.mandate is not None
    return {
        "page": {
            "kenmerk_label": text(doc.page.kenmerk_label),
            "kenmerk": text(doc.page.kenmerk),
            "banner": text(doc.page.banner or ""),
            **{k: text(v) for k, v in page_words(doc.page.page_words).items()},
        },
        "sender": {
            "name": text(s.name),
            "department": text(s.department or ""),
            "address": [text(line) for line in s.address],
            "website": text(s.website or ""),
        },
        "recipient": [text(line) for line in doc.recipient.lines],
        "reference": {
            "pairs": [
                {"label1": a[0], "value1": a[1], "label2": b[0], "value2": b[1]}
                for a, b in zip(fields[::2], fields[1::2], strict=True)
            ],
            "lines": [{"label": text(label), "value": text(value)} for label, value in ref.lines],
        },
        "salutation": text(doc.salutation),
        "signature": {
            "closing": text(sig.closing),
            "college": text(sig.college),
            "mandate": text(sig.mandate or ""),
            "signatories": [
                {
                    "above": "" if under_mandate else text(p.function) + ",",
                    "name": text(p.name),
                    "below": text(p.function) if under_mandate else "",
                }
                for p in sig.signatories
            ],
        },
    }


def _template_bytes(template: Path | None) -> bytes:
    """The shipped template, or a house-style copy read like every other input: a regular file of
    bounded size (a `file.*` problem otherwise)."""
    if template is None:
        return TEMPLATE.read_bytes()
    from convenant.core.paths import display_path
    from convenant.core.reading import read_bytes

    return read_bytes(template, display_path(template), MAX_TEMPLATE_BYTES)


def missing_styles(docx: Any) -> list[str]:
    """The names in `STYLES` a template does not have."""
    names = {style.name for style in docx.styles}
    return [name for name in STYLES.values() if name not in names]


def template_problems(template: Path) -> list[tuple[str, str]]:
    """What keeps a (house-style) template from making letters, as (kind, name): a named style it
    lacks ("style_missing"), a placeholder it lacks ("placeholder_missing") or one this module does
    not fill ("placeholder_unknown"). Empty when it is fit; the shipped template is (tested). The
    caller that takes a template from a user turns these into messages."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(_template_bytes(template)))
    tpl.init_docx()
    problems = [("style_missing", name) for name in missing_styles(tpl.docx)]
    used = tpl.get_undeclared_template_variables(jinja_env=_environment())
    problems += [("placeholder_missing", name) for name in PLACEHOLDERS if name not in used]
    problems += [("placeholder_unknown", name) for name in sorted(used - set(PLACEHOLDERS))]
    return problems


@cache
def _environment() -> Any:
    """The render package's budgeted sandbox, autoescaped, strict about unknown names, and keeping
    the templates it compiled: docxtpl compiles each part of the template (body, headers, footers,
    properties) from its XML on every rendering, the same XML for every letter."""
    from jinja2 import StrictUndefined

    from convenant.render.templating import _BudgetedEnvironment

    class Compiled(_BudgetedEnvironment):
        def __init__(self) -> None:
            super().__init__(undefined=StrictUndefined, autoescape=True)
            self.compiled: dict[str, Any] = {}

        def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return super().from_string(source, globals, template_class)
            if source not in self.compiled:
                if len(self.compiled) > _KEEP:
                    self.compiled.clear()
                self.compiled[source] = super().from_string(source)
            return self.compiled[source]

    return Compiled()


@cache
def _template_class() -> Any:
    from docxtpl import DocxTemplate

    patched: dict[str, str] = {}

    class Template(DocxTemplate):
        """docxtpl's template, quicker for many letters from one template: each part's patched XML
        is kept (the same for every letter), and `resolve_listing` (a tab or line break in a
        filled-in text becomes `<w:tab/>` or `<w:br/>`) runs only when a text has one."""

        def patch_xml(self, src_xml: str) -> str:
            if src_xml not in patched:
                if len(patched) > _KEEP:
                    patched.clear()
                patched[src_xml] = super().patch_xml(src_xml)
            return patched[src_xml]

        def resolve_listing(self, xml: str) -> str:
            return super().resolve_listing(xml) if _LISTING.search(xml) else xml

    return Template


def to_docx(doc: d.LetterDocument, template: Path | None = None) -> bytes:
    """The letter as a Word file from `template` (default: the shipped `templates/letter.docx`).
    A template without one of `STYLES` is a ValueError: check a user's with `template_problems`."""
    from markupsafe import Markup

    tpl = _template_class()(io.BytesIO(_template_bytes(template)))
    tpl.init_docx()
    missing = missing_styles(tpl.docx)
    if missing:
        raise ValueError(f"the letter template lacks the styles {', '.join(missing)}")
    builder = _Blocks(tpl.docx, doc.lang)
    values = context(doc)
    values["body"] = Markup(builder.xml(doc.body))
    values["annexes"] = Markup(builder.xml(doc.annexes))
    tpl.render(values, jinja_env=_environment(), autoescape=True)
    _core_properties(tpl.docx, doc)
    out = io.BytesIO()
    tpl.save(out)
    return stable_zip(out.getvalue(), doc.dated)


def _core_properties(docx: Any, doc: d.LetterDocument) -> None:
    props = docx.core_properties
    when = datetime(doc.dated.year, doc.dated.month, doc.dated.day, tzinfo=UTC)
    props.title = text(doc.title)
    props.subject = text(doc.title)
    props.author = text(doc.author)
    props.last_modified_by = text(doc.author)
    props.identifier = text(doc.page.kenmerk)
    props.keywords = text(doc.page.kenmerk)
    props.language = doc.lang
    props.comments = ""
    props.category = ""
    props.content_status = ""
    props.version = ""
    props.revision = 1
    props.created = when
    props.modified = when
    props.last_printed = when


def stable_zip(data: bytes, when: date) -> bytes:
    """The same Word file with every entry dated `when`, `[Content_Types].xml` first and the rest
    in name order, stored uncompressed: its bytes depend on the content only.

    >>> a = io.BytesIO()
    >>> with zipfile.ZipFile(a, "w") as z:
    ...     z.writestr("word/document.xml", "<w/>"); z.writestr("[Content_Types].xml", "<t/>")
    >>> z = zipfile.ZipFile(io.BytesIO(stable_zip(a.getvalue(), date(2022, 1, 31))))
    >>> [(i.filename, i.date_time) for i in z.infolist()]
    [('[Content_Types].xml', (2022, 1, 31, 0, 0, 0)), ('word/document.xml', (2022, 1, 31, 0, 0, 0))]
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    first = "[Content_Types].xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for name in sorted(entries, key=lambda n: (n != first, n)):
            info = zipfile.ZipInfo(name, date_time=(when.year, when.month, when.day, 0, 0, 0))
            info.create_system = 3  # the same on every platform (ZipInfo takes the running one)
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name])
    return out.getvalue()


class _Blocks:
    """Builds blocks as WordprocessingML text in the template's named styles, for a `{{p … }}`
    placeholder (the template's document declares the `w:` prefix). Every text and attribute
    passes through `_escaped`."""

    def __init__(self, docx: Any, lang: str) -> None:
        self.lang = lang
        self.style = {role: _escaped(docx.styles[name].style_id) for role, name in STYLES.items()}
        section = docx.sections[0]
        self.width = int(section.page_width - section.left_margin - section.right_margin) // 635  # twips

    def xml(self, items: Iterable[d.Block | d.Annex]) -> str:
        out: list[str] = []
        for item in items:
            if isinstance(item, d.Annex):
                out.append(self.paragraph("annex", [(item.title, None)]))
                out += [self.block(block) for block in item.blocks]
            else:
                out.append(self.block(item))
        return "".join(out)

    def block(self, block: d.Block) -> str:
        if isinstance(block, d.Paragraph):
            spans = [(s.text, "amount" if s.strong else None) for s in block.spans]
            return self.paragraph("outcome" if block.outcome else "text", spans)
        if isinstance(block, d.Heading):
            return self.paragraph("heading" if block.level == 1 else "subheading", [(block.text, None)])
        if isinstance(block, d.OutcomeTable):
            return self.table(block.table)
        if isinstance(block, d.Table):
            return self.table(block)
        label = words.table("letterform.payment", self.lang)
        fields = (
            ("amount", block.amount),
            ("due", block.due),
            ("iban", block.iban),
            ("holder", block.holder),
            ("reference", block.reference),
        )
        runs: list[tuple[str, str | None]] = []
        for key, value in fields:  # one paragraph, a line per field: one block, kept together
            runs += [(label[key], "payment_label"), ("\t" + value + "\n", None)]
        runs[-1] = (runs[-1][0].removesuffix("\n"), None)
        return self.paragraph("payment", runs)

    def paragraph(self, role: str, runs: list[tuple[str, str | None]], right: bool = False) -> str:
        """`<w:p>` in the style for `role`, a run per (text, character style role); a tab or a
        line break in a text becomes `<w:tab/>` or `<w:br/>`."""
        jc = '<w:jc w:val="right"/>' if right else ""
        out = [f'<w:p><w:pPr><w:pStyle w:val="{self.style[role]}"/>{jc}</w:pPr>']
        for content, style in runs:
            out.append(f'<w:r><w:rPr><w:rStyle w:val="{self.style[style]}"/></w:rPr>' if style else "<w:r>")
            for piece in _BREAKS.split(text(content)):
                if piece == "\t":
                    out.append("<w:tab/>")
                elif piece == "\n":
                    out.append("<w:br/>")
                elif piece:
                    out.append(f'<w:t xml:space="preserve">{_escaped(piece)}</w:t>')
            out.append("</w:r>")
        out.append("</w:p>")
        return "".join(out)

    def table(self, t: d.Table) -> str:
        """The caption and legend, then the table in the table style (its header row repeated on
        every page, rows never split, the totals row marked as the style's last row), then an empty
        paragraph: Word needs one between two tables, and it gives the text's spacing after."""
        out = []
        if t.caption:
            out.append(self.paragraph("caption", [(t.caption, None)]))
        out += [self.paragraph("legend", [(line, None)]) for line in t.legend]
        widths = self.widths(t)
        last_row = "1" if t.total else "0"
        out.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.style["table"]}"/>'
            f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            f'<w:tblLook w:firstRow="1" w:lastRow="{last_row}" w:firstColumn="0" w:lastColumn="0"'
            ' w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        )
        out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
        out.append("</w:tblGrid>")
        rows = [tuple(c.title for c in t.columns), *t.rows, *([t.total] if t.total else [])]
        last = len(rows) - 1
        for index, cells in enumerate(rows):
            header = "<w:tblHeader/>" if index == 0 else ""  # repeated on every page
            out.append(f"<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>")
            role = (
                "table_head" if index == 0 else "table_total" if t.total and index == last else "table_cell"
            )
            own = t.highlight is not None and index == t.highlight + 1
            shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{HIGHLIGHT}"/>' if own else ""
            for value, column, width in zip(cells, t.columns, widths, strict=True):
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>')
                out.append(self.paragraph(role, [(value, None)], right=column.numeric))
                out.append("</w:tc>")
            out.append("</w:tr>")
        out.append("</w:tbl>")
        out.append(self.paragraph("text", []))
        return "".join(out)

    def widths(self, t: d.Table) -> list[int]:
        """Column widths in twips over the text width: the table's relative widths, or (None) every
        column but the first as wide as its longest text and the first the room left."""
        if t.widths is not None:
            whole = sum(t.widths)
            return _fill([self.width * w // whole for w in t.widths], self.width)
        needed = [
            max(len(cell) for cell in _column(t, i)) * _CHAR_WIDTH + _CELL_PADDING
            for i in range(len(t.columns))
        ]
        rest = needed[1:]
        first = max(self.width - sum(rest), self.width // 4)
        scale = (self.width - first) / sum(rest) if rest and sum(rest) > self.width - first else 1
        return _fill([first, *(int(w * scale) for w in rest)], self.width)


def _column(t: d.Table, i: int) -> Iterator[str]:
    yield t.columns[i].title
    for row in t.rows:
        yield row[i]
    if t.total:
        yield t.total[i]


def _fill(widths: list[int], total: int) -> list[int]:
    """`widths` with the first column taking what rounding left over, so they sum to `total`."""
    return [widths[0] + total - sum(widths), *widths[1:]]


def _escaped(value: str) -> str:
    """Text or an attribute value as XML.

    >>> _escaped('<a & "b">')
    '&lt;a &amp; &quot;b&quot;&gt;'
    """
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
