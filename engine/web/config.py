"""What the web application may do, checked before it starts.

Safe by default: it listens on 127.0.0.1. Listening on any other address needs an access token (at
least 32 characters, from the environment or a file, never from the command line where other users
of the machine could read it in the process list); without one the server refuses to start.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem, UsageRefusal

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_ENV = "CONVENANT_WEB_TOKEN"
MIN_TOKEN = 32
MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # a fact workbook is some hundreds of cells; a scenario file larger
MAX_BATCH_UPLOAD_BYTES = 64 * 1024 * 1024  # a scenario file of some hundred thousand rows


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1 and `localhost` reach only this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "10.0.0.5")]
    [True, True, True, False, False]
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebConfig:
    host: str = LOOPBACK
    port: int = DEFAULT_PORT
    token: str | None = None  # required when host is not loopback
    register: str | None = None  # a SQLite file or a database URL; None: the register's default place
    lang: str = "nl"
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_batch_upload_bytes: int = MAX_BATCH_UPLOAD_BYTES
    # a secret for this server's run: signs the CSRF tokens of its forms
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def needs_token(self) -> bool:
        return self.token is not None


def read_token(token_file: Path | None) -> str | None:
    """The access token from `--token-file`, else from $CONVENANT_WEB_TOKEN, else none."""
    if token_file is not None:
        try:
            text = token_file.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise UsageRefusal(
                [
                    Problem(
                        "web.token_unreadable",
                        {"path": str(token_file), "reason": error.strerror or str(error)},
                    )
                ]
            ) from None
        return text or None
    return os.environ.get(TOKEN_ENV) or None


def checked(config: WebConfig) -> WebConfig:
    """Refuse to start a server that anyone on the network could use without a token."""
    if config.token is not None and len(config.token) < MIN_TOKEN:
        raise UsageRefusal([Problem("web.token_short", {"length": len(config.token), "minimum": MIN_TOKEN})])
    if not is_loopback(config.host) and config.token is None:
        raise UsageRefusal([Problem("web.token_needed", {"host": config.host, "env": TOKEN_ENV})])
    return config


__all__ = ["ConvenantError", "WebConfig", "checked", "is_loopback", "read_token"]
