"""Benchmark of batch evaluation: Assen artikel 8, vijfde lid, over many random scenarios.

One command from the repository root (after `pip install -e '.[bench]'`; without the `bench`
group the OpenFisca row says it is not installed):

    python benchmarks/run.py                 # writes benchmarks/README.md (its header and section)
    python benchmarks/run.py --quick         # N = 1,000 and 10,000 only: a couple of minutes

Timed in one run, at N = 1,000, 10,000, 100,000 and 1,000,000 scenarios (9 municipalities;
inhabitants 10,000–120,000; execution costs € 0–50,000,000.00; BW result −€ 5,000,000.00 to
€ 5,000,000.00), the methods taking turns in each round so that the machine's load falls on all of
them alike (medians over the rounds; the ratios are medians of the ratios within a round):

- `batch`: this project's batch path (`engine.batch`): the rule file compiled once, then
  evaluated in chunks as `convenant batch` does, from scenario columns in memory;
- `interpreter`: `engine.evaluate` once per scenario (a sample of 2,000 at the larger N,
  extrapolated);
- `openfisca`: an idiomatic OpenFisca encoding of the same provision (benchmarks/openfisca_assen.py);
- `limit`: the provision written by hand in numpy, exact: a float64 guess of each share made exact
  by one int64 correction (benchmarks/assen_kernels.py, `limit_shares`): the fastest exact kernel
  known here, the limit;
- `int64`: the provision by hand in int64 only (`int64_shares`), the earlier "limit".

For each, the number of scenarios in which any municipality's share differs in cents from
exact rational arithmetic, computed here independently of the engine (Python integers over the
common denominator, which must agree with `fractions.Fraction` on the first 2,000 scenarios of each
N or the run stops), on every random scenario of every N and on a set of edge scenarios (ties, zero
costs, results of 0 and ±1 cent). Also, per N: `convenant batch` on a CSV of the N scenarios as a
process of its own (wall time and peak resident memory); and the cold wall time of `convenant
evaluate examples/assen-2024.yaml` and the warm (in-process) time of evaluating
examples/groningen-2022.yaml and rendering its explanation.

The rest of benchmarks/README.md is other benchmarks' sections (`<!-- NAME.py -->` … `<!-- /NAME.py
-->`), kept as they are; this script writes the header, the index of issue 15's targets and its own
section (`<!-- run.py -->`).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.assen_kernels import LIMIT_CHUNK, check_inputs, int64_shares, limit_shares  # noqa: E402
from convenant.batch import batch as batch_module  # noqa: E402
from convenant.batch.batch import Batch  # noqa: E402
from convenant.batch.scenarios import Scenarios, facts_of, from_arrays  # noqa: E402
from convenant.check.checking import load_rule_file  # noqa: E402
from convenant.evaluation.evaluate import evaluate  # noqa: E402

RULES = ROOT / "rules" / "assen" / "2024-v1.6.yaml"
EXAMPLE = ROOT / "examples" / "assen-2024.yaml"
GRONINGEN_EXAMPLE = ROOT / "examples" / "groningen-2022.yaml"
CODES = [p.code for p in load_rule_file(RULES).parties]
SEED = 20240805
SHARE = "aandeel_resultaat_bw"


# --- scenarios and the exact reference -------------------------------------------------------


def scenarios(n: int, seed: int = SEED) -> dict[str, np.ndarray]:
    """Random facts in cents; the BW result is drawn first, the budget made to produce it."""
    rng = np.random.default_rng(seed + n)
    result = rng.integers(-(5 * 10**8), 5 * 10**8, n, endpoint=True)
    zorg = rng.integers(0, 4 * 10**9, n, endpoint=True)
    uitv = rng.integers(0, 2 * 10**8, n, endpoint=True)
    toeg = rng.integers(0, 2 * 10**7, n, endpoint=True)
    columns = {
        "macrobudget_bw": result + zorg + uitv + toeg,
        "zorgkosten_bw": zorg,
        "uitvoeringsbudget_bw": uitv,
        "toegemoetkoming_regiogemeenten": toeg,
        "rijksuitkering_mo": rng.integers(0, 10**9, n, endpoint=True),
        "uitgaven_mo": rng.integers(0, 10**9, n, endpoint=True),
        "reserve_mo_begin": rng.integers(-(10**8), 10**8, n, endpoint=True),
    }
    inhabitants = rng.integers(10_000, 120_000, (n, len(CODES)), endpoint=True)
    costs = rng.integers(0, 5 * 10**9, (n, len(CODES)), endpoint=True)
    for j, code in enumerate(CODES):
        columns[f"inwoners.{code}"] = inhabitants[:, j]
        columns[f"uitvoeringskosten.{code}"] = costs[:, j]
    return columns


def stacked(columns: dict[str, np.ndarray], fact: str) -> np.ndarray:
    return np.stack([columns[f"{fact}.{c}"] for c in CODES], axis=1)


def bw_result(columns: dict[str, np.ndarray]) -> np.ndarray:
    return (
        columns["macrobudget_bw"]
        - columns["zorgkosten_bw"]
        - columns["uitvoeringsbudget_bw"]
        - columns["toegemoetkoming_regiogemeenten"]
    )


def exact_shares(result: int, inhabitants: list[int], costs: list[int]) -> list[int]:
    """Art. 8 lid 5 with Fractions: key ½·inh/Σinh + ½·cost/Σcost, largest remainder on |result|
    in cents, ties to the earlier municipality, the sign put back (DOMAIN.md)."""
    total_i, total_c = sum(inhabitants), sum(costs)
    key = [
        Fraction(1, 2) * Fraction(i, total_i) + Fraction(1, 2) * Fraction(c, total_c)
        for i, c in zip(inhabitants, costs, strict=True)
    ]
    magnitude = abs(result)
    exact = [magnitude * k for k in key]
    floors = [e.numerator // e.denominator for e in exact]
    left = magnitude - sum(floors)
    ranked = sorted(range(len(key)), key=lambda j: (-(exact[j] - floors[j]), j))
    parts = [f + (1 if j in ranked[:left] else 0) for j, f in enumerate(floors)]
    return [-p for p in parts] if result < 0 else parts


def integer_shares(result: int, inhabitants: list[int], costs: list[int]) -> list[int]:
    """The same in Python integers, exact and faster: each share is M·K_j / D with K_j =
    inh_j·Σcost + cost_j·Σinh and D = 2·Σinh·Σcost, its floor and remainder by `divmod`."""
    total_i, total_c = sum(inhabitants), sum(costs)
    den, magnitude = 2 * total_i * total_c, abs(result)
    split = [
        divmod(magnitude * (i * total_c + c * total_i), den) for i, c in zip(inhabitants, costs, strict=True)
    ]
    left = magnitude - sum(q for q, _ in split)
    lucky = set(sorted(range(len(split)), key=lambda j: (-split[j][1], j))[:left])
    parts = [q + (j in lucky) for j, (q, _) in enumerate(split)]
    return [-p for p in parts] if result < 0 else parts


FRACTION_CHECKED = 2_000  # scenarios per N whose integer reference is checked against Fractions


def reference(columns: dict[str, np.ndarray], step: int = 50_000) -> np.ndarray:
    """The exact cents of every scenario, (n, municipalities) int64, a slice at a time: by
    `integer_shares`, which must agree with `exact_shares` (Fractions) on the first
    FRACTION_CHECKED scenarios, or the benchmark stops."""
    results = bw_result(columns)
    inhabitants, costs = stacked(columns, "inwoners"), stacked(columns, "uitvoeringskosten")
    parts = []
    for s in range(0, len(results), step):
        rows = list(
            zip(
                results[s : s + step].tolist(),
                inhabitants[s : s + step].tolist(),
                costs[s : s + step].tolist(),
                strict=True,
            )
        )
        parts.append(np.array([integer_shares(r, i, c) for r, i, c in rows], dtype=np.int64))
        if s == 0:
            checked = [exact_shares(r, i, c) for r, i, c in rows[:FRACTION_CHECKED]]
            assert parts[0][: len(checked)].tolist() == checked, "integer reference ≠ Fractions"
    return np.concatenate(parts).reshape(-1, len(CODES))


def differing(got: np.ndarray, expected: np.ndarray) -> int:
    if got.dtype == object:  # the batch path's cents beyond int64's safe range (never here)
        return int((got != expected.astype(object)).any(axis=1).sum())
    return int((got != expected).any(axis=1).sum())


def edge_scenarios() -> dict[str, np.ndarray]:
    """Results of 0, ±1 cent and the largest of the range over keys whose remainders all tie,
    costs zero but for one or some municipalities, one large municipality among small ones: every
    combination (the costs are never all zero: then the key is undefined and the engine refuses)."""
    m, rng = len(CODES), np.random.default_rng(SEED)
    results = [0, 1, -1, 2, -2, 8, -8, 9, -9, 4_999, -4_999, 5 * 10**8 - 1, 5 * 10**8, -(5 * 10**8)]
    inhabitants = [
        [50_000] * m,
        [10_000] * m,
        [120_000] * (m - 1) + [10_000],
        [10_000 + j for j in range(m)],
        rng.integers(10_000, 120_000, m, endpoint=True).tolist(),
    ]
    costs = [
        [5 * 10**9] * m,
        [1] * m,
        [0] * (m - 1) + [5 * 10**9],
        [5 * 10**9] + [0] * (m - 1),
        [0, 5 * 10**9] * (m // 2) + [0] * (m % 2),
        [0 if j % 3 else 3 for j in range(m)],
        rng.integers(0, 5 * 10**9, m, endpoint=True).tolist(),
    ]
    rows = [(r, i, c) for r in results for i in inhabitants for c in costs]
    n = len(rows)
    columns = {name: np.zeros(n, dtype=np.int64) for name in scenarios(1)}
    columns["macrobudget_bw"] = np.array([r for r, _, _ in rows], dtype=np.int64)
    for j, code in enumerate(CODES):
        columns[f"inwoners.{code}"] = np.array([i[j] for _, i, _ in rows], dtype=np.int64)
        columns[f"uitvoeringskosten.{code}"] = np.array([c[j] for _, _, c in rows], dtype=np.int64)
    return columns


def kernel_inputs(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    inhabitants = [columns[f"inwoners.{c}"] for c in CODES]
    costs = [columns[f"uitvoeringskosten.{c}"] for c in CODES]
    return bw_result(columns), inhabitants, costs


# --- the methods -----------------------------------------------------------------------------


def run_batch(rules: Any, chunk: Scenarios, wanted: list[str] | None) -> np.ndarray:
    batch = Batch(rules, wanted)
    size = batch_module.CHUNK
    results = [batch.evaluate(chunk.slice(s, s + size)) for s in range(0, len(chunk), size)]
    return np.concatenate([r.cents(SHARE) for r in results]) if wanted != [] else np.empty(0)


def run_interpreter(rules: Any, chunk: Scenarios, sample: int) -> tuple[float, np.ndarray]:
    facts = [facts_of(rules, chunk, i) for i in range(sample)]
    start = time.perf_counter()
    evaluations = [evaluate(rules, f) for f in facts]
    elapsed = time.perf_counter() - start
    shares = [[int(ev.nodes[SHARE].value[c] * 100) for c in CODES] for ev in evaluations]
    return elapsed, np.array(shares, dtype=np.int64).reshape(-1, len(CODES))


def limit_kernel(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The limit: `assen_kernels.limit_shares` on the columns as they come (its own chunks)."""
    return limit_shares(*kernel_inputs(columns))


