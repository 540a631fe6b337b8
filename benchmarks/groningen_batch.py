"""Groningen batch compiled to vectors (issue 15, target 1): in memory, the interpreter, end to end.

Scenarios are made from the scenario `basis` of examples/groningen-2022-scenarios.csv with random
variation (every amount ±10 % in whole cents, every count ±3 and at least 0, a random year
2022–2030), so that no two are alike. Measured in one run, on this machine:

1. **in memory**: `Batch.evaluate` on `from_arrays` scenarios of 2022 (one year, as `from_arrays`
   takes), N = 10³, 10⁴, 10⁵ in chunks of `CHUNK` (the compiled plan; `from_arrays` itself and the
   row texts timed apart), with the interpreted count;
2. **the interpreter**: the same scenarios with the plan switched off, on a sample;
3. **end to end**: `convenant batch` from a CSV of N = 10⁴ and 10⁵ such rows (a process of its own,
   wall time, the `één voor één` count from its output), and how long only reading the CSV takes.

Medians of `--repeat` runs. Writes benchmarks/groningen.md and its section of benchmarks/README.md
(between the markers `<!-- groningen_batch.py -->`). Not a test: timings depend on the machine and
on what else runs on it.

    .venv/bin/python benchmarks/groningen_batch.py
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sections import write_section  # noqa: E402
from convenant.batch.batch import CHUNK, Batch  # noqa: E402
from convenant.batch.scenarios import Reader, from_arrays  # noqa: E402
from convenant.check.checking import load_rule_file  # noqa: E402
from convenant.core.units import Kind  # noqa: E402
from convenant.source.spreadsheets import read_table  # noqa: E402

RULES = ROOT / "rules" / "groningen" / "2021.yaml"
EXAMPLE = ROOT / "examples" / "groningen-2022-scenarios.csv"
MARK_BEGIN, MARK_END = "<!-- groningen_batch.py -->", "<!-- /groningen_batch.py -->"
YEARS = list(range(2022, 2031))
ROWS_UP_TO = 10_000  # the row texts (issue 15, target 3) timed up to this N


def base_row() -> dict[str, str]:
    with EXAMPLE.open(encoding="utf-8") as f:
        return next(r for r in csv.DictReader(f) if r["scenario"] == "basis")


def kinds(rules: Any) -> dict[str, Kind]:
    """Each column's kind, by its fact (the part before the first dot)."""
    return {c: rules.facts[c.split(".")[0]].kind for c in base_row() if c not in ("scenario", "jaar")}


def varied(rules: Any, n: int, seed: int) -> tuple[dict[str, Any], np.ndarray]:
    """n scenarios as columns (cents, counts, bools, Fractions), and their years."""
    rng = np.random.default_rng(seed)
    base, columns = base_row(), {}
    for column, kind in kinds(rules).items():
        cell = base[column]
        if cell == "":
            continue
        if kind is Kind.MONEY:
            cents = int(Fraction(cell) * 100)
            columns[column] = np.rint(cents * rng.uniform(0.9, 1.1, n)).astype(np.int64)
        elif kind is Kind.COUNT:
            columns[column] = np.maximum(int(cell) + rng.integers(-3, 4, n), 0).astype(np.int64)
        elif kind is Kind.BOOLEAN:
            columns[column] = np.full(n, cell == "true")
        else:
            columns[column] = [Fraction(cell)] * n
    return columns, rng.choice(YEARS, n)


def in_memory(rules: Any, n: int, seed: int) -> dict[str, float]:
    """Seconds for from_arrays, Batch.evaluate (per year, as from_arrays takes one year) and rows."""
    columns, years = varied(rules, n, seed)
    years[:] = 2022  # from_arrays takes one year: chunks of CHUNK scenarios, as `convenant batch` has
    batch = Batch(rules)
    made = evaluated = texts = 0.0
    interpreted = 0
    for year in sorted(set(years.tolist())):
        chosen = np.flatnonzero(years == year)
        part = {
            k: (v[chosen] if isinstance(v, np.ndarray) else [v[0]] * len(chosen)) for k, v in columns.items()
        }
        for start in range(0, len(chosen), CHUNK):
            piece = {k: v[start : start + CHUNK] for k, v in part.items()}
            t0 = time.perf_counter()
            scenarios = from_arrays(rules, piece, int(year))
            t1 = time.perf_counter()
            result = batch.evaluate(scenarios)
            t2 = time.perf_counter()
            if n <= ROWS_UP_TO:
                result.rows()
            t3 = time.perf_counter()
            made, evaluated, texts = made + t1 - t0, evaluated + t2 - t1, texts + t3 - t2
            interpreted += len(scenarios) - int(result.vectorised.sum()) - len(scenarios.problems)
    return {"from_arrays": made, "evaluate": evaluated, "rows": texts, "interpreted": interpreted}


