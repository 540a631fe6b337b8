"""Settlement letters: one per municipality and act, from the centrumgemeente, in Markdown,
HTML, PDF and DOCX, all rendered from one LetterDocument (letterform.py), each with its digital
annex (the full explanation) beside it.

- A regiogemeente's letter states each settlement (a rule with `settlement`) as "u ontvangt" /
  "u betaalt" / nihil, never a bare minus, with its deadline and the article that sets it.
- The centrumgemeente's own letter is a record for its own administration: its own share is no
  payment (it stays in, or is charged to, its own budget); it lists what every other municipality
  receives or pays, and the results that are not distributed (such as the Reserve MO).
- One letter per act (`acts`, engine.letters.acts): it states the act's results and no others,
  and is dated as the act is; a term that follows an event after that date is said as future.
- Nothing is written unless every letter rendered: all files are made in memory, written into a
  fresh folder beside the target, and only then moved into place (see `write_folder`).
- Only what this command wrote is ever replaced: the letters its manifest lists, each unchanged
  since (see `earlier_letters`); a folder with anything else in it is refused.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.output import (
    cannot_write,
    make_folders,
    refuse_file_as_folder,
    refuse_rules_directory,
    remove_folders,
    umask_mode,
)
from convenant.core.paths import display_path
from convenant.evaluation.evaluate import Evaluation
from convenant.letters import letterform
from convenant.letters.acts import Chosen, choose
from convenant.letters.profile import Profile, for_letters

FORMATS = ("md", "html", "pdf", "docx")
MANIFEST = "brieven.sha256"  # lists every letter with its hash; marks a folder this command owns


def make_letters(
    ev: Evaluation,
    formats: tuple[str, ...],
    lang: str,
    date_option: str | None,
    act: str | None = None,
    profile: Profile | None = None,
    docx_template: Path | None = None,
    workers: int = 1,
) -> dict[str, bytes]:
    """Every letter of one act (`act`, or the first that applies) in every format, in memory:
    file name → bytes. Without a profile, the example profile of the covenant signs letters made
    from example facts; real facts need the centrumgemeente's own (`profile.for_letters`).
    `docx_template`: a house-style Word template for the DOCX (checked by `house_style`).
    `workers`: processes that share the letters (`letters_of`)."""
    chosen = choose(ev, act, date_option, lang)
    layout = house_style(docx_template)
    return letters_of(chosen, profile or for_letters(ev), formats, lang, layout, workers)


WORKERS = "CONVENANT_LETTER_WORKERS"  # how many processes `convenant letters` shares the letters among


def workers() -> int:
    """The processes `convenant letters` makes its letters in: $CONVENANT_LETTER_WORKERS, else one
    per core (at most 4; a region has 7 to 10 letters). Only a command of its own process forks:
    a server makes its letters in its own threads."""
    given = os.environ.get(WORKERS, "")
    if given.isdigit() and int(given) >= 1:
        return int(given)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def house_style(path: Path | None, shown: str | None = None) -> letterform.Layout | None:
    """A house-style Word template, checked: readable, a Word file, and with every named style and
    placeholder the letters fill (render/docx_letter.template_problems). None: the shipped one.
    `shown` names the file in messages when it is not its path (an upload)."""
    if path is None:
        return None
    from convenant.core.reading import read_bytes
    from convenant.render import docx_letter

    shown = shown or display_path(path)
    data = read_bytes(path, shown, docx_letter.MAX_TEMPLATE_BYTES)
    try:
        found = docx_letter.template_problems(path)
    except Exception:  # not a Word file: docxtpl and python-docx raise zip, XML and key errors
        raise ConvenantError([Problem("letters.docx_template_unreadable", {"path": shown})]) from None
    problems = [
        Problem(f"letters.docx_template_{kind}", {"path": shown, "name": name}) for kind, name in found
    ]
    if problems:
        raise ConvenantError(problems)
    return letterform.Layout(path, hashlib.sha256(data).hexdigest())


def letters_of(
    chosen: Chosen,
    profile: Profile,
    formats: tuple[str, ...],
    lang: str,
    layout: letterform.Layout | None = None,
    workers: int = 1,
) -> dict[str, bytes]:
    """Every letter of the chosen act in every format, and each letter's digital annex (the full
    explanation, `<stem>.toelichting.md`), in memory: file name → bytes. Every format is rendered
    from the same LetterDocument (the DOCX from `layout`'s template when given).

    `workers` > 1: the letters are shared among that many forked processes, each composing and
    rendering every `workers`-th letter (composing one letter does not depend on the others, so
    the bytes are the same); a fault in any of them makes them all again here, where it is raised."""
    job = (chosen, profile, formats, lang, layout)
    count = len(chosen.ev.parties.members)
    if workers > 1 and count > 1 and _may_fork():
        shared = _in_processes(job, min(workers, count))
        if shared is not None:
            return shared
    return _letters(job, range(count))


_Job = tuple[Chosen, Profile, tuple[str, ...], str, "letterform.Layout | None"]
_JOB: _Job | None = None  # the job a forked worker reads (nothing is pickled but the letters' bytes)


def _letters(job: _Job, which: Iterable[int]) -> dict[str, bytes]:
    """The letters of `job` at the positions `which` (in preamble order), in every format. The PDFs
    are typeset in a thread of their own while the next letters are composed and rendered: Typst
    releases the interpreter while it typesets (a third to a half of the work), so the two share
    the cores; each PDF is made from its own document, so the bytes are the same."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from convenant.render.render_letter import renderers

    chosen, profile, formats, lang, layout = job
    render = renderers(layout.path if layout is not None else None)
    composers = letterform.composers(chosen, profile, lang, layout)
    files: dict[str, bytes] = {}
    typesetting: dict[str, Future[bytes]] = {}
    typesetter = ThreadPoolExecutor(1, thread_name_prefix="typst") if "pdf" in formats else None
    try:
        for at in which:
            made = composers[at][1]()
            files[made.explanation_name] = made.explanation.encode()
            for fmt in formats:
                name = f"{made.stem}.{fmt}"
                if fmt == "pdf" and typesetter is not None:
                    typesetting[name] = typesetter.submit(render[fmt], made.document)
                else:
                    files[name] = render[fmt](made.document)
        for name, pdf in typesetting.items():
            files[name] = pdf.result()
    finally:
        if typesetter is not None:
            typesetter.shutdown(wait=True, cancel_futures=True)
    return dict(sorted(files.items()))


def _may_fork() -> bool:
    """Fork only a process with one thread that has not typeset yet: a forked child has only the
    thread that forked, so a lock another thread held, or the typesetter's own threads, would be
    missing in it."""
    from convenant.render import typst_letter

    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and typst_letter.compiler_made() is False
    )


