"""Hostile and careless inputs get a Dutch message with their place and exit 1 (or 2 for the
command line), in bounded time and memory: the render budget of sentence templates, bounded and
regular-only file reading, bounded numbers and nesting in YAML, bounded CSV cells, invalid Excel
files and version texts (issue 9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from convenant.render.templating import sentence_dir
from tests.conftest import ASSEN, ASSEN_FACTS, REPO_ROOT
from tests.explain_support import copy_rules

SCENARIOS = REPO_ROOT / "examples" / "assen-2024-scenarios.csv"


def _refused(result, *needles: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "interne fout" not in result.output
    for needle in needles:
        assert needle in result.output, result.output


@pytest.fixture(scope="module")
def rules_copy(tmp_path_factory):
    return copy_rules(tmp_path_factory.mktemp("limits"))


@pytest.mark.parametrize(
    ("sentence", "message"),
    [
        ("{{ jaar|frobnicate }}", "het sjabloon gebruikt een onbekend filter ‘frobnicate’"),
        ("{{ 1/0 }}", "het sjabloon deelt hier door nul"),
        ("{% for i in range(10**9) %}{% endfor %}", "range() geeft hier meer dan 10000 getallen"),
        ('{% include "rules/resultaat_bw.j2" %}', "een zin mag geen ander sjabloon gebruiken (include)"),
        ("{{ 'x' * 10**9 }}", "een tekst of lijst van meer dan 5000000 tekens"),
        ("{{ 'x'|center(10**9) }}", "een tekst of lijst van meer dan 5000000 tekens"),
        ("{{ '%999999999s'|format('x') }}", "een tekst of lijst van meer dan 5000000 tekens"),
        (
            "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "een tekst of lijst van meer dan 5000000 tekens",
        ),
        (
            "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
            "de lussen van dit sjabloon draaien samen meer dan 1000000 keer",
        ),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}",
            "roept zichzelf (of zijn macro's) te diep aan",
        ),
    ],
)
def test_a_template_fault_is_a_dutch_message_at_the_template_line(run, rules_copy, sentence, message):
    path = sentence_dir(rules_copy) / "resultaat_bw.j2"
    original = path.read_text(encoding="utf-8")
    path.write_text("Eerste regel.\n" + sentence + "\n", encoding="utf-8")
    try:
        started = time.monotonic()
        result = run("validate", str(rules_copy))
        assert time.monotonic() - started < 10  # the budget refuses quickly, never hours of work
    finally:
        path.write_text(original, encoding="utf-8")
    _refused(result, message, "resultaat_bw.j2:2")


def test_a_long_number_in_a_value_is_data_not_a_width():
    """A value filtered may hold a long run of digits (a folder named 38412000.00 in a path): only a
    filter's arguments are widths, and `format`'s value, which is its format."""
    from convenant.render.templating import environment

    template = environment("md", None).from_string("{{ p | replace('/', ' / ') }}")
    assert template.render(p="/tmp/38412000.00/f") == " / tmp / 38412000.00 / f"


def test_a_template_saved_in_cp1252_names_the_file_and_line(run, rules_copy):
    path = sentence_dir(rules_copy) / "resultaat_mo.j2"
    original = path.read_bytes()
    path.write_bytes(b"Regel een.\nHet r\xe9sultaat {{ jaar }}\n")
    try:
        result = run("validate", str(rules_copy))
    finally:
        path.write_bytes(original)
    _refused(result, "het bestand is geen UTF-8-tekst", "resultaat_mo.j2:2")


def test_a_5000_digit_amount_is_refused_at_its_line(run, tmp_path):
    text = ASSEN_FACTS.read_text(encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    facts.write_text(text.replace("macrobudget_bw: 38412000.00", "macrobudget_bw: " + "9" * 5000 + ".00"))
    line = next(i for i, row in enumerate(facts.read_text().splitlines(), 1) if "macrobudget_bw" in row)
    for command in ("validate", "evaluate"):
        _refused(run(command, str(facts)), "is te lang (5000 cijfers vóór de punt", f"facts.yaml:{line}:")


@pytest.mark.parametrize(
    ("column", "cell"), [("macrobudget_bw", "9" * 5000 + ".00"), ("inwoners.GM1680", "9" * 5000)]
)
def test_a_5000_digit_cell_fails_its_scenario_only(run, tmp_path, column, cell):
    """Python's int() refuses 4,300 digits itself: the cell must be refused before it gets there."""
    import csv

    rows = list(csv.reader(SCENARIOS.open(encoding="utf-8", newline="")))
    rows[1][rows[0].index(column)] = cell
    source = tmp_path / "scenarios.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out = tmp_path / "uit.csv"
    result = run("batch", str(ASSEN), str(source), "--out", str(out))
    _refused(result, "rij 2", f"{column}: het getal 99999", "is te lang (5000 cijfers vóór de punt")
    assert len(list(csv.reader(out.open(encoding="utf-8")))) == len(rows)  # the others are written


