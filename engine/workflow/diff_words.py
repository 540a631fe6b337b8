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

from convenant import words
from convenant.core.citation import Citation
from convenant.core.dates import Period
from convenant.core.units import Kind, display
from convenant.language.model import RuleFile
from convenant.workflow.diff import ADDED, REMOVED, Change, Shown

# Templates: "{cite}" at the start makes the article the subject; otherwise the sentence is
# prefixed with "Artikel …: " when the change belongs to an article.
# The sentences per change code, the nouns per unit, the entities and fields a change names, and
# the headings: views of the one catalogue (engine/words/diff.yaml).
TEMPLATES = words.Languages("diff.template")
NOUNS = words.Languages("diff.noun")  # Kind → noun (a Kind reads as its value)
ENTITIES = words.Languages("diff.entity")
FIELDS = words.Languages("diff.field")


def quoted(text: Any, lang: str) -> str:
    """Text as a sentence quotes it, whitespace collapsed: „…” in Dutch, ‘…’ in English."""
    return words.say("diff.quoted", lang, text=" ".join(str(text).split()))


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
            return str(value).replace(".", words.say("number.decimal", lang))
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
                    return table[name].label
        return None

    def field(self, section: str, path: str) -> str:
        w = self.words
        return w.get(f"{section}.{path}") or w.get(path) or w["unknown"].format(path=path)

    # --- sentences -------------------------------------------------------------------------

    def sentence(self, change: Change) -> str:
        templates = TEMPLATES[self.lang]
        template = templates.get(change.code) or templates["other"]
        given = {name: NOT_GIVEN for name in words.placeholders(template)} | self.arguments(change)
        text = template.format_map(given)
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


HEADINGS = words.Languages("diff.heading")
NOT_GIVEN = "—"  # a sentence's argument a change does not carry (say, no old value for an addition)


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
