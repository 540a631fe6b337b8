"""Data tables beside a rule file (Bijlage 1): load them strictly, and report what does not add up.

A table is the print of a spreadsheet, transcribed as faithfully as possible; every OCR correction
is recorded with the original reading and the reason. The sums are checked and reported as findings
(aggregate rows against their parts, column totals against the printed totals, totals that are not
100 %, a row's columns against its totals), each classified as exact, within the rounding of the
print, or not adding up. Findings are warnings: the table is kept as printed, never silently fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.paths import display_path, shown_context
from convenant.core.units import Kind, ValueProblem, parse_value
from convenant.language.model import Correction, MunicipalityTable, Table, TableColumn, TableRow
from convenant.source import schemas
from convenant.source.loading import Document, load_document

TOTALS_ROW = "totalen"
HUNDRED = Fraction(1)
EXACT, ROUNDING, OFF = "exact", "rounding", "off"  # a checked sum; in words: report.table.status.*


@dataclass(frozen=True)
class Finding:
    """One sum checked: what was added, what it should be, and how far apart they are."""

    check: str  # aggregate | column_total | total_100 | row_total
    subject: str  # the row or column concerned
    column: str | None
    computed: Fraction
    expected: Fraction | None  # None: the printed value is unreadable
    tolerance: Fraction  # the rounding of the print

    @property
    def status(self) -> str:
        if self.expected is None:
            return OFF
        difference = abs(self.computed - self.expected)
        return EXACT if difference == 0 else ROUNDING if difference <= self.tolerance else OFF


def _decimals(text: str | None) -> int:
    if not text or "," not in text.replace(".", ","):
        return 0
    return len(text.replace(".", ",").split(",")[1].rstrip("% "))


def _half_unit(decimals: int) -> Fraction:
    """Half a unit of the last printed decimal of a percentage, as a ratio."""
    return Fraction(1, 2 * 10**decimals) / 100


def _percentage(
    raw: str | None, doc: Document, path: tuple[str | int, ...], problems: list[Problem]
) -> Fraction | None:
    if raw is None:
        return None
    try:
        return parse_value(Kind.PERCENTAGE, raw)
    except ValueProblem as problem:
        problems.append(
            Problem(
                problem.code,
                {**problem.args_, "unit": Kind.PERCENTAGE},
                doc.locate(path),
                schemas.field_name(path),
            )
        )
        return None


def load_table(path: Path, municipalities: MunicipalityTable) -> Table:
    """Read and check a table file; raise ConvenantError with every structural problem. Read once
    per file and per way of showing files (it holds its path as shown: `paths.shown_context`)."""
    return _kept(path, municipalities, shown_context())


def forget() -> None:
    """Read the tables again next time (a long-running server, after a rules directory changed)."""
    _kept.cache_clear()


@lru_cache(maxsize=64)  # bounded: each reproduction reads its tables from a new folder
def _kept(path: Path, municipalities: MunicipalityTable, shown: object) -> Table:
    doc = load_document(path, display_path(path))
    problems = schemas.validate(doc, schemas.TABLE)
    if problems:
        raise ConvenantError(problems)
    data = doc.data
    columns = tuple(
        TableColumn(c["id"], c["title"], c.get("subtitle"), bool(c.get("total", False)))
        for c in data["columns"]
    )
    ids = [c.id for c in columns]
    article = Citation.parse(data["table"]["article"])
    rows, labels = [], set()
    for i, entry in enumerate(data["rows"]):
        path_ = ("rows", i)
        if len(entry["values"]) != len(columns):
            problems.append(
                Problem(
                    "table.row_length",
                    {"label": entry["label"], "found": len(entry["values"]), "expected": len(columns)},
                    doc.locate((*path_, "values")),
                    schemas.field_name((*path_, "values")),
                    article,
                )
            )
            continue
        if entry["label"] in labels:
            problems.append(
                Problem(
                    "table.duplicate_row",
                    {"label": entry["label"]},
                    doc.locate((*path_, "label")),
                    schemas.field_name((*path_, "label")),
                    article,
                )
            )
        labels.add(entry["label"])
        name = entry.get("municipality")
        if name is not None and municipalities.by_name(name) is None:
            problems.append(
                Problem(
                    "rules.unknown_municipality",
                    {
                        "name": name,
                        "suggestions": municipalities.closest_names(name),
                        "table": municipalities.path,
                    },
                    doc.locate((*path_, "municipality")),
                    schemas.field_name((*path_, "municipality")),
                    article,
                )
            )
        values = {
            c: _percentage(v, doc, (*path_, "values", j), problems)
            for j, (c, v) in enumerate(zip(ids, entry["values"], strict=True))
        }
        rows.append(
            TableRow(
                entry["label"],
                name,
                entry.get("row"),
                tuple(entry.get("parts", [])),
                values,
                entry.get("note"),
            )
        )
    for i, row in enumerate(rows):
        for part in row.parts:
            if part not in labels:
                problems.append(
                    Problem(
                        "table.unknown_part",
                        {"label": row.label, "part": part},
                        doc.locate(("rows", i, "parts")),
                        f"rows[{i}].parts",
                        article,
                    )
                )
    if len(data["printed_totals"]) != len(columns):
        problems.append(
            Problem(
                "table.row_length",
                {"label": TOTALS_ROW, "found": len(data["printed_totals"]), "expected": len(columns)},
                doc.locate(("printed_totals",)),
                "printed_totals",
                article,
            )
        )
    totals = {
        c: _percentage(v, doc, ("printed_totals", j), problems)
        for j, (c, v) in enumerate(zip(ids, data["printed_totals"], strict=False))
    }
    corrections = tuple(
        Correction(c["row"], c["field"], c["original"], c["corrected"], c["reason"])
        for c in data["corrections"]
    )
    decimals = {c: _decimals(v) for c, v in zip(ids, data["printed_totals"], strict=False)}
    table = Table(
        doc.path,
        doc.sha256,
        data["table"]["title"],
        data["table"].get("source"),
        columns,
        tuple(rows),
        totals,
        decimals,
        corrections,
    )
    problems += _check_corrections(table, doc, data, article)
    if problems:
        raise ConvenantError(problems)
    return table


def _check_corrections(table: Table, doc: Document, data: dict, article: Citation) -> list[Problem]:
    """Each correction must match what the table holds: the record and the data cannot drift apart."""
    problems = []
    ids = {c.id for c in table.columns}
    for i, c in enumerate(table.corrections):
        path = ("corrections", i)
        row = table.row(c.row)
        if c.row == TOTALS_ROW:
            held = (
                data["printed_totals"][[col.id for col in table.columns].index(c.field)]
                if c.field in ids
                else None
            )
        elif row is None:
            problems.append(
                Problem(
                    "table.correction_row",
                    {"row": c.row},
                    doc.locate((*path, "row")),
                    schemas.field_name((*path, "row")),
                    article,
                )
            )
            continue
        elif c.field == "label":
            held = row.label
        elif c.field in ids:
            held = data["rows"][table.rows.index(row)]["values"][
                [col.id for col in table.columns].index(c.field)
            ]
        else:
            problems.append(
                Problem(
                    "table.correction_field",
                    {"field": c.field, "known": ", ".join(sorted(ids))},
                    doc.locate((*path, "field")),
                    schemas.field_name((*path, "field")),
                    article,
                )
            )
            continue
        if held != c.corrected:
            problems.append(
                Problem(
                    "table.correction_mismatch",
                    {"row": c.row, "field": c.field, "corrected": c.corrected, "held": held},
                    doc.locate((*path, "corrected")),
                    schemas.field_name((*path, "corrected")),
                    article,
                )
            )
    return problems


def findings(table: Table) -> list[Finding]:
    """Every sum in the table, checked: aggregates against their parts, column totals against the
    printed totals, the key columns against 100 %, and each row's key columns against its totals."""
    key_columns = [c for c in table.columns if not c.total]
    total_columns = [c for c in table.columns if c.total]
    half = _half_unit(2)  # the rows are printed with two decimals
    found: list[Finding] = []
    parts_of = {part for row in table.rows for part in row.parts}
    top = [r for r in table.rows if r.label not in parts_of]
    for row in table.rows:
        parts = [p for p in (table.row(label) for label in row.parts) if p is not None]
        for column in table.columns if parts else ():
            computed = sum((p.values[column.id] or Fraction(0) for p in parts), Fraction(0))
            found.append(
                Finding(
                    "aggregate",
                    row.label,
                    column.id,
                    computed,
                    row.values[column.id],
                    half * (len(parts) + 1),
                )
            )
    for column in table.columns:
        computed = sum((r.values[column.id] or Fraction(0) for r in top), Fraction(0))
        found.append(
            Finding(
                "column_total",
                column.id,
                column.id,
                computed,
                table.printed_totals.get(column.id),
                _half_unit(table.printed_decimals.get(column.id, 2)) + half * len(top),
            )
        )
    grand = sum((r.values[c.id] or Fraction(0) for r in top for c in key_columns), Fraction(0))
    found.append(Finding("total_100", "kolommen", None, grand, HUNDRED, half * len(top) * len(key_columns)))
    for row in table.rows:
        computed = sum((row.values[c.id] or Fraction(0) for c in key_columns), Fraction(0))
        totals = [t for c in total_columns if (t := row.values[c.id]) is not None]
        closest = min(totals, key=lambda t: abs(t - computed), default=None)
        closest_column = next((c.id for c in total_columns if row.values[c.id] == closest), None)
        found.append(
            Finding("row_total", row.label, closest_column, computed, closest, half * (len(key_columns) + 1))
        )
    return found
