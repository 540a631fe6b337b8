"""`convenant test`: the tests legal staff write beside a rule file (engine/workflow/legaltests.py).

The shipped rule files carry test files that pass and cover every rule, deadline and duty; a changed
percentage in a copy makes exactly the tests that depend on it fail, with a Dutch table of expected
against computed and the article; a fault in a test file is a message at its file and line;
`new-version` copies the test file and `diff --tests` lists the tests a new version changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant.check.checking import load_rule_file
from convenant.cli.cli import cli
from convenant.source.loading import load_document
from convenant.workflow import legaltests
from tests.paths import REPO_ROOT

SHIPPED = ["rules/assen/2024-v1.6.yaml", "rules/groningen/2021.yaml"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("rule_file", SHIPPED)
def test_the_shipped_tests_pass(rule_file):
    code, out, err = run("test", str(REPO_ROOT / rule_file))
    assert code == 0, out + err
    assert "0 mislukt" in out and "✗" not in out


def test_default_runs_every_bundled_rule_file():
    code, out, _ = run("test")
    assert code == 0
    assert "2024-v1.6.tests.yaml" in out and "2021.tests.yaml" in out
    assert "geen toetsbestand" not in out


@pytest.mark.parametrize("rule_file", SHIPPED)
def test_the_shipped_tests_cover_every_result(rule_file):
    rules = load_rule_file(REPO_ROOT / rule_file)
    doc = load_document(legaltests.suite_of(REPO_ROOT / rule_file))
    expected = {name for test in doc.data["tests"].values() for name in test.get("expect", {})}
    results = set(rules.rules) | set(rules.duties)  # rules and deadlines, and duties
    assert results - expected == set(), f"not covered by a test: {sorted(results - expected)}"


def _copy(tmp_path: Path, rule_file: str, old: str, new: str) -> Path:
    """The rule file and its tests in a rules directory of their own, with one value changed."""
    target = tmp_path / "rules" / Path(rule_file).parent.name
    target.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "rules/municipalities.yaml", tmp_path / "rules")
    source = REPO_ROOT / rule_file
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1
    (target / source.name).write_text(text.replace(old, new), encoding="utf-8")
    tests = legaltests.suite_of(source).read_text(encoding="utf-8")
    examples = (REPO_ROOT / "examples").as_posix()
    (target / legaltests.suite_of(source).name).write_text(
        tests.replace("../../examples", examples), encoding="utf-8"
    )
    return target / source.name


def test_a_changed_percentage_fails_the_right_tests_with_a_dutch_table(tmp_path):
    # artikel 8, derde lid: 5 % → 6 % of the rijksuitkering € 6.283.417,00 = € 377.005,02
    changed = _copy(
        tmp_path,
        "rules/assen/2024-v1.6.yaml",
        '    value: 5\n    unit: percentage\n    article: "8.3"',
        '    value: 6\n    unit: percentage\n    article: "8.3"',
    )
    code, out, _ = run("test", str(changed))
    assert code == 1
    assert "✗ voorbeeld-2024" in out
    # the other tests do not read the percentage
    assert "✓ hoger-macrobudget" in out and "✓ te-weinig-vergaderingen" in out
    assert "6 toetsen: 5 geslaagd, 1 mislukt." in out
    header = next(line for line in out.splitlines() if "verwacht" in line)
    assert header.split() == ["uitkomst", "gemeente", "of", "casus", "artikel", "verwacht", "berekend"]
    row = next(line for line in out.splitlines() if line.strip().startswith("Uitvoeringsbudget begeleiding"))
    assert "art. 8.3" in row and "€\u00a0314.170,85" in row and "€\u00a0377.005,02" in row
    # € 6.283.417,00 − € 377.005,02 − € 6.100.000,00 = € −193.588,02
    assert any("€\u00a0-130.753,85" in line and "€\u00a0-193.588,02" in line for line in out.splitlines())
    # results that do not depend on it are not in the table
    assert "Financieel resultaat beschermd wonen" not in out


def test_english_table(tmp_path):
    changed = _copy(
        tmp_path,
        "rules/assen/2024-v1.6.yaml",
        '    value: 5\n    unit: percentage\n    article: "8.3"',
        '    value: 6\n    unit: percentage\n    article: "8.3"',
    )
    code, out, _ = run("--lang", "en", "test", str(changed))
    assert code == 1
    assert "expected" in out and "computed" in out and "5 passed, 1 failed." in out
    assert "€314,170.85" in out and "€377,005.02" in out


def _test_file(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "rules" / "assen"
    folder.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "rules/municipalities.yaml", tmp_path / "rules")
    shutil.copy(REPO_ROOT / "rules/assen/2024-v1.6.yaml", folder)
    path = folder / "2024-v1.6.tests.yaml"
    examples = (REPO_ROOT / "examples").as_posix()
    path.write_text(
        "# yaml-language-server: $schema=../../schemas/rule-tests.schema.json\nformat: 1\ntests:\n"
        + body.replace("EXAMPLES", examples),
        encoding="utf-8",
    )
    return path


def test_a_misspelt_result_is_a_message_at_its_line(tmp_path):
    path = _test_file(
        tmp_path,
        "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n"
        "    expect:\n      resultaat_moo: 1\n",
    )
    code, _, err = run("test", str(path))
    assert code == 1
    assert "2024-v1.6.tests.yaml:8:22" in err
    assert "geen regel, termijn of verplichting ‘resultaat_moo’" in err and "bedoelt u ‘resultaat_mo’?" in err
    assert "Traceback" not in err


def test_a_misspelt_result_per_municipality_is_said_once(tmp_path):
    path = _test_file(
        tmp_path,
        "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n"
        "    expect:\n      aandeel_resultaat_bwx:\n        Assen: 1\n        Meppel: 2\n",
    )
    code, _, err = run("test", str(path))
    assert code == 1
    assert err.count("‘aandeel_resultaat_bwx’") == 1 and "bedoelt u ‘aandeel_resultaat_bw’?" in err
    assert "1 fout." in err


def test_a_name_like_none_lists_every_name(tmp_path):
    path = _test_file(
        tmp_path,
        "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n    expect:\n      qqq: 1\n",
    )
    code, _, err = run("test", str(path))
    assert code == 1 and "geen regel, termijn of verplichting ‘qqq’" in err and "resultaat_mo," in err


def test_a_changed_fact_is_located_in_the_test_file(tmp_path):
    path = _test_file(
        tmp_path,
        "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n    change:\n"
        "      municipalities:\n        Aa en Hunze: {inwoners: veel}\n    expect:\n      resultaat_bw: 1\n",
    )
    code, out, _ = run("test", str(path))
    assert code == 1
    assert "werden geweigerd" in out
    assert "2024-v1.6.tests.yaml:9:" in out and "municipalities.GM1680.inwoners" in out


def test_a_duplicate_test_name_is_refused(tmp_path):
    body = "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n    expect: {resultaat_bw: 1}\n"
    code, _, err = run("test", str(_test_file(tmp_path, body + body)))
    assert code == 1 and "‘t’" in err and ":8:" in err


def test_a_refusal_that_does_not_come_fails(tmp_path):
    path = _test_file(
        tmp_path,
        "  t:\n    description: d\n    facts: EXAMPLES/assen-2024.yaml\n    refused: {code: facts.missing}\n",
    )
    code, out, _ = run("test", str(path))
    assert code == 1
    assert "verwacht een weigering (‘facts.missing’), maar de feiten werden aanvaard" in out


def test_new_version_copies_the_tests_and_diff_lists_those_that_change(tmp_path):
    rule_file = _copy(tmp_path, "rules/assen/2024-v1.6.yaml", 'version: "1.6"', 'version: "1.6"')
    tests = legaltests.suite_of(rule_file)
    code, out, err = run(
        "new-version",
        str(rule_file),
        "--version",
        "1.7",
        "--valid-from",
        "2025-01-01",
        "--version-date",
        "2024-11-01",
    )
    assert code == 0, out + err
    new = rule_file.with_name("2025-v1.7.yaml")
    assert legaltests.suite_of(new).read_text(encoding="utf-8") == tests.read_text(encoding="utf-8")
    # artikel 8, derde lid in the new version: 5 % → 6 %
    text = new.read_text(encoding="utf-8")
    new.write_text(
        text.replace(
            '    value: 5\n    unit: percentage\n    article: "8.3"',
            '    value: 6\n    unit: percentage\n    article: "8.3"',
        ),
        encoding="utf-8",
    )
    code, out, err = run("diff", "--tests", str(tests), str(rule_file), str(new))
    assert code == 0, out + err
    section = out[out.index("Toetsen die de nieuwe versie verandert") :]
    assert "voorbeeld-2024" in section and "mislukt onder de nieuwe versie" in section
    assert "hoger-macrobudget" not in section  # its results do not depend on the percentage
    assert "artikel 8, derde lid" in section
    assert "oude versie €\u00a0314.170,85, nieuwe versie €\u00a0377.005,02" in section


def test_validate_recognises_a_test_file():
    code, out, _ = run("validate", str(REPO_ROOT / "rules/assen/2024-v1.6.tests.yaml"))
    assert code == 0 and "toetsbestand (6): in orde" in out
