"""No command deletes or overwrites a file it did not write, and none leaves half a file behind.

For `letters` and `batch` (and `new-version`): a folder or file of the user's next to earlier
output, an output path that is a file, a folder, under a file, in the rules directory, or in a
folder that cannot be written, a failure while the output is moved into place, and SIGTERM or
Ctrl-C into a running batch. Each case asserts the exit code, the Dutch message naming the path,
that no output or temporary file is left, and that every file that was there before is still
there, byte for byte (the tree is hashed before and after).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from convenant.core.paths import display_path
from convenant.letters.letters import MANIFEST
from tests.conftest import ASSEN, ASSEN_FACTS, interruptible
from tests.paths import REPO_ROOT

SCENARIOS = REPO_ROOT / "examples" / "assen-2024-scenarios.csv"


def tree(root: Path) -> dict[str, str]:
    """Every file and folder under `root` (hidden ones too): path → sha256, or '/' for a folder."""
    found = {}
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        found[key] = "/" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def letters(run, out: Path, *extra: str):
    return run("letters", str(ASSEN_FACTS), "--out", str(out), "--format", "md", *extra)


def batch(run, out: Path, *extra: str, scenarios: Path = SCENARIOS):
    return run("batch", str(ASSEN), str(scenarios), "--out", str(out), *extra)


def refused(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "interne fout" not in result.stderr
    assert result.stderr.startswith("fout: ")
    for word in words:
        assert word in result.stderr, result.stderr


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create a file in, for real: a read-only folder for a user;
    for root (who ignores permissions) /sys, where the kernel refuses new files."""
    if os.geteuid() != 0:
        folder = tmp_path / "alleen-lezen"
        folder.mkdir()
        folder.chmod(0o500)
        return folder
    try:
        handle, probe = tempfile.mkstemp(dir="/sys")
    except OSError:
        return Path("/sys")
    os.close(handle)
    os.unlink(probe)
    pytest.skip("no folder that root cannot write in")


# --- letters ----------------------------------------------------------------------------------


def test_a_note_added_to_an_earlier_letters_folder_is_never_deleted(run, tmp_path):
    out = tmp_path / "brieven"
    assert letters(run, out).exit_code == 0
    (out / "notitie.txt").write_text("gebeld met Tynaarlo op 3 juni\n", encoding="utf-8")
    before = tree(tmp_path)
    result = letters(run, out, "--date", "2025-06-02")
    refused(result, f"de map {out} bevat bestanden die ‘convenant letters’ niet schreef: notitie.txt")
    assert tree(tmp_path) == before


def test_a_work_folder_with_a_budget_spreadsheet_and_a_manifest_is_refused(run, tmp_path):
    """A brieven.sha256 copied into a work folder does not make the folder ours."""
    work = tmp_path / "werkmap"
    assert letters(run, tmp_path / "eerder").exit_code == 0
    work.mkdir()
    (work / MANIFEST).write_bytes((tmp_path / "eerder" / MANIFEST).read_bytes())
    (work / "begroting-2025.xlsx").write_bytes(b"PK\x03\x04 de begroting")
    before = tree(tmp_path)
    result = letters(run, work)
    refused(result, f"de map {work} bevat bestanden", "begroting-2025.xlsx")
    assert tree(tmp_path) == before


