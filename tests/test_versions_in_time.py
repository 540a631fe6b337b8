"""Versions in time (DOMAIN.md): a settlement year two versions share is refused with a message that
names both and how to choose (`--rules`), never called an overlap; a year evaluated under a version
that covers only part of it carries a warning in every output; a real overlap is still an overlap.

The workspace is made once as legal staff would: `convenant init`, then `convenant new-version
--valid-from 2025-07-01` on Assen 1.6, which closes 1.6 on 30 June 2025. Every file is in tmp_path.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from convenant.check import registry
from convenant.cli.cli import cli
from convenant.core.citation import Citation
from convenant.core.dates import Period
from convenant.language.model import Covenant
from tests.conftest import assen_facts, write_facts
from tests.explain_support import letter_text
from tests.paths import REPO_ROOT
from tests.workflow import _default_rules_dir, assen_version, rules_copy

__all__ = ["_default_rules_dir"]

# what every output says of 1.7 under 2025 (report.part_of_year), and of 1.6 under 2025
PART_17 = "Versie 1.7 van dit convenant geldt in 2025 alleen van 1 juli 2025 t/m 31 december 2025"
PART_16 = "Versie 1.6 van dit convenant geldt in 2025 alleen van 1 januari 2025 t/m 30 juni 2025"
WHOLE_YEAR = "heel 2025 is met deze versie doorgerekend"
CHECK = "convenant versions assen toont elke versie met haar looptijd"
BATCH_17 = "looptijd: versie 1.7 geldt in 2025 alleen van 1 juli 2025 t/m 31 december 2025"


def _cli(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with Assen 1.6 (to 30 June 2025) and 1.7 (from 1 July 2025), and fact files."""
    root = tmp_path_factory.mktemp("vtime") / "w"
    assert _cli("init", str(root)).exit_code == 0
    made = _cli(
        "--rules-dir",
        str(root / "rules"),
        "new-version",
        str(root / "rules" / "assen" / "2024-v1.6.yaml"),
        "--version",
        "1.7",
        "--valid-from",
        "2025-07-01",
        "--version-date",
        "2025-06-01",
    )
    assert made.exit_code == 0, made.output
    assert "2025 valt nu onder beide versies" in made.stdout  # new-version says what it did to 2025
    for year in (2024, 2025):
        data = assen_facts()
        data["year"] = year
        write_facts(root, data, f"facts-{year}.yaml")
    return root


def _in(workspace: Path, *args: str, lang: str = "nl") -> object:
    return _cli("--lang", lang, "--rules-dir", str(workspace / "rules"), *args)


def v17(workspace: Path) -> str:
    return str(workspace / "rules" / "assen" / "2025-v1.7.yaml")


# --- a year two versions share --------------------------------------------------------------


def test_new_version_mid_year_validates_and_2025_is_refused_as_shared_not_as_overlapping(workspace):
    validated = _in(workspace, "validate", str(workspace / "rules" / "assen"))
    assert validated.exit_code == 0, validated.output
    assert "assen 1.6 (2024-01-01 – 2025-06-30): in orde" in validated.stdout
    assert "assen 1.7 (2025-07-01 – 2025-12-31): in orde" in validated.stdout

    result = _in(workspace, "evaluate", str(workspace / "facts-2025.yaml"))
    assert result.exit_code == 1
    err = result.stderr
    assert (
        "fout: in 2025 gelden de versies 1.6 en 1.7 van convenant ‘assen’ na elkaar, elk voor een deel "
        "van het jaar; hun looptijden overlappen niet" in err
    )
    assert "- versie 1.6 (1 januari 2024 t/m 30 juni 2025): " in err
    assert "- versie 1.7 (1 juli 2025 t/m 31 december 2025): " in err
    assert "geef het regelbestand met --rules BESTAND, bijvoorbeeld --rules " in err
    assert "rules/assen/2025-v1.7.yaml" in err
    assert "facts-2025.yaml:3:7" in err  # points at the year in the fact file
    assert "= artikel: artikel 10, tweede lid" in err
    # never the overlap message or its advice
    assert "meer dan één versie" not in err and "elkaar niet overlappen" not in err


