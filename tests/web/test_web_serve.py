"""`convenant serve` itself, as a user starts it: a process that answers the pages and the API and
stops cleanly on Ctrl-C (SIGINT) or on SIGTERM (a service manager), without a traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import interruptible
from tests.web.conftest import _free_port


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_convenant_serve_answers_and_stops_cleanly(tmp_path: Path, stop: signal.Signals) -> None:
    port = _free_port()
    register = tmp_path / "register.sqlite"
    command = [sys.executable, "-m", "convenant", "serve", "--port", str(port), "--register", str(register)]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=interruptible
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/", timeout=2) as page:
                    home = page.read().decode("utf-8")
                break
            except OSError:
                assert process.poll() is None, process.communicate()[1].decode()
                assert time.monotonic() < deadline, "convenant serve did not start"
                time.sleep(0.1)
        assert "Convenanten en hun versies" in home
        with urllib.request.urlopen(f"{url}/api/v1/covenants", timeout=10) as answer:
            assert answer.headers["content-type"] == "application/json"
            assert b'"id": "assen"' in answer.read()
        process.send_signal(stop)
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    stderr = err.decode("utf-8")
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr and "Error" not in stderr
    assert f"http://127.0.0.1:{port}/" in stderr  # where it listened, in Dutch
    assert "De webtoepassing draait op" in stderr
    assert f"komt in het register: {register}" in stderr  # where every run is kept, said at the start
