"""The register's pages and API: earlier runs, searchable by year, covenant, municipality and
kenmerk (`/register`); one run with its inputs and outputs and their hashes, and a button that
makes its letters again and says per letter whether it is byte-identical (`/register/<id>`).

API: `GET /api/v1/register?year=&covenant=&municipality=&kenmerk=`,
`GET /api/v1/register/kenmerk/{kenmerk}`, `POST /api/v1/reproduce/{kenmerk}`.

The register is the application's (`app.state.register`, opened by `create_app`); a request names
a run by its id or a letter by its kenmerk, both only looked up in the database, never a path.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.register.reproduce import Reproduction, for_kenmerk, reproduce
from convenant.register.store import Register, StoredRun
from convenant.web.common import form_of, json_response, lang_of, page, problem_page, problem_response

_RUN_ID = re.compile(r"[0-9a-f]{16}")
MAX_FIELD = 200


def _register(request: Request) -> Register:
    return request.app.state.register


def _criteria(request: Request, names: dict[str, str]) -> dict[str, Any]:
    """The search criteria from the query: year (a number), covenant, municipality, kenmerk."""
    q = request.query_params
    found: dict[str, Any] = {}
    for key, field in names.items():
        value = (q.get(field) or "").strip()[:MAX_FIELD]
        if not value:
            continue
        if key == "year":
            if not value.isdigit():
                continue
            found[key] = int(value)
        else:
            found[key] = value
    return found


_PAGE_FIELDS = {"year": "jaar", "covenant": "convenant", "municipality": "gemeente", "kenmerk": "kenmerk"}
_API_FIELDS = {k: k for k in _PAGE_FIELDS}


def listing(request: Request) -> Response:
    criteria = _criteria(request, _PAGE_FIELDS)
    try:
        runs = _register(request).search(**criteria)
    except ConvenantError as error:
        return problem_page(request, error, status=503)
    given = {key: criteria.get(key, "") for key in _PAGE_FIELDS}
    return page(request, "register.html.j2", runs=runs, given=given)


def _run_of(request: Request) -> StoredRun:
    run_id = request.path_params["run_id"]
    if not _RUN_ID.fullmatch(run_id):
        raise ConvenantError([Problem("register.unknown_run", {"id": run_id[:40]})])
    return _register(request).run(run_id)


def run_page(request: Request) -> Response:
    try:
        run = _run_of(request)
    except ConvenantError as error:
        return problem_page(request, error, status=404)
    return page(request, "register_run.html.j2", run=run, result=None)


async def remake(request: Request) -> Response:
    """The button 'Opnieuw maken': the run's letters made again and compared."""
    try:
        await form_of(request)
    except ConvenantError as error:
        return problem_page(request, error, status=403)
    try:
        run = _run_of(request)
    except ConvenantError as error:
        return problem_page(request, error, status=404)
    from starlette.concurrency import run_in_threadpool

    try:
        result = await run_in_threadpool(reproduce, _register(request), run)
    except ConvenantError as error:
        return problem_page(request, error, "register_run.html.j2", status=422, run=run, result=None)
    return page(request, "register_run.html.j2", run=run, result=result)


# --- API ----------------------------------------------------------------------------------------


def run_json(run: StoredRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": run.kind,
        "created_at": run.created_at,
        "covenant": run.covenant,
        "version": run.version,
        "year": run.year,
        "facts": {"name": run.facts_name, "sha256": run.facts_sha256},
        "rules_sha256": run.rules_sha256,
        "engine_version": run.engine_version,
        "lang": run.lang,
        "act": run.act,
        "act_chosen": run.act_chosen,
        "date": run.date_option,
        "formats": list(run.formats),
        "illustrative": run.illustrative,
        "inputs": [
            {"role": i.role, "name": i.name, "shown": i.shown, "sha256": i.sha256} for i in run.inputs
        ],
        "outputs": [
            {
                "name": o.name,
                "sha256": o.sha256,
                "size": o.size,
                "kenmerk": o.kenmerk,
                "municipality": o.municipality,
                "recipient": o.recipient,
            }
            for o in run.outputs
        ],
        "kenmerken": run.kenmerken,
    }


