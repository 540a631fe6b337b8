"""The first pages: the covenants with their versions and periods, and which is in force on a date;
the login page when the server has an access token."""

from __future__ import annotations

import hmac
from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from convenant.check import registry
from convenant.core.diagnostics import ConvenantError
from convenant.web import security
from convenant.web.common import config, form_of, lang_of, page, problem_page
from convenant.workflow import versions as listing


def _day(request: Request) -> date:
    given = request.query_params.get("op")
    try:
        return date.fromisoformat(given) if given else date.today()
    except ValueError:
        return date.today()


def home(request: Request) -> Response:
    """Every covenant, its versions with their periods, and each version's status on a date."""
    day = _day(request)
    covenants = []
    for covenant in registry.known_covenants():
        found = listing.listing(covenant)
        covenants.append(
            {
                "id": covenant,
                "title": found[-1].rules.covenant.title if found else covenant,
                "versions": [
                    {
                        "version": v.rules.covenant.version,
                        "valid_from": v.rules.covenant.valid_from,
                        "valid_until": v.rules.covenant.valid_until,
                        "status": listing.status(v.rules.covenant, day),
                        "sha256": v.rules.sha256,
                    }
                    for v in found
                ],
            }
        )
    return page(request, "home.html.j2", covenants=covenants, day=day)


async def login(request: Request) -> Response:
    """The access token, once per browser: it sets a cookie holding the token's digest."""
    if request.method == "GET":
        return page(request, "login.html.j2", failed=False)
    try:
        form = await form_of(request)
    except ConvenantError as error:
        return problem_page(request, error, status=403)
    token = config(request).token or ""
    given = form.get("token")
    if not isinstance(given, str) or not hmac.compare_digest(given.strip(), token):
        return page(request, "login.html.j2", status=403, failed=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(security.TOKEN_COOKIE, security.login_cookie(token), httponly=True, samesite="strict")
    return response


def routes() -> list[Route]:
    return [
        Route("/", home, name="home"),
        Route("/login", login, methods=["GET", "POST"], name="login"),
    ]


__all__ = ["lang_of", "routes"]
