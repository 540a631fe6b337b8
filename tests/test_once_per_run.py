"""The test run's shared work (tests/once_per_run.py): done by one process, read by the others."""

from __future__ import annotations

import threading
import time

from tests.once_per_run import INDEX, files_once


def test_the_work_is_done_once_and_every_reader_gets_the_same_files_in_the_same_order(tmp_path):
    made = []

    def make() -> dict[str, bytes]:
        made.append(threading.get_ident())
        time.sleep(0.2)  # the others arrive while the first works: they wait for the lock
        return {"z.json": b"{}\n", "letters/a.pdf": b"%PDF-\x00\xff", "b.md": b""}

    found: list[dict[str, bytes]] = []

    def read() -> None:
        found.append(files_once(tmp_path, "x", make))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert len(made) == 1  # one did the work, two read it
    assert len(found) == 3
    expected = [("z.json", b"{}\n"), ("letters/a.pdf", b"%PDF-\x00\xff"), ("b.md", b"")]
    for result in found:
        assert list(result.items()) == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x", "x.lock"]  # nothing partial left
    assert (tmp_path / "x" / INDEX).read_text(encoding="utf-8") == "z.json\nletters/a.pdf\nb.md\n"


def test_work_that_fails_leaves_nothing_a_reader_would_take_for_done(tmp_path):
    def broken() -> dict[str, bytes]:
        raise RuntimeError("typesetting failed")

    try:
        files_once(tmp_path, "x", broken)
    except RuntimeError:
        pass
    assert not (tmp_path / "x").exists()
    assert files_once(tmp_path, "x", lambda: {"a": b"1"}) == {"a": b"1"}  # the next one does the work
