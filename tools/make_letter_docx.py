"""Writes the Word template of the settlement letter, engine/render/templates/letter.docx, that
render/docx_letter.py fills (docs/developers.md, "DOCX letters"). Run by hand after a change here,
from the repository root:

    .venv/bin/python tools/make_letter_docx.py

The template is the default house style: A4, its margins, NAMED paragraph, character and table
styles (a centrumgemeente changes those in Word, see docs/analysts.md), the header with the
VOORBEELD banner on every page, the footer with ons kenmerk and "pagina X van Y" (PAGE and
NUMPAGES fields), and the Jinja placeholders docxtpl fills. The same script gives the same bytes.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from convenant.render.docx_letter import TEMPLATE, stable_zip

ROOT = Path(__file__).resolve().parent.parent

FONT = "Arial"  # Liberation Sans (same widths) where Arial is not installed
GREY = RGBColor(0x5F, 0x5F, 0x5F)
BANNER = RGBColor(0xA0, 0x00, 0x00)
MADE = date(2026, 1, 1)  # the template's own date, fixed so that the file is reproducible
TEXT_WIDTH = Cm(21.0 - 2.4 - 2.2)


# The order of the children the schema (ECMA-376) requires where this script adds one by hand: Word
# refuses a file whose elements are out of order (tests/test_docx_letters.py checks it).
ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd"
    " tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi"
    " adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection"
    " textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof"
    " snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText"
    " vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat"
    " locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc"
    " tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign"
    " hideMark",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing"
    " jc hidden",
}


def place(parent: Any, child: Any) -> None:
    """Put `child` into `parent` where the schema's order (`ORDER`) wants it."""
    order = ORDER[parent.tag.rsplit("}", 1)[-1]].split()
    rank = order.index(child.tag.rsplit("}", 1)[-1])
    for sibling in parent:
        name = sibling.tag.rsplit("}", 1)[-1]
        if name in order and order.index(name) > rank:
            sibling.addprevious(child)
            return
    parent.append(child)


def border(element: Any, tag: str, sides: dict[str, int]) -> None:
    """`sides` (top, left, bottom, right, insideH, insideV) → size in eighths of a point (0: none)."""
    box = OxmlElement(tag)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side not in sides:
            continue
        edge = OxmlElement(f"w:{side}")
        size = sides[side]
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:space"), "4" if tag == "w:pBdr" else "0")
            edge.set(qn("w:color"), "A0A0A0" if tag == "w:pBdr" else "000000")
        box.append(edge)
    place(element, box)


def paragraph_style(doc: Any, name: str, size: float, base: str = "Normal", **how: Any) -> Any:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.size = Pt(size)
    font.bold = how.get("bold")
    font.italic = how.get("italic")
    if "colour" in how:
        font.color.rgb = how["colour"]
    par = style.paragraph_format
    par.space_before = Pt(how.get("before", 0))
    par.space_after = Pt(how.get("after", 0))
    par.keep_with_next = how.get("keep_with_next")
    par.page_break_before = how.get("page_break_before")
    if "align" in how:
        par.alignment = how["align"]
    if "hanging" in how:
        par.left_indent, par.first_line_indent = how["hanging"], -how["hanging"]
    if "outline" in how:
        level = OxmlElement("w:outlineLvl")  # in Word's navigation pane, and a heading when tagged
        level.set(qn("w:val"), str(how["outline"]))
        place(style.element.get_or_add_pPr(), level)
    return style


def character_style(doc: Any, name: str, **how: Any) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER)
    style.font.bold = how.get("bold")
    if "colour" in how:
        style.font.color.rgb = how["colour"]


