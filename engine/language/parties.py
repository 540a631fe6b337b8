"""The parties of a covenant in one year: each party's municipality, or the municipality it merged into.

A covenant names its parties as they were when it was signed; a year is computed for the
municipalities that exist on 1 January of that year. Appingedam, Delfzijl and Loppersum, parties to
the Groningen covenant, merged into Eemsdelta on 1 January 2021: for 2022 they are one member,
Eemsdelta, at the place of the first of them in the preamble. The mergers and their dates come from
the one table of municipalities (`rules/municipalities.yaml`).

The parties must agree with that table's mergers: a covenant that names one of the municipalities
that merge during its period names them all (`incomplete_mergers`), else the merged municipality
would be computed from only some of the municipalities it is made of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.language.model import Municipality, MunicipalityTable, Party, RuleFile


@dataclass(frozen=True)
class YearParty:
    """A member of the municipality set in one year."""

    code: str
    name: str
    role: str
    order: int
    predecessors: tuple[Party, ...]  # the covenant's parties it stands for, if not itself a party


@dataclass(frozen=True)
class YearParties:
    year: int
    members: tuple[YearParty, ...]

    def member(self, code: str) -> YearParty | None:
        return next((m for m in self.members if m.code == code), None)

    @property
    def merged(self) -> tuple[YearParty, ...]:
        return tuple(m for m in self.members if m.predecessors)


def existing_on(table: MunicipalityTable, code: str, day: date) -> str | None:
    """The municipality that `code` is, or merged into, on `day`; None if it did not exist yet.

    >>> from convenant.check.municipalities import load_table
    >>> from convenant.core.paths import rules_dir
    >>> table = load_table(rules_dir() / "municipalities.yaml")
    >>> existing_on(table, "GM0003", date(2022, 1, 1)), existing_on(table, "GM0003", date(2020, 1, 1))
    ('GM1979', 'GM0003')
    >>> existing_on(table, "GM1979", date(2020, 1, 1)) is None
    True
    """
    seen: set[str] = set()
    while code not in seen:
        seen.add(code)
        municipality = table.by_code(code)
        if municipality is None or (municipality.valid_from and municipality.valid_from > day):
            return None
        if municipality.valid_until is None or municipality.valid_until >= day:
            return code
        if municipality.successor is None:
            return None
        code = municipality.successor
    return None


def predecessors_on(table: MunicipalityTable, member: str, day: date) -> list[str]:
    """Every code that merged into `member` by `day` (sorted): what a fact file may name instead of it.

    >>> from convenant.check.municipalities import load_table
    >>> from convenant.core.paths import rules_dir
    >>> predecessors_on(load_table(rules_dir() / "municipalities.yaml"), "GM1979", date(2022, 1, 1))
    ['GM0003', 'GM0010', 'GM0024']
    """
    return sorted(
        m.code for m in table.municipalities if m.code != member and existing_on(table, m.code, day) == member
    )


@dataclass(frozen=True)
class Merger:
    """Municipalities that merged into `successor` on `day` (a new one, or one that grew)."""

    successor: Municipality
    day: date  # the first day of the merged municipality
    predecessors: tuple[Municipality, ...]  # in the table's order

    @property
    def grew(self) -> bool:
        """True when the successor existed before (Groningen took in Haren and Ten Boer)."""
        return self.successor.valid_from is None or self.successor.valid_from < self.day


def mergers(table: MunicipalityTable) -> list[Merger]:
    """Every merger in the table, grouped by successor and day.

    >>> from convenant.check.municipalities import load_table
    >>> from convenant.core.paths import rules_dir
    >>> eemsdelta = next(m for m in mergers(load_table(rules_dir() / "municipalities.yaml"))
    ...                  if m.successor.name == "Eemsdelta")
    >>> eemsdelta.day, [p.name for p in eemsdelta.predecessors], eemsdelta.grew
    (datetime.date(2021, 1, 1), ['Appingedam', 'Delfzijl', 'Loppersum'], False)
    """
    grouped: dict[tuple[str, date], list[Municipality]] = {}
    for m in table.municipalities:
        if m.successor is not None and m.valid_until is not None:
            grouped.setdefault((m.successor, date.fromordinal(m.valid_until.toordinal() + 1)), []).append(m)
    found = []
    for (code, day), predecessors in grouped.items():
        successor = table.by_code(code)
        if successor is not None:
            found.append(Merger(successor, day, tuple(predecessors)))
    return found


def incomplete_mergers(
    table: MunicipalityTable, codes: set[str], valid_from: date, valid_until: date
) -> list[tuple[Merger, list[Municipality]]]:
    """Mergers up to the end of a covenant's period of which the parties (`codes`) name some
    predecessors, or the successor that grew during the period, but not every predecessor; with
    the predecessors missing."""
    found = []
    for merger in mergers(table):
        if merger.day > valid_until:
            continue  # after the covenant: its parties are separate municipalities throughout
        named = any(p.code in codes for p in merger.predecessors)
        grew = merger.grew and merger.successor.code in codes and valid_from < merger.day
        missing = [p for p in merger.predecessors if p.code not in codes]
        if (named or grew) and missing:
            found.append((merger, missing))
    return found


def in_year(rules: RuleFile, year: int) -> YearParties:
    """The members of the municipality set in `year`, in preamble order."""
    day = date(year, 1, 1)
    table = rules.municipalities
    members: list[YearParty] = []
    grouped: dict[str, list[Party]] = {}
    for party in rules.parties:
        code = existing_on(table, party.code, day) or party.code
        if code not in grouped:
            grouped[code] = []
            members.append(YearParty(code, "", "", len(members), ()))
        grouped[code].append(party)
    result = []
    for member in members:
        parties = grouped[member.code]
        roles = {p.role for p in parties}
        if len(roles) > 1:
            raise ConvenantError(
                [
                    Problem(
                        "parties.merged_roles",
                        {
                            "names": ", ".join(p.name for p in parties),
                            "year": year,
                            "roles": ", ".join(sorted(roles)),
                        },
                        None,
                        None,
                        parties[0].article,
                    )
                ]
            )
        municipality = table.by_code(member.code)
        name = municipality.name if municipality else parties[0].name
        own = len(parties) == 1 and parties[0].code == member.code
        result.append(
            YearParty(member.code, name, parties[0].role, member.order, () if own else tuple(parties))
        )
    return YearParties(year, tuple(result))
