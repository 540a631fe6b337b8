"""The scenarios page (batch) and `/api/v1/batch`: `convenant batch RULES SCENARIOS --out …` on an
uploaded scenario file, in a background thread, with its progress.

- `GET /batch`: the form: the scenario file (CSV or XLSX), the rule file (one of the bundled
  versions, chosen by its id, never by a path from the request), and optionally the year.
- `POST /batch`: a job started (at most `Jobs.running_max` at a time; more is refused with 429
  and a message that the server is busy), and the reader sent to `GET /batch/<job>`.
- `GET /batch/<job>`: a `<progress>` bar; while it runs the page refreshes itself every second
  (`<meta http-equiv="refresh">`, without script), and `static/app.js` polls
  `GET /batch/<job>/voortgang` (done, total, failed, state) to move the bar in between. Done: the
  summary, every failed row with its message in Dutch, and `GET /batch/<job>/uitkomsten.csv` (or
  .xlsx, like the scenarios) the results, the bytes `convenant batch` writes.
- The progress is `batch.run_file`'s own callbacks (`started`, `progress`), the ones the command
  line's progress bar uses.
"""

from __future__ import annotations

import dataclasses
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path, rules_dir
from convenant.web import problems as shown_problems
from convenant.web.common import config, form_of, json_response, lang_of, page, problem_page, problem_response
from convenant.web.kept import Kept
from convenant.web.uploads import SCENARIO_KINDS, Upload, accept

WAITING, RUNNING, DONE, REFUSED = "wacht", "bezig", "klaar", "geweigerd"
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SHOWN_FAILURES = 200  # failed rows on the page (all of them are in the results file)


def rule_choices() -> dict[str, Path]:
    """The bundled rule files by id (their path under the rules directory, without .yaml)."""
    from convenant.check import registry

    base = rules_dir()
    return {str(p.relative_to(base).with_suffix("")): p for p in registry.rule_files()}


def rule_labels() -> list[dict[str, Any]]:
    """Every rule file: its id, the covenant's title, the version and its period."""
    from convenant.check import registry

    base = rules_dir()
    out = []
    for covenant in registry.known_covenants():
        for v in registry.versions(covenant):
            c = v.rules.covenant
            ident = str(v.path.relative_to(base).with_suffix(""))
            out.append(
                {
                    "id": ident,
                    "title": c.title,
                    "version": c.version,
                    "start": c.valid_from,
                    "end": c.valid_until,
                }
            )
    return out


@dataclass
class Job:
    """One batch run of this server."""

    id: str
    scenarios: str  # the upload's name
    rules: str  # the rule file's id
    year: int | None
    kind: str  # csv | xlsx: the results are written like the scenarios
    lang: str
    state: str = WAITING
    done: int = 0
    total: int | None = None
    failures: list[tuple[int, str, str]] = field(default_factory=list)  # the first (Summary.failures)
    failed: int = 0  # every failed scenario
    warnings: list[str] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)  # why the whole file was refused
    error: ConvenantError | None = None
    result: bytes | None = None
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None

    @property
    def result_name(self) -> str:
        return f"uitkomsten.{self.kind}"

    def status(self) -> dict[str, Any]:
        """What `GET …/voortgang` and the API say of the job."""
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "failed": self.failed,
            "scenarios": self.scenarios,
            "rules": self.rules,
            "year": self.year,
            "seconds": self.seconds,
            "failures": [
                {"row": r, "scenario": n, "message": m} for r, n, m in self.failures[:SHOWN_FAILURES]
            ],
            "warnings": self.warnings,
            "problems": self.problems,
            "result": f"/batch/{self.id}/{self.result_name}" if self.state == DONE else None,
        }


def _as_upload(problem: Problem, temp: set[str], name: str) -> Problem:
    """A problem that names the temporary file, said with the upload's own name."""
    loc = problem.location
    args = {k: name if isinstance(v, str) and v in temp else v for k, v in problem.args.items()}
    if loc is not None and loc.path in temp:
        loc = Location(name, loc.line, loc.column, loc.length)
    return dataclasses.replace(problem, location=loc, args=args)


