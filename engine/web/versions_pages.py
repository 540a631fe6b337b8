"""Two versions of a covenant side by side: the page /versies and the API /api/v1/versions/diff.

What `convenant diff OLD NEW` says, from the same functions: the changes per article in the
sentences of `workflow.diff_words`, and with an uploaded fact file (`--facts`) the effect of
`workflow.effect`: per municipality the amounts under the old and the new version and the
difference.

A version is chosen by its covenant and version number (`assen:1.7`), or, where two rule files of
a covenant carry the same number, by the rule file's sha256 (`assen:<sha256>`): never by a path.
Only the rule files of the rules directory (the bundled one, or $CONVENANT_RULES_DIR) can be
chosen, and they are only read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from convenant import words
from convenant.check import registry
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import rules_dir
from convenant.core.units import Kind, display
from convenant.explain.report import json_value
from convenant.language.model import RuleFile
from convenant.web.common import (
    config,
    form_of,
    json_response,
    lang_of,
    page,
    problem_page,
    problem_response,
    upload_of,
)
from convenant.web.uploads import FACT_KINDS, Upload, saved
from convenant.workflow import diff_words, effect
from convenant.workflow import versions as listing
from convenant.workflow.diff import Change, Shown, compare

TEMPLATE = "versions.html.j2"
FACTS_FIELD = "feiten"  # the page's file field
API_FACTS_FIELD = "facts"  # the API's file field
SEPARATOR = ":"  # between covenant and version in a page's choice; neither may contain it


# --- choosing two versions --------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One version as the page offers it: its key (`assen:1.7`) and the rule file."""

    key: str
    covenant: str
    version: registry.Version


def _keys(covenant: str, found: list[registry.Version]) -> list[Choice]:
    numbers = Counter(v.rules.covenant.version for v in found)
    return [
        Choice(
            f"{covenant}{SEPARATOR}"
            + (v.rules.covenant.version if numbers[v.rules.covenant.version] == 1 else v.rules.sha256),
            covenant,
            v,
        )
        for v in found
    ]


def choices() -> dict[str, list[Choice]]:
    """Every version of every covenant in the rules directory, oldest first, by covenant."""
    return {c: _keys(c, registry.versions(c)) for c in registry.known_covenants()}


def resolve(covenant: str, given: str) -> registry.Version:
    """The version of `covenant` whose number or sha256 is `given`; a clear refusal otherwise."""
    found = listing.listing(covenant)  # registry.unknown_covenant when there is none
    matching = [v for v in found if given in (v.rules.covenant.version, v.rules.sha256)]
    if len(matching) == 1:
        return matching[0]
    known = ", ".join(c.key.partition(SEPARATOR)[2] for c in _keys(covenant, found))
    if not matching:
        raise ConvenantError(
            [Problem("web.version_not_found", {"covenant": covenant, "version": given, "known": known})]
        )
    raise ConvenantError(
        [
            Problem(
                "web.version_ambiguous",
                {
                    "covenant": covenant,
                    "version": given,
                    "fingerprints": ", ".join(v.rules.sha256 for v in matching),
                },
            )
        ]
    )


def _from_key(key: str) -> registry.Version:
    covenant, _, given = key.partition(SEPARATOR)
    return resolve(covenant, given)


def _required(values: dict[str, str | None]) -> dict[str, str]:
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConvenantError([Problem("web.versions_incomplete", {"missing": ", ".join(missing)})])
    return {name: str(value) for name, value in values.items()}


def _status(error: ConvenantError) -> int | None:
    """An unknown covenant is, to the web, an address that does not exist (404)."""
    codes = {p.code for p in error.problems}
    if "registry.unknown_covenant" in codes:
        return 404
    if "web.versions_incomplete" in codes:
        return 400
    if "web.csrf" in codes:
        return 403
    return None


# --- what the page shows ----------------------------------------------------------------------