def _worker_letters(which: list[int]) -> dict[str, bytes]:
    assert _JOB is not None
    return _letters(_JOB, which)


def _in_processes(job: _Job, workers: int) -> dict[str, bytes] | None:
    """The letters made in `workers` processes: this one and `workers` - 1 forked from it, or None
    when any of them failed (a fault, or a worker that died). The typesetters' modules are imported
    here first, so that no forked process imports them again (0.1-0.2 s each); the typesetter
    itself is started in each process after the fork (`_may_fork`). An interrupt (Ctrl-C, SIGTERM)
    stops the workers at once."""
    global _JOB
    from concurrent.futures import ProcessPoolExecutor

    _import_typesetters(job[2])
    count = len(job[0].ev.parties.members)
    parts = [list(range(start, count, workers)) for start in range(workers)]
    _JOB = job
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers - 1, mp_context=context, initializer=_quiet_worker)
    try:
        shared = [pool.submit(_worker_letters, part) for part in parts[1:]]  # forks the workers
        made = [_letters(job, parts[0]), *(future.result() for future in shared)]
    except Exception:  # made again here, and a fault raised here
        return None
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()  # the workers would finish their letters first
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _JOB = None
    files = {name: data for part in made for name, data in part.items()}
    return dict(sorted(files.items()))


def _import_typesetters(formats: tuple[str, ...]) -> None:
    """Import what the renderers of `formats` import when first used (not the typesetter itself:
    Typst's compiler starts threads, which a fork would not copy)."""
    from convenant.render import render_letter  # noqa: F401

    if "pdf" in formats:
        import typst  # noqa: F401
    if "docx" in formats:
        import docxtpl  # noqa: F401

        from convenant.render import docx_letter

        docx_letter._template_class()