def int64_kernel(columns: dict[str, np.ndarray]) -> np.ndarray:
    """`assen_kernels.int64_shares`, in chunks of the size the batch path uses."""
    return int64_shares(*kernel_inputs(columns), chunk=batch_module.CHUNK)


def openfisca_runner() -> tuple[Callable[[dict[str, np.ndarray]], np.ndarray] | None, str]:
    try:
        from benchmarks import openfisca_assen
    except ImportError as error:
        return None, f"not installed ({error.name}): pip install -e '.[bench]'"
    system = openfisca_assen.tax_benefit_system()

    def run(columns: dict[str, np.ndarray]) -> np.ndarray:
        inputs = {
            "inwoners": stacked(columns, "inwoners"),
            "uitvoeringskosten": stacked(columns, "uitvoeringskosten") / 100,
        }
        for name in (
            "macrobudget_bw",
            "zorgkosten_bw",
            "uitvoeringsbudget_bw",
            "toegemoetkoming_regiogemeenten",
        ):
            inputs[name] = columns[name] / 100
        return openfisca_assen.shares_cents(system, inputs)

    return run, f"openfisca-core {_version('openfisca-core')}"


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def rounds(methods: dict[str, Callable[[], Any]], repeats: int) -> dict[str, dict[str, Any]]:
    """Every method once per round, in an order that turns each round; the first round warms up.
    Per method: the first time, the times of the other rounds, the last result."""
    names = list(methods)
    found: dict[str, dict[str, Any]] = {m: {"times": []} for m in names}
    for round_number in range(repeats + 1):
        turn = round_number % len(names)
        for name in names[turn:] + names[:turn]:
            start = time.perf_counter()
            result = methods[name]()
            elapsed = time.perf_counter() - start
            found[name]["result"] = result
            if round_number == 0:
                found[name]["first"] = elapsed
            else:
                found[name]["times"].append(elapsed)
    for row in found.values():
        row["time"] = statistics.median(row["times"]) if row["times"] else row["first"]
    return found


