"""The sender profile: what every letter of one centrumgemeente says that is not a rule of the
covenant (letterhead, contact, account, kenmerk, signatories, the dispute paragraph per covenant),
as a YAML file legal staff edit without code, checked by `schemas/sender-profile.schema.json`.

It is read by our strict YAML composer (no tags, duplicate keys refused, every value's line), so
an error points at file:line and field, in Dutch, like a rule file's. Beyond the schema:

- the kenmerk pattern names only known placeholders (`PLACEHOLDERS`) and at least `REQUIRED`;
- a real profile's IBAN passes the mod-97 check; an example profile's (`illustrative: true`) has
  the check digits 00, which no real account has, so an example can never name a real account;
- the college signs with two (secretaris, burgemeester); under mandate one signs "namens dezen",
  and the profile names the mandate decision.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convenant.check.checking import require_schema_line
from convenant.core.diagnostics import ConvenantError, Location, Problem, UsageRefusal
from convenant.core.paths import EXAMPLES_DIR, display_path
from convenant.source import schemas
from convenant.source.loading import Document, load_document

SCHEMA = "sender-profile.schema.json"
PLACEHOLDERS = ("covenant", "jaar", "act", "code", "inputs")
REQUIRED = ("jaar", "act", "code")
COLLEGE, MANDATE = "college", "mandaat"


@dataclass(frozen=True)
class Signatory:
    name: str
    function: str


@dataclass(frozen=True)
class Profile:
    path: str
    sha256: str
    illustrative: bool
    municipality: str  # CBS code of the centrumgemeente
    name: str  # letterhead
    department: str | None
    address: tuple[str, ...]
    website: str | None
    handled_by: str
    phone: str
    email: str
    iban: str  # as written, in groups of four
    holder: str
    kenmerk_pattern: str
    college: str
    mode: str  # COLLEGE | MANDATE
    mandate_decision: str | None
    signatories: tuple[Signatory, ...]
    disputes: dict[str, str]  # covenant id → dispute paragraph

    def kenmerk(self, covenant: str, year: int, act: str, code: str, inputs: str) -> str:
        """This letter's kenmerk: the pattern filled in.

        >>> p = Profile("p", "0" * 64, True, "GM0014", "Gemeente G", None, ("Postbus 1",), None, "A",
        ...             "050 000 0000", "a@example.org", "NL00 TEST 0000 0000 00", "gemeente G",
        ...             "{covenant}/{jaar}/{act}/{code}/{inputs}", "B en W van G", "college", None,
        ...             (Signatory("X", "de secretaris"), Signatory("Y", "de burgemeester")), {})
        >>> p.kenmerk("groningen", 2022, "mededeling", "GM0765", "1a2b3c4d")
        'groningen/2022/mededeling/GM0765/1a2b3c4d'
        """
        return self.kenmerk_pattern.format(covenant=covenant, jaar=year, act=act, code=code, inputs=inputs)

    def dispute(self, covenant: str) -> str:
        if covenant not in self.disputes:
            raise ConvenantError([Problem("profile.no_covenant", {"covenant": covenant})])
        return self.disputes[covenant]


def iban_valid(iban: str) -> bool:
    """The ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1.

    >>> iban_valid("NL91 ABNA 0417 1643 00"), iban_valid("NL00 TEST 0000 0000 00")
    (True, False)
    """
    compact = iban.replace(" ", "")
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _placeholders(pattern: str) -> list[str] | None:
    try:
        return [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
    except ValueError:  # an unmatched brace
        return None


def _checks(doc: Document) -> list[Problem]:
    data: dict[str, Any] = doc.data
    problems = []

    def at(*path: str | int) -> dict[str, Any]:
        return {"location": doc.locate(path), "field": schemas.field_name(path)}

    pattern = data["kenmerk"]
    names = _placeholders(pattern)
    unknown = [n for n in (names or ["{"]) if n not in PLACEHOLDERS]
    for name in unknown:
        args = {"pattern": pattern, "name": name, "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
        problems.append(Problem("profile.kenmerk_placeholder", args, **at("kenmerk")))
    missing = [p for p in REQUIRED if p not in (names or [])]
    if missing and not unknown:
        shown = ", ".join(f"{{{p}}}" for p in missing)
        problems.append(
            Problem("profile.kenmerk_missing", {"pattern": pattern, "missing": shown}, **at("kenmerk"))
        )

    iban = data["payment"]["iban"]
    if data["illustrative"]:
        if iban.replace(" ", "")[2:4] != "00":
            problems.append(Problem("profile.iban_real_in_example", {"iban": iban}, **at("payment", "iban")))
    elif not iban_valid(iban):
        problems.append(Problem("profile.iban_invalid", {"iban": iban}, **at("payment", "iban")))

    signing = data["signing"]
    expected = 2 if signing["mode"] == COLLEGE else 1
    if len(signing["signatories"]) != expected:
        args = {"mode": signing["mode"], "expected": expected, "found": len(signing["signatories"])}
        problems.append(Problem("profile.signatories", args, **at("signing", "signatories")))
    if signing["mode"] == MANDATE and "mandate_decision" not in signing:
        problems.append(Problem("profile.mandate_decision", {}, **at("signing")))
    return problems


def load_profile(path: Path, shown: str | None = None) -> Profile:
    """Read and check a sender profile; raise ConvenantError with every problem, located.
    `shown` names the file in messages and in the letters when it is not its path (an upload)."""
    doc = load_document(path, shown or display_path(path))
    require_schema_line(doc, SCHEMA)
    problems = schemas.validate(doc, SCHEMA) or _checks(doc)
    if problems:
        raise ConvenantError(problems)
    data = doc.data
    head, contact, signing = data["letterhead"], data["contact"], data["signing"]
    return Profile(
        path=doc.path,
        sha256=doc.sha256 or hashlib.sha256(doc.text.encode()).hexdigest(),
        illustrative=data["illustrative"],
        municipality=data["municipality"],
        name=head["name"],
        department=head.get("department"),
        address=tuple(head["address"]),
        website=head.get("website"),
        handled_by=contact["handled_by"],
        phone=contact["phone"],
        email=contact["email"],
        iban=data["payment"]["iban"],
        holder=data["payment"]["holder"],
        kenmerk_pattern=data["kenmerk"],
        college=signing["college"],
        mode=signing["mode"],
        mandate_decision=signing.get("mandate_decision"),
        signatories=tuple(Signatory(s["name"], s["function"]) for s in signing["signatories"]),
        disputes={k: v["dispute"] for k, v in data["covenants"].items()},
    )


def example_profile(covenant: str) -> Path | None:
    """The example sender profile shipped for a covenant (`examples/afzender-<covenant>.yaml`)."""
    found = EXAMPLES_DIR / f"afzender-{covenant}.yaml"
    return found if found.is_file() else None


def for_letters(ev: Any) -> Profile:
    """The profile that signs letters made without `--profile`: for example facts, the covenant's
    example profile (itself an example, so every page says VOORBEELD); real facts are never signed
    by an example, so they need the centrumgemeente's own profile."""
    c = ev.rules.covenant
    found = example_profile(c.id) if ev.facts.illustrative else None
    if found is None:
        args = {"example": f"afzender-{c.id}.yaml"}
        raise UsageRefusal([Problem("letters.no_profile", args, Location(ev.facts.path))])
    return load_profile(found)
