"""The letter form in Markdown (render/markdown_letter.py) and HTML (render/html_letter.py), from
the same LetterDocument Typst typesets (test_typst_letters.py), on the demonstration letters
(tests/examples_support.demo_letters): Groningen's Pekela pays, Assen's Aa en Hunze receives.

The HTML is read back with the standard library's parser (its text, its elements, every element
closed), never with patterns on the markup; the Markdown is read back as CommonMark with GitHub's
tables and strikethrough (markdown-it-py) and then the same way."""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from html.parser import HTMLParser

import pytest

from convenant.letters import letterform
from convenant.letters.profile import load_profile
from convenant.render import document as d
from convenant.render import typst_letter
from convenant.render.html_letter import to_html
from convenant.render.markdown_letter import inline, line, to_markdown
from tests.examples_support import demo_letters
from tests.paths import REPO_ROOT as ROOT

EXAMPLES = ROOT / "examples"
BARE_MINUS = re.compile(r"(?<![\w-])-\s*€|€\s*-\d")  # a hyphen as the sign of an amount
VOID = {"meta", "br", "hr", "col", "img", "input", "link", "wbr", "source", "area", "base", "embed"}
BLOCK = {
    "p", "div", "br", "hr", "td", "th", "tr", "table", "caption", "h1", "h2", "h3", "h4", "h5", "h6",
    "address", "header", "footer", "section", "main", "blockquote", "li", "title", "body",
}  # fmt: skip


class Page(HTMLParser):
    """An HTML page read back: its text (block elements apart, inline ones not), the elements
    opened, and every fault of nesting (an element closed that is not the one open, or left open)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.faults: list[str] = []
        self.skip = 0  # inside <style>
        self.feed(html)
        self.close()
        self.faults += [f"<{t}> never closed" for t in self.stack]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCK:
            self.parts.append("\n")
        if tag not in VOID:
            self.stack.append(tag)
        if tag == "style":
            self.skip += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.faults.append(f"</{tag}> closes <{self.stack[-1] if self.stack else '—'}>")
        else:
            self.stack.pop()
        if tag == "style":
            self.skip -= 1
        if tag in BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        """The text on one line, the no-break space read as a space."""
        return " ".join("".join(self.parts).replace("\xa0", " ").split())

    def names(self) -> set[str]:
        return {t for t, _ in self.tags}

    def attr(self, tag: str, **match: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in match.items())]


def markdown_page(md: str) -> Page:
    """The Markdown as a CommonMark reader with GitHub's tables and strikethrough shows it."""
    markdown_it = pytest.importorskip("markdown_it")
    return Page(markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md))