def ratio(rows: dict[str, dict[str, Any]], slower: str, faster: str) -> float | None:
    """Median over the rounds of time(slower) / time(faster): how many times faster `faster` is."""
    if slower not in rows or faster not in rows:
        return None
    pairs = zip(rows[slower]["times"], rows[faster]["times"], strict=True)
    values = [a / b for a, b in pairs if b > 0]
    if not values:
        return rows[slower]["first"] / rows[faster]["first"]
    return statistics.median(values)


# --- the command line ------------------------------------------------------------------------


def command() -> list[str]:
    script = Path(sys.executable).parent / "convenant"
    return [str(script)] if script.exists() else [sys.executable, "-m", "convenant"]


def cold_evaluate(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([*command(), "evaluate", str(EXAMPLE)], capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr
    return times


# A section: its markers on lines of their own (a marker quoted within a line is not one).
SECTION = re.compile(r"^<!-- ([A-Za-z0-9_.-]+\.py) -->$.*?^<!-- /\1 -->$", re.DOTALL | re.MULTILINE)


def sections_of_others(path: Path) -> dict[str, str]:
    """Every other benchmark's section (`<!-- NAME.py -->` … `<!-- /NAME.py -->`), in the order of
    the file, kept as it is: NAME.py writes it, this script only carries it over."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    return {m.group(1): m.group(0) for m in SECTION.finditer(text) if m.group(1) != "run.py"}


def write_scenarios_csv(path: Path, columns: dict[str, np.ndarray], step: int = 100_000) -> None:
    """A wide scenario file: the year, then every column; money in euros with two decimals."""
    names = list(columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(["jaar", *names]) + "\n")
        for s in range(0, len(columns[names[0]]), step):
            texts = [_cells(name, columns[name][s : s + step]) for name in names]
            handle.writelines("2024," + ",".join(row) + "\n" for row in zip(*texts, strict=True))


def _cells(name: str, values: np.ndarray) -> list[str]:
    if name.startswith("inwoners."):
        return list(map(str, values.tolist()))
    euros, cents = np.divmod(np.abs(values), 100)
    signs = np.where(values < 0, "-", "").tolist()
    return [f"{s}{e}.{c:02d}" for s, e, c in zip(signs, euros.tolist(), cents.tolist(), strict=True)]


TIME = Path("/usr/bin/time")  # GNU time: %M is the peak resident set of the command alone

# The child reports its own peak (VmHWM, Linux): the peak a parent sees through rusage would include
# this benchmark's own memory, copied at fork time.
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


def cli_batch(columns: dict[str, np.ndarray]) -> tuple[float, int, str]:
    """Wall time, peak resident memory (bytes) and how it was measured, of `convenant batch` on a
    CSV of these scenarios, run as a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "scenarios.csv", Path(folder) / "results.csv"
        write_scenarios_csv(source, columns)
        arguments = ["batch", str(RULES), str(source), "--out", str(out), "--no-progress"]
        script = Path(sys.executable).parent / "convenant"
        if TIME.is_file() and script.is_file():
            how = "`/usr/bin/time -f %M`"
            run = [str(TIME), "-f", "PEAK %M", str(script), *arguments]
        else:  # the child reports its own high-water mark
            how = "VmHWM of the process"
            run = [sys.executable, "-c", PEAK_PROBE, *arguments]
        start = time.perf_counter()
        done = subprocess.run(run, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        peak = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK ")]
        return elapsed, peak[-1] * 1024, how


def groningen_explain(runs: int) -> list[float]:
    """Warm (in-process) `convenant explain examples/groningen-2022.yaml`: the rule file in force
    found and loaded, the facts checked and evaluated, the explanation built and rendered as
    Markdown (`engine.explain`), after one run that warms the imports and caches."""
    from convenant.workflow.session import explain_file

    def once() -> None:
        explain_file(GRONINGEN_EXAMPLE, None, "md", "nl", None)

    once()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        once()
        times.append(time.perf_counter() - start)
    return times


# --- the report --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "load": f"{load:.2f}" if load is not None else "unknown",
        "date": datetime.date.today().isoformat(),
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "system": platform.platform(),
    }


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}" if seconds > 0 else "—"


def load() -> float | None:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


FULL_SIZES = [1_000, 10_000, 100_000, 1_000_000]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=FULL_SIZES)
    parser.add_argument("--sample", type=int, default=2_000, help="interpreter scenarios timed per N")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds after the first, per N")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--warm-runs", type=int, default=7, help="Groningen explanations timed")
    parser.add_argument("--quick", action="store_true", help="N = 1,000 and 10,000, fewer runs")
    parser.add_argument("--no-cli", action="store_true", help="leave out `convenant batch` per N")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "README.md")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.sample, args.repeats = [1_000, 10_000], 300, 3
        args.cold_runs, args.warm_runs = 3, 3
    shown = [a for a in sys.argv[1:] if a != "--out"]  # the command that reproduces this run
    if "--out" in sys.argv[1:-1]:
        shown.remove(sys.argv[sys.argv.index("--out") + 1])
    args.command = " ".join(["python benchmarks/run.py", *shown])
    args.kind = "`--quick`" if args.quick else "full" if args.sizes == FULL_SIZES else "chosen sizes"

    rules = load_rule_file(RULES)
    openfisca, openfisca_note = openfisca_runner()
    started = time.perf_counter()
    load_start = load()
    per_n: dict[int, dict[str, Any]] = {}
    largest = max(args.sizes)
    extra: dict[str, Any] = {}
    for n in args.sizes:
        at_n: dict[str, Any] = {"load": load()}
        columns = scenarios(n)
        check_inputs(*kernel_inputs(columns))
        exact = reference(columns)
        chunk = from_arrays(rules, columns, 2024)
        methods: dict[str, Callable[[], Any]] = {
            "batch": lambda c=chunk: run_batch(rules, c, [SHARE]),
            "limit": lambda c=columns: limit_kernel(c),
            "int64": lambda c=columns: int64_kernel(c),
        }
        if openfisca is not None:
            methods["openfisca"] = lambda c=columns: openfisca(c)
        timed = rounds(methods, args.repeats)
        for row in timed.values():
            row["differ"] = differing(np.asarray(row.pop("result")), exact)
        sample = min(n, args.sample)
        elapsed, got = run_interpreter(rules, chunk, sample)
        timed["interpreter"] = {
            "time": elapsed * n / sample,
            "differ": differing(got, exact[:sample]),
            "sample": sample,
        }
        at_n["rows"] = timed
        at_n["batch/limit"] = ratio(timed, "limit", "batch")
        at_n["batch/openfisca"] = ratio(timed, "openfisca", "batch")
        at_n["limit/int64"] = ratio(timed, "int64", "limit")
        if n == largest:
            extra["whole_file"] = statistics.median(
                _seconds(lambda c=chunk: run_batch(rules, c, None)) for _ in range(max(1, args.repeats))
            )
        del chunk
        if not args.no_cli:
            at_n["cli"] = cli_batch(columns)
        per_n[n] = at_n
        print(
            f"N={n:,} (load {at_n['load']:.2f}): "
            + ", ".join(f"{m} {r['time']:.4f} s" for m, r in timed.items())
            + (f", cli {at_n['cli'][0]:.2f} s {at_n['cli'][1] / 2**20:,.0f} MiB" if "cli" in at_n else ""),
            flush=True,
        )
    edge = edge_scenarios()
    extra["edge"] = edge_differ(rules, edge, openfisca)
    extra["cold"] = cold_evaluate(args.cold_runs)
    extra["groningen"] = groningen_explain(args.warm_runs)
    extra["load"] = (load_start, load())
    extra["minutes"] = (time.perf_counter() - started) / 60
    text = render(args, per_n, extra, openfisca_note)
    others = sections_of_others(args.out)
    document = "\n\n".join([header(args, others), text, *others.values()]) + "\n"
    args.out.write_text(document, encoding="utf-8")
    print(f"written: {args.out}")


