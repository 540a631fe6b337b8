"""The code stays ruff-clean and mypy-clean (STYLE.md): lint, format and types are checked with the tests."""

from __future__ import annotations

import subprocess
import sys

from engine.paths import REPO_ROOT


def test_ruff_check_and_format():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=REPO_ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_on_the_engine_folder():
    # By path, not by import name, so the check does not depend on what the package installs as.
    # Settings (strictness, libraries without stubs) are in pyproject.toml, [tool.mypy].
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "engine"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
