"""The letter form typeset by Typst (render/typst_letter.py) and the sender profile as data
(letters/profile.py), on the demonstration letters (tests/examples_support.demo_letters).

Few letters are typeset (one per example, one hostile), once per session."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from convenant.core import messages
from convenant.core.diagnostics import ConvenantError
from convenant.letters import letterform
from convenant.letters.profile import iban_valid, load_profile
from convenant.render import document as d
from convenant.render import typst_letter
from tests.examples_support import demo_letters
from tests.explain_support import _fast_content, pdf_pages, pdf_pages_by_pypdf
from tests.paths import REPO_ROOT as ROOT

EXAMPLES = ROOT / "examples"
PAGES = {"assen": 2, "groningen": 3}  # measured; the targets for letter + annex: ≤ 4 and ≤ 8
TARGET = {"assen": 4, "groningen": 8}


def _text(pdf: bytes) -> list[str]:
    """Each page's text, with the no-break space read as a space (read once per process)."""
    return [p.replace("\xa0", " ") for p in pdf_pages(pdf)]


@pytest.fixture(scope="session")
def letters():
    return {covenant: (ev, doc, typst_letter.to_pdf(doc)) for covenant, (ev, doc) in demo_letters().items()}


def test_the_amount_date_and_kenmerk_read_back_from_the_pdf(letters):
    ev, doc, pdf = letters["assen"]
    text = " ".join(_text(pdf))
    # Aa en Hunze: € 461.876,55 × 0,071017624129… = € 32.801,38 (evaluate's aandeel_resultaat_bw)
    assert ev.values["aandeel_resultaat_bw"]["GM1680"] == Fraction(3280138, 100)
    assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in text
    assert "15 mei 2025" in text  # the letter's date: the facts' evaluation_date
    assert doc.page.kenmerk.startswith("assen/2024/definitief-aandeel/GM1680/")
    assert doc.page.kenmerk in text
    assert "0,071017624129" in text  # the key to twelve decimals, in the annex
    assert "€ 461.876,55" in text  # the amount distributed, and the total of the shares

    ev, doc, pdf = letters["groningen"]
    text = " ".join(_text(pdf))
    # Pekela: Budgetdeel € 667.018,31 − individuele uitkering € 1.110.244,10 = −€ 443.225,79: it pays
    assert ev.values["afrekening"]["GM0765"] == Fraction(66701831 - 111024410, 100)
    assert "U betaalt ons € 443.225,79, uiterlijk 28 februari 2022 (artikel 3, vierde lid)." in text
    assert "NL00 TEST 0000 0000 00" in text and "Betalingskenmerk" in text
    assert "−€ 443.225,79" in text  # the region's table signs with U+2212, never a hyphen
    assert "€ -" not in text and "-€" not in text


def test_the_tests_read_a_pdf_s_text_as_pypdf_alone_reads_it(letters):
    """The letter tests read a PDF's content streams with their own tokenizer
    (tests/explain_support.py, `pdf_pages`) and let pypdf extract the text from what it read: the
    same operations and the same text as pypdf's own parser gives, on every page of these letters."""
    for _, _, pdf in letters.values():
        reader = PdfReader(io.BytesIO(pdf))  # pypdf reads its content streams as text extraction does
        for page, own in zip(reader.pages, PdfReader(io.BytesIO(pdf)).pages, strict=True):
            fast = _fast_content(own)
            assert fast is not None  # read by the tokenizer, not left to pypdf's parser
            assert fast.operations == ContentStream(page["/Contents"], reader, "bytes").operations
        assert pdf_pages(pdf) == pdf_pages_by_pypdf(pdf)


def test_voorbeeld_header_and_footer_on_every_page(letters):
    for ev, doc, pdf in letters.values():
        pages = _text(pdf)
        assert len(pages) == PAGES[ev.rules.covenant.id] <= TARGET[ev.rules.covenant.id]
        for number, page in enumerate(pages, start=1):
            assert "VOORBEELD — verzonnen gegevens, geen afrekening" in page, number
            assert f"Ons kenmerk {doc.page.kenmerk}" in page, number
            assert f"pagina {number} van {len(pages)}" in page, number


