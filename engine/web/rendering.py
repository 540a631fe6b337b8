"""The pages' templates: a sandboxed, autoescaped Jinja environment, like the letters'.

Templates lie in `templates/` beside this module (shipped in the package). They get `t`, the words
of the web pages in the page's language (engine/words/web.yaml), and never a path, a module or a
callable of the engine beyond the filters registered here.
"""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import ImmutableSandboxedEnvironment

from convenant import words
from convenant.core.dates import dutch_date
from convenant.core.money import dutch

TEMPLATES = Path(str(resources.files("convenant.web") / "templates"))
STATIC = Path(str(resources.files("convenant.web") / "static"))


def _money(value: Any, lang: str = "nl") -> str:
    """€ 1.234,56 from cents (int) or euros (Fraction)."""
    amount = Fraction(value, 100) if isinstance(value, int) else Fraction(value)
    return dutch(amount, lang)


def _fill(phrase: Any, **args: Any) -> str:
    """`{{ t.home.versions_on | fill(date=…) }}`: a phrase with its placeholders filled in, strictly
    (every placeholder given, no other), as `words.say` does."""
    return str(phrase.format(**args))


@cache
def environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["date"] = dutch_date
    env.filters["fill"] = _fill
    return env


class Words:
    """The words under a prefix as nested names for templates: `t.home.title` is the phrase
    `web.home.title` in the page's language; an unknown name is an error, never an empty text."""

    def __init__(self, prefix: str, lang: str) -> None:
        self._prefix, self._lang = prefix, lang
        self._table = words.table(prefix, lang)

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __getitem__(self, key: str) -> Any:
        if key in self._table:
            return self._table[key]
        return Words(f"{self._prefix}.{key}", self._lang)  # raises UnknownWord when nothing is under it


def render(name: str, lang: str, **context: Any) -> str:
    """A page: the template `name` with the words `t` of `lang` and the given context."""
    template = environment().get_template(name)
    return template.render(t=Words("web", lang), lang=lang, **context)