def _seconds(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def edge_differ(
    rules: Any,
    columns: dict[str, np.ndarray],
    openfisca: Callable[[dict[str, np.ndarray]], np.ndarray] | None,
) -> dict[str, Any]:
    exact = reference(columns)
    n = len(exact)
    chunk = from_arrays(rules, columns, 2024)
    found = {
        "n": n,
        "batch": differing(run_batch(rules, chunk, [SHARE]), exact),
        "interpreter": differing(run_interpreter(rules, chunk, n)[1], exact),
        "limit": differing(limit_kernel(columns), exact),
        "int64": differing(int64_kernel(columns), exact),
    }
    if openfisca is not None:
        found["openfisca"] = differing(openfisca(columns), exact)
    return found


# --- README.md ---------------------------------------------------------------------------------

# Issue 15's targets: where each is measured. The figures are in each script's own section.
TARGETS = [
    (
        "1",
        "Groningen batch compiled to vectors: ≥ 100,000 scenarios/s in memory, ≥ 10,000/s from CSV",
        "groningen_batch.py",
    ),
    ("2", "memory flat: peak ≤ 300 MiB for any number of rows, both covenants, CSV and XLSX", "batch_io.py"),
    ("3", "whole-column I/O: Assen end to end ≥ 100,000 scenarios/s from CSV", "batch_io.py"),
    ("4", "`from_arrays` takes int64 arrays as they are", "batch_io.py"),
    (
        "5",
        "the limit row is the real limit; batch/limit, batch/OpenFisca, CLI rate and peak memory per N",
        "run.py",
    ),
    ("6", "`convenant validate FILE` of one rule file ≤ 150 ms warm", "validate_speed.py"),
    ("7", "letters of a region in all formats ≤ 1.5 s; the test suite ≤ 30 s", "letters_region.py"),
]


def header(args: Any, others: dict[str, str]) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Each benchmark script writes its own section of this file, between `<!-- NAME.py -->` and",
        "`<!-- /NAME.py -->`, and keeps the others' sections as they are. `benchmarks/run.py` writes",
        "this header and index too. Timings are medians on a shared machine: every section states",
        "the machine and the load average of its run.",
        "",
        "## Issue 15 targets",
        "",
        "| target | what | measured by (its section) | the command (from the repository root) |",
        "|---|---|---|---|",
    ]
    for number, what, script in TARGETS:
        present = script == "run.py" or script in others
        where = f"`benchmarks/{script}`" + ("" if present else " (not run yet: no section)")
        command = f"`python benchmarks/{script}`"
        if script == "run.py":
            command += " (`--quick`: N ≤ 10,000, a few minutes)"
        lines.append(f"| {number} | {what} | {where} | {command} |")
    return "\n".join(lines)


