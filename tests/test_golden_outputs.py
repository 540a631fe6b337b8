"""The outputs of every shipped example stay as they are, byte for byte: the evaluation (JSON and
table), the explanations (md, html; Dutch and English) and every letter (md, html, pdf).

`tests/golden/<example>/` keeps the JSON and the Dutch Markdown explanation in full (so a change
shows as a readable diff) and the sha256 of every output in `outputs.sha256`. After an intended
change, check it by eye and refresh them with:
    CONVENANT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_outputs.py
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

import pytest

from tests.examples_support import EXAMPLES, TEXT
from tests.paths import REPO_ROOT

GOLDEN = REPO_ROOT / "tests" / "golden"
UPDATE = "CONVENANT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_outputs.py"


def manifest(found: Mapping[str, bytes]) -> str:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(found.items()))


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_output_of_the_example_is_unchanged(example, tmp_path, rendered):
    found = rendered(example).outputs  # outputs(evaluated(example)), made once for the whole test run
    folder = GOLDEN / example
    if os.environ.get("CONVENANT_UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        for name in TEXT:
            (folder / name).write_bytes(found[name])
        (folder / "outputs.sha256").write_text(manifest(found), encoding="utf-8")
    for name in TEXT:  # the readable ones first: their difference is the message
        assert found[name].decode() == (folder / name).read_text(encoding="utf-8"), f"{name}; {UPDATE}"
    expected = (folder / "outputs.sha256").read_text(encoding="utf-8")
    if manifest(found) != expected:
        for name, data in found.items():  # left for inspection
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(data)
    assert manifest(found) == expected, f"outputs written to {tmp_path}; {UPDATE}"