def run(job: Job, upload: Upload, rules_path: Path) -> None:
    """The job itself, in its own thread: `convenant batch` on the upload, into memory."""
    from convenant.batch.batch import run_file

    job.state = RUNNING

    def started(count: int | None) -> None:
        job.total = count

    def advanced(done: int) -> None:
        job.done += done

    with tempfile.TemporaryDirectory(prefix="convenant-web-") as folder:
        scenarios = Path(folder) / f"scenario.{upload.kind}"
        out = Path(folder) / job.result_name
        scenarios.write_bytes(upload.data)
        temp = {str(scenarios), display_path(scenarios), str(out), display_path(out)}
        try:
            summary = run_file(
                rules_path, scenarios, out, year=job.year, lang=job.lang, started=started, progress=advanced
            )
            job.failures, job.failed = summary.failures, summary.failed
            job.warnings = [w for _, w in sorted(summary.warnings.items())]
            job.result = out.read_bytes()
            job.total = summary.total if job.total is None else job.total
            job.seconds = round(time.monotonic() - job.started, 3)
            job.state = DONE  # last: a page reads the state first, then what it shows
        except ConvenantError as error:
            job.error = ConvenantError([_as_upload(p, temp, upload.name) for p in error.problems])
            job.problems = [shown_problems.shown(p, job.lang, upload.source_line) for p in job.error.problems]
            job.seconds = round(time.monotonic() - job.started, 3)
            job.state = REFUSED
        except Exception:  # a bug: said as one, never as the exception's text (it may hold paths)
            job.error = ConvenantError([Problem("web.batch_internal", {})])
            job.problems = [shown_problems.shown(p, job.lang) for p in job.error.problems]
            job.seconds = round(time.monotonic() - job.started, 3)
            job.state = REFUSED


class Jobs:
    """The batch jobs of this server: the last `size` kept, at most `running_max` running."""

    def __init__(self, size: int = 16, running_max: int = 2) -> None:
        self.kept: Kept[Job] = Kept(size, "web.batch_not_found")
        self.running_max = running_max
        self._lock = threading.Lock()

    def running(self) -> int:
        return sum(job.state in (WAITING, RUNNING) for job in self.kept.values())

    def start(self, upload: Upload, rules: str, year: int | None, lang: str) -> Job:
        """A new job, started in its own thread; refused (web.batch_busy) when enough are running."""
        choices = rule_choices()
        if rules not in choices:
            raise ConvenantError(
                [Problem("web.batch_rules_unknown", {"given": rules[:80], "known": ", ".join(choices)})]
            )
        with self._lock:
            if self.running() >= self.running_max:
                raise ConvenantError([Problem("web.batch_busy", {"count": self.running_max})])
            job = self.kept.add(lambda key: Job(key, upload.name, rules, year, upload.kind, lang))
        threading.Thread(
            target=run, args=(job, upload, choices[rules]), daemon=True, name=f"batch-{job.id}"
        ).start()
        return job

    def get(self, key: str) -> Job:
        return self.kept.get(key)


def _jobs(request: Request) -> Jobs:
    jobs: Jobs = request.app.state.batch_jobs
    return jobs


def _year(given: Any) -> int | None:
    if not isinstance(given, str) or not given.strip():
        return None
    text = given.strip()
    if not text.isdigit() or not 1900 <= int(text) <= 2200:
        raise ConvenantError([Problem("web.batch_year", {"given": text[:20]})])
    return int(text)


async def _started(request: Request, form: Any, fields: Mapping[str, Any]) -> Job:
    limit = config(request).max_batch_upload_bytes
    item = form.get("scenarios")
    if not isinstance(item, UploadFile) or not item.filename:
        raise ConvenantError([Problem("web.upload_missing", {"field": "scenarios"})])
    upload = accept(item.filename, await item.read(limit + 1), SCENARIO_KINDS, limit)
    rules = fields.get("rules")
    return _jobs(request).start(
        upload, rules if isinstance(rules, str) else "", _year(fields.get("year")), lang_of(request)
    )


def _status(error: ConvenantError) -> int:
    codes = {p.code for p in error.problems}
    if "web.csrf" in codes:
        return 403
    return 429 if "web.batch_busy" in codes else shown_problems.status_of(error)


def _form(
    request: Request, status: int = 200, chosen: Mapping[str, str] | None = None, **more: Any
) -> Response:
    return page(
        request,
        "batch.html.j2",
        status=status,
        rules=rule_labels(),
        chosen=chosen or {"rules": "", "year": ""},
        **more,
    )


async def batch_form(request: Request) -> Response:
    if request.method == "GET":
        return _form(request, problems=[])
    chosen = {"rules": "", "year": ""}
    try:
        form = await form_of(request)
        chosen = {k: v if isinstance(v := form.get(k), str) else "" for k in chosen}
        job = await _started(request, form, form)
    except ConvenantError as error:
        return problem_page(
            request, error, "batch.html.j2", status=_status(error), rules=rule_labels(), chosen=chosen
        )
    return RedirectResponse(f"/batch/{job.id}", status_code=303)


def job_page(request: Request) -> Response:
    try:
        job = _jobs(request).get(request.path_params["job"])
    except ConvenantError as error:
        return problem_page(request, error, "batch_job.html.j2", job=None)
    # The state is read first: the job's thread sets what a state shows (problems, failures, the
    # result) before the state itself, so the page never shows a refused job without its problems.
    state = job.state
    return page(
        request, "batch_job.html.j2", job=job, state=state, status_of_job=job.status(), problems=job.problems
    )


