"""Two versions of a covenant → every change, each tied to the article it belongs to.

`compare(old, new)` returns `Change`s; `engine.diff_words` turns them into sentences a jurist
reads. A change knows its article (for grouping), its section and entry, the field, whether
the entry was added, removed or changed, and the old and new values — typed where the model
knows the unit (a parameter's value, a period), as written in the file otherwise. Sections the
engine does not know in detail (a new primitive, a new field) are still compared field by field,
so no change is ever left out.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from convenant.core.citation import Citation
from convenant.core.dates import Period
from convenant.core.diagnostics import ConvenantError, Problem
from convenant.core.units import Kind
from convenant.language.model import Interpretation, Parameter, RuleFile

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
# how list items are matched between versions, per primitive or field: by this key
_LIST_KEYS = {"decision": "outcome", "weighted_key": "by", "legal_basis": "bwb", "warnings": "message"}
_NAME_LISTS = ("inputs", "interpretations")
ENTRY_SECTIONS = ("facts", "rules", "deadlines", "duties")


@dataclass(frozen=True)
class Shown:
    """A value as a sentence shows it: in its unit (`kind`), or as written in the file."""

    value: Any
    kind: Kind | None = None


@dataclass(frozen=True)
class Change:
    code: str  # the sentence that tells it (engine.diff_words)
    article: Citation | None  # the article it belongs to; None: the covenant as a whole
    section: str
    name: str | None  # the entry: parameter, rule, interpretation id, party code, article key
    kind: str  # added | removed | changed
    field: str | None = None  # the field within the entry, for a change
    old: Any = None  # as written in the old file (JSON-safe once exported)
    new: Any = None
    args: dict[str, Any] = dataclasses.field(default_factory=dict)  # what the sentence needs


def change(
    code: str,
    article: Citation | None,
    section: str,
    name: str | None,
    kind: str,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    **args: Any,
) -> Change:
    """A Change; `args` are what its sentence needs beyond the values as written."""
    return Change(code, article, section, name, kind, field, before, after, args)


def compare(old: RuleFile, new: RuleFile) -> list[Change]:
    """Every change from `old` to `new`; refuses two different covenants."""
    if old.covenant.id != new.covenant.id:
        raise ConvenantError(
            [Problem("diff.different_covenants", {"old": old.covenant.id, "new": new.covenant.id})]
        )
    return [
        *_covenant(old, new),
        *_parties(old, new),
        *_articles(old, new),
        *_interpretations(old, new),
        *_parameters(old, new),
        *_plain_fields("date_policy", _data(old).get("date_policy", {}), _data(new).get("date_policy", {})),
        *(c for section in ENTRY_SECTIONS for c in _entries(section, old, new)),
    ]


def _data(rules: RuleFile) -> dict[str, Any]:
    return rules.document.data


def _cite(text: Any) -> Citation | None:
    try:
        return Citation.parse(str(text))
    except ValueError:
        return None


def _words(text: str | None) -> list[str]:
    return (text or "").split()


def _keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The keys of both blocks: in the old order, then the new ones."""
    return [*a, *(k for k in b if k not in a)]


# --- the covenant, its parties and its articles -----------------------------------------------


