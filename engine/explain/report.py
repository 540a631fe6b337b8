"""An evaluation as JSON for machines and as a table for people.

JSON: money as strings in euros with two decimals ("-1234.50"), ratios as exact fractions
("1234/5678") with a decimal approximation beside them, dates as ISO dates; results per
municipality keyed by CBS code; every result with its rule id, citation, inputs and
interpretation ids; the rule file's covenant id, version and sha256 and the facts' sha256.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from convenant import __version__, words
from convenant.check import registry
from convenant.core import dates, money
from convenant.core.citation import Citation
from convenant.core.columns import columns, row_lines
from convenant.core.units import Kind, display
from convenant.evaluation.evaluate import MET, NOT_CHECKED, NOT_MET, Calendar, Evaluation, TraceNode
from convenant.explain import trace_json
from convenant.language.model import CASE, MUNICIPALITY, Rule, RuleFile
from convenant.language.trace import DeadlineDetails, Unknown, warning_text

# A settled amount's direction: identifiers; the JSON output writes them as the Dutch words of its
# contract (DIRECTION_IN_JSON), a table in the reader's language (report.direction.*).
RECEIVES, PAYS, NOTHING = "receives", "pays", "nothing"
DIRECTION_IN_JSON = {RECEIVES: "ontvangt", PAYS: "betaalt", NOTHING: "nihil"}
HEADINGS = words.Languages("report.heading")
MERGER_WORDS = words.Languages("report.merger")
TABLE_WORDS = words.Languages("report.table")
# A duty's status in the JSON output: its contract keeps the Dutch words.
DUTY_STATUS_IN_JSON = {MET: "voldaan", NOT_MET: "niet_voldaan", NOT_CHECKED: "niet_getoetst"}


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


def _result(
    node: TraceNode, value: Any, lang: str, member: str | None = None, ev: Evaluation | None = None
) -> dict[str, Any]:
    """One result (for `member` of the rule's set, or not per set) as JSON; with the evaluation, its
    trace as data too (`engine.explain.trace_json`): each input's value, the steps, the roundings."""
    rule = node.rule
    out: dict[str, Any] = {
        "rule": rule.name,
        "label": rule.label,
        "type": rule.kind.value,
        "value": json_value(rule.kind, value),
    }
    if rule.kind is Kind.RATIO and value is not None:
        out["approx"] = _approx(value)
    if rule.settlement is not None and value is not None:
        out["direction"] = DIRECTION_IN_JSON[direction(value)]
        out["deadline"] = rule.settlement.deadline(value)
    if rule.kind is Kind.OUTCOME and value is not None:
        out["text"] = next(c.text for c in rule.spec.cases if c.outcome == value)  # type: ignore[union-attr]
    out["citation"] = rule.cited(value).as_json(lang)
    out["interpretations"] = list(node.interpretations)
    out["inputs"] = [
        {"name": i.name, "source": i.source, "citation": i.citation.as_json(lang) if i.citation else None}
        for i in node.inputs
    ]
    out["rounding"] = node.rounding(member)
    if ev is not None:
        for use, shown in zip(node.inputs, out["inputs"], strict=True):
            shown["value"] = trace_json.input_value(ev, node, use.name, member)
        out["roundings"] = trace_json.roundings(node, member)
        out["steps"] = trace_json.steps(ev, node, member, lang)
    if not_set(node):
        out["not_set"] = {"total": node.rule.stated.total}  # type: ignore[union-attr]
    elif isinstance(node.details, Unknown):
        out["unknown_because"] = list(node.details.missing)
    shifted = node.details.shifted if isinstance(node.details, DeadlineDetails) else None
    if shifted is not None:
        out["shifted_from"] = shifted.original.isoformat()
        out["shifted_because"] = list(shifted.reasons)
    return out


def member_results(ev: Evaluation, member: str) -> list[tuple[TraceNode, Any]]:
    """The results per member that apply to `member` (its row, its settlement, …), in file order.
    An unknown result applies to every member it is for (its roles), as unknown."""
    found = []
    party = ev.parties.member(member)
    for name, rule in ev.rules.rules.items():
        node = ev.nodes[name]
        if rule.per and rule.per != CASE and member in ev.members.get(rule.per, []):
            if node.value is None:
                if rule.roles and party is not None and party.role not in rule.roles:
                    continue
                found.append((node, None))
            elif member in node.value:
                found.append((node, node.value[member]))
    return found


def mergers(ev: Evaluation, lang: str = "nl") -> list[str]:
    """Sentences on parties and facts mapped through municipal mergers in this year."""
    words = MERGER_WORDS[lang]
    out = [
        words["parties"].format(
            names=and_([p.name for p in m.predecessors], lang),
            year=ev.facts.year,
            name=m.name,
            code=m.code,
            first=m.predecessors[0].name,
        )
        for m in ev.parties.merged
    ]
    out += [
        words["facts"].format(
            given=and_([f"{n} ({c})" for c, n in merged.given], lang),
            name=merged.member_name,
            code=merged.member,
        )
        for merged in ev.facts.merged
    ]
    return out


def part_of_year(rules: RuleFile, year: int, lang: str = "nl", check: bool = True) -> str | None:
    """The warning every output of `year` carries when the version covers only part of it (chosen
    with --rules, or the only version in force on part of the year); None when it covers all of it.
    With `check`, what to check follows (for those who run the commands; a letter leaves it out)."""
    part = registry.part_of_year(rules.covenant, year)
    if part is None:
        return None
    c = rules.covenant
    start, end = display(Kind.DATE, part.start, lang), display(Kind.DATE, part.end, lang)
    text = words.say("report.part_of_year", lang, version=c.version, year=year, start=start, end=end)
    return text + (
        " " + words.say("report.part_of_year_check", lang, year=year, covenant=c.id) if check else ""
    )


def after_end(deadlines: list[TraceNode], end: date) -> list[TraceNode]:
    """The deadlines that fall after the covenant's last day (`valid_until`, `end`): the last year
    is settled in the next (Assen art. 8 lid 6), as the covenant provides; nothing is wrong."""
    found = []
    for node in deadlines:
        first = node.value.start if isinstance(node.value, dates.Period) else node.value
        if first is not None and first > end:
            found.append(node)
    return found


def deadline_nodes(ev: Evaluation) -> list[TraceNode]:
    return [ev.nodes[n] for n, r in ev.rules.rules.items() if r.section == "deadlines"]


def after_end_sentence(rules: RuleFile, deadlines: list[TraceNode], year: int, lang: str) -> str | None:
    """The sentence every output says when the year is settled after the covenant's end (None when
    it is not): the end with its article, each deadline after it, and the articles that set them."""
    c = rules.covenant
    nodes = after_end(deadlines, c.valid_until)
    if not nodes:
        return None
    lower = words.say("casing.label_in_sentence", lang) == "lower"
    listed = [
        f"{n.rule.label[0].lower() + n.rule.label[1:] if lower else n.rule.label} "
        f"({display(n.rule.kind, n.value, lang)})"
        for n in nodes
    ]
    citations = [n.rule.article.formal(lang) for n in nodes]
    return words.say(
        "report.after_end",
        lang,
        end=display(Kind.DATE, c.valid_until, lang),
        period_citation=c.period_article.formal(lang),
        year=year,
        deadlines="; ".join(listed),
        citations=and_(list(dict.fromkeys(citations)), lang),
    )


def settled_after_end(ev: Evaluation, lang: str) -> str | None:
    """`after_end_sentence` for an evaluation."""
    return after_end_sentence(ev.rules, deadline_nodes(ev), ev.facts.year, lang)


def not_set(node: TraceNode) -> bool:
    """A result a letter states (`letter` with a `total`) whose parts were not given: only the total
    is known, and the covenant names no key for it, so no part is set (never computed, never zero)."""
    stated = node.rule.stated
    return node.value is None and stated is not None and stated.total is not None


def not_set_sentence(ev: Evaluation, node: TraceNode, lang: str) -> str:
    """What is said for a member whose part is not set: the total, with its article, and why."""
    stated = node.rule.stated
    assert stated is not None and stated.total is not None
    total = stated.total
    decl = ev.rules.facts.get(total)
    label, article = (
        (decl.label, decl.article) if decl else (ev.rules.rules[total].label, ev.rules.rules[total].article)
    )
    value = ev.values.get(total)
    roles = node.rule.roles
    return words.say(
        "report.not_set",
        lang,
        total_label=label,
        total=display(Kind.MONEY, value, lang) if value is not None else HEADINGS[lang]["unknown"],
        citation=article.formal(lang),
        member=roles[0] if len(roles) == 1 else HEADINGS[lang]["municipality"],
    )


def and_(items: list[str], lang: str) -> str:
    """Items joined as a sentence says them: "a, b en c" (nl), "a, b and c" (en)."""
    word = words.say("list.and", lang)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + word + items[-1]


def to_json(ev: Evaluation, lang: str = "nl", *, traces: bool = True) -> dict[str, Any]:
    """The evaluation as `convenant evaluate --format json` writes it. Without `traces`, each result
    is written without its trace as data (its inputs' values, steps and roundings: `_result`), and
    everything else as it is: the values, citations, directions, deadlines and unknowns."""
    rules, facts, c = ev.rules, ev.facts, ev.rules.covenant
    tr = ev if traces else None  # the evaluation, to write each result's trace from
    results, deadlines = {}, {}
    per_municipality = {
        m.code: {
            "name": m.name,
            "role": m.role,
            "predecessors": [{"code": p.code, "name": p.name} for p in m.predecessors],
            "results": {n.name: _result(n, v, lang, m.code, tr) for n, v in member_results(ev, m.code)},
        }
        for m in ev.parties.members
    }
    other_rows = {
        extra.id: {
            "label": extra.label,
            "set": declared.name,
            "results": {n.name: _result(n, v, lang, extra.id, tr) for n, v in member_results(ev, extra.id)},
        }
        for declared in rules.sets.values()
        if declared.parties
        for extra in declared.extra
    }
    cases: dict[str, dict[str, Any]] = {m: {"results": {}} for m in ev.members[CASE]}
    for name in rules.rules:
        node = ev.nodes[name]
        rule = node.rule
        if rule.per == CASE:
            for case in ev.members[CASE]:
                cases[case]["results"][name] = _result(node, node.value and node.value[case], lang, case, tr)
        elif rule.per:
            continue
        elif rule.section == "deadlines":
            deadlines[name] = {**_result(node, node.value, lang, None, tr), "who": rule.who}
        else:
            results[name] = _result(node, node.value, lang, None, tr)
    warnings = [
        {
            "rule": n.name,
            "municipality": m,
            "message": warning_text(text, lang),
            "citation": n.rule.article.as_json(lang),
        }
        for n in ev.nodes.values()
        for m, text in n.warnings
    ]
    part = registry.part_of_year(c, facts.year)
    partly = part_of_year(rules, facts.year, lang)
    if partly is not None:  # the version's period, not a rule: `rule` is null
        warnings.insert(
            0,
            {
                "rule": None,
                "municipality": None,
                "message": partly,
                "citation": c.period_article.as_json(lang),
            },
        )
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
            "first_year": c.first_year,
            "part_of_year": {"from": part.start.isoformat(), "until": part.end.isoformat()} if part else None,
            "after_end": [n.name for n in after_end(deadline_nodes(ev), c.valid_until)],
        },
        "tables": {name: {"path": t.path, "sha256": t.sha256} for name, t in rules.tables.items()},
        "interpretations": {
            k: {
                "article": v.article.as_json(lang) if v.article else None,
                "chosen": v.chosen,
                "reading": v.chosen_reading,
                "switchable": v.switchable,
            }
            for k, v in rules.interpretations.items()
        },
        "results": results,
        "municipalities": per_municipality,
        "other_rows": other_rows,
        "mergers": mergers(ev, lang),
        "cases": cases,
        "deadlines": deadlines,
        "duties": {
            d.name: {
                "label": rules.duties[d.name].label,
                "who": rules.duties[d.name].who,
                "status": DUTY_STATUS_IN_JSON[d.status],
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
    if rule.settlement is not None:
        word = words.say(f"report.direction.{direction(value)}", lang)
        return f"{word} {display(Kind.MONEY, abs(value), lang)}"
    return display(rule.kind, value, lang)


def _columns(rows: list[list[str]], right: set[int]) -> list[str]:
    return columns(rows, right)  # aligned, and wrapped to fit the terminal


def to_table(ev: Evaluation, lang: str = "nl") -> str:
    h = HEADINGS[lang]
    rules, facts, c = ev.rules, ev.facts, ev.rules.covenant
    region = f" — {c.region}" if c.region else ""
    version_word = h["version"]
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
        f"{facts.year} {h['covers' if registry.part_of_year(c, facts.year) is None else 'covers_part']}"
    )
    partly = part_of_year(rules, facts.year, lang)
    settled_after = settled_after_end(ev, lang)
    if settled_after:
        out.append(f"{h['after_end']}: {settled_after}")

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
                h.get(f"rounding.{n.rounding(None)}", ""),
            ]
            for n in scalar
        ]
        out += _columns(rows, {1})

    out += _per_member(ev, lang)

    cases = [ev.nodes[n] for n in rules.rules if rules.rules[n].per == CASE]
    if cases and ev.members[CASE]:
        out += ["", h["cases"]]
        for n in cases:
            for case in ev.members[CASE]:
                outcome = n.value[case]
                chosen = next(x for x in n.rule.spec.cases if x.outcome == outcome)  # type: ignore[union-attr]
                out.append(f"  {case}: {chosen.text} ({_cite(chosen.article or n.rule.article)})")

    deadlines = deadline_nodes(ev)
    if deadlines:
        out += ["", h["deadlines"]]
        rows = []
        for n in deadlines:
            when = _shown(n.rule, n.value, lang) + _unknown_because(n, lang, ev)
            when += _shifted(n, lang)
            rows.append([when, n.rule.label, n.rule.who or "", _cite(n.rule.article)])
        out += _columns(rows, set())

    if ev.duties:
        out += ["", h["duties"]]
        for d in ev.duties:
            duty = rules.duties[d.name]
            status = h[f"status.{d.status}"]
            if d.missing:
                status += f" ({h['missing']}: {', '.join(d.missing)})"
            out.append(f"  {duty.label} ({_cite(duty.article)}): {status}")

    warnings = [(n, m, text) for n in ev.nodes.values() for m, text in n.warnings]
    if partly is not None or warnings:
        out += ["", h["warnings"]]
    if partly is not None:
        out.append(f"  {partly} ({c.period_article.short()})")
    if warnings:
        for n, m, text in warnings:
            who = f"{ev.label(m)}: " if m else ""
            out.append(f"  {who}{warning_text(text, lang)} ({_cite(n.rule.article)})")

    used = {i for n in ev.nodes.values() for i in n.interpretations}
    if used:
        out += ["", h["interpretations"]]
        for ident, interp in rules.interpretations.items():
            if ident in used:
                choice = f" [{interp.chosen}]" if interp.chosen else ""
                cited = f" ({_cite(interp.article)})" if interp.article else ""
                out.append(f"  {ident}{choice}{cited}: {' '.join(interp.chosen_reading.split())}")

    defaults = [n for n, v in facts.scalars.items() if v.defaulted]
    if defaults:
        out += ["", f"{h['facts']}: {', '.join(defaults)}: {h['default']}"]
    notes = mergers(ev, lang)
    if notes:
        out += ["", h["mergers"], *[f"  {note}" for note in notes]]
    return "\n".join(out) + "\n"


