"""Benchmark of batch evaluation: Assen artikel 8, vijfde lid, over many random scenarios.

One command from the repository root (after `pip install -e '.[bench]'`; without the `bench`
group the OpenFisca row says it is not installed):

    python benchmarks/run.py                 # writes benchmarks/README.md

Timed in one run, at N = 1,000, 10,000 and 100,000 scenarios (9 municipalities; inhabitants
10,000–120,000; execution costs € 0–50,000,000.00; BW result −€ 5,000,000.00 to
€ 5,000,000.00):

- `batch`: this project's batch path (`engine.batch`): the rule file compiled once, then
  evaluated in chunks as `convenant batch` does, from scenario columns in memory;
- `interpreter`: `engine.evaluate` once per scenario (a sample of 2,000 at the larger N,
  extrapolated);
- `openfisca`: an idiomatic OpenFisca encoding of the same provision (benchmarks/openfisca_assen.py);
- `numpy`: the provision written by hand in numpy int64, exact: the practical limit.

For each, the number of scenarios in which any municipality's share differs in cents from
exact rational arithmetic (`fractions.Fraction`, computed here independently of the engine).
Also: peak memory and wall time of `convenant batch` on a CSV of 100,000 scenarios, the cold
wall time of `convenant evaluate examples/assen-2024.yaml`, and the warm (in-process) time of
evaluating examples/groningen-2022.yaml and rendering its explanation.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
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


def reference(columns: dict[str, np.ndarray]) -> np.ndarray:
    results = bw_result(columns).tolist()
    inhabitants, costs = stacked(columns, "inwoners").tolist(), stacked(columns, "uitvoeringskosten").tolist()
    return np.array([exact_shares(r, i, c) for r, i, c in zip(results, inhabitants, costs, strict=True)])


def differing(got: np.ndarray, expected: np.ndarray) -> int:
    return int((np.asarray(got, dtype=object) != expected.astype(object)).any(axis=1).sum())


# --- the four methods ------------------------------------------------------------------------


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """(first run, median of the runs after it, the last result)."""
    times, result = [], None
    for _ in range(repeats + 1):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:]) if repeats else times[0], result


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
    return elapsed, np.array(shares)


def numpy_exact(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Art. 8 lid 5 by hand in int64, in chunks of the size the batch path uses."""
    n, size = len(columns["macrobudget_bw"]), batch_module.CHUNK
    return np.concatenate(
        [numpy_chunk({k: v[s : s + size] for k, v in columns.items()}) for s in range(0, n, size)]
    )


