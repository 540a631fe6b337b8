"""Stand-ins for the web tests: a recorder that keeps its calls, so a test can see what would have
been written to the register (and that a refused request wrote nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RecordingRecorder:
    """A `runs.Recorder` that keeps every call and returns run-1, run-2, …"""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def evaluation(self, upload: Any, evaluation: Any, outputs: Mapping[str, bytes], lang: str) -> str:
        self.calls.append(
            {"upload": upload, "evaluation": evaluation, "outputs": dict(outputs), "lang": lang}
        )
        return f"run-{len(self.calls)}"

    def letters(
        self, upload: Any, evaluation: Any, options: Any, files: Mapping[str, bytes], lang: str
    ) -> str:
        self.calls.append({"upload": upload, "evaluation": evaluation, "files": dict(files), "lang": lang})
        return f"run-{len(self.calls)}"
