"""The worked example of docs/legal-staff.md, end to end: a HYPOTHETICAL Assen version 1.7 (a test
fixture, not a real covenant) that changes the MO percentage (5 % → 6 %) and the key weights
(50/50 → 60/40), followed through new-version, diff, diff --facts, verify, versions and evaluate.

The outputs are compared with snapshots in tests/snapshots/assen-1.7/ (refresh them, after
checking the difference by eye, with CONVENANT_UPDATE_SNAPSHOTS=1), and the guide must show them.
"""

from __future__ import annotations

import json
import os
import shutil
from fractions import Fraction
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT
from tests.conftest import ASSEN_FACTS, assen_facts, write_facts
from tests.workflow import ASSEN_17, ASSEN_17_EDITS, SNAPSHOTS, _default_rules_dir, rules_copy

__all__ = ["_default_rules_dir"]

GUIDE = REPO_ROOT / "docs" / "legal-staff.md"
OLD, NEW = "rules/assen/2024-v1.6.yaml", "rules/assen/2025-v1.7.yaml"


@pytest.fixture
def practice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The practice folder of the guide: a copy of rules/ and the example facts; we work inside it."""
    rules_copy(tmp_path)
    (tmp_path / "examples").mkdir()
    shutil.copy(ASSEN_FACTS, tmp_path / "examples" / "assen-2024.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(name: str, text: str) -> str:
    path = SNAPSHOTS / "assen-1.7" / name
    if os.environ.get("CONVENANT_UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its snapshot"
    return text


def make_version_17(run) -> str:
    """new-version, then the edits legal staff make by hand; returns what new-version said."""
    result = run(
        "new-version", OLD, "--version", "1.7", "--valid-from", "2025-01-01", "--version-date", "2024-11-15"
    )
    assert result.exit_code == 0, result.output
    path = Path(NEW)
    text = path.read_text(encoding="utf-8")
    for old, new in ASSEN_17_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return result.stdout


def test_new_version_plus_the_edits_is_the_fixture(run, practice):
    snapshot("new-version.txt", make_version_17(run))
    made = Path(NEW).read_text(encoding="utf-8").splitlines()
    fixture = ASSEN_17.read_text(encoding="utf-8").splitlines()
    assert made[1:] == fixture[1:]  # the first line points at the schema from each file's own folder
    assert "HYPOTHETISCH — GEEN ECHT CONVENANT" in fixture[2]
    assert run("validate", "rules").exit_code == 0


def test_diff_of_the_worked_example(run, practice):
    make_version_17(run)
    result = run("diff", OLD, NEW)
    assert result.exit_code == 0, result.output
    text = snapshot("diff.txt", result.stdout)
    assert (
        "Artikel 8, derde lid: het percentage „Uitvoeringsbudget begeleiding maatschappelijke opvang, als "
        "deel "
        "van de rijksuitkering” is gewijzigd van 5 % naar 6 %."
    ) in text
    weight = "„Gewicht van het inwoneraantal in de verdeelsleutel” is gewijzigd van 50 % naar 60 %."
    assert f"Artikel 8, vijfde lid: het percentage {weight}" in text
    assert "1 januari 2024 t/m 31 december 2024 naar 1 januari 2025 t/m 31 december 2025" in text


def test_diff_with_facts_of_the_worked_example(run, practice):
    make_version_17(run)
    result = run("diff", OLD, NEW, "--facts", "examples/assen-2024.yaml")
    assert result.exit_code == 0, result.output
    text = snapshot("diff-facts.txt", result.stdout)
    assert "2024 valt buiten de looptijd van de nieuwe versie 1.7" in text
    data = json.loads(run("diff", OLD, NEW, "--facts", "examples/assen-2024.yaml", "--format", "json").stdout)
    effect = data["effect"]
    # MO: 6 % × € 6.283.417,00 = € 377.005,02 instead of 5 % = € 314.170,85: € 62.834,17 more
    assert effect["region"]["uitvoeringsbudget_mo"]["difference"] == "62834.17"
    # resultaat_mo = rijksuitkering − uitvoeringsbudget − uitgaven = 6.283.417,00 − 377.005,02 − 6.100.000,00
    assert effect["region"]["resultaat_mo"]["new"] == "-193588.02"
    assen = effect["municipalities"]["aandeel_resultaat_bw"]["values"]["GM0106"]
    assert (assen["old"], assen["new"]) == ("130978.10", assen_share_60_40())
    shares = effect["municipalities"]["aandeel_resultaat_bw"]["values"].values()
    assert sum(Fraction(v["difference"]) for v in shares) == 0  # the same result, only divided otherwise


def assen_share_60_40() -> str:
    """Assen's share of the BW result under the 60/40 key, worked independently of the engine.

    inwoners: Σ = 25812 + 69535 + 56042 + 35018 + 33797 + 32891 + 34815 + 20106 + 24623 = 332639
    uitvoeringskosten: Σ = 35.950.123,45; Assen 12.874.310,55
    key = 60 % × 69535/332639 + 40 % × 12874310.55/35950123.45 ≈ 0,125425 + 0,143246 ≈ 0,268671
    resultaat_bw = 38.412.000,00 − 35.950.123,45 − 1.850.000,00 − 150.000,00 = 461.876,55
    exact share = 461.876,55 × key ≈ 124.092,66; largest remainder gives the floor or the cent above
    """
    key = Fraction(6, 10) * Fraction(69535, 332639) + Fraction(4, 10) * Fraction("12874310.55") / Fraction(
        "35950123.45"
    )
    exact_cents = Fraction("461876.55") * 100 * key
    assert 12409265 < exact_cents < 12409267
    return "124092.66"


def test_verify_of_the_worked_example(run, practice):
    make_version_17(run)
    result = run("verify", NEW)
    assert result.exit_code == 0, result.output
    title, text = result.stdout.split("\n", 1)
    assert title.startswith(
        "Bewijzen voor rules/assen/2025-v1.7.yaml (convenant assen, versie 1.7), met sympy"
    )
    snapshot("verify.txt", text)  # without the title, which names the sympy version
    assert "Σ_c w_c = 60 % + 40 % = 1" in text


def test_versions_and_evaluate_pick_version_17_for_2025(run, practice):
    make_version_17(run)
    result = run("--rules-dir", "rules", "versions", "assen", "--on", "2025-06-01")
    assert "1.6" in result.stdout and "vervallen" in result.stdout and "in werking" in result.stdout
    data = assen_facts()
    data["year"] = 2025
    facts = write_facts(practice / "examples", data, "assen-2025.yaml")
    out = json.loads(run("--rules-dir", "rules", "evaluate", str(facts), "--format", "json").stdout)
    assert out["covenant"]["version"] == "1.7"
    assert out["results"]["uitvoeringsbudget_mo"]["value"] == "377005.02"  # 6 % × 6.283.417,00
    assert out["municipalities"]["GM0106"]["results"]["aandeel_resultaat_bw"]["value"] == assen_share_60_40()
    old = json.loads(
        run("--rules-dir", "rules", "evaluate", "examples/assen-2024.yaml", "--format", "json").stdout
    )
    assert old["covenant"]["version"] == "1.6"


@pytest.mark.parametrize("name", ["new-version.txt", "diff.txt", "diff-facts.txt", "verify.txt"])
def test_the_guide_shows_the_outputs_of_the_worked_example(name):
    shown = (SNAPSHOTS / "assen-1.7" / name).read_text(encoding="utf-8").replace("\xa0", " ")
    guide = GUIDE.read_text(encoding="utf-8").replace("\xa0", " ")
    assert shown in guide, f"docs/legal-staff.md does not show tests/snapshots/assen-1.7/{name} verbatim"
