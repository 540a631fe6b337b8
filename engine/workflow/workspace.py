"""`convenant init DIR`: a workspace for legal staff's own rule files, outside any checkout.

It holds copies of the bundled `rules/`, `schemas/` and `examples/` in the same layout as this
repository, so that every file's `# yaml-language-server: $schema=../../schemas/…` line works,
and an editor settings file (`.vscode/settings.json`) that ties the schemas to the files. The
command line uses it with `--rules-dir DIR/rules` or `CONVENANT_RULES_DIR=DIR/rules`.

Nothing is overwritten: the folder must be new or empty. The workspace is written next to its
final place first and moved there whole, so an error leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import BUNDLED_RULES_DIR, EXAMPLES_DIR, SCHEMAS_DIR, display_path

FOLDERS = {"rules": BUNDLED_RULES_DIR, "schemas": SCHEMAS_DIR, "examples": EXAMPLES_DIR}

# yaml-language-server (the Red Hat YAML extension): which schema checks which files
EDITOR_SETTINGS = {
    "yaml.schemas": {
        "./schemas/rule-file.schema.json": ["rules/*/*.yaml"],
        "./schemas/facts.schema.json": ["examples/*.yaml", "feiten/*.yaml"],
        "./schemas/municipalities.schema.json": ["rules/municipalities.yaml"],
    },
    "files.encoding": "utf8",
    "files.eol": "\n",
}


def _data_files(folder: Path) -> list[Path]:
    """The files of a bundled folder that belong in a workspace (no caches, no code)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in {".yaml", ".json", ".j2", ".csv"}
    )


def init_workspace(target: Path) -> list[Path]:
    """Write a workspace at `target`; return the files written, relative to it."""
    shown = display_path(target)
    if target.exists() and not target.is_dir():
        raise ConvenantError([Problem("workspace.not_a_folder", {"path": shown})])
    if target.is_dir() and any(target.iterdir()):
        raise ConvenantError([Problem("workspace.not_empty", {"path": shown})])
    parent = target.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
    except OSError as exc:
        raise ConvenantError(
            [Problem("workspace.unwritable", {"path": shown, "reason": exc.strerror or str(exc)})]
        ) from None
    written: list[Path] = []
    try:
        for name, source in FOLDERS.items():
            for path in _data_files(source):
                relative = Path(name) / path.relative_to(source)
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, staging / relative)
                written.append(relative)
        settings = Path(".vscode") / "settings.json"
        (staging / settings).parent.mkdir()
        (staging / settings).write_text(json.dumps(EDITOR_SETTINGS, indent=2) + "\n", encoding="utf-8")
        written.append(settings)
        if target.is_dir():  # empty, checked above: take its place
            target.rmdir()
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ConvenantError(
            [Problem("workspace.unwritable", {"path": shown, "reason": exc.strerror or str(exc)})]
        ) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return written
