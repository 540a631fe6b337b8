"""The evaluate pages in a real browser: upload a fact file (YAML or the Excel workbook of
`convenant template`) or start from an example, read the results per municipality, click an amount
for its explanation; a fact file the engine refuses shows the CLI's Dutch messages with their line
or cell, on the form itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from convenant.explain import report
from convenant.source.loading import load_document
from convenant.workflow.session import evaluate_file
from tests.paths import REPO_ROOT
from tests.test_excel_facts import cell_of, fill, template_for
from tests.web.conftest import Server, screenshot

ASSEN = REPO_ROOT / "examples" / "assen-2024.yaml"
HOOGEVEEN = "GM0118"


def dutch_euros(text: str) -> str:
    """An amount of the JSON output ("80086.51") as `convenant evaluate` prints it: € with a no-break
    space, points between thousands, a comma before the cents. Worked by hand for Hoogeveen:
    "80086.51" → whole 80086 → "80.086", cents "51" → "€ 80.086,51"."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, cents = digits.split(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    return f"€\u00a0{sign}{'.'.join([whole, *groups])},{cents}"


def test_the_hand_worked_amounts() -> None:
    assert dutch_euros("80086.51") == "€\u00a080.086,51"
    assert dutch_euros("1234567.00") == "€\u00a01.234.567,00"
    assert dutch_euros("-0.05") == "€\u00a0-0,05"


@pytest.fixture(scope="module")
def hoogeveen() -> str:
    """Hoogeveen's share as `convenant evaluate examples/assen-2024.yaml` prints it, from the JSON."""
    data = report.to_json(evaluate_file(ASSEN), "nl")
    share = data["municipalities"][HOOGEVEEN]["results"]["aandeel_resultaat_bw"]
    assert share["direction"] == "ontvangt"
    return f"ontvangt {dutch_euros(share['value'])}"


def _upload(page: Any, server: Server, path: Path | None = None, **file: Any) -> None:
    page.goto(f"{server.url}/doorrekenen")
    page.set_input_files("#facts", str(path) if path else file)
    page.click("#upload-form button[type=submit]")
    page.wait_for_load_state()


def test_upload_the_assen_example_read_hoogeveens_share_and_its_explanation(
    server: Server, page: Any, tmp_path: Path, hoogeveen: str, run: Any
) -> None:
    assert hoogeveen in run("evaluate", str(ASSEN)).stdout  # the very string the command prints
    _upload(page, server, ASSEN)
    assert re.fullmatch(rf"{re.escape(server.url)}/doorrekenen/[\w-]+", page.url), page.url
    assert page.locator("h1").inner_text() == "Uitkomsten Regio Assen 2024"
    headline = page.locator("dl.headline").inner_text()
    assert "rules/assen/2024-v1.6.yaml" in headline and "assen-2024.yaml" in headline
    assert report.to_json(evaluate_file(ASSEN))["covenant"]["sha256"] in headline
    assert "illustratief" in headline
    row = page.locator(f"#gemeente-{HOOGEVEEN}")
    assert "Hoogeveen" in row.inner_text()
    share = row.locator("a.explain").nth(1)
    assert share.inner_text() == hoogeveen
    assert "uiterlijk 30 juni 2025" in row.inner_text()
    screenshot(page, "doorrekenen", tmp_path)
    share.click()
    page.wait_for_load_state()
    text = page.locator("article.explanation").inner_text()
    assert "artikel 8, vijfde lid" in text
    assert "Hoogeveen" in text and "80.086,51" in text
    screenshot(page, "uitleg", tmp_path)
    page.click("text=De hele uitleg van Hoogeveen")
    whole = page.locator("article.explanation").inner_text()
    assert "Verdeelsleutel voor het resultaat beschermd wonen" in whole
    assert "feit uit assen-2024.yaml, regel" in whole  # an input's source: the upload's own line


def test_a_yaml_syntax_error_shows_the_message_with_its_line(
    server: Server, page: Any, tmp_path: Path
) -> None:
    lines = ASSEN.read_text(encoding="utf-8").splitlines()
    lines[4] = "covenant: assen: x"  # line 5
    _upload(page, server, name="kapot.yaml", mimeType="application/yaml", buffer="\n".join(lines).encode())
    problems = page.locator(".problems")
    text = problems.inner_text()
    assert "Het feitenbestand kapot.yaml is niet doorgerekend" in text
    assert "het bestand is geen geldige YAML" in text
    assert "kapot.yaml:5:16" in text
    excerpt = problems.locator("pre.excerpt").inner_text()
    assert excerpt.splitlines() == ["5 | covenant: assen: x", "  |                ^"]
    assert "Gekozen bestand: kapot.yaml" in page.locator("#upload-form").inner_text()
    screenshot(page, "fout", tmp_path)


def test_a_wrong_amount_and_an_unknown_fact_are_named_with_their_lines(server: Server, page: Any) -> None:
    text = ASSEN.read_text(encoding="utf-8")
    text = text.replace(
        "toegemoetkoming_regiogemeenten: 150000.00", "toegemoetkoming_regiogemeenten: 150.000"
    )
    text = text.replace("  uitgaven_mo:", "  uitgaaf_mo:")

    def posted_form(response: Any) -> bool:
        return bool(response.url.endswith("/doorrekenen") and response.request.method == "POST")

    with page.expect_response(posted_form) as posted:  # the refusal is a 422 page
        _upload(page, server, name="feiten.yaml", mimeType="application/yaml", buffer=text.encode())
    assert posted.value.status == 422
    problems = page.locator("article.problem")
    shown = {p.get_attribute("data-code"): p.inner_text() for p in problems.all()}
    amount = next(t for t in shown.values() if "150.000" in t)
    assert "heeft drie decimalen; een punt als duizendtalscheiding?" in amount
    assert "feiten.yaml:17:35" in amount and "17 |   toegemoetkoming_regiogemeenten: 150.000" in amount
    assert "artikel 8, negende lid" in amount
    unknown = next(t for t in shown.values() if "uitgaaf_mo" in t and "kent het regelbestand" in t)
    assert "feiten.yaml:19:3" in unknown and "Bedoelt u ‘uitgaven_mo’?" in unknown