def flat(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@pytest.fixture(scope="session")
def letters():
    return {
        covenant: (ev, doc, to_markdown(doc), to_html(doc)) for covenant, (ev, doc) in demo_letters().items()
    }


def _plain(md: str) -> str:
    """The demonstration letter's Markdown without its markup, read without a Markdown reader (its
    texts need no escape): no bold, no line-break backslash, no table rule."""
    text = re.sub(r"\*\*|\\$|^\| | \|$", "", md, flags=re.MULTILINE)
    return flat(text.replace(" | ", " "))


def _texts(md: str, html: str) -> dict[str, str]:
    return {"md": _plain(md), "md read": markdown_page(md).text, "html": Page(html).text}


def test_the_amount_deadline_date_kenmerk_key_and_signatories_in_markdown_and_html(letters):
    ev, doc, md, html = letters["assen"]
    # Aa en Hunze: € 461.876,55 × 0,071017624129 = € 32.801,375…, € 32.801,38 to the cent (the key
    # is shown to twelve decimals; evaluate computes with the exact fraction)
    assert ev.values["aandeel_resultaat_bw"]["GM1680"] == Fraction(3280138, 100)
    assert abs(Fraction("461876.55") * Fraction("0.071017624129") - Fraction("32801.38")) < Fraction(1, 200)
    for fmt, text in _texts(md, html).items():
        assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in text, fmt
        assert "15 mei 2025" in text, fmt  # the letter's date
        assert doc.page.kenmerk.startswith("assen/2024/definitief-aandeel/GM1680/")
        assert f"Ons kenmerk {doc.page.kenmerk}" in text, fmt
        assert "0,071017624129" in text and "€ 461.876,55" in text, fmt
        assert "namens dezen, E. Voorbeeld teamleider Maatschappelijke Ondersteuning" in text, fmt
        assert "Betalingskenmerk" not in text, fmt  # Aa en Hunze receives: no payment instruction

    ev, doc, md, html = letters["groningen"]
    # Pekela: Budgetdeel € 667.018,31 − individuele uitkering € 1.110.244,10 = −€ 443.225,79: it pays
    assert ev.values["afrekening"]["GM0765"] == Fraction(66701831 - 111024410, 100)
    for fmt, text in _texts(md, html).items():
        assert "U betaalt ons € 443.225,79, uiterlijk 28 februari 2022 (artikel 3, vierde lid)." in text, fmt
        assert "31 januari 2022" in text, fmt
        assert f"Ons kenmerk {doc.page.kenmerk}" in text, fmt
        assert "Rekening (IBAN) NL00 TEST 0000 0000 00" in text, fmt
        assert f"Betalingskenmerk {doc.page.kenmerk}" in text, fmt
        assert "Pekela € 1.110.244,10 0,006532441825 € 667.018,31 −€ 443.225,79" in text, fmt
        assert "de secretaris, B. Voorbeeld de burgemeester, C. Voorbeeld" in text, fmt


def test_no_hyphen_as_a_sign_and_the_minus_as_given(letters):
    for covenant, (_, doc, md, html) in letters.items():
        for fmt, text in {"md raw": md, "html raw": html, **_texts(md, html)}.items():
            assert not BARE_MINUS.search(text), fmt
            assert "€ -" not in text and "-€" not in text, fmt
        # every U+2212 of the model, and no other: no sign added, none dropped (the title, shown only
        # in HTML's <title>, has none)
        given = _minus_signs(typst_letter.to_data(doc))
        assert (given > 0) == (covenant == "groningen") and d.MINUS not in doc.title
        assert md.count(d.MINUS) == Page(html).text.count(d.MINUS) == given


def _minus_signs(value: object) -> int:
    if isinstance(value, str):
        return value.count(d.MINUS)
    if isinstance(value, dict):
        return sum(_minus_signs(v) for k, v in value.items() if k not in ("title", "author"))
    if isinstance(value, list):
        return sum(_minus_signs(v) for v in value)
    return 0


def test_the_markdown_reads_as_a_letter(letters):
    _, doc, md, _ = letters["groningen"]
    lines = md.splitlines()
    assert lines[0] == "> **VOORBEELD — verzonnen gegevens, geen afrekening**"
    assert lines[-1] == f"Ons kenmerk {doc.page.kenmerk}"
    assert "**U betaalt ons €\xa0443.225,79**, uiterlijk 28 februari 2022 (artikel 3, vierde lid)." in lines
    assert "| Gemeente | (1) | (2) | (3) | (4) |" in lines
    assert (
        lines[lines.index("| Gemeente | (1) | (2) | (3) | (4) |") + 1]
        == "| --- | ---: | ---: | ---: | ---: |"
    )
    legend = next(i for i, row in enumerate(lines) if row.startswith("(1) Individuele uitkering"))
    assert legend < lines.index("| Gemeente | (1) | (2) | (3) | (4) |")
    total = next(row for row in lines if row.startswith("| **Totaal** |"))
    assert total.endswith("| **−€\xa02.322.360,06** |")
    # the order of the PDF: letterhead, address, kenmerk block, aanhef, body, signature, annex
    order = [
        "**Gemeente Groningen**\\",
        "van de gemeente Pekela",
        "Datum: 31 januari 2022\\",
        "Geacht college,",
        "| Betaalgegevens |  |",
        "C. Voorbeeld",
        "# Bijlage 1 — Berekening voor de hele regio",
        "## Herkomst van deze brief",
    ]
    assert [lines.index(o) for o in order] == sorted(lines.index(o) for o in order)

    page = markdown_page(md)
    assert page.names() <= {"blockquote", "p", "strong", "br", "table", "thead", "tbody", "tr", "th", "td",
                            "hr", "h1", "h2"}, page.names()  # fmt: skip
    right = [a for t, a in page.tags if t in ("td", "th") and a.get("style") == "text-align:right"]
    assert len(right) == 4 * (1 + 13 + 1)  # four numeric columns: header, 13 rows, total
    assert not page.faults


def test_the_html_page_stands_alone_and_prints(letters):
    for _, doc, _, html in letters.values():
        page = Page(html)
        assert not page.faults, page.faults
        assert page.attr("html", lang=doc.lang)
        assert page.attr("meta", name="kenmerk", content=doc.page.kenmerk)
        assert page.attr("meta", name="date", content=doc.dated.isoformat())
        assert not page.names() & {"script", "link", "img", "iframe", "object", "embed", "a", "base", "form"}
        assert not any(k.startswith("on") for _, a in page.tags for k in a), "no event handler"
        assert not any(k in ("src", "href") for _, a in page.tags for k in a)
        style = html[html.index("<style>") : html.index("</style>")]
        for rule in (
            "@page { size: A4;",
            "page-break-before: always",
            "position: fixed",
            "display: table-header-group",
        ):
            assert rule in style, rule
        assert "url(" not in style and "@import" not in style
        assert len(page.attr("section", **{"class": "annex"})) == len(doc.annexes)
        assert page.attr("div", **{"class": "banner", "role": "note"})
        assert page.attr("strong") and len(page.attr("strong")) == 1  # bold: the outcome only

    _, doc, _, html = letters["assen"]
    own = Page(html)
    shaded = [i for i, (t, a) in enumerate(own.tags) if t == "tr" and a.get("class") == "own"]
    assert len(shaded) == 1
    title = Page(html[html.index("<title>") : html.index("</title>") + 8]).text
    assert title == doc.title == "Definitief aandeel resultaat beschermd wonen 2024 (artikel 8, zesde lid)"
    # the shaded row is Aa en Hunze's (the recipient's own): it is the table's first row
    table = next(b for b in doc.annexes[0].blocks if isinstance(b, d.Table))
    assert table.rows[table.highlight or 0][0] == "Aa en Hunze"
    row = html.split('<tr class="own">', 1)[1].split("</tr>", 1)[0]
    assert Page(row).text.startswith("Aa en Hunze 25.812")


def test_the_same_document_gives_the_same_text_ending_in_one_newline(letters):
    for ev, doc, md, html in letters.values():
        code = doc.page.kenmerk.split("/")[3]
        profile = "afzender-assen.yaml" if ev.rules.covenant.id == "assen" else "afzender-groningen.yaml"
        again = letterform.letter_document(ev, load_profile(EXAMPLES / profile), code)
        assert to_markdown(again) == md and to_html(again) == html
        for text in (md, html):
            assert text.endswith("\n") and not text.endswith("\n\n")
            assert all(row == row.rstrip() for row in text.splitlines())


HOSTILE = (
    "<script>alert('x')</script>",
    "Tom & Jerry &amp; &lt;b&gt; &#60;",
    "{{ 7*7 }} {% if true %}ja{% endif %} {# weg #}",
    "*vet* _schuin_ **sterk** __ook__",
    "[link](javascript:alert(1)) ![beeld](x.png) <https://example.org>",
    "`code` ``meer`` ~~doorgehaald~~ $x^2$",
    "| cel | cel |",
    "back\\slash \\* \\",
    "\"quote\" 'single' <!-- commentaar --> <b>vet</b>",
    '#eval("1 + 1") @ref',
)
HOSTILE_LINES = ("# kop", "- punt", "+ plus", "1. eerste", "2) tweede", "> citaat", "===", "---", "    code")


# the texts of _evil's letter, each shown once: banner 1, letterhead 5, address 2, kenmerk block 4,
# aanhef 1, paragraph 1, outcome 3, payment 5 (its labels are words), outcome table 10 (caption,
# legend, 2 titles, 4 cells, 2 totals), signature 5, annex title 1, heading 1, paragraph 1, table 10,
# footer 2 (label and kenmerk)
SHOWN = 1 + 5 + 2 + 4 + 1 + 1 + 3 + 5 + 10 + 5 + 1 + 1 + 1 + 10 + 2


def _evil(doc: d.LetterDocument, hostile: str) -> d.LetterDocument:
    cols = (d.Column(hostile), d.Column(hostile, numeric=True))
    table = d.Table(cols, ((hostile, hostile), (hostile, hostile)), (hostile, hostile), hostile, None,
                    (hostile,), highlight=1)  # fmt: skip
    return replace(
        doc,
        title=hostile,
        author=hostile,
        page=replace(doc.page, kenmerk=hostile, kenmerk_label=hostile, banner=hostile, watermark=hostile),
        sender=d.Sender(hostile, hostile, (hostile, hostile), hostile),
        recipient=d.Recipient((hostile, hostile)),
        reference=d.Reference(((hostile, hostile),), ((hostile, hostile),)),
        salutation=hostile,
        body=(
            d.Paragraph.of(hostile),
            d.Paragraph(
                (d.Span(hostile + " "), d.Span(hostile, strong=True), d.Span(" " + hostile)), outcome=True
            ),
            d.Payment(hostile, hostile, hostile, hostile, hostile),
            d.OutcomeTable(table),
        ),
        signature=d.Signature(hostile, hostile, (d.Signatory(hostile, hostile),), hostile),
        annexes=(d.Annex(hostile, (d.Heading(hostile, level=2), d.Paragraph.of(hostile), table)),),
    )


@pytest.mark.parametrize("hostile", [*HOSTILE, *HOSTILE_LINES, " | ".join(HOSTILE)])
def test_hostile_text_is_shown_as_written(letters, hostile):
    _, doc, _, _ = letters["assen"]
    evil = _evil(doc, hostile)
    shown = flat(hostile)
    # every text of the letter, and no element that a text made
    structure = {"p", "strong", "em", "br", "table", "thead", "tbody", "tr", "th", "td", "hr", "h1", "h2",
                 "blockquote"}  # fmt: skip
    md = to_markdown(evil)
    assert "{{" not in md and "{%" not in md  # nor read by a template engine after us (Liquid, Jinja)
    md_page = markdown_page(md)
    assert md_page.names() <= structure, md_page.names() - structure
    assert len(md_page.attr("em")) == 2  # the two tables' captions, in italics
    assert len(md_page.attr("strong")) == 1 + 1 + 1 + 2 * 2  # banner, sender, outcome, the totals
    assert not md_page.faults
    # every text of the letter once: nothing swallowed or read as markup (see SHOWN)
    assert md_page.text.count(shown) == SHOWN, md_page.text

    html = to_html(evil)
    page = Page(html)
    assert not page.faults, page.faults
    assert page.names() <= {"html", "head", "meta", "title", "style", "body", "div", "main", "header",
                            "address", "table", "tbody", "thead", "tr", "th", "td", "p", "strong", "br",
                            "section", "h1", "h2", "footer", "caption", "span"}, page.names()  # fmt: skip
    assert page.text.count(shown) == SHOWN + 2  # and the <title> and the watermark
    assert page.attr("meta", name="kenmerk", content=shown) and page.attr(
        "meta", name="author", content=shown
    )
    assert Page(html[html.index("<title>") : html.index("</title>") + 8]).text == shown
    if "7*7" in hostile:
        assert "49" not in page.text and "49" not in md_page.text  # never evaluated as a template


def test_escaping_helpers():
    assert inline("a_b*c") == "a\\_b\\*c"
    assert line("1) punt") == "1\\) punt" and line("=== kop") == "\\=== kop" and line("10 mei") == "10 mei"
    assert inline("€\xa05,00 −€\xa01,00") == "€\xa05,00 −€\xa01,00"  # amounts untouched


def test_an_english_letter_takes_its_words_and_language_from_the_catalogue(letters):
    ev, _, _, _ = letters["groningen"]
    doc = letterform.letter_document(
        ev, load_profile(EXAMPLES / "afzender-groningen.yaml"), "GM0765", lang="en"
    )
    md, html = to_markdown(doc), to_html(doc)
    page = Page(html)
    assert page.attr("html", lang="en") and not page.faults
    for text in (markdown_page(md).text, page.text):
        assert "Payment reference" in text and "Betalingskenmerk" not in text
        assert f"Our reference {doc.page.kenmerk}" in text
    assert "| Payment details |  |" in md.splitlines()
    assert page.attr("table", **{"class": "payment", "aria-label": "Payment details"})
