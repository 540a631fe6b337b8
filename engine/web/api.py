"""The HTTP API: the commands `versions`, `evaluate` and `explain` over HTTP, described by OpenAPI.

- `GET /api/v1/openapi.json`: the description of every API path of the application.
- `GET /api/v1/covenants`: every covenant with its versions, periods and rule-file hashes.
- `GET /api/v1/covenants/{id}/versions?on=`: `convenant versions ID --format json`.
- `POST /api/v1/evaluate`: `convenant evaluate --format json`, byte for byte.
- `POST /api/v1/explain?format=&municipality=`: `convenant explain`, byte for byte.

The facts come as a form's file (`facts`, a YAML fact file or an Excel workbook), as the request's
body (`Content-Type: application/yaml`, shown as `feiten.yaml` in messages), or as one of the bundled
examples by name (`?example=assen-2024.yaml`). A refusal is an RFC 9457 problem document with the
command line's message codes and words, the facts' line in `problems[].location`. The engine runs in
the server's thread pool, so that one evaluation never holds up the other requests; its answers are
kept (`answers`) under everything that decides them.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from convenant.check import registry
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import rules_dir, shown_context
from convenant.evaluation.evaluate import Evaluation
from convenant.web import openapi, runs
from convenant.web.answers import Answers, rules_digest
from convenant.web.common import config, json_response, lang_of, problem_response, upload_of
from convenant.web.uploads import FACT_KINDS, Upload, accept
from convenant.workflow import versions as listing

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_NAMES = {**dict.fromkeys(YAML_TYPES, "feiten.yaml"), XLSX_TYPE: "feiten.xlsx"}
EXPLAIN_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
RUN_HEADER = "Convenant-Run"  # the register's id of the run; absent when the server keeps no register
ANSWERS_KEPT = 64
# Refusals of the request itself (not of the facts): the status they are answered with.
_STATUS = {
    "web.media_type": 415,
    "web.bad_form": 400,
    "web.bad_parameter": 400,
    "versions.bad_date": 400,
    "web.example_not_found": 404,
}
_STATE = threading.Lock()


@dataclass(frozen=True)
class Answer:
    """An evaluation and the bytes the API answers with for it."""

    evaluation: Evaluation
    body: bytes


def _problem(
    request: Request, error: ConvenantError, upload: Upload | None = None, status: int | None = None
) -> Response:
    codes = [p.code for p in error.problems]
    status = status or next((_STATUS[c] for c in codes if c in _STATUS), None)
    source = upload.source_line if upload is not None else None
    return problem_response(error, lang_of(request), source, status)


def _answers(request: Request) -> Answers[Answer]:
    state = request.app.state
    with _STATE:
        if not hasattr(state, "answers"):
            state.answers = Answers(ANSWERS_KEPT)
    answers: Answers[Answer] = state.answers
    return answers


def _day(request: Request) -> date:
    given = request.query_params.get("on")
    if not given:
        return date.today()
    try:
        return date.fromisoformat(given)
    except ValueError:
        raise ConvenantError([Problem("versions.bad_date", {"given": given})]) from None


def _choice(request: Request, name: str, choices: tuple[str, ...], default: str) -> str:
    given = request.query_params.get(name, default)
    if given not in choices:
        raise ConvenantError(
            [Problem("web.bad_parameter", {"name": name, "value": given, "expected": ", ".join(choices)})]
        )
    return given


async def facts_of(request: Request) -> Upload:
    """The fact file of an evaluate or explain request: an example by name, a form's file `facts`, or
    the body itself. Nothing of the request names a file on the server."""
    limit = config(request).max_upload_bytes
    example = request.query_params.get("example")
    if example is not None:
        return runs.example(example)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException:  # a body that is no form (starlette's MultiPartException)
            raise ConvenantError([Problem("web.bad_form", {})]) from None
        try:
            return await upload_of(form, "facts", FACT_KINDS, limit)
        finally:
            await form.close()
    if media in RAW_NAMES:
        return accept(RAW_NAMES[media], await request.body(), FACT_KINDS, limit)
    raise ConvenantError(
        [Problem("web.media_type", {"given": media or "—", "expected": f"{YAML_TYPES[0]}, {XLSX_TYPE}"})]
    )


def _answer(request: Request, upload: Upload, question: tuple[Any, ...], render: Any) -> Answer:
    """The answer to `question` about the upload: kept, or computed now (in a worker thread)."""
    # the answer names the rule file by its place as shown (relative to the working directory): a
    # copy of the rules elsewhere has the same digest but other paths, so the place is in the key
    where = (str(rules_dir().resolve()), shown_context())
    key = (question, hashlib.sha256(upload.data).hexdigest(), upload.name, upload.kind, rules_digest(), where)

    def compute() -> Answer:
        evaluation = runs.evaluate_upload(upload)
        return Answer(evaluation, render(evaluation))

    return _answers(request).get(key, compute)


async def _run(
    request: Request, question: str, render: Any, media_type: str, output: str, *key: Any
) -> Response:
    """Read the facts, answer, record the run; a refusal as a problem document, nothing recorded."""
    upload = None
    lang = lang_of(request)
    try:
        upload = await facts_of(request)
        answer = await run_in_threadpool(_answer, request, upload, (question, lang, *key), render)
    except ConvenantError as error:
        return _problem(request, error, upload)
    recorder = request.app.state.recorder
    run_id = await run_in_threadpool(
        recorder.evaluation, upload, answer.evaluation, {output: answer.body}, lang
    )
    headers = {RUN_HEADER: run_id} if run_id else {}
    return Response(answer.body, media_type=media_type, headers=headers)


async def evaluate(request: Request) -> Response:
    """`convenant evaluate --format json` of the posted facts."""
    import json

    from convenant.explain import report

    lang = lang_of(request)

    def render(evaluation: Evaluation) -> bytes:
        text = json.dumps(report.to_json(evaluation, lang), ensure_ascii=False, indent=2) + "\n"
        return text.encode("utf-8")

    return await _run(request, "evaluate", render, "application/json", "evaluation.json")


async def explain(request: Request) -> Response:
    """`convenant explain --format … --municipality …` of the posted facts."""
    from convenant.workflow.session import explain_evaluation

    lang = lang_of(request)
    try:
        fmt = _choice(request, "format", tuple(EXPLAIN_TYPES), "md")
    except ConvenantError as error:
        return _problem(request, error)
    member = request.query_params.get("municipality") or None

    def render(evaluation: Evaluation) -> bytes:
        return explain_evaluation(evaluation, fmt, lang, member).encode("utf-8")

    return await _run(request, "explain", render, EXPLAIN_TYPES[fmt], f"explanation.{fmt}", fmt, member)


def _covenants(day: date) -> dict[str, Any]:
    found = []
    for covenant in registry.known_covenants():
        versions = listing.listing(covenant)
        found.append(
            {
                "id": covenant,
                "title": versions[-1].rules.covenant.title,
                "versions": listing.listing_json(covenant, versions, day)["versions"],
            }
        )
    return {"on": day.isoformat(), "covenants": found}


async def covenants(request: Request) -> Response:
    """Every covenant in the rules directory with its versions, their periods and status on `on`."""
    try:
        return json_response(await run_in_threadpool(_covenants, _day(request)))
    except ConvenantError as error:
        return _problem(request, error)


async def versions(request: Request) -> Response:
    """`convenant versions ID --on DATE --format json`."""
    covenant = request.path_params["covenant"]
    try:
        day = _day(request)
        found = await run_in_threadpool(listing.listing, covenant)
    except ConvenantError as error:
        unknown = any(p.code == "registry.unknown_covenant" for p in error.problems)
        return _problem(request, error, status=404 if unknown else None)
    return json_response(listing.listing_json(covenant, found, day))


async def description(request: Request) -> Response:
    """The OpenAPI document of the application's API."""
    return json_response(openapi.document(request.app.state.areas))


