"""`convenant letters`: for every act of every example, one letter per party in md, html, pdf and
docx, all from one LetterDocument. Every amount, date and kenmerk is read back from each format
and checked against `convenant evaluate --format json` and the fact file (read independently
here); the letter is one or two pages and the whole within the issue's targets; no identifier,
code syntax or bare minus reaches a letter; reruns are byte-identical; nothing partial is written.

The letters are the ones the golden tests check (the `rendered` fixture, made once per run)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant.cli.cli import cli
from convenant.core.dates import MONTHS_NL
from convenant.explain import report
from convenant.letters.letters import FORMATS, MANIFEST, WORKERS, workers
from convenant.letters.settlements import _Composer
from convenant.source.loading import load_document
from tests.conftest import ASSEN_FACTS, assen_facts, write_facts
from tests.examples_support import EXAMPLES
from tests.explain_support import (
    amounts,
    copy_rules,
    dates_in,
    edit_template,
    letter_text,
    pdf_pages,
    text_of,
)
from tests.paths import REPO_ROOT

PAGES = {"assen": 4, "groningen": 8}  # the targets for letter + annex
DIRECTION = {"ontvangt": "receives", "betaalt": "pays", "nihil": "nothing"}


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def euros(value: str | Decimal) -> str:
    """'-443225.79' → '€ 443.225,79' (without sign: a letter says the direction in words)."""
    whole = f"{abs(Decimal(value)):,.2f}"
    return "€ " + whole.replace(",", "_").replace(".", ",").replace("_", ".")


def dutch(day: date) -> str:
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def letters_of_act(shared, one) -> dict[str, dict[str, bytes]]:
    """stem → {format: bytes} for one act's letters among the shared renders."""
    act = one.act.name.replace("_", "-")
    found: dict[str, dict[str, bytes]] = {}
    for name, data in shared.outputs.items():
        if not name.startswith("letters/") or f"-{act}-" not in name:
            continue
        stem, _, fmt = name.removeprefix("letters/").partition(".")
        found.setdefault(stem, {})[fmt] = data
    return found


def _rule_acts(example: str) -> list[str]:
    from tests.examples_support import evaluated

    return list(evaluated(example).rules.acts)


CASES = [(e, a) for e in EXAMPLES for a in _rule_acts(e)]


# (example, act) → the JSON text of `report.to_json(one.ev)`, made once per test process: the nine
# tests of a case read the same evaluation, and making its JSON takes up to ¾ s (its traces)
_EVALUATED: dict[tuple[str, str], str] = {}


