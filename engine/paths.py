"""Where the project's data lives: `rules/` and `schemas/` beside the `engine/` package."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMAS_DIR = REPO_ROOT / "schemas"


def rules_dir() -> Path:
    """The rules directory: $CONVENANT_RULES_DIR if set, else `rules/` of this checkout."""
    configured = os.environ.get("CONVENANT_RULES_DIR")
    return Path(configured) if configured else REPO_ROOT / "rules"


def display_path(path: Path) -> str:
    """A path as the user should read it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, RuntimeError, OSError):  # outside the working directory, or a symlink loop
        return str(path)
