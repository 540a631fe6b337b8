"""The first page in a real browser: the covenants, their versions, and the language switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.web.conftest import Server, screenshot


def test_the_covenants_page_lists_every_version_with_its_status(
    server: Server, page: Any, tmp_path: Path
) -> None:
    page.goto(f"{server.url}/?op=2024-06-01")
    assert page.title().startswith("Convenanten en hun versies")
    assen = page.locator("#convenant-assen")
    assert "in werking" in assen.inner_text()
    assert page.locator("#convenant-groningen tbody tr").count() >= 1
    shot = screenshot(page, "convenanten", tmp_path)
    assert shot.stat().st_size > 10_000


def test_the_language_switch_shows_the_page_in_english_and_remembers_it(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/")
    page.click("header .lang")
    assert page.locator("h1").inner_text() == "Covenants and their versions"
    page.goto(f"{server.url}/")  # the choice is kept in a cookie
    assert page.locator("h1").inner_text() == "Covenants and their versions"


def test_a_page_loads_nothing_from_elsewhere(server: Server, page: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.url}/")
    assert requested and all(url.startswith(server.url) for url in requested), requested
