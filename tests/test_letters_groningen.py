"""Letters and explanations for the Groningen covenant: one letter per municipality of the year (Eemsdelta
for its three predecessors) in md, html and pdf; every amount and date read back from each letter must
come from `convenant evaluate --format json` or from the fact file (read independently here)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant.check.checking import load_rule_file
from convenant.cli.cli import cli
from convenant.letters.letters import MANIFEST
from convenant.source.loading import load_document
from tests.explain_support import amounts, dates_in, letter_text
from tests.paths import REPO_ROOT
from tests.test_groningen import MEMBERS

FORMATS = ("md", "html", "pdf")
EXAMPLES = ("groningen-2022.yaml", "groningen-2023.yaml")
ACTS = {"mededeling": ("afrekening",), "besluit_achteraf": ("buffer_betaling", "bijstelling")}
# the receiving deelnemer's term in the mededeling: the receipt lies after the letter (art. 3 lid 5)
AFTER_RECEIPT = (
    "binnen 14 dagen nadat de gemeente Groningen de betalingen van artikel 3, vierde lid, heeft ontvangen"
)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def shared_letters(rendered, name: str, act: str) -> dict[str, bytes]:
    """The letters of one act of the example as `convenant letters --act` makes them (md/html/pdf,
    dated as the act is), rendered once for the whole test run and shared with the golden tests."""
    found = rendered(name.removesuffix(".yaml")).outputs
    stem = f"-{act.replace('_', '-')}-"
    return {
        key.removeprefix("letters/"): data
        for key, data in found.items()
        if key.startswith("letters/") and stem in key
    }


@pytest.fixture(scope="module", params=[(e, a) for e in EXAMPLES for a in ACTS], ids="-".join)
def example(request, tmp_path_factory, rendered) -> tuple[Path, Path, dict]:
    name, act = request.param
    facts = REPO_ROOT / "examples" / name
    out = tmp_path_factory.mktemp("brieven") / act
    out.mkdir()
    for file, data in shared_letters(rendered, name, act).items():
        (out / file).write_bytes(data)
    evaluated = invoke("evaluate", str(facts), "--format", "json")
    assert evaluated.exit_code == 0, evaluated.output
    return facts, out, json.loads(evaluated.stdout)


def _decimal(value) -> set[Decimal]:
    if isinstance(value, Decimal):
        return {abs(value)}
    if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit() and "." in value:
        return {abs(Decimal(value))}
    return set()


def known_amounts(facts_path: Path, data: dict) -> set[Decimal]:
    """Results (JSON), facts (the file), and what the sheet shows cell by cell: count × value per
    indication, each row's and the whole sheet's total, computed here from the fact file."""
    found: set[Decimal] = set()
    results = [*data["results"].values()]
    results += [r for m in data["municipalities"].values() for r in m["results"].values()]
    results += [r for m in data["other_rows"].values() for r in m["results"].values()]
    for result in results:
        if result["type"] == "money" and result["value"]:
            found |= _decimal(result["value"])
    facts = load_document(facts_path).data
    for value in facts["facts"].values():
        found |= _decimal(value) | {
            d for v in (value.values() if isinstance(value, dict) else []) for d in _decimal(v)
        }
    entries = {**facts["municipalities"], **facts.get("rows", {})}
    for values in entries.values():
        for value in values.values():
            found |= _decimal(value)
    predecessors = [entries[c] for c in ("GM0003", "GM0010", "GM0024") if c in entries]
    for name in {n for values in predecessors for n, v in values.items() if isinstance(v, Decimal)}:
        found.add(sum(values[name] for values in predecessors))  # Eemsdelta: added up from the file
    # the sheet: per row (predecessors added up) and column, count × value; totals
    for counts_name, prices_name in (
        ("aantal_indicaties", "indicatiewaarde"),
        ("aantal_indicaties_na_wijziging", "indicatiewaarde_na_wijziging"),
    ):
        prices = facts["facts"].get(prices_name)
        if prices is None:
            continue
        total = Decimal(0)
        rows: dict[str, dict[str, int]] = {}
        for code, values in entries.items():
            if counts_name in values:
                member = "GM1979" if code in ("GM0003", "GM0010", "GM0024") else code
                row = rows.setdefault(member, dict.fromkeys(prices, 0))
                for column, count in values[counts_name].items():
                    row[column] += count
        for row in rows.values():
            for column, count in row.items():
                worth = Decimal(count) * Decimal(prices[column])
                found.add(worth)
                total += worth
        found.add(total)
    claims = [
        Decimal(m["results"]["buffer_aanspraak"]["value"])
        for m in data["municipalities"].values()
        if m["results"].get("buffer_aanspraak", {}).get("value")
    ]
    if claims:
        found.add(sum(claims))
    return found


def known_dates(facts_path: Path, data: dict) -> set[date]:
    found = {date.fromisoformat(data["facts"]["evaluation_date"])}
    found.add(date.fromisoformat(data["covenant"]["version_date"]))
    found |= {date.fromisoformat(data["validity"][k]) for k in ("valid_from", "valid_until")}
    for deadline in data["deadlines"].values():
        if deadline["value"]:
            found.add(date.fromisoformat(deadline["value"]))
    facts = load_document(facts_path).data
    found |= {date.fromisoformat(v) for v in facts["facts"].values() if isinstance(v, str) and v[:2] == "20"}
    return found


def letters_of(out: Path, code: str) -> dict[str, Path]:
    return {fmt: next(out.glob(f"groningen-*-{code}-*.{fmt}")) for fmt in FORMATS}


def test_one_letter_per_municipality_of_the_year(example):
    _, out, data = example
    assert list(data["municipalities"]) == MEMBERS
    for code in MEMBERS:
        assert all(p.stat().st_size > 0 for p in letters_of(out, code).values())
    assert not list(out.glob("*GM0003*"))  # Appingedam is Eemsdelta in 2022 and 2023


def test_the_letters_command_writes_the_shared_letters(rendered, tmp_path):
    """The tests above read the letters rendered once for the test run; `convenant letters` writes
    exactly those files, byte for byte, besides its manifest (shown for one example: the command
    is the same for both, and each PDF is typeset once per run, so this costs no typesetting)."""
    out = tmp_path / "brieven"
    facts = str(REPO_ROOT / "examples" / EXAMPLES[-1])
    result = invoke("letters", facts, "--act", "besluit_achteraf", "--out", str(out))
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_bytes() for p in out.iterdir() if p.name != MANIFEST}
    assert written == shared_letters(rendered, EXAMPLES[-1], "besluit_achteraf")
    assert len(written) == len(MEMBERS) * len(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_amount_and_date_comes_from_the_evaluation_or_the_facts(example, fmt):
    facts_path, out, data = example
    allowed, allowed_dates = known_amounts(facts_path, data), known_dates(facts_path, data)
    for code in MEMBERS:
        text = letter_text(letters_of(out, code)[fmt])
        found = amounts(text)
        assert len(found) > 20, f"{code}.{fmt}: too few amounts read back"
        # whole-cent amounts must be known; an exact intermediate (a fraction of a cent, shown in the
        # arithmetic) is checked by what it rounds to when it is the unrounded form of a known amount
        stray = {
            a
            for a in found
            if abs(a) not in allowed
            and not (
                a.as_tuple().exponent < -2 and abs(a).quantize(Decimal("0.01"), "ROUND_HALF_UP") in allowed
            )
        }
        assert not stray, f"{code}.{fmt}: amounts not in the evaluation or the facts: {sorted(stray)[:5]}"
        stray_dates = set(dates_in(text)) - allowed_dates
        assert not stray_dates, f"{code}.{fmt}: dates not in the evaluation: {stray_dates}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_deelnemer_letter_states_its_settlement_with_direction_and_deadline(example, fmt):
    _, out, data = example
    for code in MEMBERS:
        entry = data["municipalities"][code]
        text = letter_text(letters_of(out, code)[fmt])
        settlement = entry["results"].get("afrekening")
        if settlement is None:
            assert entry["role"] == "centrumgemeente"
            continue
        if out.name != "mededeling":  # the difference of art. 3 lid 4-5 is the mededeling's
            assert "Verschil tussen Budgetdeel en individuele uitkering (" not in text
            continue
        amount = (
            f"{abs(Decimal(settlement['value'])):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        )
        deadline = data["deadlines"][settlement["deadline"]]["value"]
        verb = "U ontvangt" if settlement["direction"] == "ontvangt" else "U betaalt"
        assert f"{verb} € {amount}" in text
        if settlement["direction"] == "ontvangt":  # after the receipt, which the letter cannot know yet
            assert f"{verb} € {amount} van de gemeente Groningen, {AFTER_RECEIPT}" in " ".join(text.split())
            if deadline:
                assert date.fromisoformat(deadline) not in dates_in(text)
        elif deadline:
            day = date.fromisoformat(deadline)
            assert dates_in(text).count(day) >= 1
        assert "VOORBEELD" in text


def test_the_eemsdelta_explanation_says_its_facts_were_added_up():
    result = invoke(
        "explain", str(REPO_ROOT / "examples" / "groningen-2023.yaml"), "--municipality", "Delfzijl"
    )
    assert result.exit_code == 0, result.output
    assert "# Uitleg bij de berekening — Eemsdelta" in result.stdout
    assert "opgeteld over Appingedam, Delfzijl, Loppersum" in result.stdout


def sheet_of_exactly_100_percent(tmp_path: Path, scaling: str) -> tuple[Path, Path]:
    """Facts whose sheet totals exactly 100 % without scaling: one cell of 944 × € 100.000,00 =
    € 94.400.000,00 is 94,4 % of a Budget of € 100.000.000,00; the fixed columns add 5,6 %
    (0,25 + 3 + 3,5 − 1,15 for the eigen bijdrage of Bijlage 1)."""
    from tests.conftest import load_example, write_facts

    data = load_example("groningen-2022.yaml")
    for entry in [*data["municipalities"].values(), *data["rows"].values()]:
        entry["aantal_indicaties"] = dict.fromkeys(entry["aantal_indicaties"], 0)
    data["municipalities"]["GM0014"]["aantal_indicaties"]["bw_intramuraal"] = 944
    data["facts"]["indicatiewaarde"]["bw_intramuraal"] = "100000.00"
    for code in data["municipalities"]:
        data["municipalities"][code]["individuele_uitkering"] = "10000000.00"
    rules = tmp_path / "rules" / "groningen" / "2021.yaml"
    rules.parent.mkdir(parents=True)
    source = REPO_ROOT / "rules" / "groningen"
    rules.write_text(
        (source / "2021.yaml").read_text(encoding="utf-8").replace("chosen: schalen", f"chosen: {scaling}"),
        encoding="utf-8",
    )
    (rules.parent / "2021-bijlage-1.yaml").write_text(
        (source / "2021-bijlage-1.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    import shutil

    shutil.copytree(source / "2021.templates", rules.parent / "2021.templates")
    return write_facts(tmp_path, data), rules


def test_switching_i_g_4_2a_changes_the_interpretation_paragraph_not_the_amounts(tmp_path):
    texts, keys = {}, {}
    for scaling in ("schalen", "geen"):
        facts, rules = sheet_of_exactly_100_percent(tmp_path / scaling, scaling)
        result = invoke("explain", str(facts), "--rules", str(rules), "--municipality", "GM0014")
        assert result.exit_code == 0, result.output
        texts[scaling] = result.stdout
        evaluated = invoke("evaluate", str(facts), "--rules", str(rules), "--format", "json")
        keys[scaling] = json.loads(evaluated.stdout)["municipalities"]["GM0014"]["results"]["verdeelsleutel"][
            "value"
        ]
    # 944 × 100.000 / 100.000.000 − 2,51 % eigen bijdrage = 94,4 % − 2,51 % = 91,89 % either way
    assert keys["schalen"] == keys["geen"] == str(Fraction("0.9189"))
    assert (
        "**I-G-4.2a** (artikel 4, tweede lid, onder a), `schalen`: De relatieve indicatiewaarden"
        in texts["schalen"]
    )
    assert (
        "**I-G-4.2a** (artikel 4, tweede lid, onder a), `geen`: Een cel is de indicatiewaarde gedeeld door"
        in texts["geen"]
    )
    assert "Interpretatie I-G-4.2a, ‘geen’: een cel = haar indicatiewaarde / het Budget" in texts["geen"]
    # the reading not chosen is named as such, never as the chosen one
    assert "), `geen`: " not in texts["schalen"] and "), `schalen`: " not in texts["geen"]


def test_every_interpretation_used_appears_in_the_explanation():
    result = invoke("explain", str(REPO_ROOT / "examples" / "groningen-2023.yaml"))
    assert result.exit_code == 0, result.output
    data = json.loads(
        invoke("evaluate", str(REPO_ROOT / "examples" / "groningen-2023.yaml"), "--format", "json").stdout
    )
    used = {
        i
        for m in data["municipalities"].values()
        for r in m["results"].values()
        for i in r["interpretations"]
    }
    used |= {
        i for r in [*data["results"].values(), *data["deadlines"].values()] for i in r["interpretations"]
    }
    assert used >= {"I-G-4.2a", "I-G-rows", "I-G-numbering", "I-months", "I-ATW"}
    for ident in used:
        assert f"**{ident}**" in result.stdout


def letter_body(path: Path) -> str:
    """The letter itself, without the explanation attached to it."""
    return path.read_text(encoding="utf-8").split("## Uitleg bij de berekening")[0]


def missing_facts(rule: str, own: dict, shared: dict, facts: set[str]) -> set[str]:
    """The facts an unknown result waits for, traced back through the unknown results it uses."""
    found, todo, seen = set(), [rule], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in facts:
            found.add(name)
        elif (result := own.get(name) or shared.get(name)) is not None:
            todo += result.get("unknown_because") or []
    return found


def test_each_settlement_is_headed_by_its_subject_and_article_and_states_its_outcome(example):
    """A reader must not have to guess which amount belongs to which subject: every settlement is a
    section of its own, its heading naming the subject and the article, its first paragraph the
    outcome; a settlement not yet known names the missing facts as the rule file describes them."""
    _, out, data = example
    rules = load_rule_file(REPO_ROOT / "rules" / "groningen" / "2021.yaml")
    for code in MEMBERS:
        entry = data["municipalities"][code]
        if entry["role"] == "centrumgemeente":
            continue
        sections = re.split(r"^## ", letter_body(letters_of(out, code)["md"]), flags=re.M)[1:]
        settled = [r for r in ACTS[out.name] if r in entry["results"]]
        assert len(sections) == len(settled), code
        for rule, section in zip(settled, sections, strict=True):
            result = entry["results"][rule]
            heading, first = (p.strip() for p in section.split("\n\n")[:2])
            title = re.sub(r"\s*\([^)]*\)", "", result["label"])
            assert heading == f"{title} ({result['citation']['text']})"
            if result["value"] is None:
                assert first.startswith("**Dit bedrag is nog niet te berekenen: in de gegevens ontbreekt")
                facts = missing_facts(rule, entry["results"], data["results"], set(rules.facts))
                assert facts, "an unknown settlement waits for at least one fact"
                for name in facts:
                    assert f"‘{rules.facts[name].label}’ ({name})" in first
            else:
                verbs = {"ontvangt": "U ontvangt €", "betaalt": "U betaalt €"}
                assert first.startswith(f"**{verbs.get(result['direction'], 'U ontvangt niets')}")


def test_the_centrumgemeente_record_reads_as_whole_sentences(example):
    _, out, _ = example
    body = letter_body(letters_of(out, "GM0014")["md"])
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    prose = [p for p in paragraphs if not p.startswith(("#", "|", "-", ">"))]
    own = any(p.startswith("**Het aandeel van de gemeente Groningen") for p in prose)
    assert own == (out.name == "besluit_achteraf")  # the mededeling settles only the deelnemers
    for paragraph in prose:
        if paragraph.startswith("het college van"):  # the signature
            continue
        assert paragraph.rstrip("*").endswith((".", ","))  # the salutation ends with a comma
        assert ".." not in paragraph and "gebeurt het convenant" not in paragraph
