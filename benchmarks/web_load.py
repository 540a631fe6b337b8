"""The web API under load (issue 14): 20 clients evaluating the Groningen example at once, 30 s.

Starts `convenant serve` (uvicorn) as its own process on a free port of 127.0.0.1, with its own
register in a temporary folder, then runs two rounds of `--clients` threads, each on its own
keep-alive connection (http.client), POSTing examples/groningen-2022.yaml as
`Content-Type: application/yaml` to /api/v1/evaluate for `--seconds`:

1. **the same facts**: every client sends the example itself; after the first answer the server's
   kept answers (engine/web/answers.py) give it again;
2. **different facts, every request**: each request changes one amount
   (`werkelijke_uitvoeringskosten`, by a cent count unique to the client and the request), so no
   kept answer fits and every request is evaluated and turned into JSON.

Reported per round: requests, errors (a status other than 200, or no answer), latency p50/p95/p99
and max, throughput, and the server's resident memory (VmRSS of /proc/<pid>/status, sampled every
second) at the start, its peak and at the end. Writes benchmarks/web.md and the section on it at the
end of benchmarks/README.md. Not a test: timings depend on the machine and what else runs on it.

    .venv/bin/python benchmarks/web_load.py
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sections import write_section  # noqa: E402

FACTS = ROOT / "examples" / "groningen-2022.yaml"
AMOUNT = "werkelijke_uitvoeringskosten: 3712345.67"
ANSWERS_KEPT = 64  # engine/web/api.py
MARK_BEGIN, MARK_END = "<!-- web_load.py -->", "<!-- /web_load.py -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(found[1]) if found else 0


@dataclass
class Round:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    recorded: int = 0
    rss: list[int] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


def client(port: int, body_for: object, stop: float, result: Round, number: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = 0
    while time.monotonic() < stop:
        body = body_for(number, sent)  # type: ignore[operator]
        sent += 1
        started = time.monotonic()
        try:
            connection.request(
                "POST", "/api/v1/evaluate", body=body, headers={"Content-Type": "application/yaml"}
            )
            answer = connection.getresponse()
            data = answer.read()
            took = time.monotonic() - started
            ok = answer.status == 200 and data.startswith(b"{")
            with result.lock:
                result.latencies.append(took)
                result.recorded += bool(answer.getheader("Convenant-Run"))
                if not ok:
                    result.errors.append(f"{answer.status} {data[:80]!r}")
        except (OSError, http.client.HTTPException) as error:
            with result.lock:
                result.errors.append(f"{type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.close()


def load_round(name: str, port: int, pid: int, clients: int, seconds: float, body_for: object) -> Round:
    result = Round(name)
    result.rss.append(rss_kib(pid))
    started = time.monotonic()
    stop = started + seconds
    threads = [
        threading.Thread(target=client, args=(port, body_for, stop, result, n), daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(1.0)
        result.rss.append(rss_kib(pid))
    result.seconds = time.monotonic() - started
    result.rss.append(rss_kib(pid))
    return result


def start_server(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [sys.executable, "-m", "convenant", "serve", "--port", str(port), "--register",
               str(folder / "register.sqlite")]  # fmt: skip
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/covenants")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("convenant serve did not start: " + process.stderr.read().decode())  # type: ignore[union-attr]
        time.sleep(0.2)


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"model name\s*:\s*(.+)", text)
    return found[1].strip() if found else "unknown CPU"


def row(r: Round) -> str:
    n = len(r.latencies)
    return (
        f"| {r.name} | {n:,} | {len(r.errors)} | {r.percentile(50) * 1000:,.0f} | "
        f"{r.percentile(95) * 1000:,.0f} | {r.percentile(99) * 1000:,.0f} | "
        f"{max(r.latencies, default=0) * 1000:,.0f} | {n / r.seconds:,.1f} | "
        f"{r.rss[0] / 1024:,.0f} / {max(r.rss) / 1024:,.0f} / {r.rss[-1] / 1024:,.0f} |"
    )


def report(rounds: list[Round], clients: int, seconds: float, load: float) -> str:
    same, different = rounds
    # flat: after the first second (the first answers made), the target round grows by < 16 MiB
    flat = same.rss[-1] - same.rss[min(1, len(same.rss) - 1)] < 16 * 1024
    trajectory = ", ".join(f"{kib / 1024:,.0f}" for kib in different.rss[:: max(1, len(different.rss) // 8)])
    met = same.percentile(95) < 1.0 and not same.errors
    recorded = "yes" if all(r.recorded == len(r.latencies) for r in rounds) else (
        "no" if not any(r.recorded for r in rounds) else "partly")  # fmt: skip
    lines = [
        "# The web API under load",
        "",
        "Made by `.venv/bin/python benchmarks/web_load.py` (this file is rewritten); what is measured: see",
        "its docstring.",
        "",
        f"**Run of {date.today().isoformat()}** on {os.cpu_count()} cores, {cpu_model()}, Python "
        f"{platform.python_version()}, {platform.platform()}; load average (1 min) at the end {load:.2f} "
        "(other processes share the machine, and the clients run on the same two cores as the server).",
        "",
        f"{clients} clients, each on its own keep-alive connection, POST examples/groningen-2022.yaml "
        f"(`Content-Type: application/yaml`) to `/api/v1/evaluate` for {seconds:.0f} s; the answer is the "
        "JSON of `convenant evaluate --format json` (about 520 kB). Latency in milliseconds, memory "
        "(the server's VmRSS) in MiB at the start / peak / end of the round.",
        "",
        "| round | requests | errors | p50 | p95 | p99 | max | requests/s | memory (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
        row(same),
        row(different),
        "",
        f"Target (issue 14): p95 < 1 s, no errors, memory flat, for the Groningen example: "
        f"p95 {same.percentile(95) * 1000:,.0f} ms, {len(same.errors)} errors, memory "
        f"{'flat' if flat else 'NOT flat'}: **{'met' if met and flat else 'not met'}**. Runs recorded in "
        f"the register: {recorded}.",
        "",
        "The second round is the honest figure for facts the server has not seen: every request is a new",
        "fact file, evaluated (about 0.1 s for Groningen) and turned into JSON (about 0.05 s) in the",
        "server's thread pool. Python runs one thread at a time, so 20 requests at once queue for one",
        f"core: p95 {different.percentile(95) * 1000:,.0f} ms at "
        f"{len(different.latencies) / different.seconds:,.1f} requests/s. The checked rule files are kept",
        "while the rules directory is unchanged (registry.versions), so a new request is the evaluation,",
        "its JSON and its record in the register; more throughput for new facts needs more server",
        "processes (the register is a database file that several processes can share).",
        "",
        "Memory in the second round grows while the server's kept answers fill "
        f"({ANSWERS_KEPT} at most, each an evaluation and its JSON, about 2 MiB), sampled in MiB through "
        f"the round: {trajectory}. "
        + (
            "It then stays: it is bounded by the number of kept answers, not by the number of requests."
            if len(different.latencies) > 2 * ANSWERS_KEPT
            else f"This round made only {len(different.latencies)} requests, so it ends as the kept "
            "answers are full: it does not show the level where memory stays."
        ),
    ]
    if any(r.errors for r in rounds):
        lines += ["", "Errors (first five per round):", ""]
        lines += [f"- {r.name}: {e}" for r in rounds for e in r.errors[:5]]
    return "\n".join(lines) + "\n"


def readme_section(rounds: list[Round], load: float) -> str:
    same, different = rounds
    return "\n".join(
        [
            MARK_BEGIN,
            "## The web API under load (issue 14)",
            "",
            "`.venv/bin/python benchmarks/web_load.py` writes [web.md](web.md): 20 clients POST the "
            "Groningen example to `/api/v1/evaluate` of `convenant serve` for 30 s.",
            "",
            f"| run of {date.today().isoformat()}, {os.cpu_count()} cores, load average {load:.2f} "
            "| p95 | errors | requests/s |",
            "|---|---|---|---|",
            f"| the same facts (kept answers) | {same.percentile(95) * 1000:,.0f} ms | {len(same.errors)} | "
            f"{len(same.latencies) / same.seconds:,.1f} |",
            f"| a new fact file every request | {different.percentile(95) * 1000:,.0f} ms | "
            f"{len(different.errors)} | {len(different.latencies) / different.seconds:,.1f} |",
            MARK_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "web.md")
    args = parser.parse_args()
    text = FACTS.read_text(encoding="utf-8")
    assert AMOUNT in text, "the example changed: choose another amount to vary"
    same_body = text.encode("utf-8")

    def same(client_number: int, request_number: int) -> bytes:
        return same_body

    def different(client_number: int, request_number: int) -> bytes:
        cents = 371234567 + 1 + client_number * 1_000_000 + request_number
        return text.replace(
            AMOUNT, f"werkelijke_uitvoeringskosten: {cents // 100}.{cents % 100:02d}"
        ).encode()

    with tempfile.TemporaryDirectory(prefix="convenant-web-load-") as folder:
        process, port = start_server(Path(folder))
        try:
            rounds = [
                load_round("the same facts", port, process.pid, args.clients, args.seconds, same),
                load_round("a new fact file every request", port, process.pid, args.clients, args.seconds,
                           different),
            ]  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=30)
    load = os.getloadavg()[0]
    args.out.write_text(report(rounds, args.clients, args.seconds, load), encoding="utf-8")
    write_section(readme_section(rounds, load), MARK_BEGIN, MARK_END)
    print(args.out.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
