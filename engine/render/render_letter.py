"""The renderers of a LetterDocument by format: each gives the file's bytes. Imported only by the
commands that write letters (each renderer imports its typesetter when it is first used)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from convenant.render import document as d


def _md(doc: d.LetterDocument) -> bytes:
    from convenant.render.markdown_letter import to_markdown

    return to_markdown(doc).encode()


def _html(doc: d.LetterDocument) -> bytes:
    from convenant.render.html_letter import to_html

    return to_html(doc).encode()


def _pdf(doc: d.LetterDocument) -> bytes:
    from convenant.render.typst_letter import to_pdf

    return to_pdf(doc)


def _docx(doc: d.LetterDocument, template: Path | None = None) -> bytes:
    from convenant.render.docx_letter import to_docx

    return to_docx(doc, template)


Renderer = Callable[[d.LetterDocument], bytes]

RENDERERS: dict[str, Renderer] = {
    "md": _md,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
}


def renderers(docx_template: Path | None) -> dict[str, Renderer]:
    """The renderers, the DOCX one from a house-style template when given."""
    if docx_template is None:
        return RENDERERS
    return {**RENDERERS, "docx": functools.partial(_docx, template=docx_template)}
