"""HTML letter → PDF with real, extractable text (fpdf2, pure Python; DejaVu Serif shipped in
`engine/render/fonts/` with its licence, so no system library and nothing downloaded).

The PDF is reproducible: its creation date is the evaluation date, not the clock, and fpdf2
derives the document id from the content, so the same letter gives the same bytes.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

from convenant import __version__, words

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVuSerif"
_FONT_FILES = {
    "": "DejaVuSerif.ttf",
    "B": "DejaVuSerif-Bold.ttf",
    "I": "DejaVuSerif-Italic.ttf",
    "BI": "DejaVuSerif-BoldItalic.ttf",
}
_HEADING_COLOUR = "#1a1a1a"
PAGE_WORD = words.Languages("letters.pdf")  # ["page"]: the page number's word in the footer
TABLE_FONT_SIZE = 8  # points; body text is 9.5
LINE_CHARACTERS = 95  # about this many characters of table text fit on one line
WORD_WIDTH = 1.3  # digits and bold letters are wider than an average character
_TABLE = re.compile(r"<table>.*?</table>", re.DOTALL)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_CELL = re.compile(r"<t[hd]>(.*?)</t[hd]>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


MIN_TABLE_FONT_SIZE = 5.5


def _column_widths(rows: list[list[str]]) -> tuple[list[float], float]:
    """Column widths in percent and the font size: each column gets room for its longest
    unbreakable word (an amount never wraps: its parts are joined by no-break spaces), the rest goes
    to long text; a table whose words do not fit on a line at the usual size gets a smaller font."""
    columns = list(zip(*rows, strict=True))
    need = [WORD_WIDTH * max(len(word) for cell in col for word in cell.split(" ")) + 2 for col in columns]
    want = [max(len(cell) for cell in col) + 2 for col in columns]
    size = TABLE_FONT_SIZE * min(1, LINE_CHARACTERS / sum(need))
    line = LINE_CHARACTERS * TABLE_FONT_SIZE / size  # characters per line at that size
    spare = max(0, line - sum(need))
    extra = [max(0, w - n) for w, n in zip(want, need, strict=True)]
    total_extra = sum(extra) or 1
    widths = [n + spare * e / total_extra for n, e in zip(need, extra, strict=True)]
    return [round(100 * w / sum(widths), 2) for w in widths], max(MIN_TABLE_FONT_SIZE, round(size, 1))


def _table_for_pdf(match: re.Match[str]) -> str:
    table = match[0]
    rows = [[html.unescape(_TAG.sub("", c)).strip() for c in _CELL.findall(r)] for r in _ROW.findall(table)]
    if not rows or len({len(r) for r in rows}) != 1:
        return table
    column_widths, size = _column_widths(rows)
    widths = iter(column_widths)
    table = re.sub(r"<th>", lambda _: f'<th width="{next(widths)}%" align="left">', table, count=len(rows[0]))
    table = table.replace("<td>", '<td align="left">')
    return f'<font size="{size:g}">{table}</font>'


def prepare(fragment: str) -> str:
    """Our HTML, tuned for fpdf2's layout: "≈ 7,7598 %" never wraps; table columns sized to their
    content, left-aligned."""
    fragment = fragment.replace("≈ ", "≈\xa0").replace(" %", "\xa0%")
    return _TABLE.sub(_table_for_pdf, fragment)


def _styles() -> dict[str, object]:
    from fpdf import FontFace, TextStyle

    headings = {
        f"h{level}": TextStyle(
            font_family=FAMILY,
            font_style="B",
            font_size_pt=size,
            color=_HEADING_COLOUR,
            t_margin=4,
            b_margin=1,
        )
        for level, size in ((1, 15), (2, 13), (3, 11.5), (4, 10.5), (5, 10), (6, 10))
    }
    return {
        **headings,
        "code": FontFace(family=FAMILY),
        "blockquote": TextStyle(font_family=FAMILY, color="#333333", t_margin=2, b_margin=2, l_margin=6),
    }


def html_to_pdf(fragment: str, title: str, author: str, made: date, lang: str) -> bytes:
    """A PDF of an HTML fragment (no <head>), dated `made`."""
    from fpdf import FPDF

    class Letter(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, size=7.5)
            page = f" — {PAGE_WORD[lang]['page']} {self.page_no()}/{{nb}}"
            room = self.epw - self.get_string_width(page + "…")
            text = title
            while self.get_string_width(text) > room:  # a long subject is shortened, never off the page
                text = text[: max(1, len(text) - 8)].rstrip() + "…"
            self.cell(0, 6, text + page, align="C")

    pdf = Letter(format="A4")
    pdf.set_creation_date(datetime(made.year, made.month, made.day, tzinfo=UTC))
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator(f"convenant {__version__}")
    pdf.set_lang(lang)
    for style, name in _FONT_FILES.items():
        pdf.add_font(FAMILY, style, str(FONTS_DIR / name))
    pdf.set_font(FAMILY, size=9.5)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    pdf.write_html(prepare(fragment), font_family=FAMILY, tag_styles=_styles(), table_line_separators=True)
    return bytes(pdf.output())