def interpreter(rules: Any, n: int, seed: int) -> float:
    """Seconds for n scenarios with the plan switched off (every one through engine.evaluate)."""
    columns, _ = varied(rules, n, seed)
    batch = Batch(rules)
    batch.plan = replace(batch.plan, unsupported={"*": "forced"})
    scenarios = from_arrays(rules, columns, 2022)
    t0 = time.perf_counter()
    batch.evaluate(scenarios)
    return time.perf_counter() - t0


def write_csv(rules: Any, path: Path, n: int, seed: int) -> None:
    columns, years = varied(rules, n, seed)
    header = ["scenario", "jaar", *columns]
    kinds_ = kinds(rules)
    texts: list[list[str]] = [[f"s{i}" for i in range(n)], [str(y) for y in years.tolist()]]
    for column, values in columns.items():
        kind = kinds_[column]
        if kind is Kind.MONEY:
            texts.append(
                [f"{'-' if c < 0 else ''}{abs(c) // 100}.{abs(c) % 100:02d}" for c in values.tolist()]
            )
        elif kind is Kind.BOOLEAN:
            texts.append(["true" if v else "false" for v in values.tolist()])
        elif kind is Kind.COUNT:
            texts.append([str(v) for v in values.tolist()])
        else:
            texts.append([f"{float(v):.2f}" for v in values])
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(zip(*texts, strict=True))


def end_to_end(path: Path, out: Path) -> tuple[float, int, str]:
    """Wall seconds of `convenant batch`, the interpreted count it reports, and its last lines."""
    if out.exists():
        out.unlink()
    cli = [
        sys.executable,
        "-m",
        "convenant",
        "batch",
        str(RULES),
        str(path),
        "--out",
        str(out),
        "--no-progress",
    ]
    t0 = time.perf_counter()
    done = subprocess.run(
        cli, capture_output=True, text=True, cwd=ROOT, env={**os.environ, "CONVENANT_LANG": "nl"}
    )
    seconds = time.perf_counter() - t0
    found = re.search(r"(\d+) van de (\d+) scenario's één voor één", done.stderr)
    return (
        seconds,
        int(found[1]) if found else -1,
        done.stderr.strip().splitlines()[-1] if done.stderr else "",
    )


