"""`convenant new-version`: surgical edits, the old period closed, both files valid, nothing
overwritten, nothing half written."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from convenant.check.checking import load_rule_file
from convenant.core.diagnostics import ConvenantError
from convenant.workflow import newversion
from tests.conftest import ASSEN, assen_text
from tests.workflow import _default_rules_dir, assen_version, rules_copy

__all__ = ["_default_rules_dir"]

ARGS = ("--version", "1.7", "--valid-from", "2025-01-01", "--version-date", "2024-11-15")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b), "lines were added or removed"
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_new_version_changes_four_values_and_keeps_everything_else(run, tmp_path, monkeypatch):
    rules = rules_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("new-version", "rules/assen/2024-v1.6.yaml", *ARGS)
    assert result.exit_code == 0, result.output
    new = (rules / "assen" / "2025-v1.7.yaml").read_text(encoding="utf-8")
    # valid_until stays 31 December 2025: the new version takes over the rest of the old period
    assert changed_lines(assen_text(), new) == [
        ('  version: "1.6"\n', '  version: "1.7"\n'),
        ("  version_date: 2023-11-08\n", "  version_date: 2024-11-15\n"),
        ("  valid_from: 2024-01-01\n", "  valid_from: 2025-01-01\n"),
    ]
    old = (rules / "assen" / "2024-v1.6.yaml").read_text(encoding="utf-8")
    assert changed_lines(assen_text(), old) == [
        ("  valid_until: 2025-12-31\n", "  valid_until: 2024-12-31\n")
    ]
    assert "Oude versie afgesloten: rules/assen/2024-v1.6.yaml geldt nu t/m 31 december 2024" in result.stdout
    assert "noemen nog versie 1.6: regel 4" in result.stdout  # the header comment, for staff to check
    assert "convenant diff rules/assen/2024-v1.6.yaml rules/assen/2025-v1.7.yaml" in result.stdout
    assert run("validate", "rules").exit_code == 0


def test_the_new_version_inherits_the_old_end_unless_given(tmp_path):
    rules = rules_copy(tmp_path)
    old = rules / "assen" / "2024-v1.6.yaml"
    plan = newversion.plan(old, "1.7", _d("2025-07-01"), version_date=_d("2025-06-01"))
    assert (plan.new.covenant.valid_from, plan.new.covenant.valid_until) == (
        _d("2025-07-01"),
        _d("2025-12-31"),
    )
    assert plan.closed.covenant.valid_until == _d("2025-06-30")
    assert plan.new_path == rules / "assen" / "2025-v1.7.yaml"
    plan = newversion.plan(old, "2.0", _d("2025-01-01"), _d("2030-12-31"), _d("2024-12-01"))
    assert plan.new.covenant.valid_until == _d("2030-12-31")
    assert not plan.new_path.exists() and old.read_text() == ASSEN.read_text()  # a plan writes nothing


def test_an_old_version_that_ended_already_is_left_alone(run, tmp_path):
    rules = rules_copy(tmp_path)
    result = run(
        "new-version",
        str(rules / "assen" / "2024-v1.6.yaml"),
        "--version",
        "2.0",
        "--valid-from",
        "2026-03-01",
        "--valid-until",
        "2026-12-31",
    )
    assert result.exit_code == 0, result.output
    assert (rules / "assen" / "2024-v1.6.yaml").read_text() == ASSEN.read_text()
    assert "Oude versie ongewijzigd" in result.stdout
    assert "van 1 januari 2026 t/m 28 februari 2026 geldt geen versie" in result.stdout


def test_an_existing_file_is_never_overwritten(run, tmp_path):
    rules = rules_copy(tmp_path)
    target = rules / "assen" / "2025-v1.7.yaml"
    target.write_text("mijn werk\n")
    result = run("new-version", str(rules / "assen" / "2024-v1.6.yaml"), *ARGS)
    assert result.exit_code == 1
    assert "bestaat al" in result.stderr and "nooit overschreven" in result.stderr
    assert target.read_text() == "mijn werk\n"
    assert (rules / "assen" / "2024-v1.6.yaml").read_text() == ASSEN.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--version", "1.6", "--valid-from", "2025-01-01"],
            "versie 1.6 is de versie van dit regelbestand al",
        ),
        (["--version", "1.7", "--valid-from", "2024-01-01"], "niet na het begin van versie 1.6"),
        (
            ["--version", "1.7", "--valid-from", "2026-01-01"],
            "versie 1.6 eindigt al op 31 december 2025, vóór de nieuwe versie begint",
        ),
        (
            ["--version", "1.7", "--valid-from", "2025-01-01", "--valid-until", "2024-12-31"],
            "de nieuwe versie zou eindigen (31 december 2024) vóór zij begint (1 januari 2025)",
        ),
        (
            ["--version", "1.7", "--valid-from", "2025-01-01", "--out", "nergens/x.yaml"],
            "de map nergens bestaat",
        ),
    ],
)
def test_requests_that_are_refused(run, tmp_path, monkeypatch, args, message):
    rules = rules_copy(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run("new-version", "rules/assen/2024-v1.6.yaml", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert sorted(p.name for p in (rules / "assen").iterdir()) == ["2024-v1.6.yaml"]


def test_nothing_is_written_when_the_new_period_would_overlap_another_version(run, tmp_path):
    rules = rules_copy(tmp_path)
    assen_version(rules, "2.0", "2026-01-01", "2026-12-31")
    result = run(
        "new-version",
        str(rules / "assen" / "2024-v1.6.yaml"),
        "--version",
        "1.7",
        "--valid-from",
        "2025-01-01",
        "--valid-until",
        "2026-06-30",
    )
    assert result.exit_code == 1
    assert "er is niets geschreven" in result.stderr
    assert "overlappen: versie 1.7" in result.stderr and "versie 2.0" in result.stderr
    assert not (rules / "assen" / "2025-v1.7.yaml").exists()
    assert (rules / "assen" / "2024-v1.6.yaml").read_text() == ASSEN.read_text()


def test_if_closing_the_old_file_fails_the_new_file_is_removed(tmp_path, monkeypatch):
    rules = rules_copy(tmp_path)
    old = rules / "assen" / "2024-v1.6.yaml"
    plan = newversion.plan(old, "1.7", _d("2025-01-01"), version_date=_d("2024-11-15"))

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("schijf vol")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(ConvenantError) as raised:  # a message naming the folder, not a traceback
        newversion.write(plan)
    assert raised.value.problems[0].code == "output.cannot_write"
    assert sorted(p.name for p in (rules / "assen").iterdir()) == ["2024-v1.6.yaml"]
    assert old.read_text() == ASSEN.read_text()


def test_a_new_file_in_another_folder_points_at_the_same_schema(run, tmp_path):
    rules = rules_copy(tmp_path)
    (tmp_path / "concept" / "diep").mkdir(parents=True)
    out = tmp_path / "concept" / "diep" / "assen-1.7.yaml"
    result = run("new-version", str(rules / "assen" / "2024-v1.6.yaml"), *ARGS, "--out", str(out))
    assert result.exit_code == 0, result.output
    first = out.read_text().splitlines()[0]
    schema = first.split("$schema=", 1)[1]
    assert (out.parent / schema).resolve().name == "rule-file.schema.json"
    assert (out.parent / schema).resolve().is_file()
    assert load_rule_file(out).covenant.version == "1.7"


def test_file_mode_is_kept(tmp_path):
    rules = rules_copy(tmp_path)
    old = rules / "assen" / "2024-v1.6.yaml"
    old.chmod(0o640)
    plan = newversion.plan(old, "1.7", _d("2025-01-01"), version_date=_d("2024-11-15"))
    newversion.write(plan)
    assert old.stat().st_mode & 0o777 == 0o640
    assert plan.new_path.stat().st_mode & 0o777 == 0o640


def _d(text: str) -> date:
    return date.fromisoformat(text)


def test_default_path_is_the_rules_naming_convention():
    assert newversion.default_path(Path("r/assen/2024-v1.6.yaml"), "1.7 concept", _d("2025-01-01")) == Path(
        "r/assen/2025-v1.7-concept.yaml"
    )