SHORT = {
    "batch": "batch",
    "interpreter": "interpreter",
    "openfisca": "OpenFisca",
    "limit": "limit",
    "int64": "int64 only",
}
LABELS = {
    "batch": "batch (`engine.batch`, compiled once)",
    "interpreter": "interpreter (`engine.evaluate` per scenario)",
    "openfisca": "OpenFisca (idiomatic, float32)",
    "limit": "numpy by hand: float64 guess + int64 correction (the limit)",
    "int64": "numpy by hand: int64 only (the earlier limit)",
}


def render(args: Any, per_n: dict[int, dict[str, Any]], extra: dict[str, Any], openfisca_note: str) -> str:
    info = machine()
    sizes, largest = args.sizes, max(args.sizes)
    load_start, load_end = extra["load"]
    loads = ", ".join(f"{per_n[n]['load']:.2f}" for n in sizes if per_n[n]["load"] is not None)
    run_of = (
        f"Run of {info['date']} ({args.kind}, {extra['minutes']:.0f} min) on "
        f"{info['cores']} cores, {info['cpu']}, Python {info['python']}, numpy {info['numpy']}, "
        f"{openfisca_note}; {info['system']}. Load average (1 min): {_load(load_start)} at the start, "
        f"{loads} at the start of each N, {_load(load_end)} at the end (the machine is shared: timings "
        "vary between runs; the ratios are taken within each round)."
    )
    lines = [
        "<!-- run.py -->",
        "## Assen batch: the batch path against its limit and OpenFisca (`benchmarks/run.py`)",
        "",
        "Batch evaluation of the Convenant Regio Assen 2024, artikel 8, vijfde lid (the distribution of",
        "the BW result over 9 municipalities by 50 % inhabitants and 50 % execution costs, whole cents by",
        "sign-symmetric largest remainder), over random scenarios: inhabitants 10,000–120,000, costs",
        "€ 0–50,000,000.00 per municipality, result −€ 5,000,000.00 to € 5,000,000.00. What each method",
        "is: the docstring of `benchmarks/run.py`; the two hand-written kernels and the proof that the",
        "limit is exact: `benchmarks/assen_kernels.py` (checked against Fractions by",
        "tests/test_benchmark_kernels.py).",
        "",
        f"**{run_of}** Command: `{args.command}`.",
        "",
    ]
    lines += target5(args, per_n, extra, info)
    lines += [
        "",
        "### Time and exactness",
        "",
        f"Time in seconds (median of {args.repeats} rounds after a first one, in which every method runs",
        "once; the first run in brackets); `differ`: scenarios in which a share differs in cents from",
        "exact rational arithmetic, per N (Python integers over the common denominator, checked",
        f"against `fractions.Fraction` on the first {FRACTION_CHECKED:,} scenarios of each N: they agree,",
        "or the run stops).",
        "",
        "| method | "
        + " | ".join(f"N = {n:,}" for n in sizes)
        + f" | scenarios/s at N = {largest:,} | differ |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    for method, label in LABELS.items():
        if method not in per_n[largest]["rows"]:
            lines.append(f"| {label} | " + " | ".join("—" for _ in sizes) + f" | — | {openfisca_note} |")
            continue
        cells, differ = [], []
        for n in sizes:
            r = per_n[n]["rows"][method]
            text = f"{r['time']:.4f}" + (f" ({r['first']:.4f})" if "first" in r else "")
            sampled = r.get("sample", n) < n
            cells.append(f"≈ {text}" if sampled else text)
            differ.append(f"{r['differ']:,}" + (f" of {r['sample']:,} sampled" if sampled else ""))
        r = per_n[largest]["rows"][method]
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {rate(largest, r['time'])} | {', '.join(differ)} |"
        )
    edge = extra["edge"]
    lines += [
        "",
        f"The interpreter is timed on the first {min(args.sample, largest):,} scenarios of each N and "
        "extrapolated (≈); its `differ` counts that sample.",
        "",
        f"Edge scenarios ({edge['n']:,}: results of 0, ±1, ±2, ±8, ±9 cents and the ends of the range, "
        "over keys whose remainders all tie, costs zero but for one or some municipalities, one large "
        "municipality among small ones; `run.edge_scenarios`), scenarios that differ from Fractions: "
        + ", ".join(f"{SHORT[m]} {edge[m]:,}" for m in LABELS if m in edge)
        + ".",
        "",
    ]
    cold, groningen = extra["cold"], extra["groningen"]
    interpreter = per_n[largest]["rows"]["interpreter"]["time"]
    lines += [
        "### More measurements",
        "",
        f"- Batch over the whole Assen rule file (all 6 rules, not only art. 8 lid 5), N = {largest:,}: "
        f"{extra['whole_file']:.4f} s ({rate(largest, extra['whole_file'])} scenarios/s).",
        f"- `convenant evaluate examples/assen-2024.yaml`, cold (a new process each time), {len(cold)} runs: "
        f"median {statistics.median(cold):.3f} s, min {min(cold):.3f} s, max {max(cold):.3f} s.",
        "- Groningen evaluate with explanation, warm (in-process: "
        "`convenant.workflow.session.explain_file` on "
        f"examples/groningen-2022.yaml, Markdown, after one warm-up run), {len(groningen)} runs: median "
        f"{statistics.median(groningen):.3f} s, min {min(groningen):.3f} s, max {max(groningen):.3f} s.",
        f"- Interpreter per scenario: {interpreter / largest * 1000:.3f} ms.",
        "",
        "### What is timed",
        "",
        "- batch: compiling the rule file and evaluating the scenarios in chunks of "
        f"{batch_module.CHUNK:,} (as",
        "  `convenant batch` does), from columns in memory (made by `from_arrays`, not timed), up to the",
        "  exact cents of every share; reading and writing files is in the `convenant batch` rows.",
        "- OpenFisca: building the simulation (one region of nine municipalities per scenario), setting",
        "  the inputs and calculating the shares. OpenFisca's `float` is float32 (about 7 significant",
        "  digits) while the amounts reach 500,000,000 cents, so nearly every scenario is off by some",
        "  cents. float64 would be closer, but no binary float holds every exact share.",
        "- limit: `assen_kernels.limit_shares` from the same columns (the BW result computed from its",
        "  four facts, then the key and the largest remainder, in chunks of "
        f"{LIMIT_CHUNK:,}); per municipality a",
        "  float64 guess of the floor, off by at most one, made exact by the int64 remainder",
        "  M·K − q·D computed modulo 2⁶⁴ (exact because its true value is below 2⁶³), then the cents",
        "  left over by pairwise comparison of the exact remainders. It checks its bounds per chunk;",
        "  that the facts are whole numbers ≥ 0 is checked once, untimed (as `from_arrays` is for batch).",
        "- int64: `assen_kernels.int64_shares`, integer division of each half of the key and a stable",
        "  argsort of the remainders, in the batch path's chunks.",
        "- `convenant batch`: the command as a process of its own on a CSV of the N scenarios (the",
        "  process start, reading and checking every cell, computing, writing every result as text);",
        "  peak memory is that process's peak resident set.",
        "",
    ]
    lines += targets6(per_n, extra, largest)
    lines += ["<!-- /run.py -->"]
    return "\n".join(lines)