def reproduction_json(found: Reproduction) -> dict[str, Any]:
    return {
        "run": found.run.id,
        "engine_then": found.run.engine_version,
        "engine_now": found.engine_now,
        "identical": found.identical,
        "letters": [
            {
                "kenmerk": letter.kenmerk,
                "municipality": letter.municipality,
                "recipient": letter.recipient,
                "identical": letter.identical,
                "files": [
                    {
                        "name": f.name,
                        "sha256_then": f.expected,
                        "sha256_now": f.found,
                        "identical": f.identical,
                    }
                    for f in letter.files
                ],
            }
            for letter in found.letters
        ],
    }


def api_search(request: Request) -> Response:
    try:
        runs = _register(request).search(**_criteria(request, _API_FIELDS))
    except ConvenantError as error:
        return problem_response(error, lang_of(request), status=503)
    return json_response({"runs": [run_json(r) for r in runs]})


def api_kenmerk(request: Request) -> Response:
    kenmerk = request.path_params["kenmerk"][:MAX_FIELD]
    try:
        run = _register(request).find_kenmerk(kenmerk)
        if run is None:
            raise ConvenantError([Problem("register.unknown_kenmerk", {"kenmerk": kenmerk})])
    except ConvenantError as error:
        return problem_response(error, lang_of(request), status=404)
    return json_response(run_json(run))


def api_reproduce(request: Request) -> Response:
    kenmerk = request.path_params["kenmerk"][:MAX_FIELD]
    try:
        found = for_kenmerk(_register(request), kenmerk)
    except ConvenantError as error:
        unknown = any(p.code == "register.unknown_kenmerk" for p in error.problems)
        return problem_response(error, lang_of(request), status=404 if unknown else 422)
    return json_response(reproduction_json(found))


def routes() -> list[Route]:
    return [
        Route("/register", listing, name="register"),
        Route("/register/{run_id}", run_page, name="register_run"),
        Route("/register/{run_id}/opnieuw", remake, methods=["POST"], name="register_remake"),
        Route("/api/v1/register", api_search, name="api_register"),
        Route("/api/v1/register/kenmerk/{kenmerk:path}", api_kenmerk, name="api_register_kenmerk"),
        Route("/api/v1/reproduce/{kenmerk:path}", api_reproduce, methods=["POST"], name="api_reproduce"),
    ]


_PROBLEM = {"$ref": "#/components/responses/Problem404"}
_RUN = {
    "type": "object",
    "description": "a run: what identifies it, its inputs and outputs with their sha256",
}
OPENAPI: dict[str, Any] = {
    "/api/v1/register": {
        "get": {
            "summary": "Runs in the register, newest first",
            "parameters": [
                {"name": n, "in": "query", "required": False, "schema": {"type": t}}
                for n, t in (
                    ("year", "integer"),
                    ("covenant", "string"),
                    ("municipality", "string"),
                    ("kenmerk", "string"),
                )
            ],
            "responses": {
                "200": {
                    "description": "the runs that match every criterion given",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"runs": {"type": "array", "items": _RUN}},
                            }
                        }
                    },
                }
            },
        }
    },
    "/api/v1/register/kenmerk/{kenmerk}": {
        "get": {
            "summary": "The run that made the letter with this kenmerk",
            "parameters": [{"name": "kenmerk", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {"description": "the run", "content": {"application/json": {"schema": _RUN}}},
                "404": _PROBLEM,
            },
        }
    },
    "/api/v1/reproduce/{kenmerk}": {
        "post": {
            "summary": "Make the letters of the kenmerk's run again; byte-identical or not, per letter",
            "parameters": [{"name": "kenmerk", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {
                "200": {
                    "description": "per letter: identical, and each file's sha256 then and now",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "404": _PROBLEM,
                "422": {"$ref": "#/components/responses/Problem422"},
            },
        }
    },
}
