"""The legal-staff guide explains every message the tool can give, in Dutch, from the catalogue
itself (so it cannot go stale), and every message code the engine raises is in the catalogue."""

from __future__ import annotations

import os
import re

from convenant.core.messages import CATALOGUE
from convenant.workflow.message_table import BEGIN, END, replace_section, table
from tests.paths import REPO_ROOT

GUIDE = REPO_ROOT / "docs" / "legal-staff.md"


def test_the_guide_has_the_current_table_of_messages():
    text = GUIDE.read_text(encoding="utf-8")
    if os.environ.get("CONVENANT_UPDATE_DOCS"):
        GUIDE.write_text(replace_section(text), encoding="utf-8")
        text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert section == table(), "run: CONVENANT_UPDATE_DOCS=1 .venv/bin/pytest tests/test_workflow_docs.py"


def test_the_table_names_every_code_once_with_its_dutch_words():
    generated = table()
    for code, words in CATALOGUE.items():
        assert generated.count(f"| `{code}` |") == 1, code
        start = words["nl"][0].split("{")[0].strip()
        assert start.replace("*", "\\*").replace("|", "\\|") in generated, code
    assert "{" not in generated  # placeholders are shown as …


def test_every_code_the_engine_raises_is_in_the_catalogue():
    raised = set()
    pattern = re.compile(r"""(?:Problem|add|_refuse|fail|problem|error)\(\s*f?["']([a-z_]+\.[a-z_]+)["']""")
    for path in (REPO_ROOT / "engine").rglob("*.py"):
        raised |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert raised, "the pattern found no codes"
    internal = {"expr.division_by_zero"}  # caught by evaluate and reported as evaluate.division_by_zero
    assert sorted(raised - set(CATALOGUE) - internal) == []
