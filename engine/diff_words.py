"""Changes between two covenant versions → sentences a jurist reads, grouped by article.

"Artikel 8, derde lid: het percentage „Uitvoeringsbudget …” is gewijzigd van 5 % naar 6 %."
Values are shown in their unit (engine.units.display), articles as the Aanwijzingen voor de
regelgeving cite them (engine.citation), names of the rule file by their label where one exists.
Every sentence exists in Dutch and English; a change the templates do not know still gets a
plain sentence naming the field, so nothing is ever left out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from convenant.citation import Citation
from convenant.dates import Period
from convenant.diff import ADDED, REMOVED, Change, Shown
from convenant.model import RuleFile
from convenant.units import Kind, display

# Templates: "{cite}" at the start makes the article the subject; otherwise the sentence is
# prefixed with "Artikel …: " when the change belongs to an article.
TEMPLATES: dict[str, dict[str, str]] = {
    "nl": {
        "covenant.title": "de titel is gewijzigd van {old} naar {new}.",
        "covenant.region": "de regio is gewijzigd van {old} naar {new}.",
        "covenant.version": "het versienummer is gewijzigd van {old} naar {new}.",
        "covenant.version_date": "de datum van de versie is gewijzigd van {old} naar {new}.",
        "covenant.period": "de looptijd is gewijzigd van {old} naar {new}.",
        "covenant.period_article": "de looptijd staat nu in {new} in plaats van in {old}.",
        "covenant.source": "de bron ({field}) is gewijzigd van {old} naar {new}.",
        "covenant.legal_basis.added": "als wettelijke grondslag is toegevoegd: {item}.",
        "covenant.legal_basis.removed": "de wettelijke grondslag {item} is vervallen.",
        "party.added": "{party} ({code}) is als {role} aan de partijen toegevoegd.",
        "party.removed": "{party} ({code}) is geen partij meer.",
        "party.role": "de rol van {party} is gewijzigd van {old} naar {new}.",
        "party.article": "de rol van {party} berust nu op {new} in plaats van op {old}.",
        "parties.order": "de volgorde van de partijen is gewijzigd; die volgorde beslist bij een gelijke "
        "stand wie de laatste cent krijgt. Was: {old}. Nu: {new}.",
        "article.added": "{cite} is toegevoegd{title}: {text}.",
        "article.removed": "{cite} is vervallen.",
        "article.title": "het opschrift is gewijzigd van {old} naar {new}.",
        "article.text": "de tekst is gewijzigd: {edits}.",
        "interpretation.added": "interpretatie {id} is toegevoegd. Vraag: {question} Gekozen lezing: "
        "{reading}",
        "interpretation.removed": "interpretatie {id} is vervallen.",
        "interpretation.chosen": "bij interpretatie {id} is de gekozen lezing gewijzigd van ‘{old_text}’ "
        "naar ‘{new_text}’: {reading}",
        "interpretation.question": "de vraag van interpretatie {id} is gewijzigd van {old} naar {new}.",
        "interpretation.reading": "de gekozen lezing van interpretatie {id} is gewijzigd van {old} naar "
        "{new}.",
        "interpretation.alternative": "de niet gekozen lezing van interpretatie {id} is gewijzigd van {old} "
        "naar {new}.",
        "interpretation.note": "de toelichting bij interpretatie {id} is gewijzigd van {old} naar {new}.",
        "interpretation.option.added": "interpretatie {id} kent een nieuwe lezing ‘{option}’: {new}.",
        "interpretation.option.removed": "de lezing ‘{option}’ van interpretatie {id} is vervallen.",
        "interpretation.option.changed": "de lezing ‘{option}’ van interpretatie {id} is gewijzigd van {old} "
        "naar {new}.",
        "interpretation.article": "interpretatie {id} gaat nu over {new} in plaats van over {old}.",
        "parameter.value": "{noun} {label} is gewijzigd van {old} naar {new}.",
        "parameter.added": "{noun} {label} is toegevoegd: {new}.",
        "parameter.removed": "{noun} {label} is vervallen (was {old}).",
        "parameter.label": "de omschrijving van {noun} {name} is gewijzigd van {old} naar {new}.",
        "parameter.article": "{noun} {label} staat nu in {new} in plaats van in {old}.",
        "parameter.note": "de toelichting bij {noun} {label} is gewijzigd van {old} naar {new}.",
        "date_policy": "de telling van termijnen ({name}) volgt nu interpretatie {new} in plaats van {old}.",
        "facts.added": "een nieuw feit wordt gevraagd: {label}.",
        "facts.removed": "het feit {label} wordt niet meer gevraagd.",
        "rules.added": "de regel {label} is toegevoegd.",
        "rules.removed": "de regel {label} is vervallen.",
        "deadlines.added": "de termijn {label} is toegevoegd.",
        "deadlines.removed": "de termijn {label} is vervallen.",
        "duties.added": "de verplichting {label} is toegevoegd.",
        "duties.removed": "de verplichting {label} is vervallen.",
        "entry.names": "bij {entity} {label} zijn {field} gewijzigd: {names}.",
        "entry.field": "bij {entity} {label} is {field} gewijzigd van {old} naar {new}.",
        "item.decision.added": "bij de beslissing {label} is een geval toegevoegd: als {when}, dan "
        "‘{outcome}’.",
        "item.decision.removed": "bij de beslissing {label} is het geval met uitkomst ‘{outcome}’ vervallen.",
        "item.decision.field": "bij de beslissing {label} is voor de uitkomst ‘{item_key}’ {part} gewijzigd "
        "van {old} naar {new}.",
        "item.weighted_key.added": "de verdeelsleutel {label} heeft een nieuw onderdeel: {by} met gewicht "
        "{weight}.",
        "item.weighted_key.removed": "het onderdeel {by} van de verdeelsleutel {label} is vervallen.",
        "item.weighted_key.field": "bij het onderdeel {item_key} van de verdeelsleutel {label} is {part} "
        "gewijzigd van {old} naar {new}.",
        "item.warnings.added": "bij {entity} {label} is een waarschuwing toegevoegd: {message}",
        "item.warnings.removed": "bij {entity} {label} is de waarschuwing {message} vervallen.",
        "item.warnings.field": "bij {entity} {label} is bij een waarschuwing {part} gewijzigd van {old} "
        "naar {new}.",
        "other": "bij {section} {name} is {field} gewijzigd van {old} naar {new}.",
    },
    "en": {
        "covenant.title": "the title changed from {old} to {new}.",
        "covenant.region": "the region changed from {old} to {new}.",
        "covenant.version": "the version number changed from {old} to {new}.",
        "covenant.version_date": "the version date changed from {old} to {new}.",
        "covenant.period": "the period in force changed from {old} to {new}.",
        "covenant.period_article": "the period is now in {new} instead of {old}.",
        "covenant.source": "the source ({field}) changed from {old} to {new}.",
        "covenant.legal_basis.added": "legal basis added: {item}.",
        "covenant.legal_basis.removed": "the legal basis {item} was removed.",
        "party.added": "{party} ({code}) joined the parties as {role}.",
        "party.removed": "{party} ({code}) is no longer a party.",
        "party.role": "the role of {party} changed from {old} to {new}.",
        "party.article": "the role of {party} now rests on {new} instead of {old}.",
        "parties.order": "the order of the parties changed; it decides who gets the last cent on a tie. "
        "Was: {old}. Now: {new}.",
        "article.added": "{cite} was added{title}: {text}.",
        "article.removed": "{cite} was removed.",
        "article.title": "the heading changed from {old} to {new}.",
        "article.text": "the text changed: {edits}.",
        "interpretation.added": "interpretation {id} was added. Question: {question} Chosen reading: "
        "{reading}",
        "interpretation.removed": "interpretation {id} was removed.",
        "interpretation.chosen": "the chosen reading of interpretation {id} changed from ‘{old_text}’ to "
        "‘{new_text}’: {reading}",
        "interpretation.question": "the question of interpretation {id} changed from {old} to {new}.",
        "interpretation.reading": "the chosen reading of interpretation {id} changed from {old} to {new}.",
        "interpretation.alternative": "the reading not chosen of interpretation {id} changed from {old} to "
        "{new}.",
        "interpretation.note": "the note on interpretation {id} changed from {old} to {new}.",
        "interpretation.option.added": "interpretation {id} has a new reading ‘{option}’: {new}.",
        "interpretation.option.removed": "the reading ‘{option}’ of interpretation {id} was removed.",
        "interpretation.option.changed": "the reading ‘{option}’ of interpretation {id} changed from {old} "
        "to {new}.",
        "interpretation.article": "interpretation {id} now reads {new} instead of {old}.",
        "parameter.value": "{noun} {label} changed from {old} to {new}.",
        "parameter.added": "{noun} {label} was added: {new}.",
        "parameter.removed": "{noun} {label} was removed (was {old}).",
        "parameter.label": "the label of {noun} {name} changed from {old} to {new}.",
        "parameter.article": "{noun} {label} is now in {new} instead of {old}.",
        "parameter.note": "the note on {noun} {label} changed from {old} to {new}.",
        "date_policy": "counting terms ({name}) now follows interpretation {new} instead of {old}.",
        "facts.added": "a new fact is asked for: {label}.",
        "facts.removed": "the fact {label} is no longer asked for.",
        "rules.added": "the rule {label} was added.",
        "rules.removed": "the rule {label} was removed.",
        "deadlines.added": "the deadline {label} was added.",
        "deadlines.removed": "the deadline {label} was removed.",
        "duties.added": "the duty {label} was added.",
        "duties.removed": "the duty {label} was removed.",
        "entry.names": "{field} of {entity} {label} changed: {names}.",
        "entry.field": "{field} of {entity} {label} changed from {old} to {new}.",
        "item.decision.added": "the decision {label} has a new case: if {when}, then ‘{outcome}’.",
        "item.decision.removed": "the case with outcome ‘{outcome}’ of the decision {label} was removed.",
        "item.decision.field": "in the decision {label}, {part} for outcome ‘{item_key}’ changed from {old} "
        "to {new}.",
        "item.weighted_key.added": "the key {label} has a new part: {by} with weight {weight}.",
        "item.weighted_key.removed": "the part {by} of the key {label} was removed.",
        "item.weighted_key.field": "in part {item_key} of the key {label}, {part} changed from {old} to "
        "{new}.",
        "item.warnings.added": "{entity} {label} has a new warning: {message}",
        "item.warnings.removed": "the warning {message} of {entity} {label} was removed.",
        "item.warnings.field": "in a warning of {entity} {label}, {part} changed from {old} to {new}.",
        "other": "in {section} {name}, {field} changed from {old} to {new}.",
    },
}

NOUNS = {
    "nl": {
        Kind.PERCENTAGE: "het percentage",
        Kind.MONEY: "het bedrag",
        Kind.COUNT: "het aantal",
        Kind.RATIO: "het verhoudingsgetal",
        Kind.DATE: "de datum",
        Kind.DAY_MONTH: "de datum",
        Kind.MONTH: "de maand",
        Kind.TERM: "de termijn",
        Kind.BOOLEAN: "de keuze",
    },
    "en": {
        Kind.PERCENTAGE: "the percentage",
        Kind.MONEY: "the amount",
        Kind.COUNT: "the number",
        Kind.RATIO: "the ratio",
        Kind.DATE: "the date",
        Kind.DAY_MONTH: "the date",
        Kind.MONTH: "the month",
        Kind.TERM: "the term",
        Kind.BOOLEAN: "the choice",
    },
}

ENTITIES = {
    "nl": {"facts": "het feit", "rules": "de regel", "deadlines": "de termijn", "duties": "de verplichting"},
    "en": {"facts": "the fact", "rules": "the rule", "deadlines": "the deadline", "duties": "the duty"},
}

FIELDS = {
    "nl": {
        "label": "de omschrijving",
        "article": "het artikel",
        "type": "het soort uitkomst",
        "facts.type": "de eenheid",
        "per": "de verzameling waarover per lid wordt gerekend (per)",
        "expression": "de berekening",
        "who": "de partij die het moet doen",
        "check": "de toets",
        "period": "de periode",
        "minimum": "het minimum",
        "required": "of het feit verplicht is",
        "default": "de standaardwaarde",
        "inputs": "de gebruikte namen",
        "interpretations": "de interpretaties waarop zij steunt",
        "distribute.amount": "het te verdelen bedrag",
        "distribute.key": "de verdeelsleutel",
        "settlement.deadline": "de termijn van afrekening",
        "on_date.date": "de datum",
        "on_date.year": "het jaar ten opzichte van het jaar van de feiten",
        "in_month.month": "de maand",
        "in_month.year": "het jaar ten opzichte van het jaar van de feiten",
        "after.date": "de datum waarna de termijn loopt",
        "after.term": "de termijn",
        "when": "de voorwaarde",
        "text": "de uitleg",
        "article_case": "het artikel",
        "by": "waarnaar verdeeld wordt",
        "weight": "het gewicht",
        "message": "de tekst",
        "added": "toegevoegd",
        "removed": "vervallen",
        "unknown": "het veld ‘{0}’",
        "nothing": "niets",
        "yes": "ja",
        "no": "nee",
        "until": "t/m",
        "source.note": "toelichting",
        "source.cvdr": "CVDR-id",
        "source.document": "document",
        "replaced": "{a} is vervangen door {b}",
        "deleted": "{a} is geschrapt",
        "inserted": "{b} is ingevoegd na {c}",
        "inserted_first": "{b} is ingevoegd aan het begin",
    },
    "en": {
        "label": "the label",
        "article": "the article",
        "type": "the kind of result",
        "facts.type": "the unit",
        "per": "the set it is computed for (per)",
        "expression": "the computation",
        "who": "who must act",
        "check": "the check",
        "period": "the period",
        "minimum": "the minimum",
        "required": "whether the fact is required",
        "default": "the default",
        "inputs": "the names used",
        "interpretations": "the interpretations it relies on",
        "distribute.amount": "the amount distributed",
        "distribute.key": "the key",
        "settlement.deadline": "the settlement deadline",
        "on_date.date": "the date",
        "on_date.year": "the year relative to the facts' year",
        "in_month.month": "the month",
        "in_month.year": "the year relative to the facts' year",
        "after.date": "the date the term runs from",
        "after.term": "the term",
        "when": "the condition",
        "text": "the explanation",
        "by": "what it distributes by",
        "weight": "the weight",
        "message": "the text",
        "added": "added",
        "removed": "removed",
        "unknown": "the field ‘{0}’",
        "nothing": "nothing",
        "yes": "yes",
        "no": "no",
        "until": "–",
        "source.note": "note",
        "source.cvdr": "CVDR id",
        "source.document": "document",
        "replaced": "{a} replaced by {b}",
        "deleted": "{a} deleted",
        "inserted": "{b} inserted after {c}",
        "inserted_first": "{b} inserted at the start",
    },
}


def quoted(text: Any, lang: str) -> str:
    """Text as a sentence quotes it, whitespace collapsed: „…” in Dutch, ‘…’ in English."""
    words = " ".join(str(text).split())
    return f"„{words}”" if lang == "nl" else f"‘{words}’"


class Speaker:
    """Turns changes into sentences, knowing both rule files (for labels and units)."""

    def __init__(self, old: RuleFile, new: RuleFile, lang: str) -> None:
        self.old, self.new, self.lang = old, new, lang
        self.words = FIELDS[lang]

    # --- values ----------------------------------------------------------------------------

    def value(self, value: Any) -> str:
        w, lang = self.words, self.lang
        if isinstance(value, Shown):
            if isinstance(value.value, Period):
                p = value.value
                return f"{display(Kind.DATE, p.start, lang)} {w['until']} {display(Kind.DATE, p.end, lang)}"
            return display(value.kind, value.value, lang) if value.kind else quoted(value.value, lang)
        if isinstance(value, Citation):
            return value.formal(lang)
        if value is None:
            return w["nothing"]
        if isinstance(value, bool):
            return w["yes"] if value else w["no"]
        if isinstance(value, int | Decimal):
            return str(value).replace(".", ",") if lang == "nl" else str(value)
        if isinstance(value, list):
            return ", ".join(self.value(v) for v in value) or w["nothing"]
        if isinstance(value, dict):
            return "; ".join(f"{k}: {self.value(v)}" for k, v in value.items())
        return self.name(value)

    def name(self, text: Any) -> str:
        """A name of the rule file by its label („label”), other text quoted."""
        label = self.label_of(str(text))
        return quoted(label if label else text, self.lang)

    def label_of(self, name: str) -> str | None:
        for rules in (self.new, self.old):
            for table in (rules.parameters, rules.facts, rules.rules, rules.duties):
                if name in table:
                    return table[name].label  # type: ignore[attr-defined, no-any-return]
        return None

    def field(self, section: str, path: str) -> str:
        w = self.words
        return w.get(f"{section}.{path}") or w.get(path) or w["unknown"].format(path)

    # --- sentences -------------------------------------------------------------------------

    def sentence(self, change: Change) -> str:
        templates = TEMPLATES[self.lang]
        template = templates.get(change.code) or templates["other"]
        text = template.format_map(_Args(self.arguments(change)))
        if template.startswith("{cite}"):
            return _capital(text)
        if change.article is not None:
            return f"{_capital(change.article.formal(self.lang))}: {text}"
        return _capital(text)

    def arguments(self, change: Change) -> dict[str, str]:
        lang, a = self.lang, change.args
        args: dict[str, str] = {
            "cite": change.article.formal(lang) if change.article else "",
            "old": self.value(a.get("old", change.old)),
            "new": self.value(a.get("new", change.new)),
            "name": change.name or "",
            "id": change.name or "",
            "section": change.section,
            "field": self.field(change.section, change.field or ""),
        }
        if change.section in ENTITIES[lang]:
            args["entity"] = ENTITIES[lang][change.section]
        if "label" in a:
            args["label"] = quoted(a["label"], lang)
        args.update(self._specific(change))
        return args

    def _specific(self, change: Change) -> dict[str, str]:
        lang, a, code = self.lang, change.args, change.code
        if "parameter" in a:
            p = a["parameter"]
            return {"noun": NOUNS[lang].get(p.kind, ""), "label": quoted(p.label, lang), "name": p.name}
        if "party" in a:
            p = a["party"]
            return {"party": p.name, "code": p.code, "role": p.role}
        if code.startswith("covenant.source") or code == "date_policy":
            return {"field": self.words.get(f"source.{change.field}", change.field or "")}
        if code.startswith("covenant.legal_basis"):
            item = change.new or change.old
            return {"item": f"{quoted(item['title'], lang)} ({item['bwb']})"}
        if code == "article.added":
            title = a.get("title")
            return {
                "title": f" ({quoted(title, lang)})" if title else "",
                "text": quoted(change.new or "", lang),
            }
        if code == "article.text":
            return {"edits": self.edits(a["edits"])}
        if code.startswith("interpretation."):
            return self._interpretation(change)
        if code == "entry.names":
            return {"names": self.names(change.old, change.new)}
        if code.startswith("item."):
            return self._item(change)
        return {}

    def _interpretation(self, change: Change) -> dict[str, str]:
        lang = self.lang
        x = change.args.get("interpretation")
        out = {"option": change.args.get("option", "")}
        if x is not None:
            out.update(
                question=" ".join(x.question.split()),
                reading=" ".join(x.chosen_reading.split()),
                old_text=str(change.old),
                new_text=str(change.new),
            )
        if change.code == "interpretation.option.added":
            out["new"] = quoted(change.new, lang)
        return out

    def _item(self, change: Change) -> dict[str, str]:
        item = change.new if change.new is not None and change.kind != REMOVED else change.old
        out = {"item_key": str(change.args.get("item_key", ""))}
        if "part" in change.args:
            out["part"] = self.field(change.section, change.args["part"])
        if isinstance(item, dict):
            if change.kind in (ADDED, REMOVED):
                out.update(
                    when=quoted(item.get("when", ""), self.lang),
                    outcome=str(item.get("outcome", "")),
                    by=self.name(item.get("by", "")),
                    weight=self.weight(item.get("weight")),
                    message=quoted(item.get("message", ""), self.lang),
                )
        return out

    def weight(self, name: Any) -> str:
        for rules in (self.new, self.old):
            p = rules.parameters.get(str(name))
            if p is not None:
                return f"{display(p.kind, p.value, self.lang)} ({quoted(p.label, self.lang)})"
        return self.value(name)

    def names(self, old: list[str], new: list[str]) -> str:
        w = self.words
        added, removed = [n for n in new if n not in old], [n for n in old if n not in new]
        parts = []
        if added:
            parts.append(f"{w['added']} {', '.join(added)}")
        if removed:
            parts.append(f"{w['removed']} {', '.join(removed)}")
        return "; ".join(parts)

    def edits(self, edits: list[tuple[str, str, str, str]]) -> str:
        w, lang = self.words, self.lang
        out = []
        for op, removed, inserted, before in edits:
            a, b, c = quoted(removed, lang), quoted(inserted, lang), quoted(before, lang)
            if op == "replace":
                out.append(w["replaced"].format(a=a, b=b))
            elif op == "delete":
                out.append(w["deleted"].format(a=a))
            else:
                out.append(w["inserted"].format(b=b, c=c) if before else w["inserted_first"].format(b=b))
        return "; ".join(out)


class _Args(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- grouping and output ------------------------------------------------------------------------


# Within one article: what changes the outcome first, the article's own words last.
_SECTION_ORDER = (
    "covenant",
    "parties",
    "parameters",
    "interpretations",
    "facts",
    "rules",
    "deadlines",
    "duties",
)


def _sort_key(change: Change) -> tuple[int, int, str, int]:
    c = change.article
    rank = _SECTION_ORDER.index(change.section) if change.section in _SECTION_ORDER else len(_SECTION_ORDER)
    if c is None:
        return (0, 0, "", rank)
    return (c.artikel, 0 if c.lid is None else c.lid, c.onder or "", rank)


def ordered(changes: list[Change]) -> list[Change]:
    """Changes in article order: the covenant as a whole first, then by artikel, lid, onder."""
    return sorted(changes, key=_sort_key)


def grouped(changes: list[Change]) -> list[tuple[int | None, list[Change]]]:
    """Changes per article number, in article order; those of the covenant as a whole first."""
    groups: dict[int | None, list[Change]] = {}
    for change in ordered(changes):
        groups.setdefault(change.article.artikel if change.article else None, []).append(change)
    return list(groups.items())


HEADINGS = {
    "nl": {
        "title": "Verschillen tussen twee versies van convenant ‘{id}’",
        "old": "oud",
        "new": "nieuw",
        "version": "versie",
        "general": "Het convenant als geheel",
        "article": "Artikel {n}",
        "count": "{n} wijziging(en).",
        "none": "Geen verschillen in de inhoud.",
        "layout": "De bestanden verschillen alleen in opmaak of opmerkingen.",
    },
    "en": {
        "title": "Differences between two versions of covenant ‘{id}’",
        "old": "old",
        "new": "new",
        "version": "version",
        "general": "The covenant as a whole",
        "article": "Article {n}",
        "count": "{n} change(s).",
        "none": "No differences in content.",
        "layout": "The files differ only in layout or comments.",
    },
}


def _describe(rules: RuleFile, speaker: Speaker) -> str:
    c, h = rules.covenant, HEADINGS[speaker.lang]
    period = speaker.value(Shown(Period(c.valid_from, c.valid_until), Kind.PERIOD))
    return f"{rules.path} — {h['version']} {c.version}, {period}"


def to_text(old: RuleFile, new: RuleFile, changes: list[Change], lang: str) -> str:
    speaker, h = Speaker(old, new, lang), HEADINGS[lang]
    width = max(len(h["old"]), len(h["new"])) + 1
    out = [
        h["title"].format(id=new.covenant.id),
        f"  {(h['old'] + ':').ljust(width)} {_describe(old, speaker)}",
        f"  {(h['new'] + ':').ljust(width)} {_describe(new, speaker)}",
    ]
    for number, items in grouped(changes):
        title = new.article_title(Citation(number)) or old.article_title(Citation(number)) if number else None
        heading = h["general"] if number is None else h["article"].format(n=number)
        out += ["", heading + (f" — {title}" if title else "")]
        out += [f"  - {speaker.sentence(c)}" for c in items]
    out.append("")
    if changes:
        out.append(h["count"].format(n=len(changes)))
    else:
        out.append(h["layout"] if old.sha256 != new.sha256 else h["none"])
    return "\n".join(out) + "\n"


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


def to_json(old: RuleFile, new: RuleFile, changes: list[Change], lang: str) -> dict[str, Any]:
    speaker = Speaker(old, new, lang)

    def describe(rules: RuleFile) -> dict[str, Any]:
        c = rules.covenant
        return {
            "rule_file": rules.path,
            "sha256": rules.sha256,
            "version": c.version,
            "valid_from": c.valid_from.isoformat(),
            "valid_until": c.valid_until.isoformat(),
        }

    return {
        "covenant": new.covenant.id,
        "old": describe(old),
        "new": describe(new),
        "changes": [
            {
                "article": c.article.as_json(lang) if c.article else None,
                "section": c.section,
                "name": c.name,
                "field": c.field,
                "change": c.kind,
                "old": _json_safe(c.old),
                "new": _json_safe(c.new),
                "text": speaker.sentence(c),
            }
            for c in ordered(changes)
        ],
    }
