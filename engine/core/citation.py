"""Article citations: parse the short form a rule file uses ("8.5a") and render it in the style
of the Aanwijzingen voor de regelgeving (Ar 3.29): "artikel 8, vijfde lid, onder a".

>>> c = Citation.parse("8.5a")
>>> c.formal()
'artikel 8, vijfde lid, onder a'
>>> c.formal("en")
'Article 8(5)(a)'
>>> Citation.parse("10").formal(), Citation.parse("1b").formal(), c.short()
('artikel 10', 'artikel 1, onder b', 'art. 8.5a')
>>> Citation.parse("8.5a").within(Citation.parse("8"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "8", "8.5", "8.5a", "1b" (artikel 1, onder b: definitions have no leden).
CITATION_PATTERN = r"^(?P<artikel>[1-9][0-9]*)(?:\.(?P<lid>[1-9][0-9]*))?(?P<onder>[a-z]{1,2})?$"
_CITATION_RE = re.compile(CITATION_PATTERN)

_ORDINALS = (
    "eerste tweede derde vierde vijfde zesde zevende achtste negende tiende elfde twaalfde "
    "dertiende veertiende vijftiende zestiende zeventiende achttiende negentiende twintigste"
).split()


def dutch_ordinal(n: int) -> str:
    """The ordinal a Dutch legal citation uses for a lid ("vijfde"); digits past twenty."""
    return _ORDINALS[n - 1] if 1 <= n <= len(_ORDINALS) else f"{n}e"


@dataclass(frozen=True, order=True)
class Citation:
    """One place in a covenant: artikel, optionally lid, optionally onder."""

    artikel: int
    lid: int | None = None
    onder: str | None = None

    @classmethod
    def parse(cls, text: str) -> Citation:
        match = _CITATION_RE.match(text)
        if match is None:
            raise ValueError(text)
        lid = match["lid"]
        return cls(int(match["artikel"]), int(lid) if lid else None, match["onder"])

    @property
    def key(self) -> str:
        """The short key a rule file uses: "8.5a"."""
        lid = f".{self.lid}" if self.lid is not None else ""
        return f"{self.artikel}{lid}{self.onder or ''}"

    def short(self) -> str:
        return f"art. {self.key}"

    def formal(self, lang: str = "nl") -> str:
        if lang == "en":
            lid = f"({self.lid})" if self.lid is not None else ""
            onder = f"({self.onder})" if self.onder else ""
            return f"Article {self.artikel}{lid}{onder}"
        parts = [f"artikel {self.artikel}"]
        if self.lid is not None:
            parts.append(f"{dutch_ordinal(self.lid)} lid")
        if self.onder:
            parts.append(f"onder {self.onder}")
        return ", ".join(parts)

    def within(self, other: Citation) -> bool:
        """True when this citation lies inside `other` (8.5a lies inside 8.5 and 8)."""
        if self.artikel != other.artikel:
            return False
        if other.lid is not None and self.lid != other.lid:
            return False
        return other.onder is None or self.onder == other.onder

    def as_json(self, lang: str = "nl") -> dict[str, object]:
        return {
            "artikel": self.artikel,
            "lid": self.lid,
            "onder": self.onder,
            "text": self.formal(lang),
        }
