"""What `verify` found: one Result per proof obligation of a rule, and a shared context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from convenant.core.citation import Citation
from convenant.core.diagnostics import Location, Problem
from convenant.language.model import Rule, RuleFile
from convenant.source import schemas

PROVEN, REFUTED, UNDECIDED, NO_OBLIGATION = "proven", "refuted", "undecided", "no_obligation"
# `verify --format json` keeps the Dutch words of its contract (counts and each result's status).
STATUS_IN_JSON = {
    PROVEN: "bewezen",
    REFUTED: "weerlegd",
    UNDECIDED: "onbeslist",
    NO_OBLIGATION: "geen_bewijsplicht",
}
WARNINGS = ("verify.undecided", "verify.key_unproven")  # not proven, but not refuted either


@dataclass(frozen=True)
class Result:
    """One proof obligation of one rule (or duty), its outcome and, when it failed, why."""

    subject: str  # the rule's or duty's name
    label: str
    article: Citation
    obligation: str  # key_total | exact_shares | largest_remainder | cover | disjoint | reachable | ...
    status: str  # PROVEN | REFUTED | UNDECIDED | NO_OBLIGATION
    args: dict[str, Any] = field(default_factory=dict)  # what the sentence in engine.proof.words needs
    problems: tuple[Problem, ...] = ()  # located messages with the counterexample


@dataclass
class Context:
    """Shared by the obligations of one run: the rule file and what was proven so far."""

    rules: RuleFile
    results: list[Result] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    key_obligations: tuple[str, ...] = ()  # what proves a key totals 1 (the registry's, set by verify)

    def proven(self, subject: str, obligation: str) -> bool:
        return any(
            r.subject == subject and r.obligation == obligation and r.status == PROVEN for r in self.results
        )

    def key_proven(self, subject: str) -> bool:
        """Whether the key `subject` was proven to total 1, by the obligation of its primitive."""
        return any(self.proven(subject, obligation) for obligation in self.key_obligations)

    def locate(self, rule: Rule, *path: str | int) -> Location:
        return self.rules.document.locate((rule.section, rule.name, *path))

    def problem(
        self,
        code: str,
        rule: Rule,
        path: tuple[str | int, ...],
        related: Location | None = None,
        **args: Any,
    ) -> Problem:
        """A failed proof as a message at the place in the rule file it concerns."""
        severity = "warning" if code in WARNINGS else "error"
        field_name = schemas.field_name((rule.section, rule.name, *path))
        location = self.locate(rule, *path)
        return Problem(
            code, {"label": rule.label, **args}, location, field_name, rule.article, related, severity
        )


def result(rule: Rule, obligation: str, status: str, *problems: Problem, **args: Any) -> Result:
    return Result(rule.name, rule.label, rule.article, obligation, status, args, problems)