def test_an_excel_workbook_is_evaluated_and_a_wrong_cell_is_named(
    server: Server, page: Any, tmp_path: Path, run: Any, hoogeveen: str
) -> None:
    workbook = template_for(run, tmp_path, "assen", 2024, "feiten-assen.xlsx")
    fill(workbook, load_document(ASSEN, str(ASSEN)).data)
    _upload(page, server, workbook)
    assert page.locator(f"#gemeente-{HOOGEVEEN} a.explain").nth(1).inner_text() == hoogeveen
    book = openpyxl.load_workbook(workbook)
    cell_of(book, "toegemoetkoming_regiogemeenten").value = "150.000"  # typed as text
    book.save(workbook)
    _upload(page, server, workbook)
    text = page.locator(".problems").inner_text()
    assert "feiten-assen.xlsx, blad Feiten, cel D15" in text
    assert "heeft drie decimalen" in text


def test_the_pages_in_english_through_the_switch(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/doorrekenen")
    page.click("header .lang")
    assert page.locator("h1").inner_text() == "Evaluate"
    page.select_option("#example", "assen-2024.yaml")
    page.click("#example-form button[type=submit]")
    assert page.locator("h1").inner_text() == "Results Regio Assen 2024"
    share = page.locator(f"#gemeente-{HOOGEVEEN} a.explain").nth(1).inner_text()
    assert share == "receives €80,086.51"
    page.locator(f"#gemeente-{HOOGEVEEN} a.explain").nth(1).click()
    assert "Back to the results" in page.locator(".crumbs").inner_text()


def test_start_from_an_example_and_an_unknown_run(server: Server, page: Any, hoogeveen: str) -> None:
    page.goto(f"{server.url}/doorrekenen")
    assert page.locator("#example option").all_inner_texts() == [
        "assen-2024.yaml",
        "groningen-2022.yaml",
        "groningen-2023.yaml",
    ]
    page.click("#example-form button[type=submit]")  # the first example is chosen
    assert page.locator(f"#gemeente-{HOOGEVEEN} a.explain").nth(1).inner_text() == hoogeveen
    page.goto(f"{server.url}/doorrekenen")
    page.select_option("#example", "groningen-2022.yaml")
    page.click("#example-form button[type=submit]")
    assert "Groningen" in page.locator("h1").inner_text()
    member = page.locator("table.member").first
    member.locator("a.explain").first.click()
    assert "artikel" in page.locator("article.explanation").inner_text()
    response = page.goto(f"{server.url}/doorrekenen/onbekend")
    assert response is not None and response.status == 404
    assert "Deze doorrekening is niet (meer) bekend bij de server" in page.locator("main").inner_text()


def _client() -> Any:
    from starlette.testclient import TestClient

    from convenant.web.app import create_app
    from convenant.web.config import WebConfig

    return TestClient(
        create_app(WebConfig()), base_url="http://127.0.0.1:8765", raise_server_exceptions=False
    )


def _csrf(client: Any) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/doorrekenen").text)
    assert found is not None
    return found[1]


def test_a_form_without_its_token_is_refused_and_a_bug_is_a_short_page(monkeypatch: Any) -> None:
    from convenant.web import runs

    client = _client()
    refused = client.post("/doorrekenen", data={"example": "assen-2024.yaml"})
    assert refused.status_code == 403
    assert "Het formulier is verlopen of komt niet van deze server" in refused.text

    def broken(upload: Any) -> Any:
        raise RuntimeError("/srv/secret/path went wrong")

    monkeypatch.setattr(runs, "evaluate_upload", broken)
    failed = client.post("/doorrekenen", data={"csrf": _csrf(client), "example": "assen-2024.yaml"})
    assert failed.status_code == 500
    assert "Doorrekenen is niet gelukt" in failed.text
    assert "secret" not in failed.text and "Traceback" not in failed.text


def test_an_unknown_example_or_result_is_a_404_page_and_nothing_is_read_by_name() -> None:
    client = _client()
    token = _csrf(client)
    unknown = client.post("/doorrekenen", data={"csrf": token, "example": "../../etc/passwd"})
    assert unknown.status_code == 404 and "Er is geen voorbeeld" in unknown.text
    done = client.post(
        "/doorrekenen", data={"csrf": token, "example": "assen-2024.yaml"}, follow_redirects=False
    )
    assert done.status_code == 303
    run = done.headers["location"]
    assert client.get(f"{run}/uitleg/GM0118/geen_regel").status_code == 404
    assert client.get(f"{run}/uitleg/GM9999").status_code == 404
    assert client.get(f"{run}/uitkomst/resultaat_bw").status_code == 200
    data = client.get(f"{run}/evaluate.json").json()
    assert data == report.to_json(evaluate_file(ASSEN)) | {
        "facts": data["facts"],
        "covenant": data["covenant"],
    }
    assert data["facts"]["path"] == "assen-2024.yaml"


def test_the_analysts_guide_shows_the_evaluate_pages() -> None:
    guide = (REPO_ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    assert "## De webtoepassing: doorrekenen en uitleg" in guide
    for name in ("doorrekenen", "uitleg", "fout"):
        assert f"](img/web-{name}.png)" in guide
        assert (REPO_ROOT / "docs" / "img" / f"web-{name}.png").stat().st_size > 10_000
