"""`convenant verify-letter`: is this letter exactly what these inputs give?

A letter is identified by its file (any format: its bytes) or by its kenmerk. The letters of every
act that the facts allow (or of `--act`) are made again in memory, in every format, from the facts,
the rule file in force (or `--rules`) and the sender profile; then

- a file is *identical* when a letter made again has exactly its bytes (sha256), and *different*
  when the one of the same name is not; a file that matches no letter of these inputs is *unknown*;
- a kenmerk is *found* when one of the letters made again has it; when only its inputs part
  differs (the hash of the rule file, tables, sentences, profile and facts), the inputs are not
  those the letter was made from.

Nothing is written: the letters are compared in memory.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem, UsageRefusal
from convenant.core.paths import display_path
from convenant.evaluation.evaluate import Evaluation
from convenant.letters import letterform
from convenant.letters.acts import Chosen, choose
from convenant.letters.letters import FORMATS
from convenant.letters.profile import Profile
from convenant.render.render_letter import renderers

IDENTICAL, DIFFERENT, FOUND, OTHER_INPUTS, NOT_FOUND = (
    "identical",
    "different",
    "found",
    "other_inputs",
    "not_found",
)
_INPUTS = re.compile(r"(?<![0-9a-f])[0-9a-f]{8}(?![0-9a-f])")  # the kenmerk's inputs part ({inputs})


@dataclass(frozen=True)
class Verdict:
    status: str  # IDENTICAL | DIFFERENT | FOUND | NOT_FOUND
    given: str  # the file or kenmerk as given
    name: str | None = None  # the letter made again that it is (or should be)
    kenmerk: str | None = None
    act: str | None = None
    recipient: str | None = None
    sha256: str | None = None  # of the given file
    expected: str | None = None  # sha256 of the letter made again under the same name


def _acts(ev: Evaluation, act: str | None, date_option: str | None, lang: str) -> list[Chosen]:
    """The acts to make again: `act`, or every act the facts allow (one when the rule file has none)."""
    if act is not None or not ev.rules.acts:
        return [choose(ev, act, date_option, lang)]
    chosen = []
    for name in ev.rules.acts:
        try:
            chosen.append(choose(ev, name, date_option, lang))
        except UsageRefusal:
            raise
        except ConvenantError:
            continue  # an act these facts cannot make: its letter is not among them
    return chosen


def _made(
    chosen: list[Chosen], profile: Profile, lang: str, layout: letterform.Layout | None
) -> list[tuple[Chosen, letterform.Made]]:
    return [(one, made) for one in chosen for made in letterform.documents(one, profile, lang, layout)]


def verify(
    given: str,
    ev: Evaluation,
    profile: Profile,
    lang: str,
    act: str | None = None,
    date_option: str | None = None,
    layout: letterform.Layout | None = None,
) -> Verdict:
    """Compare a letter file, or find a kenmerk, among the letters these inputs give."""
    chosen = _acts(ev, act, date_option, lang)
    path = Path(given)
    if path.is_file():
        return _file(path, chosen, profile, lang, layout)
    letters = _made(chosen, profile, lang, layout)
    for one, made in letters:
        if made.document.page.kenmerk == given:
            return Verdict(FOUND, given, made.stem, given, _act(one), _name(ev, made.code))
    for one, made in letters:  # the same letter, made from other inputs
        kenmerk = made.document.page.kenmerk
        if _INPUTS.sub("#", kenmerk) == _INPUTS.sub("#", given) and "#" in _INPUTS.sub("#", kenmerk):
            return Verdict(OTHER_INPUTS, given, made.stem, kenmerk, _act(one), _name(ev, made.code))
    return Verdict(NOT_FOUND, given)


def _act(one: Chosen) -> str | None:
    return one.act.name if one.act is not None else None


def _name(ev: Evaluation, code: str) -> str:
    return ev.label(code)


def _file(
    path: Path, chosen: list[Chosen], profile: Profile, lang: str, layout: letterform.Layout | None
) -> Verdict:
    suffix = path.suffix.lstrip(".")
    if suffix not in FORMATS:
        args = {"path": display_path(path), "formats": ", ".join(FORMATS)}
        raise UsageRefusal([Problem("verify_letter.format", args)])
    try:
        data = path.read_bytes()
    except OSError as error:
        args = {"path": display_path(path), "error": error.strerror or str(error)}
        raise ConvenantError([Problem("verify_letter.unreadable", args)]) from None
    sha = hashlib.sha256(data).hexdigest()
    render = renderers(layout.path if layout is not None else None)
    letters = [
        (one, stem, compose)
        for one in chosen
        for stem, compose in letterform.composers(one, profile, lang, layout)
    ]
    # the letter of the file's own name first (a file keeps its name): the others are composed only
    # when it is not that one; the verdict is the same, as no two letters have the same bytes
    letters.sort(key=lambda letter: letter[1] != path.stem)
    same_name = None
    for one, _, compose in letters:
        made = compose()
        again = hashlib.sha256(render[suffix](made.document)).hexdigest()
        found = (f"{made.stem}.{suffix}", made.document.page.kenmerk, _act(one), _name(one.ev, made.code))
        if again == sha:
            return Verdict(IDENTICAL, display_path(path), *found, sha, again)
        if path.stem == made.stem:
            same_name = Verdict(DIFFERENT, display_path(path), *found, sha, again)
    return same_name or Verdict(NOT_FOUND, display_path(path), sha256=sha)
