"""Where the project's data lives: the bundled `rules/`, `schemas/` and `examples/`.

They are installed inside the `convenant` package (see `[tool.setuptools.package-dir]` in
pyproject.toml), so a wheel carries them and `importlib.resources` finds them; in a checkout
(an editable install) the same names resolve to the folders beside `engine/`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from pathlib import Path

_PACKAGE = Path(str(resources.files("convenant")))


def _bundled(name: str) -> Path:
    """The folder of bundled data `name`: inside the installed package, or beside `engine/` in a
    checkout (an editable install maps only the code folder)."""
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


TABLE_NAME = "municipalities.yaml"  # the CBS table; the folder that holds it is a rules directory
SCHEMAS_DIR = _bundled("schemas")
BUNDLED_RULES_DIR = _bundled("rules")
EXAMPLES_DIR = _bundled("examples")


def rules_dir() -> Path:
    """The rules directory: $CONVENANT_RULES_DIR if set, else the bundled rules."""
    configured = os.environ.get("CONVENANT_RULES_DIR")
    return Path(configured) if configured else BUNDLED_RULES_DIR


# Files made again from the register (convenant.register) lie in a temporary folder, but must be
# named as they were when the letter was made: real path → the name it was shown by, and back.
_SHOWN: ContextVar[tuple[Mapping[Path, str], Mapping[str, Path]]] = ContextVar(
    "convenant_shown", default=({}, {})
)


@contextmanager
def shown_as(names: Mapping[Path, str]) -> Iterator[None]:
    """Within this block (this thread or task only), show each of these files by the name given,
    and find the file again by that name (`on_disk`); an enclosing block's names still hold."""
    real = {**_SHOWN.get()[0], **{path.resolve(): shown for path, shown in names.items()}}
    token = _SHOWN.set((real, {shown: path for path, shown in real.items()}))
    try:
        yield
    finally:
        _SHOWN.reset(token)


def shown_context() -> tuple[str, frozenset[tuple[Path, str]]]:
    """What decides how a file is shown (`display_path`): the working directory and the names of
    `shown_as`. Anything kept that holds shown names (checked rule files) is kept under it."""
    try:
        cwd = str(Path.cwd())
    except OSError:  # the working directory was removed
        cwd = ""
    return cwd, frozenset(_SHOWN.get()[0].items())


def on_disk(shown: Path | str) -> Path:
    """The file a shown name stands for: itself, except for the files of `shown_as`.

    >>> on_disk("rules/groningen/2021.yaml")
    PosixPath('rules/groningen/2021.yaml')
    """
    return _SHOWN.get()[1].get(str(shown)) or Path(shown)


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    real, _ = _SHOWN.get()
    if real:
        found = real.get(path.resolve())
        if found is not None:
            return found
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, RuntimeError, OSError):  # outside the working directory, or a symlink loop
        return str(path)


def rules_directory_of(path: Path) -> Path | None:
    """The rules directory a rule file lies in: the configured one, else the nearest folder
    above it that holds the municipalities table; None for a file outside any rules directory."""
    resolved = path.resolve()
    configured = rules_dir().resolve()
    if configured in resolved.parents:
        return configured
    return next((p for p in resolved.parents if (p / TABLE_NAME).is_file()), None)
