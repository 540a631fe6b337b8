"""What the pages and the API do with an uploaded fact file, in one place, so that both refuse it
in the same words and record it in the same register.

- `example(name)`: one of the bundled example fact files, chosen by name from a fixed list (never a
  path from the request).
- `evaluate_upload(upload)`: the upload evaluated exactly as `convenant evaluate` does, with its own
  name in every message.
- `Recorder`: where a run is written down. The application holds one (`app.state.recorder`); the
  register (`convenant.register`) is the real one, `NotRecorded` the one for a server without it.
- `RecentRuns`: the last runs of this server in memory, so that a page can link to the explanation
  of an amount without evaluating again.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import EXAMPLES_DIR
from convenant.evaluation.evaluate import Evaluation
from convenant.web.uploads import FACT_KINDS, Upload, accept, saved


def examples() -> list[str]:
    """The bundled example fact files (their names), the only files a request may name."""
    return sorted(p.name for p in EXAMPLES_DIR.glob("*.yaml") if not p.name.startswith("afzender-"))


def example(name: str) -> Upload:
    """A bundled example as if it were uploaded; an unknown name is refused."""
    if name not in examples():
        raise ConvenantError(
            [Problem("web.example_not_found", {"name": name, "known": ", ".join(examples())})]
        )
    path = EXAMPLES_DIR / name
    return accept(name, path.read_bytes(), FACT_KINDS, 2 * 1024 * 1024)


def evaluate_upload(upload: Upload) -> Evaluation:
    """The upload's evaluation, as `convenant evaluate` makes it: the rule file in force for its
    covenant and year, checked; every problem named by the upload's own name and line."""
    from convenant.workflow.session import evaluate_file

    with saved(upload) as path:
        return evaluate_file(path, None, upload.name)


@dataclass(frozen=True)
class LetterOptions:
    """What decides which letters an evaluation gives, besides the facts (as `convenant letters`)."""

    act: str | None = None
    date: str | None = None
    formats: tuple[str, ...] = ()
    profile: bytes | None = None  # a sender profile (YAML); None: the example profile for example facts
    docx_template: bytes | None = None
    profile_name: str | None = None  # the names they are shown by (an upload's own); None: the
    docx_template_name: str | None = None  # register's fixed names (afzender.yaml, huisstijl.docx)

    def sender(self) -> tuple[tuple[str, bytes] | None, tuple[str, bytes] | None]:
        """The profile and the Word template as (shown name, bytes), as `register.inputs.sender`
        and the register take them."""
        from convenant.register.inputs import DOCX_TEMPLATE_NAME, PROFILE_NAME

        profile = (self.profile_name or PROFILE_NAME, self.profile) if self.profile is not None else None
        docx = (
            (self.docx_template_name or DOCX_TEMPLATE_NAME, self.docx_template)
            if self.docx_template is not None
            else None
        )
        return profile, docx


def make_letters(evaluation: Evaluation, options: LetterOptions, lang: str) -> dict[str, bytes]:
    """The letters of an evaluation with these options, as `convenant letters` makes them, in
    memory. A profile or Word template given as bytes is shown by its own name (or the register's
    fixed one), so that the register records and makes them again under the same name: pages and
    API call this, then `recorder.letters(…)`."""
    from convenant.letters.letters import FORMATS
    from convenant.letters.letters import make_letters as make
    from convenant.register.inputs import sender

    with sender(*options.sender(), evaluation) as (signer, _layout, template, _inputs):
        formats = options.formats or FORMATS
        return make(evaluation, formats, lang, options.date, options.act, signer, template)


class Recorder(Protocol):
    """Where a run is written down, whole or not at all; each method returns the run's id."""

    def evaluation(
        self, upload: Upload, evaluation: Evaluation, outputs: Mapping[str, bytes], lang: str
    ) -> str: ...

    def letters(
        self,
        upload: Upload,
        evaluation: Evaluation,
        options: LetterOptions,
        files: Mapping[str, bytes],
        lang: str,
    ) -> str: ...


class NotRecorded:
    """A recorder that keeps nothing (a server started without a register)."""

    def evaluation(
        self, upload: Upload, evaluation: Evaluation, outputs: Mapping[str, bytes], lang: str
    ) -> str:
        return ""

    def letters(
        self,
        upload: Upload,
        evaluation: Evaluation,
        options: LetterOptions,
        files: Mapping[str, bytes],
        lang: str,
    ) -> str:
        return ""


@dataclass
class Run:
    """One evaluation of this server: its id, the upload and the evaluation."""

    id: str
    upload: Upload
    evaluation: Evaluation
    register_id: str = ""


@dataclass
class RecentRuns:
    """The last `size` runs in memory, oldest dropped first; safe across the server's threads."""

    size: int = 32
    _runs: OrderedDict[str, Run] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, upload: Upload, evaluation: Evaluation, register_id: str = "") -> Run:
        run = Run(secrets.token_urlsafe(12), upload, evaluation, register_id)
        with self._lock:
            self._runs[run.id] = run
            while len(self._runs) > self.size:
                self._runs.popitem(last=False)
        return run

    def get(self, run_id: str) -> Run:
        with self._lock:
            found = self._runs.get(run_id)
        if found is None:
            raise ConvenantError([Problem("web.run_not_found", {})])
        return found
