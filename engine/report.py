"""An evaluation as JSON for machines and as a table for people.

JSON: money as strings in euros with two decimals ("-1234.50"), ratios as exact fractions
("1234/5678") with a decimal approximation beside them, dates as ISO dates; results per
municipality keyed by CBS code; every result with its rule id, citation, inputs and
interpretation ids; the rule file's covenant id, version and sha256 and the facts' sha256.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from engine import __version__, dates, money
from engine.citation import Citation
from engine.evaluate import Calendar, Evaluation, TraceNode
from engine.model import CASE, MUNICIPALITY, Rule
from engine.units import Kind, display

RECEIVES, PAYS, NOTHING = "ontvangt", "betaalt", "nihil"
HEADINGS = {
    "nl": {
        "rule_file": "Regelbestand",
        "facts": "Feiten",
        "year": "jaar",
        "period": "Looptijd",
        "illustrative": "ILLUSTRATIEF: verzonnen voorbeeldgegevens, niet om af te rekenen",
        "results": "Uitkomsten",
        "per_municipality": "Per gemeente",
        "deadlines": "Termijnen",
        "duties": "Verplichtingen",
        "cases": "Casussen",
        "warnings": "Waarschuwingen",
        "interpretations": "Interpretaties",
        "covers": "valt erbinnen",
        "until": "t/m",
        "unknown": "nog onbekend",
        "rounding": {
            money.HALF_UP: "afgerond op centen, half van nul af",
            money.LARGEST_REMAINDER: "verdeeld in hele centen (grootste overschot)",
        },
        "status": {"voldaan": "voldaan", "niet_voldaan": "NIET voldaan", "niet_getoetst": "niet getoetst"},
        "missing": "ontbreekt",
        "shifted": "verschoven van",
        "municipality": "gemeente",
        "code": "CBS-code",
        "default": "niet opgegeven; standaardwaarde gebruikt",
    },
    "en": {
        "rule_file": "Rule file",
        "facts": "Facts",
        "year": "year",
        "period": "In force",
        "illustrative": "ILLUSTRATIVE: made-up example data, not for settlement",
        "results": "Results",
        "per_municipality": "Per municipality",
        "deadlines": "Deadlines",
        "duties": "Duties",
        "cases": "Cases",
        "warnings": "Warnings",
        "interpretations": "Interpretations",
        "covers": "is covered",
        "until": "to",
        "unknown": "not yet known",
        "rounding": {
            money.HALF_UP: "rounded to cents, half away from zero",
            money.LARGEST_REMAINDER: "distributed in whole cents (largest remainder)",
        },
        "status": {"voldaan": "met", "niet_voldaan": "NOT met", "niet_getoetst": "not checked"},
        "missing": "missing",
        "shifted": "moved from",
        "municipality": "municipality",
        "code": "CBS code",
        "default": "not given; default used",
    },
}


def direction(amount: Fraction) -> str:
    """A settled amount's direction for the party: positive is received, negative is paid."""
    return RECEIVES if amount > 0 else PAYS if amount < 0 else NOTHING


# --- JSON --------------------------------------------------------------------------------------


def json_value(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind is Kind.MONEY:
        return money.plain(value)
    if kind in (Kind.RATIO, Kind.PERCENTAGE):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    if kind is Kind.DATE:
        return value.isoformat()
    if kind is Kind.PERIOD:
        return {"from": value.start.isoformat(), "until": value.end.isoformat()}
    if isinstance(value, dates.DayMonth | dates.Term):
        return value.dutch()
    return value


def _approx(value: Fraction) -> str:
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.10f}"


def _result(node: TraceNode, value: Any, lang: str) -> dict[str, Any]:
    rule = node.rule
    out: dict[str, Any] = {
        "rule": rule.name,
        "label": rule.label,
        "type": rule.kind.value,
        "value": json_value(rule.kind, value),
    }
    if rule.kind is Kind.RATIO and value is not None:
        out["approx"] = _approx(value)
    if rule.settlement_deadline and value is not None:
        out["direction"] = direction(value)
        out["deadline"] = rule.settlement_deadline
    if rule.kind is Kind.OUTCOME and value is not None:
        out["text"] = next(c.text for c in rule.spec.cases if c.outcome == value)  # type: ignore[union-attr]
    out["citation"] = rule.article.as_json(lang)
    out["interpretations"] = list(node.interpretations)
    out["inputs"] = [
        {"name": i.name, "source": i.source, "citation": i.citation.as_json(lang) if i.citation else None}
        for i in node.inputs
    ]
    out["rounding"] = node.rounding
    if "shifted" in node.details:
        shifted = node.details["shifted"]
        out["shifted_from"] = shifted.original.isoformat()
        out["shifted_because"] = list(shifted.reasons)
    return out