@pytest.mark.parametrize("nested", ["{a: " * 10_000 + "1" + "}" * 10_000, "[" * 500 + "]" * 500])
def test_deep_nesting_is_refused_with_its_line(run, tmp_path, nested):
    facts = tmp_path / "deep.yaml"
    facts.write_text(f"covenant: assen\nyear: 2024\nx: {nested}\n")
    _refused(run("validate", str(facts)), "deep.yaml:3:")


def test_a_very_long_line_is_shown_cut_around_the_fault(run, tmp_path):
    facts = tmp_path / "long.yaml"
    facts.write_text("covenant: assen\nyear: 2024\nx: " + "y" * 50_000 + " z: 1\n")
    result = run("validate", str(facts))
    _refused(result, "long.yaml:3:")
    assert max(len(line) for line in result.output.splitlines()) < 400


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is een map, geen bestand"),
        (lambda p: p.symlink_to(p), "symbolische koppeling die naar zichzelf terugverwijst"),
        (lambda p: p.symlink_to("/dev/zero"), "is geen gewoon bestand"),
        (lambda p: p.write_bytes(b"# x\n" + b"y" * (3 * 1024 * 1024)), "is groter dan 2097152 bytes"),
        (lambda p: p.write_bytes(b""), "ontbreekt"),
        (lambda p: p.write_bytes(b"# alleen een opmerking\n"), "ontbreekt"),
        (lambda p: p.write_bytes(b"\x7fELF\x02\x01\x01\x00\xff\xfe"), "geen UTF-8-tekst"),
    ],
)
def test_a_fact_file_that_is_not_a_small_regular_text_file_is_refused(run, tmp_path, make, message):
    path = tmp_path / "facts.yaml"
    make(path)
    _refused(run("evaluate", str(path)), message)
    if not path.is_dir():  # validate walks a folder
        _refused(run("validate", str(path)))


def _convenant(*args: str) -> subprocess.CompletedProcess[str]:
    """A FIFO would hang a test run in-process: these run in a child with a timeout."""
    command = [sys.executable, "-m", "convenant", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=REPO_ROOT)


def test_a_fifo_in_a_rules_folder_does_not_hang_validate(tmp_path):
    rules = copy_rules(tmp_path)
    os.mkfifo(rules.parent / "wacht.yaml")
    (rules.parent / "lus.yaml").symlink_to(rules.parent / "lus.yaml")
    result = _convenant("validate", str(tmp_path / "rules"))
    assert result.returncode == 1, result.stderr
    assert "wacht.yaml is geen gewoon bestand" in result.stderr
    assert "lus.yaml is een symbolische koppeling" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_fifo_as_fact_file_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    for lang, words in (("nl", "is geen gewoon bestand"), ("en", "is not a regular file")):
        result = _convenant("--lang", lang, "evaluate", str(fifo))
        assert result.returncode == 1 and words in result.stderr, result.stderr


@pytest.mark.parametrize(
    "content",
    [SCENARIOS.read_bytes(), b"PK\x03\x04 afgebroken"],
    ids=["renamed-csv", "truncated"],
)
def test_an_xlsx_that_is_not_a_zip_is_not_a_valid_excel_file(run, tmp_path, content):
    path = tmp_path / "scenarios.xlsx"
    path.write_bytes(content)
    result = run("batch", str(ASSEN), str(path), "--out", str(tmp_path / "uit.csv"))
    _refused(result, f"{path} is geen geldig Excel-bestand")
    assert not (tmp_path / "uit.csv").exists()


