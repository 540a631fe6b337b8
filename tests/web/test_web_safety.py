"""The server under hostile input: a 2 GB upload, a body without length that never ends, a YAML
bomb, files of the wrong kind, paths in file names, other hosts and sites, no token. Each is
answered with a problem document (or a refusing page), quickly, and nothing is recorded."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from convenant.cli.cli import cli
from convenant.core.diagnostics import UsageRefusal
from convenant.core.paths import EXAMPLES_DIR
from convenant.web import security
from convenant.web.app import create_app
from convenant.web.config import TOKEN_ENV, WebConfig, checked
from tests.web.conftest import Server, _free_port, start_server
from tests.web.fakes import RecordingRecorder

BASE = "http://127.0.0.1:8765"
GIB = 1024**3
TOKEN = "t" * 40
PACKAGE = Path(security.__file__).parent


@pytest.fixture
def app() -> Any:
    return create_app(WebConfig())


@pytest.fixture
def recorder(app: Any) -> RecordingRecorder:
    fake = RecordingRecorder()
    app.app.state.recorder = fake
    return fake


@pytest.fixture
def client(app: Any, recorder: RecordingRecorder) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def rss_kib() -> int:
    """This process's resident memory (the test server runs in one of its threads)."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1])  # type: ignore[index]


def exchange(url: str, head: str, chunks: Iterator[bytes]) -> tuple[int, bytes, int]:
    """Send a request by hand (its head, then the chunks until the server answers or stops
    reading); the status, the answer and how many body bytes were sent."""
    host, port = url.removeprefix("http://").split(":")
    sent = 0
    with socket.create_connection((host, int(port)), timeout=20) as s:
        s.sendall(head.encode("latin-1"))
        s.settimeout(0.05)
        answer = b""
        try:
            for chunk in chunks:
                try:
                    got = s.recv(65536)
                    if got:
                        answer += got
                        break
                except TimeoutError:
                    pass
                s.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.settimeout(20)
        try:
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                got = s.recv(65536)
                if not got:
                    break
                answer += got
        except (ConnectionResetError, TimeoutError):
            pass
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return status, answer.partition(b"\r\n\r\n")[2], sent


def megabytes(total: int) -> Iterator[bytes]:
    block = b"x" * (1024 * 1024)
    for _ in range(total):
        yield block


def chunked(blocks: Iterator[bytes]) -> Iterator[bytes]:
    for block in blocks:
        yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
    yield b"0\r\n\r\n"


# --- size ---------------------------------------------------------------------------------------


def test_a_2_gib_upload_is_refused_with_413_before_it_is_read(server: Server) -> None:
    before, started = rss_kib(), time.monotonic()
    head = (
        "POST /api/v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n"
        f"Content-Length: {2 * GIB}\r\n\r\n"
    )
    status, body, sent = exchange(server.url, head, megabytes(2048))
    assert status == 413, body
    assert b'"code":"web.body_too_large"' in body.replace(b" ", b"")
    assert sent < 64 * 1024 * 1024  # the answer came long before the body: at most a few blocks were sent
    assert time.monotonic() - started < 10
    assert rss_kib() - before < 50 * 1024


