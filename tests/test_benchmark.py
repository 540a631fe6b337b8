"""The benchmark runs with one command and writes its section (here on a few scenarios, quickly),
keeping the other benchmarks' sections. That `convenant evaluate` does not pay for the heavy imports
the batch path needs: tests/test_cli.py (the console script, from cold) and tests/test_start_up.py."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.paths import REPO_ROOT


def test_the_benchmark_writes_its_table(tmp_path):
    out = tmp_path / "README.md"
    others = "<!-- other_bench.py -->\n## Another benchmark\n\n| kept | as it is |\n<!-- /other_bench.py -->"
    out.write_text(f"# Benchmarks\n\nold header\n\n{others}\n\n<!-- run.py -->\nold\n<!-- /run.py -->\n")
    args = ["--sizes", "120", "--sample", "20", "--repeats", "1", "--cold-runs", "1", "--warm-runs", "1"]
    args += ["--out", str(out)]
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "cores" in text and "Python" in text  # the machine and the date of the run
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    batch = rows["| batch (`engine.batch`, compiled once)"]
    limit = rows["| numpy by hand: float64 guess + int64 correction (the limit)"]
    int64 = rows["| numpy by hand: int64 only (the earlier limit)"]
    assert batch.endswith("| 0 |") and limit.endswith("| 0 |") and int64.endswith("| 0 |")  # all exact
    assert "| **batch ÷ limit**" in rows and "| **batch ÷ OpenFisca**" in rows  # target 5, per N
    assert re.search(r"\| \*\*peak memory of that process\*\* .* \| [0-9,]+ MiB \|", text)
    assert "## Issue 15 targets" in text and "| 5 | the limit row is the real limit" in text
    assert others in text and "old header" not in text and "\nold\n" not in text  # others' sections kept
    assert "| interpreter (`engine.evaluate` per scenario)" in rows
    openfisca = rows["| OpenFisca (idiomatic, float32)"]
    assert "not installed" in openfisca or openfisca.split(" | ")[1].split()[0].replace(".", "").isdigit()
    assert "`convenant evaluate` on the Assen example, cold" in text
    assert re.search(
        r"\| Groningen evaluate with explanation, warm: < 0\.3 s \| [0-9.]+ s \(median\) \|", text
    )
