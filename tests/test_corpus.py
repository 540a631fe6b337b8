"""The bad-input corpus (tests/corpus.py) against the command line: every case refused with the
right exit code, in Dutch, at the file and line, with nothing left behind and nothing of the user
touched; and Ctrl-C in the middle of evaluate, letters and batch leaving nothing behind.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from tests import corpus
from tests.conftest import interruptible
from tests.paths import REPO_ROOT

CLASSES = corpus.CLASSES
CASES = corpus.all_cases(CLASSES)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> corpus.Tree:
    return corpus.Tree(tmp_path_factory.mktemp("gebruiker"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_corpus(tree: corpus.Tree, case: corpus.Case) -> None:
    corpus.check_case(case, corpus.run_case(tree, case))


def test_the_corpus_is_several_hundred_cases_in_every_class() -> None:
    counts = {generate.__name__: len(list(generate())) for generate in corpus.CLASSES}
    assert sum(counts.values()) >= 500, counts
    assert all(n >= 5 for n in counts.values()), counts


def test_the_tree_is_put_back_after_a_case_that_changes_it(tree: corpus.Tree) -> None:
    def scribble(root: Path) -> None:
        (root / "examples" / "assen-2024.yaml").write_text("kapot")
        (root / "nieuw").mkdir()
        (root / "nieuw" / "bestand.txt").write_text("x")

    case = corpus.case("scribble", "validate", corpus.ASSEN_FACTS, setup=scribble)
    corpus.run_case(tree, case)
    assert corpus.snapshot(tree.root) == tree.base


# --- interrupts --------------------------------------------------------------------------------


def _interrupt(*_: Any, **__: Any) -> None:
    raise KeyboardInterrupt


INTERRUPTS = {
    "evaluate": (("evaluate", corpus.ASSEN_FACTS), "convenant.workflow.session.evaluate"),
    "letters-while-composing": (
        ("letters", corpus.ASSEN_FACTS, "--out", "brieven"),
        "convenant.letters.letters.make_letters",
    ),
    "letters-while-writing": (
        ("letters", corpus.ASSEN_FACTS, "--out", "brieven", "--format", "md"),
        "pathlib.Path.write_bytes",
    ),
    "letters-while-moving": (
        ("letters", corpus.ASSEN_FACTS, "--out", "brieven", "--format", "md"),
        "convenant.letters.letters.os.rename",
    ),
    "batch-csv-while-writing": (
        ("batch", corpus.ASSEN, corpus.ASSEN_SCENARIOS, "--out", "uit.csv"),
        "convenant.source.spreadsheets.AtomicWriter.write_columns",  # a chunk's columns at once
    ),
    "batch-xlsx-while-writing": (
        ("batch", corpus.ASSEN, corpus.ASSEN_SCENARIOS, "--out", "uit.xlsx"),
        "convenant.source.spreadsheets.AtomicWriter.write",
    ),
    "new-version-while-writing": (
        ("new-version", corpus.ASSEN, "--version", "1.7", "--valid-from", "2025-07-01"),
        "convenant.workflow.newversion.os.replace",
    ),
    # interrupted while the complete results file is put in place (convenant.core.output.place)
    "batch-while-moving": (
        ("batch", corpus.GRONINGEN, corpus.GRONINGEN_SCENARIOS, "--out", "uit.csv"),
        "convenant.core.output.os.link",
    ),
}


# openpyxl's write-only workbook, discarded half-written, complains when it is collected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("label", INTERRUPTS)
def test_ctrl_c_leaves_nothing_behind(tree: corpus.Tree, label: str) -> None:
    args, target = INTERRUPTS[label]
    case = corpus.Case(f"interrupt:{label}", args)
    with mock.patch(target, _interrupt):
        outcome = corpus.run_case(tree, case)
    shown = f"\n{outcome.output}"
    assert outcome.exit_code == 130, shown  # 128 + SIGINT, as shells report it (README)
    assert "onderbroken (SIGINT)" in outcome.stderr and "Aborted" not in outcome.stderr, shown
    assert not corpus.TRACEBACK.search(outcome.output), shown
    assert outcome.after == outcome.before, (
        f"left behind or changed: {set(outcome.after) ^ set(outcome.before)}"
    )


@pytest.fixture
def many_scenarios(tmp_path: Path) -> Iterator[Path]:
    rows = corpus._csv(corpus.ASSEN_SCENARIOS)
    path = tmp_path / "veel.csv"
    # 300,000 rows: the batch must still be running when the signal comes, also on a busy machine
    path.write_text(corpus._joined([rows[0]]) + corpus._joined([rows[1]]) * 300_000, encoding="utf-8")
    yield path


def test_sigint_into_a_real_batch_leaves_no_file(tmp_path: Path, many_scenarios: Path) -> None:
    out = tmp_path / "uit.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "convenant",
            "batch",
            str(REPO_ROOT / corpus.ASSEN),
            str(many_scenarios),
            "--out",
            str(out),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".uit.csv.*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the batch ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["veel.csv"], stderr


# --- messages that misled, and what they say now ------------------------------------------------

_ASSEN = corpus.original(corpus.ASSEN)
_FACTS = corpus.original(corpus.ASSEN_FACTS)
_GRONINGEN_FACTS = corpus.original(corpus.GRONINGEN_FACTS)
_SENTENCE = f"{corpus.ASSEN_TEMPLATES}/resultaat_bw.j2"
FIXED = {
    "two ways of computing: the choices, not the letters of a string": (
        ("validate", corpus.ASSEN),
        {
            corpus.ASSEN: corpus.rename_key(
                _ASSEN, ("rules", "verdeelsleutel_bw", "label"), "expression: x\n    label"
            )
        },
        "kies één van: expression, weighted_key.",  # the two it has, not every way there is
        "e, x, p, r",
    ),
    "a parameter without value: no 'onbekende naam' and no 'never used' after it": (
        ("validate", corpus.ASSEN),
        {corpus.ASSEN: corpus.delete_entry(_ASSEN, ("parameters", "weging_inwoners", "value"))},
        "parameter ‘weging_inwoners’ moet óf een waarde (value) hebben",
        "onbekende naam",
    ),
    "a deleted parameter: no 'never used' for what the refused rule uses": (
        ("validate", corpus.ASSEN),
        {corpus.ASSEN: corpus.delete_entry(_ASSEN, ("parameters", "weging_inwoners"))},
        "onbekende naam: weging_inwoners",
        "wordt door geen enkele regel",
    ),
    "a list where a fact's value belongs: in Dutch, not jsonschema's English": (
        ("evaluate", corpus.ASSEN_FACTS),
        {corpus.ASSEN_FACTS: corpus.set_value(_FACTS, ("facts", "macrobudget_bw"), "[1, 2]")},
        "maar hier staat een lijst",
        "is not valid under any of the given schemas",
    ),
    "a refused value of a municipality is not also 'missing'": (
        ("evaluate", corpus.GRONINGEN_FACTS),
        {
            corpus.GRONINGEN_FACTS: corpus.set_value(
                _GRONINGEN_FACTS, ("municipalities", "GM1979", "kosten_taken"), '"veel"'
            )
        },
        "‘veel’ is geen getal",
        "ontbreekt",
    ),
    "a quoted year: remove the quotes": (
        ("evaluate", corpus.ASSEN_FACTS),
        {corpus.ASSEN_FACTS: corpus.set_value(_FACTS, ("year",), '"2024"')},
        "Haal de aanhalingstekens weg.",
        "Zet de waarde tussen aanhalingstekens",
    ),
    "a tab is called a tab (libyaml says 'cannot start any token')": (
        ("evaluate", corpus.GRONINGEN_FACTS),
        {corpus.GRONINGEN_FACTS: _GRONINGEN_FACTS + "\t- x\n"},
        "een tab; spring in met spaties",
        "cannot start any token",
    ),
    "a fact file for another covenant: one message, no list of misspellings": (
        ("evaluate", corpus.ASSEN_FACTS, "--rules", corpus.GRONINGEN),
        {},
        "het feitenbestand is voor convenant ‘assen’",
        "Controleer de spelling",
    ),
    "Python internals in a sentence: named, in Dutch, at the attribute": (
        ("validate", corpus.ASSEN),
        {_SENTENCE: corpus.original(_SENTENCE) + "{{ cycler.__init__.__globals__ }}\n"},
        f"{_SENTENCE}:10:11",
        "is unsafe",
    ),
    "an include of a missing template: at the line that asks for it": (
        ("validate", corpus.ASSEN),
        {_SENTENCE: corpus.original(_SENTENCE) + "{% include 'os' %}\n"},
        f"{_SENTENCE}:10",
        "controleer de naam en de map",
    ),
    "Jinja's syntax in Dutch": (
        ("validate", corpus.ASSEN),
        {_SENTENCE: corpus.original(_SENTENCE) + "{% if true %}ja\n"},
        "het blok {% if %} wordt nergens gesloten met {% endif %}",
        "Jinja was looking",
    ),
    "an unknown option in Dutch, with the option meant": (
        ("evaluate", corpus.ASSEN_FACTS, "--frmat", "json"),
        {},
        "onbekende optie --frmat",
        "No such option",
    ),
    "a wrong --out of batch: what it must end in": (
        ("batch", corpus.ASSEN, corpus.ASSEN_SCENARIOS, "--out", "uit.json"),
        {},
        "het uitvoerbestand eindigt op .csv of .xlsx",
        ".csv / .xlsx",
    ),
    "a failed batch row names its file": (
        ("batch", corpus.ASSEN, corpus.ASSEN_SCENARIOS, "--out", "uit.csv", "--jaar", "2031"),
        {
            corpus.ASSEN_SCENARIOS: corpus._joined(
                [[c for i, c in enumerate(r) if i != 1] for r in corpus._csv(corpus.ASSEN_SCENARIOS)]
            )
        },
        f"{corpus.ASSEN_SCENARIOS}, rij 2 (basis)",
        "\nrij 2",
    ),
    "a CBS code in lower case: what a code looks like": (
        ("evaluate", corpus.ASSEN_FACTS),
        {corpus.ASSEN_FACTS: corpus.rename_key(_FACTS, ("municipalities", "GM1680"), "gm1680")},
        "GM en vier cijfers",
        "wat te doen: \n",
    ),
}


@pytest.mark.parametrize("label", FIXED)
def test_a_message_that_misled_now_says(tree: corpus.Tree, label: str) -> None:
    args, files, says, not_says = FIXED[label]
    outcome = corpus.run_case(tree, corpus.case(label, *args, files=files))
    assert outcome.exit_code in (1, 2), outcome.output
    assert says in outcome.stderr, outcome.stderr
    assert not_says not in outcome.stderr, outcome.stderr