def routes() -> list[Route]:
    return [
        Route("/api/v1/openapi.json", description, methods=["GET"], name="api_openapi"),
        Route("/api/v1/covenants", covenants, methods=["GET"], name="api_covenants"),
        Route("/api/v1/covenants/{covenant}/versions", versions, methods=["GET"], name="api_versions"),
        Route("/api/v1/evaluate", evaluate, methods=["POST"], name="api_evaluate"),
        Route("/api/v1/explain", explain, methods=["POST"], name="api_explain"),
    ]


# --- the OpenAPI description of these paths ---------------------------------------------------


def _refusals(*codes: str) -> dict[str, Any]:
    """The problem answers of an operation (openapi.document adds the 500 every route can give)."""
    return {code: {"$ref": f"#/components/responses/Problem{code}"} for code in codes}


_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "the language of the words in the answer and in its problems",
    "schema": {"enum": ["nl", "en"], "default": "nl"},
}
_ON = {
    "name": "on",
    "in": "query",
    "required": False,
    "description": "the day whose status each version is given for (default: today)",
    "schema": {"type": "string", "format": "date"},
}
_EXAMPLE = {
    "name": "example",
    "in": "query",
    "required": False,
    "description": "a bundled example fact file by name, instead of a body",
    "schema": {"type": "string"},
    "example": "assen-2024.yaml",
}
_FACTS = {
    "required": False,
    "description": (
        "the fact file: as a form's file `facts` (YAML or an Excel workbook), or as the body itself "
        "(application/yaml, shown as feiten.yaml in messages; or an .xlsx workbook); none with ?example="
    ),
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["facts"],
                "properties": {"facts": {"type": "string", "contentMediaType": "application/octet-stream"}},
            }
        },
        "application/yaml": {"schema": {"type": "string"}},
        XLSX_TYPE: {"schema": {"type": "string", "contentMediaType": XLSX_TYPE}},
    },
}
_RUN = {
    RUN_HEADER: {
        "description": "the run's id in the register (absent when the server keeps no register)",
        "schema": {"type": "string"},
    }
}

