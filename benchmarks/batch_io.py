"""Benchmark of `convenant batch` end to end: scenarios per second and peak memory per N (issue 15,
targets 2, 3 and 4).

For each covenant, format and N, a scenario file is made (Assen: random scenarios drawn as
benchmarks/run.py draws them, the BW result first; Groningen: the rows of
examples/groningen-2022-scenarios.csv over and over, one amount changed per row), and
`convenant batch` runs on it as a new process (`--no-progress`): the wall time, and the peak
resident memory the process reports itself (VmHWM), which is what a user's machine must have.
Python keeps the engine's compiled modules between the runs (in a folder of the run's own,
PYTHONPYCACHEPREFIX; one small run of each kind first), as an installed wheel has them: on a build
machine with PYTHONDONTWRITEBYTECODE=1 each run would otherwise compile them again (0.3-0.5 s).
CSV is read and written in the plain dialect, and for Assen also in the Dutch one; Excel is read
from a workbook of numbers and written as an Excel workbook. Also: `from_arrays` on int64
columns of 10⁶ Assen scenarios against the computation itself (`Batch.evaluate` in chunks).

    .venv/bin/python benchmarks/batch_io.py                      # the default sizes (about 15 min)
    .venv/bin/python benchmarks/batch_io.py --groningen 1000 10000 100000 1000000 --xlsx-max 10000

It writes benchmarks/batch_io.md and its section of benchmarks/README.md (between the
`<!-- batch_io.py -->` markers). Not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import scenarios as run_scenarios  # noqa: E402
from benchmarks.sections import write_section  # noqa: E402
from convenant.batch.batch import CHUNK, Batch  # noqa: E402
from convenant.batch.scenarios import from_arrays  # noqa: E402
from convenant.check.checking import load_rule_file  # noqa: E402

ASSEN = ROOT / "rules" / "assen" / "2024-v1.6.yaml"
GRONINGEN = ROOT / "rules" / "groningen" / "2021.yaml"
GRONINGEN_ROWS = ROOT / "examples" / "groningen-2022-scenarios.csv"
MARK_BEGIN, MARK_END = "<!-- batch_io.py -->", "<!-- /batch_io.py -->"
MEMORY_TARGET = 300 * 1024 * 1024  # bytes: target 2
RATE_TARGET = 100_000  # Assen scenarios/s end to end from CSV: target 3
SEED = 20261201

# The child reports its own peak (VmHWM): what a parent sees through rusage would include this
# benchmark's memory, copied at fork time.
PEAK_PROBE = """
import atexit, resource, sys
def peak():
    try:
        kib = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    except OSError:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(f"PEAK {kib}\\n")