def _unknown_because(node: TraceNode, lang: str, ev: Evaluation | None = None) -> str:
    """What a result that is not yet known waits for: the facts behind its missing inputs."""
    unknown = node.details.missing if isinstance(node.details, Unknown) else ()
    missing = (ev.waiting_for(node.name) if ev else None) or unknown
    if node.value is not None or not missing:
        return ""
    return f" ({HEADINGS[lang]['missing']}: {', '.join(missing)})"


def _shifted(node: TraceNode, lang: str) -> str:
    """A deadline the Algemene termijnenwet moved: from which date."""
    shifted = node.details.shifted if isinstance(node.details, DeadlineDetails) else None
    if shifted is None:
        return ""
    return f" ({HEADINGS[lang]['shifted']} {display(Kind.DATE, shifted.original, lang)})"


def _member_name(ev: Evaluation, member: str) -> str:
    party = ev.parties.member(member)
    if party and party.predecessors:
        return f"{party.name} ({and_([p.name for p in party.predecessors], 'nl')})"
    return ev.label(member)


def _per_member(ev: Evaluation, lang: str) -> list[str]:
    """Per municipality (and per other row of a sheet): a table for a few results, else a block each.
    Results that cannot be computed yet are listed once, with what they wait for."""
    h = HEADINGS[lang]
    per = [n for n in ev.nodes.values() if n.rule.per and n.rule.per != CASE and n.rule.section == "rules"]
    known = [n for n in per if n.value is not None]
    out: list[str] = []
    if known:
        members = [m.code for m in ev.parties.members]
        members += [x.id for s in ev.rules.sets.values() if s.parties for x in s.extra]
        articles = sorted({_cite(n.rule.cited(v)) for n in known for v in n.value.values()}, key=str)
        out += ["", f"{h['per_municipality']} ({', '.join(articles)})"]
        if len(known) <= 3 and all(n.rule.per == MUNICIPALITY for n in known):
            rows = [[h["code"], h["municipality"], *[n.rule.label for n in known]]]
            rows += [[m, _member_name(ev, m), *[_cell(ev, n, m, lang) for n in known]] for m in members]
            out += _columns(rows, set(range(2, 2 + len(known))))
        else:
            blocks = [(m, [n for n in known if m in n.value]) for m in members]
            rows = [
                [n.rule.label, _cell(ev, n, m, lang), _cite(n.rule.cited(n.value[m]))]
                for m, ns in blocks
                for n in ns
            ]
            lines = iter(row_lines(rows, {1}, indent="    "))  # a row may be wrapped to fit the terminal
            for m, ns in blocks:
                if ns:
                    code = f"{m}  " if ev.parties.member(m) else ""
                    out.append(f"  {code}{_member_name(ev, m)}")
                    out += [line for _ in ns for line in next(lines)]
    waiting = [n for n in per if n.value is None and not not_set(n)]
    unset = [n for n in per if not_set(n)]
    if unset:
        out += ["", h["not_set"]]
        out += [f"  {n.rule.label} ({_cite(n.rule.article)}): {not_set_sentence(ev, n, lang)}" for n in unset]
    if waiting:
        out += ["", h["waiting"]]
        out += _columns(
            [
                [n.rule.label, _cite(n.rule.article), _unknown_because(n, lang, ev).strip(" ()")]
                for n in waiting
            ],
            set(),
        )
    return out


