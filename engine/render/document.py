"""A settlement letter as a structured document: what a Dutch municipal letter consists of (see
LETTERS.md in the issue), independent of how it is typeset.

The parts, top to bottom: the letterhead (`Sender`), the address block (`Recipient`), the kenmerk
block (`Reference`), the aanhef, the body (`Paragraph`s, an `OutcomeTable`, a `Payment`
instruction), the dispute paragraph, the slot and the signature (`Signature`: the college, its
secretaris and burgemeester, or one official "namens dezen" under mandate), and annexes (`Annex`:
`Heading`s, `Paragraph`s and `Table`s). Every piece of text is plain text: each renderer
(`typst_letter.py`, `markdown_letter.py`, `html_letter.py`) escapes all of it for its own syntax,
so no name or label can become markup.

The model checks what a letter may not do, so that a builder cannot get it wrong silently:
bold (`Span.strong`) only in a paragraph that states an outcome, a table row as long as its
columns, a negative amount written with U+2212 and never a hyphen-minus.

    >>> Paragraph.of("Wij maken de uitkomsten bekend.").text
    'Wij maken de uitkomsten bekend.'
    >>> Paragraph((Span("U betaalt "), Span("€ 1,00", strong=True)))
    Traceback (most recent call last):
    ...
    ValueError: bold is only for the outcome: 'U betaalt € 1,00'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

MINUS = "\u2212"  # before the euro sign of a negative amount in a table: "−€ 130.753,85"
_BARE_MINUS = re.compile(r"(?<![\w-])-\s*€|€\s*-\d")  # "-€ 5" or "€ -5": a hyphen as a sign


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; `outcome` marks the one that states what the recipient pays or
    receives: only there may a span be bold."""

    spans: tuple[Span, ...]
    outcome: bool = False

    def __post_init__(self) -> None:
        if not self.outcome and any(s.strong for s in self.spans):
            raise ValueError(f"bold is only for the outcome: {self.text!r}")
        _no_bare_minus(self.text)

    @classmethod
    def of(cls, text: str) -> Paragraph:
        return cls((Span(text),))

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Column:
    title: str
    numeric: bool = False  # right-aligned, with tabular figures


@dataclass(frozen=True)
class Table:
    """A table that may break across pages, its header repeated on every page; `total` is the
    totals row, set apart by a rule above it."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    caption: str | None = None
    widths: tuple[int, ...] | None = None  # relative column widths; None: the first takes the room left
    legend: tuple[str, ...] = ()  # above the table: what a short column title such as "(2)" stands for
    highlight: int | None = None  # the row shaded as the recipient's own (never bold: bold is the outcome's)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for row in (*self.rows, *([self.total] if self.total else [])):
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} cells in a table of {width} columns: {row!r}")
            for cell in row:
                _no_bare_minus(cell)
        if self.widths is not None and len(self.widths) != width:
            raise ValueError("one width per column")


@dataclass(frozen=True)
class OutcomeTable:
    """The letter's own table of outcomes, when there are several (a deelnemer may pay one and
    receive another)."""

    table: Table


@dataclass(frozen=True)
class Payment:
    """What a payer needs to pay: the amount, the date, the account and the reference."""

    amount: str
    due: str  # "uiterlijk 28 februari 2022"
    iban: str
    holder: str  # "de gemeente Groningen"
    reference: str  # the betalingskenmerk


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


Block = Paragraph | OutcomeTable | Payment | Heading | Table


@dataclass(frozen=True)
class Annex:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Sender:
    """The letterhead: the gemeente, its department, postal address lines and website."""

    name: str
    department: str | None
    address: tuple[str, ...]
    website: str | None = None


@dataclass(frozen=True)
class Recipient:
    """The address block: "Het college van burgemeester en wethouders van de gemeente …" and its address."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Reference:
    """The kenmerk block: short fields label → value, two to a row (datum, uw kenmerk, behandeld
    door, telefoon, e-mail, bijlagen), then the long ones each on its own row (ons kenmerk,
    onderwerp)."""

    fields: tuple[tuple[str, str], ...]
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Signatory:
    name: str
    function: str


@dataclass(frozen=True)
class Signature:
    """The ondertekening: `college` ("Burgemeester en wethouders van Groningen,") above the
    signatories (secretaris and burgemeester); under mandate `mandate` holds "namens dezen," and
    one signatory with its function."""

    closing: str  # "Met vriendelijke groet,"
    college: str
    signatories: tuple[Signatory, ...]
    mandate: str | None = None

    def __post_init__(self) -> None:
        if not self.signatories:
            raise ValueError("a letter is signed by someone")


@dataclass(frozen=True)
class Page:
    """The running header and footer: on every page, the kenmerk and "pagina X van Y"; when the
    facts are illustrative, the banner on every page."""

    kenmerk_label: str
    kenmerk: str
    page_words: str  # "pagina {page} van {pages}": the placeholders the typesetter fills
    banner: str | None  # "VOORBEELD — …" on every page, or None for a real letter
    watermark: str | None  # "VOORBEELD" across every page, or None


@dataclass(frozen=True)
class LetterDocument:
    lang: str
    title: str  # the PDF's title (the onderwerp)
    author: str  # the PDF's author (the signing college)
    dated: date  # the letter's date: the PDF's creation date, so reruns are byte-identical
    page: Page
    sender: Sender
    recipient: Recipient
    reference: Reference
    salutation: str  # "Geacht college,"
    body: tuple[Block, ...]
    signature: Signature
    annexes: tuple[Annex, ...] = field(default=())

    def __post_init__(self) -> None:
        if sum(isinstance(b, Paragraph) and b.outcome for b in self.body) > 1:
            raise ValueError("one paragraph states the outcome")
        for annex in self.annexes:
            for block in annex.blocks:
                if isinstance(block, Paragraph) and block.outcome:
                    raise ValueError("the outcome is stated in the letter, not in an annex")


def _no_bare_minus(text: str) -> None:
    if _BARE_MINUS.search(text):
        raise ValueError(f"a negative amount is written with {MINUS!r} before the euro sign: {text!r}")


# white space, control characters and the line separators; not the no-break space
_WHITE = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029]+")


def one_line(text: str, *, strip: bool = True) -> str:
    r"""A text of the model as the Markdown and HTML renderers show it: on one line, every run of
    white space or control characters one space, none at either end (the no-break space stays:
    "€\xa05,00" is never split).

    >>> one_line("  regel\n\tregel\x00 €\xa05,00 ")
    'regel regel €\xa05,00'
    >>> one_line("U betaalt\n", strip=False)  # a span: the space before the next span stays
    'U betaalt '
    """
    joined = _WHITE.sub(" ", text)
    return joined.strip(" ") if strip else joined


def signed(amount: str, negative: bool) -> str:
    """An amount for a table: "−€ 130.753,85" (U+2212) when negative.

    >>> signed("€ 130.753,85", True)
    '−€ 130.753,85'
    """
    return f"{MINUS}{amount}" if negative else amount
