"""Reading an input file safely: only a regular file, never more than a limit, never blocking.

Every reader of user files (rule and fact files, the municipalities table, sentence templates,
scenario tables) goes through `checked_file` before it opens anything, so a FIFO nobody writes
to, `/dev/zero`, a folder or a symlink loop is refused with a message instead of hanging or
reading without end; `read_bytes` then reads at most `limit + 1` bytes.

Within `recording()` every file looked at this way is noted (`convenant validate` keeps its
outcome on disk under the contents of everything it read, engine/cli/validate_cache.py).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Location, Problem

# absolute path → sha256 of the bytes read (None: looked at, not read whole); this context only
_RECORDED: ContextVar[dict[str, bytes | None] | None] = ContextVar("convenant_recorded", default=None)


@contextmanager
def recording() -> Iterator[dict[str, bytes | None]]:
    """Within this block (this thread or task only), note every file looked at: its absolute path,
    with the sha256 digest of its bytes when `read_bytes` read it whole."""
    seen: dict[str, bytes | None] = {}
    token = _RECORDED.set(seen)
    try:
        yield seen
    finally:
        _RECORDED.reset(token)


def _note(path: Path | str, raw: bytes | None = None) -> None:
    seen = _RECORDED.get()
    if seen is not None:
        import hashlib

        key = os.path.abspath(path)
        if raw is not None:
            seen[key] = hashlib.sha256(raw).digest()
        else:
            seen.setdefault(key, None)


def _refuse(code: str, display: str, **args: object) -> ConvenantError:
    return ConvenantError([Problem(code, {"path": display, **args}, Location(display))])


def checked_file(path: Path, display: str, limit: int | None = None) -> int:
    """The size of `path` when it is a regular file of at most `limit` bytes; else ConvenantError."""
    _note(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise _refuse("file.not_found", display) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _refuse("file.symlink_loop", display) from None
        raise _refuse("file.unreadable", display, reason=error.strerror or str(error)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse("file.is_directory", display)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse("file.not_regular", display)
    if limit is not None and info.st_size > limit:
        raise _refuse("file.too_large", display, size=info.st_size, limit=limit)
    return info.st_size


def read_bytes(path: Path, display: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (checked again while reading: a file
    that grows, or lies about its size, is still read no further than `limit + 1`)."""
    checked_file(path, display, limit)
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise _refuse("file.unreadable", display, reason=error.strerror or str(error)) from None
    with os.fdopen(handle, "rb") as stream:
        raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise _refuse("file.too_large", display, size=f"> {limit}", limit=limit)
    _note(path, raw)
    return raw


def first_line(path: Path, limit: int = 4096) -> str | None:
    """The first line of a regular file (at most `limit` bytes of it), or None when `path` is not
    a readable regular file; the caller's full read then says why."""
    try:
        checked_file(path, str(path))
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (ConvenantError, OSError):
        return None
    with os.fdopen(handle, "rb") as stream:
        # utf-8-sig: a file saved with a byte-order mark (as Notepad does) has the same first line
        return stream.readline(limit).decode("utf-8-sig", errors="replace").rstrip("\r\n")
