"""Results of `verify` in plain words (Dutch, English available), as text and as JSON.

A proven obligation says what was proven and under which assumptions; a refuted or undecided one
is also a located message (engine.messages) with the counterexample.
"""

from __future__ import annotations

from typing import Any

import sympy

from convenant import words
from convenant.core import messages
from convenant.language.model import RuleFile
from convenant.proof.results import NO_OBLIGATION, PROVEN, REFUTED, STATUS_IN_JSON, UNDECIDED, Result

# The sentences per obligation and the words around them: views of the one catalogue
# (engine/words/proof.yaml).
CLAIMS = words.Languages("proof.claim")
WORDS = words.Languages("proof.words")
NOT_REACHED = "—"  # a claim's argument the prover did not get to (it stopped at a counterexample)
MARKS = {PROVEN: "✓", REFUTED: "✗", UNDECIDED: "?", NO_OBLIGATION: "·"}


def _claim(r: Result, lang: str) -> str:
    args = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.args.items()}
    key = f"proof.claim.{r.obligation}"
    reached = {name: NOT_REACHED for name in words.placeholders(words.word(key, lang))} | args
    text = words.fill(key, lang, reached)
    if r.status == REFUTED:
        return f"{text}: {WORDS[lang]['failed']}"
    if r.status == UNDECIDED:
        return f"{text}: {WORDS[lang]['undecided']}"
    return text


def counts(results: list[Result]) -> dict[str, int]:
    return {s: sum(1 for r in results if r.status == s) for s in (PROVEN, REFUTED, UNDECIDED, NO_OBLIGATION)}


def to_text(rules: RuleFile, results: list[Result], lang: str) -> str:
    c, w = rules.covenant, WORDS[lang]
    out = [w["title"].format(path=rules.path, id=c.id, version=c.version, sympy=sympy.__version__)]
    subject = None
    for r in results:
        if r.subject != subject:
            subject = r.subject
            out += ["", f"{r.label} ({r.article.short()})"]
        out.append(f"  {MARKS[r.status]} {_claim(r, lang)}")
    n = counts(results)
    out += [
        "",
        w["summary"].format(
            proven=n[PROVEN], refuted=n[REFUTED], undecided=n[UNDECIDED], none=n[NO_OBLIGATION]
        ),
    ]
    return "\n".join(out) + "\n"


def to_json(rules: RuleFile, results: list[Result], lang: str) -> dict[str, Any]:
    return {
        "rule_file": rules.path,
        "sha256": rules.sha256,
        "covenant": rules.covenant.id,
        "version": rules.covenant.version,
        "sympy": sympy.__version__,
        "counts": {STATUS_IN_JSON[status]: n for status, n in counts(results).items()},
        "results": [
            {
                "rule": r.subject,
                "citation": r.article.as_json(lang),
                "obligation": r.obligation,
                "status": STATUS_IN_JSON[r.status],
                "text": _claim(r, lang),
                "problems": [
                    {"code": p.code, "message": messages.message(p, lang)[0], "location": str(p.location)}
                    for p in r.problems
                ],
            }
            for r in results
        ],
    }