atexit.register(peak)
from convenant.cli.cli import main
sys.argv = ["convenant", *sys.argv[1:]]
main()
"""


# --- scenario files -------------------------------------------------------------------------


def assen_columns(n: int) -> dict[str, np.ndarray]:
    """Random Assen facts in cents, drawn as benchmarks/run.py draws them (with this file's seed)."""
    return run_scenarios(n, SEED)


def _amount(cents: int, comma: bool) -> str:
    text = f"{'-' if cents < 0 else ''}{abs(cents) // 100}.{abs(cents) % 100:02d}"
    return text.replace(".", ",") if comma else text


def assen_rows(n: int, comma: bool = False) -> tuple[list[str], list[list[object]]]:
    columns = assen_columns(n)
    names = list(columns)
    texts = [
        [str(v) for v in columns[k].tolist()]
        if k.startswith("inwoners.")
        else [_amount(v, comma) for v in columns[k].tolist()]
        for k in names
    ]
    return ["scenario", "jaar", *names], [
        [f"s{i}", "2024", *row] for i, row in enumerate(zip(*texts, strict=True))
    ]


def groningen_rows(n: int) -> tuple[list[str], list[list[object]]]:
    """The example's rows over and over; one municipality's benefit changed by a cent per row."""
    with GRONINGEN_ROWS.open(encoding="utf-8", newline="") as handle:
        header, *example = list(csv.reader(handle))
    varied = header.index("individuele_uitkering.GM0014")
    rows = []
    for i in range(n):
        row: list[object] = list(example[i % len(example)])
        row[0] = f"s{i}"
        cents = round(float(str(row[varied])) * 100) + i % 1000
        row[varied] = _amount(cents, False)
        rows.append(row)
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list[object]], dutch: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if dutch else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";" if dutch else ",", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """A workbook as a user's would be: amounts and counts as Excel numbers, names as text."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("scenarios")
    sheet.append(header)
    for row in rows:
        sheet.append([row[0], int(str(row[1])), *(_number(str(c)) for c in row[2:])])
    book.save(path)


def _number(text: str) -> object:
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


# --- one run of the command -----------------------------------------------------------------


@dataclass
class Run:
    covenant: str
    kind: str  # csv, csv-nl, xlsx
    n: int
    seconds: float
    peak: int  # bytes
    cpu: float = 0.0  # CPU seconds of the process (user and system): less subject to the load

    @property
    def rate(self) -> float:
        return self.n / self.seconds

    def command(self) -> str:
        covenant = "assen" if self.covenant == "Assen" else "groningen"
        return f"`.venv/bin/python benchmarks/batch_io.py --only {covenant}:{self.kind}:{self.n}`"


ENV = dict(os.environ)  # as the runs see it: main() adds a folder for the compiled modules


def cli_batch(covenant: str, kind: str, n: int, folder: Path) -> Run:
    rules = ASSEN if covenant == "Assen" else GRONINGEN
    header, rows = assen_rows(n, kind == "csv-nl") if covenant == "Assen" else groningen_rows(n)
    source = folder / f"scenarios-{covenant}-{kind}-{n}.{'xlsx' if kind == 'xlsx' else 'csv'}"
    out = folder / f"results-{covenant}-{kind}-{n}.{'xlsx' if kind == 'xlsx' else 'csv'}"
    if kind == "xlsx":
        write_xlsx(source, header, rows)
    else:
        write_csv(source, header, rows, kind == "csv-nl")
    del rows
    arguments = ["batch", str(rules), str(source), "--out", str(out), "--no-progress"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_PROBE, *arguments], cwd=ROOT, capture_output=True, text=True, env=ENV
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert done.returncode == 0, done.stderr[-2000:]
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK "))
    source.unlink()
    out.unlink()
    return Run(covenant, kind, n, elapsed, peak * 1024, cpu)


def arrays_against_computing(n: int) -> tuple[float, float]:
    """Seconds of `from_arrays` on int64 columns of n Assen scenarios, and of evaluating them."""
    rules = load_rule_file(ASSEN)
    columns = assen_columns(n)
    start = time.perf_counter()
    scenarios = from_arrays(rules, columns, 2024)
    made = time.perf_counter() - start
    assert np.shares_memory(scenarios.values["macrobudget_bw"], columns["macrobudget_bw"])
    batch = Batch(rules)
    start = time.perf_counter()
    for i in range(0, n, CHUNK):
        batch.evaluate(scenarios.slice(i, i + CHUNK))
    return made, time.perf_counter() - start


# --- the report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, numpy {np.__version__}"


def mib(b: int) -> str:
    return f"{b / 1024 / 1024:,.0f} MiB"


def table(runs: list[Run]) -> list[str]:
    lines = [
        "| covenant | file | N | wall | scenarios/s | CPU | per CPU second | peak memory | memory ≤ 300 MiB "
        "| rate target | met | command |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        rate_target = "≥ 100,000/s" if r.covenant == "Assen" and r.kind.startswith("csv") else "—"
        rate_met = r.rate >= RATE_TARGET if rate_target != "—" else None
        memory_met = r.peak <= MEMORY_TARGET
        met = "yes" if memory_met and rate_met is not False else "no"
        lines.append(
            f"| {r.covenant} | {r.kind} | {r.n:,} | {r.seconds:.2f} s | {r.rate:,.0f} | "
            f"{f'{r.cpu:.2f} s' if r.cpu else '—'} | {f'{r.n / r.cpu:,.0f}' if r.cpu else '—'} | "
            f"{mib(r.peak)} | "
            f"{'yes' if memory_met else 'no'} | {rate_target} | {met} | {r.command()} |"
        )
    return lines


def report(runs: list[Run], arrays: tuple[int, float, float] | None, load: tuple[float, float]) -> str:
    lines = [
        "# `convenant batch` end to end: rate and peak memory (issue 15, targets 2–4)",
        "",
        f"Run of {date.today().isoformat()} on {machine()}; load average (1 min) {load[0]:.2f} at the "
        f"start and {load[1]:.2f} at the end (2 cores shared with other processes: timings vary).",
        "",
        "Each row is one `convenant batch` process on a new file (`--no-progress`): wall time from "
        "start to exit, scenarios per second, and the peak resident memory the process reports "
        "itself (VmHWM). `csv`: plain dialect in and out; `csv-nl`: the Dutch dialect (semicolons, "
        "decimal comma) in and out; `xlsx`: an Excel workbook of numbers in, an Excel workbook out.",
        "",
        *table(runs),
    ]
    if arrays:
        n, made, computed = arrays
        lines += [
            "",
            f"`from_arrays` on int64 columns of {n:,} Assen scenarios: {made:.3f} s (no copy: "
            f"`np.shares_memory` holds), against {computed:.3f} s to evaluate them "
            f"(`Batch.evaluate` in chunks of {CHUNK:,}); "
            "`.venv/bin/python benchmarks/batch_io.py --only arrays:1000000`.",
        ]
    return "\n".join(lines) + "\n"


def readme_section(
    runs: list[Run], arrays: tuple[int, float, float] | None, load: tuple[float, float]
) -> str:
    largest = {}
    for r in runs:
        largest[(r.covenant, r.kind)] = r  # the largest N of each covenant and file kind
    lines = [
        MARK_BEGIN,
        "## `convenant batch` end to end: rate and memory (issue 15, targets 2–4)",
        "",
        "`.venv/bin/python benchmarks/batch_io.py` writes [batch_io.md](batch_io.md) (every N, and "
        "notes on what is not met and why). "
        f"Run of {date.today().isoformat()}, {machine()}, load average {load[0]:.2f}–{load[1]:.2f}. "
        "The largest N of each kind:",
        "",
        *table(list(largest.values())),
    ]
    if arrays:
        n, made, computed = arrays
        lines += [
            "",
            f"`from_arrays` at N = {n:,}: {made:.3f} s, no copy of an int64 column; the computation "
            f"itself {computed:.3f} s (target 4: taken as they are — met).",
        ]
    lines.append(MARK_END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assen", type=int, nargs="*", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--groningen", type=int, nargs="*", default=[1_000, 10_000])
    parser.add_argument(
        "--xlsx-max", type=int, default=100_000, help="the largest N read and written as Excel"
    )
    parser.add_argument("--dutch-max", type=int, default=1_000_000, help="the largest N in the Dutch dialect")
    parser.add_argument("--arrays", type=int, default=1_000_000, help="N for from_arrays (0: not measured)")
    parser.add_argument("--only", nargs="*", help="covenant:kind:N or arrays:N; nothing is written")
    args = parser.parse_args()
    plan: list[tuple[str, str, int]] = []
    arrays_n = args.arrays
    if args.only:
        arrays_n = 0
        for item in args.only:
            name, *rest = item.split(":")
            if name == "arrays":
                arrays_n = int(rest[0])
            else:
                plan.append(("Assen" if name == "assen" else "Groningen", rest[0], int(rest[1])))
    else:
        for n in args.assen:
            plan.append(("Assen", "csv", n))
            if n <= args.dutch_max:
                plan.append(("Assen", "csv-nl", n))
            if n <= args.xlsx_max:
                plan.append(("Assen", "xlsx", n))
        for n in args.groningen:
            plan.append(("Groningen", "csv", n))
            if n <= args.xlsx_max:
                plan.append(("Groningen", "xlsx", n))
    start_load = os.getloadavg()[0]
    runs = []
    with tempfile.TemporaryDirectory(prefix="convenant-batch-io-") as folder:
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "bytecode")
        for covenant, kind in dict.fromkeys((c, k) for c, k, _ in plan):
            cli_batch(covenant, kind, 100, Path(folder))  # compiles what the runs import
        for covenant, kind, n in plan:
            run = cli_batch(covenant, kind, n, Path(folder))
            print(
                f"{covenant} {kind} N={n:,}: {run.seconds:.2f} s, {run.rate:,.0f}/s, CPU {run.cpu:.2f} s, "
                f"{mib(run.peak)}",
                flush=True,
            )
            runs.append(run)
    arrays = (arrays_n, *arrays_against_computing(arrays_n)) if arrays_n else None
    if arrays:
        print(f"from_arrays N={arrays_n:,}: {arrays[1]:.3f} s; evaluate {arrays[2]:.3f} s", flush=True)
    load = (start_load, os.getloadavg()[0])
    text = report(runs, arrays, load)
    if args.only:
        print(text)
        return
    (ROOT / "benchmarks" / "batch_io.md").write_text(text, encoding="utf-8")
    write_section(readme_section(runs, arrays, load), MARK_BEGIN, MARK_END)
    print(text)


if __name__ == "__main__":
    main()
