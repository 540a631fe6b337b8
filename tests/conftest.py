"""Shared helpers: the shipped Assen rule file, fact files built from dicts, and the CLI."""

from __future__ import annotations

import copy
import re
import signal
from collections.abc import Callable
from decimal import Decimal
from functools import cache, partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from convenant.check.checking import check_rule_file, load_rule_file, table_for
from convenant.check.facts import Facts, FactValue
from convenant.cli.cli import cli
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.evaluation.evaluate import Evaluation, evaluate
from convenant.language.model import RuleFile
from convenant.source.loading import load_document, parse_document
from tests.paths import REPO_ROOT

RULES = REPO_ROOT / "rules"
ASSEN = RULES / "assen" / "2024-v1.6.yaml"
ASSEN_FACTS = REPO_ROOT / "examples" / "assen-2024.yaml"

# The parties of the Assen covenant in preamble order (the tie-break order), by CBS code.
ASSEN_CODES = ["GM1680", "GM0106", "GM0118", "GM0119", "GM1731", "GM1699", "GM1730", "GM1701", "GM1690"]


@cache
def assen_rules() -> RuleFile:
    """The shipped Assen rule file, checked once per test run."""
    return load_rule_file(ASSEN)


@pytest.fixture
def assen() -> RuleFile:
    return assen_rules()


def assen_text() -> str:
    return ASSEN.read_text(encoding="utf-8")


def check_text(text: str, name: str = "rules/test/broken.yaml") -> RuleFile:
    """Check a rule file given as text, against the project's municipalities table."""
    return check_rule_file(parse_document(text, name), table_for(ASSEN))


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ConvenantError) as caught:
        check_text(text)
    return list(caught.value.problems)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `needle`."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r}"
    return text.replace(old, new)


def example_facts() -> dict[str, Any]:
    """The bundled Assen 2024 example facts as plain data, read exactly by our own loader."""
    return copy.deepcopy(load_document(ASSEN_FACTS).data)


def load_example(name: str) -> dict[str, Any]:
    """A bundled example fact file as plain data, read exactly by our own loader."""
    return copy.deepcopy(load_document(REPO_ROOT / "examples" / name).data)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def facts_text(data: dict[str, Any]) -> str:
    """The text of a fact file from a dict; decimals are written as plain numbers, exactly."""
    text = yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False)
    # safe_dump quotes strings that look like numbers; money written as numbers, unquoted
    text = re.sub(r"'(-?[0-9]+\.[0-9]+)'", r"\1", text)
    return "# yaml-language-server: $schema=../schemas/facts.schema.json\n" + text


def write_facts(directory: Path, data: dict[str, Any], name: str = "facts.yaml") -> Path:
    """A fact file from a dict; decimals are written as plain numbers, exactly."""
    path = directory / name
    path.write_text(facts_text(data), encoding="utf-8")
    return path


def assen_facts(**scalars: Any) -> dict[str, Any]:
    data = copy.deepcopy(example_facts())
    data["facts"].update(scalars)
    return data


def make_facts(
    rules: RuleFile, year: int, scalars: dict[str, Any], per_municipality: dict[str, dict[str, Any]]
) -> Facts:
    """Checked facts built directly (no file), for fast property tests of the evaluator."""
    return Facts(
        path="<test>",
        sha256="0" * 64,
        covenant=rules.covenant.id,
        year=year,
        illustrative=True,
        description=None,
        evaluation_date=None,
        scalars={k: FactValue(v, None) for k, v in scalars.items()},
        per_municipality={
            c: {k: FactValue(v, None) for k, v in values.items()} for c, values in per_municipality.items()
        },
    )


def evaluate_assen(
    rules: RuleFile,
    result_cents: int,
    inwoners: list[int],
    kosten_cents: list[int],
    order: list[int] | None = None,
) -> Evaluation:
    """Evaluate Assen with a chosen BW result: macrobudget = result, all other costs nil."""
    from fractions import Fraction

    scalars = {
        "macrobudget_bw": Fraction(result_cents, 100),
        "zorgkosten_bw": Fraction(0),
        "uitvoeringsbudget_bw": Fraction(0),
        "toegemoetkoming_regiogemeenten": Fraction(0),
        "rijksuitkering_mo": Fraction(0),
        "uitgaven_mo": Fraction(0),
        "reserve_mo_begin": Fraction(0),
    }
    indices = order or list(range(len(ASSEN_CODES)))
    per = {
        ASSEN_CODES[i]: {"inwoners": inwoners[i], "uitvoeringskosten": Fraction(kosten_cents[i], 100)}
        for i in indices
    }
    return evaluate(rules, make_facts(rules, 2024, scalars, per))


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI fits its tables to COLUMNS when it is set (core/columns.py); pytest-xdist's workers
    inherit COLUMNS=80, so every test starts without it, as output to a file has, and a test that
    wants a width sets it."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(autouse=True)
