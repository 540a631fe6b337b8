"""`convenant versions` and the refusal of overlapping periods by `convenant validate`."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.conftest import ASSEN
from tests.workflow import _default_rules_dir, assen_version, rules_copy

__all__ = ["_default_rules_dir"]


@pytest.mark.parametrize(
    ("on", "status"),
    [
        ("2023-12-31", "toekomstig"),
        ("2024-01-01", "in werking"),  # the first day counts
        ("2025-12-31", "in werking"),  # and so does the last
        ("2026-01-01", "vervallen"),
    ],
)
def test_the_status_of_the_shipped_version_on_a_date(run, on, status):
    result = run("versions", "assen", "--on", on)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if line.strip().startswith("1.6"))
    assert row.split()[1:4] == ["8", "november", "2023"]
    assert "1 januari 2024 t/m 31 december 2025" in row
    assert status in row
    assert "rules/assen/2024-v1.6.yaml" in row


def test_versions_in_order_with_their_status(run, tmp_path):
    rules = rules_copy(tmp_path)
    assen_version(rules, "2.0", "2026-01-01", "2027-12-31")
    result = run("--rules-dir", str(rules), "versions", "assen", "--on", "2026-03-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["on"] == "2026-03-01"
    assert [(v["version"], v["status"]) for v in data["versions"]] == [
        ("1.6", "vervallen"),
        ("2.0", "in_werking"),
    ]
    assert data["versions"][1]["valid_from"] == "2026-01-01"
    assert data["overlaps"] == []


def test_the_reference_date_defaults_to_today(run):
    data = json.loads(run("versions", "assen", "--format", "json").stdout)
    assert data["on"] == date.today().isoformat()


def test_the_listing_warns_of_overlapping_versions(run, tmp_path):
    rules = rules_copy(tmp_path)
    assen_version(rules, "1.7", "2025-01-01", "2025-12-31")
    result = run("--rules-dir", str(rules), "versions", "assen", "--on", "2025-03-01")
    assert result.stdout.count("in werking") == 2
    assert "de looptijden van versie 1.6 en versie 1.7 overlappen" in result.stdout


def test_versions_in_english(run):
    result = run("--lang", "en", "versions", "assen", "--on", "2024-06-01")
    assert "1 January 2024 to 31 December 2025" in result.stdout
    assert "in force" in result.stdout


def test_an_unknown_covenant(run):
    result = run("versions", "utrecht")
    assert result.exit_code == 1
    assert "er is geen regelbestand voor convenant ‘utrecht’" in result.stderr
    assert "bekende convenanten: assen" in result.stderr


def test_validate_refuses_overlapping_versions_naming_both_files(run, tmp_path, monkeypatch):
    rules = rules_copy(tmp_path)
    assen_version(rules, "1.7", "2025-01-01", "2025-12-31")
    monkeypatch.chdir(tmp_path)
    result = run("validate", "rules")
    assert result.exit_code == 1
    assert "✗ rules/assen/2024-v1.6.yaml" in result.stdout
    assert "✗ rules/assen/2025-v1.7.yaml" in result.stdout
    assert result.stderr.count("fout: de looptijden van twee versies van convenant ‘assen’ overlappen") == 1
    assert "versie 1.6 (rules/assen/2024-v1.6.yaml: 1 januari 2024 t/m 31 december 2025)" in result.stderr
    assert "versie 1.7 (rules/assen/2025-v1.7.yaml: 1 januari 2025 t/m 31 december 2025)" in result.stderr
    assert "--> rules/assen/2025-v1.7.yaml:21:15" in result.stderr  # the later version's valid_from
    assert "= eerder: rules/assen/2024-v1.6.yaml:22:16" in result.stderr  # the earlier one's valid_until
    assert "valid_until: 2024-12-31 in rules/assen/2024-v1.6.yaml" in result.stderr


def test_validating_one_file_compares_it_with_the_other_versions_in_its_directory(run, tmp_path):
    rules = rules_copy(tmp_path)
    later = assen_version(rules, "1.7", "2025-06-01", "2026-12-31")
    result = run("validate", str(later))
    assert result.exit_code == 1
    assert "2024-v1.6.yaml" in result.stderr and "2025-v1.7.yaml" in result.stderr
    assert "valid_until: 2025-05-31" in result.stderr


def test_adjacent_periods_pass(run, tmp_path):
    rules = rules_copy(tmp_path)
    assen_version(rules, "2.0", "2026-01-01", "2026-12-31")
    result = run("validate", str(rules))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("✓") == 3


def test_other_covenants_and_files_outside_a_rules_directory_are_not_compared(run, tmp_path):
    rules = rules_copy(tmp_path)
    other = (rules / "assen" / "2024-v1.6.yaml").read_text().replace("id: assen", "id: assen-proef")
    (rules / "assen" / "proef.yaml").write_text(other)
    alone = tmp_path / "los.yaml"
    alone.write_text(ASSEN.read_text())
    assert run("validate", str(rules)).exit_code == 0
    assert run("validate", str(alone)).exit_code == 0


@pytest.mark.parametrize("command", ["versions", "new-version", "diff", "verify"])
def test_help_of_the_workflow_commands(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["new-version", str(ASSEN), "--valid-from", "2025-01-01"],  # --version is required
        ["new-version", str(ASSEN), "--version", "1.7", "--valid-from", "1 januari 2025"],
        ["versions", "assen", "--on", "morgen"],
        ["diff", str(ASSEN)],
        ["verify", str(ASSEN), "--format", "xml"],
    ],
)
def test_usage_errors_of_the_workflow_commands_exit_2(run, args):
    assert run(*args).exit_code == 2
