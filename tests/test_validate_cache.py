"""`convenant validate` keeps its outcome on disk (engine/cli/validate_cache.py): a second run with
nothing changed replays it byte for byte, in either language, with its exit code; any change to
anything the check read (a template, the rule file, a data table, the municipalities table, a
folder's files) checks again; a corrupt entry or an unwritable cache folder is no error."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from convenant.cli import validate_cache
from convenant.cli.cli import cli
from convenant.core import messages
from tests.paths import REPO_ROOT

ASSEN = "rules/assen/2024-v1.6.yaml"
GRONINGEN = "rules/groningen/2021.yaml"
TEMPLATE = Path("rules/assen/2024-v1.6.templates/resultaat_mo.j2")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped rules in a folder of its own, as the working directory, with a cache
    folder of its own."""
    shutil.copytree(REPO_ROOT / "rules", tmp_path / "rules")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("CONVENANT_RULES_DIR", str(tmp_path / "rules"))
    monkeypatch.delenv("CONVENANT_LANG", raising=False)
    return tmp_path


@pytest.fixture
def no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering Groningen's templates takes seconds; what the cache rests on does not change by it."""
    monkeypatch.setattr("convenant.letters.template_check.check_templates", lambda rules, disk=False: None)


def full(*args: str) -> tuple[int, str, str]:
    """The command itself (it always checks in full, and keeps what it found)."""
    done = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return done.exit_code, done.stdout, done.stderr


def warm(*args: str) -> tuple[int, str, str] | None:
    """What `convenant ARGS` answers before click and the engine are imported; None: a miss."""
    out, err = io.StringIO(), io.StringIO()
    code = validate_cache.replay(list(args), out, err)
    return None if code is None else (code, out.getvalue(), err.getvalue())


def entries(here: Path) -> list[Path]:
    return sorted((here / "cache" / "convenant" / "validate").glob("*.json"))


def change_byte(path: Path, old: bytes, new: bytes) -> bytes:
    before = path.read_bytes()
    assert before.count(old) >= 1 and len(old) == len(new)
    path.write_bytes(before.replace(old, new, 1))
    return before


