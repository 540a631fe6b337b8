"""The table of every message code with its Dutch words, for docs/legal-staff.md.

Generated from `engine.messages.CATALOGUE`, so the guide cannot go stale: a test compares the
section between the markers with this output. Regenerate the section with

    CONVENANT_UPDATE_DOCS=1 .venv/bin/pytest tests/test_workflow_docs.py
"""

from __future__ import annotations

import re

from convenant.core.messages import CATALOGUE

BEGIN, END = "<!-- meldingen:begin (gegenereerd) -->", "<!-- meldingen:end -->"
GROUPS = {
    "file": "Bestanden",
    "yaml": "YAML: hoe het bestand geschreven is",
    "schema": "Velden en hun waarden (schema)",
    "value": "Waarden in hun eenheid",
    "municipalities": "De tabel van gemeenten",
    "rules": "Het regelbestand: namen, artikelen, eenheden",
    "expr": "Berekeningen en voorwaarden",
    "facts": "Het feitenbestand",
    "workbook": "De feitenwerkmap (Excel, convenant template)",
    "registry": "Welke versie geldt",
    "evaluate": "Doorrekenen",
    "date": "Termijnen",
    "versions": "Versies naast elkaar",
    "new_version": "Een nieuwe versie maken",
    "diff": "Verschillen tussen versies",
    "verify": "Bewijzen",
    "output": "Uitvoer: waar een commando schrijft",
    "usage": "De opdrachtregel",
    "web": "De webtoepassing (convenant serve)",
}


def _cell(text: str) -> str:
    """A catalogue text as a table cell: placeholders as …, pipes escaped."""
    text = re.sub(r"\{[a-z_]+\}", "…", text)
    text = re.sub(r"…(\s*…)+", "…", text)
    return text.replace("|", "\\|").replace("*", "\\*").strip()


def table() -> str:
    """Per group a small table: code, what is wrong, what to do (in Dutch)."""
    groups: dict[str, list[str]] = {}
    for code in CATALOGUE:
        groups.setdefault(code.split(".")[0], []).append(code)
    out = [BEGIN]
    for group, codes in groups.items():
        out += [
            "",
            f"#### {GROUPS.get(group, group)}",
            "",
            "| code | wat er mis is | wat u kunt doen |",
            "|---|---|---|",
        ]
        for code in codes:
            what, todo = CATALOGUE[code]["nl"]
            out.append(f"| `{code}` | {_cell(what)} | {_cell(todo)} |")
    out += ["", END]
    return "\n".join(out)


def replace_section(text: str) -> str:
    """`text` with the section between the markers replaced by the current table."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + table() + text[end:]
