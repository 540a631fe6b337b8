"""The register of runs (convenant.register): its schema made by the migrations, a run written
whole or not at all, append-only in the database itself, searched, and a letter made again from
what the register keeps, byte for byte (`convenant reproduce`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from convenant.cli.cli import cli
from convenant.core.diagnostics import ConvenantError
from convenant.letters import letters
from convenant.register import schema
from convenant.register.inputs import evaluation_run, letters_run
from convenant.register.reproduce import for_kenmerk
from convenant.register.store import Register, default_location
from convenant.workflow.session import evaluate_file
from tests.paths import REPO_ROOT

FACTS = REPO_ROOT / "examples" / "assen-2024.yaml"
HOOGEVEEN = "assen/2024/definitief-aandeel/GM0118/c2fd60ac"


def run(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def made() -> tuple[object, dict[str, bytes]]:
    ev = evaluate_file(FACTS)
    return ev, letters.make_letters(ev, ("md",), "nl", None)


@pytest.fixture
def register(tmp_path: Path) -> Register:
    return Register.open(str(tmp_path / "register.sqlite"))


def _letters_run(made: tuple[object, dict[str, bytes]]) -> object:
    ev, files = made
    return letters_run(ev, FACTS.read_bytes(), files, "nl", None, None, ("md",))  # type: ignore[arg-type]


def test_opening_makes_the_schema_once(tmp_path: Path) -> None:
    place = tmp_path / "sub" / "register.sqlite"
    first = Register.open(str(place))
    again = Register.open(f"sqlite:///{place}")  # a URL names the same file; migrating twice changes nothing
    with again.engine.connect() as c:
        assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"
    assert first.counts() == {"runs": 0, "run_inputs": 0, "blobs": 0, "outputs": 0}


def test_the_default_place(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CONVENANT_REGISTER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_location() == str(tmp_path / "convenant" / "register.sqlite")
    monkeypatch.setenv("CONVENANT_REGISTER", "postgresql+psycopg://u@h/db")
    assert default_location() == "postgresql+psycopg://u@h/db"


def test_a_letters_run_keeps_every_input_of_the_kenmerk(register: Register, made: tuple) -> None:
    _ev, files = made
    run_id = register.record(_letters_run(made))
    stored = register.run(run_id)
    roles = sorted({i.role for i in stored.inputs})
    assert roles == ["facts", "municipalities", "profile", "rules", "templates"]  # Assen: no Bijlage, no docx
    assert len(stored.outputs) == len(files) == 18  # 9 letters, each .md and .toelichting.md
    assert len(stored.kenmerken) == 9 and HOOGEVEEN in stored.kenmerken
    hoogeveen = [o for o in stored.outputs if o.kenmerk == HOOGEVEEN]
    assert {o.municipality for o in hoogeveen} == {"GM0118"} and hoogeveen[0].recipient == "Hoogeveen"
    assert register.blob(stored.facts_sha256) == FACTS.read_bytes()


def test_blobs_are_kept_once(register: Register, made: tuple) -> None:
    register.record(_letters_run(made))
    first = register.counts()
    register.record(_letters_run(made))
    second = register.counts()
    assert second["runs"] == 2 and second["run_inputs"] == 2 * first["run_inputs"]
    assert second["blobs"] == first["blobs"]  # the same inputs: their bytes once


def test_an_evaluation_run(register: Register, made: tuple) -> None:
    ev, _ = made
    run_id = register.record(evaluation_run(ev, FACTS.read_bytes(), {"uitkomst.json": b"{}"}, "nl"))
    stored = register.run(run_id)
    assert stored.kind == "evaluation" and [o.name for o in stored.outputs] == ["uitkomst.json"]
    assert "profile" not in {i.role for i in stored.inputs}


def test_a_run_is_written_whole_or_not_at_all(
    register: Register, made: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = schema.outputs.insert

    def failing(*args: object, **kwargs: object) -> object:
        raise sa.exc.OperationalError("INSERT INTO outputs", {}, Exception("disk I/O error"))

    monkeypatch.setattr(schema.outputs, "insert", failing)
    with pytest.raises(ConvenantError) as refused:
        register.record(_letters_run(made))
    assert refused.value.problems[0].code == "register.not_written"
    assert register.counts() == {"runs": 0, "run_inputs": 0, "blobs": 0, "outputs": 0}
    monkeypatch.setattr(schema.outputs, "insert", original)
    register.record(_letters_run(made))
    assert register.counts()["runs"] == 1


@pytest.mark.parametrize("table", ["runs", "run_inputs", "outputs", "blobs"])
def test_the_database_refuses_to_change_or_remove(register: Register, made: tuple, table: str) -> None:
    register.record(_letters_run(made))
    for statement in (
        f"UPDATE {table} SET sha256 = sha256" if table != "runs" else "UPDATE runs SET year = 1",
        f"DELETE FROM {table}",
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with register.engine.begin() as c:
                c.execute(sa.text(statement))
    assert register.counts()["runs"] == 1
    assert not hasattr(register, "update") and not hasattr(register, "delete")


def test_search(register: Register, made: tuple) -> None:
    ev, _ = made
    letters_id = register.record(_letters_run(made))
    evaluation_id = register.record(evaluation_run(ev, FACTS.read_bytes(), {}, "nl"))
    ids = lambda **k: {r.id for r in register.search(**k)}  # noqa: E731
    assert ids(year=2024, covenant="assen") == {letters_id, evaluation_id}
    assert ids(year=2023) == set() and ids(covenant="groningen") == set()
    assert ids(municipality="GM0118") == ids(municipality="hooge") == {letters_id}
    assert ids(kenmerk="GM0118/c2fd") == {letters_id} and ids(kenmerk="GM9999") == set()
    assert register.find_kenmerk(HOOGEVEEN).id == letters_id  # type: ignore[union-attr]
    assert register.find_kenmerk("assen/2024") is None  # a part finds, only in search


def test_reproduce_is_byte_identical(register: Register, made: tuple) -> None:
    register.record(_letters_run(made))
    found = for_kenmerk(register, HOOGEVEEN)
    assert found.identical and len(found.letters) == 9
    assert all(len(letter.files) == 2 for letter in found.letters)
    _, files = made
    assert found.files == files


def test_reproduce_says_which_letter_differs(register: Register, made: tuple, tmp_path: Path) -> None:
    new = _letters_run(made)
    # as if the letter to Hoogeveen had been other bytes then, made by another engine
    outputs = tuple(
        dataclasses.replace(o, sha256="0" * 64)
        if o.kenmerk == HOOGEVEEN and o.name.endswith(".md") and "toelichting" not in o.name
        else o
        for o in new.outputs  # type: ignore[attr-defined]
    )
    register.record(dataclasses.replace(new, outputs=outputs, engine_version="0.0.9"))  # type: ignore[type-var]
    found = for_kenmerk(register, HOOGEVEEN)
    assert [letter.identical for letter in found.letters].count(False) == 1
    result = run("reproduce", HOOGEVEEN, "--register", str(register.location))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert f"NIET identiek: {HOOGEVEEN} aan Hoogeveen" in out
    assert "toen sha256 " + "0" * 64 + ", nu sha256 " in out
    assert "programma toen 0.0.9, nu 0.1.0" in out and out.count("byte-identiek: ") == 8


def test_reproduce_an_unknown_kenmerk(register: Register) -> None:
    result = run("reproduce", "assen/2024/x/GM9999/00000000", "--register", str(register.location))
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "Het register kent geen brief met kenmerk assen/2024/x/GM9999/00000000" in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]


def test_letters_register_then_reproduce_from_another_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    place = str(tmp_path / "r.sqlite")
    made = run(
        "letters", str(FACTS), "--out", str(tmp_path / "brieven"), "--format", "md", "--register", place
    )
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    assert "Vastgelegd in het register" in made.output  # type: ignore[attr-defined]
    monkeypatch.chdir(tmp_path)  # the facts' and rules' names of then hold wherever it runs now
    again = run("reproduce", HOOGEVEEN, "--register", place, "--out", str(tmp_path / "opnieuw"))
    assert again.exit_code == 0, again.output  # type: ignore[attr-defined]
    assert "Alle 9 brieven zijn byte-identiek." in again.output  # type: ignore[attr-defined]
    for path in (tmp_path / "brieven").iterdir():
        assert (tmp_path / "opnieuw" / path.name).read_bytes() == path.read_bytes()


def test_without_register_nothing_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVENANT_REGISTER", str(tmp_path / "r.sqlite"))
    made = run("letters", str(FACTS), "--out", str(tmp_path / "brieven"), "--format", "md")
    assert made.exit_code == 0 and not (tmp_path / "r.sqlite").exists()  # type: ignore[attr-defined]


def test_a_hundred_runs_written_from_twenty_threads_are_all_there(register: Register, made: tuple) -> None:
    """The web application writes from many threads at once (20 clients in benchmarks/web_load.py
    found SQLite refusing a second writer): every run is written, each whole, its bytes once."""
    import threading

    ev, _ = made
    run = evaluation_run(ev, FACTS.read_bytes(), {"x.json": b"{}"}, "nl")
    register.record(run)  # the inputs' bytes kept once
    before = register.counts()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(5):
                register.record(run)
        except BaseException as error:  # collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=write) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = register.counts()
    assert failures == []
    assert after["runs"] == before["runs"] + 100
    assert after["run_inputs"] == before["run_inputs"] + 100 * len(run.inputs)
    assert after["blobs"] == before["blobs"]
