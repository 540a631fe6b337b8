"""The register as the recorder of runs: of the web application (`convenant.web.runs.Recorder`:
`evaluation(…)` and `letters(…)`, each returning the run's id) and of `convenant letters --register`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from convenant.core.paths import display_path
from convenant.evaluation.evaluate import Evaluation
from convenant.register.inputs import _read, evaluation_run, letters_run
from convenant.register.store import Register, shown_location


class RecordingRegister(Register):
    """The register, recording what the application's pages and API make."""

    def evaluation(self, upload: Any, evaluation: Any, outputs: Any, lang: str) -> str:
        return self.record(evaluation_run(evaluation, upload.data, outputs, lang))

    def letters(self, upload: Any, evaluation: Any, options: Any, files: Any, lang: str) -> str:
        profile, docx = options.sender()  # shown by the names the letters were made with
        run = letters_run(
            evaluation, upload.data, files, lang, options.act, options.date, options.formats, profile, docx
        )
        return self.record(run)


def recorder(
    location: str | None,
    facts: Path,
    lang: str,
    act: str | None,
    date_option: str | None,
    formats: tuple[str, ...],
    profile_file: Path | None,
    docx_template: Path | None,
    said: Callable[[str, str], None],
) -> Callable[[Evaluation, dict[str, bytes]], None]:
    """`convenant letters --register`: write the letters' run into the register once they are
    written; `said(place, id)` tells where. The register is opened before any letter is made, so
    that a register that cannot be opened stops the command before it writes anything."""
    register = Register.open(location)

    def record(ev: Evaluation, files: dict[str, bytes]) -> None:
        profile = (display_path(profile_file), _read(str(profile_file), None)) if profile_file else None
        docx = (str(docx_template), _read(str(docx_template), None)) if docx_template else None
        data = _read(str(facts), ev.facts.sha256)
        run = letters_run(ev, data, files, lang, act, date_option, formats, profile, docx)
        try:
            said(shown_location(register.location), register.record(run))
        finally:
            register.close()

    return record