def _cell(ev: Evaluation, node: TraceNode, member: str, lang: str) -> str:
    if node.value is None:
        return _shown(node.rule, None, lang) + _unknown_because(node, lang, ev)
    if member not in node.value:
        return "—"
    value = node.value[member]
    text = _shown(node.rule, value, lang)
    deadline = node.rule.settlement.deadline(value) if node.rule.settlement else None
    if deadline:
        due = ev.nodes[deadline]
        word = HEADINGS[lang]["by"]
        when = display(due.rule.kind, due.value, lang) if due.value is not None else HEADINGS[lang]["unknown"]
        text += f" ({word} {when}, {_cite(due.rule.article)})"
    return text


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
        "after_end": [n.name for n in after_end(calendar.deadlines, c.valid_until)],
        "duties": {
            d.name: {
                "label": calendar.rules.duties[d.name].label,
                "who": calendar.rules.duties[d.name].who,
                "period": {"from": d.period.start.isoformat(), "until": d.period.end.isoformat()},
                "citation": calendar.rules.duties[d.name].article.as_json(lang),
            }
            for d in calendar.duties
        },
        "warnings": [
            {"rule": None, "municipality": None, "message": text, "citation": c.period_article.as_json(lang)}
            for text in [part_of_year(calendar.rules, calendar.year, lang)]
            if text is not None
        ],
    }


