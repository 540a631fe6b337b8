"""All letters of a region, in every format, as `convenant letters` makes them (issue 12, item 4:
"all letters of a region in all formats within 1.5 s"; issue 15, target 7: that, and the letters'
test suite within 30 s).

1. In this process, for each example and act: `letterform.documents` (the LetterDocument of every
   party, with each party's explanation as its digital annex), then every renderer over those
   documents (md, html, pdf, docx), each phase timed warm (median of 5 runs after one cold run),
   and the pages of the PDFs. The PDF figure is the typesetter's repeat of letters it has seen
   (Typst memoizes within one compiler); the whole command below typesets each letter once.
2. The whole command, `python -m convenant letters FACTS --act ACT --out NEW_FOLDER` in a new
   process per run (starting, reading and checking the rules and facts, checking the templates,
   evaluating, every letter in every format, writing): the wall time of the first run and the
   median of the next ones, with the letters shared among one process per core (the default) and
   in one process (`CONVENANT_LETTER_WORKERS=1`). The first run checks the templates; a later run
   finds that check, the compiled templates, the schema passes and the words in the cache folder
   (`$XDG_CACHE_HOME`, a temporary folder here). Python keeps its own compiled modules (in a
   temporary PYTHONPYCACHEPREFIX), as an installed wheel has them; one more column has every run
   compile the engine's sources again (PYTHONDONTWRITEBYTECODE=1, in a checkout without
   __pycache__, as on the build machine: 0.3 s more per process).
3. The letters' test suite (LETTER_TESTS, `pytest` as the README runs it, two processes): wall
   time of one run (`--no-tests` leaves it out).

Writes benchmarks/letters.md and its section of benchmarks/README.md.

    .venv/bin/python benchmarks/letters_region.py [--no-tests]
"""

from __future__ import annotations

import io
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from convenant.letters import letterform
from convenant.letters.acts import choose
from convenant.letters.profile import for_letters
from convenant.render.render_letter import RENDERERS
from convenant.workflow.session import evaluate_file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sections import write_section  # noqa: E402

CASES = (
    ("assen-2024.yaml", "voorlopig_aandeel", "2025-02-14"),
    ("assen-2024.yaml", "definitief_aandeel", None),
    ("groningen-2022.yaml", "mededeling", None),
    ("groningen-2023.yaml", "besluit_achteraf", None),
)
FORMATS = ("md", "html", "pdf", "docx")
RUNS = 5
COMMAND_RUNS = 3  # after the first
LETTER_TESTS = (
    "tests/test_letters.py",
    "tests/test_acts.py",
    "tests/test_typst_letters.py",
    "tests/test_docx_letters.py",
    "tests/test_letter_md_html.py",
)
TARGET = 1.5  # s, all letters of a region in all formats
TESTS_TARGET = 30.0  # s, the letters' test suite


def timed(work) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def measure(facts: str, act: str, when: str | None) -> dict[str, object]:
    ev = evaluate_file(ROOT / "examples" / facts)
    profile = for_letters(ev)
    chosen = choose(ev, act, when, "nl")
    cold, made = timed(lambda: letterform.documents(chosen, profile, "nl"))
    phases: dict[str, list[float]] = {"documents": [], **{f: [] for f in FORMATS}}
    for _ in range(RUNS):
        spent, made = timed(lambda: letterform.documents(chosen, profile, "nl"))
        phases["documents"].append(spent)
        documents = [m.document for m in made]
        for fmt in FORMATS:
            render = RENDERERS[fmt]
            spent, _ = timed(lambda render=render, documents=documents: [render(doc) for doc in documents])
            phases[fmt].append(spent)
    pdfs = [RENDERERS["pdf"](m.document) for m in made]
    pages = [len(PdfReader(io.BytesIO(p)).pages) for p in pdfs]
    median = {k: statistics.median(v) for k, v in phases.items()}
    return {
        "case": f"{facts} {act}",
        "letters": len(made),
        "cold": cold,
        **median,
        "total": sum(median.values()),
        "pages": f"{min(pages)}–{max(pages)}",
    }


def command(
    facts: str, act: str, when: str | None, workers: str | None, cache: Path, bytecode: bool = True
) -> dict[str, object]:
    """The whole `convenant letters` command in a new process: first run, then the median.
    `bytecode`: Python keeps the compiled modules (in a folder of its own, PYTHONPYCACHEPREFIX), as
    an installed wheel has them; else every run compiles the engine's sources again
    (PYTHONDONTWRITEBYTECODE=1 in a checkout without __pycache__, as on the build machine)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONHASHSEED": "0"}
    env.pop("CONVENANT_LETTER_WORKERS", None)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache / "bytecode")
    else:  # the dependencies keep the bytecode pip compiled for them
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.pop("PYTHONPYCACHEPREFIX", None)
    if workers is not None:
        env["CONVENANT_LETTER_WORKERS"] = workers
    spent = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1 + COMMAND_RUNS):
            args = [sys.executable, "-m", "convenant", "letters", f"examples/{facts}", "--act", act]
            args += ["--out", str(Path(folder) / f"brieven-{run}")] + (["--date", when] if when else [])
            start = time.perf_counter()
            subprocess.run(args, cwd=ROOT, env=env, check=True, capture_output=True)
            spent.append(time.perf_counter() - start)
    return {"first": spent[0], "median": statistics.median(spent[1:])}


def letter_tests() -> tuple[float, str]:
    """One run of the letters' test suite as the README runs it: wall time and pytest's summary."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *LETTER_TESTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    spent = time.perf_counter() - start
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    return spent, re.sub(r"=+", "", summary).strip()


