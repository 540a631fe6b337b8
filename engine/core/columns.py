"""Text tables and lines that fit the terminal: a column too wide is wrapped within its column,
and any line still too long is wrapped with a hanging indent; never a 267-character line.

The width is `COLUMNS` when it is set, else the terminal's width when the output is a terminal;
output to a file or a pipe keeps its lines whole (a program reading it needs no wrapping).
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence

MIN_COLUMN = 12  # a column is never wrapped narrower than this
MIN_WIDTH = 40  # below this a terminal is treated as this wide


def terminal_width() -> int | None:
    """The width to fit, or None when the output is no terminal and COLUMNS is not set."""
    if os.environ.get("COLUMNS", "").strip().isdigit():
        return max(MIN_WIDTH, int(os.environ["COLUMNS"]))
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or replaced stdout
        return None
    return max(MIN_WIDTH, shutil.get_terminal_size().columns)


def columns(
    rows: Sequence[Sequence[str]], right: Iterable[int] = (), width: int | None = None, indent: str = "  "
) -> list[str]:
    """Rows as aligned columns (two spaces apart, `right` aligned right) in at most `width`
    characters (None: `terminal_width()`); the widest left-aligned columns are wrapped first.

    >>> columns([["a", "een lange beschrijving van iets"], ["bb", "kort"]], width=40)
    ['  a   een lange beschrijving van iets', '  bb  kort']
    >>> for line in columns([["a", "een lange beschrijving van iets"], ["bb", "kort"]], width=20):
    ...     print(line)
      a   een lange
          beschrijving
          van iets
      bb  kort
    """
    return [line for lines in row_lines(rows, right, width, indent) for line in lines]


def row_lines(
    rows: Sequence[Sequence[str]], right: Iterable[int] = (), width: int | None = None, indent: str = "  "
) -> list[list[str]]:
    """As `columns`, the lines of each row apart (a wrapped row has more than one)."""
    if not rows:
        return []
    right = set(right)
    width = terminal_width() if width is None else width
    count = len(rows[0])
    widths = [max(len(r[i]) for r in rows) for i in range(count)]
    if width is not None:
        over = len(indent) + sum(widths) + 2 * (count - 1) - width
        while over > 0:  # narrow the widest column by one, until the table fits (or cannot narrow)
            shrinkable = [i for i in range(count) if i not in right and widths[i] > MIN_COLUMN]
            if not shrinkable:
                break
            widths[max(shrinkable, key=lambda i: widths[i])] -= 1
            over -= 1
    out = []
    for row in rows:
        lines = []
        parts = [
            textwrap.wrap(cell, w, break_on_hyphens=False) or [""] if len(cell) > w else [cell]
            for cell, w in zip(row, widths, strict=True)
        ]
        for n in range(max(len(p) for p in parts)):
            cells = [p[n] if n < len(p) else "" for p in parts]
            line = "  ".join(
                c.rjust(w) if i in right else c.ljust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            lines.append((indent + line).rstrip())
        out.append(lines)
    return out


def fit(text: str, width: int | None = None) -> str:
    """Every line of `text` in at most `width` characters (None: `terminal_width()`), a long line
    wrapped at spaces with its continuation indented two more than the line itself.

    >>> print(fit("  Waarschuwing: de versie geldt maar een deel van het jaar", width=30))
      Waarschuwing: de versie
        geldt maar een deel van
        het jaar
    """
    width = terminal_width() if width is None else width
    if width is None:
        return text
    lines = []
    for line in text.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip(" "))]
        lines += textwrap.wrap(
            line,
            width,
            subsequent_indent=lead + "  ",
            break_on_hyphens=False,
            drop_whitespace=True,
        ) or [line]
    return "\n".join(lines)
