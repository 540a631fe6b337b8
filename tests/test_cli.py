"""The command line as a user meets it: help, exit codes, table and JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ASSEN_CODES, ASSEN_FACTS
from tests.paths import REPO_ROOT


def test_validate_passes_on_the_shipped_rules(run):
    result = run("validate", str(REPO_ROOT / "rules"))
    assert result.exit_code == 0, result.output
    assert "✓" in result.stdout and "✗" not in result.stdout


def test_validate_checks_a_fact_file_against_its_rules(run):
    result = run("validate", str(ASSEN_FACTS))
    assert result.exit_code == 0, result.output
    assert "feitenbestand assen 2024 → 1.6: in orde" in result.stdout


def test_validate_reports_a_broken_file_and_exits_1(run, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (REPO_ROOT / "rules/assen/2024-v1.6.yaml").read_text().replace("value: 5\n", "vaule: 5\n")
    )
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert "✗" in result.stdout
    assert "fout: onbekend veld ‘vaule’" in result.stderr


def test_evaluate_table(run):
    result = run("evaluate", str(ASSEN_FACTS))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "versie 1.6" in out
    assert "ILLUSTRATIEF" in out
    assert "€ 461.876,55" in out.replace("\xa0", " ")
    assert "ontvangt € 130.978,10" in out.replace("\xa0", " ")
    assert "30 juni 2025" in out


def test_evaluate_json_has_what_the_letters_need(run):
    result = run("evaluate", str(ASSEN_FACTS), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["covenant"]["id"] == "assen"
    assert data["covenant"]["version"] == "1.6"
    assert len(data["covenant"]["sha256"]) == 64
    assert len(data["facts"]["sha256"]) == 64
    assert data["results"]["resultaat_bw"]["value"] == "461876.55"
    assert data["results"]["resultaat_mo"]["value"] == "-130753.85"
    assert set(data["municipalities"]) == set(ASSEN_CODES)
    share = data["municipalities"]["GM0106"]["results"]["aandeel_resultaat_bw"]
    assert share["rule"] == "aandeel_resultaat_bw"
    assert share["value"] == "130978.10"
    assert share["direction"] == "ontvangt"
    assert share["citation"] == {"artikel": 8, "lid": 5, "onder": None, "text": "artikel 8, vijfde lid"}
    assert set(share["interpretations"]) == {"I-A-8.5", "I-A-8.9"}
    assert share["rounding"] == "largest_remainder"
    total = sum(
        int(m["results"]["aandeel_resultaat_bw"]["value"].replace(".", ""))
        for m in data["municipalities"].values()
    )
    assert total == 46187655
    key = data["municipalities"]["GM0106"]["results"]["verdeelsleutel_bw"]
    numerator, denominator = map(int, key["value"].split("/"))
    assert abs(numerator / denominator - float(key["approx"])) < 1e-9
    assert data["deadlines"]["afwikkeling_resultaat_bw"]["value"] == "2025-06-30"
    assert (
        data["cases"]["casus-2024-003"]["results"]["plaatsing_nieuwe_client"]["value"]
        == "overleg_en_passende_voorziening"
    )
    assert data["validity"]["citation"]["text"] == "artikel 10, tweede lid"


def test_every_money_value_in_json_is_a_string_with_two_decimals(run):
    data = json.loads(run("evaluate", str(ASSEN_FACTS), "--format", "json").stdout)

    def money_values(node):
        if isinstance(node, dict):
            if node.get("type") == "money":
                yield node["value"]
            for value in node.values():
                yield from money_values(value)
        elif isinstance(node, list):
            for value in node:
                yield from money_values(value)

    values = list(money_values(data))
    # four amounts for the region, one share per municipality, and for each of the 8 regiogemeenten
    # no part of the art. 8.9 toegemoetkoming (the example gives only the total): null, not a string
    assert len(values) == 4 + 9 + 8 and values.count(None) == 8
    values = [v for v in values if v is not None]
    for value in values:
        assert isinstance(value, str)
        whole, cents = value.lstrip("-").split(".")
        assert whole.isdigit() and len(cents) == 2


def test_deadlines_command(run):
    result = run("deadlines", "assen", "2025")
    assert result.exit_code == 0, result.output
    assert "1 oktober 2024" in result.stdout
    assert "1 februari 2026 – 28 februari 2026" in result.stdout
    assert "30 juni 2026" in result.stdout
    data = json.loads(run("deadlines", "assen", "2024", "--format", "json").stdout)
    assert data["deadlines"]["voorlopig_aandeel_resultaat_bw"]["value"] == {
        "from": "2025-02-01",
        "until": "2025-02-28",
    }
    assert data["duties"]["bestuurlijk_overleg"]["period"] == {"from": "2024-01-01", "until": "2024-12-31"}


def test_deadlines_for_a_year_no_version_covers(run):
    result = run("deadlines", "assen", "2026")
    assert result.exit_code == 1
    assert "geen versie van convenant ‘assen’ geldt in 2026" in result.stderr


def test_deadlines_for_an_unknown_covenant(run):
    result = run("deadlines", "utrecht", "2024")
    assert result.exit_code == 1
    assert "bekende convenanten: assen" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["evaluate"], ["evaluate", "x.yaml", "--format", "xml"], ["nope"], ["deadlines", "assen", "twee"]],
)
def test_usage_errors_exit_2(run, args):
    assert run(*args).exit_code == 2


@pytest.mark.parametrize("command", [[], ["validate"], ["evaluate"], ["deadlines"]])
def test_help(run, command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_a_missing_fact_file(run):
    result = run("evaluate", "does-not-exist.yaml")
    assert result.exit_code == 1
    assert "het bestand does-not-exist.yaml bestaat niet" in result.stderr


def test_the_console_script_evaluates_without_importing_sympy_numpy_or_spreadsheets():
    """The command as the console script runs it, whatever the cache folder holds (jsonschema may be
    imported here); with every file's schema pass kept, the longer list of tests/test_start_up.py."""
    code = (
        "import sys; from convenant.cli.cli import main\n"
        "sys.argv = ['convenant', 'evaluate', sys.argv[1]]\n"
        "try:\n    main()\n"
        "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "heavy = ['numpy', 'sympy', 'openpyxl', 'jinja2', 'openfisca_core']\n"
        "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ASSEN_FACTS)], capture_output=True, text=True, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr


def test_a_broken_rule_file_gives_no_traceback_from_the_real_process(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("# yaml-language-server: $schema=../schemas/rule-file.schema.json\nformat: [\n")
    done = subprocess.run(
        [sys.executable, "-m", "convenant", "validate", str(broken)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "het bestand is geen geldige YAML" in done.stderr


def test_no_command_is_said_in_the_language_asked_for(run):
    # `--lang en` is parsed before click finds no command: the group's callback has not run yet
    english = run("--lang", "en", env={"CONVENANT_LANG": None})
    assert english.exit_code == 2
    assert english.stderr.startswith("error: give a command"), english.stderr
    dutch = run("--lang", "nl", env={"CONVENANT_LANG": "en"})
    assert dutch.stderr.startswith("fout: geef een commando"), dutch.stderr
