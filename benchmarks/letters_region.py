"""All letters of a region, in every format, as `convenant letters` makes them (issue 12, item 4:
"all letters of a region in all formats within 1.5 s"; issue 15, target 7).

For each example and act: `letterform.documents` (the LetterDocument of every party, with each
party's explanation as its digital annex), then every renderer over those documents (md, html,
pdf, docx), each phase timed warm (median of 5 runs after one cold run, in this process), and
the pages of the PDFs. Writes benchmarks/letters.md.

    .venv/bin/python benchmarks/letters_region.py
"""

from __future__ import annotations

import io
import os
import platform
import statistics
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
CASES = (
    ("assen-2024.yaml", "voorlopig_aandeel", "2025-02-14"),
    ("assen-2024.yaml", "definitief_aandeel", None),
    ("groningen-2022.yaml", "mededeling", None),
    ("groningen-2023.yaml", "besluit_achteraf", None),
)
FORMATS = ("md", "html", "pdf", "docx")
RUNS = 5


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


def main() -> None:
    rows = [measure(*case) for case in CASES]
    load = os.getloadavg()[0]
    lines = [
        "# Letters: all letters of a region in every format",
        "",
        "Made by `.venv/bin/python benchmarks/letters_region.py` (this file is rewritten); what is timed: "
        "see its docstring.",
        "",
        f"**Run of {date.today().isoformat()}** on {os.cpu_count()} cores, "
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
    met = "met" if worst <= 1.5 else "not met"
    lines += [
        "",
        "Target (issue 12, item 4; issue 15, target 7): all letters of a region in all formats within 1.5 s.",
        f"Slowest act: {worst:.2f} s, in one process: **{met}**. Not in these figures: starting the",
        "command, checking the rule file's templates (`template_check`, run before any letter) and",
        "writing the files; `convenant letters` as a whole takes a few seconds (issue 15 owns that, with",
        "editor-speed validation).",
        "",
    ]
    (ROOT / "benchmarks" / "letters.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
