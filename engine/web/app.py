"""The web application: the pages, the API and the static files, behind the safety guard.

Each area of the application is a module with a `routes()` function; `create_app` collects them.
Nothing here reads a rule file for writing: rule files are edited in the editor and kept in version
control, the application only reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.register.recorder import RecordingRegister
from convenant.web import (
    api,
    batch_pages,
    evaluate_pages,
    letters_pages,
    pages,
    register_pages,
    rendering,
    security,
    versions_pages,
)
from convenant.web.common import lang_of, page, problem_response
from convenant.web.config import WebConfig, checked
from convenant.web.kept import Kept
from convenant.web.runs import RecentRuns

# the modules whose routes() make up the application, in order
AREAS = [pages, evaluate_pages, letters_pages, batch_pages, versions_pages, register_pages, api]


def _limit_for(config: WebConfig) -> Callable[[str], int]:
    """The largest request body each path takes: a scenario file is larger than a fact file."""

    def limit(path: str) -> int:
        if "batch" in path:
            return config.max_batch_upload_bytes + 64 * 1024
        return config.max_upload_bytes + 64 * 1024  # the form's other fields and boundaries

    return limit


async def _not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return problem_response(ConvenantError([Problem("web.not_found", {})]), lang_of(request), status=404)
    return page(request, "not_found.html.j2", status=404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return problem_response(
            ConvenantError([Problem("web.not_allowed", {})]), lang_of(request), status=405
        )
    return page(request, "not_found.html.j2", status=405)


async def _bug(request: Request, exc: Exception) -> Response:
    """A bug: a short page or a 500 problem document, never the exception's text or a path (the
    server's own log has the traceback)."""
    if isinstance(exc, security.BodyTooLarge):  # a body without Content-Length, found too large while read
        limit = _limit_for(request.app.state.config)(request.url.path)
        error = ConvenantError([Problem("web.body_too_large", {"limit": limit})])
        return problem_response(error, lang_of(request), status=413)
    _log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith("/api/"):
        return problem_response(ConvenantError([Problem("web.internal", {})]), lang_of(request), status=500)
    return page(request, "internal.html.j2", status=500)


_log = logging.getLogger("convenant.web")


def create_app(config: WebConfig) -> security.ASGIApp:
    """The application for one server run, with its configuration checked."""
    config = checked(config)
    routes: list[BaseRoute] = []
    for area in AREAS:
        routes += area.routes()
    routes.append(Mount("/static", StaticFiles(directory=rendering.STATIC), name="static"))
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed, Exception: _bug})
    app.state.config = config
    app.state.areas = list(AREAS)  # the API describes itself from them (api.description)
    app.state.register = RecordingRegister.open(config.register)  # config.register, else the default place
    app.state.recorder = app.state.register
    app.state.runs = RecentRuns()
    app.state.letter_sets = Kept(8, "web.letter_set_not_found")  # letters_pages.LetterSet
    app.state.batch_jobs = batch_pages.Jobs()
    return security.Guard(app, config, _limit_for(config))