@pytest.fixture(params=CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def act(request, rendered):
    example, name = request.param
    shared = rendered(example)
    one = next(c for c in shared.chosen if c.act.name == name)
    if request.param not in _EVALUATED:
        _EVALUATED[request.param] = json.dumps(report.to_json(one.ev))
    # what `evaluate --format json` says of the facts as the act knows them; each test its own copy
    data = json.loads(_EVALUATED[request.param])
    return example, one, data, letters_of_act(shared, one)


def test_every_party_has_its_letter_in_every_format_with_its_digital_annex(act):
    _, one, data, letters = act
    assert sorted(letters) == sorted(
        f"{one.ev.rules.covenant.id}-{one.ev.facts.year}-{one.act.name.replace('_', '-')}-{code}-"
        + re.sub(r"[^a-z0-9]+", "-", m["name"].lower()).strip("-")
        for code, m in data["municipalities"].items()
    )
    for stem, files in letters.items():
        assert set(files) == {*FORMATS, "toelichting.md"}, stem
        assert all(files.values()), stem


def test_the_kenmerk_and_the_date_read_back_from_every_format(act):
    _, one, _data, letters = act
    c, year, act_part = one.ev.rules.covenant.id, one.ev.facts.year, one.act.name.replace("_", "-")
    seen = set()
    for stem, files in letters.items():
        code = re.search(r"-(GM\d{4})-", stem)[1]
        pattern = re.compile(rf"{c}/{year}/{act_part}/{code}/[0-9a-f]{{8}}")
        kenmerken = set()
        for fmt in FORMATS:
            text = text_of(f"x.{fmt}", files[fmt])
            found = set(pattern.findall(text))
            assert len(found) == 1, (stem, fmt, found)
            kenmerken |= found
            assert dutch(one.when) in text, (stem, fmt)  # the letter's date: the date its terms run from
        assert len(kenmerken) == 1, stem  # the same kenmerk in every format
        seen |= kenmerken
    assert len(seen) == len(letters)  # a kenmerk identifies one letter


def test_each_letter_states_its_settlements_as_evaluate_json_gives_them(act):
    """Amount, direction and deadline of each settlement of the act, read back from every format."""
    _, one, data, letters = act
    provisional = one.act.provisional
    for stem, files in letters.items():
        code = re.search(r"-(GM\d{4})-", stem)[1]
        entry = data["municipalities"][code]
        if entry["role"] == "centrumgemeente":
            continue
        settled = [
            r
            for r in one.act.states
            if r in entry["results"] and one.ev.rules.rules[r].settlement is not None
        ]
        assert settled, stem
        for fmt in FORMATS:
            text = text_of(f"x.{fmt}", files[fmt])
            letter = text.split("Bijlage 1 — Berekening")[0]
            for rule in settled:
                result = entry["results"][rule]
                if result["value"] is None:
                    assert "nog niet te berekenen" in letter, (stem, fmt, rule)
                    continue
                direction = DIRECTION[result["direction"]]
                amount = euros(result["value"])
                if direction == "nothing":
                    assert "nihil" in letter, (stem, fmt, rule)
                    continue
                if len(settled) == 1:
                    phrase = {
                        ("pays", False): f"U betaalt ons {amount}",
                        ("receives", False): f"U ontvangt van ons {amount}",
                        ("pays", True): f"Uw voorlopige aandeel is een nadeel van {amount}",
                        ("receives", True): f"Uw voorlopige aandeel is een voordeel van {amount}",
                    }[direction, provisional]
                    assert phrase in letter, (stem, fmt, rule)
                else:
                    assert (
                        amount in letter and ("u betaalt" if direction == "pays" else "u ontvangt") in letter
                    )
                deadline = data["deadlines"].get(result["deadline"] or "", {}).get("value")
                if (
                    deadline
                    and isinstance(deadline, str)
                    and result["deadline"] not in _Composer(one, "md", "nl").said
                ):
                    assert dutch(date.fromisoformat(deadline)) in letter, (stem, fmt, rule)
                if direction == "pays" and not provisional:  # what a payer needs to pay
                    assert "NL00 TEST 0000 0000 00" in letter and "Betalingskenmerk" in letter, (stem, fmt)


def _known(example: str, data: dict) -> set[Decimal]:
    """Every amount a letter may show: results (JSON), facts (the file), and the totals over the
    members of each, which the annex's tables add up; the sheet's cells are checked by their key."""
    found: set[Decimal] = set()
    per_member: dict[str, list[Decimal]] = {}
    results = [*data["results"].values()]
    rows = {**data["municipalities"], **data.get("other_rows", {})}
    for m in rows.values():
        for name, r in m["results"].items():
            results.append(r)
            if r["type"] == "money" and r["value"]:
                per_member.setdefault(name, []).append(Decimal(r["value"]))
    for r in results:
        if r["type"] == "money" and r["value"] and "/" not in r["value"]:
            found.add(abs(Decimal(r["value"])))
    facts = load_document(REPO_ROOT / "examples" / f"{example}.yaml").data
    found |= {abs(v) for v in facts["facts"].values() if isinstance(v, Decimal)}
    entries = {**facts["municipalities"], **facts.get("rows", {})}
    predecessors = {"GM0003", "GM0010", "GM0024"}  # Eemsdelta's, added up in the annex
    merged: dict[str, Decimal] = {}
    for code, values in entries.items():
        for name, v in values.items():
            if isinstance(v, Decimal):
                found.add(abs(v))
                per_member.setdefault(f"fact:{name}", []).append(v)
                if code in predecessors:
                    merged[name] = merged.get(name, Decimal(0)) + v
    found |= {abs(v) for v in merged.values()}
    for values in per_member.values():
        found.add(abs(sum(values)))
    centrum = next(c for c, m in data["municipalities"].items() if m["role"] == "centrumgemeente")
    others: dict[str, list[Decimal]] = {}  # the centrumgemeente's record adds up the regiogemeenten's
    for code, m in data["municipalities"].items():
        for name, r in m["results"].items():
            if code != centrum and r["type"] == "money" and r["value"]:
                others.setdefault(name, []).append(Decimal(r["value"]))
    for values in others.values():
        found.add(abs(sum(v for v in values if v < 0)))  # what the centrumgemeente receives in total
        found.add(abs(sum(v for v in values if v > 0)))  # and pays
    return found


def test_every_amount_in_every_letter_comes_from_the_evaluation_or_the_facts(act):
    example, _one, data, letters = act
    allowed = _known(example, data)
    for stem, files in letters.items():
        for fmt in FORMATS:
            found = amounts(text_of(f"x.{fmt}", files[fmt]))
            assert found, (stem, fmt)
            stray = {a for a in found if abs(a) not in allowed}
            assert not stray, f"{stem}.{fmt}: amounts not in the evaluation or the facts: {sorted(stray)[:5]}"


def test_every_date_in_every_letter_comes_from_the_evaluation_or_the_facts(act):
    example, one, data, letters = act
    allowed = {one.when, date.fromisoformat(data["covenant"]["version_date"])}
    allowed |= {date.fromisoformat(data["validity"][k]) for k in ("valid_from", "valid_until")}
    for deadline in data["deadlines"].values():
        value = deadline["value"]
        if isinstance(value, dict):
            allowed |= {date.fromisoformat(value["from"]), date.fromisoformat(value["until"])}
        elif value:
            allowed.add(date.fromisoformat(value))
    facts = load_document(REPO_ROOT / "examples" / f"{example}.yaml").data
    allowed |= {
        date.fromisoformat(v) for v in facts["facts"].values() if isinstance(v, str) and v[:2] == "20"
    }
    for stem, files in letters.items():
        for fmt in FORMATS:
            stray = set(dates_in(text_of(f"x.{fmt}", files[fmt]))) - allowed
            assert not stray, f"{stem}.{fmt}: dates not in the evaluation or the facts: {stray}"


def test_the_letter_is_one_or_two_pages_and_the_whole_within_the_target(act):
    """Measured on the PDF: the letter ends before 'Bijlage 1'; the whole is letter and annex."""
    _, one, _, letters = act
    target = PAGES[one.ev.rules.covenant.id]
    for stem, files in letters.items():
        pages = pdf_pages(files["pdf"])  # read once per run: other tests read the same letters
        annex = next(i for i, p in enumerate(pages) if "Bijlage 1 — Berekening" in p)
        assert 1 <= annex <= 2, (stem, annex)
        assert len(pages) <= target, (stem, len(pages))
        assert all("VOORBEELD" in p for p in pages), stem  # on every page
        assert all(f"pagina {i} van {len(pages)}" in p for i, p in enumerate(pages, start=1)), stem


IDENTIFIER = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # a fact's or rule's field name
CODE = re.compile(r"interpretation\(|\bif\b.*\bthen\b|\{\{|\{%|==|!=")


def test_no_identifier_code_syntax_or_bare_minus_in_any_letter(act):
    _, _one, _, letters = act
    for stem, files in letters.items():
        for fmt in FORMATS:
            text = text_of(f"x.{fmt}", files[fmt])
            assert not IDENTIFIER.findall(text), (stem, fmt, IDENTIFIER.findall(text)[:5])
            assert not CODE.findall(text), (stem, fmt)
            assert "€ -" not in text and "-€" not in text, (stem, fmt)
            own_words = re.sub(r"“[^”]*”", "", text)  # the engine's sentences, not the articles it quotes
            assert "Centrumregeling" not in own_words, (stem, fmt)


def test_the_centrumgemeente_record_lists_every_regiogemeente_with_the_totals(act):
    _, one, data, letters = act
    centrum = next(c for c, m in data["municipalities"].items() if m["role"] == "centrumgemeente")
    stem = next(s for s in letters if f"-{centrum}-" in s)
    text = text_of("x.md", letters[stem]["md"])
    record = text.split("Bijlage 1 — Berekening")[0]
    assert "Vastlegging voor de eigen administratie" in record
    paid = received = Decimal(0)
    for code, m in data["municipalities"].items():
        if code == centrum:
            continue
        for rule in one.act.states:
            r = m["results"].get(rule)
            if r is None or one.ev.rules.rules[rule].settlement is None:
                continue
            assert m["name"] in record
            if r["value"] and r["direction"] != "nihil":
                assert euros(r["value"]) in record, (code, rule)
                paid += max(Decimal(r["value"]), Decimal(0))
                received += max(-Decimal(r["value"]), Decimal(0))
    if paid and received:
        both = f"In totaal betalen wij {euros(paid)} aan regiogemeenten en ontvangen wij {euros(received)}"
        assert both in record
    elif paid:
        assert f"In totaal betalen wij {euros(paid)} aan regiogemeenten; wij ontvangen niets." in record
    elif received:
        assert f"In totaal ontvangen wij {euros(received)} van regiogemeenten; wij betalen niets." in record


def test_the_letters_command_writes_the_shared_letters(rendered, tmp_path):
    """The tests above read the letters rendered once for the test run; `convenant letters` writes
    exactly those files, byte for byte, besides its manifest."""
    out = tmp_path / "brieven"
    result = invoke("letters", "examples/groningen-2023.yaml", "--act", "besluit_achteraf", "--out", str(out))
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_bytes() for p in out.iterdir() if p.name != MANIFEST}
    shared = {
        k.removeprefix("letters/"): v
        for k, v in rendered("groningen-2023").outputs.items()
        if k.startswith("letters/") and "-besluit-achteraf-" in k
    }
    assert written == shared
    listed = (out / MANIFEST).read_text().splitlines()
    assert len(listed) == len(written)


