"""Fact file → checked facts of one year, against the rule file in force.

Facts are read exactly in the unit the rule file declares. Where they go:

- `facts`: one value for the year, or for a fact per column a mapping column → value;
- `municipalities`: per CBS code, the facts per municipality or per row of a sheet (a fact per row
  and column is a mapping column → value);
- `rows`: the rows of a sheet that are not municipalities (Buiten Prov. Groningen, Onbekend, …);
- `cases`: one entry per case.

Municipalities are the ones that exist on 1 January of the year. A fact file may name a municipality
that merged into another (Appingedam for Eemsdelta in 2022): all predecessors must then be given, and
their facts are added up (amounts and counts) or must agree (anything else). Every problem names the
fact file, line and field, and the article that needs the fact.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from convenant.check.checking import parse_fact_value, schema_of
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import display_path
from convenant.core.units import Kind, ValueProblem, display
from convenant.language.model import CASE, MUNICIPALITY, FactDecl, RuleFile
from convenant.language.parties import YearParties, existing_on, in_year, predecessors_on
from convenant.source import schemas
from convenant.source.loading import Document, load_document
from convenant.source.workbook import NO, YES, Formula, WorkbookDocument, is_workbook, read_workbook

SUMMABLE = (Kind.MONEY, Kind.COUNT)


@dataclass(frozen=True)
class FactValue:
    """One fact's value and where it came from: the fact file (with its place) or a default."""

    value: Any
    location: Location | None  # None: the rule file's default was used
    field: str | None = None  # as a reader writes it: municipalities.GM0106.inwoners (batch: its column)
    summed: str | None = None  # a total (sum_of) not given itself: the sum of this fact per member

    @property
    def defaulted(self) -> bool:
        return self.location is None


@dataclass(frozen=True)
class Case:
    id: str
    description: str | None
    values: dict[str, FactValue]


@dataclass(frozen=True)
class Merged:
    """Facts given for municipalities that merged into one member of the year: they were added up."""

    member: str
    member_name: str
    given: tuple[tuple[str, str], ...]  # (code, name) as named in the fact file


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
    # member → facts: members of the municipality set by CBS code, other rows of a sheet by their id
    per_municipality: dict[str, dict[str, FactValue]] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    merged: list[Merged] = field(default_factory=list)


@dataclass(frozen=True)
class FactHeader:
    """What a fact file says about itself, enough to choose the rule file."""

    document: Document
    covenant: str
    year: int


def read_header(path: Path | str, display: str | None = None) -> FactHeader:
    """The fact file's header, checked against its schema; `display` is the name its messages use
    (an uploaded file's own name, not the temporary file it was saved in), by default its path."""
    path = Path(path)
    shown = display or display_path(path)
    doc = read_workbook(path, shown) if is_workbook(path) else load_document(path, shown)
    found = None if isinstance(doc, WorkbookDocument) else schema_of(doc)
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
    checker = WorkbookChecker if isinstance(header.document, WorkbookDocument) else FactChecker
    return checker(header.document, rules).build()


Path_ = tuple[str | int, ...]