def test_a_warm_run_replays_the_full_run_byte_for_byte_in_both_languages(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert warm("validate", ASSEN) is None  # nothing kept yet
    nl = full("validate", ASSEN)
    assert nl[0] == 0 and "✓ rules/assen/2024-v1.6.yaml — regelbestand assen 1.6" in nl[1]
    assert warm("validate", ASSEN) == nl
    assert warm("--lang", "nl", "validate", ASSEN) == nl
    en = full("--lang", "en", "validate", ASSEN)
    assert en[1] != nl[1] and "rule file assen 1.6" in en[1]
    assert warm("--lang", "en", "validate", ASSEN) == en
    assert warm("--lang=en", "validate", ASSEN) == en
    monkeypatch.setenv("CONVENANT_LANG", "en")
    assert warm("validate", ASSEN) == en
    assert len(entries(here)) == 1  # one invocation, one entry, both languages in it


def test_an_error_is_replayed_with_its_exit_code(here: Path) -> None:
    change_byte(here / ASSEN, b"\n  title:", b"\n  titel:")
    said = full("validate", ASSEN)
    assert said[0] == 1 and "onbekend veld ‘titel’" in said[2] and "2 fouten." in said[2]
    assert warm("validate", ASSEN) == said
    assert warm("--lang", "en", "validate", ASSEN) == full("--lang", "en", "validate", ASSEN)


def test_a_changed_template_or_rule_file_is_checked_again(here: Path) -> None:
    full("validate", ASSEN)
    assert warm("validate", ASSEN) is not None
    # one byte of a template: a name it is not given (a fault found before any rendering)
    before = change_byte(here / TEMPLATE, b"{{ jaar }}", b"{{ jaaR }}")
    assert warm("validate", ASSEN) is None
    code, _, err = full("validate", ASSEN)
    assert code == 1 and "jaaR" in err
    assert warm("validate", ASSEN) == (code, *full("validate", ASSEN)[1:])
    (here / TEMPLATE).write_bytes(before)
    assert warm("validate", ASSEN) is None  # back as it was: the entry is of the broken template
    assert full("validate", ASSEN)[0] == 0
    # a template added beside the others (no rule of that name)
    extra = TEMPLATE.with_name("onbekend.j2")
    extra.write_text("x\n", encoding="utf-8")
    assert warm("validate", ASSEN) is None
    assert "onbekend.j2" in full("validate", ASSEN)[2]
    extra.unlink()
    assert full("validate", ASSEN)[0] == 0
    # one byte of the rule file
    change_byte(here / ASSEN, b"\n  title:", b"\n  titel:")
    assert warm("validate", ASSEN) is None
    code, _, err = full("validate", ASSEN)
    assert code == 1 and "titel" in err


def test_a_changed_data_table_or_municipalities_table_is_checked_again(
    here: Path, no_rendering: None
) -> None:
    assert full("validate", GRONINGEN)[0] == 0
    assert warm("validate", GRONINGEN) is not None
    table = here / "rules/groningen/2021-bijlage-1.yaml"
    before = change_byte(table, b"{id: eigen_bijdrage,", b"{id: eigen_bijdrago,")
    assert warm("validate", GRONINGEN) is None
    code, _, err = full("validate", GRONINGEN)
    assert code == 1 and "eigen_bijdrag" in err
    table.write_bytes(before)
    assert full("validate", GRONINGEN)[0] == 0
    assert warm("validate", GRONINGEN) is not None
    municipalities = here / "rules/municipalities.yaml"
    change_byte(municipalities, b"GM0014, name: Groningen}", b"GM0014, name: Groninger}")
    assert warm("validate", GRONINGEN) is None
    code, _, err = full("validate", GRONINGEN)
    assert code == 1 and "Groningen" in err


def test_a_folder_is_checked_again_when_a_file_appears_in_it(here: Path, no_rendering: None) -> None:
    said = full("validate", "rules")
    assert said[0] == 0 and said[1].count("✓") >= 4
    assert "waarschuwing: 25 sommen in de tabel kloppen niet" in said[2]  # a warning is replayed too
    assert warm("validate", "rules") == said
    assert warm("validate", "rules/") == said  # the same folder, as click reads it
    (here / "rules/assen/notities.yaml").write_text("covenant: assen\n", encoding="utf-8")
    assert warm("validate", "rules") is None
    code, out, _ = full("validate", "rules")
    assert code == 1 and "notities.yaml" in out


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{", b"\xff\xfe not json", b"[]", b'{"format": 1}', b'{"format": 1, "inputs": {}, "outcome": {}}'],
)
def test_a_corrupt_entry_is_ignored(here: Path, garbage: bytes, no_rendering: None) -> None:
    said = full("validate", GRONINGEN)
    [entry] = entries(here)
    entry.write_bytes(garbage)
    assert warm("validate", GRONINGEN) is None
    assert full("validate", GRONINGEN) == said  # and kept anew
    assert warm("validate", GRONINGEN) == said


def test_an_entry_with_changed_inputs_of_a_wrong_shape_is_ignored(here: Path, no_rendering: None) -> None:
    full("validate", GRONINGEN)
    [entry] = entries(here)
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["inputs"]["folders"] = [["names"]]
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert warm("validate", GRONINGEN) is None


def test_an_unwritable_cache_folder_only_makes_it_slower(
    here: Path, monkeypatch: pytest.MonkeyPatch, no_rendering: None
) -> None:
    (here / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(here / "not-a-folder"))
    code, out, err = full("validate", GRONINGEN)
    assert (code, err) == (0, "") and "✓" in out
    assert warm("validate", GRONINGEN) is None


def test_full_and_unknown_options_always_check_in_full(here: Path, no_rendering: None) -> None:
    said = full("validate", GRONINGEN)
    assert warm("validate", GRONINGEN) == said
    for args in (
        ("validate", "--full", GRONINGEN),
        ("validate", GRONINGEN, "--no-cache"),
        ("validate", "--help"),
        ("--rules-dir", "rules", "validate", GRONINGEN),
        ("--lang", "de", "validate", GRONINGEN),
        ("validate",),
        ("evaluate", GRONINGEN),
    ):
        assert warm(*args) is None, args
    assert full("validate", "--full", GRONINGEN) == said
    assert full("validate", "--no-cache", GRONINGEN) == said
    helped = full("validate", "--help")[1]
    assert "--full, --no-cache" in helped and "Controleer alles opnieuw" in helped


def test_a_file_changed_while_it_was_checked_is_not_kept(here: Path) -> None:
    rule_file = str(here / ASSEN)
    assert validate_cache.inputs({rule_file: b"\0" * 32}, []) is None
    kept = validate_cache.inputs({rule_file: None}, [])
    assert kept is not None and kept["files"][rule_file] is not None


def test_the_language_is_chosen_as_the_messages_choose_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in (None, "en", "nl", "de", ""):
        if env is None:
            monkeypatch.delenv("CONVENANT_LANG", raising=False)
        else:
            monkeypatch.setenv("CONVENANT_LANG", env)
        for given in (None, "en", "nl"):
            assert validate_cache.language(given) == messages.language(given)


PROBE = """
import sys
from convenant.cli.start import main
sys.argv = ["convenant", *sys.argv[1:]]
try:
    main()
finally:
    heavy = ["click", "yaml", "jinja2", "jsonschema", "babel", "sympy", "numpy", "convenant.core.messages"]
    sys.stderr.write("LOADED " + ",".join(m for m in heavy if m in sys.modules) + "\\n")
"""


def test_the_installed_command_replays_without_loading_the_engine(here: Path) -> None:
    """In a new process: a broken rule file (checked in a second, no rendering), once in full and
    then warm; the warm run's bytes are the full run's, and it loads none of the heavy modules."""
    change_byte(here / ASSEN, b"\n  title:", b"\n  titel:")

    def run(*args: str, lang: str = "nl") -> subprocess.CompletedProcess[bytes]:
        env = {**os.environ, "CONVENANT_LANG": lang}
        return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, env=env, check=False)

    cold = run("validate", "--full", ASSEN)
    hot = run("validate", ASSEN)
    assert cold.returncode == hot.returncode == 1
    assert hot.stdout == cold.stdout and b"titel" in cold.stderr
    body, loaded = hot.stderr.rsplit(b"LOADED ", 1)
    assert body == cold.stderr.rsplit(b"LOADED ", 1)[0]
    assert loaded.strip() == b""
    english = run("validate", ASSEN, lang="en")  # kept beside the Dutch by the same full run
    assert english.returncode == 1 and english.stderr.startswith(b"\nerror: ")
    assert english.stderr.rsplit(b"LOADED ", 1)[1].strip() == b""


def test_without_standard_output_the_command_itself_answers(
    here: Path, monkeypatch: pytest.MonkeyPatch, no_rendering: None
) -> None:
    full("validate", GRONINGEN)
    monkeypatch.setattr(sys, "stdout", None)
    assert validate_cache.answer(["validate", GRONINGEN]) is None  # no exit: click's command runs
