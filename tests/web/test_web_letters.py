"""The letters page in a real browser, and `POST /api/v1/letters`: the Assen example's final
shares as letters, listed per municipality, previewed, and downloaded as a zip whose checksums hold
and whose amounts are those of `convenant evaluate --format json`."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from convenant.core.dates import dutch_date
from convenant.explain import report
from convenant.letters.acts import choose
from convenant.letters.letters import FORMATS, MANIFEST
from convenant.web.app import create_app
from convenant.web.config import WebConfig
from convenant.workflow.session import evaluate_file
from tests.paths import REPO_ROOT
from tests.web.conftest import Server, screenshot

ASSEN = REPO_ROOT / "examples" / "assen-2024.yaml"
GRONINGEN = REPO_ROOT / "examples" / "groningen-2022.yaml"
# "**U ontvangt van ons € 80.086,51**" / "**U betaalt ons € 1.234,56**": the outcome of a letter
OUTCOME = re.compile(r"\*\*U (ontvangt van ons|betaalt ons) €\s([\d.]+,\d\d)\*\*")


def _dutch(plain: str) -> str:
    """'80086.51' (the JSON's money) as a letter writes it: '80.086,51'."""
    euros, cents = plain.lstrip("-").split(".")
    return f"{int(euros):,}".replace(",", ".") + "," + cents


def test_dutch_amounts_are_written_as_the_letters_write_them() -> None:
    assert _dutch("80086.51") == "80.086,51" and _dutch("-1234567.05") == "1.234.567,05"


def _checked(data: bytes) -> dict[str, bytes]:
    """The zip's files, after every sha256 in brieven.sha256 is checked against its file."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    files = {name: archive.read(name) for name in archive.namelist()}
    listed = dict(
        reversed(line.split("  ", 1))
        for line in files.pop(MANIFEST).decode().splitlines()  # type: ignore[misc]
    )
    assert sorted(listed) == sorted(files)
    for name, data_ in files.items():
        assert hashlib.sha256(data_).hexdigest() == listed[name], name
    return files


def _expected_outcomes(path: Path, act: str) -> dict[str, tuple[str, str]]:
    """Per regiogemeente, what the JSON says it receives or pays in the act: (verb, amount)."""
    ev = evaluate_file(path)
    data = report.to_json(ev)
    states = set(ev.rules.acts[act].states)
    out = {}
    for code, member in data["municipalities"].items():
        if member["role"] == "centrumgemeente":
            continue
        for name, result in member["results"].items():
            if name in states and "direction" in result:
                verb = {"ontvangt": "ontvangt van ons", "betaalt": "betaalt ons"}[result["direction"]]
                out[code] = (verb, _dutch(result["value"]))
    return out


def test_the_letters_of_the_assen_example_download_as_a_zip_whose_amounts_are_the_json(
    server: Server, page: Any, tmp_path: Path
) -> None:
    page.set_default_timeout(90_000)  # every letter in every format, on a shared machine
    page.goto(f"{server.url}/brieven")
    page.set_input_files("#facts", str(ASSEN))
    [label] = [t for t in page.locator("#act option").all_inner_texts() if t.startswith("definitief aandeel")]
    page.select_option("#act", label=label)  # chosen by the name the analyst reads
    page.click("#maak-brieven")
    page.wait_for_selector("#brieven")
    ev = evaluate_file(ASSEN)
    when = choose(ev, "definitief_aandeel", None, "nl").when
    assert f"gedateerd {dutch_date(when, 'nl')}." in page.inner_text("main")  # as the letters say it
    listing = page.locator("#brieven").inner_text()
    for member in ev.parties.members:
        assert member.name in listing, member.name
    shown_sha = page.locator("#zip-sha256").inner_text().strip()

    with page.expect_download() as info:
        page.click("#download-zip")
    download = info.value
    assert download.suggested_filename == "brieven.zip"
    data = Path(download.path()).read_bytes()
    assert hashlib.sha256(data).hexdigest() == shown_sha
    files = _checked(data)
    stems = {name.split(".")[0] for name in files}
    assert len(stems) == len(ev.parties.members)
    for stem in stems:
        for fmt in FORMATS:
            assert f"{stem}.{fmt}" in files, (stem, fmt)
        assert files[f"{stem}.pdf"].startswith(b"%PDF") and files[f"{stem}.docx"].startswith(b"PK")

    expected = _expected_outcomes(ASSEN, "definitief_aandeel")
    assert len(expected) == len(ev.parties.members) - 1  # every regiogemeente settles
    for code, (verb, amount) in expected.items():
        [stem] = [s for s in stems if f"-{code}-" in s]
        said = OUTCOME.findall(files[f"{stem}.md"].decode())
        assert said == [(verb, amount)], (code, said)
        row = page.locator(f'#brieven tr[data-code="{code}"]').inner_text()
        assert amount in row and verb.split()[0] in row  # the listing says the same

    hoogeveen = page.locator('#brieven tr[data-code="GM0118"] a.preview')
    problems: list[str] = []
    with page.context.expect_page() as opened:
        hoogeveen.click()
    preview = opened.value
    preview.on("console", lambda m: problems.append(m.text))
    preview.wait_for_load_state()
    assert "Geacht college" in preview.inner_text("body")
    assert "Hoogeveen" in preview.inner_text("body")
    family = preview.evaluate("getComputedStyle(document.body).fontFamily")
    assert "DejaVu Serif" in family  # the letter's own <style> applies under its own policy
    preview.reload()
    assert not [p for p in problems if "Content Security Policy" in p], problems
    preview.close()
    screenshot(page, "brieven", tmp_path)


def test_a_letter_file_is_only_one_of_the_sets_own(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/brieven")
    page.select_option("#example", "assen-2024.yaml")
    page.check("#format-md")  # only the Markdown letters: quick, and the set has only their names
    page.click("#maak-brieven")
    page.wait_for_selector("#brieven")
    base = page.url
    links = page.locator("#brieven a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))")
    assert links and not [link for link in links if link.endswith((".pdf", ".docx", ".html"))], links
    response = page.goto(f"{base}/pyproject.toml")
    assert response is not None and response.status == 404
    assert "geen bestand pyproject.toml" in page.inner_text("main")
    response = page.goto(f"{base}/..%2F..%2Fpyproject.toml")
    assert response is not None and response.status == 404
    assert "[project]" not in page.content()
    response = page.goto(f"{server.url}/brieven/onbekend")
    assert response is not None and response.status == 404


def test_a_wrong_act_is_shown_as_the_commands_message(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/brieven")
    page.select_option("#example", "groningen-2022.yaml")
    page.select_option("#act", "definitief_aandeel")  # an act of Assen, not of Groningen
    page.click("#maak-brieven")
    problem = page.locator('.problem[data-code="letters.unknown_act"]')
    assert "mededeling" in problem.inner_text()  # it names the acts the rule file has


def _client() -> TestClient:
    return TestClient(create_app(WebConfig()), base_url="http://127.0.0.1:8765")


def test_the_api_gives_the_letters_as_a_zip_with_their_checksums() -> None:
    with _client() as client:
        response = client.post(
            "/api/v1/letters",
            params={"act": "mededeling", "format": ["md", "html"]},
            files={"facts": ("groningen-2022.yaml", GRONINGEN.read_bytes())},
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert "attachment" in response.headers["content-disposition"]
    files = _checked(response.content)
    assert {name.rsplit(".", 1)[1] for name in files} == {"md", "html"}  # and the .toelichting.md
    assert any(name.endswith(".toelichting.md") for name in files)


def test_the_api_refuses_bad_input_with_a_problem_document() -> None:
    with _client() as client:
        unknown_act = client.post(
            "/api/v1/letters", params={"act": "nope"}, files={"facts": ("g.yaml", GRONINGEN.read_bytes())}
        )
        unknown_format = client.post(
            "/api/v1/letters", params={"format": "odt"}, files={"facts": ("g.yaml", GRONINGEN.read_bytes())}
        )
        no_facts = client.post("/api/v1/letters", files={"other": ("x.txt", b"x")})
        broken = client.post("/api/v1/letters", files={"facts": ("kapot.yaml", b"covenant: [\n")})
        profile_kind = client.post(
            "/api/v1/letters",
            files={"facts": ("g.yaml", GRONINGEN.read_bytes()), "profile": ("p.txt", b"x")},
        )
    for response, status, code in (
        (unknown_act, 422, "letters.unknown_act"),
        (unknown_format, 422, "web.letters_format"),
        (no_facts, 422, "web.upload_missing"),
        (profile_kind, 415, "web.upload_kind"),
    ):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
    assert broken.status_code == 422 and broken.json()["problems"][0]["location"]["file"] == "kapot.yaml"


def test_the_letter_preview_alone_may_use_inline_style() -> None:
    with _client() as client:
        made = client.post(
            "/api/v1/letters", params={"format": "html"}, files={"facts": ("a.yaml", ASSEN.read_bytes())}
        )
        assert made.status_code == 200
        page = client.get("/brieven")
    assert "style-src 'self'" in page.headers["content-security-policy"]
    assert page.headers.get_list("content-security-policy") == [page.headers["content-security-policy"]]


def test_the_openapi_fragment_names_the_letters_endpoint() -> None:
    from convenant.web import letters_pages, openapi

    doc = openapi.document([letters_pages])
    post = doc["paths"]["/api/v1/letters"]["post"]
    assert "application/zip" in post["responses"]["200"]["content"]
    assert {p["name"] for p in post["parameters"]} == {"act", "date", "format"}
