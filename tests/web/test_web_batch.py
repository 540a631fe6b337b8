"""The scenarios page in a real browser, and `/api/v1/batch`: the example scenario files run as
`convenant batch` runs them, with a progress bar, and their results are the command's bytes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from convenant.batch.batch import run_file
from convenant.web.app import create_app
from convenant.web.config import WebConfig
from tests.paths import REPO_ROOT
from tests.web.conftest import Server, screenshot

EXAMPLES = REPO_ROOT / "examples"
RULES = {"assen": "assen/2024-v1.6", "groningen": "groningen/2021"}
CASES = [("assen-2024-scenarios.csv", "assen"), ("groningen-2022-scenarios.csv", "groningen")]


def _command(rules: str, scenarios: Path, tmp_path: Path) -> bytes:
    """What `convenant batch RULES SCENARIOS --out …` writes for the same file."""
    out = tmp_path / "uitkomsten.csv"
    run_file(REPO_ROOT / "rules" / f"{rules}.yaml", scenarios, out)
    return out.read_bytes()


def _run(page: Any, server: Server, scenarios: Path, rules: str) -> None:
    page.goto(f"{server.url}/batch")
    page.set_input_files("#scenarios", str(scenarios))
    page.select_option("#rules", rules)
    page.click("#start-batch")
    page.wait_for_selector("progress#balk")  # the bar is there while it runs and after
    page.wait_for_selector('#voortgang-status[data-state="klaar"]', timeout=60_000)


@pytest.mark.parametrize(("name", "covenant"), CASES)
def test_a_scenario_file_shows_its_progress_and_gives_the_commands_results(
    server: Server, page: Any, tmp_path: Path, name: str, covenant: str
) -> None:
    scenarios = EXAMPLES / name
    _run(page, server, scenarios, RULES[covenant])
    bar = page.locator("progress#balk")
    rows = len(scenarios.read_text(encoding="utf-8").splitlines()) - 1
    assert bar.get_attribute("max") == bar.get_attribute("value") == str(rows)
    assert f"{rows} scenario's doorgerekend, 0 mislukt" in page.locator("#samenvatting").inner_text()
    with page.expect_download() as info:
        page.click("#download-uitkomsten")
    assert info.value.suggested_filename == "uitkomsten.csv"
    got = Path(info.value.path()).read_bytes()
    assert got == _command(RULES[covenant], scenarios, tmp_path)  # the same bytes as the command
    if covenant == "assen":
        screenshot(page, "batch", tmp_path)


def test_a_failing_scenario_shows_its_row_and_its_dutch_message(
    server: Server, page: Any, tmp_path: Path
) -> None:
    lines = (EXAMPLES / "assen-2024-scenarios.csv").read_text(encoding="utf-8").splitlines()
    broken = lines[1].replace("basis,2024,38412000.00", "kapot,2024,veel")
    scenarios = tmp_path / "met-fout.csv"
    scenarios.write_text("\n".join([*lines, broken]) + "\n", encoding="utf-8")
    _run(page, server, scenarios, RULES["assen"])
    assert "1 mislukt" in page.locator("#samenvatting").inner_text()
    failed = page.locator("#mislukt tbody tr").inner_text()
    assert "kapot" in failed and "‘veel’ is geen getal" in failed and str(len(lines) + 1) in failed


def test_a_scenario_file_without_its_columns_is_refused_in_its_own_name(
    server: Server, page: Any, tmp_path: Path
) -> None:
    scenarios = tmp_path / "te-weinig.csv"
    scenarios.write_text("scenario,jaar\nx,2024\n", encoding="utf-8")
    page.goto(f"{server.url}/batch")
    page.set_input_files("#scenarios", str(scenarios))
    page.select_option("#rules", RULES["assen"])
    page.click("#start-batch")
    page.wait_for_selector('#voortgang-status[data-state="geweigerd"]', timeout=60_000)
    text = page.locator(".problems").inner_text()
    assert "kolom ontbreekt: macrobudget_bw" in text and "te-weinig.csv:1" in text
    assert "/tmp" not in text and "scenario.csv" not in text


def _client() -> tuple[TestClient, Any]:
    guard = create_app(WebConfig())
    return TestClient(guard, base_url="http://127.0.0.1:8765"), guard.app  # type: ignore[attr-defined]


def _finished(client: TestClient, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        status = client.get(url).json()
        if status["state"] not in ("wacht", "bezig") or time.monotonic() > deadline:
            return status  # type: ignore[no-any-return]
        time.sleep(0.1)


def test_the_api_starts_a_job_reports_it_and_gives_its_result(tmp_path: Path) -> None:
    scenarios = EXAMPLES / "groningen-2022-scenarios.csv"
    client, _ = _client()
    with client:
        started = client.post(
            "/api/v1/batch",
            data={"rules": RULES["groningen"]},
            files={"scenarios": (scenarios.name, scenarios.read_bytes())},
        )
        assert started.status_code == 202, started.text
        assert started.headers["location"] == started.json()["status_url"]
        status = _finished(client, started.json()["status_url"])
        result = client.get(started.json()["result_url"])
    assert status["state"] == "klaar" and status["done"] == status["total"] == 6 and status["failed"] == 0
    assert result.status_code == 200 and result.content == _command(RULES["groningen"], scenarios, tmp_path)


def test_the_api_refuses_bad_input_and_a_busy_server_with_a_problem_document() -> None:
    scenarios = EXAMPLES / "assen-2024-scenarios.csv"
    client, app = _client()
    with client:
        by_path = client.post(
            "/api/v1/batch",
            data={"rules": "../../etc/passwd"},
            files={"scenarios": ("s.csv", scenarios.read_bytes())},
        )
        kind = client.post(
            "/api/v1/batch", data={"rules": RULES["assen"]}, files={"scenarios": ("s.yaml", b"a: 1")}
        )
        unknown = client.get("/api/v1/batch/onbekend")
        app.state.batch_jobs.running_max = 0
        busy = client.post(
            "/api/v1/batch",
            data={"rules": RULES["assen"]},
            files={"scenarios": ("s.csv", scenarios.read_bytes())},
        )
    for response, status, code in (
        (by_path, 422, "web.batch_rules_unknown"),
        (kind, 415, "web.upload_kind"),
        (unknown, 404, "web.batch_not_found"),
        (busy, 429, "web.batch_busy"),
    ):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
    assert app.state.batch_jobs.kept.ids() == []  # nothing was started


def test_the_openapi_fragment_names_the_batch_endpoints() -> None:
    from convenant.web import batch_pages, openapi

    paths = openapi.document([batch_pages])["paths"]
    assert "202" in paths["/api/v1/batch"]["post"]["responses"]
    assert set(paths) == {"/api/v1/batch", "/api/v1/batch/{job}", "/api/v1/batch/{job}/result"}


def test_a_job_refused_while_its_page_is_made_shows_one_state_never_refused_without_its_problems() -> None:
    """The job's thread sets the problems, then the state; the page reads the state first. Here
    the job is refused at the worst moment: between the page reading its state and the rest (the
    page once said "geweigerd" with no problems, and its script had no reason to load it again)."""
    from convenant.core.diagnostics import Problem
    from convenant.web import batch_pages
    from convenant.web import problems as shown_problems

    client, app = _client()
    with client:
        job = app.state.batch_jobs.kept.add(
            lambda key: batch_pages.Job(key, "x.csv", "assen-2024-v1.6", None, "csv", "nl", state="bezig")
        )
        status = job.status

        def refused_meanwhile() -> dict[str, Any]:
            missing = Problem("batch.missing_column", {"column": "macrobudget_bw", "label": "macrobudget"})
            job.problems = [shown_problems.shown(missing, "nl")]
            job.state = "geweigerd"
            return status()

        job.status = refused_meanwhile  # type: ignore[method-assign]
        first = client.get(f"/batch/{job.id}").text
        job.status = status  # type: ignore[method-assign]
        again = client.get(f"/batch/{job.id}").text
    assert 'data-state="bezig"' in first and 'data-state="geweigerd"' not in first
    assert 'http-equiv="refresh"' in first  # so the page is loaded again, as the script does
    assert 'data-state="geweigerd"' in again and 'class="problems"' in again
    assert "kolom ontbreekt: macrobudget_bw" in again