def job_progress(request: Request) -> Response:
    """`GET /batch/<job>/voortgang`: done, total, failed and state, for the page's script."""
    try:
        job = _jobs(request).get(request.path_params["job"])
    except ConvenantError as error:
        return problem_response(error, lang_of(request))
    return json_response(job.status())


def job_result(request: Request) -> Response:
    """The results file, when the job is done (`uitkomsten.csv` or `.xlsx`)."""
    lang = lang_of(request)
    try:
        job = _jobs(request).get(request.path_params["job"])
        if job.state == REFUSED and job.error is not None:
            return problem_response(job.error, lang)
        if job.result is None:
            return problem_response(
                ConvenantError([Problem("web.batch_not_done", {"state": job.state})]), lang, status=409
            )
        name = request.path_params.get("name")
        if name is not None and name != job.result_name:
            raise ConvenantError([Problem("web.batch_not_found", {})])
    except ConvenantError as error:
        return problem_response(error, lang)
    return Response(
        job.result,
        media_type=MEDIA[job.kind],
        headers={"content-disposition": f'attachment; filename="{job.result_name}"'},
    )


async def api_batch(request: Request) -> Response:
    """`POST /api/v1/batch`: a job started; 202 with where to follow it."""
    lang = lang_of(request)
    try:
        form = await request.form(max_files=1, max_fields=10)
        fields = {**form, **request.query_params}
        job = await _started(request, form, fields)
    except ConvenantError as error:
        return problem_response(error, lang, status=_status(error))
    body = {
        **job.status(),
        "status_url": f"/api/v1/batch/{job.id}",
        "result_url": f"/api/v1/batch/{job.id}/result",
    }
    response = json_response(body, status=202)
    response.headers["location"] = f"/api/v1/batch/{job.id}"
    return response


def api_job(request: Request) -> Response:
    try:
        job = _jobs(request).get(request.path_params["job"])
    except ConvenantError as error:
        return problem_response(error, lang_of(request))
    return json_response({**job.status(), "result_url": f"/api/v1/batch/{job.id}/result"})


_JOB = {"name": "job", "in": "path", "required": True, "schema": {"type": "string"}}
_STATUS = {
    "type": "object",
    "required": ["id", "state", "done", "total", "failed"],
    "properties": {
        "id": {"type": "string"},
        "state": {"enum": [WAITING, RUNNING, DONE, REFUSED]},
        "done": {"type": "integer"},
        "total": {"type": ["integer", "null"]},
        "failed": {"type": "integer"},
        "failures": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "scenario": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
        "problems": {"type": "array", "description": "why the whole file was refused (state geweigerd)"},
        "result_url": {"type": "string"},
    },
}
_JSON = {"application/json": {"schema": _STATUS}}


def _problems(*codes: str) -> dict[str, Any]:
    return {code: {"$ref": f"#/components/responses/Problem{code}"} for code in codes}


OPENAPI = {
    "/api/v1/batch": {
        "post": {
            "summary": "Start convenant batch on a scenario file (CSV or XLSX) with a bundled rule file",
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["scenarios", "rules"],
                            "properties": {
                                "scenarios": {"type": "string", "format": "binary"},
                                "rules": {
                                    "type": "string",
                                    "description": "a rule file's id, e.g. assen/2024-v1.6",
                                },
                                "year": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "202": {"description": "the job, started", "content": _JSON},
                "429": {
                    "description": "enough jobs are running",
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                },
                **_problems("400", "403", "404", "413", "415", "422"),
            },
            "security": [{}, {"token": []}],
        }
    },
    "/api/v1/batch/{job}": {
        "get": {
            "summary": "A batch job's state and progress",
            "parameters": [_JOB],
            "responses": {"200": {"description": "the job", "content": _JSON}, **_problems("404")},
        }
    },
    "/api/v1/batch/{job}/result": {
        "get": {
            "summary": "The results file of a finished job, as convenant batch writes it",
            "parameters": [_JOB],
            "responses": {
                "200": {
                    "description": "the results (CSV or XLSX, like the scenarios)",
                    "content": {
                        m: {"schema": {"type": "string", "format": "binary"}} for m in MEDIA.values()
                    },
                },
                "409": {
                    "description": "the job is not done yet",
                    "content": {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    },
                },
                **_problems("404", "422"),
            },
        }
    },
}


def routes() -> list[Route]:
    return [
        Route("/batch", batch_form, methods=["GET", "POST"], name="batch"),
        Route("/batch/{job}", job_page, name="batch_job"),
        Route("/batch/{job}/voortgang", job_progress, name="batch_progress"),
        Route("/batch/{job}/{name}", job_result, name="batch_result"),
        Route("/api/v1/batch", api_batch, methods=["POST"], name="api_batch"),
        Route("/api/v1/batch/{job}", api_job, name="api_batch_job"),
        Route("/api/v1/batch/{job}/result", job_result, name="api_batch_result"),
    ]
