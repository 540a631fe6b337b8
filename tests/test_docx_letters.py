"""The letter form as a Word file (render/docx_letter.py) from the Word template
(render/templates/letter.docx), on the demonstration letters (tests/examples_support.demo_letters), read back
with python-docx: body paragraphs, table cells, headers, footers and core properties.

Few letters are made (one per example, one hostile), once per session."""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from docx import Document
from docx.oxml.ns import qn

from convenant.render import document as d
from convenant.render import docx_letter
from tests.examples_support import demo_letters
from tests.paths import REPO_ROOT as ROOT

EXAMPLES = ROOT / "examples"
BANNER = "VOORBEELD — verzonnen gegevens, geen afrekening"


@pytest.fixture(scope="session")
def letters():
    return {covenant: (ev, doc, docx_letter.to_docx(doc)) for covenant, (ev, doc) in demo_letters().items()}


def _read(data: bytes):
    return Document(io.BytesIO(data))


def _cells(tables):
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell
                yield from _cells(cell.tables)


def _paragraphs(docx) -> list[str]:
    """Every paragraph's text, body and table cells, in document order per part, the no-break
    space read as a space."""
    texts = [p.text for p in docx.paragraphs]
    texts += [p.text for cell in _cells(docx.tables) for p in cell.paragraphs]
    return [t.replace("\xa0", " ") for t in texts]


def _headers(docx) -> list[tuple[str, str]]:
    """(header text, footer text) of every section's first page and of its other pages."""
    out = []
    for s in docx.sections:
        for header, footer in ((s.first_page_header, s.first_page_footer), (s.header, s.footer)):
            out.append(
                ("\n".join(p.text for p in header.paragraphs), "\n".join(p.text for p in footer.paragraphs))
            )
    return out


def test_the_amount_deadline_date_and_kenmerk_read_back_from_the_docx(letters):
    ev, doc, data = letters["assen"]
    docx = _read(data)
    text = _paragraphs(docx)
    # Aa en Hunze: € 461.876,55 × 0,071017624129… = € 32.801,38 (evaluate's aandeel_resultaat_bw)
    assert ev.values["aandeel_resultaat_bw"]["GM1680"] == Fraction(3280138, 100)
    assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in text
    (outcome,) = [p for p in docx.paragraphs if p.style.name == "Uitkomst"]
    assert outcome.runs[0].text.replace("\xa0", " ") == "U ontvangt van ons € 32.801,38"
    assert outcome.runs[0].style.name == "Uitkomstbedrag"  # the bold is the house style's
    assert "15 mei 2025" in text  # the letter's date: the facts' evaluation_date, in the kenmerk block
    assert doc.page.kenmerk.startswith("assen/2024/definitief-aandeel/GM1680/")
    assert doc.page.kenmerk in text  # ons kenmerk in the kenmerk block and the annex
    assert "0,071017624129" in text  # the key to twelve decimals, in the annex's table
    assert "€ 461.876,55" in text  # the amount distributed, and the total of the shares


def test_a_payer_reads_amount_account_and_reference(letters):
    ev, doc, data = letters["groningen"]
    docx = _read(data)
    text = _paragraphs(docx)
    # Pekela: Budgetdeel € 667.018,31 − individuele uitkering € 1.110.244,10 = −€ 443.225,79: it pays
    assert ev.values["afrekening"]["GM0765"] == Fraction(66701831 - 111024410, 100)
    assert "U betaalt ons € 443.225,79, uiterlijk 28 februari 2022 (artikel 3, vierde lid)." in text
    (payment,) = [p.text.replace("\xa0", " ") for p in docx.paragraphs if p.style.name == "Betaalblok"]
    assert payment.split("\n") == [
        "Bedrag\t€ 443.225,79",
        "Termijn\tuiterlijk 28 februari 2022",
        "Rekening (IBAN)\tNL00 TEST 0000 0000 00",
        "Ten name van\tgemeente Groningen",
        f"Betalingskenmerk\t{doc.page.kenmerk}",
    ]
    assert "31 januari 2022" in text