def test_a_rerun_in_another_process_gives_byte_identical_files(rendered, tmp_path):
    """Another process, another hash seed, another day, the letters shared among two processes
    (as on a machine with two cores): the same bytes in every format."""
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONHASHSEED": "12345", WORKERS: "2"}
    command = [sys.executable, "-m", "convenant", "letters", str(ASSEN_FACTS), "--out", str(again)]
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shared = rendered("assen-2024").outputs
    written = [p for p in again.iterdir() if p.name != MANIFEST]
    assert written
    for path in written:
        assert path.read_bytes() == shared[f"letters/{path.name}"], path.name


def test_the_letters_are_shared_among_the_processes_asked_for_else_one_per_core(monkeypatch):
    monkeypatch.setenv(WORKERS, "3")
    assert workers() == 3
    for unusable in ("0", "-1", "twee", ""):
        monkeypatch.setenv(WORKERS, unusable)
        assert workers() == max(1, min(len(os.sched_getaffinity(0)), 4)), unusable


def test_real_facts_are_never_signed_by_the_example_profile(tmp_path):
    data = assen_facts()
    data["illustrative"] = False
    facts = write_facts(tmp_path, data)
    out = tmp_path / "out"
    result = invoke("letters", str(facts), "--out", str(out), "--format", "md")
    assert result.exit_code == 2
    assert "afzenderprofiel" in result.stderr and "--profile" in result.stderr
    assert "afzender-assen.yaml" in result.stderr
    assert not out.exists()


