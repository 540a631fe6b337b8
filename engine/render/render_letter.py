"""The renderers of a LetterDocument by format: each gives the file's bytes. Imported only by the
commands that write letters (each renderer imports its typesetter when it is first used)."""

from __future__ import annotations

from collections.abc import Callable

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


def _docx(doc: d.LetterDocument) -> bytes:
    from convenant.render.docx_letter import to_docx

    return to_docx(doc)


RENDERERS: dict[str, Callable[[d.LetterDocument], bytes]] = {
    "md": _md,
    "html": _html,
    "pdf": _pdf,
    "docx": _docx,
}