def test_a_truncated_zip_of_a_real_workbook_is_not_a_valid_excel_file(run, tmp_path):
    import openpyxl

    whole = tmp_path / "heel.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["scenario", "jaar"])
    book.save(whole)
    path = tmp_path / "half.xlsx"
    path.write_bytes(whole.read_bytes()[:1500])
    _refused(
        run("batch", str(ASSEN), str(path), "--out", str(tmp_path / "uit.csv")), "geen geldig Excel-bestand"
    )


def test_a_200000_character_csv_cell_names_its_row(run, tmp_path):
    lines = SCENARIOS.read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + "x" * 200_000 + '"' + lines[2][lines[2].index(",") :]
    path = tmp_path / "scenarios.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("batch", str(ASSEN), str(path), "--out", str(tmp_path / "uit.csv"))
    _refused(result, "een cel in rij 3 is langer dan 10000 tekens", "scenarios.csv:3")


def test_a_fifo_as_scenario_table_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "scenarios.csv"
    os.mkfifo(fifo)
    result = _convenant("batch", str(ASSEN), str(fifo), "--out", str(tmp_path / "u.csv"))
    assert result.returncode == 1 and "is geen gewoon bestand" in result.stderr, result.stderr


@pytest.mark.parametrize("version", ["1.7\nx", "1.7 beta", "", "x" * 40, "../1.7"])
def test_a_version_with_odd_characters_is_a_usage_error(run, tmp_path, version):
    out = tmp_path / "nieuw.yaml"
    result = run(
        "new-version", str(ASSEN), "--version", version, "--valid-from", "2025-01-01", "--out", str(out)
    )
    _refused(result, "is geen versienummer", code=2)
    assert not out.exists()


def test_a_rule_file_version_must_match_the_schema_pattern():
    from convenant.workflow.newversion import VERSION

    schema = json.loads((REPO_ROOT / "schemas" / "rule-file.schema.json").read_text(encoding="utf-8"))
    assert VERSION.pattern in json.dumps(schema)


def test_english_messages_exist_for_the_limits(run, tmp_path):
    path = tmp_path / "facts.yaml"
    path.symlink_to(path)
    _refused(run("--lang", "en", "validate", str(path)), "is a symbolic link that points back to itself")


def test_a_missing_file_still_says_so(run, tmp_path):
    _refused(run("evaluate", str(tmp_path / "weg.yaml")), "bestaat niet")


def test_the_limits_are_documented():
    analysts = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    legal = (REPO_ROOT / "docs" / "legal-staff.md").read_text(encoding="utf-8")
    developers = (REPO_ROOT / "docs" / "developers.md").read_text(encoding="utf-8")
    assert "10.000 tekens" in analysts and "2 MB" in analysts
    assert "range()" in legal and "1.000.000" in legal
    assert "MAX_ITERATIONS" in developers and "engine/core/reading.py" in developers


@pytest.mark.parametrize("option", ["--valid-from", "--version-date"])
def test_an_impossible_date_is_a_dutch_usage_error(run, tmp_path, option):
    args = (
        ["--valid-from", "2025-01-01", option, "2025-13-01"]
        if option != "--valid-from"
        else [option, "2025-13-01"]
    )
    result = run("new-version", str(ASSEN), "--version", "1.7", *args, "--out", str(tmp_path / "n.yaml"))
    _refused(result, "‘2025-13-01’ is geen datum", code=2)


def test_a_misspelt_predecessor_column_names_the_column(run, tmp_path):
    lines = (REPO_ROOT / "examples" / "groningen-2022-scenarios.csv").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace(
        "aantal_indicaties.GM0003.bw_intramuraal", "aantal_indicaties.GM0O03.bw_intramuraal"
    )
    path = tmp_path / "scenarios.csv"
    path.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    result = run(
        "batch",
        str(REPO_ROOT / "rules" / "groningen" / "2021.yaml"),
        str(path),
        "--out",
        str(tmp_path / "u.csv"),
    )
    _refused(result, "onbekende kolom of rij ‘GM0O03’ bij aantal_indicaties", "scenarios.csv:1")


def test_a_template_fault_stops_letters_too(run, tmp_path):
    rules = copy_rules(tmp_path)
    (sentence_dir(rules) / "resultaat_bw.j2").write_text("{{ 'x' * 10**9 }}\n", encoding="utf-8")
    out = tmp_path / "brieven"
    result = run("letters", str(ASSEN_FACTS), "--rules", str(rules), "--out", str(out))
    _refused(result, "meer dan 5000000 tekens", "resultaat_bw.j2:1")