def main() -> None:
    with_tests = "--no-tests" not in sys.argv[1:]
    load_before = os.getloadavg()[0]
    rows = [measure(*case) for case in CASES]
    with tempfile.TemporaryDirectory() as cache:
        whole = [
            {
                "case": f"{facts} {act}",
                "default": command(facts, act, when, None, Path(cache) / "default"),
                "one": command(facts, act, when, "1", Path(cache) / "one"),
                "compiled": command(facts, act, when, None, Path(cache) / "compiled", bytecode=False),
            }
            for facts, act, when in CASES
        ]
    tests = letter_tests() if with_tests else None
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    lines = [
        "# Letters: all letters of a region in every format",
        "",
        "Made by `.venv/bin/python benchmarks/letters_region.py` (this file is rewritten); what is timed: "
        "see its docstring.",
        "",
        f"**Run of {date.today().isoformat()}** on {cores} cores, "
        f"Python {platform.python_version()}; load average (1 min) {load:.2f} "
        "(other processes share the machine: timings vary between runs).",
        "",
        "| example and act | letters | documents cold (s) | documents (s) | md (s) | html (s) | pdf (s) "
        "| docx (s) | all formats (s) | pages per letter |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['letters']} | {r['cold']:.2f} | {r['documents']:.2f} | {r['md']:.3f} | "
            f"{r['html']:.3f} | {r['pdf']:.2f} | {r['docx']:.2f} | **{r['total']:.2f}** | {r['pages']} |"
        )
    worst = max(r["total"] for r in rows)
    met = "met" if worst <= TARGET else "not met"
    lines += [
        "",
        "Target (issue 12, item 4; issue 15, target 7): all letters of a region in all formats "
        f"within {TARGET} s.",
        f"Slowest act: {worst:.2f} s, in one process, warm: **{met}**. Not in these figures: starting the",
        "command, checking the rule file's templates (`template_check`, run before any letter),",
        "typesetting each letter the first time, and writing the files: the whole command is below.",
        "",
        f"## The whole command: `python -m convenant letters FACTS --act ACT --out NEW` ({cores} cores)",
        "",
        "A new process per run; the first run checks the templates (and compiles them, and reads the",
        "schemas and the words), later runs find what it kept in the cache folder. Python keeps its",
        "compiled modules, as an installed wheel has them; the last column compiles every source of",
        "the engine again in every run (PYTHONDONTWRITEBYTECODE=1 without __pycache__).",
        f"Median of {COMMAND_RUNS} runs after the first; load average {load_before:.2f} before the",
        f"measurements, {load:.2f} after.",
        "",
        "| example and act | first run (s) | median (s) | first, one process (s) | median, one process (s) "
        f"| median, sources compiled (s) | ≤ {TARGET} s? |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in whole:
        d, o, c = w["default"], w["one"], w["compiled"]
        ok = "met" if d["median"] <= TARGET else "not met"
        lines.append(
            f"| {w['case']} | {d['first']:.2f} | **{d['median']:.2f}** | {o['first']:.2f} "
            f"| {o['median']:.2f} | {c['median']:.2f} | {ok} |"
        )
    if tests is not None:
        spent, summary = tests
        ok = "met" if spent <= TESTS_TARGET else "not met"
        lines += [
            "",
            "## The letters' test suite",
            "",
            f"`.venv/bin/pytest -p no:cacheprovider {' '.join(LETTER_TESTS)}` (two processes, as the",
            f"README runs the tests): **{spent:.1f} s** wall ({summary}); "
            f"target ≤ {TESTS_TARGET:.0f} s: **{ok}**.",
        ]
    lines.append("")
    (ROOT / "benchmarks" / "letters.md").write_text("\n".join(lines), encoding="utf-8")
    readme(rows, whole, tests, load_before, load, cores)
    print("\n".join(lines))


START, END = "<!-- letters_region.py -->", "<!-- /letters_region.py -->"


def readme(rows, whole, tests, load_before: float, load: float, cores: int) -> None:
    """This benchmark's section of benchmarks/README.md, between its markers (added at the end)."""
    worst = max(rows, key=lambda r: r["total"])
    slowest = max(whole, key=lambda w: w["default"]["median"])
    d = slowest["default"]
    section = [
        START,
        "## Letters: all letters of a region in every format (issue 15, target 7)",
        "",
        "`.venv/bin/python benchmarks/letters_region.py` writes [letters.md](letters.md) (per example and",
        "act; what is timed: its docstring).",
        "",
        f"| run of {date.today().isoformat()}, {cores} cores, load average {load_before:.2f}–{load:.2f} "
        "| figure | target | met? |",
        "|---|---|---|---|",
        f"| rendering, in one process, warm (slowest: {worst['case']}) | {worst['total']:.2f} s "
        f"| ≤ {TARGET} s | {'yes' if worst['total'] <= TARGET else 'no'} |",
        f"| whole `convenant letters` command, median (slowest: {slowest['case']}) | {d['median']:.2f} s "
        f"| ≤ {TARGET} s | {'yes' if d['median'] <= TARGET else 'no'} |",
        f"| the same, first run (templates checked) | {d['first']:.2f} s | ≤ {TARGET} s "
        f"| {'yes' if d['first'] <= TARGET else 'no'} |",
    ]
    if tests is not None:
        spent = tests[0]
        section.append(
            f"| the letters' test suite ({len(LETTER_TESTS)} files, `-n 2`) | {spent:.1f} s "
            f"| ≤ {TESTS_TARGET:.0f} s | {'yes' if spent <= TESTS_TARGET else 'no'} |"
        )
    section.append(END)
    write_section("\n".join(section), START, END)


if __name__ == "__main__":
    main()
