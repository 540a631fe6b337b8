"""`convenant validate` at editor speed (issue 15, target 6): the wall time of the command as a new
process from the shell, cold and warm, for each shipped rule file and for `rules/`.

- **cold**: an empty cache folder (`XDG_CACHE_HOME` a new temporary folder), so the whole check runs:
  the imports, reading and checking the rule file, rendering every template against a sample;
- **warm**: the same command again with nothing changed: the outcome kept by the first run is
  replayed after every input is compared by content (engine/cli/validate_cache.py).

Each is the median of `--repeat` runs (7) of the installed `convenant` script beside this Python,
in the repository's root. Writes its section into benchmarks/README.md between the markers
`<!-- validate_speed.py -->` and `<!-- /validate_speed.py -->`. Not a test: timings depend on the
machine and what else runs on it.

    .venv/bin/python benchmarks/validate_speed.py
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sections import write_section  # noqa: E402

TARGET = 0.150  # seconds, warm, one rule file
CASES = ("rules/assen/2024-v1.6.yaml", "rules/groningen/2021.yaml", "rules/")
MARK_BEGIN, MARK_END = "<!-- validate_speed.py -->", "<!-- /validate_speed.py -->"


def command() -> list[str]:
    script = Path(sys.executable).parent / "convenant"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "convenant"]


def once(args: list[str], cache: str) -> float:
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()}")
    return took


def measure(target: str, repeat: int) -> tuple[float, float]:
    """(cold, warm) medians in seconds."""
    args = [*command(), "validate", target]
    cold, warm = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="convenant-validate-") as cache:
            cold.append(once(args, cache))
    with tempfile.TemporaryDirectory(prefix="convenant-validate-") as cache:
        once(args, cache)  # the full check that keeps the outcome
        warm = [once(args, cache) for _ in range(repeat)]
    return statistics.median(cold), statistics.median(warm)


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"model name\s*:\s*(.+)", text)
    return found[1].strip() if found else "unknown CPU"


def section(
    results: dict[str, tuple[float, float]], repeat: int, load: tuple[float, float], python_start: float
) -> str:
    lines = [
        MARK_BEGIN,
        "## `convenant validate` at editor speed (issue 15, target 6)",
        "",
        "`.venv/bin/python benchmarks/validate_speed.py`: wall time of `convenant validate PATH` as a new "
        f"process from the shell (median of {repeat}); **cold** with an empty cache folder (the whole "
        "check), **warm** the same command again with nothing changed (the kept outcome, every input "
        "compared by content first). Target: one rule file warm ≤ 150 ms. The script is the entry point "
        "`convenant.cli.start:main` (an editable checkout of before it: `pip install -e .` again); Python's "
        "own start (`python -c pass`) took "
        f"{python_start * 1000:.0f} ms in the same run.",
        "",
        f"Run of {date.today().isoformat()} on {os.cpu_count()} cores, {cpu_model()}, Python "
        f"{platform.python_version()}; load average (1 min) {load[0]:.2f} at the start, {load[1]:.2f} at the "
        "end (other processes share the machine).",
        "",
        "| command | cold | warm | warm − Python's start | warm target | met? |",
        "|---|---|---|---|---|---|",
    ]
    for target, (cold, warm) in results.items():
        single = not target.endswith("/")
        met = ("yes" if warm <= TARGET else "no") if single else "—"
        lines.append(
            f"| `convenant validate {target}` | {cold:.2f} s | {warm * 1000:.0f} ms | "
            f"{(warm - python_start) * 1000:.0f} ms | "
            f"{'≤ 150 ms' if single else '—'} | {met} |"
        )
    lines.append(MARK_END)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    start = os.getloadavg()[0]
    results = {target: measure(target, args.repeat) for target in CASES}
    with tempfile.TemporaryDirectory(prefix="convenant-validate-") as cache:
        bare = [once([sys.executable, "-c", "pass"], cache) for _ in range(args.repeat)]
    python_start = statistics.median(bare)
    found = section(results, args.repeat, (start, os.getloadavg()[0]), python_start)
    write_section(found, MARK_BEGIN, MARK_END)
    print(found)


if __name__ == "__main__":
    main()