def test_the_region_table_keeps_the_models_strings_and_shades_the_own_row(letters):
    _, doc, data = letters["groningen"]
    docx = _read(data)
    (model,) = [
        b for a in doc.annexes for b in a.blocks if isinstance(b, d.Table) and b.highlight is not None
    ]
    (table,) = [t for t in docx.tables if t.rows[0].cells[0].text == model.columns[0].title]
    read = [tuple(c.text for c in row.cells) for row in table.rows]
    assert read == [tuple(c.title for c in model.columns), *model.rows, model.total]  # every cell as written
    own = table.rows[model.highlight + 1]
    assert own.cells[0].text == "Pekela" and "−€ 443.225,79" in own.cells[-1].text.replace("\xa0", " ")
    assert all('w:fill="E4E4E4"' in c._tc.xml for c in own.cells)
    keys = [c for row in model.rows for c in row if re.fullmatch(r"0,\d{12}", c)]
    assert len(keys) == len(model.rows)  # each member's exact key, to twelve decimals
    flat = " ".join(_paragraphs(docx))
    assert "€ -" not in flat and "-€" not in flat  # a sign is U+2212, as the model wrote it
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")  # the header row repeats on every page
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.gridCol_lst]
    section = docx.sections[0]
    assert sum(grid) == (section.page_width - section.left_margin - section.right_margin) // 635


def test_the_signatories_sign_below_the_college(letters):
    _, doc, data = letters["groningen"]
    text = _paragraphs(_read(data))
    assert len(doc.signature.signatories) == 2 and doc.signature.mandate is None
    for person in doc.signature.signatories:
        assert f"{person.function}," in text and person.name in text
    assert "Burgemeester en wethouders van Groningen," in text

    _, doc, data = letters["assen"]
    text = _paragraphs(_read(data))
    (person,) = doc.signature.signatories
    assert "namens dezen," in text and person.name in text and person.function in text


def test_banner_kenmerk_and_page_fields_in_every_header_and_footer(letters):
    for _, doc, data in letters.values():
        docx = _read(data)
        parts = _headers(docx)
        assert len(parts) == 2 * len(docx.sections) >= 2
        for header, footer in parts:
            assert BANNER in header
            assert footer.startswith(f"Ons kenmerk {doc.page.kenmerk}\tpagina ")
        assert parts[1][0].startswith(doc.sender.name)  # the sender heads the pages after the first
        for s in docx.sections:
            for footer in (s.first_page_footer, s.footer):
                fields = footer._element.xpath(".//w:instrText/text()")
                assert [f.split()[0] for f in fields] == ["PAGE", "NUMPAGES"]


def test_a_real_letter_has_no_banner(letters):
    _, doc, _ = letters["assen"]
    real = replace(doc, page=replace(doc.page, banner=None, watermark=None))
    for header, _ in _headers(_read(docx_letter.to_docx(real))):
        assert "VOORBEELD" not in header


def test_core_properties_carry_date_title_author_and_kenmerk(letters):
    _, doc, data = letters["groningen"]
    props = _read(data).core_properties
    dated = datetime(2022, 1, 31, tzinfo=UTC)
    assert doc.dated == dated.date()
    assert props.created == props.modified == dated  # the letter's date, not the clock
    assert props.title == doc.title == "Uitkomsten Regionaal verdeelmodel 2022 (artikel 3, derde lid)"
    assert props.author == "Burgemeester en wethouders van Groningen"
    assert props.identifier == props.keywords == doc.page.kenmerk
    assert props.language == "nl"


def test_a_rerun_gives_the_same_bytes(letters):
    _, doc, data = letters["groningen"]
    docx_letter._environment.cache_clear()  # nothing kept from the first run
    assert docx_letter.to_docx(doc) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(2022, 1, 31, 0, 0, 0)}


HOSTILE = (
    "{{ 7 * 7 }}",
    "{% for x in range(3) %}x{% endfor %}",
    "{%p if true %} {{p body }} {# niet weg #}",
    "{_{ sender }_} {_% raw %_}",
    "<w:t>&amp;</w:t> & < > ' \"",
    "]]> <!-- niet weg --> <?xml ?>",
    "{{ ''.__class__.__mro__ }}",
    "tab\there",
)