def test_the_shared_year_in_english(workspace):
    result = _in(workspace, "evaluate", str(workspace / "facts-2025.yaml"), lang="en")
    assert result.exit_code == 1
    assert (
        "error: in 2025 the versions 1.6 and 1.7 of covenant ‘assen’ are in force one after the other, "
        "each for part of the year; their periods do not overlap" in result.stderr
    )
    assert "give its rule file with --rules FILE" in result.stderr
    assert "- version 1.6 (1 January 2024 to 30 June 2025)" in result.stderr


def test_every_command_that_picks_the_version_refuses_the_shared_year_alike(workspace):
    for args in (
        ("explain", str(workspace / "facts-2025.yaml")),
        ("validate", str(workspace / "facts-2025.yaml")),
        ("deadlines", "assen", "2025"),
    ):
        result = _in(workspace, *args)
        assert result.exit_code == 1, args
        assert "in 2025 gelden de versies 1.6 en 1.7 van convenant ‘assen’ na elkaar" in result.stderr, args


def test_the_years_each_version_covers_whole_are_evaluated_without_a_choice(workspace):
    result = _in(workspace, "evaluate", str(workspace / "facts-2024.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["covenant"]["version"] == "1.6"
    assert out["validity"]["part_of_year"] is None
    assert out["warnings"] == []


def test_versions_names_the_shared_year(workspace):
    result = _in(workspace, "versions", "assen", "--on", "2025-03-01")
    assert (
        "Let op: 2025 valt onder versie 1.6 (t/m 30 juni 2025) en versie 1.7 (vanaf 1 juli 2025); kies bij "
        "het doorrekenen van 2025 de versie met --rules BESTAND." in result.stdout
    )
    assert "overlappen" not in result.stdout
    listed = json.loads(_in(workspace, "versions", "assen", "--format", "json").stdout)
    assert listed["split_years"] == [{"year": 2025, "versions": ["1.6", "1.7"]}]
    assert listed["overlaps"] == []


# --- a version that covers part of the year, chosen with --rules: a warning in every output --------


def test_evaluate_table_and_json_warn(workspace):
    table = _in(workspace, "evaluate", str(workspace / "facts-2025.yaml"), "--rules", v17(workspace))
    assert table.exit_code == 0, table.output
    assert "Looptijd: 1 juli 2025 t/m 31 december 2025 (artikel 10, tweede lid): 2025 valt er maar deels" in (
        table.stdout
    )
    warnings = table.stdout[table.stdout.index("\nWaarschuwingen\n") :]
    assert (
        f"  {PART_17}; {WHOLE_YEAR}. Controleer of 2025 met deze versie moet worden afgerekend; {CHECK}."
        in (warnings)
    )
    assert "(art. 10.2)" in warnings.splitlines()[2]

    data = json.loads(
        _in(
            workspace,
            "evaluate",
            str(workspace / "facts-2025.yaml"),
            "--rules",
            v17(workspace),
            "--format",
            "json",
        ).stdout
    )
    assert data["validity"]["part_of_year"] == {"from": "2025-07-01", "until": "2025-12-31"}
    first = data["warnings"][0]
    assert first["rule"] is None and first["municipality"] is None
    assert first["message"].startswith(PART_17)
    assert (first["citation"]["artikel"], first["citation"]["lid"]) == (10, 2)


def test_the_earlier_version_chosen_for_the_shared_year_warns_of_its_part(workspace):
    older = str(workspace / "rules" / "assen" / "2024-v1.6.yaml")
    result = _in(workspace, "evaluate", str(workspace / "facts-2025.yaml"), "--rules", older)
    assert result.exit_code == 0, result.output
    assert PART_16 in result.stdout


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_explain_warns(workspace, fmt):
    result = _in(
        workspace, "explain", str(workspace / "facts-2025.yaml"), "--rules", v17(workspace), "--format", fmt
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert f"Waarschuwing: {PART_17}; {WHOLE_YEAR}." in text
    assert CHECK in text  # standalone: what to check is said too
    assert text.index(PART_17) < text.index("Uitvoeringsbudget begeleiding")  # at the top, before any result


def test_every_letter_in_every_format_warns(workspace, tmp_path):
    out = tmp_path / "brieven"
    facts = str(workspace / "facts-2025.yaml")
    result = _in(workspace, "letters", facts, "--rules", v17(workspace), "--out", str(out))
    assert result.exit_code == 0, result.output
    letters = sorted(p for p in out.iterdir() if p.suffix in (".md", ".html", ".pdf", ".docx"))
    annexes = [p for p in letters if p.name.endswith(".toelichting.md")]
    letters = [p for p in letters if p not in annexes]
    assert len(letters) == 4 * 9 and len(annexes) == 9  # one letter per party (nine), four formats
    for path in letters:
        text = letter_text(path)
        # in the letter itself, before the annex; the full explanation is its digital annex
        assert text.count(f"{PART_17}; {WHOLE_YEAR}.") == 1, path.name
        assert text.index(PART_17) < text.index("Bijlage 1 — Berekening"), path.name
        assert CHECK not in text, path.name  # a letter does not tell its reader to run a command
        assert "Regelbestand 2025-v1.7.yaml" in text, path.name  # the version it was made with, by hash
    for path in annexes:
        assert f"Waarschuwing: {PART_17}; {WHOLE_YEAR}." in letter_text(path), path.name


def test_batch_warns_in_the_column_and_on_stderr(workspace, tmp_path):
    source = workspace / "examples" / "assen-2024-scenarios.csv"
    rows = list(csv.reader(source.open(encoding="utf-8")))
    year = rows[0].index("jaar")
    scenarios = tmp_path / "s.csv"
    with scenarios.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(rows[0])
        for row in rows[1:]:
            writer.writerow([*row[:year], "2025", *row[year + 1 :]])
    out = tmp_path / "uitkomsten.csv"
    result = _in(workspace, "batch", v17(workspace), str(scenarios), "--out", str(out))
    assert result.exit_code == 0, result.output
    found = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(found) == len(rows) - 1
    for row in found:
        assert row["status"] == "ok"
        assert row["waarschuwingen"].split("; ")[0] == BATCH_17
    assert f"waarschuwing: {PART_17}; {WHOLE_YEAR}." in result.stderr


def test_batch_of_a_whole_year_has_no_period_warning(workspace, tmp_path):
    out = tmp_path / "uitkomsten.csv"
    rules = str(workspace / "rules" / "assen" / "2024-v1.6.yaml")
    source = str(workspace / "examples" / "assen-2024-scenarios.csv")
    result = _in(workspace, "batch", rules, source, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert all("looptijd" not in row["waarschuwingen"] for row in csv.DictReader(out.open(encoding="utf-8")))
    assert "waarschuwing" not in result.stderr


def test_the_only_version_in_force_on_part_of_the_year_is_used_with_the_warning(run, tmp_path):
    rules = rules_copy(tmp_path)
    old = rules / "assen" / "2024-v1.6.yaml"
    old.write_text(
        old.read_text(encoding="utf-8").replace("valid_until: 2025-12-31", "valid_until: 2025-06-30")
    )
    data = assen_facts()
    data["year"] = 2025
    result = run("--rules-dir", str(rules), "evaluate", str(write_facts(tmp_path, data)))
    assert result.exit_code == 0, result.output
    assert f"  {PART_16}; {WHOLE_YEAR}." in result.stdout


def test_validate_with_rules_passes_the_facts_with_a_warning(workspace):
    result = _in(workspace, "validate", str(workspace / "facts-2025.yaml"), "--rules", v17(workspace))
    assert result.exit_code == 0, result.output
    assert "feitenbestand assen 2025 → 1.7: in orde" in result.stdout
    warned = "waarschuwing: versie 1.7 van convenant ‘assen’ geldt in 2025 alleen van 1 juli 2025 t/m "
    assert warned + "31 december 2025" in result.stderr
    assert "0 fouten, 1 waarschuwing." in result.stderr


def test_deadlines_with_rules_warn(workspace):
    table = _in(workspace, "deadlines", "assen", "2025", "--rules", v17(workspace))
    assert table.exit_code == 0, table.output
    assert PART_17 in table.stdout
    data = json.loads(
        _in(workspace, "deadlines", "assen", "2025", "--rules", v17(workspace), "--format", "json").stdout
    )
    assert data["warnings"][0]["message"].startswith(PART_17)
    other = _in(workspace, "deadlines", "groningen", "2025", "--rules", v17(workspace))
    assert other.exit_code == 1
    assert (
        "het regelbestand" in other.stderr
        and "is voor convenant ‘assen’, niet voor ‘groningen’" in other.stderr
    )


# --- a year fully inside one version: no warning anywhere ---------------------------------------


def test_a_year_inside_one_version_has_no_period_warning(workspace, tmp_path):
    facts = str(workspace / "facts-2024.yaml")
    table = _in(workspace, "evaluate", facts)
    assert table.exit_code == 0, table.output
    assert "2024 valt erbinnen" in table.stdout
    assert "maar deels binnen" not in table.stdout and "alleen van" not in table.stdout
    explained = _in(workspace, "explain", facts).stdout
    assert "alleen van" not in explained
    out = tmp_path / "brieven"
    assert _in(workspace, "letters", facts, "--out", str(out), "--format", "md").exit_code == 0
    for path in out.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert "alleen van" not in text and "--rules" not in text, path.name


# --- a real overlap is still an overlap ----------------------------------------------------------


def test_a_real_overlap_keeps_its_overlap_message(run, tmp_path):
    rules = rules_copy(tmp_path)
    assen_version(rules, "1.7", "2025-07-01", "2025-12-31")  # 1.6 still runs to 31 December 2025
    data = assen_facts()
    data["year"] = 2025
    result = run("--rules-dir", str(rules), "evaluate", str(write_facts(tmp_path, data)))
    assert result.exit_code == 1
    assert "meer dan één versie van convenant ‘assen’ geldt in 2025" in result.stderr
    assert "maak de looptijden zo dat ze elkaar niet overlappen" in result.stderr
    assert "na elkaar" not in result.stderr
    validated = run("validate", str(rules))
    assert validated.exit_code == 1
    assert "de looptijden van twee versies van convenant ‘assen’ overlappen" in validated.stderr


# --- the days of a year a version covers ---------------------------------------------------------


def _covenant(start: date, end: date) -> Covenant:
    return Covenant("x", "X", None, "1", start, start, end, Citation(10), None, None, None)


@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(0, 2000),
    st.integers(2019, 2032),
)
def test_part_of_year_is_the_covered_days_of_the_year_or_none(start, length, year):
    end = date.fromordinal(start.toordinal() + length)
    part = registry.part_of_year(_covenant(start, end), year)
    first, last = date(year, 1, 1), date(year, 12, 31)
    if end < first or start > last or (start <= first and end >= last):
        assert part is None  # not covered at all, or covered whole: nothing to warn of
    else:
        assert part == Period(max(start, first), min(end, last))
        assert (part.start, part.end) != (first, last)


def test_the_legal_staff_guide_shows_the_message_as_the_program_says_it(workspace, monkeypatch):
    """docs/legal-staff.md, "Een nieuwe versie die halverwege het jaar begint", quotes the message
    for the workspace's example facts moved to 2025, word for word."""
    example = (workspace / "examples" / "assen-2024.yaml").read_text(encoding="utf-8")
    assert example.count("\nyear: 2024\n") == 1
    (workspace / "feiten-2025.yaml").write_text(
        example.replace("\nyear: 2024\n", "\nyear: 2025\n"), encoding="utf-8"
    )
    monkeypatch.chdir(workspace)
    said = _cli("--rules-dir", "rules", "evaluate", "feiten-2025.yaml").stderr
    shown = said[: said.index("\n\n1 fout.")]
    assert shown.count("\n") == 9  # the message, the excerpt, the field, article, advice and both versions
    assert shown in (REPO_ROOT / "docs" / "legal-staff.md").read_text(encoding="utf-8")