@pytest.mark.parametrize("kind", ["application/yaml", "multipart/form-data; boundary=grens"])
def test_a_body_without_length_is_refused_with_413_once_it_passes_the_limit(
    server: Server, kind: str
) -> None:
    before = rss_kib()
    head = (
        f"POST /api/v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {kind}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )

    def body() -> Iterator[bytes]:
        if kind.startswith("multipart"):
            yield (
                b'--grens\r\nContent-Disposition: form-data; name="facts"; filename="f.yaml"\r\n'
                b"Content-Type: application/yaml\r\n\r\n"
            )
        yield from megabytes(64)

    status, answer, sent = exchange(server.url, head, chunked(body()))
    assert status == 413, answer
    assert b"web.body_too_large" in answer
    assert sent < 40 * 1024 * 1024  # refused once the limit (8 MiB) was passed, not at the end
    assert rss_kib() - before < 80 * 1024


# --- hostile fact files -------------------------------------------------------------------------

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
NESTED = "covenant: assen\nyear: 2024\nfacts:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(150))
FLOW = "[" * 50_000 + "]" * 50_000


@pytest.mark.parametrize(
    ("text", "code"),
    [(LAUGHS, "yaml.anchor"), (NESTED, None), (FLOW, "yaml.syntax")],
    ids=["billion-laughs", "nested-150", "flow-50000"],
)
def test_a_yaml_bomb_is_a_quick_422_problem_with_the_cli_s_code(
    client: TestClient, recorder: RecordingRecorder, run: Any, tmp_path: Path, text: str, code: str | None
) -> None:
    (tmp_path / "bom.yaml").write_text(text, encoding="utf-8")
    refused = run("--lang", "nl", "evaluate", str(tmp_path / "bom.yaml"))
    assert refused.exit_code == 1
    started = time.monotonic()
    response = client.post("/api/v1/evaluate", files={"facts": ("bom.yaml", text.encode())})
    assert time.monotonic() - started < 5
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == (code or problem["code"])
    cli_message = problem["problems"][0]["message"]
    assert cli_message in refused.stderr  # the command line's own words
    assert recorder.calls == []


def test_an_unknown_covenant_is_refused_and_nothing_recorded(
    client: TestClient, recorder: RecordingRecorder
) -> None:
    text = (
        (EXAMPLES_DIR / "assen-2024.yaml")
        .read_text(encoding="utf-8")
        .replace("covenant: assen", "covenant: x")
    )
    response = client.post("/api/v1/evaluate", files={"facts": ("f.yaml", text.encode())})
    assert response.status_code == 422 and response.json()["code"] == "registry.unknown_covenant"
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", 415, "web.upload_kind"),
        ("feiten.yaml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", 415, "web.upload_content"),
        ("feiten.yaml", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", 415, "web.upload_content"),
        ("feiten.xlsx", b"covenant: assen\n", 415, "web.upload_content"),
        ("feiten.yaml", b"", 422, "web.upload_empty"),
    ],
    ids=["exe", "pdf-named-yaml", "program-named-yaml", "xlsx-not-a-zip", "empty"],
)
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_recorded(
    client: TestClient, recorder: RecordingRecorder, name: str, data: bytes, status: int, code: str
) -> None:
    response = client.post("/api/v1/evaluate", files={"facts": (name, data)})
    assert response.status_code == status and response.json()["code"] == code
    assert response.headers["content-type"] == "application/problem+json"
    assert recorder.calls == []


def test_the_recorder_is_called_for_facts_it_accepts(client: TestClient, recorder: RecordingRecorder) -> None:
    """The fake is wired where the register is: the refusals above would have shown in it."""
    assert client.post("/api/v1/evaluate?example=assen-2024.yaml").status_code == 200
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini", "C:\\x\\f.yaml"]
)
def test_a_path_in_the_file_name_never_reaches_the_file_system(client: TestClient, name: str) -> None:
    response = client.post("/api/v1/evaluate", files={"facts": (name, b"covenant: assen\nyear: 2024\n")})
    assert response.status_code in (415, 422)
    last = re.split(r"[\\/]", name)[-1]
    assert last in response.text
    assert "etc/" not in response.text and "windows" not in response.text.replace(last, "")


def test_a_file_named_as_a_file_on_the_server_is_read_from_the_upload_only(client: TestClient) -> None:
    """An upload named by the full path of the Assen example, holding a broken fact file: the
    server evaluates what was uploaded, never the file of that name."""
    named = str(EXAMPLES_DIR / "assen-2024.yaml")
    response = client.post("/api/v1/evaluate", files={"facts": (named, b"covenant: assen\nyear: 2024\n")})
    assert response.status_code == 422
    assert response.json()["problems"][0]["location"]["file"] == "assen-2024.yaml"
    assert str(EXAMPLES_DIR) not in response.text


# --- hosts, sites, forms, tokens ----------------------------------------------------------------


def test_another_host_is_400(client: TestClient) -> None:
    response = client.get("/api/v1/covenants", headers={"host": "evil.example"})
    assert response.status_code == 400 and response.json()["code"] == "web.wrong_host"


def test_a_cross_site_post_to_the_api_is_403(client: TestClient, recorder: RecordingRecorder) -> None:
    response = client.post(
        "/api/v1/evaluate?example=assen-2024.yaml", headers={"sec-fetch-site": "cross-site"}
    )
    assert response.status_code == 403 and response.json()["code"] == "web.cross_site"
    assert recorder.calls == []


def test_a_form_posted_without_its_csrf_token_is_a_403_page(client: TestClient) -> None:
    response = client.post("/login", data={"token": TOKEN})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Het formulier is verlopen" in response.text


def test_listening_on_the_network_without_a_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageRefusal) as refused:
        checked(WebConfig(host="0.0.0.0"))
    assert refused.value.problems[0].code == "web.token_needed"
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--port", str(_free_port())])
    assert result.exit_code == 2
    assert "geen toegangssleutel ingesteld" in result.stderr and "0.0.0.0" in result.stderr