def test_a_profile_given_signs_the_letters(tmp_path):
    profile = tmp_path / "afzender.yaml"
    text = (REPO_ROOT / "examples" / "afzender-assen.yaml").read_text(encoding="utf-8")
    profile.write_text(text.replace("handled_by: ", "handled_by: J. Jansen # was: "), encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(
        "letters", str(ASSEN_FACTS), "--out", str(out), "--format", "md", "--profile", str(profile)
    )
    assert result.exit_code == 0, result.output
    text = letter_text(next(out.glob("*GM1680*.md")))
    assert "Behandeld door: J. Jansen" in text


def test_a_negative_result_is_paid_never_shown_with_a_bare_minus(tmp_path):
    facts = write_facts(tmp_path, assen_facts(macrobudget_bw=Decimal("37000000.00")))
    out = tmp_path / "out"
    result = invoke("letters", str(facts), "--out", str(out), "--format", "md")
    assert result.exit_code == 0, result.output
    letter = letter_text(next(out.glob("*GM1680*.md"))).split("Bijlage 1")[0]
    assert "U betaalt ons € " in letter and "Betalingskenmerk" in letter
    assert "€ -" not in letter
    own = letter_text(next(out.glob("*GM0106*.md"))).split("Bijlage 1")[0]
    assert "is een nadeel van € " in own and "€ -" not in own


def test_letters_need_a_date_and_never_take_the_clock_silently(tmp_path):
    data = assen_facts()
    del data["evaluation_date"]
    del data["facts"]["datum_besluit_definitief_aandeel"]
    facts = write_facts(tmp_path, data)
    out = tmp_path / "out"
    result = invoke("letters", str(facts), "--out", str(out), "--act", "voorlopig_aandeel")
    assert result.exit_code == 1
    assert "evaluation_date" in result.stderr and "--date" in result.stderr
    assert not out.exists()
    args = ("--out", str(out), "--format", "md", "--act", "voorlopig_aandeel", "--date", "2025-02-14")
    result = invoke("letters", str(facts), *args)
    assert result.exit_code == 0, result.output
    text = letter_text(next(out.glob("*GM1680*.md")))
    assert "Datum: 14 februari 2025" in text and "opgegeven bij het maken van de brieven" in text


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
    args = ("letters", str(ASSEN_FACTS), "--rules", str(rules), "--out", str(out), "--format", "md")
    assert invoke(*args).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    edit_template(rules, "resultaat_mo", "{{ uitgaven_mo }}", "{{ uitgave_mo }}")
    result = invoke(*args)
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


# --- verify-letter: is this letter exactly what these inputs give? -------------------------------


def test_verify_letter_finds_each_format_identical_and_a_changed_one_different(rendered, tmp_path):
    shared = rendered("groningen-2022").outputs
    stem = "groningen-2022-mededeling-GM0765-pekela"
    facts = str(REPO_ROOT / "examples" / "groningen-2022.yaml")
    for fmt in FORMATS:
        path = tmp_path / f"{stem}.{fmt}"
        path.write_bytes(shared[f"letters/{stem}.{fmt}"])
        result = invoke("verify-letter", str(path), facts)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"Identiek: {path} is precies de brief {stem}.{fmt} aan Pekela")
    changed = tmp_path / f"{stem}.md"
    changed.write_bytes(changed.read_bytes().replace(b"443.225,79", b"443.225,80"))
    result = invoke("verify-letter", str(changed), facts)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"Niet identiek: {changed}")


