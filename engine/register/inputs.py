"""A run as the register keeps it, from an evaluation and what it gave: every input the letters'
kenmerk hashes over (letterform's reproducibility block: the rule file, its tables such as
Bijlage 1, the municipalities table, the sentence templates, the sender profile, the facts and a
house-style Word template), with its bytes and the name it was shown by.

The rule file, its tables and templates are read again from where the evaluation read them, and
refused when they changed since (their sha256 is the evaluation's).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from convenant import __version__
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import display_path, on_disk, shown_as
from convenant.evaluation.evaluate import Evaluation
from convenant.register.store import Input, NewRun, Output

PROFILE_NAME = "afzender.yaml"  # a sender profile given as bytes (an upload) is shown by this name
DOCX_TEMPLATE_NAME = "huisstijl.docx"  # and a house-style Word template by this one


def _read(shown: str, sha256: str | None) -> bytes:
    path = on_disk(shown)
    try:
        data = path.read_bytes()
    except OSError as error:
        args = {"path": shown, "reason": error.strerror or str(error)}
        raise ConvenantError([Problem("register.input_unreadable", args)]) from None
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ConvenantError([Problem("register.input_changed", {"path": shown})])
    return data


def rule_inputs(ev: Evaluation) -> list[Input]:
    """The rule file, its data tables, the municipalities table and the sentence templates."""
    from convenant.render.templating import sentence_dir

    rules = ev.rules
    found = [Input("rules", Path(rules.path).name, rules.path, _read(rules.path, rules.sha256))]
    for key, table in rules.tables.items():
        found.append(Input("bijlage", key, table.path, _read(table.path, table.sha256)))
    listed = rules.municipalities
    found.append(
        Input("municipalities", Path(listed.path).name, listed.path, _read(listed.path, listed.sha256))
    )
    folder = sentence_dir(rules.path)
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            shown = display_path(path)
            found.append(Input("templates", path.relative_to(folder).as_posix(), shown, _read(shown, None)))
    return found


def facts_input(ev: Evaluation, data: bytes) -> Input:
    if hashlib.sha256(data).hexdigest() != ev.facts.sha256:
        raise ConvenantError([Problem("register.input_changed", {"path": ev.facts.path})])
    return Input("facts", Path(ev.facts.path).name, ev.facts.path, data)


def _run(
    ev: Evaluation, kind: str, inputs: list[Input], outputs: list[Output], lang: str, **more: Any
) -> NewRun:
    c = ev.rules.covenant
    return NewRun(
        kind=kind,
        covenant=c.id,
        version=str(c.version),
        year=ev.facts.year,
        facts_name=ev.facts.path,
        facts_sha256=ev.facts.sha256,
        rules_sha256=ev.rules.sha256,
        engine_version=__version__,
        lang=lang,
        illustrative=bool(ev.facts.illustrative),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        **more,
    )


def evaluation_run(ev: Evaluation, facts: bytes, outputs: Mapping[str, bytes], lang: str) -> NewRun:
    """An evaluation: its facts and rules, and the files it gave (such as the JSON of the results)."""
    made = [Output(n, hashlib.sha256(d).hexdigest(), len(d)) for n, d in outputs.items()]
    return _run(ev, "evaluation", [facts_input(ev, facts), *rule_inputs(ev)], made, lang)


@contextmanager
def sender(
    profile: tuple[str, bytes] | None, docx: tuple[str, bytes] | None, ev: Evaluation | None = None
) -> Iterator[tuple[Any, Any, Path | None, list[Input]]]:
    """The sender profile and house-style template as the letters used them, from their bytes,
    each shown by its own name: (Profile, Layout or None, the template's path, their inputs). No
    profile: the example profile that signs example facts (`profile.for_letters`)."""
    from convenant.letters.letters import house_style
    from convenant.letters.profile import for_letters, load_profile

    with tempfile.TemporaryDirectory(prefix="convenant-sender-") as folder:
        names: dict[Path, str] = {}
        paths: dict[str, Path] = {}
        for role, given in (("profile", profile), ("docx_template", docx)):
            if given is not None:
                path = Path(folder) / role / safe_name(Path(given[0]).name)
                path.parent.mkdir()
                path.write_bytes(given[1])
                names[path], paths[role] = given[0], path
        with shown_as(names):
            inputs = []
            if profile is not None:
                signer = load_profile(paths["profile"])
                inputs.append(Input("profile", paths["profile"].name, profile[0], profile[1]))
            else:
                assert ev is not None
                signer = for_letters(ev)
                inputs.append(
                    Input("profile", Path(signer.path).name, signer.path, _read(signer.path, signer.sha256))
                )
            template = paths.get("docx_template")
            layout = house_style(template)
            if docx is not None and template is not None:
                inputs.append(Input("docx_template", template.name, docx[0], docx[1]))
            yield signer, layout, template, inputs


def safe_name(name: str) -> str:
    """A stored name as a file name in the register's own temporary folder: never a way out of it."""
    parts = Path(name).parts
    if not parts or Path(name).is_absolute() or any(p in ("", ".", "..") for p in parts) or "\\" in name:
        raise ConvenantError([Problem("register.unsafe_name", {"name": name})])
    return name


def letters_run(
    ev: Evaluation,
    facts: bytes,
    files: Mapping[str, bytes],
    lang: str,
    act: str | None,
    date_option: str | None,
    formats: tuple[str, ...],
    profile: tuple[str, bytes] | None = None,
    docx: tuple[str, bytes] | None = None,
) -> NewRun:
    """A set of letters: every input their kenmerk names, and each file with the kenmerk and
    recipient of its letter. `profile`, `docx`: (the name shown, the bytes) as the letters used
    them; no profile: the example profile (example facts)."""
    from convenant.letters.acts import choose
    from convenant.letters.letterform import kenmerken
    from convenant.letters.letters import FORMATS

    chosen = choose(ev, act, date_option, lang)
    with sender(profile, docx, ev) as (signer, layout, _, sent):
        letters = kenmerken(chosen, signer, lang, layout)
    made = []
    for name, data in files.items():
        stem = next((s for s in letters if name.startswith(f"{s}.")), None)
        code, kenmerk = letters[stem] if stem is not None else (None, None)
        recipient = ev.label(code) if code is not None else None
        made.append(Output(name, hashlib.sha256(data).hexdigest(), len(data), kenmerk, code, recipient))
    inputs = [facts_input(ev, facts), *rule_inputs(ev), *sent]
    act_chosen = chosen.act.name if chosen.act is not None else None
    return _run(
        ev,
        "letters",
        inputs,
        made,
        lang,
        act=act,
        act_chosen=act_chosen,
        date_option=date_option,
        formats=tuple(formats) or FORMATS,
    )