def test_the_annex_starts_on_a_new_page_after_the_signature(letters):
    for _, doc, pdf in letters.values():
        pages = _text(pdf)
        annex = next(i for i, p in enumerate(pages) if "Bijlage 1 — Berekening voor de hele regio" in p)
        assert 1 <= annex <= 2  # the letter is one or two pages
        assert doc.signature.signatories[-1].name in pages[annex - 1]  # signed on its last page
        assert pages[annex].splitlines()[2].startswith("Bijlage 1 — Berekening voor de hele regio")


def test_a_rerun_gives_the_same_bytes(letters):
    _, doc, pdf = letters["groningen"]
    typst_letter._compiler.cache_clear()  # a new compiler: nothing kept from the first run
    assert typst_letter.to_pdf(doc) == pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata["/CreationDate"].startswith("D:20220131")  # the letter's date, not the clock


def test_the_pdf_is_tagged_with_title_author_and_language(letters):
    _, _, pdf = letters["assen"]
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "nl"
    assert reader.metadata.title == "Definitief aandeel resultaat beschermd wonen 2024 (artikel 8, zesde lid)"
    assert reader.metadata.author == "Burgemeester en wethouders van Assen"
    fonts = {
        str(f["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
    }
    assert fonts <= {"DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic"}, fonts  # shipped fonts only


HOSTILE = (
    '#eval("1 + 1")',
    "$x^2$",
    "*vet* _schuin_",
    "<label> @ref",
    "back\\slash \\u{41} \\",
    '"quote" ] ) } // niet weg /* ook niet */',
    '#import "@preview/cetz:0.3.0": *',
    "#set page(fill: red)",
    "= kop",
    "- punt `code` ~ --- ...",
)


def test_hostile_text_is_shown_as_written(letters):
    _, doc, _ = letters["assen"]
    hostile = " | ".join(HOSTILE)
    evil = replace(
        doc,
        sender=d.Sender(hostile, hostile, (hostile,), hostile),
        recipient=d.Recipient((hostile,)),
        body=(d.Paragraph.of(hostile), d.Paragraph((d.Span(hostile, strong=True),), outcome=True)),
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
    text = "\n".join(_text(typst_letter.to_pdf(evil)))
    flat = " ".join(text.split())
    for piece in HOSTILE:
        assert " ".join(piece.split()) in flat, piece


def test_typst_strings_escape_everything():
    for piece in (*HOSTILE, "a\nb\tc\x00\x1b\u2028"):
        literal = typst_letter.typst_string(piece)
        assert literal.startswith('"') and literal.endswith('"')
        inner = literal[1:-1]
        assert "\n" not in inner and "\x00" not in inner
        assert '"' not in inner.replace('\\"', "").replace("\\\\", "")


def test_bold_only_for_the_outcome_and_no_bare_minus():
    with pytest.raises(ValueError, match="bold is only for the outcome"):
        d.Paragraph((d.Span("Wij delen mee", strong=True),))
    with pytest.raises(ValueError, match="written with '−'"):
        d.Paragraph.of("een nadeel van € -130.753,85")
    with pytest.raises(ValueError, match="'−'"):
        d.Table((d.Column("bedrag", numeric=True),), (("-€ 5,00",),))
    assert d.Table((d.Column("bedrag", numeric=True),), ((d.signed("€ 5,00", True),),)).rows == (
        ("−€ 5,00",),
    )


# the sender profile ---------------------------------------------------------------------------

PROFILE = (EXAMPLES / "afzender-groningen.yaml").read_text(encoding="utf-8")


def _problems(tmp_path: Path, text: str):
    path = tmp_path / "afzender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConvenantError) as caught:
        load_profile(path)
    return path, text, caught.value.problems


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def _rendered(problem, text: str) -> str:
    return messages.render(problem, "nl", source=lambda path, line: text.splitlines()[line - 1])


@pytest.mark.parametrize(
    ("old", "new", "code", "field", "needle", "words"),
    [
        (
            "  phone: 050",
            "  telefoon: 050",
            "schema.unknown_key",
            "contact.telefoon",
            "telefoon:",
            "onbekend veld",
        ),
        (
            "{covenant}/{jaar}/{act}/{code}/{inputs}",
            "{covenant}/{jaar}/{code}/{volgnummer}",
            "profile.kenmerk_placeholder",
            "kenmerk",
            "kenmerk:",
            "onbekende plaatshouder ‘volgnummer’",
        ),
        (
            "{covenant}/{jaar}/{act}/{code}/{inputs}",
            "{covenant}/{jaar}/{code}",
            "profile.kenmerk_missing",
            "kenmerk",
            "kenmerk:",
            "mist {act}",
        ),
        (
            "  iban: NL00 TEST 0000 0000 00",
            "  iban: NL91 ABNA 0417 1643 00",
            "profile.iban_real_in_example",
            "payment.iban",
            "iban:",
            "een echte rekening",
        ),
        (
            "illustrative: true",
            "illustrative: false",
            "profile.iban_invalid",
            "payment.iban",
            "iban:",
            "controlegetal (mod 97) is fout",
        ),
        (
            "    - function: de burgemeester\n      name: C. Voorbeeld\n",
            "",
            "profile.signatories",
            "signing.signatories",
            "signatories:",
            "tekenen 2 ondertekenaar(s), maar het profiel noemt er 1",
        ),
    ],
    ids=[
        "unknown-key",
        "placeholder",
        "missing-placeholder",
        "real-iban-in-example",
        "bad-iban",
        "one-signatory",
    ],
)
def test_profile_errors_point_at_file_line_and_field_in_dutch(tmp_path, old, new, code, field, needle, words):
    assert old in PROFILE
    path, text, problems = _problems(tmp_path, PROFILE.replace(old, new, 1))
    (problem,) = [p for p in problems if p.code == code]
    assert problem.location.path == str(path) or problem.location.path.endswith("afzender.yaml")
    assert problem.location.line == _line(text, needle)
    assert problem.field == field
    rendered = _rendered(problem, text)
    assert rendered.startswith("fout: ") and words in rendered
    assert f"afzender.yaml:{problem.location.line}" in rendered
    assert f"= veld: {field}" in rendered


def test_a_duplicate_key_is_refused_with_its_line(tmp_path):
    text = PROFILE.replace(
        "  holder: gemeente Groningen\n", "  holder: gemeente Groningen\n  holder: Assen\n"
    )
    _, _, problems = _problems(tmp_path, text)
    (problem,) = problems
    assert problem.code.startswith("yaml.") and problem.location.line == _line(text, "holder: Assen")


def test_a_real_profile_with_a_valid_iban_loads(tmp_path):
    text = PROFILE.replace("illustrative: true", "illustrative: false").replace(
        "NL00 TEST 0000 0000 00", "NL91 ABNA 0417 1643 00"
    )
    path = tmp_path / "afzender.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_profile(path).iban == "NL91 ABNA 0417 1643 00"
    assert iban_valid("NL91ABNA0417164300") and not iban_valid("NL92 ABNA 0417 1643 00")


def test_the_profile_of_another_municipality_is_refused(letters):
    ev, _, _ = letters["groningen"]
    with pytest.raises(ConvenantError) as caught:
        letterform.letter_document(ev, load_profile(EXAMPLES / "afzender-assen.yaml"), "GM0765")
    (problem,) = caught.value.problems
    assert problem.code == "profile.wrong_sender"
    assert "de centrumgemeente van groningen in 2022 is GM0014" in messages.message(problem)[0]


def test_the_letter_is_dated_as_asked(letters):
    ev, _, _ = letters["assen"]
    profile = load_profile(EXAMPLES / "afzender-assen.yaml")
    doc = letterform.letter_document(ev, profile, "GM0118", when=date(2025, 6, 2))
    assert doc.dated == date(2025, 6, 2) and doc.reference.fields[0] == ("Datum", "2 juni 2025")
    assert doc.signature.mandate == "namens dezen," and len(doc.signature.signatories) == 1
