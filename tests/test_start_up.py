"""What a new process keeps from the ones before it, so that a command starts quickly (issue 15,
target 7): the compiled templates (a Jinja bytecode cache), the catalogue of words, and the schema
passes, each in `$XDG_CACHE_HOME/convenant/KIND`; never stale, never needed (a cache folder that
cannot be used only makes the command slower). And what `convenant evaluate` does not import."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convenant import words
from convenant.core import identity
from convenant.core.diagnostics import ConvenantError
from convenant.render import templating
from convenant.source import schemas
from convenant.source.loading import load_document, parse_document
from tests.paths import REPO_ROOT


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own; the environments made under it are forgotten after."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    templating.environment.cache_clear()
    yield tmp_path / "cache" / "convenant"
    templating.environment.cache_clear()


def _sentences(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "zinnen.templates"
    folder.mkdir(exist_ok=True)
    (folder / "zin.j2").write_text(text, encoding="utf-8")
    return folder


def _new_process() -> None:
    """What a new process has of the templates: nothing in memory."""
    templating.environment.cache_clear()


# --- compiled templates ------------------------------------------------------------------------------


def test_a_new_process_reads_the_compiled_template_instead_of_compiling_it(cache, tmp_path, monkeypatch):
    folder = _sentences(tmp_path, "{{ n * 2 }} euro\n")
    assert templating.render("md", folder, "rules/zin.j2", {"n": 21}) == "42 euro\n"
    kept = sorted((cache / "jinja").iterdir())
    assert kept and all(p.suffix == ".jinja" for p in kept)
    _new_process()

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(templating._BudgetedEnvironment, "compile", no_compiling)
    assert templating.render("md", folder, "rules/zin.j2", {"n": 4}) == "8 euro\n"
    # still the sandbox with its budget: the kept code calls the environment for every operation
    env = templating.environment("md", folder)
    assert isinstance(env, templating.SandboxedEnvironment) and env.bytecode_cache is not None
    with pytest.raises(ConvenantError) as refused:
        templating.render("md", folder, "rules/zin.j2", {"n": "x" * 3_000_000})  # 6 million characters
    assert refused.value.problems[0].code == "template.budget_text"


def test_an_edited_template_is_compiled_again_never_read_stale(cache, tmp_path):
    folder = _sentences(tmp_path, "oud {{ n }}\n")
    assert templating.render("md", folder, "rules/zin.j2", {"n": 1}) == "oud 1\n"
    (folder / "zin.j2").write_text("nieuw {{ n }}\n", encoding="utf-8")  # same size, same second
    assert templating.render("md", folder, "rules/zin.j2", {"n": 1}) == "nieuw 1\n"  # this process
    _new_process()
    assert templating.render("md", folder, "rules/zin.j2", {"n": 1}) == "nieuw 1\n"  # the next one
    (folder / "zin.j2").write_text("oud {{ n }}\n", encoding="utf-8")
    _new_process()
    assert templating.render("md", folder, "rules/zin.j2", {"n": 2}) == "oud 2\n"


def test_html_and_markdown_keep_their_own_compiled_code(cache, tmp_path):
    """Autoescaping is compiled into the code: the same template is kept once per format."""
    folder = _sentences(tmp_path, "{{ s }}\n")
    assert templating.render("md", folder, "rules/zin.j2", {"s": "<b>"}) == "<b>\n"
    _new_process()
    assert templating.render("html", folder, "rules/zin.j2", {"s": "<b>"}) == "&lt;b&gt;\n"
    _new_process()
    assert templating.render("md", folder, "rules/zin.j2", {"s": "<b>"}) == "<b>\n"


def test_a_cache_folder_that_cannot_be_used_only_means_compiling_again(tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    folder = _sentences(tmp_path, "{{ n }}\n")
    _new_process()
    try:
        assert templating.environment("md", folder).bytecode_cache is None
        assert templating.render("md", folder, "rules/zin.j2", {"n": 3}) == "3\n"
        # a folder others may write in is not used: its code would run here
        shared = tmp_path / "shared"
        (shared / "convenant" / "jinja").mkdir(parents=True)
        (shared / "convenant" / "jinja").chmod(0o777)
        monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
        _new_process()
        assert templating.render("md", folder, "rules/zin.j2", {"n": 4}) == "4\n"
        assert list((shared / "convenant" / "jinja").iterdir()) == []
    finally:
        _new_process()


def test_a_damaged_compiled_template_is_compiled_again(cache, tmp_path):
    folder = _sentences(tmp_path, "{{ n + 1 }}\n")
    assert templating.render("md", folder, "rules/zin.j2", {"n": 1}) == "2\n"
    for kept in (cache / "jinja").iterdir():
        kept.write_bytes(kept.read_bytes()[:40])  # the header and a cut-off body
    _new_process()
    assert templating.render("md", folder, "rules/zin.j2", {"n": 2}) == "3\n"


# --- the catalogue of words --------------------------------------------------------------------------


def test_the_catalogue_kept_is_the_catalogue_read(cache):
    read = words.catalogue()
    files = [(p.name, p.read_bytes()) for p in sorted(Path(words.__file__).parent.glob("*.yaml"))]
    kept = words._kept(files)
    assert os.path.dirname(kept.path) == identity.cache_dir("words")
    words.catalogue.cache_clear()
    try:
        assert words.catalogue() == read  # read from the files: kept
        assert json.loads(Path(kept.path).read_text(encoding="utf-8")) == read
        assert words.catalogue.__wrapped__() == read  # from the kept copy, in the same order
        assert list(words.catalogue.__wrapped__()) == list(read)
        Path(kept.path).write_text("{kapot", encoding="utf-8")  # a damaged copy: the files again
        assert words.catalogue.__wrapped__() == read
        # another word is another name: an edited file never reads an old copy
        changed = [(name, data.replace(b"nl:", b"nl: ", 1)) for name, data in files]
        assert words._kept(changed).path != kept.path
    finally:
        words.catalogue.cache_clear()


# --- schema passes -----------------------------------------------------------------------------------

_FACTS = (REPO_ROOT / "examples" / "assen-2024.yaml").read_text(encoding="utf-8")


def test_the_interpreter_by_each_of_its_names_is_one_engine():
    """`python`, `python3` and the console script of one environment keep one set of caches: the
    identity names the interpreter by the file it runs from, not by the name it was started by."""
    folder = Path(sys.executable).parent
    names = [str(folder / name) for name in ("python", "python3") if (folder / name).exists()]
    assert len(names) == 2, names  # a venv has both
    probe = "from convenant.core import identity; print(identity.engine_identity())"
    found = {
        subprocess.run([n, "-c", probe], capture_output=True, text=True, check=True).stdout for n in names
    }
    assert len(found) == 1 and identity.engine_identity() + "\n" in found


def test_a_schema_pass_is_remembered_and_a_fault_is_found_every_time(cache, monkeypatch):
    good = parse_document(_FACTS, "feiten.yaml")
    bad = parse_document(_FACTS.replace("year: 2024", "year: twintig"), "feiten.yaml")
    assert schemas.validate(good, schemas.FACTS) == []
    assert not (cache / "schemas").exists()  # outside passes_on_disk (validate, serve): nothing kept
    with schemas.passes_on_disk():
        assert schemas.validate(good, schemas.FACTS) == []
        assert len(list((cache / "schemas").iterdir())) == 1
        assert schemas.validate(bad, schemas.FACTS)
        assert schemas.validate(bad, schemas.FACTS)
        assert len(list((cache / "schemas").iterdir())) == 1  # only the pass

        def no_checking(name):
            raise AssertionError("checked again")

        monkeypatch.setattr(schemas, "_validator", no_checking)
        assert schemas.validate(good, schemas.FACTS) == []  # the pass of before
        quoted = parse_document(_FACTS.replace("year: 2024", 'year: "2024"'), "feiten.yaml")
        with pytest.raises(AssertionError, match="checked again"):  # "2024" is not 2024
            schemas.validate(quoted, schemas.FACTS)


def test_a_cache_folder_that_cannot_be_written_checks_every_time(tmp_path, monkeypatch):
    (tmp_path / "not-a-folder").write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-folder"))
    with schemas.passes_on_disk():
        assert schemas.validate(parse_document(_FACTS, "feiten.yaml"), schemas.FACTS) == []
    assert words.catalogue.__wrapped__() == words.catalogue()  # the words: read from their files


# --- what a cold `convenant evaluate` imports --------------------------------------------------------

# Packages `convenant evaluate` does not need: the templates, the letters' typesetters, the
# spreadsheets, the proofs, the web application, Babel (money.py writes its patterns) and
# jsonschema once the files have passed before (source/schemas.py).
NOT_FOR_EVALUATE = (
    "jinja2",
    "docx",
    "docxtpl",
    "typst",
    "openpyxl",
    "sympy",
    "numpy",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "babel",
    "jsonschema",
    "lxml",
    "markupsafe",
)


def test_a_cold_evaluate_imports_none_of_what_it_does_not_need(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with schemas.passes_on_disk():  # as an earlier command left them: the files it reads passed
        for path, name in (
            ("examples/assen-2024.yaml", schemas.FACTS),
            ("rules/assen/2024-v1.6.yaml", schemas.RULE_FILE),
            ("rules/municipalities.yaml", schemas.MUNICIPALITIES),
        ):
            assert schemas.validate(load_document(REPO_ROOT / path), name) == []
    command = [sys.executable, "-X", "importtime", "-m", "convenant", "evaluate", "examples/assen-2024.yaml"]
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert "convenant" in imported and "click" in imported  # the listing is read
    # jsonschema here: the command validated a file not passed above (add it), or did not find the passes
    assert sorted(imported & set(NOT_FOR_EVALUATE)) == []


# --- old entries go -----------------------------------------------------------------------------------

DAY = 24 * 3600


def _entries(folder: Path, count: int, age_days: float, now: float, suffix: str = "") -> list[Path]:
    made = []
    for i in range(count):
        path = folder / f"{hashlib.sha256(f'{age_days}-{i}'.encode()).hexdigest()}{suffix}"
        path.write_text("", encoding="utf-8")
        os.utime(path, (now - age_days * DAY, now - age_days * DAY))
        made.append(path)
    return made


def test_entries_not_written_for_a_month_go_and_nothing_else(tmp_path):
    now = 2_000_000_000.0
    old = _entries(tmp_path, 3, identity.KEEP_DAYS + 1, now) + _entries(tmp_path, 2, 40, now, ".json")
    young = _entries(tmp_path, 3, identity.KEEP_DAYS - 1, now, ".jinja")
    foreign = [tmp_path / "notities.txt", tmp_path / f"{'a' * 64}.txt", tmp_path / ("A" * 64)]
    for path in foreign:
        path.write_text("van iemand anders", encoding="utf-8")
        os.utime(path, (now - 400 * DAY, now - 400 * DAY))
    (tmp_path / ("b" * 64)).mkdir()  # a folder with an entry's name is no entry
    assert identity.prune(str(tmp_path), now=now) == len(old)
    assert not any(p.exists() for p in old)
    assert all(p.exists() for p in young + foreign) and (tmp_path / ("b" * 64)).is_dir()


def test_a_folder_is_pruned_at_most_once_a_day(tmp_path):
    now = 2_000_000_000.0
    _entries(tmp_path, 1, 60, now)
    assert identity.prune(str(tmp_path), now=now) == 1
    later = _entries(tmp_path, 2, 60, now)
    assert identity.prune(str(tmp_path), now=now + DAY - 60) == 0 and all(p.exists() for p in later)
    assert identity.prune(str(tmp_path), now=now + DAY + 60) == 2


def test_past_the_most_kept_the_older_half_goes(tmp_path):
    now = 2_000_000_000.0
    older = _entries(tmp_path, 5, 3, now, ".jinja")
    newer = _entries(tmp_path, 5, 1, now, ".jinja")
    assert identity.prune(str(tmp_path), keep=8, now=now) == 5
    assert not any(p.exists() for p in older) and all(p.exists() for p in newer)


def test_remembering_a_pass_prunes_its_folder(tmp_path):
    [stale] = _entries(tmp_path, 1, identity.KEEP_DAYS + 5, time.time())
    marker = tmp_path / ("c" * 64)
    identity.remember(str(marker))
    assert marker.exists() and not stale.exists()
