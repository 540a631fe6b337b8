"""Rule file → checked model. Schema first, then the meaning:

- every name used is defined, once, and every parameter, fact and interpretation is used;
- every citation points at an article the file contains;
- units and types agree (money, percentage, count, date, boolean), and a money result is whole
  cents or is rounded explicitly;
- `inputs` lists exactly what a rule uses; rules and deadlines have no cycles;
- key weights total exactly 100 %;
- interpretations are well formed and policies name options the engine knows.

Every problem is collected with its location and article, and raised together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from convenant import primitives
from convenant.check.municipalities import load_table
from convenant.core import dates
from convenant.core.citation import Citation
from convenant.core.diagnostics import ConvenantError, Location, Problem
from convenant.core.paths import TABLE_NAME, display_path, on_disk, rules_dir
from convenant.core.units import Kind, ValueProblem, display, parse_value
from convenant.language import expr
from convenant.language.model import (
    BUILTINS,
    CASE,
    MUNICIPALITY,
    Act,
    Article,
    Covenant,
    DatePolicy,
    DecidedBy,
    Duty,
    Expression,
    FactDecl,
    Interpretation,
    LegalBasis,
    Member,
    MunicipalityTable,
    Parameter,
    Party,
    Rule,
    RuleFile,
    SetDecl,
    Settlement,
    Stated,
    Table,
    Warning,
)
from convenant.language.parties import incomplete_mergers
from convenant.primitives.base import FieldPath, Written
from convenant.source import schemas
from convenant.source.loading import Document, load_document

SCHEMA_LINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(\S+)\s*$")
BUILTIN_SETS = (MUNICIPALITY, CASE)
SECTIONS = ("parameters", "facts", "rules", "deadlines", "duties", "acts", "interpretations", "sets")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")  # a placeholder in an act's title: only {jaar}


def schema_of(doc: Document) -> str | None:
    """The schema file named on the first line (`# yaml-language-server: $schema=…`)."""
    first = doc.text.split("\n", 1)[0]
    match = SCHEMA_LINE.match(first)
    return Path(match[1]).name if match else None


def require_schema_line(doc: Document, expected: str) -> None:
    found = schema_of(doc)
    if found != expected:
        raise ConvenantError(
            [Problem("file.schema_line", {"expected": expected, "found": found}, Location(doc.path, 1, 1))]
        )


def table_for(path: Path) -> MunicipalityTable:
    """The municipalities table of the rules directory a file lies in (else the project's)."""
    for parent in path.resolve().parents:
        candidate = parent / TABLE_NAME
        if candidate.is_file():
            return load_table(candidate)
    return load_table(rules_dir() / TABLE_NAME)


def load_rule_file(path: Path | str, table: MunicipalityTable | None = None) -> RuleFile:
    path = Path(path)
    doc = load_document(path, display_path(path))
    return check_rule_file(doc, table or table_for(path))


def article_of(data: Any, path: tuple[str | int, ...]) -> Citation | None:
    """The article a field of a rule file belongs to: the `article` of its entry."""
    if not path or not isinstance(data, dict):
        return None
    try:
        if path[0] == "articles" and len(path) >= 2:
            return Citation.parse(str(path[1]))
        if path[0] == "parties" and len(path) >= 2:
            return Citation.parse(data["parties"][path[1]]["article"])
        if path[0] == "covenant":
            return Citation.parse(data["covenant"]["period_article"])
        if path[0] in SECTIONS and len(path) >= 2:
            entry = data[path[0]][path[1]]
            inner = None
            primitive = primitives.by_key(path[2]) if len(path) >= 3 and isinstance(path[2], str) else None
            nested = primitive.nested_articles if primitive is not None else 0
            if len(path) >= 4 and isinstance(path[3], int) and nested == 1:
                inner = entry[path[2]][path[3]].get("article")  # a component or a case
            elif len(path) >= 5 and nested == 2 and isinstance(path[4], int):
                inner = entry[path[2]][path[3]][path[4]].get("article")  # a fixed cell or a test
            return Citation.parse(inner if isinstance(inner, str) else entry["article"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    return None


def check_rule_file(doc: Document, table: MunicipalityTable, base_dir: Path | None = None) -> RuleFile:
    """Check a rule file; `base_dir` is where its data tables lie (default: beside the file)."""
    require_schema_line(doc, schemas.RULE_FILE)
    problems = schemas.validate(doc, schemas.RULE_FILE, article_of)
    if problems:
        raise ConvenantError(problems)
    return _Checker(doc, table, base_dir or on_disk(doc.path).parent).build()


class _Checker:
    def __init__(self, doc: Document, table: MunicipalityTable, base_dir: Path) -> None:
        self.doc, self.data, self.table, self.base_dir = doc, doc.data, table, base_dir
        self.sets: dict[str, SetDecl] = {}
        self.tables: dict[str, Table] = {}
        self.party_list: tuple[Party, ...] = ()
        self.problems: list[Problem] = []
        self.types: dict[str, expr.Type] = {}
        self.defined_in: dict[str, str] = {}
        self.used: set[str] = set()
        self.used_interpretations: set[str] = set()
        self.incomplete = False  # a rule was refused: usage of names cannot be judged
        self.parameter_values: dict[str, Parameter] = {}

    # --- reporting -------------------------------------------------------------------------

    def error(
        self,
        code: str,
        path: tuple[str | int, ...],
        /,
        at_key: bool = False,
        location: Location | None = None,
        **args: Any,
    ) -> None:
        self.problems.append(
            Problem(
                code,
                args,
                location or self.doc.locate(path, at_key=at_key),
                schemas.field_name(path),
                article_of(self.data, path),
            )
        )

    def cite(self, text: str, path: tuple[str | int, ...]) -> Citation:
        citation = Citation.parse(text)
        if citation.key not in self.articles:
            self.error(
                "rules.unknown_article",
                path,
                article=text,
                known=", ".join(sorted(self.articles, key=_citation_sort)),
            )
        return citation

    # --- the whole file --------------------------------------------------------------------

    def build(self) -> RuleFile:
        data = self.data
        self.articles = {
            key: Article(Citation.parse(key), entry.get("title"), entry.get("text"))
            for key, entry in data["articles"].items()
        }
        covenant = self.covenant()
        parties = self.parties()
        self.party_list = parties
        interpretations = self.interpretations()
        date_policy = self.date_policy(interpretations)
        self.sets = self.declared_sets()
        parameters = self.parameter_values = self.parameters()
        facts = self.facts()
        self.define_names(parameters, facts)
        rules = self.rules(interpretations)
        duties = self.duties()
        acts = self.acts()
        order = self.dependency_order(rules)
        self.check_usage(parameters, facts, interpretations)
        if self.problems:
            raise ConvenantError(self.problems)
        return RuleFile(
            path=self.doc.path,
            sha256=self.doc.sha256,
            document=self.doc,
            covenant=covenant,
            parties=parties,
            articles=self.articles,
            interpretations=interpretations,
            parameters=parameters,
            facts=facts,
            rules=rules,
            order=order,
            duties=duties,
            date_policy=date_policy,
            municipalities=self.table,
            sets=self.sets,
            tables=self.tables,
            acts=acts,
        )

    def covenant(self) -> Covenant:
        c = self.data["covenant"]
        source = c["source"]
        valid_from, valid_until = date.fromisoformat(c["valid_from"]), date.fromisoformat(c["valid_until"])
        if valid_until < valid_from:
            self.error(
                "rules.period_reversed",
                ("covenant", "valid_until"),
                valid_from=valid_from,
                valid_until=valid_until,
            )
        return Covenant(
            id=c["id"],
            title=c["title"],
            region=c.get("region"),
            version=c["version"],
            version_date=date.fromisoformat(c["version_date"]),
            valid_from=valid_from,
            valid_until=valid_until,
            period_article=self.cite(c["period_article"], ("covenant", "period_article")),
            cvdr=source.get("cvdr"),
            document=source.get("document"),
            note=source.get("note"),
            legal_basis=tuple(
                LegalBasis(b["title"], b["bwb"], b.get("juriconnect")) for b in c.get("legal_basis", [])
            ),
            first_year=c.get("first_year"),
            first_year_article=(
                self.cite(c["first_year_article"], ("covenant", "first_year_article"))
                if "first_year_article" in c
                else None
            ),
        )

    def parties(self) -> tuple[Party, ...]:
        parties: list[Party] = []
        for i, entry in enumerate(self.data["parties"]):
            path = ("parties", i)
            municipality = self.table.by_name(entry["name"])
            if municipality is None:
                self.error(
                    "rules.unknown_municipality",
                    (*path, "name"),
                    name=entry["name"],
                    suggestions=self.table.closest_names(entry["name"]),
                    table=self.table.path,
                )
                continue
            if any(p.code == municipality.code for p in parties):
                self.error("rules.duplicate_party", (*path, "name"), name=entry["name"])
                continue
            parties.append(
                Party(
                    municipality.code,
                    municipality.name,
                    entry["role"],
                    self.cite(entry["article"], (*path, "article")),
                    len(parties),
                )
            )
        centres = [p for p in parties if p.role == "centrumgemeente"]
        if len(centres) != 1 and len(parties) == len(self.data["parties"]):
            self.error("rules.centrumgemeente_count", ("parties",), count=len(centres))
        if len(parties) == len(self.data["parties"]):
            self.mergers(parties)
        return tuple(parties)

    def mergers(self, parties: list[Party]) -> None:
        """Every predecessor of a merger during the covenant's period is a party if one of them is
        (or if the municipality they merged into is): else the merged municipality is computed
        from only some of the municipalities it is made of."""
        c = self.data["covenant"]
        valid_from, valid_until = date.fromisoformat(c["valid_from"]), date.fromisoformat(c["valid_until"])
        codes = {p.code for p in parties}
        for merger, missing in incomplete_mergers(self.table, codes, valid_from, valid_until):
            members = {merger.successor.code, *(m.code for m in merger.predecessors)}
            first = next(p.order for p in parties if p.code in members)
            for municipality in missing:
                self.error(
                    "rules.merger_incomplete",
                    ("parties", first),
                    missing=municipality.name,
                    merged=[m.name for m in merger.predecessors],
                    successor=merger.successor.name,
                    day=merger.day,
                    table=self.table.path,
                )

    def interpretations(self) -> dict[str, Interpretation]:
        found: dict[str, Interpretation] = {}
        for key, entry in self.data.get("interpretations", {}).items():
            path = ("interpretations", key)
            fixed = "reading" in entry or "alternative" in entry
            switchable = "options" in entry or "chosen" in entry
            if (
                fixed == switchable
                or (fixed and not ("reading" in entry and "alternative" in entry))
                or (switchable and not ("options" in entry and "chosen" in entry))
            ):
                self.error("rules.interpretation_shape", path, at_key=True, id=key)
                continue
            if switchable and entry["chosen"] not in entry["options"]:
                self.error(
                    "rules.interpretation_choice",
                    (*path, "chosen"),
                    id=key,
                    chosen=entry["chosen"],
                    options=", ".join(entry["options"]),
                )
                continue
            found[key] = Interpretation(
                key,
                self.cite(entry["article"], (*path, "article")) if "article" in entry else None,
                entry["question"],
                entry.get("reading"),
                entry.get("alternative"),
                dict(entry.get("options", {})),
                entry.get("chosen"),
                entry.get("note"),
            )
        return found

    def date_policy(self, interpretations: dict[str, Interpretation]) -> DatePolicy:
        policy = self.data.get("date_policy", {})
        known = {"months": dates.MONTH_POLICIES, "working_days": dates.ATW_OPTIONS}
        for field, allowed in known.items():
            ident = policy.get(field)
            if ident is not None:
                self.policy(interpretations, ident, ("date_policy", field), field, allowed)
        return DatePolicy(policy.get("months"), policy.get("working_days"))

    def policy(
        self,
        interpretations: dict[str, Interpretation],
        ident: str,
        path: FieldPath,
        field: str,
        allowed: tuple[str, ...],
    ) -> bool:
        """An interpretation that a field names as a policy (a date policy, a sheet's scaling) is
        switchable and has no option but the `allowed` ones, whose meaning the engine knows."""
        interpretation = interpretations.get(ident)
        if interpretation is None or not interpretation.switchable:
            self.error("rules.policy_interpretation", path, id=ident, field=field, options=", ".join(allowed))
            return False
        self.used_interpretations.add(ident)
        strange = sorted(set(interpretation.options) - set(allowed))
        if strange:
            self.error(
                "rules.policy_options",
                ("interpretations", ident, "options"),
                id=ident,
                field=field,
                strange=", ".join(strange),
                options=", ".join(allowed),
            )
            return False
        return True

    def declared_sets(self) -> dict[str, SetDecl]:
        found = {}
        for name, entry in self.data.get("sets", {}).items():
            path = ("sets", name)
            if name in BUILTIN_SETS:
                self.error("rules.reserved_set", path, at_key=True, name=name)
                continue
            extra = tuple(Member(m["id"], m["label"]) for m in entry.get("extra", []))
            ids = [m.id for m in extra]
            for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
                self.error("rules.duplicate_member", (*path, "extra"), name=duplicate)
            found[name] = SetDecl(
                name,
                entry["label"],
                self.cite(entry["article"], (*path, "article")),
                bool(entry.get("parties", False)),
                extra,
            )
        return found

    def known_set(self, name: str, path: tuple[str | int, ...]) -> bool:
        if name in BUILTIN_SETS or name in self.sets:
            return True
        self.error("rules.unknown_set", path, name=name, known=", ".join([*BUILTIN_SETS, *self.sets]))
        return False

    def includes(self, outer: str, inner: str) -> bool:
        """True when every member of set `inner` is a member of set `outer`."""
        return outer == inner or (outer in self.sets and self.sets[outer].includes(inner))

    def members_of(self, per: str) -> list[tuple[str, str, bool]]:
        """(key, name, is a party) of each member a per-set parameter needs: parties by code (a data
        table's row names the municipality), extras by id (a data table's row names the member)."""
        declared = self.sets.get(per)
        found = (
            [(p.code, p.name, True) for p in self.party_list]
            if (per == MUNICIPALITY or (declared and declared.parties))
            else []
        )
        return found + [(m.id, m.id, False) for m in (declared.extra if declared else ())]

    def table_values(
        self, ref: dict[str, str], per: str, path: tuple[str | int, ...]
    ) -> dict[str, Any] | None:
        """A parameter's values per member, read from a data table beside the rule file."""
        from convenant.check.tables import load_table as load_data_table

        try:
            table = load_data_table((self.base_dir / ref["file"]).resolve(), self.table)
        except ConvenantError as error:
            self.problems.extend(error.problems)
            return None
        self.tables[ref["file"]] = table
        if ref["column"] not in {c.id for c in table.columns}:
            self.error(
                "rules.table_column",
                (*path, "column"),
                column=ref["column"],
                table=table.path,
                known=", ".join(c.id for c in table.columns),
            )
            return None
        values = {}
        for key, name, party in self.members_of(per):
            row = next((r for r in table.rows if (r.municipality if party else r.row) == name), None)
            value = row.values[ref["column"]] if row else None
            if value is None:
                self.error("rules.table_row", path, row=name, table=table.path, column=ref["column"])
                continue
            values[key] = value
        return values

    def parameters(self) -> dict[str, Parameter]:
        found = {}
        for name, entry in self.data["parameters"].items():
            path = ("parameters", name)
            kind = Kind(entry["unit"])
            per = entry.get("per")
            if per is not None and not self.known_set(per, (*path, "per")):
                continue
            if ("value" in entry) == ("table" in entry) or (per is not None) != ("table" in entry):
                self.error("rules.parameter_shape", path, at_key=True, name=name)
                continue
            if "table" in entry:
                value = self.table_values(entry["table"], per, (*path, "table"))
                if value is None:
                    continue
            else:
                try:
                    value = parse_value(kind, entry["value"])
                except ValueProblem as problem:
                    self.error(problem.code, (*path, "value"), unit=kind, **problem.args_)
                    continue
            found[name] = Parameter(
                name,
                entry["label"],
                kind,
                value,
                self.cite(entry["article"], (*path, "article")),
                entry.get("note"),
                per,
                entry["table"]["file"] if "table" in entry else None,
            )
        return found

    def facts(self) -> dict[str, FactDecl]:
        found = {}
        for name, entry in self.data["facts"].items():
            path = ("facts", name)
            kind = Kind(entry["type"])
            default = minimum = None
            try:
                if "default" in entry:
                    default = parse_value(kind, entry["default"])
                if "minimum" in entry:
                    minimum = Fraction(entry["minimum"])
            except ValueProblem as problem:
                self.error(problem.code, (*path, "default"), unit=kind, **problem.args_)
            if "default" in entry and entry.get("required") is False:
                self.error("rules.default_and_optional", (*path, "required"), name=name)
            sets = entry.get("per")
            per, by = (sets[0], sets[1]) if isinstance(sets, list) else (sets, None)
            if not all(self.known_set(s, (*path, "per")) for s in (per, by) if s is not None):
                continue
            with_ = entry.get("required_with")
            sparse = bool(entry.get("sparse", False))
            some = bool(entry.get("optional_per_member", False)) or with_ is not None or sparse
            if some and self.per_member_problem(name, entry, per, with_):
                self.error("rules.optional_per_member", path, at_key=True, name=name)
            if entry.get("roles") and per != MUNICIPALITY:
                self.error("rules.roles_per", (*path, "roles"), name=name)
            if "sum_of" in entry and self.sum_of_problem(entry, per, kind):
                self.error("rules.sum_of", (*path, "sum_of"), name=name, parts=entry["sum_of"])
            found[name] = FactDecl(
                name,
                entry["label"],
                kind,
                per,
                self.cite(entry["article"], (*path, "article")),
                minimum,
                entry.get("required", True) and "default" not in entry,
                default,
                by,
                some,
                with_,
                sparse,
                tuple(entry.get("roles", [])),
                entry.get("sum_of"),
            )
        return found

    def sum_of_problem(self, entry: dict[str, Any], per: str | None, kind: Kind) -> bool:
        """A total is one value for the year, of money or a count; its parts are another fact of
        the same unit per municipality, optional (the total stands alone when they are not given)."""
        parts = self.data["facts"].get(entry["sum_of"])
        return (
            per is not None
            or kind not in (Kind.MONEY, Kind.COUNT)
            or not isinstance(parts, dict)
            or parts.get("per") != MUNICIPALITY
            or parts.get("type") != kind.value
            or parts.get("required", True) is not False
        )

    def per_member_problem(
        self, name: str, entry: dict[str, Any], per: str | None, with_: str | None
    ) -> bool:
        """A fact some members may leave out must be per member and optional; the fact it is
        required with must be another fact of the same set (its first set, if it is per row and column)."""
        if per is None or entry.get("required", True) is not False:
            return True
        other = self.data["facts"].get(with_) if with_ is not None else None
        if with_ is None:
            return False
        if with_ == name or not isinstance(other, dict):
            return True
        other_per = other.get("per")
        return (other_per[0] if isinstance(other_per, list) and other_per else other_per) != per

    def define_names(self, parameters: dict[str, Parameter], facts: dict[str, FactDecl]) -> None:
        # A parameter refused for its value (or its shape) is still declared with its unit: its own
        # message says what is wrong, and the rules that use it must not be told it is unknown.
        for name, entry in self.data["parameters"].items():
            per = entry.get("per")
            if name in parameters or per is None or per in self.sets:
                self.define(name, "parameters", expr.Type(Kind(entry["unit"]), per))
        for name, f in facts.items():
            self.define(name, "facts", expr.Type(f.kind, f.per, by=f.by))
        for name, entry in self.data["rules"].items():
            self.define(name, "rules", expr.Type(Kind(entry["type"]), entry.get("per")))
        for name, entry in self.data.get("deadlines", {}).items():  # no `type`: the primitive says
            implied = [p.kinds[k] for k in entry if (p := primitives.by_key(k)) is not None and k in p.kinds]
            self.define(name, "deadlines", expr.Type(Kind.PERIOD if Kind.PERIOD in implied else Kind.DATE))

    def define(self, name: str, section: str, type_: expr.Type) -> None:
        if name in BUILTINS:
            self.error("rules.reserved_name", (section, name), at_key=True, name=name)
        elif name in self.defined_in:
            self.error(
                "rules.duplicate_name", (section, name), at_key=True, name=name, other=self.defined_in[name]
            )
        else:
            self.defined_in[name] = section
            self.types[name] = type_

    # --- expressions -----------------------------------------------------------------------

    def lookup(self, name: str) -> expr.Type | None:
        if name in BUILTINS:
            return expr.Type(Kind.COUNT)
        found = self.types.get(name)
        if found and found.kind is Kind.PERCENTAGE:
            return expr.Type(Kind.RATIO, found.per, found.cents, by=found.by)
        return found

    def expression(
        self,
        text: str,
        path: tuple[str | int, ...],
        extra: dict[str, expr.Type] | None = None,
        interpretations: dict[str, Interpretation] | None = None,
    ) -> Expression | None:
        options = {k: frozenset(v.options) for k, v in (interpretations or {}).items() if v.switchable}
        try:
            tree = expr.parse(text)
            expr.check(
                tree,
                lambda n: (extra or {}).get(n) or self.lookup(n),
                lambda i: options.get(i),
                self.includes,
            )
        except expr.ExprProblem as problem:
            location = self.doc.locate_in(path, problem.start, problem.end - problem.start)
            args = {**problem.args_, "expression": text}
            self.error(problem.code, path, location=location, **args)
            return None
        return Expression(text, tree, path)

    # --- rules and deadlines ---------------------------------------------------------------

    def rules(self, interpretations: dict[str, Interpretation]) -> dict[str, Rule]:
        found: dict[str, Rule] = {}
        for section in ("rules", "deadlines"):
            for name, entry in self.data.get(section, {}).items():
                rule = self.rule(section, name, entry, primitives.keys(section), interpretations)
                if rule is not None:
                    found[name] = rule
                else:
                    self.incomplete = True  # what a refused rule uses is not known
        for name, rule in found.items():
            if rule.settlement is None:
                continue
            entry = self.data["rules"][name]["settlement"]
            for field in ("deadline", "pays_by", "receives_by"):
                if field in entry and self.defined_in.get(entry[field]) != "deadlines":
                    self.error(
                        "rules.settlement_deadline", ("rules", name, "settlement", field), name=entry[field]
                    )
            if rule.kind is not Kind.MONEY or not rule.per or not self.includes(rule.per, MUNICIPALITY):
                self.error("rules.settlement_kind", ("rules", name, "settlement"), name=name)
        for rule in found.values():
            if rule.stated is not None:
                self.check_stated(rule)
        return found

    def check_stated(self, rule: Rule) -> None:
        """A result a letter states is money per municipality and not also settled; its total,
        if named, is one amount for the year."""
        assert rule.stated is not None
        path = ("rules", rule.name, "letter")
        shape = rule.kind is Kind.MONEY and rule.per == MUNICIPALITY and rule.settlement is None
        total = rule.stated.total
        known = total is None or (
            total in self.types and self.types[total].kind is Kind.MONEY and self.types[total].per is None
        )
        if not shape or not known:
            self.error("rules.letter_shape", path, name=rule.name, total=total or "—")
        elif total is not None:
            self.used.add(total)

    def settlement(self, entry: dict[str, Any], path: tuple[str | int, ...]) -> Settlement | None:
        if "settlement" not in entry:
            return None
        s = entry["settlement"]
        fields = [f for f in ("pays_article", "receives_article") if f in s]
        cited = {f: self.cite(s[f], (*path, "settlement", f)) for f in fields}
        pays, receives = s.get("pays_by", s.get("deadline")), s.get("receives_by", s.get("deadline"))
        return Settlement(pays, receives, **cited)

    def rule(
        self,
        section: str,
        name: str,
        entry: dict[str, Any],
        allowed: tuple[str, ...],
        interpretations: dict[str, Interpretation],
    ) -> Rule | None:
        path = (section, name)
        given = [p for p in allowed if p in entry]
        if len(given) != 1:
            self.error(
                "rules.one_primitive",
                path,
                at_key=True,
                name=name,
                given=", ".join(given) or "—",
                allowed=", ".join(given if len(given) > 1 else allowed),  # two given: keep one of them
            )
            return None
        primitive = given[0]
        kind = self.types[name].kind
        per = entry.get("per")
        if per is not None and not self.known_set(per, (*path, "per")):
            return None
        if entry.get("roles") and per != MUNICIPALITY:
            self.error("rules.roles_per", (*path, "roles"), name=name)
        settlement = entry.get("settlement", {})
        if "deadline" in settlement and ({"pays_by", "receives_by"} & set(settlement)):
            self.error("rules.settlement_shape", (*path, "settlement"), name=name)
        article = self.cite(entry["article"], (*path, "article"))
        listed_interpretations = tuple(entry.get("interpretations", []))
        for i, ident in enumerate(listed_interpretations):
            if ident not in interpretations:
                self.error(
                    "rules.unknown_interpretation",
                    (*path, "interpretations", i),
                    name=ident,
                    known=", ".join(interpretations),
                )
            self.used_interpretations.add(ident)
        spec, uses = self.spec(primitive, entry[primitive], (*path, primitive), kind, per, interpretations)
        if spec is None:
            return None
        if isinstance(spec, Expression):
            for ident in expr.interpretations(spec.tree):
                self.used_interpretations.add(ident)
                if ident not in listed_interpretations:
                    self.error(
                        "rules.interpretation_not_listed",
                        (*path, "interpretations") if "interpretations" in entry else path,
                        at_key="interpretations" not in entry,
                        id=ident,
                    )
        warnings = []
        for i, w in enumerate(entry.get("warnings", [])):
            wpath = (*path, "warnings", i, "when")
            checked = self.expression(w["when"], wpath, {name: expr.Type(kind, per)}, interpretations)
            if checked is None:
                continue
            assert checked.tree.type is not None
            if checked.tree.type.kind is not Kind.BOOLEAN:
                self.error("rules.condition_kind", wpath, kind=checked.tree.type.kind)
            uses += [n for n in expr.names(checked.tree) if n != name]
            warnings.append(Warning(checked, w["message"]))
        self.check_inputs(path, entry["inputs"], uses)
        return Rule(
            name=name,
            section=section,
            label=entry["label"],
            article=article,
            kind=kind,
            per=per,
            inputs=tuple(entry["inputs"]),
            interpretations=listed_interpretations,
            spec=spec,
            warnings=tuple(warnings),
            settlement=self.settlement(entry, path),
            stated=Stated(entry["letter"].get("total")) if "letter" in entry else None,
            who=entry.get("who"),
            roles=tuple(entry.get("roles", [])),
            decided_by=self.decided_by(entry, path),
        )

    def decided_by(self, entry: dict[str, Any], path: tuple[str | int, ...]) -> DecidedBy | None:
        """`decided_by`: the date fact of the decision a result rests on, and its articles."""
        if "decided_by" not in entry:
            return None
        body, at = entry["decided_by"], (*path, "decided_by")
        ok = self.name_of_kind(body["date"], (*at, "date"), (Kind.DATE,), None, sections=("facts",))
        articles = tuple(self.cite(a, (*at, "articles", i)) for i, a in enumerate(body["articles"]))
        about = body.get("about")
        if about is not None:
            numbers = (Kind.MONEY, Kind.PERCENTAGE, Kind.RATIO, Kind.COUNT)
            ok &= self.name_of_kind(about, (*at, "about"), numbers, None, sections=("facts",))
            self.used.add(about)
        self.used.add(body["date"])  # cited, not an input: the result is known without it
        return DecidedBy(body["date"], articles, about) if ok else None

    def check_inputs(self, path: tuple[str | int, ...], listed: list[str], uses: Iterable[str]) -> None:
        uses = [u for u in uses if u not in BUILTINS]
        missing = [u for u in dict.fromkeys(uses) if u not in listed]
        unused = [n for n in listed if n not in uses]
        undefined = [n for n in listed if n not in self.defined_in]
        if undefined:
            at = (*path, "inputs", listed.index(undefined[0]))
            self.error("rules.unknown_name", at, names=", ".join(undefined))
        if missing:
            self.error("rules.inputs_missing", (*path, "inputs"), names=", ".join(missing))
        if unused and not undefined:
            self.error("rules.inputs_unused", (*path, "inputs"), names=", ".join(unused))
        self.used.update(u for u in uses if u in self.defined_in)

    def spec(
        self,
        primitive: str,
        body: Any,
        path: tuple[str | int, ...],
        kind: Kind,
        per: str | None,
        interpretations: dict[str, Interpretation],
    ) -> tuple[Any, list[str]]:
        """The primitive's own check: its spec (None when refused) and the names it uses."""
        found = primitives.by_key(primitive)
        assert found is not None  # `rule` only asks for a registered key
        return found.check(self, Written(primitive, body, path, kind, per, interpretations))

    def check_result(
        self, path: tuple[str | int, ...], result: expr.Type, sets: set[str], kind: Kind, per: str | None
    ) -> None:
        compatible = result.kind is kind or (kind is Kind.RATIO and result.kind.dimensionless)
        if not compatible:
            self.error("rules.result_kind", path, declared=kind, found=result.kind)
        elif kind is Kind.MONEY and not result.cents:
            self.error("rules.money_not_rounded", path)
        stray = self.stray_sets(sets, per)
        if stray:
            self.error("rules.per_mismatch", path, sets=", ".join(sorted(stray)), per=per or "—")

    def stray_sets(self, sets: set[str], per: str | None) -> set[str]:
        """The sets an expression reads a member of that the rule's own member does not determine."""
        return {s for s in sets if not (per and self.includes(s, per))}

    def name_of_kind(
        self,
        name: str,
        path: tuple[str | int, ...],
        kinds: tuple[Kind, ...],
        per: str | bool | None = False,
        sections: tuple[str, ...] | None = None,
        by: str | None = None,
    ) -> bool:
        """Check that `name` exists with one of `kinds` (and set `per` unless per is False; and the second
        set `by` of a two-dimensional fact)."""
        found = self.types.get(name)
        if found is None or (sections and self.defined_in.get(name) not in sections):
            self.error("rules.unknown_name", path, names=name)
            return False
        wrong_per = per is not False and found.per != per
        if found.kind not in kinds or wrong_per or found.by != by:
            self.error(
                "rules.name_kind",
                path,
                name=name,
                found=found.kind,
                found_per=found.per or "—",
                expected=" / ".join(k.value for k in kinds),
                expected_per=" × ".join(x for x in (per, by) if isinstance(x, str) and x) or "—",
            )
            return False
        return True

    # --- duties ----------------------------------------------------------------------------

    def duties(self) -> dict[str, Duty]:
        found = {}
        for name, entry in self.data.get("duties", {}).items():
            path = ("duties", name)
            if name in self.defined_in:
                self.error("rules.duplicate_name", path, at_key=True, name=name, other=self.defined_in[name])
            check = None
            uses: list[str] = []
            if "check" in entry:
                check = self.expression(entry["check"], (*path, "check"))
                self.incomplete |= check is None
                if check is not None:
                    assert check.tree.type is not None
                    if check.tree.type.kind is not Kind.BOOLEAN or check.tree.type.per:
                        self.error("rules.condition_kind", (*path, "check"), kind=check.tree.type.kind)
                    uses = expr.names(check.tree)
            self.check_inputs(path, entry["inputs"], uses)
            found[name] = Duty(
                name,
                entry["label"],
                self.cite(entry["article"], (*path, "article")),
                entry["who"],
                entry["period"],
                tuple(entry["inputs"]),
                check,
            )
        return found

    # --- acts: the letters ------------------------------------------------------------------

    def acts(self) -> dict[str, Act]:
        """The `acts` section: each name it uses must be a fact, rule or deadline of the right kind."""
        found = {}
        for name, entry in self.data.get("acts", {}).items():
            path = ("acts", name)
            for placeholder in _PLACEHOLDER.findall(entry["title"]):
                if placeholder != "jaar":
                    self.error("rules.act_placeholder", (*path, "title"), name=placeholder)
            every = tuple(Kind)
            for i, state in enumerate(entry["states"]):
                self.name_of_kind(state, (*path, "states", i), every, False, ("rules",))
            if "date" in entry:
                self.name_of_kind(entry["date"], (*path, "date"), (Kind.DATE,), None, ("facts",))
            if "during" in entry:
                kinds = (Kind.DATE, Kind.PERIOD)
                self.name_of_kind(entry["during"], (*path, "during"), kinds, None, ("deadlines",))
            for i, fact in enumerate(entry.get("requires", [])):
                self.name_of_kind(fact, (*path, "requires", i), every, False, ("facts",))
            for i, fact in enumerate(entry.get("not_after", [])):
                self.name_of_kind(fact, (*path, "not_after", i), (Kind.DATE,), False, ("facts",))
            for fact in entry.get("future", {}):
                self.name_of_kind(fact, (*path, "future", fact), (Kind.DATE,), None, ("facts",))
            uses = [*entry.get("requires", []), *entry.get("not_after", []), *entry.get("future", {})]
            self.used.update(u for u in [entry.get("date"), *uses] if u in self.defined_in)
            found[name] = Act(
                name,
                entry["title"],
                self.cite(entry["article"], (*path, "article")),
                tuple(entry["states"]),
                date=entry.get("date"),
                during=entry.get("during"),
                requires=tuple(entry.get("requires", [])),
                not_after=tuple(entry.get("not_after", [])),
                future=dict(entry.get("future", {})),
                provisional=bool(entry.get("provisional", False)),
            )
        return found

    # --- the whole graph -------------------------------------------------------------------

    def dependency_order(self, rules: dict[str, Rule]) -> tuple[str, ...]:
        order: list[str] = []
        state: dict[str, int] = {}  # 1: visiting, 2: done

        def visit(name: str, trail: list[str]) -> None:
            if state.get(name) == 2 or name not in rules:
                return
            if state.get(name) == 1:
                cycle = [*trail[trail.index(name) :], name]
                self.error("rules.cycle", (rules[name].section, name), at_key=True, cycle=" → ".join(cycle))
                return
            state[name] = 1
            for dependency in rules[name].inputs:
                visit(dependency, [*trail, name])
            state[name] = 2
            order.append(name)

        for name in rules:
            visit(name, [])
        return tuple(order)

    def check_usage(
        self,
        parameters: dict[str, Parameter],
        facts: dict[str, FactDecl],
        interpretations: dict[str, Interpretation],
    ) -> None:
        if self.incomplete:  # "never used" would be wrong for what the refused rules use
            return
        for name in parameters:
            if name not in self.used:
                self.error("rules.unused_parameter", ("parameters", name), at_key=True, name=name)
        for name in facts:
            if name not in self.used:
                self.error("rules.unused_fact", ("facts", name), at_key=True, name=name)
        for ident in interpretations:
            if ident not in self.used_interpretations:
                self.error("rules.unused_interpretation", ("interpretations", ident), at_key=True, id=ident)


def _citation_sort(key: str) -> tuple[int, int, str]:
    c = Citation.parse(key)
    return (c.artikel, c.lid or 0, c.onder or "")


def parse_fact_value(decl: FactDecl, raw: Any) -> Any:
    """A fact's exact value in its declared unit (raises ValueProblem)."""
    value = parse_value(decl.kind, raw)
    if decl.minimum is not None and value < decl.minimum:
        raise ValueProblem("facts.below_minimum", value=raw, minimum=display(decl.kind, decl.minimum))
    return value
