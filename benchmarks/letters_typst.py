"""Benchmark of typesetting letters: every letter of one region, Typst (render/typst_letter.py, the
demonstration letters of letters/letterform.py) beside today's fpdf2 path (letters.make_letters,
PDF only).

One command from the repository root:

    python benchmarks/letters_typst.py          # writes benchmarks/letters.md

Per example (examples/assen-2024.yaml, examples/groningen-2022.yaml): the evaluation is done once
and not timed; timed are building the LetterDocuments and typesetting them, for every recipient of
the demonstration act, cold (the first run in this process, fonts loaded) and warm (median of 5
runs after it), with the pages per letter. The issue's target: all letters of a region in all
formats within 1.5 s; only the PDF is measured here (Markdown, HTML and DOCX are not made by this
path yet). A measurement, never a timed test: the machine is shared.
"""

from __future__ import annotations

import datetime
import io
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import typst  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from convenant.letters import letterform  # noqa: E402
from convenant.letters import letters as old_letters  # noqa: E402
from convenant.letters.profile import load_profile  # noqa: E402
from convenant.render import typst_letter  # noqa: E402
from convenant.workflow.session import evaluate_file  # noqa: E402

CASES = (
    ("examples/assen-2024.yaml", "examples/afzender-assen.yaml"),
    ("examples/groningen-2022.yaml", "examples/afzender-groningen.yaml"),
)
RUNS = 5


def typst_run(ev, profile) -> tuple[float, list[int]]:
    start = time.perf_counter()
    pdfs = [
        typst_letter.to_pdf(letterform.letter_document(ev, profile, code))
        for code in letterform.recipients(ev)
    ]
    elapsed = time.perf_counter() - start
    return elapsed, [len(PdfReader(io.BytesIO(p)).pages) for p in pdfs]


def fpdf_run(ev) -> float:
    start = time.perf_counter()
    old_letters.make_letters(ev, ("pdf",), "nl", None)
    return time.perf_counter() - start


def main() -> None:
    rows = []
    for facts, profile_path in CASES:
        ev = evaluate_file(ROOT / facts)
        profile = load_profile(ROOT / profile_path)
        typst_letter._compiler.cache_clear()
        cold, pages = typst_run(ev, profile)
        warm = statistics.median(typst_run(ev, profile)[0] for _ in range(RUNS))
        old = fpdf_run(ev)
        n = len(pages)
        rows.append((facts, n, cold, warm, warm / n, f"{min(pages)}–{max(pages)}", old))
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    lines = [
        "# Letters: typesetting time",
        "",
        "Made by `python benchmarks/letters_typst.py` (this file is rewritten); what is timed: see its "
        "docstring.",
        "",
        f"**Run of {datetime.date.today().isoformat()}** on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, typst {typst.__version__}; load average (1 min) {load:.2f} "
        "(other processes share the machine: timings vary between runs).",
        "",
        "| example | letters | Typst cold (s) | Typst warm (s, median of 5) | per letter warm (s) "
        "| pages per letter | today's fpdf2 PDFs (s, every party, with the explanation) |",
        "|---|---|---|---|---|---|---|",
    ]
    for facts, n, cold, warm, per, pages, old in rows:
        lines.append(f"| {facts} | {n} | {cold:.3f} | {warm:.3f} | {per:.4f} | {pages} | {old:.2f} |")
    lines += [
        "",
        "Target (issue 12): all letters of a region in all formats within 1.5 s. The Typst column is the PDF "
        "of the demonstration letters (letter and annex) for every recipient; the fpdf2 column is today's "
        "`convenant letters --format pdf` work for the same evaluation (a longer letter per party, the "
        "centrumgemeente's record included), given for comparison, not as like for like.",
        "",
    ]
    (ROOT / "benchmarks" / "letters.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
