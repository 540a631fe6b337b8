"""The code stays ruff-clean and mypy-clean (STYLE.md): lint, format and types are checked with the tests."""

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


def test_mypy_on_the_engine_folder(tmp_path):
    # The folder engine/ installs as the package `convenant` (pyproject.toml, package-dir), and its
    # modules import each other by that name; mypy takes a package's name from its folder, so it is
    # shown the folder under that name. Settings are in pyproject.toml, [tool.mypy].
    (tmp_path / "convenant").symlink_to(REPO_ROOT / "engine", target_is_directory=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--cache-dir",
            str(REPO_ROOT / ".mypy_cache"),
            "convenant",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Success"), done.stdout
