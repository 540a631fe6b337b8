"""The letters page and `POST /api/v1/letters`: the letters of one act, made as `convenant letters`
makes them, kept in memory as a set, previewed, and downloaded as one zip with `brieven.sha256`.

- `GET /brieven`: the form: the facts (an upload or a bundled example), the act (every act of
  every covenant by name; none chosen: the first that applies, as without `--act`), the letter's
  date, a sender profile and a house-style Word template (both optional for example facts).
- `POST /brieven`: the letters made in memory (`letters.make_letters`), recorded in the register,
  kept as a set (`LetterSet`), and the reader sent to `GET /brieven/<set>`.
- `GET /brieven/<set>`: one row per letter (municipality, receives/pays, amount, deadline,
  kenmerk) with a link to every format, and the zip's sha256.
- `GET /brieven/<set>/<file>`: one file of the set, named by the set's own list (never the file
  system). The HTML letter is a standalone page with its own `<style>` (and style attributes), so
  that one response carries its own content security policy: inline style, and nothing else (no
  script, no connection, no frame); every other page keeps `style-src 'self'`.
- `GET /brieven/<set>/brieven.zip`: every letter and digital annex, and `brieven.sha256`.

Uploaded profiles and templates are saved under fixed names in a private temporary folder while
the letters are made; their own names are only shown (in messages, and the profile's in the
letters' reproducibility block).
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from convenant.check import registry
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.evaluation.evaluate import Evaluation
from convenant.letters.letters import FORMATS
from convenant.web import runs, uploads
from convenant.web.common import config, form_of, lang_of, page, problem_page, problem_response
from convenant.web.kept import Kept
from convenant.web.uploads import DOCX, FACT_KINDS, YAML, Upload

ZIP_NAME = "brieven.zip"
MAX_PROFILE_BYTES = 256 * 1024
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
LETTER_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MEDIA = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ZIP_TIME = (2000, 1, 1, 0, 0, 0)  # every entry's time: the same letters give the same zip


@dataclass(frozen=True)
class Row:
    """One letter of the set as the page lists it."""

    code: str
    name: str
    own: bool  # the centrumgemeente's record for its own administration
    kenmerk: str
    stem: str
    settlements: tuple[Any, ...]  # letters.settlements.Settlement: direction, amount, deadline


@dataclass(frozen=True)
class LetterSet:
    """The letters of one request: the files, the zip of them and what the page shows."""

    id: str
    facts: str  # the fact file's name as uploaded (or the example's)
    covenant: str
    act: str | None
    act_title: str | None
    when: str  # the letters' date, ISO
    rows: tuple[Row, ...]
    files: Mapping[str, bytes]
    zip: bytes
    register_id: str

    @property
    def day(self) -> date:
        """The letters' date, for the page to say in its reader's language."""
        return date.fromisoformat(self.when)

    @property
    def zip_sha256(self) -> str:
        return hashlib.sha256(self.zip).hexdigest()

    def formats(self, stem: str) -> list[str]:
        return [name for name in self.files if name.startswith(stem + ".")]


def letter_zip(files: Mapping[str, bytes]) -> bytes:
    """Every file and `brieven.sha256` (the letters' manifest) in one zip, the same bytes for the
    same letters."""
    from convenant.letters.letters import MANIFEST, manifest

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*sorted(files.items()), (MANIFEST, manifest(files))]:
            entry = zipfile.ZipInfo(name, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return out.getvalue()


def act_choices() -> list[dict[str, Any]]:
    """Every act of every covenant's versions, by covenant, each act once (by name)."""
    out = []
    for covenant in registry.known_covenants():
        found = registry.versions(covenant)
        acts: dict[str, str] = {}
        for version in found:
            for act in version.rules.acts.values():
                acts.setdefault(act.name, act.title.replace("{jaar}", "…"))
        if acts:
            title = found[-1].rules.covenant.title if found else covenant
            out.append({"covenant": covenant, "title": title, "acts": list(acts.items())})
    return out


@dataclass(frozen=True)
class Asked:
    """What a request asks for: the facts, and what decides which letters they give."""

    facts: Upload
    act: str | None = None
    date: str | None = None
    formats: tuple[str, ...] = ()
    profile: Upload | None = None
    docx_template: Upload | None = None

    def source(self, path: str, line: int) -> str | None:
        """The line of an upload a message points at (the facts' or the profile's)."""
        for upload in (self.facts, self.profile):
            if upload is not None and (found := upload.source_line(path, line)) is not None:
                return found
        return None

    @property
    def options(self) -> runs.LetterOptions:
        return runs.LetterOptions(
            act=self.act,
            date=self.date,
            formats=self.formats,
            profile=self.profile.data if self.profile else None,
            docx_template=self.docx_template.data if self.docx_template else None,
            profile_name=self.profile.name if self.profile else None,
            docx_template_name=self.docx_template.name if self.docx_template else None,
        )


@dataclass(frozen=True)
class Made:
    evaluation: Evaluation
    files: dict[str, bytes]
    rows: tuple[Row, ...]
    act: str | None
    act_title: str | None
    when: str


def make(asked: Asked, lang: str) -> Made:
    """The letters `convenant letters` makes for these inputs, in memory, with their listing."""
    from convenant.letters import letterform, letters
    from convenant.letters.acts import choose
    from convenant.letters.settlements import _Composer
    from convenant.letters.template_check import check_templates
    from convenant.register.inputs import sender

    ev = runs.evaluate_upload(asked.facts)
    choose(ev, asked.act, asked.date, lang)  # an act or date these facts cannot have: said before any work
    check_templates(ev.rules, disk=True)
    formats = asked.formats or letters.FORMATS
    # the profile and the template shown by their uploaded names, exactly as runs.make_letters and
    # the register show them: a letter made again from the register is then byte-identical
    with sender(*asked.options.sender(), ev) as (profile, layout, template, _inputs):
        files = letters.make_letters(ev, formats, lang, asked.date, asked.act, profile, template)
        chosen = choose(ev, asked.act, asked.date, lang)
        composer = _Composer(chosen, "md", lang)
        names = {m.code: m.name for m in chosen.ev.parties.members}
        rows = []
        for made in letterform.documents(chosen, profile, lang, layout):
            settled = tuple(
                composer.settlement(rule.name, made.code, made.own)
                for rule in composer.settled
                if composer.applies(rule.name, made.code)
            )
            kenmerk = made.document.page.kenmerk
            rows.append(Row(made.code, names[made.code], made.own, kenmerk, made.stem, settled))
    act = chosen.act
    return Made(
        ev,
        files,
        tuple(rows),
        act.name if act else None,
        act.titled(ev.facts.year) if act else None,
        chosen.when.isoformat(),
    )


def _letter_sets(request: Request) -> Kept[LetterSet]:
    sets: Kept[LetterSet] = request.app.state.letter_sets
    return sets


def given(item: Any) -> bool:
    """A file field the reader filled in (a form sends an empty one for a field left empty)."""
    return isinstance(item, UploadFile) and bool(item.filename)


async def _read(item: UploadFile, limit: int) -> bytes:
    return await item.read(limit + 1)


async def asked_of(form: Any, request: Request, query: Mapping[str, Any] | None = None) -> Asked:
    """The inputs of a form (the page) or of a multipart request with its query (the API)."""
    limit = config(request).max_upload_bytes
    fields: Mapping[str, Any] = query if query is not None else form
    item = form.get("facts")
    if given(item):
        facts = uploads.accept(item.filename, await _read(item, limit), FACT_KINDS, limit)
    elif query is None and isinstance(form.get("example"), str) and form.get("example"):
        facts = runs.example(form["example"])
    else:
        raise ConvenantError([Problem("web.upload_missing", {"field": "facts"})])
    profile = form.get("profile")
    template = form.get("docx_template")
    formats = () if query is not None else _formats([f for f in form.getlist("format") if isinstance(f, str)])
    act = fields.get("act") or None
    date = fields.get("date") or None
    return Asked(
        facts,
        act.strip() if isinstance(act, str) else None,
        date.strip() if isinstance(date, str) else None,
        formats,
        profile=(
            uploads.accept(
                profile.filename, await _read(profile, MAX_PROFILE_BYTES), (YAML,), MAX_PROFILE_BYTES
            )
            if given(profile)
            else None
        ),
        docx_template=(
            uploads.accept(
                template.filename, await _read(template, MAX_TEMPLATE_BYTES), (DOCX,), MAX_TEMPLATE_BYTES
            )
            if given(template)
            else None
        ),
    )


def _formats(given: list[str]) -> tuple[str, ...]:
    """The formats asked for, in the letters' own order; none: every format. An unknown one is
    refused with the command's words."""
    unknown = [f for f in given if f not in FORMATS]
    if unknown:
        raise ConvenantError(
            [Problem("web.letters_format", {"given": ", ".join(unknown), "known": ", ".join(FORMATS)})]
        )
    return tuple(f for f in FORMATS if f in given)


def _form(request: Request, status: int = 200, chosen_formats: tuple[str, ...] = (), **more: Any) -> Response:
    return page(
        request,
        "letters.html.j2",
        status=status,
        formats=FORMATS,
        chosen_formats=chosen_formats,
        examples=runs.examples(),
        choices=act_choices(),
        chosen={"example": "", "act": "", "date": ""},
        problems=[],
        **more,
    )


async def letters_form(request: Request) -> Response:
    """The form: facts, act, date, profile and house style."""
    if request.method == "GET":
        return _form(request)
    lang = lang_of(request)
    asked: Asked | None = None
    chosen = {"example": "", "act": "", "date": ""}
    try:
        form = await form_of(request)
        chosen = {k: v if isinstance(v := form.get(k), str) else "" for k in chosen}
        asked = await asked_of(form, request)
        made = await run_in_threadpool(make, asked, lang)
        register_id = request.app.state.recorder.letters(
            asked.facts, made.evaluation, asked.options, made.files, lang
        )
    except ConvenantError as error:
        return problem_page(
            request,
            error,
            "letters.html.j2",
            source=asked.source if asked else None,
            status=403 if any(p.code == "web.csrf" for p in error.problems) else None,
            examples=runs.examples(),
            choices=act_choices(),
            chosen=chosen,
            formats=FORMATS,
            chosen_formats=asked.formats if asked else (),
        )
    kept = _letter_sets(request).add(
        lambda key: LetterSet(
            key,
            asked.facts.name,
            made.evaluation.rules.covenant.id,
            made.act,
            made.act_title,
            made.when,
            made.rows,
            made.files,
            letter_zip(made.files),
            register_id,
        )
    )
    return RedirectResponse(f"/brieven/{kept.id}", status_code=303)


def letter_set(request: Request) -> Response:
    """One set: a row per letter, the formats, the zip and its sha256."""
    try:
        found = _letter_sets(request).get(request.path_params["set"])
    except ConvenantError as error:
        return problem_page(request, error, "letters_set.html.j2", found=None)
    return page(request, "letters_set.html.j2", found=found, problems=[])


def letter_file(request: Request) -> Response:
    """One file of a set, named by the set's own list; the zip of them all."""
    name = request.path_params["name"]
    try:
        found = _letter_sets(request).get(request.path_params["set"])
        if name != ZIP_NAME and name not in found.files:
            raise ConvenantError([Problem("web.letter_not_found", {"name": name[:80]})])
    except ConvenantError as error:
        return problem_page(request, error, "letters_set.html.j2", found=None)
    if name == ZIP_NAME:
        return _attachment(found.zip, "application/zip", ZIP_NAME)
    fmt = name.rsplit(".", 1)[-1]
    if fmt == "html":  # the preview: the standalone letter with its own style, and nothing else
        return Response(
            found.files[name],
            media_type=MEDIA["html"],
            headers={"content-security-policy": LETTER_CSP},
        )
    return _attachment(found.files[name], MEDIA.get(fmt, "application/octet-stream"), name)


def _attachment(data: bytes, media: str, name: str) -> Response:
    return Response(data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


async def api_letters(request: Request) -> Response:
    """`POST /api/v1/letters`: the letters of the facts as a zip, with brieven.sha256."""
    lang = lang_of(request)
    asked: Asked | None = None
    try:
        form = await request.form(max_files=3, max_fields=10)
        formats = _formats(request.query_params.getlist("format"))
        asked = await asked_of(form, request, request.query_params)
        asked = Asked(asked.facts, asked.act, asked.date, formats, asked.profile, asked.docx_template)
        made = await run_in_threadpool(make, asked, lang)
        register_id = request.app.state.recorder.letters(
            asked.facts, made.evaluation, asked.options, made.files, lang
        )
    except ConvenantError as error:
        return problem_response(error, lang, asked.source if asked else None)
    response = _attachment(letter_zip(made.files), "application/zip", ZIP_NAME)
    if register_id:
        response.headers["x-convenant-register-id"] = register_id
    return response


_ZIP_CONTENT = {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
_PROBLEMS = {
    code: {"$ref": f"#/components/responses/Problem{code}"}
    for code in ("400", "403", "404", "413", "415", "422")
}

OPENAPI = {
    "/api/v1/letters": {
        "post": {
            "summary": "The letters of one act (convenant letters), as a zip with brieven.sha256",
            "description": (
                "Every letter of the act in every format asked for (default: md, html, pdf, docx), each "
                "with its digital annex (<stem>.toelichting.md), and brieven.sha256 listing every file "
                "with its sha256. Example facts are signed by the covenant's example profile; real facts "
                "need the centrumgemeente's own sender profile."
            ),
            "parameters": [
                {
                    "name": "act",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "the act (Assen: voorlopig_aandeel, definitief_aandeel; Groningen: "
                    "mededeling, besluit_achteraf); without it, the first act that applies",
                },
                {
                    "name": "date",
                    "in": "query",
                    "schema": {"type": "string"},
                    "description": "the letters' date (YYYY-MM-DD or 'vandaag'), as --date",
                },
                {
                    "name": "format",
                    "in": "query",
                    "schema": {"type": "array", "items": {"enum": ["md", "html", "pdf", "docx"]}},
                    "style": "form",
                    "explode": True,
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["facts"],
                            "properties": {
                                "facts": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "YAML or XLSX",
                                },
                                "profile": {"type": "string", "format": "binary", "description": "YAML"},
                                "docx_template": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": ".docx",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {"200": {"description": "the letters", "content": _ZIP_CONTENT}, **_PROBLEMS},
            "security": [{}, {"token": []}],
        }
    }
}


def routes() -> list[Route]:
    return [
        Route("/brieven", letters_form, methods=["GET", "POST"], name="letters"),
        Route("/brieven/{set}", letter_set, name="letter_set"),
        Route("/brieven/{set}/{name}", letter_file, name="letter_file"),
        Route("/api/v1/letters", api_letters, methods=["POST"], name="api_letters"),
    ]
