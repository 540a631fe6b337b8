"""Helpers for the tests of the legal-staff workflow (versions, new-version, diff, verify)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ASSEN, RULES, assen_text

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
# The hypothetical Assen version 1.7 of the worked example (NOT a real covenant): the text
# new-version writes, with the edits below made by hand, is the fixture.
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


# What legal staff change by hand after `new-version` in the worked example (docs/legal-staff.md):
# a warning at the top, the title, the source note, the MO percentage 5 → 6 with its article
# text, and the key weights 50/50 → 60/40 with theirs.
ASSEN_17_EDITS = [
    (
        "# Regelbestand: Convenant Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang 2024,\n"
        "# Regio Assen, versie 1.6 (8-11-2023).\n",
        "# HYPOTHETISCH — GEEN ECHT CONVENANT. Testversie 1.7 voor de tests en het uitgewerkte voorbeeld\n"
        "# in docs/legal-staff.md: zij wijzigt het percentage voor begeleiding maatschappelijke opvang\n"
        "# (5 % → 6 %) en de gewichten van de verdeelsleutel (50/50 → 60/40). Niet om mee af te rekenen.\n"
        "#\n"
        "# Regelbestand: Convenant Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang 2024,\n"
        "# Regio Assen, hypothetische versie 1.7 (afgeleid van versie 1.6 van 8-11-2023).\n",
    ),
    (
        "  title: Convenant Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang 2024\n",
        "  title: Convenant Beschermd Wonen en (Begeleiding) Maatschappelijke Opvang 2024 (HYPOTHETISCHE\n"
        "    TESTVERSIE, geen echt convenant)\n",
    ),
    (
        "    note: OCR-transcriptie van het convenant, versie 1.6 van 8 november 2023.\n",
        "    note: >-\n"
        "      Hypothetische testversie 1.7, afgeleid van de OCR-transcriptie van versie 1.6 van\n"
        "      8 november 2023. Geen echt convenant.\n",
    ),
    (
        "      overhead. Per 1 oktober voorafgaand aan het jaar dat het convenant van kracht is, wordt een\n"
        "      nieuwe begroting overlegd. - Voor begeleiding Maatschappelijke opvang: 5% van de\n",
        "      overhead. Per 1 oktober voorafgaand aan het jaar dat het convenant van kracht is, wordt een\n"
        "      nieuwe begroting overlegd. - Voor begeleiding Maatschappelijke opvang: 6% van de\n",
    ),
    (
        "      verdeelsleutel bestaande uit a. … en b. … Beide parameters tellen voor 50% mee.\n",
        "      verdeelsleutel bestaande uit a. … en b. … Het inwoneraantal telt voor 60% mee, de\n"
        "      uitvoeringskosten voor 40%.\n",
    ),
    (
        "  weging_inwoners:\n    label: Gewicht van het inwoneraantal in de verdeelsleutel\n    value: 50\n",
        "  weging_inwoners:\n    label: Gewicht van het inwoneraantal in de verdeelsleutel\n    value: 60\n",
    ),
    (
        "    label: Gewicht van de uitvoeringskosten per gemeente in de verdeelsleutel\n    value: 50\n",
        "    label: Gewicht van de uitvoeringskosten per gemeente in de verdeelsleutel\n    value: 40\n",
    ),
    (
        "    label: Uitvoeringsbudget begeleiding maatschappelijke opvang, als deel van de rijksuitkering\n"
        "    value: 5\n",
        "    label: Uitvoeringsbudget begeleiding maatschappelijke opvang, als deel van de rijksuitkering\n"
        "    value: 6\n",
    ),
]