def _quiet_worker() -> None:
    """A worker leaves interrupts to the command that forked it (which stops it with SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def manifest(files: Mapping[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items()).encode()


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listed(out: Path) -> dict[str, str]:
    """The letters an earlier run wrote in `out` (name → sha256), from its manifest; a manifest
    this command could not have written is refused, so it can never make us replace a file."""
    path = out / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        lines = path.read_bytes().decode("utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        lines = ["?"]
    listed: dict[str, str] = {}
    for number, line in enumerate(lines[:-1] if lines[-1] == "" else lines, start=1):
        match = _MANIFEST_LINE.fullmatch(line)
        if match is None or match[2] in (".", "..", MANIFEST) or match[2] in listed:
            raise ConvenantError(
                [Problem("letters.bad_manifest", {"path": display_path(path), "line": number})]
            )
        listed[match[2]] = match[1]
    return listed


_MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  ([^/\\\x00]+)")


def _some(names: list[str]) -> str:
    return ", ".join(names[:10]) + (", …" if len(names) > 10 else "")


def earlier_letters(out: Path) -> list[str]:
    """What of `out` this command may replace: nothing when it is new or empty; when an earlier
    run made it, the letters its manifest lists (and the manifest). Refuses a folder that holds
    anything else, or a letter changed since it was written: those are the user's."""
    refuse_rules_directory(out)
    refuse_file_as_folder(out)
    if not out.exists() and not out.is_symlink():
        return []
    if not out.is_dir():
        raise ConvenantError([Problem("letters.out_not_a_folder", {"path": display_path(out)})])
    try:
        present = sorted(os.listdir(out))
    except OSError as error:
        raise cannot_write(out, error) from None
    if not present:
        return []
    listed = _listed(out)
    ours = {MANIFEST, *listed} if listed else set()
    foreign = [n for n in present if n not in ours or (out / n).is_symlink() or not (out / n).is_file()]
    if foreign:
        args = {"path": display_path(out), "files": _some(foreign), "manifest": MANIFEST}
        raise ConvenantError([Problem("letters.foreign_files", args)])
    changed = [n for n in present if n != MANIFEST and _hash(out / n) != listed[n]]
    if changed:
        args = {"path": display_path(out), "files": _some(changed), "manifest": MANIFEST}
        raise ConvenantError([Problem("letters.changed", args)])
    return present


def write_folder(files: Mapping[str, bytes], out: Path) -> None:
    """Put exactly `files` (and the manifest) in `out`, all or nothing; see `earlier_letters`
    for what `out` may hold. The files are written into a hidden folder beside `out` first. A
    new folder is that folder renamed into place; in an earlier letters folder the old letters
    are moved aside, the new ones moved in, and the old ones removed only when all are in. On
    any failure, the earlier letters are put back and nothing new stays behind."""
    earlier = earlier_letters(out)
    created = make_folders(out.parent)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as error:
        remove_folders(created)
        raise cannot_write(out.parent, error) from None
    try:
        for name, data in {**files, MANIFEST: manifest(files)}.items():
            (stage / name).write_bytes(data)
        if out.is_dir():
            _move_in(stage, out, earlier)
        else:
            os.chmod(stage, umask_mode(0o777))
            os.rename(stage, out)
    except BaseException as error:
        shutil.rmtree(stage, ignore_errors=True)  # our own hidden folder, with only our files
        remove_folders(created)
        if isinstance(error, OSError):
            raise cannot_write(out, error) from None
        raise
    shutil.rmtree(stage, ignore_errors=True)


def _move_in(stage: Path, out: Path, earlier: list[str]) -> None:
    """Replace the earlier letters in `out` by those in `stage`, the manifest last."""
    backup = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in sorted(earlier, key=lambda n: n != MANIFEST):
            os.rename(out / name, backup / name)
            moved_out.append(name)
        for name in sorted(os.listdir(stage), key=lambda n: n == MANIFEST):
            os.rename(stage / name, out / name)
            moved_in.append(name)
    except BaseException:
        for name in reversed(moved_in):
            os.rename(out / name, stage / name)
        for name in reversed(moved_out):
            os.rename(backup / name, out / name)
        backup.rmdir()  # empty again; if not, the earlier letters stay there rather than be lost
        raise
    shutil.rmtree(backup)  # the earlier letters, each checked unchanged since this command wrote it
