"""The one table of municipalities: CBS codes, names, dates of existence and successors.

Rule files name parties; this table gives their CBS codes. It is the only place in the project
where a CBS code is written (`rules/municipalities.yaml`).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import display_path, shown_context
from convenant.language.model import Municipality, MunicipalityTable
from convenant.source import schemas
from convenant.source.loading import Document, load_document


def check_table(doc: Document) -> MunicipalityTable:
    problems = schemas.validate(doc, schemas.MUNICIPALITIES)
    if problems:
        raise ConvenantError(problems)
    rows = doc.data["municipalities"]
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    municipalities = []
    for i, row in enumerate(rows):
        for key, seen in (("code", seen_codes), ("name", seen_names)):
            if row[key] in seen:
                problems.append(
                    Problem(
                        "municipalities.duplicate",
                        {"what": key, "value": row[key]},
                        doc.locate(("municipalities", i, key)),
                        f"municipalities[{i}].{key}",
                    )
                )
            seen[row[key]] = i
        municipalities.append(
            Municipality(
                row["code"],
                row["name"],
                date.fromisoformat(row["valid_from"]) if "valid_from" in row else None,
                date.fromisoformat(row["valid_until"]) if "valid_until" in row else None,
                row.get("successor"),
            )
        )
    codes = {m.code for m in municipalities}
    for i, m in enumerate(municipalities):
        if m.successor and m.successor not in codes:
            problems.append(
                Problem(
                    "municipalities.unknown_successor",
                    {"code": m.successor},
                    doc.locate(("municipalities", i, "successor")),
                    f"municipalities[{i}].successor",
                )
            )
    if problems:
        raise ConvenantError(problems)
    return MunicipalityTable(doc.path, doc.sha256, tuple(municipalities))


def load_table(path: Path) -> MunicipalityTable:
    """The checked table, read once per file and per way of showing files (it holds its path as
    shown, relative to the working directory: `paths.shown_context`)."""
    return _kept(path, shown_context())


@lru_cache(maxsize=64)  # a server making letters again reads tables from a new folder each time
def _kept(path: Path, shown: object) -> MunicipalityTable:
    return check_table(load_document(path, display_path(path)))


def forget() -> None:
    """Read the tables again next time (a long-running server, after a rules directory changed)."""
    _kept.cache_clear()
