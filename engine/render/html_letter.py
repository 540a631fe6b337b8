"""A LetterDocument (document.py) → one standalone HTML5 page, in the order of the PDF
(typst_letter.py), for a browser and for printing on A4.

The letter reaches the layout as the same plain value Typst reads (`typst_letter.to_data`), its
texts on one line (`document.one_line`), and is rendered by `templates/letter_form.html.j2` in
the project's sandboxed, autoescaping environment (`templating.render("html", …)`): every text
of the model is escaped there, in element content and in attributes, so `<script>`, `&` or
`{{ 7*7 }}` in a name is shown as written (the sandbox never reads data as a template).

The page needs nothing outside itself: the style sheet (`templates/letter_form.css.j2`) is
inside its `<style>` element, there is no script, no font file, no image, no link.
"""

from __future__ import annotations

from typing import Any

from convenant import words
from convenant.render import document as d
from convenant.render import templating
from convenant.render.typst_letter import to_data

TEMPLATE = "engine/letter_form.html.j2"


def _flat(value: Any, strip: bool = True) -> Any:
    """Every text in the value on one line; a paragraph's spans keep the space between them."""
    if isinstance(value, str):
        return d.one_line(value, strip=strip)
    if isinstance(value, list):
        return [_flat(v, strip) for v in value]
    if isinstance(value, dict):
        return {k: _flat(v, strip=strip and k != "spans") for k, v in value.items()}
    return value


def context(doc: d.LetterDocument) -> dict[str, Any]:
    """What the HTML layout reads: the letter, its date as ISO 8601, and the words it adds."""
    return {
        "d": _flat(to_data(doc)),
        "iso_date": doc.dated.isoformat(),
        "payment_title": words.say("letterform.payment_title", doc.lang),
    }


def to_html(doc: d.LetterDocument) -> str:
    """The letter as an HTML page: the same text for the same document, ending in one newline."""
    return templating.tidy(templating.render("html", None, TEMPLATE, context(doc)), "html")
