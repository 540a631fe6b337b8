"""Fact file → checked facts of one year, against the rule file in force.

Facts are read exactly in the unit the rule file declares; every fact the rules need must be
there (or have a declared default), every municipality named must be a party, and every party
must be there. Problems name the fact file, line and field, and the article that needs the fact.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from engine import schemas
from engine.checking import parse_fact_value, schema_of
from engine.citation import Citation
from engine.diagnostics import ConvenantError, Location, Problem
from engine.loading import Document, load_document
from engine.model import CASE, MUNICIPALITY, FactDecl, RuleFile
from engine.paths import display_path
from engine.units import ValueProblem


@dataclass(frozen=True)
class FactValue:
    """One fact's value and where it came from: the fact file (with its place) or a default."""

    value: Any
    location: Location | None  # None: the rule file's default was used

    @property
    def defaulted(self) -> bool:
        return self.location is None


@dataclass(frozen=True)
class Case:
    id: str
    description: str | None
    values: dict[str, FactValue]


@dataclass
class Facts:
    path: str
    sha256: str
    covenant: str
    year: int
    illustrative: bool
    description: str | None
    evaluation_date: date | None
    scalars: dict[str, FactValue] = field(default_factory=dict)
    per_municipality: dict[str, dict[str, FactValue]] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)


@dataclass(frozen=True)
class FactHeader:
    """What a fact file says about itself, enough to choose the rule file."""

    document: Document
    covenant: str
    year: int


def read_header(path: Path | str) -> FactHeader:
    path = Path(path)
    doc = load_document(path, display_path(path))
    found = schema_of(doc)
    if found not in (None, schemas.FACTS):
        raise ConvenantError(
            [
                Problem(
                    "file.schema_line", {"expected": schemas.FACTS, "found": found}, Location(doc.path, 1, 1)
                )
            ]
        )
    problems = schemas.validate(doc, schemas.FACTS)
    if problems:
        raise ConvenantError(problems)
    return FactHeader(doc, doc.data["covenant"], doc.data["year"])


def check_facts(header: FactHeader, rules: RuleFile) -> Facts:
    return _FactChecker(header.document, rules).build()


class _FactChecker:
    def __init__(self, doc: Document, rules: RuleFile) -> None:
        self.doc, self.rules, self.table = doc, rules, rules.municipalities
        self.problems: list[Problem] = []

    def error(
        self,
        code: str,
        path: tuple[str | int, ...],
        article: Citation | None,
        at_key: str | None = None,
        /,
        **args: Any,
    ) -> None:
        location = self.doc.locate_key(path, at_key) if at_key else self.doc.locate(path)
        shown = schemas.field_name((*path, at_key) if at_key else path)
        self.problems.append(Problem(code, args, location, shown, article))

    def build(self) -> Facts:
        data = self.doc.data
        if data["covenant"] != self.rules.covenant.id:
            self.error(
                "facts.wrong_covenant",
                ("covenant",),
                None,
                found=data["covenant"],
                expected=self.rules.covenant.id,
                rules=self.rules.path,
            )
        facts = Facts(
            path=self.doc.path,
            sha256=self.doc.sha256,
            covenant=data["covenant"],
            year=data["year"],
            illustrative=bool(data.get("illustrative", False)),
            description=data.get("description"),
            evaluation_date=date.fromisoformat(data["evaluation_date"])
            if "evaluation_date" in data
            else None,
        )
        declared = self.rules.facts
        facts.scalars = self.values(
            data.get("facts", {}), ("facts",), {n: d for n, d in declared.items() if d.per is None}, None
        )
        facts.per_municipality = self.municipalities(data.get("municipalities", {}), declared)
        facts.cases = self.cases(data.get("cases", []), declared)
        if self.problems:
            raise ConvenantError(self.problems)
        return facts

    def values(
        self,
        given: dict[str, Any],
        path: tuple[str | int, ...],
        wanted: dict[str, FactDecl],
        whose: str | None,
    ) -> dict[str, FactValue]:
        found: dict[str, FactValue] = {}
        for name, raw in given.items():
            decl = wanted.get(name)
            if decl is None:
                self.unknown(name, path, wanted)
                continue
            try:
                found[name] = FactValue(parse_fact_value(decl, raw), self.doc.locate((*path, name)))
            except ValueProblem as problem:
                self.error(
                    problem.code, (*path, name), decl.article, unit=decl.kind, fact=name, **problem.args_
                )
        for name, decl in wanted.items():
            if name in found or name in given:
                continue
            if decl.has_default:
                found[name] = FactValue(decl.default, None)
            elif decl.required:
                self.error("facts.missing", path, decl.article, fact=name, label=decl.label, whose=whose)
        return found

    def unknown(self, name: str, path: tuple[str | int, ...], wanted: dict[str, FactDecl]) -> None:
        decl = self.rules.facts.get(name)
        if decl is not None:  # declared, but belongs elsewhere
            place = {MUNICIPALITY: "municipalities", CASE: "cases", None: "facts"}[decl.per]
            self.error("facts.wrong_place", path, decl.article, name, fact=name, place=place)
            return
        suggestion = difflib.get_close_matches(name, list(wanted), n=1)
        self.error(
            "facts.unknown_fact",
            path,
            None,
            name,
            fact=name,
            suggestion=suggestion[0] if suggestion else None,
            rules=self.rules.path,
        )

    def municipalities(
        self, given: dict[str, Any], declared: dict[str, FactDecl]
    ) -> dict[str, dict[str, FactValue]]:
        wanted = {n: d for n, d in declared.items() if d.per == MUNICIPALITY}
        result: dict[str, dict[str, FactValue]] = {}
        for code, values in given.items():
            party = self.rules.party(code)
            if party is None:
                known = self.table.by_code(code)
                code_kind = "facts.not_a_party" if known else "facts.unknown_code"
                self.error(
                    code_kind,
                    ("municipalities",),
                    None,
                    code,
                    code=code,
                    name=known.name if known else None,
                    covenant=self.rules.covenant.title,
                )
                continue
            result[code] = self.values(values, ("municipalities", code), wanted, f"{party.name} ({code})")
        if wanted:
            for party in self.rules.parties:
                if party.code not in given:
                    needs = [d for d in wanted.values() if d.required]
                    if needs:
                        self.error(
                            "facts.municipality_missing",
                            ("municipalities",),
                            needs[0].article,
                            code=party.code,
                            name=party.name,
                            facts=", ".join(d.name for d in needs),
                        )
                    else:
                        result[party.code] = self.values({}, ("municipalities",), wanted, party.name)
        return result

    def cases(self, given: list[dict[str, Any]], declared: dict[str, FactDecl]) -> list[Case]:
        wanted = {n: d for n, d in declared.items() if d.per == CASE}
        result, seen = [], set()
        for i, entry in enumerate(given):
            path = ("cases", i)
            if entry["id"] in seen:
                self.error("facts.duplicate_case", (*path, "id"), None, id=entry["id"])
            seen.add(entry["id"])
            values = {k: v for k, v in entry.items() if k not in ("id", "description")}
            result.append(
                Case(
                    entry["id"],
                    entry.get("description"),
                    self.values(values, path, wanted, f"casus {entry['id']}"),
                )
            )
        return result