def to_json(ev: Evaluation, lang: str = "nl") -> dict[str, Any]:
    rules, facts, c = ev.rules, ev.facts, ev.rules.covenant
    results, deadlines = {}, {}
    per_municipality: dict[str, dict[str, Any]] = {
        p.code: {"name": p.name, "role": p.role, "results": {}} for p in rules.parties
    }
    cases: dict[str, dict[str, Any]] = {m: {"results": {}} for m in ev.members[CASE]}
    for name in rules.rules:
        node = ev.nodes[name]
        rule = node.rule
        if rule.per == MUNICIPALITY:
            for code in ev.members[MUNICIPALITY]:
                per_municipality[code]["results"][name] = _result(node, node.value[code], lang)
        elif rule.per == CASE:
            for case in ev.members[CASE]:
                cases[case]["results"][name] = _result(node, node.value[case], lang)
        elif rule.section == "deadlines":
            deadlines[name] = {**_result(node, node.value, lang), "who": rule.who}
        else:
            results[name] = _result(node, node.value, lang)
    warnings = [
        {"rule": n.name, "municipality": m, "message": text, "citation": n.rule.article.as_json(lang)}
        for n in ev.nodes.values()
        for m, text in n.warnings
    ]
    return {
        "engine": {"name": "convenant", "version": __version__},
        "covenant": {
            "id": c.id,
            "title": c.title,
            "region": c.region,
            "version": c.version,
            "version_date": c.version_date.isoformat(),
            "cvdr": c.cvdr,
            "rule_file": rules.path,
            "sha256": rules.sha256,
            "municipalities_sha256": rules.municipalities.sha256,
        },
        "facts": {
            "path": facts.path,
            "sha256": facts.sha256,
            "year": facts.year,
            "illustrative": facts.illustrative,
            "evaluation_date": facts.evaluation_date.isoformat() if facts.evaluation_date else None,
        },
        "validity": {
            "year": facts.year,
            "valid_from": c.valid_from.isoformat(),
            "valid_until": c.valid_until.isoformat(),
            "citation": c.period_article.as_json(lang),
        },
        "interpretations": {
            k: {
                "article": v.article.as_json(lang),
                "chosen": v.chosen,
                "reading": v.chosen_reading,
                "switchable": v.switchable,
            }
            for k, v in rules.interpretations.items()
        },
        "results": results,
        "municipalities": per_municipality,
        "cases": cases,
        "deadlines": deadlines,
        "duties": {
            d.name: {
                "label": rules.duties[d.name].label,
                "who": rules.duties[d.name].who,
                "status": d.status,
                "missing": list(d.missing),
                "period": {"from": d.period.start.isoformat(), "until": d.period.end.isoformat()},
                "citation": rules.duties[d.name].article.as_json(lang),
            }
            for d in ev.duties
        },
        "warnings": warnings,
    }


# --- table -------------------------------------------------------------------------------------


def _cite(citation: Citation | None) -> str:
    return citation.short() if citation else ""


def _shown(rule: Rule, value: Any, lang: str) -> str:
    if value is None:
        return HEADINGS[lang]["unknown"]
    if rule.kind is Kind.OUTCOME:
        return str(value)
    if rule.settlement_deadline:
        word = {
            RECEIVES: "ontvangt" if lang == "nl" else "receives",
            PAYS: "betaalt" if lang == "nl" else "pays",
            NOTHING: "nihil" if lang == "nl" else "nil",
        }
        return f"{word[direction(value)]} {display(Kind.MONEY, abs(value), lang)}"
    return display(rule.kind, value, lang)


