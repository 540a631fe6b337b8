"""What is kept on disk between runs, and under which engine: the user's cache folder and the
engine's identity.

The identity (`engine_identity`) is the sha256 of the version, the Python, the path, size and
mtime of every file of the installed package and its schemas (an editable install's changed code
counts), and the mtime of each `site-packages` folder on `sys.path` (a dependency installed,
upgraded or removed). Whatever is kept on disk because the engine decided it (a validation's
outcome, a passed template check) is kept under it, so a new engine decides again.

This module imports nothing of the engine and no third-party module: `convenant validate`'s warm
path imports it before anything else.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

import convenant

if TYPE_CHECKING:  # typing's names cost milliseconds to import; annotations only
    from collections.abc import Iterable


def cache_dir(kind: str) -> str:
    """`$XDG_CACHE_HOME/convenant/KIND` (else `~/.cache/convenant/KIND`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "convenant", kind)


def remember(marker: str) -> None:
    """Leave the empty file `marker` (a check that passed, named by what it read): a cache folder
    that cannot be written only means that the next process checks again."""
    try:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        with open(marker, "a", encoding="utf-8"):
            pass
    except OSError:
        pass
    prune(os.path.dirname(marker))


def keep(path: str, data: bytes) -> bool:
    """Write `data` as the file `path` whole or not at all (written aside, then renamed in place),
    its folder made if need be: another process reads the old file or the new one, never half of
    one. False when it cannot be written, which only means making it again next time."""
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except OSError:
        try:
            os.remove(temporary)
        except OSError:
            pass
        return False
    return True


# --- old entries ---------------------------------------------------------------------------------
# Every entry is named by all it was made from, so an engine, rule file or template that changed
# leaves the old entries behind, never read again. When a process adds an entry to a folder, and the
# folder was not pruned in the last day, the entries not written for KEEP_DAYS go: one that is still
# used is made again on its next use (a check, or a compilation, once). Only the names this module's
# callers write are removed (a sha256 in hex, with `.json` or `.jinja` or nothing): never a file of
# someone else's in the folder.

KEEP_DAYS = 30
_PRUNED = ".pruned-"  # beside the folder, `.pruned-KIND`: its time of change, the folder's last pruning
_DAY = 24 * 3600


def _entry_name(name: str) -> bool:
    stem, dot, suffix = name.partition(".")
    return (
        len(stem) == 64
        and all(c in "0123456789abcdef" for c in stem)
        and (not dot or suffix in ("json", "jinja"))
    )


def prune(folder: str, keep: int | None = None, now: float | None = None) -> int:
    """Remove the entries of `folder` not written for KEEP_DAYS days, at most once a day, and past
    `keep` entries the older half of them; how many went. A folder that cannot be read or written
    is left as it is."""
    now = time.time() if now is None else now
    parent, kind = os.path.split(os.path.normpath(folder))
    stamp = os.path.join(parent, _PRUNED + kind)
    try:
        if now - os.stat(stamp).st_mtime < _DAY:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        with open(stamp, "a", encoding="utf-8"):
            pass
        os.utime(stamp, (now, now))
        with os.scandir(folder) as entries:
            found = sorted(
                (entry.stat(follow_symlinks=False).st_mtime, entry.path)
                for entry in entries
                if _entry_name(entry.name) and entry.is_file(follow_symlinks=False)
            )
    except OSError:
        return 0
    old = [path for written, path in found if now - written > KEEP_DAYS * _DAY]
    if keep is not None and len(found) - len(old) > keep:
        old = [path for _, path in found[: max(len(old), len(found) // 2)]]
    for path in old:
        try:
            os.remove(path)
            removed += 1
        except OSError:
            pass
    return removed


def _package_files() -> Iterable[str]:
    package = os.path.dirname(os.path.abspath(convenant.__file__))
    schemas = os.path.join(package, "schemas")  # core/paths.py: _bundled
    if not os.path.isdir(schemas):
        schemas = os.path.join(os.path.dirname(package), "schemas")
    for top in (package, schemas):
        for folder, subfolders, names in os.walk(top):
            subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
            for name in sorted(names):
                yield os.path.join(folder, name)


def engine_identity() -> str:
    """The engine that decides an outcome: version, Python, and (path, size, mtime) of its files.
    Python by the file it runs from: `.venv/bin/python`, `.venv/bin/python3` and the console script
    `convenant` (whose first line names one of them) are one interpreter, and share what is kept;
    another environment differs in its site-packages below."""
    python = os.path.realpath(sys.executable)
    digest = hashlib.sha256(f"{convenant.__version__}\0{sys.version}\0{python}".encode())
    for path in _package_files():
        try:
            info = os.stat(path)
        except OSError:
            continue
        digest.update(f"\0{path}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    for entry in sys.path:  # a dependency installed, upgraded or removed changes its folder
        if not entry.endswith(("site-packages", "dist-packages")):
            continue
        try:
            digest.update(f"\0{entry}\0{os.stat(entry).st_mtime_ns}".encode())
        except OSError:
            continue
    return digest.hexdigest()