def test_with_a_token_the_api_needs_the_bearer() -> None:
    app = create_app(WebConfig(token=TOKEN))
    with TestClient(app, base_url=BASE) as c:
        refused = c.get("/api/v1/covenants")
        assert refused.status_code == 403 and refused.json()["code"] == "web.token_missing"
        wrong = c.get("/api/v1/covenants", headers={"authorization": "Bearer " + "u" * 40})
        assert wrong.status_code == 403
        allowed = c.get("/api/v1/covenants", headers={"authorization": f"Bearer {TOKEN}"})
        assert allowed.status_code == 200
        page = c.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login"


def test_logging_in_through_the_form_sets_the_cookie(page: Any) -> None:
    config = WebConfig(port=_free_port(), token=TOKEN)
    running, thread = start_server(config)
    url = f"http://127.0.0.1:{config.port}"
    try:
        page.goto(f"{url}/")
        assert page.url.endswith("/login")
        page.fill("input[name=token]", "wrong" * 8)
        page.click("form button[type=submit], form input[type=submit]")
        assert "niet juist" in page.inner_text("main")
        page.fill("input[name=token]", TOKEN)
        page.click("form button[type=submit], form input[type=submit]")
        page.wait_for_url(f"{url}/")
        assert page.locator("#convenant-assen").count() == 1
        cookies = {c["name"]: c for c in page.context.cookies()}
        assert (
            cookies[security.TOKEN_COOKIE]["httpOnly"]
            and TOKEN not in cookies[security.TOKEN_COOKIE]["value"]
        )
        answer = page.context.request.get(f"{url}/api/v1/covenants")  # the same browser, by its cookie
        assert answer.status == 200
    finally:
        running.should_exit = True
        thread.join(timeout=10)


# --- headers and what the pages load ------------------------------------------------------------


def test_every_response_carries_the_content_security_policy(client: TestClient) -> None:
    answers = [
        client.get("/"),
        client.get("/static/style.css"),
        client.get("/api/v1/covenants"),
        client.get("/api/v1/openapi.json"),
        client.get("/nergens"),
        client.get("/api/v1/nergens"),
        client.get("/api/v1/evaluate"),
        client.post("/api/v1/evaluate", files={"facts": ("x.exe", b"MZ")}),
        client.post("/api/v1/evaluate?example=assen-2024.yaml"),
        client.get("/", headers={"host": "evil.example"}),
        client.post(
            "/api/v1/evaluate", content=b"x" * (9 * 1024 * 1024), headers={"content-type": "application/yaml"}
        ),
    ]
    assert {a.status_code for a in answers} >= {200, 400, 404, 405, 413, 415}
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy, answer.url
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_no_template_or_static_file_names_anything_outside_the_server() -> None:
    files = [p for p in (PACKAGE / "templates").rglob("*") if p.is_file()]
    files += [p for p in (PACKAGE / "static").rglob("*") if p.is_file()]
    assert len(files) >= 5
    outside = re.compile(
        r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(\s*['\"]?(https?:|//)", re.IGNORECASE
    )
    for path in files:
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        assert not outside.search(code), path.name
        assert "<script>" not in text and " style=" not in text and " onclick=" not in text.lower(), path.name


def test_the_real_register_stores_nothing_of_refused_input(server: Server) -> None:
    """Against the running server and its own register: a 2 GiB body, a YAML bomb, an unknown
    covenant and a file of the wrong kind leave every table of the register as it was; one
    accepted evaluation then adds exactly one run (so the counting would have seen the others)."""
    import httpx

    from convenant.register.store import Register

    register = Register.open(str(server.register))
    before = register.counts()
    head = (
        "POST /api/v1/evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n"
        f"Content-Length: {2 * GIB}\r\n\r\n"
    )
    assert exchange(server.url, head, megabytes(2048))[0] == 413
    unknown = (
        (EXAMPLES_DIR / "assen-2024.yaml")
        .read_text(encoding="utf-8")
        .replace("covenant: assen", "covenant: x")
    )
    for name, data, status in (
        ("bom.yaml", LAUGHS.encode(), 422),
        ("f.yaml", unknown.encode(), 422),
        ("setup.exe", b"MZ\x90\x00", 415),
    ):
        answer = httpx.post(f"{server.url}/api/v1/evaluate", files={"facts": (name, data)}, timeout=60)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert register.counts() == before
    accepted = httpx.post(f"{server.url}/api/v1/evaluate?example=assen-2024.yaml", timeout=60)
    assert accepted.status_code == 200 and accepted.headers.get("convenant-run")
    assert register.counts()["runs"] == before["runs"] + 1
