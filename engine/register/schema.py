"""The register's tables (SQLAlchemy Core). The schema itself is made and changed only by the
migrations in `migrations/versions/`; these are the same tables as the code reads and writes them.

- `runs`: one row per evaluation or set of letters, with what identifies it (covenant, version,
  year, the facts' and rule file's sha256, the engine's version) and the options that made it.
- `run_inputs`: every input of a run by its role (facts, rules, bijlage, municipalities, templates,
  profile, docx_template), the name it had (`shown`, as the letters name it) and its sha256.
- `blobs`: the inputs' bytes, once per sha256 however many runs use them.
- `outputs`: every file a run gave, with its sha256 and size, and a letter's kenmerk and recipient.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),  # evaluation | letters
    Column("created_at", String(32), nullable=False),  # UTC, ISO 8601 with offset
    Column("covenant", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("year", Integer, nullable=False),
    Column("facts_name", Text, nullable=False),
    Column("facts_sha256", String(64), nullable=False),
    Column("rules_sha256", String(64), nullable=False),
    Column("engine_version", String(32), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("act", String(64)),  # as asked (--act); None: the first act that applies
    Column("act_chosen", String(64)),  # the act the letters are of
    Column("date_option", String(32)),
    Column("formats", String(64), nullable=False),  # comma-separated; empty for an evaluation
    Column("illustrative", Boolean, nullable=False),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

run_inputs = Table(
    "run_inputs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("runs.id"), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column(
        "name", Text, nullable=False
    ),  # where it lies among the run's inputs (a table's file, a template's)
    Column("shown", Text, nullable=False),  # the name it was shown by when the run was made
    Column("sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
)

outputs = Table(
    "outputs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("runs.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("kenmerk", String(200), index=True),
    Column("municipality", String(16), index=True),  # the recipient's code (GM0118)
    Column("recipient", Text),  # the recipient's name
)

APPEND_ONLY = ("runs", "run_inputs", "outputs", "blobs")