def test_verify_letter_by_kenmerk_says_found_or_made_from_other_inputs(rendered):
    text = text_of(
        "x.md", rendered("assen-2024").outputs["letters/assen-2024-definitief-aandeel-GM1680-aa-en-hunze.md"]
    )
    kenmerk = re.search(r"assen/2024/definitief-aandeel/GM1680/[0-9a-f]{8}", text)[0]
    facts = str(ASSEN_FACTS)
    result = invoke("verify-letter", kenmerk, facts)
    assert result.exit_code == 0, result.output
    assert f"Gevonden: het kenmerk {kenmerk} is de brief" in result.stdout and "Aa en Hunze" in result.stdout
    other = kenmerk[:-8] + ("0" * 8 if not kenmerk.endswith("0" * 8) else "1" * 8)
    result = invoke("verify-letter", other, facts)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"Andere invoer: het kenmerk {other} hoort bij de brief")
    assert invoke("verify-letter", "assen/2024/definitief-aandeel/GM9999/00000000", facts).exit_code == 1


def test_the_kenmerk_changes_with_any_input(tmp_path):
    """The inputs part of the kenmerk is the hash of every input: one changed fact gives another."""
    kenmerken = []
    for worth in ("38412000.00", "38412000.01"):
        (tmp_path / worth).mkdir()
        facts = write_facts(tmp_path / worth, assen_facts(macrobudget_bw=Decimal(worth)))
        out = tmp_path / worth / "out"
        made = invoke("letters", str(facts), "--out", str(out), "--format", "md")
        assert made.exit_code == 0, made.output
        text = letter_text(next(out.glob("*GM1680*.md")))
        kenmerken.append(re.search(r"assen/2024/definitief-aandeel/GM1680/([0-9a-f]{8})", text)[1])
    assert kenmerken[0] != kenmerken[1]


def test_the_key_in_the_annex_is_exact_to_twelve_decimals(act):
    """With the printed key the Budgetdeel is recomputed to the cent (the old annex's ≈ 5,8835 %
    was € 38,54 off)."""
    _, one, data, letters = act
    keys = _closure_keys(one)
    for stem, files in letters.items():
        code = re.search(r"-(GM\d{4})-", stem)[1]
        for rule, result in data["municipalities"][code]["results"].items():
            if result["type"] != "ratio" or not result["value"] or rule not in keys:
                continue
            value = Fraction(result["value"])
            scaled = int(abs(value) * 10**12 + Fraction(1, 2))
            shown = f"{'−' if value < 0 else ''}{scaled // 10**12},{scaled % 10**12:012d}"
            assert shown in text_of("x.md", files["md"]), (stem, rule, shown)


