"""The web application under test: a real server on a free port of 127.0.0.1 (uvicorn in a thread)
and a real browser (Debian's chromium, driven by Playwright; nothing is downloaded).

`server` starts one application per test module with its own register in a temporary folder;
`browser` is one headless Chromium per test process; `page` a fresh browser tab (its own cookies,
downloads accepted) per test. `screenshot(page, name)` keeps a picture of a page for the analyst
guide: under docs/img/ when CONVENANT_UPDATE_DOCS=1, else in the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from convenant.web.app import create_app
from convenant.web.config import WebConfig
from tests.paths import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DOCS_IMG = REPO_ROOT / "docs" / "img"


@dataclass
class Server:
    url: str
    config: WebConfig
    register: Path
    app: Any


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(config: WebConfig) -> tuple[Any, threading.Thread]:
    import uvicorn

    app = create_app(config)
    server = uvicorn.Server(
        uvicorn.Config(app, host=config.host, port=config.port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    return server, thread


def serving(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with its own register, for as long as the generator runs (a module's fixture);
    the rules directory is the one configured when it starts."""
    register = tmp_path_factory.mktemp("register") / "register.sqlite"
    config = WebConfig(port=_free_port(), register=str(register))
    running, thread = start_server(config)
    try:
        yield Server(f"http://127.0.0.1:{config.port}", config, register, running.config.app)
    finally:
        running.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        accept_downloads=True, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    try:
        yield tab
    finally:
        context.close()


def screenshot(page: Any, name: str, tmp_path: Path) -> Path:
    """A full-page picture of what the browser shows, for the analyst guide."""
    target = DOCS_IMG if os.environ.get("CONVENANT_UPDATE_DOCS") else tmp_path
    path = target / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