def _file_name(v: registry.Version) -> str:
    """The rule file's name within the rules directory (never a path a request gave)."""
    try:
        return v.path.resolve().relative_to(rules_dir().resolve()).as_posix()
    except ValueError:
        return v.path.name


def _side(v: registry.Version, today: date) -> dict[str, Any]:
    c = v.rules.covenant
    return {
        "title": c.title,
        "version": c.version,
        "version_date": c.version_date,
        "valid_from": c.valid_from,
        "valid_until": c.valid_until,
        "status": listing.status(c, today),
        "sha256": v.rules.sha256,
        "file": _file_name(v),
    }


def _typed(value: Any) -> bool:
    """A value in its unit (a number, a percentage, an amount, a date, a period): shown as old →
    new beside the sentence; text and blocks are told by the sentence alone."""
    return (isinstance(value, Shown) and value.kind is not None) or isinstance(value, Citation)


def _articles(old: RuleFile, new: RuleFile, changes: list[Change], lang: str) -> list[dict[str, Any]]:
    """The changes per article, in article order, each in the sentence `convenant diff` prints."""
    speaker, heading = diff_words.Speaker(old, new, lang), diff_words.HEADINGS[lang]
    out = []
    for number, items in diff_words.grouped(changes):
        title = (
            (new.article_title(Citation(number)) or old.article_title(Citation(number))) if number else None
        )
        rows = []
        for c in items:
            before, after = c.args.get("old", c.old), c.args.get("new", c.new)
            typed = _typed(before) or _typed(after)
            rows.append(
                {
                    "text": speaker.sentence(c),
                    "kind": c.kind,
                    "section": c.section,
                    "name": c.name,
                    "cite": c.article.formal(lang) if c.article else "",
                    "old": speaker.value(before) if typed and before is not None else None,
                    "new": speaker.value(after) if typed and after is not None else None,
                }
            )
        out.append(
            {
                "number": number,
                "heading": heading["general"] if number is None else heading["article"].format(n=number),
                "title": title,
                "changes": rows,
            }
        )
    return out


def _exact(kind: Kind, value: Any) -> str:
    return "" if value is None else str(json_value(kind, value))


def _row(kind: Kind, old: Any, new: Any, settlement: bool, lang: str) -> dict[str, Any]:
    delta = None if old is None or new is None else Fraction(new) - Fraction(old)
    return {
        "old": effect.shown(kind, old, settlement, lang),
        "new": effect.shown(kind, new, settlement, lang),
        "difference": effect.difference(kind, old, new, lang),
        "exact": {"old": _exact(kind, old), "new": _exact(kind, new), "difference": _exact(kind, delta)},
    }


def _effect(found: effect.Effect, lang: str) -> dict[str, Any]:
    """`convenant diff --facts` as tables: the region, then per municipality one table per rule."""
    w = effect.WORDS[lang]
    outside = []
    for which, rules in found.outside:
        c = rules.covenant
        outside.append(
            w["outside"].format(
                year=found.year,
                which=w[which],
                version=c.version,
                start=_date(c.valid_from, lang),
                end=_date(c.valid_until, lang),
            )
        )
    tables = []
    for table in found.tables:
        rows = [
            {"member": r.member, "name": r.name, **_row(table.kind, r.old, r.new, table.settlement, lang)}
            for r in table.rows
        ]
        total = None
        if table.kind is Kind.MONEY:
            olds, news = [r.old for r in table.rows], [r.new for r in table.rows]
            total = _row(
                Kind.MONEY,
                None if None in olds else sum(olds, Fraction(0)),
                None if None in news else sum(news, Fraction(0)),
                False,
                lang,
            )
        tables.append(
            {
                "rule": table.rule,
                "label": table.label,
                "article": table.article.short(),
                "settlement": table.settlement,
                "rows": rows,
                "total": total,
            }
        )
    return {
        "title": w["title"].format(year=found.year, facts=found.facts),
        "illustrative": found.illustrative,
        "outside": outside,
        "region": [
            {"rule": r.member, "name": r.name, **_row(Kind.MONEY, r.old, r.new, False, lang)}
            for r in found.region
        ],
        "tables": tables,
        "cases": found.cases,
    }


