"""Benchmark of the Word letters (render/docx_letter.py): every demonstration letter of one region
(letters/letterform.py) made as DOCX from the shipped template.

One command from the repository root:

    python benchmarks/letters_docx.py          # writes benchmarks/letters_docx.md

Per example (examples/assen-2024.yaml, examples/groningen-2022.yaml): the evaluation and the
LetterDocuments are made once and not timed; timed is `to_docx` alone for every recipient, cold
(the first run in this process: imports and the template's parts compiled) and warm (median of 5
runs after it), with the size of a letter. The issue's target for one letter: well under 0.05 s.
A measurement, never a timed test: the machine is shared.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convenant.letters import letterform  # noqa: E402
from convenant.letters.acts import choose  # noqa: E402
from convenant.letters.profile import load_profile  # noqa: E402
from convenant.render import docx_letter  # noqa: E402
from convenant.workflow.session import evaluate_file  # noqa: E402

CASES = (
    ("examples/assen-2024.yaml", "examples/afzender-assen.yaml"),
    ("examples/groningen-2022.yaml", "examples/afzender-groningen.yaml"),
)
RUNS = 5


def run(docs) -> tuple[float, list[int]]:
    start = time.perf_counter()
    files = [docx_letter.to_docx(doc) for doc in docs]
    return time.perf_counter() - start, [len(f) for f in files]


def main() -> None:
    rows = []
    for facts, profile_path in CASES:
        ev = evaluate_file(ROOT / facts)
        profile = load_profile(ROOT / profile_path)
        docs = [m.document for m in letterform.documents(choose(ev, None, None, "nl"), profile, "nl")]
        docx_letter._environment.cache_clear()
        cold, sizes = run(docs)
        warm = statistics.median(run(docs)[0] for _ in range(RUNS))
        n = len(docs)
        rows.append((facts, n, cold, warm, warm / n, f"{min(sizes) // 1024}–{max(sizes) // 1024}"))
        print(rows[-1], flush=True)
    load = os.getloadavg()[0]
    lines = [
        "# Letters: Word files",
        "",
        "Made by `python benchmarks/letters_docx.py` (this file is rewritten); what is timed: see its "
        "docstring.",
        "",
        f"**Run of {datetime.date.today().isoformat()}** on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, docxtpl {version('docxtpl')}, python-docx {version('python-docx')}; "
        f"load average (1 min) {load:.2f} (other processes share the machine: timings vary between runs).",
        "",
        "| example | letters | DOCX cold (s) | DOCX warm (s, median of 5) | per letter warm (s) "
        "| kB per letter |",
        "|---|---|---|---|---|---|",
    ]
    for facts, n, cold, warm, per, size in rows:
        lines.append(f"| {facts} | {n} | {cold:.3f} | {warm:.3f} | {per:.4f} | {size} |")
    lines += [
        "",
        "Target (issue 12): one letter well under 0.05 s; all letters of a region in all formats within "
        "1.5 s. The files are stored without compression (`docx_letter.stable_zip`: the same bytes with any "
        "zlib), hence about 100 kB each.",
        "",
    ]
    (ROOT / "benchmarks" / "letters_docx.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
