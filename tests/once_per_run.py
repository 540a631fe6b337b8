"""Work done once per test run, shared by pytest-xdist's processes (pytest-xdist's recipe for a
session fixture: the first process to need it does the work in the run's shared temporary folder,
`tmp_path_factory.getbasetemp().parent`, under a lock; the others wait for it and read the result).

Without xdist (`-n 0`) there is one process and nothing to share: `shared_folder` is None and the
callers keep their result in memory, as before. The lock is `fcntl.flock` (the standard library;
the tests run on Linux), held on a file beside the result for as long as the work takes."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """The folder all processes of this test run share, or None when there is only one process."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return None
    folder = tmp_path_factory.getbasetemp().parent / "once-per-run"
    folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if need be) for the duration of the block."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


INDEX = "index.txt"  # the names in the order the work gave them, one a line


def files_once(folder: Path, name: str, make: Callable[[], Mapping[str, bytes]]) -> dict[str, bytes]:
    """`make()` (name → bytes, a name a relative path) done once among the processes sharing
    `folder`: the first writes the files under `folder/name/` (complete, or not there: they are
    written aside and moved in place), the others read them back, in the same order."""
    done = folder / name
    with locked(folder / f"{name}.lock"):
        if not done.is_dir():
            made = dict(make())
            assert INDEX not in made, INDEX
            partial = folder / f"{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            for key, data in made.items():
                path = partial / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            (partial / INDEX).write_text("".join(f"{key}\n" for key in made), encoding="utf-8")
            partial.rename(done)
            return made
    names = (done / INDEX).read_text(encoding="utf-8").splitlines()
    return {key: (done / key).read_bytes() for key in names}