def table_style(doc: Any, name: str, sides: dict[str, int], head_rule: int = 0, total_rule: int = 0) -> None:
    """A table style: outer rules, cell margins of 0.1 cm, and the header row's and totals row's
    rules below and above them (conditional formatting: firstRow, lastRow)."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    pr = style.element.find(qn("w:tblPr"))
    if pr is None:
        pr = OxmlElement("w:tblPr")
        place(style.element, pr)
    border(pr, "w:tblBorders", sides)
    margins = OxmlElement("w:tblCellMar")
    for side, twips in (("top", 28), ("left", 57), ("bottom", 28), ("right", 57)):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), str(twips))
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    place(pr, margins)
    for kind, rule in (("firstRow", ("bottom", head_rule)), ("lastRow", ("top", total_rule))):
        if not rule[1]:
            continue
        conditional = OxmlElement("w:tblStylePr")
        conditional.set(qn("w:type"), kind)
        tc_pr = OxmlElement("w:tcPr")
        border(tc_pr, "w:tcBorders", {rule[0]: rule[1]})
        conditional.append(tc_pr)
        place(style.element, conditional)


def styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(9.5)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{attr}"), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    place(normal.element.get_or_add_rPr(), language)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.08

    left, right = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
    paragraph_style(doc, "Briefhoofd", 14, bold=True)
    paragraph_style(doc, "Afdeling", 9)
    paragraph_style(doc, "Afzenderadres", 8, colour=GREY, align=right)
    paragraph_style(doc, "Adresblok", 9.5)
    paragraph_style(doc, "Kenmerkblok", 8.5, after=2)
    paragraph_style(doc, "Kenmerklabel", 8.5, after=2, colour=GREY)
    paragraph_style(doc, "Aanhef", 9.5, before=12, after=6)
    paragraph_style(doc, "Brieftekst", 9.5, after=6)
    paragraph_style(doc, "Uitkomst", 9.5, "Brieftekst", before=2, after=8)
    character_style(doc, "Uitkomstbedrag", bold=True)
    payment = paragraph_style(doc, "Betaalblok", 9.5, "Brieftekst", before=2, after=8)
    payment.paragraph_format.left_indent = Cm(0.3)
    payment.paragraph_format.tab_stops.add_tab_stop(Cm(4.3))
    border(payment.element.get_or_add_pPr(), "w:pBdr", {"left": 10})
    character_style(doc, "Betaallabel", colour=GREY)
    paragraph_style(doc, "Kop", 12, bold=True, before=14, after=6, keep_with_next=True, outline=0)
    paragraph_style(doc, "Tussenkop", 10, bold=True, before=12, after=5, keep_with_next=True, outline=1)
    paragraph_style(
        doc, "Bijlagekop", 12, bold=True, after=8, keep_with_next=True, page_break_before=True, outline=0
    )
    paragraph_style(doc, "Tabelbijschrift", 8.5, italic=True, after=3, keep_with_next=True)
    paragraph_style(doc, "Tabellegenda", 8, after=1, keep_with_next=True, hanging=Cm(0.6))
    paragraph_style(doc, "Tabelkop", 8, bold=True, align=left)
    paragraph_style(doc, "Tabeltekst", 8, align=left)
    paragraph_style(doc, "Tabeltotaal", 8, bold=True, align=left)
    table_style(
        doc, "Tabel", {"top": 5, "bottom": 5, "left": 0, "right": 0, "insideH": 0, "insideV": 0}, 3, 3
    )
    table_style(doc, "Kadertabel", {s: 0 for s in ("top", "bottom", "left", "right", "insideH", "insideV")})
    paragraph_style(doc, "Slot", 9.5, before=10, after=4, keep_with_next=True)
    paragraph_style(doc, "Ondertekening", 9.5, keep_with_next=True)
    paragraph_style(doc, "Ondertekenaar", 9.5, keep_with_next=True)
    paragraph_style(doc, "Naam ondertekenaar", 9.5, before=36, keep_with_next=True)
    paragraph_style(doc, "Koptekst", 7.5, colour=GREY)
    character_style(doc, "Voorbeeldbanner", bold=True, colour=BANNER)
    footer = paragraph_style(doc, "Voettekst", 7.5, colour=GREY)
    footer.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    border(footer.element.get_or_add_pPr(), "w:pBdr", {"top": 3})


def cell_paragraphs(cell: Any, lines: list[tuple[str, str]]) -> None:
    first = cell.paragraphs[0]
    for i, (content, style) in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.style = style
        p.add_run(content)


def frame(doc: Any, rows: int, cols: int, widths: list[int]) -> Table:
    table = doc.add_table(rows=rows, cols=cols)
    table.style = doc.styles["Kadertabel"]
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
        for cell in col.cells:
            cell.width = width
    return table


def field(p: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) with `shown` as its last result: Word and LibreOffice update it."""
    for kind in ("begin", "instr", "separate", "result", "end"):
        run = p.add_run()
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} \\* MERGEFORMAT "
            run._r.append(code)
        elif kind == "result":
            run.text = shown
        else:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)


