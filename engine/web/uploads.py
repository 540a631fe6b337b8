"""An uploaded file, read without letting anything of the request reach the file system.

The file's own name is only shown (in messages, as the fact file's name); it is cut to its last
part and to printable characters, and never used as a path. The bytes are kept in memory, checked
against the size limit and the kinds the form accepts, and saved, when the engine needs a file, under
a fixed name in a private temporary folder that is removed afterwards.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from convenant.core.diagnostics import ConvenantError, Problem

YAML, XLSX, CSV, DOCX = "yaml", "xlsx", "csv", "docx"
SUFFIXES = {".yaml": YAML, ".yml": YAML, ".xlsx": XLSX, ".csv": CSV, ".docx": DOCX}
ZIPPED = (XLSX, DOCX)  # kinds that are zip files (Office documents); the others are text
FACT_KINDS = (YAML, XLSX)
SCENARIO_KINDS = (CSV, XLSX)
_ZIP = b"PK\x03\x04"
# The first bytes of files that are never text: a PDF, an image, an old Office file, a zip (a
# program has NUL bytes at its start, which no text has).
_BINARY = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0", _ZIP)
_SHOWN_NAME = 80


@dataclass(frozen=True)
class Upload:
    """The bytes of one uploaded file, the name to show for it, and its kind (yaml, xlsx, csv)."""

    name: str
    data: bytes
    kind: str

    def text(self) -> str | None:
        """The file as text, for showing a line of it under a message (None: not text)."""
        if self.kind in ZIPPED:
            return None
        try:
            return self.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None

    def source_line(self, path: str, line: int) -> str | None:
        """`messages.render`'s source of lines: this upload's own lines, never a file on disk."""
        text = self.text()
        if path != self.name or text is None:
            return None
        lines = text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None


def shown_name(filename: str | None, kind_default: str) -> str:
    """The last part of an uploaded file's name, printable, at most 80 characters.

    >>> shown_name("C:\\\\Users\\\\ana\\\\feiten 2024.yaml", "feiten.yaml")
    'feiten 2024.yaml'
    >>> shown_name("../../etc/passwd\\x00.yaml", "feiten.yaml")
    'passwd.yaml'
    >>> shown_name("", "feiten.yaml")
    'feiten.yaml'
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return name[-_SHOWN_NAME:] or kind_default


def accept(filename: str | None, data: bytes, kinds: tuple[str, ...], limit: int) -> Upload:
    """An upload of one of `kinds`, at most `limit` bytes; anything else is a ConvenantError."""
    suffix = Path(shown_name(filename, "")).suffix.lower()
    kind = SUFFIXES.get(suffix)
    name = shown_name(filename, f"upload.{kinds[0]}")
    expected = ", ".join(f".{k}" for k in kinds)
    if not data:
        raise ConvenantError([Problem("web.upload_empty", {"name": name})])
    if len(data) > limit:
        raise ConvenantError([Problem("web.upload_too_large", {"name": name, "limit": limit})])
    if kind not in kinds:
        raise ConvenantError([Problem("web.upload_kind", {"name": name, "expected": expected})])
    if (kind in ZIPPED) != data.startswith(_ZIP) or (kind not in ZIPPED and _binary(data)):
        raise ConvenantError([Problem("web.upload_content", {"name": name, "expected": expected})])
    return Upload(name, data, kind)


def _binary(data: bytes) -> bool:
    """A file that is not text whatever its name says (text in another encoding than UTF-8 is
    text: the engine says how to save it).

    >>> _binary(b"%PDF-1.7 ..."), _binary(b"covenant: assen\\n"), _binary("jaar: 2024 café".encode("latin-1"))
    (True, False, False)
    """
    return data.startswith(_BINARY) or b"\x00" in data[:8192]


@contextmanager
def saved(upload: Upload) -> Iterator[Path]:
    """The upload as a file under a fixed name in a private temporary folder, for as long as the
    `with` lasts."""
    with tempfile.TemporaryDirectory(prefix="convenant-web-") as folder:
        path = Path(folder) / f"upload.{upload.kind}"
        path.write_bytes(upload.data)
        yield path