def _date(day: date, lang: str) -> str:
    return display(Kind.DATE, day, lang)


def _facts_effect(upload: Upload, old: RuleFile, new: RuleFile) -> effect.Effect:
    with saved(upload) as path:
        return effect.effect(path, old, new, upload.name)


def _view(request: Request, old_key: str | None, new_key: str | None) -> dict[str, Any]:
    """What every state of the page shows: the versions to choose from, the choice made."""
    lang = lang_of(request)
    offered = choices()
    comparable = [c for c, found in offered.items() if len(found) > 1]
    if not old_key and not new_key and comparable:  # the two latest versions of the first covenant
        old_key, new_key = (c.key for c in offered[comparable[0]][-2:])
    context: dict[str, Any] = {
        "offered": offered,
        "comparable": comparable,
        "old_key": old_key,
        "new_key": new_key,
        "today": date.today(),
        "singles": [_side(c.version, date.today()) for found in offered.values() for c in found],
        "compared": None,
        "effect": None,
        "ew": words.table("effect", lang),
        "rules_dir_env": "CONVENANT_RULES_DIR",
    }
    return context


# --- the page ---------------------------------------------------------------------------------


def _chosen(keys: dict[str, str | None]) -> tuple[registry.Version, registry.Version]:
    given = _required(keys)
    old_key, new_key = given.values()
    return _from_key(old_key), _from_key(new_key)


def _compared(old: registry.Version, new: registry.Version, lang: str) -> dict[str, Any]:
    changes = compare(old.rules, new.rules)
    heading = diff_words.HEADINGS[lang]
    today = date.today()
    return {
        "covenant": new.rules.covenant.id,
        "heading": heading["title"].format(id=new.rules.covenant.id),
        "old": _side(old, today),
        "new": _side(new, today),
        "articles": _articles(old.rules, new.rules, changes, lang),
        "count": len(changes),
        "summary": (
            heading["count"].format(n=len(changes))
            if changes
            else heading["layout"]
            if old.rules.sha256 != new.rules.sha256
            else heading["none"]
        ),
    }


async def versions_page(request: Request) -> Response:
    """GET: the choice of two versions, and with `oud` and `nieuw` the comparison. POST: the same
    with the effect on an uploaded fact file."""
    lang = lang_of(request)
    upload: Upload | None = None
    try:
        if request.method == "POST":
            form = await form_of(request)
            keys = {"oud": _text(form.get("oud")), "nieuw": _text(form.get("nieuw"))}
        else:
            keys = {"oud": request.query_params.get("oud"), "nieuw": request.query_params.get("nieuw")}
        context = _view(request, keys["oud"], keys["nieuw"])
    except ConvenantError as error:
        return problem_page(request, error, status=_status(error))
    if request.method == "GET" and not (keys["oud"] or keys["nieuw"]):
        return page(request, TEMPLATE, **context)
    try:
        old, new = _chosen(keys)
        context["compared"] = _compared(old, new, lang)
        if request.method == "POST":
            upload = await upload_of(form, FACTS_FIELD, FACT_KINDS, config(request).max_upload_bytes)
            context["effect"] = _effect(_facts_effect(upload, old.rules, new.rules), lang)
            context["facts_name"] = upload.name
    except ConvenantError as error:
        source = upload.source_line if upload is not None else None
        return problem_page(request, error, TEMPLATE, source, _status(error), **context)
    return page(request, TEMPLATE, **context)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- the API ----------------------------------------------------------------------------------


