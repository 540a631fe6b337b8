"""`convenant letters`: one letter per municipality in md, html and pdf, every amount and date in
them traced back to `convenant evaluate --format json`, byte-identical reruns, and no partial
output when anything fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant.cli.cli import cli
from convenant.letters.letters import MANIFEST
from convenant.source.loading import load_document
from tests.conftest import ASSEN_CODES, ASSEN_FACTS, assen_facts, write_facts
from tests.explain_support import amounts, copy_rules, dates_in, edit_template, letter_text
from tests.paths import REPO_ROOT

FORMATS = ("md", "html", "pdf")


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def letters_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("letters") / "brieven"
    result = invoke("letters", str(ASSEN_FACTS), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def evaluated() -> dict:
    result = invoke("evaluate", str(ASSEN_FACTS), "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _money(text: str | None) -> set[Decimal]:
    return {abs(Decimal(text))} if text and "/" not in text and "." in text else set()


def known_amounts(data: dict) -> set[Decimal]:
    """Every amount a letter may show: results from the JSON, facts from the fact file, and the
    totals of the facts per municipality (the key's denominators). Compared without sign; the
    sign of the settlement itself is checked separately."""
    found: set[Decimal] = set()
    for result in [*data["results"].values()] + [
        r for m in data["municipalities"].values() for r in m["results"].values()
    ]:
        if result["type"] == "money":
            found |= _money(result["value"])
    facts = load_document(ASSEN_FACTS).data
    found |= {abs(Decimal(v)) for v in facts["facts"].values() if isinstance(v, Decimal)}
    per = [v for values in facts["municipalities"].values() for v in values.values()]
    found |= {abs(v) for v in per if isinstance(v, Decimal)}
    names = {
        k for values in facts["municipalities"].values() for k, v in values.items() if isinstance(v, Decimal)
    }
    for name in names:
        found.add(sum(values[name] for values in facts["municipalities"].values()))
    return found


def known_dates(data: dict) -> set[date]:
    found = {date.fromisoformat(data["facts"]["evaluation_date"])}
    c = data["covenant"]
    found.add(date.fromisoformat(c["version_date"]))
    found |= {date.fromisoformat(data["validity"][k]) for k in ("valid_from", "valid_until")}
    for deadline in data["deadlines"].values():
        value = deadline["value"]
        if isinstance(value, dict):
            found |= {date.fromisoformat(value["from"]), date.fromisoformat(value["until"])}
        elif value:
            found.add(date.fromisoformat(value))
    return found


def letter_paths(out: Path, code: str) -> dict[str, Path]:
    return {fmt: next(out.glob(f"assen-2024-*-{code}-*.{fmt}")) for fmt in FORMATS}


def test_one_letter_per_municipality_in_every_format(letters_dir):
    names = sorted(p.name for p in letters_dir.iterdir())
    assert len(names) == len(ASSEN_CODES) * len(FORMATS) + 1
    for code in ASSEN_CODES:
        paths = letter_paths(letters_dir, code)
        assert all(p.stat().st_size > 0 for p in paths.values())
    listed = (letters_dir / MANIFEST).read_text().splitlines()
    assert len(listed) == len(ASSEN_CODES) * len(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_amount_and_date_in_every_letter_comes_from_the_evaluation(letters_dir, evaluated, fmt):
    allowed_amounts, allowed_dates = known_amounts(evaluated), known_dates(evaluated)
    for code in ASSEN_CODES:
        text = letter_text(letter_paths(letters_dir, code)[fmt])
        found = amounts(text)
        assert len(found) > 10, f"{code}.{fmt}: too few amounts read back"
        stray = {a for a in found if abs(a) not in allowed_amounts}
        assert not stray, f"{code}.{fmt}: amounts not in the evaluation: {stray}"
        stray_dates = set(dates_in(text)) - allowed_dates
        assert not stray_dates, f"{code}.{fmt}: dates not in the evaluation: {stray_dates}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_letter_states_its_own_share_with_direction_and_deadline(letters_dir, evaluated, fmt):
    deadline = date.fromisoformat(evaluated["deadlines"]["afwikkeling_resultaat_bw"]["value"])
    for code, entry in evaluated["municipalities"].items():
        share = entry["results"]["aandeel_resultaat_bw"]
        value = Decimal(share["value"])
        text = letter_text(letter_paths(letters_dir, code)[fmt])
        amount = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        if entry["role"] == "centrumgemeente":
            assert f"is een voordeel van € {amount}; het blijft in de eigen begroting (geen betaling)" in text
        else:
            assert share["direction"] == "ontvangt"
            assert f"U ontvangt € {amount} van de gemeente Assen, uiterlijk 30 juni 2025" in text
        assert deadline == date(2025, 6, 30)
        assert "VOORBEELD" in text
        assert "Reproduceerbaarheid" in text
        for key in (evaluated["covenant"]["sha256"], evaluated["facts"]["sha256"]):
            assert key in text.replace(" ", "")


def test_the_centrumgemeente_letter_lists_every_regiogemeente(letters_dir, evaluated):
    text = letter_text(letter_paths(letters_dir, "GM0106")["md"])
    for entry in evaluated["municipalities"].values():
        if entry["role"] == "regiogemeente":
            assert f"| {entry['name']} | Aandeel in het resultaat beschermd wonen | ontvangt |" in text
    assert "Stand van de Reserve MO aan het eind van het kalenderjaar" in text


def test_a_rerun_gives_byte_identical_files(letters_dir, tmp_path):
    """Another process, another hash seed, another day: the same bytes (md, html and pdf)."""
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-m", "convenant", "letters", str(ASSEN_FACTS), "--out", str(again)]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for path in letters_dir.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_negative_result_is_paid_never_shown_with_a_bare_minus(tmp_path):
    facts = write_facts(tmp_path, assen_facts(macrobudget_bw=Decimal("37000000.00")))
    out = tmp_path / "out"
    result = invoke("letters", str(facts), "--out", str(out), "--format", "md")
    assert result.exit_code == 0, result.output
    text = letter_text(next(out.glob("*GM1680*.md")))
    letter = text.split("Uitleg bij de berekening")[0]
    assert "U betaalt € " in letter and "aan de gemeente Assen" in letter
    assert "€ -" not in letter
    own = letter_text(next(out.glob("*GM0106*.md"))).split("Uitleg bij de berekening")[0]
    assert "is een nadeel van € " in own and "€ -" not in own


def test_letters_need_a_date_and_never_take_the_clock_silently(tmp_path):
    data = assen_facts()
    del data["evaluation_date"]
    facts = write_facts(tmp_path, data)
    out = tmp_path / "out"
    result = invoke("letters", str(facts), "--out", str(out))
    assert result.exit_code == 1
    assert "evaluation_date" in result.stderr and "--date" in result.stderr
    assert not out.exists()
    result = invoke("letters", str(facts), "--out", str(out), "--format", "md", "--date", "2025-06-02")
    assert result.exit_code == 0, result.output
    text = letter_text(next(out.glob("*GM1680*.md")))
    assert "Assen, 2 juni 2025" in text and "opgegeven met --date" in text


def test_a_fact_error_leaves_no_letters(tmp_path):
    data = assen_facts()
    del data["facts"]["zorgkosten_bw"]
    out = tmp_path / "out"
    result = invoke("letters", str(write_facts(tmp_path, data)), "--out", str(out))
    assert result.exit_code == 1
    assert "zorgkosten_bw" in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "facts.yaml"]


def test_a_template_error_leaves_earlier_letters_untouched(tmp_path):
    rules = copy_rules(tmp_path)
    out = tmp_path / "out"
    assert (
        invoke(
            "letters", str(ASSEN_FACTS), "--rules", str(rules), "--out", str(out), "--format", "md"
        ).exit_code
        == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    edit_template(rules, "resultaat_mo", "{{ uitgaven_mo }}", "{{ uitgave_mo }}")
    result = invoke("letters", str(ASSEN_FACTS), "--rules", str(rules), "--out", str(out), "--format", "md")
    assert result.exit_code == 1
    assert "resultaat_mo.j2:3" in result.stderr and "uitgave_mo" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "rules"]


def test_a_folder_with_other_files_is_never_overwritten(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = invoke("letters", str(ASSEN_FACTS), "--out", str(out), "--format", "md")
    assert result.exit_code == 1
    assert f"de map {out} bevat bestanden die ‘convenant letters’ niet schreef: notes.txt" in result.stderr
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
