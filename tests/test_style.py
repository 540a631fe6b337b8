"""The code stays ruff-clean (STYLE.md): lint and format are checked with the tests."""

from __future__ import annotations

import subprocess
import sys

from tests.paths import REPO_ROOT


def test_ruff_check_and_format():
    for args in (["check", "."], ["format", "--check", "."]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args], cwd=REPO_ROOT, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
