"""The outcome of `convenant validate` kept on disk, so that a second run with nothing changed
answers at editor speed (legal staff validate on every save).

Where: `$XDG_CACHE_HOME/convenant/validate/` (else `~/.cache/convenant/validate/`), one JSON file
per invocation: its name is the sha256 of what the invocation is (the paths as given, `--rules`,
the working directory, `CONVENANT_RULES_DIR`) and of the engine's identity (the version, the
Python, and the path, size and mtime of every file of the installed package and its schemas, so
that an editable install's changed code counts; and the folders on `sys.path`, whose mtime
changes when a dependency is installed or removed).

An entry holds every input the check looked at and the complete outcome:

- files: every file read through `core.reading` (rule file, templates, tests, data tables, the
  municipalities table, fact files; a source line quoted in a message), with the sha256 of its
  bytes, or the note that it was missing or not a regular file;
- folders: the `*.yaml` files (with their content) and subfolders of the folder of each such file
  (another version, a nearer municipalities table, a new templates folder); every file under each
  `.templates` folder beside a `.yaml` file (a template added, removed, renamed or changed); every
  `*.yaml` under a folder given on the command line and under the rules directory (with content:
  what a process kept from before it counts even when it was not read again);
- the outcome: standard output and standard error in both languages, and the exit code. A rule
  file with errors is kept too: the same errors, with the same exit code 1, until it changes.

A warm run (`replay`, called by `main` before click and the engine are imported) checks every
recorded input again, by content, and writes the outcome; any difference, a missing, corrupt or
unreadable entry, or an option it does not know (`--full`, `--help`, …) is a miss, and the full
check runs and keeps a new entry. Entries are written atomically (a temporary file renamed);
a cache folder that cannot be written only makes the next run slower.

This module imports nothing of the engine (and no third-party module): it must stay fast to import.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from typing import TYPE_CHECKING

from convenant.core import identity

if TYPE_CHECKING:  # typing's names cost milliseconds to import; annotations only
    from collections.abc import Iterable, Mapping
    from typing import Any, TextIO

    Outcome = dict[str, Any]  # {"exit": int, "nl": [stdout, stderr], "en": [stdout, stderr]}

FORMAT = 1  # the layout of an entry; a new layout is a new key
LANGUAGES = ("nl", "en")
_SUFFIX = ".yaml"
_TEMPLATES = ".templates"  # render/templating.py: sentence_dir


def cache_dir() -> str:
    return identity.cache_dir("validate")


def key(paths: Iterable[str], rules_file: str | None) -> str:
    """The name of the entry of `convenant validate PATHS [--rules FILE]` here and now."""
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    engine = identity.engine_identity()
    what = [FORMAT, engine, cwd, list(paths), rules_file, os.environ.get("CONVENANT_RULES_DIR")]
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()


# --- the state of an input, recorded after a full check and compared on a warm run --------------


_states: dict[str, str | None] = {}  # during one `inputs` or `lookup`: a file read once


def _file_state(path: str) -> str | None:
    """sha256 of a regular file's bytes; None when missing; "other" for a folder or a device."""
    if path in _states:
        return _states[path]
    _states[path] = found = _read_state(path)
    return found


def _read_state(path: str) -> str | None:
    try:  # without blocking: a FIFO nobody writes to is "other", as core/reading.py refuses it
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None if not os.path.lexists(path) else "other"
    except OSError:
        return "unreadable"
    with os.fdopen(handle, "rb") as stream:
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                return "other"
            digest = hashlib.sha256()
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
            return digest.hexdigest()
        except OSError:
            return "unreadable"


def _names(folder: str) -> list[list[str | None]] | None:
    """The `*.yaml` files of a folder with their content, and its subfolders (what a rule file's
    neighbours can change: another version, a nearer municipalities table, a templates folder)."""
    try:
        with os.scandir(folder) as entries:
            found = sorted((e.name, e.is_dir()) for e in entries if e.name.endswith(_SUFFIX) or e.is_dir())
    except OSError:
        return None
    return [[name, "folder" if is_dir else _file_state(os.path.join(folder, name))] for name, is_dir in found]


def _tree(folder: str, only_yaml: bool) -> list[list[str | None]] | None:
    """Every file under a folder (a templates folder), or every `*.yaml` (a folder to validate, the
    rules directory), with its content."""
    if not os.path.isdir(folder):
        return None
    found: list[list[str | None]] = []
    start = len(folder.rstrip(os.sep)) + 1  # a path under it without the folder (relpath, faster)
    for parent, subfolders, names in os.walk(folder):
        subfolders.sort()
        for name in sorted(names):
            if not only_yaml or name.endswith(_SUFFIX):
                path = os.path.join(parent, name)
                found.append([path[start:], _file_state(path)])
    return found


def _folder_state(kind: str, folder: str) -> list[list[str | None]] | None:
    return _names(folder) if kind == "names" else _tree(folder, only_yaml=kind == "yaml")


