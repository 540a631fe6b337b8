"""What every page and API route needs: the reader's language, a page response with its CSRF
cookie, an upload from a form, and a refusal as a page or as a problem document."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from convenant.core import messages
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.web import problems, rendering, security
from convenant.web.config import WebConfig
from convenant.web.uploads import Upload, accept

LANG_COOKIE = "convenant_lang"


def config(request: Request) -> WebConfig:
    return request.app.state.config


def lang_of(request: Request) -> str:
    """`?lang=en` (the switch in the page header), else the reader's cookie, else the server's
    language (`convenant --lang en serve`)."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return chosen if chosen in messages.LANGUAGES else config(request).lang


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the reader's language; its forms carry the CSRF token of the cookie set with it."""
    lang = lang_of(request)
    other_lang = next(other for other in messages.LANGUAGES if other != lang)
    token = request.cookies.get(security.CSRF_COOKIE)
    if not token or not security.csrf_valid(config(request).secret, token, token):
        token = security.csrf_token(config(request).secret)
    html = rendering.render(
        template,
        lang,
        csrf=token,
        path=request.url.path,
        query=request.url.query,
        other_lang=other_lang,
        # the language switch keeps the page's own question (/versies?oud=…&nieuw=…)
        lang_query=urlencode(
            [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other_lang)]
        ),
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.set_cookie(security.CSRF_COOKIE, token, httponly=True, samesite="strict")
    if request.query_params.get("lang") in messages.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, samesite="strict")
    return response


async def form_of(request: Request) -> Any:
    """The posted form of a page, after its CSRF token is checked (ConvenantError when not)."""
    form = await request.form(max_files=4, max_fields=50)
    field = form.get(security.CSRF_FIELD)
    if not security.csrf_valid(
        config(request).secret,
        request.cookies.get(security.CSRF_COOKIE),
        field if isinstance(field, str) else None,
    ):
        raise ConvenantError([Problem("web.csrf", {})])
    return form


async def upload_of(form: Any, field: str, kinds: tuple[str, ...], limit: int) -> Upload:
    """The file posted in `field`, accepted only as one of `kinds` and at most `limit` bytes."""
    item = form.get(field)
    if not isinstance(item, UploadFile):
        raise ConvenantError([Problem("web.upload_missing", {"field": field})])
    data = await item.read(limit + 1)
    return accept(item.filename, data, kinds, limit)


def problem_response(
    error: ConvenantError, lang: str, source: problems.Source | None = None, status: int | None = None
) -> JSONResponse:
    """An RFC 9457 problem document for the API."""
    status = status or problems.status_of(error)
    body = problems.document(error.problems, status, lang, source or problems._no_source)
    return JSONResponse(body, status_code=status, media_type=problems.PROBLEM_JSON)


def problem_page(
    request: Request,
    error: ConvenantError,
    template: str = "problems.html.j2",
    source: problems.Source | None = None,
    status: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """The same problems on a page, each with the line of the upload it concerns."""
    lang = lang_of(request)
    shown = [problems.shown(p, lang, source or problems._no_source) for p in error.problems]
    return page(request, template, status=status or problems.status_of(error), problems=shown, **context)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2), status_code=status, media_type="application/json"
    )
