"""The server's safety, as ASGI middleware around every request.

- **Hosts**: on loopback only the names of this machine are answered (a page elsewhere on the web
  cannot reach the server through a DNS name pointing at 127.0.0.1).
- **Access token**: when one is configured, every request but the login page and the stylesheet
  needs it, as `Authorization: Bearer …` (the API) or as the cookie the login page sets.
- **Size**: a request body larger than its route allows is refused with 413 before it is read whole.
- **CSRF**: a form of the pages posts back the token of the cookie it was served with (double
  submit, signed with the server's secret); the API refuses requests a browser marks cross-site.
- **Headers**: a content security policy that allows only the server's own script and style, no
  framing, no sniffing, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from convenant.core.diagnostics import Problem
from convenant.web import problems
from convenant.web.config import WebConfig, is_loopback

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "convenant_token"
CSRF_COOKIE = "convenant_csrf"
CSRF_FIELD = "csrf"
OPEN_PATHS = ("/login", "/static/style.css")
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class BodyTooLarge(Exception):
    pass


def csrf_token(secret: str) -> str:
    """A new token: a nonce and its signature with the server's secret."""
    nonce = secrets.token_urlsafe(16)
    return f"{nonce}.{_sign(secret, nonce)}"


def _sign(secret: str, nonce: str) -> str:
    return hmac.new(secret.encode(), nonce.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_valid(secret: str, cookie: str | None, field: str | None) -> bool:
    """The form's token equals its cookie's, and the server signed it."""
    if not cookie or not field or not hmac.compare_digest(cookie, field):
        return False
    nonce, _, signature = cookie.partition(".")
    return hmac.compare_digest(signature, _sign(secret, nonce))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (_header(scope, b"cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value
    return out


async def _problem(send: Send, status: int, code: str, lang: str, args: dict[str, Any] | None = None) -> None:
    body = json.dumps(problems.document([Problem(code, args or {})], status, lang), ensure_ascii=False)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", problems.PROBLEM_JSON.encode()), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body.encode()})


class Guard:
    """Every rule above, in front of the application."""

    def __init__(self, app: ASGIApp, config: WebConfig, limit_for: Callable[[str], int]) -> None:
        self.app, self.config, self.limit_for = app, config, limit_for
        self.loopback = is_loopback(config.host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        lang = self.config.lang
        path = scope.get("path", "/")
        if self.loopback and not _local_host(_header(scope, b"host")):
            await _problem(send, 400, "web.wrong_host", lang)
            return
        if self.config.token is not None and not path.startswith(OPEN_PATHS) and not self._authorised(scope):
            if path.startswith("/api/") or scope["method"] != "GET":
                await _problem(send, 403, "web.token_missing", lang)
            else:
                await _redirect(send, "/login")
            return
        if path.startswith("/api/") and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            site = _header(scope, b"sec-fetch-site")
            if site not in (None, "same-origin", "none"):
                await _problem(send, 403, "web.cross_site", lang)
                return
        limit = self.limit_for(path)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _problem(send, 413, "web.body_too_large", lang, {"limit": limit})
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                own = message.get("headers", [])
                named = {key.lower() for key, _ in own}  # a response may set its own (a letter's CSP)
                message["headers"] = [*own, *(h for h in HEADERS if h[0] not in named)]
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                await _problem(send, 413, "web.body_too_large", lang, {"limit": limit})

    def _authorised(self, scope: Scope) -> bool:
        token = self.config.token or ""
        given = _header(scope, b"authorization") or ""
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip(), token):
            return True
        cookie = _cookies(scope).get(TOKEN_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie, _cookie_value(token))


def _cookie_value(token: str) -> str:
    """The login cookie holds a digest of the token, not the token itself."""
    return hashlib.sha256(b"convenant-login:" + token.encode()).hexdigest()


def login_cookie(token: str) -> str:
    return _cookie_value(token)


def _local_host(host: str | None) -> bool:
    if not host:
        return False
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    return name in ("127.0.0.1", "localhost", "::1")


async def _redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode()), *HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": b""})