def reading(rules: Any, path: Path) -> float:
    """Seconds to read and check the CSV only (`Reader`, all chunks), without computing."""
    t0 = time.perf_counter()
    for _ in Reader(read_table(path, None, "auto", "utf-8"), rules, None).chunks(CHUNK):
        pass
    return time.perf_counter() - t0


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--csv-sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--sample", type=int, default=200, help="scenarios for the interpreter's rate")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "groningen.md")
    args = parser.parse_args()
    rules = load_rule_file(RULES)
    assert Batch(rules).plan.unsupported == {}, Batch(rules).plan.unsupported
    load_start = os.getloadavg()[0]
    memory = []
    for n in args.sizes:
        runs = [in_memory(rules, n, seed) for seed in range(args.repeat)]
        row = {k: median([r[k] for r in runs]) for k in runs[0]}
        memory.append((n, row))
        print(
            f"in memory N={n:,}: evaluate {n / row['evaluate']:,.0f}/s, "
            f"from_arrays {row['from_arrays']:.3f} s, "
            f"rows {row['rows']:.3f} s, interpreted {row['interpreted']:.0f}",
            flush=True,
        )
    interpreted_s = median([interpreter(rules, args.sample, 100 + s) for s in range(args.repeat)])
    print(
        f"interpreter: {args.sample / interpreted_s:,.0f}/s "
        f"({interpreted_s / args.sample * 1000:.2f} ms each)",
        flush=True,
    )
    e2e = []
    with tempfile.TemporaryDirectory() as folder:
        for n in args.csv_sizes:
            path, out = Path(folder) / f"s{n}.csv", Path(folder) / f"o{n}.csv"
            write_csv(rules, path, n, 7)
            size = path.stat().st_size
            runs = [end_to_end(path, out) for _ in range(args.repeat if n <= 10_000 else 1)]
            seconds = median([r[0] for r in runs])
            read = reading(rules, path)
            e2e.append((n, seconds, runs[0][1], read, size, runs[0][2]))
            print(
                f"end to end N={n:,}: {seconds:.2f} s ({n / seconds:,.0f}/s), reading {read:.2f} s, "
                f"interpreted {runs[0][1]}, {size / 1e6:.0f} MB; {runs[0][2]}",
                flush=True,
            )
    load = (load_start + os.getloadavg()[0]) / 2
    cpu = platform.processor() or platform.machine()
    machine = f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"
    lines = [
        "# Groningen batch compiled to vectors (issue 15, target 1)",
        "",
        f"Run of {date.today().isoformat()} on {machine}; load average {load:.2f} (shared with other work).",
        "Reproduce: `.venv/bin/python benchmarks/groningen_batch.py`. Scenarios: the example's `basis`",
        "with every amount ±10 %, every count ±3, a random year 2022–2030. Medians of "
        f"{args.repeat} runs (end to end at 10⁵: one run).",
        "",
        "## In memory (`Batch.evaluate` on `from_arrays` scenarios)",
        "",
        "| N | evaluate | scenarios/s | from_arrays | row texts | interpreted |",
        "|---|---|---|---|---|---|",
        *(
            f"| {n:,} | {r['evaluate']:.3f} s | {n / r['evaluate']:,.0f} | {r['from_arrays']:.3f} s | "
            f"{(str(round(r['rows'], 3)) + ' s') if n <= ROWS_UP_TO else '—'} | {r['interpreted']:.0f} |"
            for n, r in memory
        ),
        "",
        f"The interpreter (the plan switched off), {args.sample} scenarios: "
        f"{args.sample / interpreted_s:,.0f} "
        f"scenarios/s, {interpreted_s / args.sample * 1000:.2f} ms each.",
        "",
        "## End to end (`convenant batch` from a CSV, its own process)",
        "",
        "| N | CSV | wall | scenarios/s | only reading the CSV | interpreted |",
        "|---|---|---|---|---|---|",
        *(
            f"| {n:,} | {size / 1e6:.0f} MB | {s:.2f} s | {n / s:,.0f} | "
            f"{read:.2f} s ({read / s:.0%}) | {i} |"
            for n, s, i, read, size, _ in e2e
        ),
        "",
        "## Where the time goes",
        "",
        "Computing is `evaluate` above; end to end adds reading and checking the CSV (`Reader`: the",
        "column *only reading*) and making every result cell's text and writing it (`Result.columns`,",
        "the column *row texts* above). A Groningen row has some 140 cells in and as many out: end to",
        "end is bounded by that work per cell (benchmarks/batch_io.py), not by the compiled plan.",
        "On a loaded machine every figure is slower in proportion; the load average is stated above.",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    best = max(n / r["evaluate"] for n, r in memory)
    interpreted_count = sum(int(r["interpreted"]) for _, r in memory) + sum(e[2] for e in e2e)
    section = "\n".join(
        [
            MARK_BEGIN,
            "## Groningen batch compiled (issue 15, target 1)",
            "",
            f"`.venv/bin/python benchmarks/groningen_batch.py` — details in [groningen.md](groningen.md). "
            f"Run of {date.today().isoformat()}, {os.cpu_count()} cores, load average {load:.2f}.",
            "",
            "| measure | target | measured |",
            "|---|---|---|",
            f"| in memory, `Batch.evaluate` (best N) | ≥ 100,000/s | {best:,.0f}/s |",
            *(
                f"| end to end from CSV, N = {n:,} | ≥ 10,000/s | {n / s:,.0f}/s "
                f"(reading the CSV alone: {read:.1f} s of {s:.1f} s) |"
                for n, s, _, read, _, _ in e2e
            ),
            f"| the interpreter (before: every Groningen scenario) | — | "
            f"{args.sample / interpreted_s:,.0f}/s |",
            f"| scenarios interpreted | 0 | {interpreted_count} |",
            "",
            "End to end is bounded by reading, checking and writing some 140 cells in and out per row",
            "(see the section of batch_io.py), not by the compiled plan; see groningen.md.",
            MARK_END,
        ]
    )
    write_section(section, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
