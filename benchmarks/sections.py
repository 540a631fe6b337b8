"""benchmarks/README.md is shared: each script writes its own section, between `<!-- NAME.py -->`
and `<!-- /NAME.py -->` on lines of their own, and keeps every other section as it is
(`benchmarks/run.py` writes the header and index and keeps the sections of the others too)."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def write_section(section: str, begin: str, end: str, readme: Path = README) -> None:
    """Put `section` (which starts with `begin` and ends with `end`) in place of the one between
    those markers, or at the end of the file when there is none yet."""
    text = readme.read_text(encoding="utf-8")
    if begin in text and end in text:
        before, _, rest = text.partition(begin)
        text = before + section + rest.partition(end)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    readme.write_text(text, encoding="utf-8")