def _covenant(old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = old.covenant, new.covenant

    def at(name: str, article: Citation | None, before: Any, after: Any, **args: Any) -> Change:
        return change(f"covenant.{name}", article, "covenant", name, CHANGED, name, before, after, **args)

    for name in ("title", "region", "version"):
        x, y = getattr(a, name), getattr(b, name)
        if x != y:
            kind = Kind.TEXT if name == "version" else None  # a version number is shown as is, unquoted
            yield at(name, None, x, y, old=Shown(x, kind), new=Shown(y, kind))
    if a.version_date != b.version_date:
        dates = (Shown(a.version_date, Kind.DATE), Shown(b.version_date, Kind.DATE))
        yield at("version_date", None, str(a.version_date), str(b.version_date), old=dates[0], new=dates[1])
    if (a.valid_from, a.valid_until) != (b.valid_from, b.valid_until):
        was, now = (Shown(Period(c.valid_from, c.valid_until), Kind.PERIOD) for c in (a, b))
        before, after = ([str(c.valid_from), str(c.valid_until)] for c in (a, b))
        yield at("period", b.period_article, before, after, old=was, new=now)
    if a.period_article != b.period_article:
        yield at(
            "period_article",
            b.period_article,
            a.period_article.key,
            b.period_article.key,
            old=a.period_article,
            new=b.period_article,
        )
    old_c, new_c = _data(old)["covenant"], _data(new)["covenant"]
    yield from _plain_fields("covenant.source", old_c["source"], new_c["source"])
    yield from _listed("covenant", "legal_basis", old_c.get("legal_basis", []), new_c.get("legal_basis", []))


def _plain_fields(code: str, a: dict[str, Any], b: dict[str, Any]) -> Iterator[Change]:
    """Changes of a block of plain values that belongs to no article (the source, the date policy)."""
    for key in _keys(a, b):
        if a.get(key) != b.get(key):
            yield change(code, None, code.split(".")[0], key, CHANGED, key, a.get(key), b.get(key))


def _listed(section: str, name: str, old: list[Any], new: list[Any]) -> Iterator[Change]:
    key = _LIST_KEYS[name]
    a, b = {x[key]: x for x in old}, {x[key]: x for x in new}
    for k in [k for k in a if k not in b]:
        yield change(f"{section}.{name}.removed", None, section, name, REMOVED, k, a[k], None)
    for k in [k for k in b if k not in a]:
        yield change(f"{section}.{name}.added", None, section, name, ADDED, k, None, b[k])


def _parties(old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = {p.code: p for p in old.parties}, {p.code: p for p in new.parties}
    for p in old.parties:
        if p.code not in b:
            yield change("party.removed", p.article, "parties", p.code, REMOVED, None, p.name, None, party=p)
    for p in new.parties:
        q = a.get(p.code)
        if q is None:
            yield change("party.added", p.article, "parties", p.code, ADDED, None, None, p.name, party=p)
            continue
        if q.role != p.role:
            yield change("party.role", p.article, "parties", p.code, CHANGED, "role", q.role, p.role, party=p)
        if q.article != p.article:
            yield change(
                "party.article",
                p.article,
                "parties",
                p.code,
                CHANGED,
                "article",
                q.article.key,
                p.article.key,
                party=p,
                old=q.article,
                new=p.article,
            )
    kept_old = [p.name for p in old.parties if p.code in b]
    kept_new = [p.name for p in new.parties if p.code in a]
    if kept_old != kept_new:
        yield change("parties.order", None, "parties", None, CHANGED, "order", kept_old, kept_new)


def text_edits(old: str | None, new: str | None) -> list[tuple[str, str, str, str]]:
    """Word-level edits (op, removed words, inserted words, the words just before), whitespace aside.

    >>> text_edits("Voor MO: 5% van de uitkering.", "Voor MO: 6% van de rijksuitkering.")
    [('replace', '5%', '6%', 'Voor MO:'), ('replace', 'uitkering.', 'rijksuitkering.', '6% van de')]
    """
    a, b = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (op, " ".join(a[i1:i2]), " ".join(b[j1:j2]), " ".join(b[max(0, j1 - 3) : j1]))
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def _articles(old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = old.articles, new.articles
    for key in [k for k in a if k not in b]:
        yield change("article.removed", a[key].citation, "articles", key, REMOVED, None, a[key].text, None)
    for key, article in b.items():
        before = a.get(key)
        if before is None:
            yield change(
                "article.added",
                article.citation,
                "articles",
                key,
                ADDED,
                None,
                None,
                article.text,
                title=article.title,
            )
        elif (before.title or "") != (article.title or ""):
            yield change(
                "article.title",
                article.citation,
                "articles",
                key,
                CHANGED,
                "title",
                before.title,
                article.title,
            )
        if before is not None and _words(before.text) != _words(article.text):
            yield change(
                "article.text",
                article.citation,
                "articles",
                key,
                CHANGED,
                "text",
                before.text,
                article.text,
                edits=text_edits(before.text, article.text),
            )


# --- interpretations and parameters -----------------------------------------------------------


def _interpretations(old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = old.interpretations, new.interpretations

    def at(x: Interpretation, code: str, kind: str, *values: Any, **args: Any) -> Change:
        return change(f"interpretation.{code}", x.article, "interpretations", x.id, kind, *values, **args)

    for ident in [i for i in a if i not in b]:
        yield at(a[ident], "removed", REMOVED)
    for ident, x in b.items():
        w = a.get(ident)
        if w is None:
            yield at(x, "added", ADDED, interpretation=x)
            continue
        if w.chosen != x.chosen:
            yield at(x, "chosen", CHANGED, "chosen", w.chosen, x.chosen, interpretation=x)
        for name in ("question", "reading", "alternative", "note"):
            if _words(getattr(w, name)) != _words(getattr(x, name)):
                yield at(x, name, CHANGED, name, getattr(w, name), getattr(x, name))
        for option in _keys(w.options, x.options):
            before, after = w.options.get(option), x.options.get(option)
            if _words(before) != _words(after):
                kind = ADDED if before is None else REMOVED if after is None else CHANGED
                yield at(x, f"option.{kind}", kind, f"options.{option}", before, after, option=option)
        if w.article != x.article:
            yield at(
                x,
                "article",
                CHANGED,
                "article",
                w.article.key if w.article else None,
                x.article.key if x.article else None,
                old=w.article,
                new=x.article,
            )


def _parameters(old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = old.parameters, new.parameters
    raw_a, raw_b = _data(old)["parameters"], _data(new)["parameters"]

    def at(p: Parameter, code: str, kind: str, *values: Any, **args: Any) -> Change:
        return change(
            f"parameter.{code}", p.article, "parameters", p.name, kind, *values, parameter=p, **args
        )

    for name in [n for n in a if n not in b]:
        p = a[name]
        yield at(p, "removed", REMOVED, None, raw_a[name], None, old=Shown(p.value, p.kind))
    for name, p in b.items():
        q = a.get(name)
        if q is None:
            yield at(p, "added", ADDED, None, None, raw_b[name], new=Shown(p.value, p.kind))
            continue
        if (q.kind, q.value) != (p.kind, p.value):
            before, after = raw_a[name]["value"], raw_b[name]["value"]
            yield at(
                p,
                "value",
                CHANGED,
                "value",
                before,
                after,
                old=Shown(q.value, q.kind),
                new=Shown(p.value, p.kind),
            )
        for attr in ("label", "article", "note"):
            x, y = getattr(q, attr), getattr(p, attr)
            if x != y:
                yield at(p, attr, CHANGED, attr, raw_a[name].get(attr), raw_b[name].get(attr), old=x, new=y)


# --- facts, rules, deadlines and duties: field by field ---------------------------------------


def _entries(section: str, old: RuleFile, new: RuleFile) -> Iterator[Change]:
    a, b = _data(old).get(section, {}), _data(new).get(section, {})
    for name in [n for n in a if n not in b]:
        yield change(
            f"{section}.removed",
            _cite(a[name]["article"]),
            section,
            name,
            REMOVED,
            None,
            a[name],
            label=a[name]["label"],
        )
    for name, entry in b.items():
        article = _cite(entry["article"])
        if name not in a:
            yield change(
                f"{section}.added", article, section, name, ADDED, None, None, entry, label=entry["label"]
            )
        else:
            yield from _fields(section, name, a[name], entry, article)


def _fields(
    section: str,
    name: str,
    a: dict[str, Any],
    b: dict[str, Any],
    article: Citation | None,
    prefix: str | None = None,
    label: str | None = None,
) -> Iterator[Change]:
    """Field-by-field changes of one entry; nested blocks by their fields, lists by their items."""
    label = label or b.get("label", a.get("label"))
    for key in _keys(a, b):
        x, y = a.get(key), b.get(key)
        path = f"{prefix}.{key}" if prefix else key
        if x == y:
            continue
        if isinstance(x, dict) and isinstance(y, dict):
            yield from _fields(section, name, x, y, article, path, label)
        elif key in _LIST_KEYS and isinstance(x, list) and isinstance(y, list):
            yield from _items(section, name, label, key, x, y, article)
        elif key in _NAME_LISTS and isinstance(x, list) and isinstance(y, list):
            if set(x) != set(y):
                yield change("entry.names", article, section, name, CHANGED, path, x, y, label=label)
        else:
            where = _cite(y) if key == "article" and y is not None else article
            yield change("entry.field", where, section, name, CHANGED, path, x, y, label=label)


def _items(
    section: str,
    name: str,
    label: str | None,
    key: str,
    a: list[dict[str, Any]],
    b: list[dict[str, Any]],
    article: Citation | None,
) -> Iterator[Change]:
    """Items of a list matched by their key (a decision's cases by outcome, a key's parts by `by`)."""
    match = _LIST_KEYS[key]
    old, new = {x[match]: x for x in a}, {x[match]: x for x in b}
    for k, item in old.items():
        if k not in new:
            yield change(
                f"item.{key}.removed",
                _cite(item.get("article")) or article,
                section,
                name,
                REMOVED,
                f"{key}[{k}]",
                item,
                None,
                label=label,
            )
    for k, item in new.items():
        where = _cite(item.get("article")) or article
        if k not in old:
            yield change(
                f"item.{key}.added", where, section, name, ADDED, f"{key}[{k}]", None, item, label=label
            )
            continue
        for part in _keys(old[k], item):
            if old[k].get(part) != item.get(part):
                yield change(
                    f"item.{key}.field",
                    where,
                    section,
                    name,
                    CHANGED,
                    f"{key}[{k}].{part}",
                    old[k].get(part),
                    item.get(part),
                    label=label,
                    item_key=k,
                    part=part,
                )