class FactChecker:
    """Checks the plain data of a fact file against a rule file and builds its `Facts`.

    `convenant batch` checks each scenario with the same rules through a subclass that reads
    values already parsed cell by cell (`leaf`) and places problems at cells (`where`).
    """

    def __init__(self, doc: Document, rules: RuleFile) -> None:
        self.doc, self.rules, self.table = doc, rules, rules.municipalities
        self.problems: list[Problem] = []
        self.year: int = doc.data["year"]
        self.parties: YearParties = in_year(rules, self.year)
        self.reported: set[str] = set()  # members (or member:fact) already reported, missing or refused

    def error(
        self, code: str, path: Path_, article: Citation | None, at_key: str | None = None, /, **args: Any
    ) -> None:
        location, shown = self.where(path, at_key, args)
        self.problems.append(Problem(code, args, location, shown, article))

    def where(self, path: Path_, at_key: str | None, args: dict[str, Any]) -> tuple[Location, str | None]:
        """The place of a field (at its key `at_key`, if given) and its name as a reader writes it."""
        location = self.doc.locate_key(path, at_key) if at_key else self.doc.locate(path)
        return location, schemas.field_name((*path, at_key) if at_key else path)

    def leaf(self, decl: FactDecl, raw: Any) -> Any:
        """One value as written → its exact value in the fact's unit (raises ValueProblem)."""
        return parse_fact_value(decl, raw)

    # --- sets ------------------------------------------------------------------------------

    def includes_parties(self, per: str | None) -> bool:
        return per == MUNICIPALITY or (per in self.rules.sets and self.rules.sets[per].parties)

    def members(self, per: str) -> list[str]:
        declared = self.rules.sets.get(per)
        found = [m.code for m in self.parties.members] if self.includes_parties(per) else []
        return found + list(declared.extra_ids() if declared else ())

    def place(self, decl: FactDecl) -> str:
        if decl.per == CASE:
            return "cases"
        return "municipalities" if self.includes_parties(decl.per) else "facts"

    # --- the whole file --------------------------------------------------------------------

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
            # every fact and municipality would be "unknown" to the other covenant's rule file:
            # that is one fault, not dozens of misspellings
            raise ConvenantError(self.problems)
        facts = Facts(
            path=self.doc.path,
            sha256=self.doc.sha256,
            covenant=data["covenant"],
            year=self.year,
            illustrative=bool(data.get("illustrative", False)),
            description=data.get("description"),
            evaluation_date=date.fromisoformat(data["evaluation_date"])
            if "evaluation_date" in data
            else None,
        )
        declared = self.rules.facts
        scalar = {n: d for n, d in declared.items() if self.place(d) == "facts"}
        facts.scalars = self.values(data.get("facts", {}), ("facts",), scalar, None)
        facts.per_municipality, facts.merged = self.municipalities(data.get("municipalities", {}))
        facts.per_municipality.update(self.rows(data.get("rows", {})))
        self.complete(facts.per_municipality)
        self.totals(facts)
        facts.cases = self.cases(data.get("cases", []), {n: d for n, d in declared.items() if d.per == CASE})
        if self.problems:
            raise ConvenantError(self.problems)
        return facts

    # --- values ----------------------------------------------------------------------------

    def parse(self, decl: FactDecl, raw: Any, path: Path_) -> Any:
        """A fact's value; a fact over a set of columns (or per column) is a mapping member → value."""
        over = decl.by if decl.by else (decl.per if self.place(decl) == "facts" and decl.per else None)
        if over is None:
            return self.leaf(decl, raw)
        if not isinstance(raw, dict):
            raise ValueProblem("facts.mapping_expected", members=", ".join(self.members(over)))
        wanted = self.members(over)
        value = {}
        for member, item in raw.items():
            if member not in wanted:
                self.error(
                    "facts.unknown_member",
                    path,
                    decl.article,
                    member,
                    fact=decl.name,
                    member=member,
                    set=over,
                    known=", ".join(wanted),
                )
                continue
            try:
                value[member] = self.leaf(decl, item)
            except ValueProblem as problem:
                self.error(
                    problem.code,
                    (*path, member),
                    decl.article,
                    unit=decl.kind,
                    fact=decl.name,
                    **problem.args_,
                )
        for member in wanted if not decl.sparse else ():  # a sparse fact gives only some cells
            if member not in raw:
                self.error(
                    "facts.member_missing", path, decl.article, fact=decl.name, member=member, set=over
                )
        return value

    def values(
        self,
        given: dict[str, Any],
        path: Path_,
        wanted: dict[str, FactDecl],
        whose: str | None,
        complete: bool = True,
    ) -> dict[str, FactValue]:
        found: dict[str, FactValue] = {}
        for name, raw in given.items():
            decl = wanted.get(name)
            if decl is None:
                self.unknown(name, path, wanted)
                continue
            try:
                value = self.parse(decl, raw, (*path, name))
                found[name] = FactValue(value, *self.where((*path, name), None, {"fact": name}))
            except ValueProblem as problem:
                self.error(
                    problem.code, (*path, name), decl.article, unit=decl.kind, fact=name, **problem.args_
                )
                if whose:  # given, but refused: it is not also "missing"
                    self.reported.add(f"{whose}:{name}")
        for name, decl in wanted.items() if complete else ():
            if name in found or name in given:
                continue
            if decl.has_default:
                found[name] = FactValue(decl.default, None)
            elif decl.required:
                self.error("facts.missing", path, decl.article, fact=name, label=decl.label, whose=whose)
        return found

    def unknown(self, name: str, path: Path_, wanted: dict[str, FactDecl]) -> None:
        decl = self.rules.facts.get(name)
        party = self.parties.member(str(path[1])) if path[:1] == ("municipalities",) else None
        if decl is not None and party is not None and not self.for_role(decl, party.code):
            roles = " / ".join(decl.roles)
            args = {"fact": name, "roles": roles, "name": party.name, "code": party.code, "role": party.role}
            self.error("facts.not_for_role", path, decl.article, name, **args)
            return
        if decl is not None:  # declared, but belongs elsewhere
            place = "rows" if path[:1] == ("rows",) and self.place(decl) == "facts" else self.place(decl)
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

    def for_role(self, decl: FactDecl, member: str) -> bool:
        """A fact with `roles` is given only by the parties with one of them."""
        party = self.parties.member(member)
        return not decl.roles or (party is not None and party.role in decl.roles)

    def per_member_decls(self, member: str) -> dict[str, FactDecl]:
        """The facts a member of the municipality set, or an extra row of a sheet, gives."""
        return {
            n: d
            for n, d in self.rules.facts.items()
            if d.per is not None
            and self.place(d) == "municipalities"
            and member in self.members(d.per)
            and self.for_role(d, member)
        }

    # --- municipalities and rows -----------------------------------------------------------

    def municipalities(self, given: dict[str, Any]) -> tuple[dict[str, dict[str, FactValue]], list[Merged]]:
        entries: dict[str, list[str]] = {}
        for code in given:
            member = self.member_for(code)
            if member is not None:
                entries.setdefault(member, []).append(code)
        result, merged = {}, []
        for member, codes in entries.items():
            wanted = self.per_member_decls(member)
            parsed = [self.values(given[c], ("municipalities", c), wanted, c, complete=False) for c in codes]
            if codes == [member]:
                result[member] = parsed[0]
                continue
            combined = self.combine(member, codes, parsed)
            if combined is not None:
                result[member] = combined
                name = self.parties.member(member).name  # type: ignore[union-attr]
                merged.append(Merged(member, name, tuple((c, self.name(c)) for c in codes)))
        return result, merged

    def name(self, code: str) -> str:
        municipality = self.table.by_code(code)
        return municipality.name if municipality else code

    def member_for(self, code: str) -> str | None:
        """The member of the municipality set that `code` is in this year, or None with a problem."""
        if self.table.by_code(code) is None:
            self.error("facts.unknown_code", ("municipalities",), None, code, code=code)
            return None
        member = existing_on(self.table, code, date(self.year, 1, 1))
        if member is None:
            self.error(
                "facts.not_yet",
                ("municipalities",),
                None,
                code,
                code=code,
                name=self.name(code),
                year=self.year,
            )
            return None
        if self.parties.member(member) is None:
            self.error(
                "facts.not_a_party",
                ("municipalities",),
                None,
                code,
                code=code,
                name=self.name(code),
                covenant=self.rules.covenant.title,
            )
            return None
        return member

    def combine(
        self, member: str, codes: list[str], parsed: list[dict[str, FactValue]]
    ) -> dict[str, FactValue] | None:
        """Add up the facts of the municipalities that merged into `member` (all must be given)."""
        parts = predecessors_on(self.table, member, date(self.year, 1, 1))
        name = self.name(member)
        if member in codes or sorted(codes) != parts:
            self.reported.add(member)  # one clear message; no cascade of missing facts after it
            self.error(
                "facts.merge_incomplete",
                ("municipalities",),
                None,
                codes[0],
                member=member,
                name=name,
                year=self.year,
                given=[f"{self.name(c)} ({c})" for c in codes],
                parts=[f"{self.name(c)} ({c})" for c in parts],
            )
            return None
        combined: dict[str, FactValue] = {}
        for fact in dict.fromkeys(n for values in parsed for n in values):
            decl = self.rules.facts[fact]
            if any(f"{c}:{fact}" in self.reported for c in codes):  # a predecessor's value was refused
                self.reported.add(f"{member}:{fact}")
                continue
            if any(fact not in values for values in parsed):
                lacking = [c for c, values in zip(codes, parsed, strict=True) if fact not in values]
                self.error(
                    "facts.missing",
                    ("municipalities", lacking[0]),
                    decl.article,
                    fact=fact,
                    label=decl.label,
                    whose=lacking[0],
                )
                continue
            items = [values[fact].value for values in parsed]
            if decl.kind in SUMMABLE:
                value = {k: sum(item[k] for item in items) for k in items[0]} if decl.by else sum(items)
            elif all(item == items[0] for item in items):
                value = items[0]
            else:
                self.reported.add(f"{member}:{fact}")
                self.error(
                    "facts.merge_conflict",
                    ("municipalities", codes[0], fact),
                    decl.article,
                    fact=fact,
                    name=name,
                    given=[self.name(c) for c in codes],
                )
                continue
            combined[fact] = FactValue(value, parsed[0][fact].location, parsed[0][fact].field)
        return combined

    def rows(self, given: dict[str, Any]) -> dict[str, dict[str, FactValue]]:
        extras = {m for s in self.rules.sets.values() if s.parties for m in s.extra_ids()}
        result = {}
        for row, values in given.items():
            if row not in extras:
                self.error(
                    "facts.unknown_row", ("rows",), None, row, row=row, known=", ".join(sorted(extras))
                )
                continue
            result[row] = self.values(values, ("rows", row), self.per_member_decls(row), row, complete=False)
        return result

    def complete(self, per_member: dict[str, dict[str, FactValue]]) -> None:
        """Defaults, required facts, and optional facts given for all members or for none; a fact
        `optional_per_member` may be left out by some members, one `required_with` another fact is
        needed exactly where that other fact is given (nothing is filled in for the others)."""
        for name, decl in self.rules.facts.items():
            if not decl.per or decl.per == CASE or self.place(decl) != "municipalities":
                continue
            members = [m for m in self.members(decl.per) if self.for_role(decl, m)]
            having = [m for m in members if name in per_member.get(m, {})]
            for member in members:
                values = per_member.setdefault(member, {})
                if name in values:
                    continue
                section = "municipalities" if self.parties.member(member) else "rows"
                if decl.has_default:
                    values[name] = FactValue(decl.default, None)
                elif decl.required_with is not None:
                    if decl.required_with in values:
                        self.missing_for(member, section, decl)
                elif decl.required or (having and not decl.optional_per_member):
                    self.missing_for(member, section, decl)

    def totals(self, facts: Facts) -> None:
        """A total (`sum_of`) is the sum of its parts when the parts are given; a total given as
        well must be that sum (the covenant names no key for a total: the parts stand, Assen art. 8
        lid 9). Without parts the total stands alone, or takes its default."""
        for name, decl in self.rules.facts.items():
            if decl.sum_of is None:
                continue
            parts = {m: v[decl.sum_of] for m, v in facts.per_municipality.items() if decl.sum_of in v}
            if not parts:
                continue
            total = sum((p.value for p in parts.values()), 0)
            given = facts.scalars.get(name)
            if given is not None and not given.defaulted:
                if given.value != total:
                    self.disagrees(decl, given, total, parts)
                continue
            first = next(iter(parts.values()))
            field = f"municipalities.*.{decl.sum_of}"
            facts.scalars[name] = FactValue(total, first.location, field, summed=decl.sum_of)

    def disagrees(self, decl: FactDecl, given: FactValue, total: Any, parts: dict[str, FactValue]) -> None:
        def say(value: Any) -> str:
            return display(decl.kind, value, "nl")

        terms = " + ".join(f"{self.name(m)} {say(p.value)}" for m, p in parts.items())
        args = {"total": decl.name, "amount": say(given.value), "parts": decl.sum_of, "sum": say(total)}
        self.error("facts.total_disagrees", ("facts", decl.name), decl.article, terms=terms, **args)

    def missing_for(self, member: str, section: str, decl: FactDecl) -> None:
        if member in self.reported or f"{member}:{decl.name}" in self.reported:
            return
        party = self.parties.member(member)
        given = self.doc.data.get(section, {})
        if party is not None and not any(
            existing_on(self.table, c, date(self.year, 1, 1)) == member for c in given
        ):
            self.reported.add(member)
            needs = [d.name for d in self.per_member_decls(member).values() if d.required]
            self.error(
                "facts.municipality_missing",
                ("municipalities",),
                decl.article,
                code=member,
                name=party.name,
                facts=", ".join(needs) or decl.name,
            )
        elif party is None and member not in given:
            self.reported.add(member)
            self.error("facts.row_missing", ("rows",), decl.article, row=member, fact=decl.name)
        else:
            self.error(
                "facts.missing",
                (section, member) if member in given else (section,),
                decl.article,
                fact=decl.name,
                label=decl.label,
                whose=f"{party.name} ({member})" if party else member,
            )

    def cases(self, given: list[dict[str, Any]], wanted: dict[str, FactDecl]) -> list[Case]:
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


class WorkbookChecker(FactChecker):
    """A fact workbook (`convenant template`), checked as its fact file: a problem points at the
    cell of the fact it names, and a yes/no fact may be written ja or nee (the template's list)."""

    doc: WorkbookDocument

    def where(self, path: Path_, at_key: str | None, args: dict[str, Any]) -> tuple[Location, str | None]:
        location, shown = super().where(path, at_key, args)
        return (location if at_key else self.doc.locate_fact(path, args)), shown

    def leaf(self, decl: FactDecl, raw: Any) -> Any:
        if isinstance(raw, Formula):
            raise ValueProblem("batch.formula_without_value", formula=str(raw))
        if decl.kind is Kind.BOOLEAN and isinstance(raw, str) and raw.strip().lower() in YES + NO:
            raw = raw.strip().lower() in YES
        return super().leaf(decl, raw)