def _register_of_the_test_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A web application made without a register path opens the register's default place
    (`$XDG_DATA_HOME/convenant/register.sqlite`): in the tests that is a folder of the test run,
    never the user's own data folder; and `convenant validate` and the letters' template check keep
    what they remember in a cache folder of the test run (`$XDG_CACHE_HOME/convenant/…`), never the
    user's own. The register is one per test process; the cache folder is one for all of them (with
    pytest-xdist, the run's shared folder: tests/once_per_run.py), as a user's is for every process:
    a template set checked in one process is not checked again in the other. Entries are written
    whole (a marker file, or written aside and renamed), so the processes can share them."""
    from tests.once_per_run import shared_folder

    monkeypatch.delenv("CONVENANT_REGISTER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-data"))
    cache = shared_folder(tmp_path_factory) or tmp_path_factory.getbasetemp()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache / "xdg-cache"))


@pytest.fixture(autouse=True)
def _letters_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """`convenant letters` shares its letters among one process per core (letters.workers); the
    tests run two at a time already, and a forked copy of a test process gains nothing: in this one.
    The test that reruns the command in another process asks for two."""
    monkeypatch.setenv("CONVENANT_LETTER_WORKERS", "1")


@pytest.fixture
def run() -> Callable[..., Any]:
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """`rendered(example)`: the example's evaluation and every output (tests/examples_support.py,
    Rendered), evaluated once per test process and rendered once per test run: the golden, letter
    and trace-only tests all read this one copy. With pytest-xdist the first process to read an
    example's outputs renders them into the run's shared folder; the other reads those files
    (tests/once_per_run.py)."""
    from tests.examples_support import render_example
    from tests.once_per_run import files_once, shared_folder

    folder = shared_folder(tmp_path_factory)
    made: dict[str, Any] = {}

    def get(example: str) -> Any:
        if example not in made:
            share = None if folder is None else partial(files_once, folder, f"outputs-{example}")
            made[example] = render_example(example, share)
        return made[example]

    return get


# The tests run in two processes (pytest-xdist, `-n 2` in pyproject.toml). Rendering an example
# takes seconds (typesetting every letter), and the PDF text a test reads back is kept per process
# (tests/explain_support.py): the tests that read an example's shared renders (the `rendered`
# fixture) are best run in one process, the one that renders it, while the other renders another
# example. pytest-xdist's own grouping (`--dist loadgroup`, by mark) does not work with pytest 9.2,
# and a scheduler only sees test ids: the group is named by file and the example in the test's
# parameters; a test elsewhere that uses `rendered` is reported below. Rendering is shared among
# the processes in any case (the `rendered` fixture): the grouping only keeps the work apart.
SHARED_RENDERS = ("test_golden_outputs.py", "test_letters.py", "test_trace_only.py", "test_trace_json.py")


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Tests handed out one at a time, as with `--dist load`, except those of SHARED_RENDERS with an
    example in their parameters: one unit per example (the scheduler starts with the largest units,
    one to each process)."""
    if config.getvalue("dist") != "load":
        return None  # a --dist chosen on the command line
    from xdist.scheduler import LoadScopeScheduling

    from tests.examples_support import EXAMPLES

    # an example as a whole part of the test's id: `[groningen-2022-mededeling]`, `[assen-2024]`
    in_id = re.compile(rf"\[(?:.*-)?({'|'.join(map(re.escape, EXAMPLES))})(?:-.*)?\]$")

    class SharedRenders(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
            example = in_id.search(nodeid) if module in SHARED_RENDERS else None
            return f"renders of {example[1]}" if example else nodeid

    return SharedRenders(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "rendered" in getattr(item, "fixturenames", ()) and item.path.name not in SHARED_RENDERS:
            item.warn(
                pytest.PytestWarning(
                    f"{item.path.name} uses `rendered`: add it to SHARED_RENDERS in tests/conftest.py, "
                    "or it renders the examples again in the other process"
                )
            )


def interruptible() -> None:
    """`preexec_fn` of a command a test interrupts with SIGINT: Ctrl-C gets its default action
    back in the child. A test run started with SIGINT ignored (a background job of a shell without
    job control, `pytest … &`) passes that on to its children, and Python leaves an ignored SIGINT
    ignored: the command would then never see the Ctrl-C the test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
