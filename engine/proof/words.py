"""Results of `verify` in plain words (Dutch, English available), as text and as JSON.

A proven obligation says what was proven and under which assumptions; a refuted or undecided one
is also a located message (engine.messages) with the counterexample.
"""

from __future__ import annotations

from typing import Any

import sympy

from convenant import messages
from convenant.model import RuleFile
from convenant.proof.results import NO_OBLIGATION, PROVEN, REFUTED, UNDECIDED, Result

CLAIMS = {
    "nl": {
        "key_total": "de sleutel telt voor alle leden samen op tot precies 1: Σ_i Σ_c w_c·x_ci/Σ_j x_cj = "
        "Σ_c w_c = {weights} = 1, voor elk aantal leden en alle waarden met een totaal ongelijk aan nul "
        "(bij een totaal nul weigert de engine de berekening met een melding)",
        "exact_shares": "de exacte aandelen tellen op tot het bedrag: Σ_i A·k_i = A·Σ_i k_i = A, omdat de "
        "sleutel „{key}” op 1 telt",
        "largest_remainder": "de verdeling in hele centen behoudt het bedrag tot op de cent: bewezen met "
        "sympy voor elk aantal partijen en elk bedrag (Σ floor + overgebleven centen = |bedrag|, hoogstens "
        "n − 1 centen over, teken terug); daarnaast is de rekenfunctie van de engine uitputtend nagerekend "
        "voor 1 tot {parties} partijen, sleutels in 1/{denominator}-en en bedragen van −{cents} tot {cents} "
        "cent ({cases} gevallen)",
        "cover": "de gevallen dekken elke situatie: voor elke combinatie van {names} geldt minstens één "
        "voorwaarde",
        "disjoint": "de gevallen overlappen niet: geen twee voorwaarden kunnen tegelijk gelden",
        "reachable": "elk geval kan voorkomen",
        "branches": "elke tak van elke if … then … else … kan worden genomen ({count} takken)",
        "warnings": "elke waarschuwing kan optreden ({count})",
        "none": "voor het primitief {primitive} is nog geen bewijsplicht vastgelegd "
        "(engine/proof/__init__.py)",
        "sheet_total": "het spreadsheet telt onder ‘schalen’ ({interpretation}) voor elk aantal rijen en "
        "kolommen op tot precies 1: Σ_r (Σ_c w_rc/T·(1 − F) + F_r) = (1 − F) + F = 1, met T het totaal van "
        "de indicatiewaarden (ongelijk aan nul) en F de vaste cellen samen; onder ‘geen’ weigert de engine "
        "elk spreadsheet dat niet precies 100 % is",
        "pro_rata_total": "de bijgestelde sleutel telt op tot 1, omdat „{old}” en „{new}” dat doen: "
        "Σ (o_i + (n_i − o_i)·f) = 1 + (1 − 1)·f = 1",
        "ration_bounds": "de betalingen zijn nooit hoger dan een aanspraak ({claims}) of dan het beschikbare "
        "bedrag ({available}); bij te weinig wordt het hele beschikbare bedrag uitgekeerd: een exact aandeel "
        "a·c/C ligt onder c als a < C, en de verdeling in hele centen behoudt het bedrag (bewezen, en "
        "uitputtend nagerekend: {cases} gevallen)",
    },
    "en": {
        "key_total": "the key totals exactly 1 over all members: Σ_i Σ_c w_c·x_ci/Σ_j x_cj = Σ_c w_c = "
        "{weights} = 1, for any number of members and all values with a non-zero total (with a zero total "
        "the engine refuses the computation with a message)",
        "exact_shares": "the exact shares add up to the amount: Σ_i A·k_i = A·Σ_i k_i = A, because the key "
        "‘{key}’ totals 1",
        "largest_remainder": "the distribution in whole cents keeps the amount to the cent: proven with "
        "sympy for any number of parties and any amount (Σ floor + cents left over = |amount|, at most n − 1 "
        "left over, sign restored); the engine's function was also checked exhaustively for 1 to {parties} "
        "parties, keys in 1/{denominator}ths and amounts from −{cents} to {cents} cents ({cases} cases)",
        "cover": "the cases cover every situation: for every combination of {names} at least one condition "
        "holds",
        "disjoint": "the cases do not overlap: no two conditions can hold together",
        "reachable": "every case can occur",
        "branches": "every branch of every if … then … else … can be taken ({count} branches)",
        "warnings": "every warning can occur ({count})",
        "none": "no proof obligation is registered yet for the primitive {primitive} "
        "(engine/proof/__init__.py)",
        "sheet_total": "under ‘schalen’ ({interpretation}) the sheet totals exactly 1 for any number of rows "
        "and columns: Σ_r (Σ_c w_rc/T·(1 − F) + F_r) = (1 − F) + F = 1, with T the total of the "
        "indicatiewaarden (non-zero) and F the fixed cells together; under ‘geen’ the engine refuses any "
        "sheet that does not total exactly 100 %",
        "pro_rata_total": "the adjusted key totals 1 because ‘{old}’ and ‘{new}’ do: "
        "Σ (o_i + (n_i − o_i)·f) = 1 + (1 − 1)·f = 1",
        "ration_bounds": "payments never exceed a claim ({claims}) or the amount available ({available}); "
        "when short, all that is available is paid out: an exact share a·c/C lies below c when a < C, and "
        "the distribution in whole cents keeps the amount (proven, and checked exhaustively: {cases} cases)",
    },
}
WORDS = {
    "nl": {
        "title": "Bewijzen voor {path} (convenant {id}, versie {version}), met sympy {sympy}",
        "failed": "niet bewezen, zie de melding",
        "undecided": "niet beslist, zie de melding",
        "summary": "{proven} bewezen, {refuted} weerlegd, {undecided} niet beslist, {none} zonder "
        "bewijsplicht.",
    },
    "en": {
        "title": "Proofs for {path} (covenant {id}, version {version}), with sympy {sympy}",
        "failed": "not proven, see the message",
        "undecided": "not decided, see the message",
        "summary": "{proven} proven, {refuted} refuted, {undecided} undecided, {none} without obligation.",
    },
}
MARKS = {PROVEN: "✓", REFUTED: "✗", UNDECIDED: "?", NO_OBLIGATION: "·"}


def _claim(r: Result, lang: str) -> str:
    args = {k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.args.items()}
    text = CLAIMS[lang][r.obligation].format_map(_Missing(args))
    if r.status == REFUTED:
        return f"{text}: {WORDS[lang]['failed']}"
    if r.status == UNDECIDED:
        return f"{text}: {WORDS[lang]['undecided']}"
    return text


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "—"


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
        "counts": counts(results),
        "results": [
            {
                "rule": r.subject,
                "citation": r.article.as_json(lang),
                "obligation": r.obligation,
                "status": r.status,
                "text": _claim(r, lang),
                "problems": [
                    {"code": p.code, "message": messages.message(p, lang)[0], "location": str(p.location)}
                    for p in r.problems
                ],
            }
            for r in results
        ],
    }