def inputs(recorded: Mapping[str, bytes | None], folders: Iterable[str]) -> dict[str, Any] | None:
    """What a full check rested on: the files `core.reading.recording` noted, the folders around
    them and `folders` (those given, the rules directory), each with the content of its files (also
    what a process read before and kept: a templates folder, a rules directory); None when a file
    read during the check has changed since (the outcome may be of neither)."""
    _states.clear()
    files: dict[str, str | None] = {}
    listed: dict[str, str] = {os.path.abspath(f): "yaml" for f in folders}
    for path, read in sorted(recorded.items()):
        state = _file_state(path)
        if read is not None and state != read.hex():
            return None
        files[path] = state
        parent = os.path.dirname(path)
        templates_root = next(
            (p for p in _parents(path) if p.endswith(_TEMPLATES)), None
        )  # inside a templates folder: its whole tree is listed below
        if templates_root is not None:
            listed.setdefault(templates_root, "tree")
        else:
            listed.setdefault(parent, "names")
        if path.endswith(_SUFFIX):
            listed.setdefault(path.removesuffix(_SUFFIX) + _TEMPLATES, "tree")
    found = {
        "files": files,
        "folders": [[kind, folder, _folder_state(kind, folder)] for folder, kind in sorted(listed.items())],
    }
    _states.clear()
    return found


def _parents(path: str) -> Iterable[str]:
    parent = os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        yield parent
        parent = os.path.dirname(parent)


def _unchanged(recorded: Mapping[str, Any]) -> bool:
    files, folders = recorded["files"], recorded["folders"]
    if not isinstance(files, dict) or not isinstance(folders, list):
        return False
    _states.clear()
    try:
        return all(_file_state(path) == state for path, state in files.items()) and all(
            _folder_state(kind, folder) == state for kind, folder, state in folders
        )
    finally:
        _states.clear()


# --- keeping and replaying -------------------------------------------------------------------


def store(name: str, recorded: dict[str, Any], outcome: Outcome) -> None:
    """Keep an entry atomically; a folder that cannot be written is no error (only slower)."""
    folder = cache_dir()
    try:
        entry = json.dumps({"format": FORMAT, "inputs": recorded, "outcome": outcome}, ensure_ascii=False)
    except ValueError:
        return
    if identity.keep(os.path.join(folder, f"{name}.json"), entry.encode("utf-8")):
        identity.prune(folder)


def lookup(name: str) -> Outcome | None:
    """The outcome kept under `name` when every input it rests on is as it was; else None."""
    try:
        with open(os.path.join(cache_dir(), f"{name}.json"), encoding="utf-8") as stream:
            entry = json.load(stream)
        if entry.get("format") != FORMAT:
            return None
        outcome = entry["outcome"]
        if not isinstance(outcome.get("exit"), int) or not all(
            isinstance(outcome.get(lang), list)
            and len(outcome[lang]) == 2
            and all(isinstance(text, str) for text in outcome[lang])
            for lang in LANGUAGES
        ):
            return None
        return outcome if _unchanged(entry["inputs"]) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None  # no entry, or a corrupt or unreadable one: check in full


def language(explicit: str | None) -> str:
    """As core/messages.py: language (kept in step by a test)."""
    lang = explicit or os.environ.get("CONVENANT_LANG", "nl")
    return lang if lang in LANGUAGES else "nl"


def _arguments(argv: list[str]) -> tuple[str | None, list[str], str | None] | None:
    """(--lang, paths, --rules) of `[--lang L] validate [--rules F] PATH…`; None for anything else."""
    lang, rest = None, list(argv)
    while rest and rest[0].startswith("--lang"):
        if rest[0] == "--lang" and len(rest) > 1:
            lang, rest = rest[1], rest[2:]
        elif rest[0].startswith("--lang="):
            lang, rest = rest[0].removeprefix("--lang="), rest[1:]
        else:
            return None
    if lang is not None and lang not in LANGUAGES:
        return None  # click refuses it in its own words
    if not rest or rest[0] != "validate":
        return None
    paths: list[str] = []
    rules: str | None = None
    given = iter(rest[1:])
    for arg in given:
        if arg == "--rules":
            rules = next(given, None)
            if rules is None:
                return None
        elif arg.startswith("--rules="):
            rules = arg.removeprefix("--rules=")
        elif arg.startswith("-"):  # --full, --help, --, -: the command itself
            return None
        else:
            paths.append(arg)
    return (lang, paths, rules) if paths else None


def replay(argv: list[str], stdout: TextIO, stderr: TextIO) -> int | None:
    """Write the kept outcome of this `convenant validate` and return its exit code; None when
    there is none to trust (the caller runs the command)."""
    parsed = _arguments(argv)
    if parsed is None:
        return None
    from pathlib import Path  # loaded at start-up by the installation's path finder anyway

    lang, paths, rules = parsed
    outcome = lookup(key([str(Path(p)) for p in paths], str(Path(rules)) if rules is not None else None))
    if outcome is None:
        return None
    out, err = outcome[language(lang)]
    stdout.write(out)
    stdout.flush()
    stderr.write(err)
    stderr.flush()
    return int(outcome["exit"])


def answer(argv: list[str]) -> None:
    """Exit with the kept outcome of this `convenant validate`, written out; return on a miss."""
    if sys.stdout is None or sys.stderr is None:  # started without them (`>&-`): click's business
        return
    try:
        code = replay(argv, sys.stdout, sys.stderr)
    except BrokenPipeError:  # the reader stopped reading (`… | head`), as cli.handles_problems
        import signal

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(128 + signal.SIGPIPE)
    if code is not None:
        sys.exit(code)
