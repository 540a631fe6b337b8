"""The HTTP API (engine/web/api.py): every endpoint answers as its command does, byte for byte, and
refuses as the command refuses, with the same message codes, as RFC 9457 problem documents."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from convenant.core.paths import BUNDLED_RULES_DIR, EXAMPLES_DIR
from convenant.web import api, runs
from convenant.web.app import AREAS, create_app
from convenant.web.config import WebConfig
from tests.web.fakes import RecordingRecorder

BASE = "http://127.0.0.1:8765"
EXAMPLES = ["assen-2024.yaml", "groningen-2022.yaml", "groningen-2023.yaml"]


@pytest.fixture
def app() -> Any:
    return create_app(WebConfig())


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def recorder(app: Any) -> RecordingRecorder:
    fake = RecordingRecorder()
    app.app.state.recorder = fake  # app is the guard; .app the Starlette application behind it
    return fake


def cli_json(run: Any, *args: str) -> Any:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def upload(name: str, data: bytes | None = None) -> dict[str, Any]:
    return {"facts": (name, (EXAMPLES_DIR / name).read_bytes() if data is None else data)}


# --- the OpenAPI document ------------------------------------------------------------------------


def test_the_openapi_document_describes_every_api_route_and_nothing_else(
    client: TestClient, app: Any
) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0" and doc["info"]["title"] == "convenant"
    served = {  # a route's convertor ({kenmerk:path}: a kenmerk holds slashes) is no part of its URL
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower())
        for route in app.app.routes
        if isinstance(route, Route) and route.path.startswith("/api/v1/")
        for method in route.methods or ()
        if method != "HEAD"
    }
    described = {(path, method) for path, item in doc["paths"].items() for method in item}
    assert served == described
    # every operation names its responses; every $ref points at something in the document
    text = json.dumps(doc)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        node: Any = doc
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]
    operations = [op for item in doc["paths"].values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    assert all(
        any(code.startswith("2") for code in op["responses"]) and "500" in op["responses"]
        for op in operations
    )


def test_the_schemas_of_the_openapi_document_are_json_schema_2020_12(client: TestClient) -> None:
    """OpenAPI 3.1's schemas are JSON Schema 2020-12: each is checked against its meta-schema (the
    OpenAPI meta-schema itself is not a dependency of the project)."""
    doc = client.get("/api/v1/openapi.json").json()
    schemas = [doc["components"]["schemas"]["Problem"]]
    for item in doc["paths"].values():
        for op in item.values():
            schemas += [p["schema"] for p in op.get("parameters", [])]
            for media in op.get("requestBody", {}).get("content", {}).values():
                schemas.append(media["schema"])
            for answer in op["responses"].values():
                for media in answer.get("content", {}).values():
                    schemas += [media["schema"]] if "schema" in media else []
    assert len(schemas) > 10
    for schema in schemas:
        jsonschema.Draft202012Validator.check_schema(schema)


def test_a_problem_document_matches_the_problem_schema(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    problem = client.get("/api/v1/covenants/nergens/versions").json()
    jsonschema.validate(problem, doc["components"]["schemas"]["Problem"])


def test_every_area_with_api_paths_is_in_the_application() -> None:
    assert api in AREAS


# --- covenants and versions --------------------------------------------------------------------


def test_the_covenants_with_their_versions_as_the_cli_lists_them(client: TestClient, run: Any) -> None:
    response = client.get("/api/v1/covenants?on=2024-06-01")
    assert response.status_code == 200
    data = response.json()
    assert data["on"] == "2024-06-01"
    assert [c["id"] for c in data["covenants"]] == ["assen", "groningen"]
    for covenant in data["covenants"]:
        cli = json.loads(cli_json(run, "versions", covenant["id"], "--on", "2024-06-01", "--format", "json"))
        assert covenant["versions"] == cli["versions"]
        for version in covenant["versions"]:
            rule_file = BUNDLED_RULES_DIR.parent / version["rule_file"]
            assert version["sha256"] == hashlib.sha256(rule_file.read_bytes()).hexdigest()
    assen = {v["version"]: v["status"] for v in data["covenants"][0]["versions"]}
    assert assen["1.6"] == "in_werking"  # 2024-01-01 until 2025-12-31


def test_the_versions_of_one_covenant_are_the_cli_s_json_byte_for_byte(client: TestClient, run: Any) -> None:
    response = client.get("/api/v1/covenants/groningen/versions?on=2023-03-01")
    assert response.status_code == 200
    cli = cli_json(run, "versions", "groningen", "--on", "2023-03-01", "--format", "json")
    assert response.text + "\n" == cli


def test_an_unknown_covenant_is_a_404_problem_with_the_cli_s_code(client: TestClient) -> None:
    response = client.get("/api/v1/covenants/nergens/versions")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "registry.unknown_covenant" and problem["status"] == 404
    assert "nergens" in problem["detail"] and "assen, groningen" in problem["problems"][0]["todo"]


def test_a_wrong_date_is_a_400_problem_in_the_cli_s_words(client: TestClient) -> None:
    response = client.get("/api/v1/covenants/assen/versions?on=2024-13-01&lang=en")
    assert response.status_code == 400
    assert response.json()["code"] == "versions.bad_date"
    assert response.json()["detail"] == "‘2024-13-01’ is not a date"


# --- evaluate -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_evaluate_answers_the_cli_s_json_byte_for_byte(
    client: TestClient, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """The same bytes as `convenant evaluate NAME --format json` run beside the file (so that the
    fact file's path in the JSON is its name, as the upload's is)."""
    shutil.copy(EXAMPLES_DIR / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    cli = cli_json(run, "evaluate", name, "--format", "json")
    response = client.post("/api/v1/evaluate", files=upload(name))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.content == cli.encode()
    assert client.post(f"/api/v1/evaluate?example={name}").content == cli.encode()


def test_evaluate_takes_the_facts_as_the_body_named_feiten_yaml_and_in_english(
    client: TestClient, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(EXAMPLES_DIR / "assen-2024.yaml", tmp_path / "feiten.yaml")
    monkeypatch.chdir(tmp_path)
    cli = cli_json(run, "--lang", "en", "evaluate", "feiten.yaml", "--format", "json")
    response = client.post(
        "/api/v1/evaluate?lang=en",
        content=(tmp_path / "feiten.yaml").read_bytes(),
        headers={"content-type": "application/yaml"},
    )
    assert response.status_code == 200
    assert response.content == cli.encode()
    assert json.loads(cli)["facts"]["path"] == "feiten.yaml"
    dutch = client.post(
        "/api/v1/evaluate",
        content=(tmp_path / "feiten.yaml").read_bytes(),
        headers={"content-type": "application/yaml"},
    )
    assert dutch.content != response.content  # the words differ: the language is part of the answer


def test_evaluate_takes_an_excel_workbook(
    client: TestClient, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convenant.source.loading import load_document
    from tests.test_excel_facts import fill, template_for

    monkeypatch.chdir(tmp_path)
    book = template_for(run, tmp_path, "assen", 2024)
    example = EXAMPLES_DIR / "assen-2024.yaml"
    fill(book, load_document(example, str(example)).data)
    cli = cli_json(run, "evaluate", book.name, "--format", "json")
    response = client.post("/api/v1/evaluate", files={"facts": (book.name, book.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.content == cli.encode()


def test_a_refused_fact_file_is_a_422_problem_with_its_line(client: TestClient) -> None:
    text = (EXAMPLES_DIR / "assen-2024.yaml").read_text(encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("year:"))
    broken = text.replace("year: 2024", "year: 2024.5", 1)
    response = client.post("/api/v1/evaluate", files={"facts": ("mijn feiten.yaml", broken.encode())})
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == f"urn:convenant:problem:{problem['code']}"
    first = problem["problems"][0]
    assert first["location"]["file"] == "mijn feiten.yaml" and first["location"]["line"] == line
    assert "year: 2024.5" in first["rendered"]  # the upload's own line under the message, as the CLI shows it


def test_an_unknown_covenant_in_the_facts_is_422_with_the_line_of_its_year(client: TestClient) -> None:
    text = (EXAMPLES_DIR / "assen-2024.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/api/v1/evaluate",
        files={"facts": ("f.yaml", text.replace("covenant: assen", "covenant: zwolle").encode())},
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "registry.unknown_covenant" and "zwolle" in problem["detail"]
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("year:"))
    assert problem["problems"][0]["location"]["line"] == line


def test_an_unknown_example_is_404_and_names_the_examples(client: TestClient) -> None:
    response = client.post("/api/v1/evaluate?example=../../etc/passwd")
    assert response.status_code == 404
    assert response.json()["code"] == "web.example_not_found"
    assert "assen-2024.yaml" in response.json()["problems"][0]["todo"]


def test_a_body_of_another_kind_is_415_and_a_form_without_facts_422(client: TestClient) -> None:
    plain = client.post(
        "/api/v1/evaluate", content=b"covenant: assen", headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 415 and plain.json()["code"] == "web.media_type"
    nothing = client.post("/api/v1/evaluate")
    assert nothing.status_code == 415 and "—" in nothing.json()["detail"]
    other = client.post("/api/v1/evaluate", files={"feiten": ("f.yaml", b"x: 1\n")})
    assert other.status_code == 422 and other.json()["code"] == "web.upload_missing"
    garbled = client.post(
        "/api/v1/evaluate", content=b"--x\r\nnonsense", headers={"content-type": "multipart/form-data"}
    )
    assert garbled.status_code == 400 and garbled.json()["code"] == "web.bad_form"


def test_wrong_methods_and_addresses_are_problem_documents(client: TestClient) -> None:
    wrong = client.get("/api/v1/evaluate")
    assert wrong.status_code == 405 and wrong.json()["code"] == "web.not_allowed"
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.json()["code"] == "web.not_found"
    assert unknown.headers["content-type"] == "application/problem+json"


# --- explain ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_explain_answers_the_cli_s_explanation_byte_for_byte(
    client: TestClient, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    shutil.copy(EXAMPLES_DIR / "assen-2024.yaml", tmp_path / "assen-2024.yaml")
    monkeypatch.chdir(tmp_path)
    cli = cli_json(run, "explain", "assen-2024.yaml", "--municipality", "GM0118", "--format", fmt)
    response = client.post(
        f"/api/v1/explain?municipality=GM0118&format={fmt}", files=upload("assen-2024.yaml")
    )
    assert response.status_code == 200, response.text
    assert response.content == cli.encode()
    assert response.headers["content-type"].startswith(api.EXPLAIN_TYPES[fmt].split(";")[0])
    if fmt == "md":
        assert "artikel 8, vijfde lid" in response.text  # Hoogeveen's share, as the acceptance reads it


def test_explain_refuses_a_wrong_format_and_an_unknown_municipality(client: TestClient) -> None:
    wrong = client.post("/api/v1/explain?example=assen-2024.yaml&format=pdf")
    assert wrong.status_code == 400 and wrong.json()["code"] == "web.bad_parameter"
    assert "md, html, json" in wrong.json()["problems"][0]["todo"]
    unknown = client.post("/api/v1/explain?example=assen-2024.yaml&municipality=GM9999")
    assert unknown.status_code == 422 and unknown.json()["code"] == "explain.unknown_municipality"


# --- recording ----------------------------------------------------------------------------------


def test_an_evaluation_is_recorded_and_its_id_returned(
    client: TestClient, recorder: RecordingRecorder
) -> None:
    response = client.post("/api/v1/evaluate?example=assen-2024.yaml")
    assert response.status_code == 200
    assert response.headers[api.RUN_HEADER] == "run-1"
    (call,) = recorder.calls
    assert call["upload"].name == "assen-2024.yaml"
    assert call["outputs"] == {"evaluation.json": response.content}
    assert call["evaluation"].rules.covenant.id == "assen"
    explained = client.post("/api/v1/explain?example=assen-2024.yaml&format=json")
    assert explained.headers[api.RUN_HEADER] == "run-2"
    assert list(recorder.calls[1]["outputs"]) == ["explanation.json"]


def test_a_run_not_recorded_has_no_run_header(client: TestClient, app: Any) -> None:
    recorded = client.post("/api/v1/evaluate?example=assen-2024.yaml")
    assert recorded.status_code == 200 and recorded.headers[api.RUN_HEADER]  # the server's own register
    app.app.state.recorder = runs.NotRecorded()
    response = client.post("/api/v1/evaluate?example=assen-2024.yaml")
    assert response.status_code == 200 and api.RUN_HEADER not in response.headers


# --- the kept answers ---------------------------------------------------------------------------


def test_an_answer_is_kept_and_a_rule_file_edited_on_disk_changes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules directory is part of every kept answer's key: edit a rule file while the server
    runs, and the next answer is the new file's."""
    rules = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES_DIR, rules)
    monkeypatch.setenv("CONVENANT_RULES_DIR", str(rules))
    app = create_app(WebConfig())
    with TestClient(app, base_url=BASE) as client:
        first = client.post("/api/v1/evaluate?example=assen-2024.yaml")
        again = client.post("/api/v1/evaluate?example=assen-2024.yaml")
        assert first.status_code == 200 and again.content == first.content
        assert len(app.app.state.answers) == 1  # the second was the kept answer
        rule_file = rules / "assen" / "2024-v1.6.yaml"
        text = rule_file.read_text(encoding="utf-8")
        old_title = json.loads(first.content)["covenant"]["title"]
        assert f"  title: {old_title}\n" in text
        rule_file.write_text(
            text.replace(f"  title: {old_title}\n", f"  title: {old_title} (bewerkt)\n", 1), encoding="utf-8"
        )
        edited = client.post("/api/v1/evaluate?example=assen-2024.yaml")
        assert edited.status_code == 200, edited.text
        data = json.loads(edited.content)
        assert data["covenant"]["title"] == old_title + " (bewerkt)"
        assert data["covenant"]["sha256"] == hashlib.sha256(rule_file.read_bytes()).hexdigest()
        assert len(app.app.state.answers) == 2
        table = rules / "municipalities.yaml"  # the engine keeps it by path: it must read it again
        table.write_text(table.read_text(encoding="utf-8") + "# bewerkt\n", encoding="utf-8")
        retabled = json.loads(client.post("/api/v1/evaluate?example=assen-2024.yaml").content)
        assert retabled["covenant"]["municipalities_sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()
        assert retabled["covenant"]["municipalities_sha256"] != data["covenant"]["municipalities_sha256"]


def test_the_kept_answers_are_bounded_and_computed_once() -> None:
    from convenant.web.answers import Answers

    kept: Answers[int] = Answers(size=2)
    computed: list[str] = []

    def compute(key: str) -> Any:
        return lambda: computed.append(key) or len(computed)

    assert [kept.get(k, compute(k)) for k in ("a", "a", "b", "c", "a")] == [1, 1, 2, 3, 4]
    assert computed == ["a", "b", "c", "a"] and len(kept) == 2  # "a" was dropped when "c" came


def test_a_refusal_is_not_kept(app: Any, client: TestClient) -> None:
    client.post("/api/v1/evaluate", files={"facts": ("f.yaml", b"covenant: zwolle\nyear: 2024\n")})
    assert len(getattr(app.app.state, "answers", [])) == 0


# --- a bug ---------------------------------------------------------------------------------------


def test_a_bug_is_a_500_problem_without_its_text_or_paths(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(upload: Any) -> Any:
        raise RuntimeError("/home/secret/engine.py exploded")

    monkeypatch.setattr(runs, "evaluate_upload", broken)
    response = client.post("/api/v1/evaluate?example=assen-2024.yaml")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "web.internal"
    assert (
        "secret" not in response.text
        and "Traceback" not in response.text
        and "RuntimeError" not in response.text
    )
    assert "content-security-policy" in response.headers


def test_a_bug_on_a_page_is_a_short_dutch_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from convenant.web import pages

    def broken() -> Any:
        raise RuntimeError("/home/secret/rules exploded")

    monkeypatch.setattr(pages.registry, "known_covenants", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Interne fout" in response.text and "secret" not in response.text
    assert response.headers["content-type"].startswith("text/html")