async def diff_api(request: Request) -> Response:
    """GET: the JSON of `convenant diff OLD NEW --format json`. POST (a fact file in `facts`): with
    `effect`, as `--facts` adds it."""
    lang = lang_of(request)
    upload: Upload | None = None
    try:
        given = _required(
            {
                "covenant": request.query_params.get("covenant"),
                "old": request.query_params.get("old"),
                "new": request.query_params.get("new"),
            }
        )
        old = resolve(given["covenant"], given["old"]).rules
        new = resolve(given["covenant"], given["new"]).rules
        data = diff_words.to_json(old, new, compare(old, new), lang)
        if request.method == "POST":
            form = await request.form(max_files=1, max_fields=10)
            upload = await upload_of(form, API_FACTS_FIELD, FACT_KINDS, config(request).max_upload_bytes)
            data["effect"] = effect.to_json(_facts_effect(upload, old, new), lang)
    except ConvenantError as error:
        source = upload.source_line if upload is not None else None
        return problem_response(error, lang, source, _status(error))
    return json_response(data)


def routes() -> list[Route]:
    return [
        Route("/versies", versions_page, methods=["GET", "POST"], name="versions"),
        Route("/api/v1/versions/diff", diff_api, methods=["GET", "POST"], name="versions_diff"),
    ]


_PARAMETERS = [
    {
        "name": "covenant",
        "in": "query",
        "required": True,
        "schema": {"type": "string"},
        "description": "the covenant's id (covenant.id), e.g. assen",
    },
    {
        "name": "old",
        "in": "query",
        "required": True,
        "schema": {"type": "string"},
        "description": "the old version: its version number (covenant.version) or its rule file's sha256",
    },
    {
        "name": "new",
        "in": "query",
        "required": True,
        "schema": {"type": "string"},
        "description": "the new version: its version number or its rule file's sha256",
    },
    {
        "name": "lang",
        "in": "query",
        "schema": {"enum": ["nl", "en"]},
        "description": "the sentences' language",
    },
]
_PROBLEMS = {code: {"$ref": f"#/components/responses/Problem{code}"} for code in ("400", "403", "404", "422")}
_DESCRIBED = {
    "type": "object",
    "properties": {
        "rule_file": {"type": "string"},
        "sha256": {"type": "string"},
        "version": {"type": "string"},
        "valid_from": {"type": "string", "format": "date"},
        "valid_until": {"type": "string", "format": "date"},
    },
}
_DIFF = {
    "type": "object",
    "description": "the output of `convenant diff OLD NEW --format json`",
    "required": ["covenant", "old", "new", "changes"],
    "properties": {
        "covenant": {"type": "string"},
        "old": _DESCRIBED,
        "new": _DESCRIBED,
        "changes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["article", "section", "name", "field", "change", "old", "new", "text"],
                "properties": {
                    "article": {"type": ["object", "null"], "description": "artikel, lid, onder and text"},
                    "section": {"type": "string"},
                    "name": {"type": ["string", "null"]},
                    "field": {"type": ["string", "null"]},
                    "change": {"enum": ["added", "removed", "changed"]},
                    "old": {"description": "as written in the old rule file"},
                    "new": {"description": "as written in the new rule file"},
                    "text": {"type": "string", "description": "the sentence a jurist reads"},
                },
            },
        },
        "effect": {
            "type": "object",
            "description": "with a fact file (POST): `--facts`; amounts as exact decimal strings",
        },
    },
}
OPENAPI = {
    "/api/v1/versions/diff": {
        "get": {
            "summary": "Two versions of a covenant: every change per article (convenant diff --format json)",
            "parameters": _PARAMETERS,
            "responses": {
                "200": {"description": "the changes", "content": {"application/json": {"schema": _DIFF}}},
                **_PROBLEMS,
            },
        },
        "post": {
            "summary": "The changes and their effect on a fact file (convenant diff --facts --format json)",
            "parameters": _PARAMETERS,
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": [API_FACTS_FIELD],
                            "properties": {
                                API_FACTS_FIELD: {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "a fact file (.yaml) or the analysts' workbook (.xlsx)",
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "the changes and the effect",
                    "content": {"application/json": {"schema": _DIFF}},
                },
                **_PROBLEMS,
                "413": {"$ref": "#/components/responses/Problem413"},
                "415": {"$ref": "#/components/responses/Problem415"},
            },
        },
    }
}
