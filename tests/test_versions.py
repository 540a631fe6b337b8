"""Several versions of a covenant side by side: the one in force for the facts' year is used."""

from __future__ import annotations

import json
import shutil

from tests.conftest import ASSEN, RULES, assen_facts, assen_text, write_facts


def rules_dir_with_two_versions(tmp_path):
    rules = tmp_path / "rules"
    (rules / "assen").mkdir(parents=True)
    shutil.copy(RULES / "municipalities.yaml", rules / "municipalities.yaml")
    shutil.copy(ASSEN, rules / "assen" / "2024-v1.6.yaml")
    later = (
        assen_text()
        .replace('version: "1.6"', 'version: "1.7-test"')
        .replace("valid_from: 2024-01-01", "valid_from: 2026-01-01")
        .replace("valid_until: 2025-12-31", "valid_until: 2026-12-31")
        .replace("    value: 5\n    unit: percentage", "    value: 6\n    unit: percentage")
    )
    (rules / "assen" / "2026-v1.7-test.yaml").write_text(later, encoding="utf-8")
    return rules


def test_evaluate_picks_the_version_in_force(run, tmp_path):
    rules = rules_dir_with_two_versions(tmp_path)
    for year, version, budget in (
        (2024, "1.6", "314170.85"),
        (2025, "1.6", "314170.85"),
        (2026, "1.7-test", "377005.02"),
    ):
        data = assen_facts()
        data["year"] = year
        path = write_facts(tmp_path, data, f"facts-{year}.yaml")
        result = run("--rules-dir", str(rules), "evaluate", str(path), "--format", "json")
        assert result.exit_code == 0, result.output
        out = json.loads(result.stdout)
        assert out["covenant"]["version"] == version
        # 6 % × 6.283.417,00 = 377.005,02 under the test version
        assert out["results"]["uitvoeringsbudget_mo"]["value"] == budget


def test_a_year_no_version_covers_lists_every_version_and_its_period(run, tmp_path):
    rules = rules_dir_with_two_versions(tmp_path)
    data = assen_facts()
    data["year"] = 2027
    result = run("--rules-dir", str(rules), "evaluate", str(write_facts(tmp_path, data)))
    assert result.exit_code == 1
    assert "geen versie van convenant ‘assen’ geldt in 2027" in result.stderr
    assert "- versie 1.6 (1 januari 2024 t/m 31 december 2025)" in result.stderr
    assert "- versie 1.7-test (1 januari 2026 t/m 31 december 2026)" in result.stderr
    assert "facts.yaml:3:7" in result.stderr  # points at the year in the fact file


def test_an_explicit_rule_file_must_cover_the_year(run, tmp_path):
    data = assen_facts()
    data["year"] = 2023
    result = run("evaluate", str(write_facts(tmp_path, data)), "--rules", str(ASSEN))
    assert result.exit_code == 1
    assert "geen versie van convenant ‘assen’ geldt in 2023" in result.stderr


def test_an_explicit_rule_file_is_used(run, tmp_path):
    rules = rules_dir_with_two_versions(tmp_path)
    data = assen_facts()
    data["year"] = 2026
    result = run(
        "evaluate",
        str(write_facts(tmp_path, data)),
        "--rules",
        str(rules / "assen" / "2026-v1.7-test.yaml"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["covenant"]["version"] == "1.7-test"
