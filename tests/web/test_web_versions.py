"""The versions page in a real browser, and its API: two versions of Assen side by side, the
changes per article in `convenant diff`'s sentences, and the effect of a fact file per municipality.

The bundled rules hold one version per covenant, so this module's server reads a temporary rules
directory: a copy of the bundled rules plus a version 1.7 of Assen made as a jurist makes it
(`convenant new-version`, then three numbers changed, as in the worked example of
docs/legal-staff.md). Every expected sentence and amount is computed here by the engine's own
functions (`diff.compare`, `diff_words`, `effect`), never written down by hand.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from convenant.check.checking import load_rule_file
from convenant.core.units import Kind
from convenant.web import app as web_app
from convenant.web import openapi, versions_pages
from convenant.web.app import create_app
from convenant.web.config import WebConfig
from convenant.workflow import diff_words, effect, newversion
from convenant.workflow.diff import compare
from tests.conftest import ASSEN_FACTS, RULES, replace_once
from tests.web.conftest import Server, screenshot, serving

BROKEN_FACTS = (
    "# yaml-language-server: $schema=../schemas/facts.schema.json\ncovenant: assen\nyear: twee\nfacts: {}\n"
)


def _two_versions(folder: Path) -> Path:
    rules = folder / "rules"
    shutil.copytree(RULES, rules)
    plan = newversion.plan(
        rules / "assen" / "2024-v1.6.yaml", "1.7", date(2025, 1, 1), None, date(2024, 11, 15)
    )
    newversion.write(plan)
    text = plan.new_path.read_text(encoding="utf-8")
    for old, new in (
        ("    value: 5\n    unit: percentage\n", "    value: 6\n    unit: percentage\n"),
        (
            "inwoneraantal in de verdeelsleutel\n    value: 50\n",
            "inwoneraantal in de verdeelsleutel\n    value: 60\n",
        ),
        (
            "per gemeente in de verdeelsleutel\n    value: 50\n",
            "per gemeente in de verdeelsleutel\n    value: 40\n",
        ),
    ):
        text = replace_once(text, old, new)
    plan.new_path.write_text(text, encoding="utf-8")
    return rules


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as patch:
        folder = _two_versions(tmp_path_factory.mktemp("versions"))
        patch.setenv("CONVENANT_RULES_DIR", str(folder))
        yield folder


@pytest.fixture(scope="module")
def server(rules_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from serving(tmp_path_factory)  # reads rules_dir: the fixture set CONVENANT_RULES_DIR


@pytest.fixture(scope="module")
def versions(rules_dir: Path) -> tuple[Any, Any]:
    return load_rule_file(rules_dir / "assen" / "2024-v1.6.yaml"), load_rule_file(
        rules_dir / "assen" / "2025-v1.7.yaml"
    )


@pytest.fixture
def client(rules_dir: Path) -> TestClient:
    return TestClient(create_app(WebConfig()), base_url="http://127.0.0.1:8765")


def _choose(page: Any, server: Server) -> None:
    page.goto(f"{server.url}/versies")
    page.select_option("#oud", "assen:1.6")
    page.select_option("#nieuw", "assen:1.7")
    page.click("form.choose-versions button[type=submit]")
    page.wait_for_selector("#vergelijking")


def _sentence(versions: tuple[Any, Any], name: str, lang: str) -> str:
    old, new = versions
    [change] = [c for c in compare(old, new) if c.section == "parameters" and c.name == name]
    return diff_words.Speaker(old, new, lang).sentence(change)


# --- in the browser ---------------------------------------------------------------------------


def test_two_versions_side_by_side_with_the_changes_per_article_and_their_effect(
    server: Server, page: Any, versions: tuple[Any, Any], tmp_path: Path
) -> None:
    _choose(page, server)
    assert page.locator(".version-old").inner_text() == "1.6"
    assert page.locator(".version-new").inner_text() == "1.7"
    article = page.locator("#artikel-8")
    assert article.locator("h3").inner_text().startswith("Artikel 8")
    row = article.locator("tr[data-name=percentage_uitvoeringsbudget_mo]")
    assert row.locator(".sentence").inner_text() == _sentence(
        versions, "percentage_uitvoeringsbudget_mo", "nl"
    )
    assert (row.locator(".old").inner_text(), row.locator(".new").inner_text()) == ("5 %", "6 %")
    weights = article.locator("tr[data-name=weging_inwoners]")
    assert (weights.locator(".old").inner_text(), weights.locator(".new").inner_text()) == ("50 %", "60 %")
    # the period of the new version: article 10, second paragraph
    assert "1 januari 2025 t/m 31 december 2025" in page.locator("#artikel-10").inner_text()

    page.set_input_files("#feiten", str(ASSEN_FACTS))
    page.click("form.effect-form button[type=submit]")
    page.wait_for_selector("#gevolgen")
    found = effect.effect(ASSEN_FACTS, *versions)
    [budget] = [r for r in found.region if r.member == "uitvoeringsbudget_mo"]
    region = page.locator("table.effect-region tr[data-rule=uitvoeringsbudget_mo]")
    # 6 % − 5 % of the same rijksuitkering: + € 62.834,17
    assert region.locator(".difference").inner_text() == effect.difference(
        Kind.MONEY, budget.old, budget.new, "nl"
    )
    exact = region.locator(".difference").get_attribute("data-exact")
    assert Fraction(exact) == Fraction(budget.new) - Fraction(budget.old) == Fraction(6283417, 100)
    [shares] = [t for t in found.tables if t.rule == "aandeel_resultaat_bw"]
    [hoogeveen] = [r for r in shares.rows if r.member == "GM0118"]
    assert hoogeveen.old != hoogeveen.new  # the weights moved Hoogeveen's share
    cells = page.locator("table.effect-table[data-rule=aandeel_resultaat_bw] tr[data-member=GM0118] td")
    assert [cells.nth(i).inner_text() for i in range(2, 5)] == [
        effect.shown(Kind.MONEY, hoogeveen.old, True, "nl"),
        effect.shown(Kind.MONEY, hoogeveen.new, True, "nl"),
        effect.difference(Kind.MONEY, hoogeveen.old, hoogeveen.new, "nl"),
    ]
    exact = cells.nth(4).get_attribute("data-exact")
    assert Fraction(exact) == Fraction(hoogeveen.new) - Fraction(hoogeveen.old)
    assert "2024 valt buiten de looptijd van de nieuwe versie 1.7" in page.locator("#gevolgen").inner_text()
    shot = screenshot(page, "versies", tmp_path)
    assert shot.stat().st_size > 10_000


def test_the_comparison_in_english_through_the_switch(
    server: Server, page: Any, versions: tuple[Any, Any]
) -> None:
    _choose(page, server)
    page.click("header .lang")
    page.wait_for_selector("#vergelijking")
    assert page.locator("h1").inner_text() == "Compare versions"
    row = page.locator("#artikel-8 tr[data-name=percentage_uitvoeringsbudget_mo] .sentence")
    assert row.inner_text() == _sentence(versions, "percentage_uitvoeringsbudget_mo", "en")
    assert "changed from 5 % to 6 %" in row.inner_text()


def test_a_refused_fact_file_shows_the_dutch_message_with_its_line(
    server: Server, page: Any, tmp_path: Path
) -> None:
    _choose(page, server)
    broken = tmp_path / "kapot.yaml"
    broken.write_text(BROKEN_FACTS, encoding="utf-8")
    page.set_input_files("#feiten", str(broken))
    page.click("form.effect-form button[type=submit]")
    problems = page.locator(".problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "de feiten uit kapot.yaml zijn niet door te rekenen met de oude versie" in text
    assert "kapot.yaml:3:7" in text
    assert any("3 | year: twee" in shown for shown in page.locator(".problems pre").all_text_contents())
    assert "convenant-web-" not in page.content()  # the upload's own name, never its temporary file
    assert page.locator("#vergelijking").count() == 1  # the comparison stays on the page


# --- the API and the page without a browser ---------------------------------------------------


def test_the_api_gives_the_json_of_convenant_diff(client: TestClient, versions: tuple[Any, Any]) -> None:
    old, new = versions
    response = client.get("/api/v1/versions/diff", params={"covenant": "assen", "old": "1.6", "new": "1.7"})
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(diff_words.to_json(old, new, compare(old, new), "nl")))
    by_sha = client.get(
        "/api/v1/versions/diff", params={"covenant": "assen", "old": old.sha256, "new": "1.7", "lang": "en"}
    )
    assert by_sha.status_code == 200 and by_sha.json()["old"]["version"] == "1.6"
    assert any("changed from 5 % to 6 %" in c["text"] for c in by_sha.json()["changes"])


def test_the_api_with_facts_adds_the_effect(client: TestClient, versions: tuple[Any, Any]) -> None:
    response = client.post(
        "/api/v1/versions/diff?covenant=assen&old=1.6&new=1.7",
        files={"facts": ("assen-2024.yaml", ASSEN_FACTS.read_bytes())},
    )
    assert response.status_code == 200
    expected = effect.to_json(effect.effect(ASSEN_FACTS, *versions, "assen-2024.yaml"), "nl")
    assert response.json()["effect"] == json.loads(json.dumps(expected))
    # 6 % × € 6.283.417,00 − 5 % × € 6.283.417,00 = € 62.834,17
    assert response.json()["effect"]["region"]["uitvoeringsbudget_mo"]["difference"] == "62834.17"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"covenant": "assen", "old": "1.6", "new": "9.9"}, 404, "web.version_not_found"),
        ({"covenant": "drenthe", "old": "1.6", "new": "1.7"}, 404, "registry.unknown_covenant"),
        ({"covenant": "assen", "old": "1.6"}, 400, "web.versions_incomplete"),
        ({"covenant": "assen", "old": "../../etc/passwd", "new": "1.7"}, 404, "web.version_not_found"),
    ],
)
def test_the_api_refuses_with_a_problem_document(
    client: TestClient, params: dict[str, str], status: int, code: str
) -> None:
    response = client.get("/api/v1/versions/diff", params=params)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_the_api_refuses_a_fact_file_with_the_line_of_the_upload(client: TestClient) -> None:
    response = client.post(
        "/api/v1/versions/diff?covenant=assen&old=1.6&new=1.7",
        files={"facts": ("kapot.yaml", BROKEN_FACTS.encode())},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "diff.facts_failed"
    [year] = [p for p in body["problems"] if p["field"] == "year"]
    assert year["location"]["text"] == "kapot.yaml:3:7"
    assert "year: twee" in year["rendered"]


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/versies",
        data={"oud": "assen:1.6", "nieuw": "assen:1.7"},
        files={"feiten": ("assen-2024.yaml", ASSEN_FACTS.read_bytes())},
    )
    assert response.status_code == 403
    assert "Het formulier is verlopen" in response.text


def test_the_page_says_so_when_every_covenant_has_one_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONVENANT_RULES_DIR", raising=False)  # the bundled rules
    client = TestClient(create_app(WebConfig()), base_url="http://127.0.0.1:8765")
    response = client.get("/versies")
    assert response.status_code == 200
    assert "heeft elk convenant maar één versie" in response.text
    assert 'id="oud"' not in response.text
    assert re.search(r"<td>[^<]*— 1\.6</td>", response.text)  # Assen's one version is listed


def test_the_openapi_document_describes_the_versions_api() -> None:
    document = openapi.document(web_app.AREAS)
    item = document["paths"]["/api/v1/versions/diff"]
    assert set(item) == {"get", "post"}
    assert {p["name"] for p in item["get"]["parameters"]} >= {"covenant", "old", "new"}
    refs = re.findall(r'"#/components/(\w+)/(\w+)"', json.dumps(versions_pages.OPENAPI))
    assert refs and all(name in document["components"][kind] for kind, name in refs)
