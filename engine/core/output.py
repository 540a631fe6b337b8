"""Where a command may write, and how: the guards and the atomic steps `letters`, `batch` and
`new-version` share, so that no command deletes or overwrites a file it did not write and none
leaves half a file behind.

- Never into the rules directory (`rules/`, or a folder that holds the municipalities table):
  only rule files, tables and sentences belong there (`new-version` writes there on purpose and
  does not use `refuse_rules_directory`).
- Everything is made beside the target first (a hidden temporary file or folder in the same
  folder, so the last step is a rename) and appears only when complete (`place`).
- Any failure of the file system becomes a message naming the path (`cannot_write`), never a
  traceback.
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any

from convenant import words
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import display_path, rules_directory_of


def _refuse(code: str, path: Path, **args: object) -> ConvenantError:
    return ConvenantError([Problem(code, {"path": display_path(path), **args})])


# errno → the key of its reason in Dutch words (output.reason.*); English shows the system's own words.
_REASONS = {
    errno.EACCES: "EACCES",
    errno.EPERM: "EPERM",
    errno.EROFS: "EROFS",
    errno.ENOSPC: "ENOSPC",
    errno.EDQUOT: "EDQUOT",
    errno.ENOENT: "ENOENT",
    errno.ENOTDIR: "ENOTDIR",
    errno.EISDIR: "EISDIR",
    errno.EXDEV: "EXDEV",
}


def cannot_write(path: Path, error: OSError) -> ConvenantError:
    """A file-system error while writing, as a message with the folder or file it happened in."""
    reason = error.strerror or type(error).__name__
    known = _REASONS.get(error.errno or 0)
    reason_nl = words.say(f"output.reason.{known}", "nl") if known else reason
    return _refuse("output.cannot_write", path, reason=reason, reason_nl=reason_nl)


def refuse_rules_directory(path: Path) -> None:
    """Output never goes into the rules directory: `validate rules/` would read it, and a
    results file there could be taken for a table."""
    directory = rules_directory_of(path)
    if directory is not None:
        raise _refuse("output.in_rules_dir", path, rules=display_path(directory))


def refuse_file_as_folder(path: Path) -> None:
    """Refuse a target whose folder (or a folder above it) is a file: it can never be made."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise _refuse("output.parent_is_file", path, parent=display_path(parent))
            return


def make_folders(folder: Path) -> list[Path]:
    """Create `folder` and the folders above it that are missing; returns those created, deepest
    first, for `remove_folders` to take away again if the command fails."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for created in reversed(missing):
        try:
            created.mkdir()
        except OSError as error:
            remove_folders([p for p in missing if p.exists()])
            raise cannot_write(created.parent, error) from None
    return missing


def remove_folders(created: list[Path]) -> None:
    """Remove folders `make_folders` created, as long as they are (still) empty."""
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            return


def umask_mode(kind: int) -> int:
    """The mode a new file (0o666) or folder (0o777) gets from the user's umask: temporary files
    are made private, but what they become should look like anything else the user writes."""
    mask = os.umask(0)
    os.umask(mask)
    return kind & ~mask


def place(temporary: Path, target: Path, replace: bool) -> None:
    """Rename a complete temporary file to its target. `replace` False: never over a file that
    appeared meanwhile (a hard link fails if the target exists; without hard links, check)."""
    if replace:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise _refuse("output.appeared", target) from None
    except OSError:  # a file system without hard links
        if target.exists():
            raise _refuse("output.appeared", target) from None
        os.replace(temporary, target)
    else:
        temporary.unlink()


_INTERRUPTS = (signal.SIGINT, signal.SIGTERM)


def temporary_beside(path: Path) -> Path:
    """A new, empty, hidden temporary file beside `path` (`.name.XXXX.tmp`), for the caller to
    write and `place`. A Ctrl-C or SIGTERM that arrives while it is made is held (recorded by a
    handler that only records) until the name is known, then handled as it would have been, after
    the file is removed: no interrupt can leave a temporary file that nobody knows the name of.
    (Python runs signal handlers in the main thread only, whichever thread the signal reaches, so
    holding them there is enough.) Raises OSError as mkstemp does."""
    held: list[int] = []
    saved: dict[int, Any] = {}  # signal number → the handler it had
    if threading.current_thread() is threading.main_thread():
        for number in _INTERRUPTS:
            saved[number] = signal.signal(number, lambda n, _frame: held.append(n))
    name: str | None = None
    try:
        try:
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            os.close(handle)
        finally:
            for signum, handler in saved.items():
                signal.signal(signum, handler)
        for caught in held[:1]:  # now handled as it would have been: the file is known, and removed
            handler = saved[caught]
            if callable(handler):
                handler(caught, None)
            elif handler != signal.SIG_IGN:  # the default action ends the process: remove first
                Path(name).unlink(missing_ok=True)
                signal.raise_signal(caught)
        return Path(name)
    except BaseException:
        if name is not None:
            Path(name).unlink(missing_ok=True)
        raise