def _closure_keys(one) -> set[str]:
    """The keys the act's settlements rest on: the annex prints those."""
    from convenant.letters import letterform
    from convenant.letters.profile import for_letters

    builder = letterform._Builder(one, for_letters(one.ev), "nl")
    return {n for r in builder.settled if one.ev.nodes[r].value is not None for n in builder.closure(r)}


def test_the_one_amount_recomputes_by_hand_from_the_annex(rendered):
    """Aa en Hunze, definitief aandeel: € 461.876,55 × 0,071017624129 = € 32.801,38 (to the cent)."""
    text = text_of(
        "x.pdf",
        rendered("assen-2024").outputs["letters/assen-2024-definitief-aandeel-GM1680-aa-en-hunze.pdf"],
    )
    assert "€ 461.876,55" in text and "0,071017624129" in text
    assert (Decimal("461876.55") * Decimal("0.071017624129")).quantize(Decimal("0.01")) == Decimal("32801.38")
    assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in text


def test_the_analysts_guide_shows_the_first_page_of_a_letter_of_each_act():
    guide = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    for example, act in CASES:
        name = f"img/brief-{example}-{act}-1.png"
        if example == "groningen-2022" and act == "besluit_achteraf":
            continue  # shown for 2023, whose decision has its adjustment
        if example == "groningen-2023" and act == "mededeling":
            continue  # shown for 2022
        assert f"]({name})" in guide, name
        assert (REPO_ROOT / "docs" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


# --- a house-style Word template: --docx-template ------------------------------------------------


def _house_style(tmp_path: Path, broken: bool = False) -> Path:
    from docx import Document

    from convenant.render.docx_letter import TEMPLATE

    house = Document(str(TEMPLATE))
    house.styles["Brieftekst"].font.name = "Verdana"
    if broken:
        house.styles["Brieftekst"].name = "Platte tekst"
        (annexes,) = [p for p in house.paragraphs if p.text == "{{p annexes }}"]
        annexes.runs[0].text = "{{p bijlagen }}"
    path = tmp_path / ("kapot.docx" if broken else "huisstijl.docx")
    house.save(str(path))
    return path


def test_a_house_style_template_makes_the_docx_and_is_an_input_of_the_letter(tmp_path):
    house = _house_style(tmp_path)
    out = tmp_path / "out"
    # the two formats this test reads: the DOCX the template makes, and the Markdown that names it
    formats = ("--format", "docx", "--format", "md")
    made = invoke("letters", str(ASSEN_FACTS), "--out", str(out), "--docx-template", str(house), *formats)
    assert made.exit_code == 0, made.output
    from docx import Document

    letter = out / "assen-2024-definitief-aandeel-GM1680-aa-en-hunze.docx"
    assert Document(str(letter)).styles["Brieftekst"].font.name == "Verdana"
    text = letter_text(letter)
    assert "U ontvangt van ons € 32.801,38, uiterlijk 30 juni 2025 (artikel 8, zesde lid)." in text
    sha = hashlib.sha256(house.read_bytes()).hexdigest()
    assert f"Word-sjabloon huisstijl.docx {sha}" in letter_text(
        letter.with_suffix(".md")
    )  # every format says so
    # the template is an input: verify-letter needs it, and then finds the letter identical
    assert invoke("verify-letter", str(letter), str(ASSEN_FACTS)).exit_code == 1
    again = invoke("verify-letter", str(letter), str(ASSEN_FACTS), "--docx-template", str(house))
    assert again.exit_code == 0, again.output


def test_a_template_that_cannot_make_letters_is_refused_with_what_it_lacks(tmp_path):
    broken = _house_style(tmp_path, broken=True)
    out = tmp_path / "out"
    result = invoke("letters", str(ASSEN_FACTS), "--out", str(out), "--docx-template", str(broken))
    assert result.exit_code == 1
    message = " ".join(result.stderr.split())
    assert f"het Word-sjabloon {broken} mist de stijl ‘Brieftekst’" in message
    assert "mist de plaatshouder ‘annexes’" in message and "gebruikt de plaatshouder ‘bijlagen’" in message
    assert not out.exists()
    text = tmp_path / "brief.docx"
    text.write_text("geen Word-bestand", encoding="utf-8")
    result = invoke("letters", str(ASSEN_FACTS), "--out", str(out), "--docx-template", str(text))
    assert result.exit_code == 1
    assert f"{text} is geen Word-bestand (docx) waarvan brieven kunnen worden gemaakt" in result.stderr
    assert not out.exists()
