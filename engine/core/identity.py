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
