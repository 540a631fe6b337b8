"""The engine's problems, said as the commands say them, for a page and as RFC 9457 problem details.

A problem document (`application/problem+json`) carries the HTTP status, a title and detail in the
reader's language, and `problems`: every problem with its message code (the codes of the CLI's
messages and of docs/legal-staff.md), what is wrong, what to do, where (file, line, column, field)
and the article. The page shows the same messages, each with the line of the uploaded file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from convenant import words
from convenant.core import messages
from convenant.core.diagnostics import ConvenantError, Problem

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:convenant:problem:"

Source = Callable[[str, int], str | None]


def _no_source(path: str, line: int) -> str | None:
    return None  # never read a file named by a request


def shown(problem: Problem, lang: str, source: Source = _no_source) -> dict[str, Any]:
    """One problem in words: its code, what and todo, where, and the CLI's whole boxed message."""
    what, todo = messages.message(problem, lang)
    loc = problem.location
    return {
        "code": problem.code,
        "severity": problem.severity,
        "message": what,
        "todo": todo,
        "location": (
            None
            if loc is None
            else {"file": loc.path, "line": loc.line, "column": loc.column, "text": str(loc)}
        ),
        "field": problem.field,
        "article": problem.article.formal(lang) if problem.article else None,
        "rendered": messages.render(problem, lang, source),
    }


def document(
    problems: Iterable[Problem], status: int, lang: str, source: Source = _no_source
) -> dict[str, Any]:
    """An RFC 9457 problem document for the problems of one request."""
    listed = [shown(p, lang, source) for p in problems]
    first = listed[0] if listed else {"code": "web.internal", "message": "", "todo": ""}
    return {
        "type": TYPE_BASE + first["code"],
        "title": words.say(f"web.problem_title.{_title(status)}", lang),
        "status": status,
        "detail": first["message"],
        "code": first["code"],
        "problems": listed,
    }


def _title(status: int) -> str:
    return {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "not_allowed",
        409: "conflict",
        413: "too_large",
        415: "unsupported",
        422: "unprocessable",
        429: "busy",
    }.get(status, "internal")


def status_of(error: ConvenantError) -> int:
    """422 for a fact or rule file the engine refuses; 413 and 415 for uploads too large or of the
    wrong kind; 404 for a covenant, run or kenmerk the application does not know."""
    codes = {p.code for p in error.problems}
    if codes & {"web.upload_too_large", "web.body_too_large"}:
        return 413
    if codes & {"web.upload_kind", "web.upload_content"}:
        return 415
    if any(c.startswith("web.") and c.endswith("not_found") for c in codes):
        return 404
    return 422