def deadlines_table(calendar: Calendar, lang: str = "nl") -> str:
    h = HEADINGS[lang]
    c = calendar.rules.covenant
    version_word = h["version"]
    out = [
        f"{c.title}{f' — {c.region}' if c.region else ''}, {version_word} {c.version}",
        f"{h['rule_file']}: {calendar.rules.path}",
        "",
        f"{h['deadlines']} ({h['year']} {calendar.year})",
    ]
    rows = []
    for n in calendar.deadlines:
        when = _shown(n.rule, n.value, lang) + _unknown_because(n, lang)
        when += _shifted(n, lang)
        rows.append([when, n.rule.label, n.rule.who or "", _cite(n.rule.article)])
    if rows:
        out += _columns(rows, set())
    settled_after = after_end_sentence(calendar.rules, calendar.deadlines, calendar.year, lang)
    if settled_after:
        out += ["", f"{h['after_end']}: {settled_after}"]
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
    partly = part_of_year(calendar.rules, calendar.year, lang)
    if partly is not None:
        out += ["", h["warnings"], f"  {partly} ({c.period_article.short()})"]
    return "\n".join(out) + "\n"


def table_text(table: Any, found: list[Any], lang: str = "nl") -> str:
    """A data table's corrections and every sum that is not exact, in words."""
    from convenant.check.tables import EXACT, OFF, ROUNDING

    w = TABLE_WORDS[lang]
    titles = {c.id: c.title for c in table.columns}

    def pct(value: Fraction | None) -> str:
        return w["unreadable"] if value is None else display(Kind.PERCENTAGE, value, lang)

    out = [
        table.title,
        f"{w['file']}: {table.path} (sha256 {table.sha256[:16]}…)",
        "",
        f"{w['corrections']} ({len(table.corrections)})",
    ]
    for c in table.corrections:
        where = c.field if c.field == "label" else titles.get(c.field, c.field)
        out.append(
            f"  {c.row}, {where}: “{c.original}” → “{c.corrected or '—'}”. {' '.join(c.reason.split())}"
        )
    for check in ("aggregate", "column_total", "total_100", "row_total"):
        shown = [f for f in found if f.check == check and f.status != EXACT]
        out += ["", w[check]]
        if not shown:
            out.append(f"  {w['none']}")
        for f in shown:
            column = titles.get(f.column or "", "")
            if check == "aggregate":
                text = (
                    f"{f.subject}, {column}: {w['parts']} {pct(f.computed)}, {w['printed']} {pct(f.expected)}"
                )
            elif check == "column_total":
                text = f"{column}: {w['sum']} {pct(f.computed)}, {w['printed']} {pct(f.expected)}"
            elif check == "total_100":
                text = w["not_100"].format(percent=pct(f.computed))
            else:
                text = f"{f.subject}: {w['sum']} {pct(f.computed)}, {w['closest']} {column} {pct(f.expected)}"
            out.append(f"  {text}: {w['status.' + f.status]}")
    counts = {s: sum(1 for f in found if f.status == s) for s in (EXACT, ROUNDING, OFF)}
    out += ["", w["summary"].format(exact=counts[EXACT], rounding=counts[ROUNDING], off=counts[OFF])]
    return "\n".join(out) + "\n"
