"""The register's pages in a real browser: a letters run recorded through the application's
recorder is found by its kenmerk, opened, and made again byte-identical."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from convenant.web.runs import LetterOptions, evaluate_upload, example, make_letters
from tests.web.conftest import screenshot

HOOGEVEEN = "assen/2024/definitief-aandeel/GM0118/c2fd60ac"


def _recorded(server: Any) -> str:
    """The Assen example's letters made and recorded as the letters page does (the app's recorder)."""
    upload = example("assen-2024.yaml")
    ev = evaluate_upload(upload)
    options = LetterOptions(formats=("md",))
    files = make_letters(ev, options, "nl")
    run_id = server.app.app.state.recorder.letters(upload, ev, options, files, "nl")
    assert server.register.is_file() and run_id
    return str(run_id)


def test_find_a_letter_by_kenmerk_and_make_it_again(server: Any, page: Any, tmp_path: Path) -> None:
    run_id = _recorded(server)

    page.goto(f"{server.url}/register")
    page.fill("#kenmerk", "GM0118")
    page.click("button[type=submit]")
    assert HOOGEVEEN in page.inner_text("table.runs")
    page.click(f"a[href='/register/{run_id}']")
    assert "Invoer" in page.inner_text("main") and "assen-2024.yaml" in page.inner_text("table.inputs")
    page.click("#opnieuw")
    page.wait_for_selector("#uitkomst", timeout=60_000)
    result = page.inner_text("#uitkomst")
    assert "Alle brieven zijn byte-identiek" in result and result.count("byte-identiek") == 10
    screenshot(page, "register", tmp_path)


def test_the_api_finds_and_reproduces(server: Any) -> None:
    import httpx

    _recorded(server)
    found = httpx.get(f"{server.url}/api/v1/register", params={"kenmerk": HOOGEVEEN}, timeout=30)
    assert found.status_code == 200 and found.json()["runs"][0]["kenmerken"][1] == HOOGEVEEN
    one = httpx.get(f"{server.url}/api/v1/register/kenmerk/{HOOGEVEEN}", timeout=30)
    assert one.status_code == 200 and one.json()["covenant"] == "assen"
    again = httpx.post(f"{server.url}/api/v1/reproduce/{HOOGEVEEN}", timeout=120)
    assert again.status_code == 200 and again.json()["identical"] is True
    unknown = httpx.get(f"{server.url}/api/v1/register/kenmerk/assen/0/x", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["code"] == "register.unknown_kenmerk"
