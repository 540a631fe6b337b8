"""The register's pages in a real browser: a letters run recorded through the application's
recorder is found by its kenmerk, opened, and made again byte-identical; and the whole way an
analyst goes: letters made on the letters page (real facts, an uploaded sender profile and Word
template), found in the register by a kenmerk read off the letters page, made again identical."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from convenant.letters import letterform
from convenant.letters.acts import choose
from convenant.letters.profile import for_letters
from convenant.web.runs import LetterOptions, evaluate_upload, example, make_letters
from tests.paths import REPO_ROOT
from tests.web.conftest import screenshot


def _hoogeveen_kenmerk() -> str:
    """The kenmerk of Hoogeveen's letter of the Assen example, as the engine gives it."""
    ev = evaluate_upload(example("assen-2024.yaml"))
    chosen = choose(ev, None, None, "nl")
    found = [
        made.document.page.kenmerk
        for made in letterform.documents(chosen, for_letters(ev), "nl", None)
        if made.code == "GM0118"
    ]
    assert len(found) == 1 and found[0].startswith("assen/2024/definitief-aandeel/GM0118/")
    return str(found[0])


EXAMPLES = REPO_ROOT / "examples"


def _recorded(server: Any) -> str:
    """The Assen example's letters made and recorded as the letters page does (the app's recorder)."""
    upload = example("assen-2024.yaml")
    ev = evaluate_upload(upload)
    options = LetterOptions(formats=("md",))
    files = make_letters(ev, options, "nl")
    run_id = server.app.app.state.recorder.letters(upload, ev, options, files, "nl")
    assert server.register.is_file() and run_id
    return str(run_id)


def test_the_api_finds_and_reproduces(server: Any) -> None:
    import httpx

    _recorded(server)
    hoogeveen = _hoogeveen_kenmerk()
    found = httpx.get(f"{server.url}/api/v1/register", params={"kenmerk": hoogeveen}, timeout=30)
    assert found.status_code == 200 and found.json()["runs"][0]["kenmerken"][1] == hoogeveen
    one = httpx.get(f"{server.url}/api/v1/register/kenmerk/{hoogeveen}", timeout=30)
    assert one.status_code == 200 and one.json()["covenant"] == "assen"
    again = httpx.post(f"{server.url}/api/v1/reproduce/{hoogeveen}", timeout=120)
    assert again.status_code == 200 and again.json()["identical"] is True
    unknown = httpx.get(f"{server.url}/api/v1/register/kenmerk/assen/0/x", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["code"] == "register.unknown_kenmerk"


def test_letters_made_on_the_page_with_an_uploaded_profile_are_made_again_from_the_register(
    server: Any, page: Any, tmp_path: Path
) -> None:
    facts = tmp_path / "assen-echt.yaml"  # real facts: they need the sender's own profile
    facts.write_text(
        (EXAMPLES / "assen-2024.yaml")
        .read_text(encoding="utf-8")
        .replace("illustrative: true", "illustrative: false"),
        encoding="utf-8",
    )
    profile = tmp_path / "afzender-gemeente-assen.yaml"
    profile.write_bytes((EXAMPLES / "afzender-assen.yaml").read_bytes())
    template = tmp_path / "huisstijl-assen.docx"
    template.write_bytes((REPO_ROOT / "engine" / "render" / "templates" / "letter.docx").read_bytes())

    page.goto(f"{server.url}/brieven")
    page.set_input_files("#facts", str(facts))
    page.set_input_files("#profile", str(profile))
    page.set_input_files("#docx_template", str(template))
    page.check("#format-docx")  # the letters the uploads shape; the PDF's identity: tests/test_register.py
    page.check("#format-md")
    page.click("#maak-brieven")
    row = page.locator('#brieven tr[data-code="GM0118"]')
    kenmerk = row.locator("code").first.inner_text().strip()
    assert kenmerk.startswith("assen/2024/") and "/GM0118/" in kenmerk

    page.goto(f"{server.url}/register")
    page.fill("#kenmerk", kenmerk)
    page.click("button[type=submit]")
    runs = page.locator("table.runs")
    assert kenmerk in runs.inner_text()
    runs.locator("a[href^='/register/']").first.click()
    inputs = page.inner_text("table.inputs")
    assert "afzender-gemeente-assen.yaml" in inputs and "huisstijl-assen.docx" in inputs
    page.click("#opnieuw")
    page.wait_for_selector("#uitkomst", timeout=60_000)
    result = page.inner_text("#uitkomst")
    assert "Alle brieven zijn byte-identiek" in result, result
    assert "NIET" not in result and result.count("byte-identiek") == 1 + 9  # the summary, each letter
    screenshot(page, "register", tmp_path)