def test_hostile_text_is_shown_as_written(letters):
    _, doc, _ = letters["assen"]
    hostile = " | ".join(HOSTILE)
    evil = replace(
        doc,
        title=hostile,
        author=hostile,
        page=replace(doc.page, kenmerk=hostile, banner=hostile),
        sender=d.Sender(hostile, hostile, (hostile,), hostile),
        recipient=d.Recipient((hostile,)),
        reference=d.Reference(((hostile, hostile),), ((hostile, hostile),)),
        salutation=hostile,
        body=(
            d.Paragraph.of(hostile),
            d.Paragraph((d.Span(hostile, strong=True),), outcome=True),
            d.Payment(hostile, hostile, hostile, hostile, hostile),
        ),
        signature=d.Signature(hostile, hostile, (d.Signatory(hostile, hostile),), hostile),
        annexes=(
            d.Annex(
                hostile,
                (
                    d.Heading(hostile),
                    d.Table((d.Column(hostile), d.Column(hostile, numeric=True)), ((hostile, hostile),)),
                ),
            ),
        ),
    )
    docx = _read(docx_letter.to_docx(evil))
    shown = [t.replace("\u2060", "") for t in _paragraphs(docx)]  # the word joiner keeps "{_{" as written
    headers = [part.replace("\u2060", "") for pair in _headers(docx) for part in pair]
    assert sum(hostile in t for t in shown) >= 12, shown
    assert all(hostile in h for h in headers)
    assert "49" not in " ".join(shown)
    assert docx.core_properties.title.replace("\u2060", "") == hostile
    assert docx.core_properties.identifier.replace("\u2060", "") == hostile


def test_characters_xml_cannot_hold_are_replaced_not_fatal(letters):
    _, doc, _ = letters["assen"]
    odd = replace(doc, salutation="Geacht\x00 college\x1b,")
    assert "Geacht\ufffd college\ufffd," in _paragraphs(_read(docx_letter.to_docx(odd)))


# the template -------------------------------------------------------------------------------


def _tool():
    spec = importlib.util.spec_from_file_location("make_letter_docx", ROOT / "tools" / "make_letter_docx.py")
    assert spec and spec.loader
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def _out_of_order(data: bytes, order: dict[str, str]) -> list[str]:
    """The elements of every XML part whose children break the schema's order (tool's ORDER)."""
    from lxml import etree

    local = lambda e: etree.QName(e).localname  # noqa: E731
    wrong = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            for element in etree.fromstring(z.read(name)).iter():
                if not isinstance(element.tag, str) or local(element) not in order:
                    continue
                sequence = order[local(element)].split()
                ranks = [
                    sequence.index(local(c))
                    for c in element
                    if isinstance(c.tag, str) and local(c) in sequence
                ]
                if ranks != sorted(ranks):
                    wrong.append(f"{name}: {local(element)} {[local(c) for c in element]}")
    return wrong


def test_word_gets_its_elements_in_the_schemas_order(letters):
    order = _tool().ORDER
    assert _out_of_order(docx_letter.TEMPLATE.read_bytes(), order) == []
    for _, _, data in letters.values():
        assert _out_of_order(data, order) == []


def test_the_shipped_template_is_what_the_tool_makes():
    tool = _tool()
    assert tool.make() == docx_letter.TEMPLATE.read_bytes(), "run tools/make_letter_docx.py"
    assert docx_letter.template_problems(docx_letter.TEMPLATE) == []


def test_a_house_style_may_restyle_but_not_drop_a_style_or_placeholder(tmp_path, letters):
    _, doc, _ = letters["assen"]
    house = Document(str(docx_letter.TEMPLATE))
    house.styles["Brieftekst"].font.name = "Verdana"  # restyled: still fit
    house.sections[0].left_margin = house.sections[0].left_margin + 360
    restyled = tmp_path / "huisstijl.docx"
    house.save(str(restyled))
    assert docx_letter.template_problems(restyled) == []
    out = _read(docx_letter.to_docx(doc, template=restyled))
    assert out.styles["Brieftekst"].font.name == "Verdana"
    assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in _paragraphs(
        out
    )

    house.styles["Brieftekst"].name = "Platte tekst"
    (annexes,) = [p for p in house.paragraphs if p.text == "{{p annexes }}"]
    annexes.runs[0].text = "{{p bijlagen }}"
    broken = tmp_path / "kapot.docx"
    house.save(str(broken))
    assert docx_letter.template_problems(broken) == [
        ("style_missing", "Brieftekst"),
        ("placeholder_missing", "annexes"),
        ("placeholder_unknown", "bijlagen"),
    ]
    with pytest.raises(ValueError, match="lacks the styles Brieftekst"):
        docx_letter.to_docx(doc, template=broken)
