"""The evaluate pages: a fact file (uploaded, or a bundled example) evaluated as `convenant evaluate`
does, its results per municipality as a table, and the explanation of every amount.

- `GET /doorrekenen`: the form; `POST /doorrekenen`: evaluate, record in the register, keep the run
  in memory (`app.state.runs`) and go to its results (303).
- `GET /doorrekenen/<run>`: the results, from `report.to_json` (what `evaluate --format json`
  writes), each amount a link to its explanation.
- `GET /doorrekenen/<run>/uitleg/<member>[/<rule>]` and `GET /doorrekenen/<run>/uitkomst/<rule>`:
  the explanation of one municipality's results (or of one of them, or of a result that is not per
  municipality), as `convenant explain --format html` gives it.

A fact file the engine refuses is shown on the form itself, with the CLI's messages, each with its
place (the upload's own name and line, or a workbook's sheet and cell) and the line itself. The
evaluation never reads the fact file by its name again: the upload's own lines are the only source
of a line shown under a message (`Upload.source_line`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import secrets
import threading
from collections import OrderedDict
from datetime import date
from fractions import Fraction
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from convenant import words
from convenant.core import dates
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind, display
from convenant.evaluation.evaluate import Evaluation
from convenant.explain import explain, report
from convenant.language.model import CASE
from convenant.web import problems, runs, uploads
from convenant.web.common import config, form_of, lang_of, page, upload_of
from convenant.web.runs import Run
from convenant.web.uploads import Upload

log = logging.getLogger(__name__)

FORM = "evaluate.html.j2"


# --- the form ----------------------------------------------------------------------------------


def _form(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("problems", [])
    context.setdefault("chosen_example", runs.examples()[0] if runs.examples() else "")
    context.setdefault("chosen_file", None)
    context.setdefault("refused", None)
    return page(
        request,
        FORM,
        status=status,
        examples=runs.examples(),
        limit=_size(config(request).max_upload_bytes),
        **context,
    )


def _size(limit: int) -> str:
    """The upload limit as people say it.

    >>> _size(8 * 1024 * 1024), _size(512 * 1024)
    ('8 MB', '512 kB')
    """
    return f"{limit // 2**20} MB" if limit % 2**20 == 0 else f"{limit // 1024} kB"


def _excerpt(problem: Problem, upload: Upload | None) -> dict[str, Any] | None:
    """The line of the upload a problem points at, with a caret under the fault (None: no line, as
    for a workbook's cell, which its place names instead)."""
    loc = problem.location
    if upload is None or loc is None or loc.line is None:
        return None
    text = upload.source_line(loc.path, loc.line)
    if text is None:
        return None
    gutter = str(loc.line)
    column = max(1, loc.column or 1)
    caret = "^" * max(1, min(loc.length, len(text) - column + 1)) if loc.column else ""
    return {
        "line": loc.line,
        "text": f"{gutter} | {text}",
        "caret": " " * len(gutter) + " | " + " " * (column - 1) + caret,
    }


def _refused(
    request: Request, error: ConvenantError, upload: Upload | None, status: int | None = None, **context: Any
) -> Response:
    """The form again, with every problem of the fact file as the CLI says it."""
    lang = lang_of(request)
    source = upload.source_line if upload is not None else problems._no_source
    shown = []
    for problem in error.problems:
        item = problems.shown(problem, lang, source)
        item["excerpt"] = _excerpt(problem, upload)
        shown.append(item)
    return _form(
        request,
        status=status or problems.status_of(error),
        problems=shown,
        refused=upload.name if upload is not None else None,
        **context,
    )


def _failed(request: Request, status: int = 500) -> Response:
    """A bug: a short page with a reference the server's log has beside the traceback."""
    ref = secrets.token_hex(4)
    log.exception("evaluate page failed (reference %s)", ref)
    return page(request, "evaluate_failed.html.j2", status=status, ref=ref)


def form(request: Request) -> Response:
    return _form(request)


async def submit(request: Request) -> Response:
    """Evaluate the uploaded fact file or the chosen example; record it; go to its results."""
    upload: Upload | None = None
    chosen: dict[str, Any] = {}
    try:
        try:
            posted = await form_of(request)
        except ConvenantError as error:
            return _refused(request, error, None, status=403)
        example = posted.get("example")
        item = posted.get("facts")
        if isinstance(example, str) and example:
            chosen["chosen_example"] = example
            upload = runs.example(example)
        else:
            if isinstance(item, UploadFile) and not item.filename:  # the file input left empty
                raise ConvenantError([Problem("web.upload_missing", {"field": "facts"})])
            if isinstance(item, UploadFile):
                chosen["chosen_file"] = uploads.shown_name(item.filename, "")
            upload = await upload_of(posted, "facts", uploads.FACT_KINDS, config(request).max_upload_bytes)
        lang = lang_of(request)
        run = await run_in_threadpool(_evaluate_and_record, request, upload, lang)
    except ConvenantError as error:
        return _refused(request, error, upload, **chosen)
    except Exception:
        return _failed(request)
    return RedirectResponse(f"/doorrekenen/{run.id}", status_code=303)


def evaluation_json(ev: Evaluation, lang: str) -> bytes:
    """The results as `convenant evaluate --format json` prints them."""
    return (json.dumps(report.to_json(ev, lang), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _evaluate_and_record(request: Request, upload: Upload, lang: str) -> Run:
    ev = runs.evaluate_upload(upload)
    register_id = request.app.state.recorder.evaluation(
        upload, ev, {"evaluate.json": evaluation_json(ev, lang)}, lang
    )
    return request.app.state.runs.add(upload, ev, register_id)


# --- the results -------------------------------------------------------------------------------


def euros(text: str) -> Fraction:
    """An amount of the JSON output ("-1234.50", euros with two decimals) as an exact number of
    euros: the string's own digits, never a float.

    >>> euros("80086.51")
    Fraction(8008651, 100)
    >>> euros("-0.05")
    Fraction(-1, 20)
    """
    whole, _, cents = text.partition(".")
    if not whole.lstrip("-").isdigit() or len(cents) != 2 or not cents.isdigit():
        raise ValueError(f"not an amount of the JSON output: {text!r}")
    sign = -1 if whole.startswith("-") else 1
    return Fraction(sign * (abs(int(whole)) * 100 + int(cents)), 100)


def _value_of(kind: Kind, value: Any) -> Any:
    """A value of the JSON output as the engine holds it, for showing it."""
    if value is None:
        return None
    if kind in (Kind.RATIO, Kind.PERCENTAGE):
        return Fraction(value)  # "41470285751530/239168262285691": exact
    if kind is Kind.DATE:
        return date.fromisoformat(value)
    if kind is Kind.PERIOD:
        return dates.Period(date.fromisoformat(value["from"]), date.fromisoformat(value["until"]))
    return value


class Cells:
    """The cells of the results table: a result of the JSON output in the reader's language."""

    def __init__(self, ev: Evaluation, data: dict[str, Any], run: Run, lang: str) -> None:
        self.ev, self.data, self.run, self.lang = ev, data, run, lang
        self.h = words.table("report.heading", lang)

    def href(self, rule: str, member: str | None) -> str:
        base = f"/doorrekenen/{self.run.id}"
        return f"{base}/uitleg/{member}/{rule}" if member else f"{base}/uitkomst/{rule}"

    def cell(self, result: dict[str, Any], member: str | None) -> dict[str, Any]:
        rule = self.ev.rules.rules[result["rule"]]
        kind, value = Kind(result["type"]), result["value"]
        cell: dict[str, Any] = {
            "rule": result["rule"],
            "label": result["label"],
            "href": self.href(result["rule"], member),
            "citation": result["citation"]["text"],
            "short": rule.cited(
                self.ev.nodes[rule.name].value_for(member) if value is not None else None
            ).short(),
            "amount": None,
            "direction": None,
            "text": None,
            "deadline": None,
            "rounding": self.h.get(f"rounding.{result['rounding']}", "") if result.get("rounding") else "",
        }
        if value is None:
            cell["text"] = self.h["unknown"]
        elif kind is Kind.MONEY:
            amount = euros(value)
            if "direction" in result:  # a settlement: who receives or pays how much
                cell["direction"] = words.say(f"report.direction.{report.direction(amount)}", self.lang)
                amount = abs(amount)
            cell["amount"] = amount
        elif kind is Kind.OUTCOME:
            cell["text"] = result.get("text") or str(value)
        else:
            cell["text"] = display(kind, _value_of(kind, value), self.lang)
        if result.get("deadline"):
            due = self.data["deadlines"].get(result["deadline"])
            if due is not None:
                when = due["value"]
                shown = (
                    display(Kind(due["type"]), _value_of(Kind(due["type"]), when), self.lang)
                    if when
                    else self.h["unknown"]
                )
                node = self.ev.nodes[result["deadline"]]
                cell["deadline"] = f"{self.h['by']} {shown} ({node.rule.article.short()})"
        return cell


def _members(ev: Evaluation, data: dict[str, Any], cells: Cells) -> dict[str, Any]:
    """Per municipality (and per other row of a sheet): the results that are known, and the results
    that are not set or wait for facts, listed once."""
    rows = []
    for code, party in data["municipalities"].items():
        rows.append((code, party["name"], party["predecessors"], party["results"], True))
    for ident, other in data["other_rows"].items():
        rows.append((ident, other["label"], [], other["results"], False))
    columns: dict[str, str] = {}
    for _code, _name, _pred, results, _party in rows:
        for name, result in results.items():
            if result["value"] is not None:
                columns.setdefault(name, result["label"])
    members = []
    for code, name, predecessors, results, is_party in rows:
        shown = {n: cells.cell(r, code) for n, r in results.items() if r["value"] is not None}
        members.append(
            {
                "code": code,
                "name": name,
                "predecessors": ", ".join(p["name"] for p in predecessors),
                "party": is_party,
                "href": f"/doorrekenen/{cells.run.id}/uitleg/{code}",
                "cells": shown,
                "row": [shown.get(c) for c in columns],
            }
        )
    per = [n for n in ev.nodes.values() if n.rule.per and n.rule.per != CASE and n.rule.section == "rules"]
    not_set = [
        {
            "label": n.rule.label,
            "citation": n.rule.article.short(),
            "text": report.not_set_sentence(ev, n, cells.lang),
        }
        for n in per
        if report.not_set(n)
    ]
    waiting = [
        {
            "label": n.rule.label,
            "citation": n.rule.article.short(),
            "missing": ", ".join(ev.waiting_for(n.name)),
        }
        for n in per
        if n.value is None and not report.not_set(n)
    ]
    articles = sorted({c["short"] for m in members for c in m["cells"].values()})
    return {
        "articles": articles,
        "columns": list(columns.values()),
        "wide": 0
        < len(columns)
        <= 3,  # as `convenant evaluate`: a few results side by side, else a block each
        "members": members,
        "not_set": not_set,
        "waiting": waiting,
    }


def _period(ev: Evaluation, lang: str) -> str:
    """The version's period with its article, as `convenant evaluate` says it."""
    c, until = ev.rules.covenant, words.say("report.heading.until", lang)
    start, end = display(Kind.DATE, c.valid_from, lang), display(Kind.DATE, c.valid_until, lang)
    return f"{start} {until} {end} ({c.period_article.formal(lang)})"


def results_view(run: Run, lang: str) -> dict[str, Any]:
    """What the results page shows, from the JSON output of the run."""
    ev = run.evaluation
    data = report.to_json(ev, lang)
    cells = Cells(ev, data, run, lang)
    c = data["covenant"]
    h = cells.h
    scalars = [cells.cell(r, None) for r in data["results"].values()]
    deadlines = []
    for name, d in data["deadlines"].items():
        kind = Kind(d["type"])
        deadlines.append(
            {
                "href": cells.href(name, None),
                "when": display(kind, _value_of(kind, d["value"]), lang)
                if d["value"] is not None
                else h["unknown"],
                "label": d["label"],
                "who": d["who"] or "",
                "citation": ev.nodes[name].rule.article.short(),
            }
        )
    cases = [
        {"case": case, "text": r.get("text") or str(r["value"]), "citation": r["citation"]["text"]}
        for case, found in data["cases"].items()
        for r in found["results"].values()
    ]
    duties = [
        {
            "label": ev.rules.duties[d.name].label,
            "citation": ev.rules.duties[d.name].article.short(),
            "status": h[f"status.{d.status}"]
            + (f" ({h['missing']}: {', '.join(d.missing)})" if d.missing else ""),
            "met": d.status == "met",
        }
        for d in ev.duties
    ]
    used = {i for n in ev.nodes.values() for i in n.interpretations}
    interpretations = [
        {
            "id": ident,
            "chosen": i["chosen"],
            "citation": i["article"]["text"] if i["article"] else "",
            "reading": " ".join(i["reading"].split()),
        }
        for ident, i in data["interpretations"].items()
        if ident in used
    ]
    return {
        "run": run,
        "h": h,
        "covenant": c,
        "facts": data["facts"],
        "validity": data["validity"],
        "period": _period(ev, lang),
        "after_end": report.settled_after_end(ev, lang),
        "scalars": scalars,
        "per": _members(ev, data, cells),
        "deadlines": deadlines,
        "cases": cases,
        "duties": duties,
        "warnings": [{"text": w["message"], "citation": w["citation"]["text"]} for w in data["warnings"]],
        "interpretations": interpretations,
        "mergers": data["mergers"],
    }


def _run(request: Request) -> Run:
    return request.app.state.runs.get(request.path_params["run"])


def _not_found(request: Request, error: ConvenantError) -> Response:
    lang = lang_of(request)
    shown = [problems.shown(p, lang) for p in error.problems]
    return page(request, "evaluate_not_found.html.j2", status=404, problems=shown)


async def results(request: Request) -> Response:
    try:
        run = _run(request)
        view = await run_in_threadpool(results_view, run, lang_of(request))
    except ConvenantError as error:
        return _not_found(request, error)
    except Exception:
        return _failed(request)
    return page(request, "evaluate_results.html.j2", **view)


async def results_json(request: Request) -> Response:
    """The run's results as `convenant evaluate --format json` writes them, as a download."""
    try:
        run = _run(request)
        body = await run_in_threadpool(evaluation_json, run.evaluation, lang_of(request))
    except ConvenantError as error:
        return _not_found(request, error)
    except Exception:
        return _failed(request)
    name = run.upload.name.rsplit(".", 1)[0] or "feiten"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{_ascii(name)}-evaluate.json"'},
    )


def _ascii(name: str) -> str:
    """A file name safe in a header: letters, digits, '-', '_' and '.' only."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name) or "feiten"


# --- the explanation ---------------------------------------------------------------------------


class _Explanations:
    """The explanations made lately (per run, language and member), so that clicking through the
    amounts of one municipality explains it once."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._found: OrderedDict[tuple[str, str, str | None], explain.Explanation] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, run: Run, lang: str, member: str | None) -> explain.Explanation:
        key = (run.id, lang, member)
        with self._lock:
            found = self._found.get(key)
        if found is None:
            found = explain.explain(run.evaluation, "html", lang, member)
            with self._lock:
                self._found[key] = found
                while len(self._found) > self.size:
                    self._found.popitem(last=False)
        return found


EXPLANATIONS = _Explanations()


def explanation_view(run: Run, lang: str, member: str | None, rule: str | None) -> dict[str, Any]:
    """The explanation of a member's results (a party of the covenant, or another row of a sheet),
    of one of them (`rule`), or of a result not per member (`member` None)."""
    ev = run.evaluation
    party = member is not None and ev.parties.member(member) is not None
    whole = EXPLANATIONS.get(run, lang, member if party else None)
    sections = [
        s
        for s in whole.sections
        if (rule is None or s.rule.name == rule) and ((party and rule is None) or s.member == member)
    ]
    if not sections:
        shown_member = member or words.say("web.explanation.general", lang)
        raise ConvenantError(
            [Problem("web.explanation_not_found", {"rule": rule or "—", "member": shown_member})]
        )
    narrowed = dataclasses.replace(whole, sections=sections)
    if member is not None and not party:
        narrowed.member_name = next((s.who for s in sections if s.who), member)
    # The engine's explanation is rendered by its own sandboxed, autoescaped Jinja environment
    # (engine/render/templating.py, HTML autoescaped; legal staff's sentences in the same sandbox):
    # every value in it is escaped there, so the page may embed the fragment as it is.
    html = Markup(explain.render(narrowed, "html", standalone=True, page=False))
    name = narrowed.member_name or words.say("web.explanation.general", lang)
    return {
        "run": run,
        "explanation": html,
        "member": member,
        "member_name": name,
        "whole_href": f"/doorrekenen/{run.id}/uitleg/{member}"
        if member is not None and rule is not None
        else None,
        "title": sections[0].rule.label if rule is not None else name,
    }


async def explanation(request: Request) -> Response:
    params = request.path_params
    member = params.get("member")
    try:
        run = _run(request)
        view = await run_in_threadpool(explanation_view, run, lang_of(request), member, params.get("rule"))
    except ConvenantError as error:
        return _not_found(request, error)
    except Exception:
        return _failed(request)
    return page(request, "evaluate_explanation.html.j2", **view)


def routes() -> list[Route]:
    return [
        Route("/doorrekenen", form, methods=["GET"], name="evaluate"),
        Route("/doorrekenen", submit, methods=["POST"], name="evaluate_submit"),
        Route("/doorrekenen/{run}", results, name="evaluate_results"),
        Route("/doorrekenen/{run}/evaluate.json", results_json, name="evaluate_json"),
        Route("/doorrekenen/{run}/uitleg/{member}", explanation, name="evaluate_explanation"),
        Route("/doorrekenen/{run}/uitleg/{member}/{rule}", explanation, name="evaluate_explanation_rule"),
        Route("/doorrekenen/{run}/uitkomst/{rule}", explanation, name="evaluate_result"),
    ]