def _columns(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def to_table(ev: Evaluation, lang: str = "nl") -> str:
    h = HEADINGS[lang]
    rules, facts, c = ev.rules, ev.facts, ev.rules.covenant
    region = f" — {c.region}" if c.region else ""
    version_word = "versie" if lang == "nl" else "version"
    out = [
        f"{c.title}{region}, {version_word} {c.version}",
        f"{h['rule_file']}: {rules.path} (sha256 {rules.sha256[:16]}…)",
        f"{h['facts']}: {facts.path} (sha256 {facts.sha256[:16]}…), {h['year']} {facts.year}",
    ]
    if facts.illustrative:
        out.append(f"  {h['illustrative']}")
    out.append(
        f"{h['period']}: {display(Kind.DATE, c.valid_from, lang)} {h['until']} "
        f"{display(Kind.DATE, c.valid_until, lang)} ({c.period_article.formal(lang)}): "
        f"{facts.year} {h['covers']}"
    )

    scalar = [
        ev.nodes[n] for n in rules.rules if not rules.rules[n].per and rules.rules[n].section == "rules"
    ]
    if scalar:
        out += ["", h["results"]]
        rows = [
            [
                n.rule.label,
                _shown(n.rule, n.value, lang),
                _cite(n.rule.article),
                h["rounding"].get(n.rounding, "") if n.rounding else "",
            ]
            for n in scalar
        ]
        out += _columns(rows, {1})

    per = [ev.nodes[n] for n in rules.rules if rules.rules[n].per == MUNICIPALITY]
    if per:
        out += ["", f"{h['per_municipality']} ({', '.join(sorted({_cite(n.rule.article) for n in per}))})"]
        rows = [[h["code"], h["municipality"], *[n.rule.label for n in per]]]
        for party in rules.parties:
            rows.append([party.code, party.name, *[_shown(n.rule, n.value[party.code], lang) for n in per]])
        out += _columns(rows, set(range(2, 2 + len(per))))

    cases = [ev.nodes[n] for n in rules.rules if rules.rules[n].per == CASE]
    if cases and ev.members[CASE]:
        out += ["", h["cases"]]
        for n in cases:
            for case in ev.members[CASE]:
                outcome = n.value[case]
                chosen = next(x for x in n.rule.spec.cases if x.outcome == outcome)  # type: ignore[union-attr]
                out.append(f"  {case}: {chosen.text} ({_cite(chosen.article or n.rule.article)})")

    deadline_nodes = [ev.nodes[n] for n in rules.rules if rules.rules[n].section == "deadlines"]
    if deadline_nodes:
        out += ["", h["deadlines"]]
        rows = []
        for n in deadline_nodes:
            when = _shown(n.rule, n.value, lang)
            if "shifted" in n.details:
                when += f" ({h['shifted']} {display(Kind.DATE, n.details['shifted'].original, lang)})"
            rows.append([when, n.rule.label, n.rule.who or "", _cite(n.rule.article)])
        out += _columns(rows, set())

    if ev.duties:
        out += ["", h["duties"]]
        for d in ev.duties:
            duty = rules.duties[d.name]
            status = h["status"][d.status]
            if d.missing:
                status += f" ({h['missing']}: {', '.join(d.missing)})"
            out.append(f"  {duty.label} ({_cite(duty.article)}): {status}")

    warnings = [(n, m, text) for n in ev.nodes.values() for m, text in n.warnings]
    if warnings:
        out += ["", h["warnings"]]
        for n, m, text in warnings:
            who = f"{rules.party(m).name}: " if m and rules.party(m) else ""  # type: ignore[union-attr]
            out.append(f"  {who}{text} ({_cite(n.rule.article)})")

    used = {i for n in ev.nodes.values() for i in n.interpretations}
    if used:
        out += ["", h["interpretations"]]
        for ident, interp in rules.interpretations.items():
            if ident in used:
                choice = f" [{interp.chosen}]" if interp.chosen else ""
                out.append(
                    f"  {ident}{choice} ({_cite(interp.article)}): {' '.join(interp.chosen_reading.split())}"
                )

    defaults = [n for n, v in facts.scalars.items() if v.defaulted]
    if defaults:
        out += ["", f"{h['facts']}: {', '.join(defaults)}: {h['default']}"]
    return "\n".join(out) + "\n"


def deadlines_json(calendar: Calendar, lang: str = "nl") -> dict[str, Any]:
    c = calendar.rules.covenant
    return {
        "covenant": {
            "id": c.id,
            "version": c.version,
            "rule_file": calendar.rules.path,
            "sha256": calendar.rules.sha256,
        },
        "year": calendar.year,
        "deadlines": {n.name: {**_result(n, n.value, lang), "who": n.rule.who} for n in calendar.deadlines},
        "duties": {
            d.name: {
                "label": calendar.rules.duties[d.name].label,
                "who": calendar.rules.duties[d.name].who,
                "period": {"from": d.period.start.isoformat(), "until": d.period.end.isoformat()},
                "citation": calendar.rules.duties[d.name].article.as_json(lang),
            }
            for d in calendar.duties
        },
    }


def deadlines_table(calendar: Calendar, lang: str = "nl") -> str:
    h = HEADINGS[lang]
    c = calendar.rules.covenant
    version_word = "versie" if lang == "nl" else "version"
    out = [
        f"{c.title}{f' — {c.region}' if c.region else ''}, {version_word} {c.version}",
        f"{h['rule_file']}: {calendar.rules.path}",
        "",
        f"{h['deadlines']} ({h['year']} {calendar.year})",
    ]
    rows = []
    for n in calendar.deadlines:
        when = _shown(n.rule, n.value, lang)
        if "shifted" in n.details:
            when += f" ({h['shifted']} {display(Kind.DATE, n.details['shifted'].original, lang)})"
        rows.append([when, n.rule.label, n.rule.who or "", _cite(n.rule.article)])
    if rows:
        out += _columns(rows, set())
    if calendar.duties:
        out += ["", h["duties"]]
        rows = [
            [
                display(Kind.PERIOD, d.period, lang),
                calendar.rules.duties[d.name].label,
                calendar.rules.duties[d.name].who,
                _cite(calendar.rules.duties[d.name].article),
            ]
            for d in calendar.duties
        ]
        out += _columns(rows, set())
    return "\n".join(out) + "\n"
