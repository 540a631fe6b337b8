"""`convenant letters` remembers a passed template check on disk (template_check, `disk=True`):
a later command with the same rule file, tables, templates and engine does not render every
template again; any change to them, or another engine, checks again; `convenant validate` never
relies on it; a cache folder that cannot be written is no error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from convenant.check import municipalities, tables
from convenant.check.checking import load_rule_file
from convenant.core import identity
from convenant.letters import template_check
from tests.paths import REPO_ROOT

ASSEN = Path("rules/assen/2024-v1.6.yaml")
TEMPLATE = Path("rules/assen/2024-v1.6.templates/resultaat_mo.j2")
TABLE = Path("rules/municipalities.yaml")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped rules as the working directory, with a cache folder of its own; the
    check itself is counted, not run (rendering takes seconds; what is remembered does not depend
    on it), and nothing is remembered in this process between calls."""
    shutil.copytree(REPO_ROOT / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CONVENANT_RULES_DIR", str(tmp_path / "rules"))
    return tmp_path


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []
    monkeypatch.setattr(template_check, "_check", lambda rules: done.append(rules.sha256))
    return done


def command(disk: bool = True) -> None:
    """What one new process does: load the rule file and check its templates."""
    template_check._passed.clear()
    municipalities.forget()  # a new process reads the tables again
    tables.forget()
    template_check.check_templates(load_rule_file(ASSEN), disk=disk)


def markers(here: Path) -> list[Path]:
    folder = here / "cache" / "convenant" / "templates"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_second_command_with_nothing_changed_does_not_check_again(here, checks):
    command()
    assert len(checks) == 1 and len(markers(here)) == 1
    command()
    assert len(checks) == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda: TEMPLATE.write_text(TEMPLATE.read_text(encoding="utf-8") + " ", encoding="utf-8"),
        lambda: (TEMPLATE.parent / "nieuw.j2").write_text("x", encoding="utf-8"),
        lambda: ASSEN.write_text(ASSEN.read_text(encoding="utf-8") + "\n# opmerking\n", encoding="utf-8"),
        lambda: TABLE.write_text(TABLE.read_text(encoding="utf-8") + "\n# opmerking\n", encoding="utf-8"),
    ],
    ids=["a template changed", "a template added", "the rule file", "the municipalities table"],
)
def test_any_change_to_what_the_check_read_checks_again(here, checks, change):
    command()
    change()
    command()
    assert len(checks) == 2 and len(markers(here)) == 2


def test_another_engine_checks_again(here, checks, monkeypatch):
    command()
    monkeypatch.setattr(identity, "engine_identity", lambda: "another engine")
    command()
    assert len(checks) == 2


def test_without_disk_every_process_checks(here, checks):
    command()
    command(disk=False)  # convenant validate: its full check is full
    assert len(checks) == 2


def test_a_failed_check_is_not_remembered(here, monkeypatch):
    def fails(rules):
        raise RuntimeError("a template fault")

    monkeypatch.setattr(template_check, "_check", fails)
    with pytest.raises(RuntimeError):
        command()
    assert markers(here) == []


def test_a_cache_folder_that_cannot_be_written_only_checks_again(here, checks):
    (here / "cache").write_text("a file where the folder should be", encoding="utf-8")
    command()
    command()
    assert len(checks) == 2