def test_a_letter_edited_since_it_was_written_is_never_overwritten(run, tmp_path):
    out = tmp_path / "brieven"
    assert letters(run, out).exit_code == 0
    edited = next(out.glob("*GM1730*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\nAangepast door de jurist.\n", encoding="utf-8")
    before = tree(tmp_path)
    result = letters(run, out, "--date", "2025-06-02")
    refused(result, f"in de map {out} zijn brieven gewijzigd", edited.name, "brieven.sha256 klopt niet meer")
    assert tree(tmp_path) == before


def test_a_subfolder_or_a_link_in_place_of_a_letter_is_refused(run, tmp_path):
    out = tmp_path / "brieven"
    assert letters(run, out).exit_code == 0
    (out / "archief").mkdir()
    letter = next(out.glob("*GM0118*.md"))
    kept = tmp_path / "mijn-brief.md"
    kept.write_bytes(letter.read_bytes())
    letter.unlink()
    letter.symlink_to(kept)  # same content, but a link: not what this command writes
    before = tree(tmp_path)
    refused(letters(run, out), "niet schreef: archief, " + letter.name)
    assert tree(tmp_path) == before and letter.is_symlink()


def test_a_manifest_naming_a_file_outside_the_folder_is_refused(run, tmp_path):
    out = tmp_path / "brieven"
    out.mkdir()
    victim = tmp_path / "elders.txt"
    victim.write_text("van de gebruiker\n", encoding="utf-8")
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    (out / MANIFEST).write_text(f"{digest}  ../elders.txt\n", encoding="utf-8")
    before = tree(tmp_path)
    refused(letters(run, out), f"{out / MANIFEST} is niet de lijst van brieven", "(regel 1)")
    assert tree(tmp_path) == before


def test_earlier_letters_are_replaced_and_only_those_removed(run, tmp_path):
    """The same folder again: its own unchanged letters replaced, the formats no longer asked for
    removed (they were ours), nothing left beside the folder."""
    out = tmp_path / "brieven"
    assert letters(run, out, "--format", "html").exit_code == 0
    result = letters(run, out, "--date", "2025-06-02")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    # nine letters and their digital annexes (.toelichting.md), and the manifest
    assert names[-1] == MANIFEST and all(n.endswith(".md") for n in names[:-1]) and len(names) == 19
    assert "2 juni 2025" in (out / "assen-2024-definitief-aandeel-GM1730-tynaarlo.md").read_text(
        encoding="utf-8"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["brieven"]


def test_a_failure_while_moving_the_letters_in_puts_the_earlier_ones_back(run, tmp_path, monkeypatch):
    out = tmp_path / "brieven"
    assert letters(run, out).exit_code == 0
    before = tree(tmp_path)
    renames = []
    original = os.rename

    def failing(source, target):
        renames.append(target)
        if len(renames) == 23:  # the 19 earlier files moved aside, then 4 new ones moved in
            raise OSError(errno.ENOSPC, "No space left on device")
        original(source, target)

    monkeypatch.setattr(os, "rename", failing)
    result = letters(run, out, "--date", "2025-06-02")
    refused(result, f"in {out} kan niet worden geschreven (de schijf is vol)")
    assert tree(tmp_path) == before


def test_a_new_folder_is_made_with_the_folders_above_it_and_removed_again_on_failure(
    run, tmp_path, monkeypatch
):
    out = tmp_path / "nieuw" / "diep" / "brieven"
    assert letters(run, out).exit_code == 0
    assert len(list(out.iterdir())) == 19  # nine letters, their digital annexes and the manifest
    monkeypatch.setattr(os, "rename", lambda *_: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    result = letters(run, tmp_path / "ander" / "brieven")
    refused(result, "kan niet worden geschreven (I/O error)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nieuw"]


# --- batch ------------------------------------------------------------------------------------


def test_batch_never_overwrites_a_file_it_did_not_write(run, tmp_path):
    """A budget spreadsheet in the work folder: refused as output, with or without --overwrite;
    a new results file beside it leaves it alone."""
    budget = tmp_path / "begroting.xlsx"
    budget.write_bytes(b"PK\x03\x04 de begroting")
    notes = tmp_path / "notities.csv"
    notes.write_text("wie,wat\nik,iets\n", encoding="utf-8")
    before = tree(tmp_path)
    refused(batch(run, budget), f"het uitvoerbestand {budget} bestaat al", "--overwrite")
    for target in (budget, notes):
        result = batch(run, target, "--overwrite")
        refused(result, f"het bestand {target} bestaat al en is geen uitkomstenbestand van ‘convenant batch’")
    assert tree(tmp_path) == before
    assert batch(run, tmp_path / "uitkomsten.csv").exit_code == 0
    assert {k: v for k, v in tree(tmp_path).items() if k != "uitkomsten.csv"} == before


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_batch_replaces_its_own_earlier_results_only_with_overwrite(run, tmp_path, suffix):
    out = tmp_path / f"uitkomsten{suffix}"
    assert batch(run, out).exit_code == 0
    earlier = tree(tmp_path)
    refused(batch(run, out), f"het uitvoerbestand {out} bestaat al")
    assert tree(tmp_path) == earlier
    assert batch(run, out, "--overwrite", "--rule", "resultaat_bw").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
    assert tree(tmp_path) != earlier


def test_batch_to_a_folder_leaves_no_hidden_results_file(run, tmp_path):
    folder = tmp_path / "uitkomsten.csv"
    folder.mkdir()
    (folder / "van-mij.txt").write_text("x", encoding="utf-8")
    before = tree(tmp_path)
    refused(batch(run, folder), f"het uitvoerbestand {folder} is een map", "uitkomsten.csv/uitkomsten.csv")
    assert tree(tmp_path) == before


def test_batch_refuses_the_rules_directory_a_path_under_a_file_and_the_scenario_file(run, tmp_path):
    own_rules = tmp_path / "regels"
    own_rules.mkdir()
    (own_rules / "municipalities.yaml").write_text("# de tabel van gemeenten\n", encoding="utf-8")
    scenarios = tmp_path / "scenarios.csv"
    scenarios.write_bytes(SCENARIOS.read_bytes())
    before, shipped = tree(tmp_path), tree(REPO_ROOT / "rules")
    rules_out = REPO_ROOT / "rules" / "uitkomsten.csv"
    refused(batch(run, rules_out), f"{display_path(rules_out)} ligt in de map met regelbestanden")
    own_out = own_rules / "assen" / "uitkomsten.csv"
    refused(batch(run, own_out), f"{own_out} ligt in de map met regelbestanden ({own_rules})")
    under = scenarios / "uitkomsten.csv"
    refused(batch(run, under), f"{under} kan niet worden gemaakt: {scenarios} is een bestand, geen map")
    refused(
        batch(run, scenarios, "--overwrite", scenarios=scenarios),
        f"het uitvoerbestand {scenarios} is het scenariobestand zelf",
    )
    refused(batch(run, tmp_path / "nergens" / "u.csv"), f"de map {tmp_path / 'nergens'} bestaat niet")
    assert tree(tmp_path) == before and tree(REPO_ROOT / "rules") == shipped


def test_batch_and_letters_into_a_folder_that_cannot_be_written(run, tmp_path):
    folder = unwritable_folder(tmp_path)
    names = sorted(os.listdir(folder))
    refused(batch(run, folder / "uitkomsten.csv"), f"in {folder} kan niet worden geschreven")
    refused(letters(run, folder / "brieven"), f"in {folder} kan niet worden geschreven")
    assert sorted(os.listdir(folder)) == names


def test_a_failure_when_the_results_are_put_in_place_leaves_no_temporary_file(run, tmp_path, monkeypatch):
    out = tmp_path / "uitkomsten.csv"

    def full(*_):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "link", full)
    monkeypatch.setattr(os, "replace", full)
    refused(batch(run, out), f"in {out} kan niet worden geschreven (de schijf is vol)")
    assert list(tmp_path.iterdir()) == []


def _many_scenarios(path: Path, count: int) -> Path:
    with SCENARIOS.open(encoding="utf-8", newline="") as handle:
        header, first, *_ = csv.reader(handle)
    rest = ",".join(first[1:])  # the example's cells need no quotes
    assert csv_line(first) == f"{first[0]},{rest}\n"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(csv_line(header))
        handle.write("".join(f"s{i},{rest}\n" for i in range(count)))
    return path


def csv_line(cells: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_into_a_running_batch_removes_its_temporary_file(tmp_path, sent):
    # 400,000 scenarios: a batch reads and writes some 100,000 a second now, and the signal must
    # reach it while it runs, also on a busy machine (the file is made in about 0.2 s)
    scenarios = _many_scenarios(tmp_path / "scenarios.csv", 400_000)
    out = tmp_path / "uitkomsten.csv"
    command = [sys.executable, "-m", "convenant", "batch", str(ASSEN), str(scenarios), "--out", str(out)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert process.poll() is None and time.monotonic() < deadline, "batch ended before it was interrupted"
        time.sleep(0.01)
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + sent, stderr
    assert f"fout: onderbroken ({sent.name})" in stderr and "Traceback" not in stderr
    assert "er is geen half bestand achtergebleven" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenarios.csv"]


# --- new-version ------------------------------------------------------------------------------


def test_new_version_never_removes_a_sentence_folder_it_did_not_make(run, tmp_path, monkeypatch):
    from tests.workflow import rules_copy

    rules = rules_copy(tmp_path)
    theirs = rules / "assen" / "2025-v1.7.templates"
    theirs.mkdir()
    (theirs / "resultaat_bw.j2").write_text("{{ eigen zin }}\n", encoding="utf-8")
    before = tree(tmp_path)
    real_replace = os.replace

    def failing(source, target):
        if Path(target).name == "2024-v1.6.yaml":
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing)
    args = ["--version", "1.7", "--valid-from", "2025-01-01", "--version-date", "2024-11-15"]
    result = run("new-version", str(rules / "assen" / "2024-v1.6.yaml"), *args)
    refused(result, "kan niet worden geschreven (geen toestemming)")
    assert tree(tmp_path) == before


def test_a_reader_that_stops_reading_is_no_internal_error(tmp_path):
    """`convenant letters … | head -1`: the command finishes its work, says nothing, exits 141
    (128 + SIGPIPE) like other tools, instead of reporting an internal BrokenPipeError."""
    out = tmp_path / "brieven"
    command = [sys.executable, "-m", "convenant", "letters", str(ASSEN_FACTS), "--out", str(out)]
    command += ["--format", "md"]  # typesetting PDFs in a fresh process costs seconds, changes nothing here
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads what the command prints
    done = subprocess.run(command, cwd=REPO_ROOT, stdout=writer, stderr=subprocess.PIPE, text=True)
    os.close(writer)
    assert done.returncode == 128 + signal.SIGPIPE, done.stderr
    assert done.stderr == ""
    assert (out / MANIFEST).is_file()  # the letters were written before the output was printed


def test_an_interrupt_while_a_temporary_file_is_made_leaves_no_file(tmp_path, monkeypatch):
    """SIGTERM arriving inside mkstemp is held until the name is known, then handled, and the file
    removed: the window in which a Ctrl-C could leave an unnamed temporary file is closed (also in
    a process with more threads, such as a pytest-xdist worker, where the signal may reach another
    thread)."""
    from convenant.core import output

    class Stopped(Exception):
        pass

    def stop(*_):
        raise Stopped

    made = tempfile.mkstemp

    def mkstemp_then_signal(*args, **kwargs):
        result = made(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs here, inside mkstemp: held
        return result

    before = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(output.tempfile, "mkstemp", mkstemp_then_signal)
        with pytest.raises(Stopped):
            output.temporary_beside(tmp_path / "uitkomsten.csv")
    finally:
        signal.signal(signal.SIGTERM, before)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    made_now = output.temporary_beside(tmp_path / "uitkomsten.csv")  # without an interrupt: made, empty
    assert made_now.name.startswith(".uitkomsten.csv.") and made_now.read_bytes() == b""