def header_and_footer(doc: Any) -> None:
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    first.style = "Koptekst"
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    first.add_run("{{ page.banner }}", "Voorbeeldbanner")
    later = section.header.paragraphs[0]
    later.style = "Koptekst"
    later.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    later.add_run("{{ sender.name }}\t")
    later.add_run("{{ page.banner }}", "Voorbeeldbanner")
    for footer in (section.first_page_footer, section.footer):
        p = footer.paragraphs[0]
        p.style = "Voettekst"
        p.add_run("{{ page.kenmerk_label }} {{ page.kenmerk }}\t{{ page.before }}")
        field(p, "PAGE", "1")
        p.add_run("{{ page.between }}")
        field(p, "NUMPAGES", "1")
        p.add_run("{{ page.after }}")


def body(doc: Any) -> None:
    # briefhoofd: the sender left, its address right
    head = frame(doc, 1, 2, [Cm(10.4), TEXT_WIDTH - Cm(10.4)])
    left, right = head.rows[0].cells
    cell_paragraphs(
        left,
        [
            ("{{ sender.name }}", "Briefhoofd"),
            ("{%p if sender.department %}", "Afdeling"),
            ("{{ sender.department }}", "Afdeling"),
            ("{%p endif %}", "Afdeling"),
        ],
    )
    cell_paragraphs(
        right,
        [
            ("{%p for line in sender.address %}", "Afzenderadres"),
            ("{{ line }}", "Afzenderadres"),
            ("{%p endfor %}", "Afzenderadres"),
            ("{%p if sender.website %}", "Afzenderadres"),
            ("{{ sender.website }}", "Afzenderadres"),
            ("{%p endif %}", "Afzenderadres"),
        ],
    )
    # adresblok: at a fixed height, for a window envelope
    doc.add_paragraph(style="Adresblok").paragraph_format.space_before = Cm(1.0)
    address = frame(doc, 1, 1, [TEXT_WIDTH])
    address.rows[0].height = Cm(2.6)
    address.rows[0].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    cell_paragraphs(
        address.rows[0].cells[0],
        [
            ("{%p for line in recipient %}", "Adresblok"),
            ("{{ line }}", "Adresblok"),
            ("{%p endfor %}", "Adresblok"),
        ],
    )
    # kenmerkblok: the short fields two to a row, then ons kenmerk and onderwerp each on a row
    label, value = Cm(2.6), (TEXT_WIDTH - 2 * Cm(2.6)) // 2
    ref = frame(doc, 6, 4, [label, value, label, value])
    rows = ref.rows
    rows[0].cells[0].paragraphs[0].add_run("{%tr for f in reference.pairs %}")
    for cell, (content, style) in zip(
        rows[1].cells,
        [
            ("{{ f.label1 }}", "Kenmerklabel"),
            ("{{ f.value1 }}", "Kenmerkblok"),
            ("{{ f.label2 }}", "Kenmerklabel"),
            ("{{ f.value2 }}", "Kenmerkblok"),
        ],
        strict=True,
    ):
        cell_paragraphs(cell, [(content, style)])
    rows[2].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    rows[3].cells[0].paragraphs[0].add_run("{%tr for f in reference.lines %}")
    cell_paragraphs(rows[4].cells[0], [("{{ f.label }}", "Kenmerklabel")])
    merged = rows[4].cells[1].merge(rows[4].cells[3])
    cell_paragraphs(merged, [("{{ f.value }}", "Kenmerkblok")])
    rows[5].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    # aanhef, the body, slot and ondertekening
    doc.add_paragraph("{{ salutation }}", "Aanhef")
    doc.add_paragraph("{{p body }}", "Brieftekst")
    doc.add_paragraph("{{ signature.closing }}", "Slot")
    doc.add_paragraph("{{ signature.college }}", "Ondertekening")
    doc.add_paragraph("{%p if signature.mandate %}", "Ondertekening")
    doc.add_paragraph("{{ signature.mandate }}", "Ondertekening")
    doc.add_paragraph("{%p endif %}", "Ondertekening")
    # one column per signatory: the cell between the loop's tags is repeated, and docxtpl drops the
    # grid columns left over, sharing their width (three equal columns: one to three signatories)
    signing = frame(doc, 1, 3, [TEXT_WIDTH // 3] * 3)
    opening, person, closing = signing.rows[0].cells
    width = person._tc.get_or_add_tcPr().get_or_add_tcW()
    width.set(qn("w:w"), "0")
    width.set(qn("w:type"), "auto")  # the grid's width, however many columns remain
    opening.paragraphs[0].add_run("{%tc for s in signature.signatories %}")
    cell_paragraphs(
        person,
        [
            ("{%p if s.above %}", "Ondertekenaar"),
            ("{{ s.above }}", "Ondertekenaar"),
            ("{%p endif %}", "Ondertekenaar"),
            ("{{ s.name }}", "Naam ondertekenaar"),
            ("{%p if s.below %}", "Ondertekenaar"),
            ("{{ s.below }}", "Ondertekenaar"),
            ("{%p endif %}", "Ondertekenaar"),
        ],
    )
    closing.paragraphs[0].add_run("{%tc endfor %}")
    # the annexes, each from a new page (the style Bijlagekop)
    doc.add_paragraph("{{p annexes }}", "Brieftekst")


KEEP = {"Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid"}  # of python-docx's own


def prune(doc: Any) -> None:
    """Leave out what python-docx's default document carries and a letter does not use: its
    thumbnail, custom XML, the Word 2010 copy of the styles and some 150 unused built-in styles
    (Word still offers its built-ins; they are latent styles)."""
    for owner in (doc.part, doc.part.package):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml", "thumbnail"):
                owner.drop_rel(rel_id) if owner is doc.part else owner.rels.pop(rel_id)
    for style in list(doc.styles):
        if style.builtin and style.name not in KEEP:
            style.element.getparent().remove(style.element)


def make() -> bytes:
    doc = Document()
    prune(doc)
    for element in list(doc.element.body):
        if element.tag != qn("w:sectPr"):
            doc.element.body.remove(element)
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.3), Cm(2.2)
    section.left_margin, section.right_margin = Cm(2.4), Cm(2.2)
    section.header_distance, section.footer_distance = Cm(1.0), Cm(1.0)
    styles(doc)
    header_and_footer(doc)
    body(doc)
    props = doc.core_properties
    when = datetime(MADE.year, MADE.month, MADE.day, tzinfo=UTC)
    props.title = "Brief (sjabloon)"
    props.author = props.last_modified_by = "convenant"
    props.comments = (
        "Sjabloon voor afrekeningsbrieven; laat de plaatshouders tussen accolades staan (docs/analysts.md)."
    )
    props.keywords = props.identifier = props.subject = props.category = ""
    props.language = "nl-NL"
    props.revision = 1
    props.created = props.modified = props.last_printed = when
    out = io.BytesIO()
    doc.save(out)
    return stable_zip(out.getvalue(), MADE)


if __name__ == "__main__":
    TEMPLATE.write_bytes(make())
    print(f"written: {TEMPLATE.relative_to(ROOT)}")