def _load(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "unknown"


def _times(value: float | None) -> str:
    return f"{value:.2f} ×" if value is not None else "—"


def target5(
    args: Any, per_n: dict[int, dict[str, Any]], extra: dict[str, Any], info: dict[str, str]
) -> list[str]:
    sizes = args.sizes
    lines = [
        "### Issue 15, target 5: the limit is the real limit",
        "",
        "Throughput ratios per N, each the median over the rounds of the ratio within a round",
        "(batch/limit = limit's time ÷ batch's time: 1 would mean the batch path is as fast as the",
        "fastest exact kernel known; below 1 it is slower).",
        "",
        "| per N | " + " | ".join(f"N = {n:,}" for n in sizes) + " |",
        "|---|" + "---|" * len(sizes),
    ]

    def row(label: str, cell: Callable[[dict[str, Any], int], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(per_n[n], n) for n in sizes) + " |")

    row(
        "limit: scenarios/s (exact: differ)",
        lambda a, n: f"{rate(n, a['rows']['limit']['time'])} ({a['rows']['limit']['differ']})",
    )
    row("limit ÷ int64-only kernel (speed-up)", lambda a, n: _times(a["limit/int64"]))
    row(
        "batch: scenarios/s (differ)",
        lambda a, n: f"{rate(n, a['rows']['batch']['time'])} ({a['rows']['batch']['differ']})",
    )
    row("**batch ÷ limit**", lambda a, n: _times(a["batch/limit"]))
    row("**batch ÷ OpenFisca**", lambda a, n: _times(a["batch/openfisca"]))
    if all("cli" in per_n[n] for n in sizes):
        row(
            "**`convenant batch`, CSV in and out: scenarios/s** (wall)",
            lambda a, n: f"{rate(n, a['cli'][0])} ({a['cli'][0]:.2f} s)",
        )
        row(
            f"**peak memory of that process** ({per_n[sizes[0]]['cli'][2]})",
            lambda a, n: f"{a['cli'][1] / 2**20:,.0f} MiB",
        )
    else:
        lines.append("| `convenant batch` per N | left out (`--no-cli`) |" + " |" * (len(sizes) - 1))
    row("load average (1 min) at the start of N", lambda a, n: _load(a["load"]))
    lines += [
        "",
        f"Machine: {info['cores']} cores, {info['cpu']}, shared with other processes. Command: "
        f"`{args.command}`. The `convenant batch` rate includes starting the process "
        "(about 0.3–1 s), which dominates at small N.",
    ]
    return lines


def targets6(per_n: dict[int, dict[str, Any]], extra: dict[str, Any], largest: int) -> list[str]:
    rows = per_n[largest]["rows"]
    batch = rows["batch"]
    throughput = largest / batch["time"]
    lines = [
        "### Issue 6's targets (earlier)",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]

    def line(target: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no' if met is not None else '—'} |")

    line(
        f"batch ≥ 1,000,000 scenarios/s at N = {largest:,}, exact in every scenario",
        f"{throughput:,.0f}/s, {batch['differ']} differ",
        throughput >= 1_000_000 and batch["differ"] == 0 and largest >= 100_000,
    )
    if "openfisca" in rows:
        ratio = per_n[largest]["batch/openfisca"]
        line("batch ≥ 3 × OpenFisca's throughput (same run)", f"{ratio:.1f} ×", ratio >= 3)
    else:
        line("batch ≥ 3 × OpenFisca's throughput (same run)", "OpenFisca not installed", None)
    cold = statistics.median(extra["cold"])
    line(
        "`convenant evaluate` on the Assen example, cold: < 0.5 s wall", f"{cold:.3f} s (median)", cold < 0.5
    )
    if "cli" in per_n[largest]:
        memory = per_n[largest]["cli"][1]
        line(
            f"memory at N = {largest:,}: < 1 GiB peak",
            f"{memory / 2**20:,.0f} MiB (`convenant batch`, CSV in and out)",
            memory < 2**30,
        )
    warm = statistics.median(extra["groningen"])
    line("Groningen evaluate with explanation, warm: < 0.3 s", f"{warm:.3f} s (median)", warm < 0.3)
    return lines


if __name__ == "__main__":
    main()