def numpy_chunk(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Each half of the key divided on its own, the fractional parts added over 4·Σinh·Σcost,
    remainders ranked by a stable sort (int64 suffices for the stated ranges, unchecked)."""
    result = bw_result(columns)
    inhabitants, costs = stacked(columns, "inwoners"), stacked(columns, "uitvoeringskosten")
    magnitude = np.abs(result)[:, None]
    d1 = 2 * inhabitants.sum(axis=1, keepdims=True)
    d2 = 2 * costs.sum(axis=1, keepdims=True)
    q1, r1 = np.divmod(magnitude * inhabitants, d1)
    q2, r2 = np.divmod(magnitude * costs, d2)
    fraction = r1 * d2 + r2 * d1
    floor = q1 + q2 + fraction // (d1 * d2)
    remainder = fraction % (d1 * d2)
    left = magnitude - floor.sum(axis=1, keepdims=True)
    order = np.argsort(-remainder, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(order.shape[1]), order.shape), axis=1)
    parts = floor + (rank < left)
    return np.where(result[:, None] < 0, -parts, parts)


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


def _section_of_others(path: Path) -> str:
    """The section another benchmark writes at the end of the file (web_load.py), kept as it is."""
    begin, end = "<!-- web_load.py -->", "<!-- /web_load.py -->"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if begin not in text:
        return ""
    return begin + text.partition(begin)[2].partition(end)[0] + end


def write_scenarios_csv(path: Path, columns: dict[str, np.ndarray]) -> None:
    names = list(columns)
    texts = [[_cell(name, v) for v in columns[name].tolist()] for name in names]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["jaar", *names])
        writer.writerows(["2024", *row] for row in zip(*texts, strict=True))


def _cell(name: str, value: int) -> str:
    if name.startswith("inwoners."):
        return str(value)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


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


def cli_batch(columns: dict[str, np.ndarray]) -> tuple[float, int]:
    """Wall time and peak memory (bytes) of `convenant batch` on a CSV of these scenarios."""
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "scenarios.csv", Path(folder) / "results.csv"
        write_scenarios_csv(source, columns)
        arguments = ["batch", str(RULES), str(source), "--out", str(out), "--no-progress"]
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PEAK_PROBE, *arguments], cwd=ROOT, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        assert done.returncode == 0, done.stderr
        peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK "))
        return elapsed, peak * 1024


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--sample", type=int, default=2_000, help="interpreter scenarios timed per N")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after the first, per method")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--warm-runs", type=int, default=7, help="Groningen explanations timed")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "README.md")
    args = parser.parse_args()

    rules = load_rule_file(RULES)
    openfisca, openfisca_note = openfisca_runner()
    rows: dict[str, dict[int, dict[str, Any]]] = {
        m: {} for m in ("batch", "interpreter", "openfisca", "numpy")
    }
    largest = max(args.sizes)
    extra: dict[str, Any] = {}
    for n in args.sizes:
        columns = scenarios(n)
        exact = reference(columns)
        chunk = from_arrays(rules, columns, 2024)
        first, median, got = timed(lambda c=chunk: run_batch(rules, c, [SHARE]), args.repeats)
        rows["batch"][n] = {"first": first, "time": median, "differ": differing(got, exact)}
        sample = min(n, args.sample)
        elapsed, got = run_interpreter(rules, chunk, sample)
        rows["interpreter"][n] = {
            "time": elapsed * n / sample,
            "differ": differing(got, exact[:sample]),
            "sample": sample,
        }
        if openfisca is not None:
            first, median, got = timed(lambda c=columns: openfisca(c), args.repeats)
            rows["openfisca"][n] = {"first": first, "time": median, "differ": differing(got, exact)}
        first, median, got = timed(lambda c=columns: numpy_exact(c), args.repeats)
        rows["numpy"][n] = {"first": first, "time": median, "differ": differing(got, exact)}
        if n == largest:
            _, whole_file, _ = timed(lambda c=chunk: run_batch(rules, c, None), args.repeats)
            extra["whole_file"] = whole_file
            extra["cli"] = cli_batch(columns)
        print(
            f"N={n:,}: " + ", ".join(f"{m} {r[n]['time']:.4f} s" for m, r in rows.items() if n in r),
            flush=True,
        )
    extra["cold"] = cold_evaluate(args.cold_runs)
    extra["groningen"] = groningen_explain(args.warm_runs)
    text = render(args, rows, extra, openfisca_note)
    kept = _section_of_others(args.out)  # web_load.py's section at the end stays
    args.out.write_text(text + ("\n" + kept + "\n" if kept else ""), encoding="utf-8")
    print(f"written: {args.out}")


def render(
    args: Any, rows: dict[str, dict[int, dict[str, Any]]], extra: dict[str, Any], openfisca_note: str
) -> str:
    info = machine()
    sizes, largest = args.sizes, max(args.sizes)
    lines = [
        "# Benchmarks",
        "",
        "Batch evaluation of the Convenant Regio Assen 2024, artikel 8, vijfde lid (the distribution of",
        "the BW result over 9 municipalities by 50 % inhabitants and 50 % execution costs, whole cents by",
        "sign-symmetric largest remainder), over random scenarios: inhabitants 10,000–120,000, costs",
        "€ 0–50,000,000.00 per municipality, result −€ 5,000,000.00 to € 5,000,000.00.",
        "",
        "Run from the repository root: `pip install -e '.[bench]' && python benchmarks/run.py` (this file is",
        "rewritten). What each method is: see the docstring of `benchmarks/run.py`.",
        "",
        f"**Run of {info['date']}** on {info['cores']} cores, {info['cpu']}, Python {info['python']}, "
        f"numpy {info['numpy']}, {openfisca_note}; {info['system']}; load average (1 min) at the end of "
        f"the run {info['load']} (other processes share the machine: timings vary between runs).",
        "",
        "## Time and exactness",
        "",
        f"Time in seconds (median of {args.repeats} runs after a first one; the first run in brackets);",
        "`differ`: scenarios in which a share differs in cents from exact rational arithmetic",
        "(`fractions.Fraction`).",
        "",
        "| method | "
        + " | ".join(f"N = {n:,}" for n in sizes)
        + f" | scenarios/s at N = {largest:,} | differ |",
        "|---|" + "---|" * len(sizes) + "---|---|",
    ]
    labels = {
        "batch": "batch (`engine.batch`, compiled once)",
        "interpreter": "interpreter (`engine.evaluate` per scenario)",
        "openfisca": "OpenFisca (idiomatic, float32)",
        "numpy": "plain numpy int64 by hand (the limit)",
    }
    for method, label in labels.items():
        found = rows[method]
        if not found:
            lines.append(f"| {label} | " + " | ".join("—" for _ in sizes) + f" | — | {openfisca_note} |")
            continue
        cells = []
        for n in sizes:
            r = found[n]
            text = f"{r['time']:.4f}"
            if "first" in r:
                text += f" ({r['first']:.4f})"
            if "sample" in r and r["sample"] < n:
                text = f"≈ {text}"
            cells.append(text)
        differ = ", ".join(
            f"{found[n]['differ']:,}"
            + (f" of {found[n]['sample']:,} sampled" if found[n].get("sample", n) < n else "")
            for n in sizes
        )
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {rate(largest, found[largest]['time'])} | {differ} |"
        )
    interpreter = rows["interpreter"][largest]
    lines += [
        "",
        f"The interpreter is timed on the first {args.sample:,} scenarios of each N and extrapolated (≈);",
        "its `differ` counts that sample.",
        "",
    ]
    lines += targets(rows, extra, largest)
    cli_time, cli_memory = extra["cli"]
    cold, groningen = extra["cold"], extra["groningen"]
    lines += [
        "",
        "## More measurements",
        "",
        f"- Batch over the whole Assen rule file (all 6 rules, not only art. 8 lid 5), N = {largest:,}: "
        f"{extra['whole_file']:.4f} s ({rate(largest, extra['whole_file'])} scenarios/s).",
        f"- `convenant batch` on a CSV of {largest:,} scenarios, end to end (start, read and check every "
        f"cell, compute, write every result as text): {cli_time:.2f} s wall, "
        f"peak memory {cli_memory / 2**20:,.0f} MiB.",
        f"- `convenant evaluate examples/assen-2024.yaml`, cold (a new process each time), {len(cold)} runs: "
        f"median {statistics.median(cold):.3f} s, min {min(cold):.3f} s, max {max(cold):.3f} s.",
        "- Groningen evaluate with explanation, warm (in-process: "
        f"`convenant.workflow.session.explain_file` on "
        f"examples/groningen-2022.yaml, Markdown, after one warm-up run), {len(groningen)} runs: median "
        f"{statistics.median(groningen):.3f} s, min {min(groningen):.3f} s, max {max(groningen):.3f} s.",
        f"- Interpreter per scenario: {interpreter['time'] / largest * 1000:.3f} ms.",
        "",
        "## What is timed",
        "",
        "- batch: compiling the rule file and evaluating the scenarios in chunks of "
        f"{batch_module.CHUNK:,} (as",
        "  `convenant batch` does), from columns in memory, up to the exact cents of every share;",
        "  reading and writing files is in the end-to-end line above.",
        "- OpenFisca: building the simulation (one region of nine municipalities per scenario), setting",
        "  the inputs and calculating the shares. OpenFisca's `float` is float32 (about 7 significant",
        "  digits) while the amounts reach 500,000,000 cents, so nearly every scenario is off by some",
        "  cents. float64 would be closer, but no binary float holds every exact share.",
        "- numpy: the same provision written by hand for these ranges (no bound checks, no other rules),",
        "  in the same chunks: what a vectorised exact implementation cannot beat by much.",
        "",
    ]
    return "\n".join(lines)


def targets(rows: dict[str, dict[int, dict[str, Any]]], extra: dict[str, Any], largest: int) -> list[str]:
    batch = rows["batch"][largest]
    throughput = largest / batch["time"]
    lines = ["## Targets (issue 6)", "", "| target | measured | met |", "|---|---|---|"]

    def line(target: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {target} | {measured} | {'yes' if met else 'no' if met is not None else '—'} |")

    line(
        f"batch ≥ 1,000,000 scenarios/s at N = {largest:,}, exact in every scenario",
        f"{throughput:,.0f}/s, {batch['differ']} differ",
        throughput >= 1_000_000 and batch["differ"] == 0 and largest >= 100_000,
    )
    if rows["openfisca"]:
        ratio = rows["openfisca"][largest]["time"] / batch["time"]
        line("batch ≥ 3 × OpenFisca's throughput (same run)", f"{ratio:.1f} ×", ratio >= 3)
    else:
        line("batch ≥ 3 × OpenFisca's throughput (same run)", "OpenFisca not installed", None)
    cold = statistics.median(extra["cold"])
    line(
        "`convenant evaluate` on the Assen example, cold: < 0.5 s wall", f"{cold:.3f} s (median)", cold < 0.5
    )
    memory = extra["cli"][1]
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
