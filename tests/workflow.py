"""Helpers for the tests of the legal-staff workflow (versions, new-version, diff, verify)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ASSEN, RULES, assen_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ASSEN_17 = FIXTURES / "assen-1.7" / "2025-v1.7.yaml"


@pytest.fixture(autouse=True)
def _default_rules_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--rules-dir` sets CONVENANT_RULES_DIR for the process; start from the default, restore after."""
    monkeypatch.delenv("CONVENANT_RULES_DIR", raising=False)


def rules_copy(tmp_path: Path) -> Path:
    """A rules directory with the municipalities table and Assen 1.6, to change freely."""
    rules = tmp_path / "rules"
    (rules / "assen").mkdir(parents=True)
    shutil.copy(RULES / "municipalities.yaml", rules / "municipalities.yaml")
    shutil.copy(ASSEN, rules / "assen" / "2024-v1.6.yaml")
    return rules


def assen_version(
    rules: Path, version: str, valid_from: str, valid_until: str, name: str | None = None
) -> Path:
    """Another Assen version in `rules`: the 1.6 text with another version and period."""
    text = (
        assen_text()
        .replace('version: "1.6"', f'version: "{version}"')
        .replace("valid_from: 2024-01-01", f"valid_from: {valid_from}")
        .replace("valid_until: 2025-12-31", f"valid_until: {valid_until}")
    )
    path = rules / "assen" / (name or f"{valid_from[:4]}-v{version}.yaml")
    path.write_text(text, encoding="utf-8")
    return path