OPENAPI: dict[str, Any] = {
    "/api/v1/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This description of the API",
            "responses": {
                "200": {"description": "an OpenAPI 3.1 document", "content": {"application/json": {}}},
                **_refusals(),
            },
        }
    },
    "/api/v1/covenants": {
        "get": {
            "operationId": "covenants",
            "summary": "Every covenant with its versions, their periods, status and rule-file sha256",
            "parameters": [_ON],
            "responses": {
                "200": {
                    "description": "the covenants, each with its versions as `convenant versions` lists them",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["on", "covenants"],
                                "properties": {
                                    "on": {"type": "string", "format": "date"},
                                    "covenants": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id", "title", "versions"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "title": {"type": "string"},
                                                "versions": {"type": "array", "items": {"type": "object"}},
                                            },
                                        },
                                    },
                                },
                            }
                        }
                    },
                },
                **_refusals("400", "422"),
            },
        }
    },
    "/api/v1/covenants/{covenant}/versions": {
        "get": {
            "operationId": "versions",
            "summary": "The versions of one covenant: `convenant versions ID --format json`",
            "parameters": [
                {"name": "covenant", "in": "path", "required": True, "schema": {"type": "string"}},
                _ON,
                _LANG,
            ],
            "responses": {
                "200": {
                    "description": "the JSON of `convenant versions ID --on DATE --format json`",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_refusals("400", "404", "422"),
            },
        }
    },
    "/api/v1/evaluate": {
        "post": {
            "operationId": "evaluate",
            "summary": "Evaluate a fact file: the JSON of `convenant evaluate --format json`",
            "parameters": [_EXAMPLE, _LANG],
            "requestBody": _FACTS,
            "responses": {
                "200": {
                    "description": "the evaluation, byte for byte as `convenant evaluate --format json`",
                    "headers": _RUN,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                **_refusals("400", "403", "404", "413", "415", "422"),
            },
        }
    },
    "/api/v1/explain": {
        "post": {
            "operationId": "explain",
            "summary": "Explain a fact file's results: `convenant explain`",
            "parameters": [
                _EXAMPLE,
                _LANG,
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": list(EXPLAIN_TYPES), "default": "md"},
                },
                {
                    "name": "municipality",
                    "in": "query",
                    "required": False,
                    "description": "one municipality by CBS code (GM0106) or name; default every result",
                    "schema": {"type": "string"},
                },
            ],
            "requestBody": _FACTS,
            "responses": {
                "200": {
                    "description": "the explanation, byte for byte as `convenant explain`",
                    "headers": _RUN,
                    "content": {
                        m.split(";")[0]: {"schema": {"type": "string"}} for m in EXPLAIN_TYPES.values()
                    },
                },
                **_refusals("400", "403", "404", "413", "415", "422"),
            },
        }
    },
}
