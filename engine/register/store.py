"""The register in its database: where it is, opening it (its schema brought up to date by the
migrations shipped with the package), writing a run in one transaction, and reading runs back.

The register is append-only from the application: `Register` can add a run and read runs, nothing
else; in SQLite (and PostgreSQL) triggers refuse any UPDATE or DELETE of a run, its inputs, its
outputs or the stored bytes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from convenant.core.diagnostics import ConvenantError, Problem
from convenant.register import schema

ENV = "CONVENANT_REGISTER"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def default_location() -> str:
    """$CONVENANT_REGISTER, else `$XDG_DATA_HOME/convenant/register.sqlite` (XDG_DATA_HOME:
    ~/.local/share when unset)."""
    configured = os.environ.get(ENV)
    if configured:
        return configured
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(data) / "convenant" / "register.sqlite")


def is_url(location: str) -> bool:
    """A database URL (`sqlite:///…`, `postgresql+psycopg://…`) rather than a file path.

    >>> is_url("sqlite:///tmp/r.sqlite"), is_url("postgresql+psycopg://u@h/db"), is_url("r.sqlite")
    (True, True, False)
    """
    scheme, sep, _ = location.partition("://")
    return bool(sep) and scheme.replace("+", "").replace("-", "").isalnum()


def url_of(location: str) -> str:
    if is_url(location):
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def shown_location(location: str) -> str:
    """The register's place as messages say it: a URL without its password."""
    if not is_url(location):
        return location
    return sa.engine.make_url(location).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Input:
    role: str  # facts | rules | bijlage | municipalities | templates | profile | docx_template
    name: str  # where it lies among the run's inputs (a table's file beside the rule file, a template's)
    shown: str  # the name it was shown by when the run was made (in the letters and their annexes)
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Output:
    name: str
    sha256: str
    size: int
    kenmerk: str | None = None
    municipality: str | None = None
    recipient: str | None = None


@dataclass(frozen=True)
class NewRun:
    """A run as it is written: what identifies it, its options, its inputs and its outputs."""

    kind: str  # evaluation | letters
    covenant: str
    version: str
    year: int
    facts_name: str
    facts_sha256: str
    rules_sha256: str
    engine_version: str
    lang: str
    illustrative: bool
    inputs: tuple[Input, ...]
    outputs: tuple[Output, ...]
    act: str | None = None
    act_chosen: str | None = None
    date_option: str | None = None
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredInput:
    role: str
    name: str
    shown: str
    sha256: str


@dataclass(frozen=True)
class StoredRun:
    """A run read back, with its inputs and outputs (the inputs' bytes: `Register.blob`)."""

    id: str
    kind: str
    created_at: str
    covenant: str
    version: str
    year: int
    facts_name: str
    facts_sha256: str
    rules_sha256: str
    engine_version: str
    lang: str
    act: str | None
    act_chosen: str | None
    date_option: str | None
    formats: tuple[str, ...]
    illustrative: bool
    inputs: tuple[StoredInput, ...] = ()
    outputs: tuple[Output, ...] = ()

    @property
    def kenmerken(self) -> list[str]:
        return sorted({o.kenmerk for o in self.outputs if o.kenmerk})

    def letters(self) -> list[Output]:
        """One output per letter (its kenmerk), the first of its files."""
        seen: dict[str, Output] = {}
        for o in self.outputs:
            if o.kenmerk and o.kenmerk not in seen:
                seen[o.kenmerk] = o
        return list(seen.values())


def migrate(connection: Connection) -> None:
    """Bring the register's schema up to the newest migration, on this connection."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")  # another writer: wait, do not fail
    cursor.execute("PRAGMA journal_mode=WAL")  # readers (the register's pages) go on while a run is written
    cursor.close()


class Register:
    """The register of runs at one place (a SQLite file or a database URL)."""

    def __init__(self, engine: Engine, location: str) -> None:
        self.engine, self.location = engine, location
        # one writer at a time in this process: SQLite refuses a second transaction that wants to
        # write while the first holds the lock (its busy timeout does not wait for that case)
        self._writing = threading.Lock()

    @classmethod
    def open(cls, location: str | None = None) -> Register:
        """Open (and if new, make) the register, its schema migrated to the newest version."""
        location = location or default_location()
        url = url_of(location)
        try:
            if url.startswith("sqlite:///"):
                folder = Path(url.removeprefix("sqlite:///")).parent
                folder.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url)
            if engine.dialect.name == "sqlite":
                sa.event.listen(engine, "connect", _sqlite_pragmas)
            with engine.begin() as connection:
                migrate(connection)
        except (OSError, sa.exc.SQLAlchemyError, ImportError) as error:
            raise ConvenantError(
                [
                    Problem(
                        "register.unavailable",
                        {"place": shown_location(location), "reason": _reason(error)},
                    )
                ]
            ) from None
        return cls(engine, location)

    def close(self) -> None:
        self.engine.dispose()

    # writing -------------------------------------------------------------------------------------
    def record(self, run: NewRun) -> str:
        """Write the run, its inputs (their bytes once) and its outputs in one transaction: the run
        is in the register whole, or not at all. Returns its id."""
        run_id = secrets.token_hex(8)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            with self._writing, self.engine.begin() as connection:
                connection.execute(
                    schema.runs.insert().values(
                        id=run_id,
                        kind=run.kind,
                        created_at=created,
                        covenant=run.covenant,
                        version=run.version,
                        year=run.year,
                        facts_name=run.facts_name,
                        facts_sha256=run.facts_sha256,
                        rules_sha256=run.rules_sha256,
                        engine_version=run.engine_version,
                        lang=run.lang,
                        act=run.act,
                        act_chosen=run.act_chosen,
                        date_option=run.date_option,
                        formats=",".join(run.formats),
                        illustrative=run.illustrative,
                    )
                )
                self._blobs(connection, [one.data for one in run.inputs])
                if run.inputs:
                    connection.execute(
                        schema.run_inputs.insert(),
                        [
                            {
                                "run_id": run_id,
                                "role": i.role,
                                "name": i.name,
                                "shown": i.shown,
                                "sha256": i.sha256,
                            }
                            for i in run.inputs
                        ],
                    )
                if run.outputs:
                    connection.execute(
                        schema.outputs.insert(),
                        [{"run_id": run_id, **vars(o)} for o in run.outputs],
                    )
        except sa.exc.SQLAlchemyError as error:
            args = {"place": shown_location(self.location), "reason": _reason(error)}
            raise ConvenantError([Problem("register.not_written", args)]) from None
        return run_id

    def _blobs(self, connection: Connection, contents: list[bytes]) -> None:
        """The bytes not yet kept, each once (those kept already are looked up in one query)."""
        by_hash = {hashlib.sha256(data).hexdigest(): data for data in contents}
        if not by_hash:
            return
        kept = set(
            connection.execute(
                sa.select(schema.blobs.c.sha256).where(schema.blobs.c.sha256.in_(list(by_hash)))
            ).scalars()
        )
        missing = [
            {"sha256": sha, "size": len(data), "data": data}
            for sha, data in by_hash.items()
            if sha not in kept
        ]
        if not missing:
            return
        insert: Any = schema.blobs.insert()
        if self.engine.dialect.name == "sqlite":  # another process may keep the same bytes meanwhile
            from sqlalchemy.dialects import sqlite

            insert = sqlite.insert(schema.blobs).on_conflict_do_nothing()
        elif self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects import postgresql

            insert = postgresql.insert(schema.blobs).on_conflict_do_nothing()
        connection.execute(insert, missing)

    # reading -------------------------------------------------------------------------------------
    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            args = {"place": shown_location(self.location), "reason": _reason(error)}
            raise ConvenantError([Problem("register.unavailable", args)]) from None

    def run(self, run_id: str) -> StoredRun:
        """The run with this id, its inputs and outputs; a clear error when there is none."""
        with self._reading() as connection:
            row = connection.execute(sa.select(schema.runs).where(schema.runs.c.id == run_id)).first()
            if row is None:
                raise ConvenantError([Problem("register.unknown_run", {"id": run_id})])
            inputs = connection.execute(
                sa.select(schema.run_inputs)
                .where(schema.run_inputs.c.run_id == run_id)
                .order_by(schema.run_inputs.c.id)
            ).all()
            outputs = connection.execute(
                sa.select(schema.outputs)
                .where(schema.outputs.c.run_id == run_id)
                .order_by(schema.outputs.c.id)
            ).all()
        return _stored(
            row,
            tuple(StoredInput(i.role, i.name, i.shown, i.sha256) for i in inputs),
            tuple(Output(o.name, o.sha256, o.size, o.kenmerk, o.municipality, o.recipient) for o in outputs),
        )

    def find_kenmerk(self, kenmerk: str) -> StoredRun | None:
        """The latest run that gave a letter with this kenmerk, or None."""
        with self._reading() as connection:
            found = connection.execute(
                sa.select(schema.outputs.c.run_id)
                .join(schema.runs, schema.runs.c.id == schema.outputs.c.run_id)
                .where(schema.outputs.c.kenmerk == kenmerk)
                .order_by(schema.runs.c.created_at.desc(), schema.outputs.c.id.desc())
                .limit(1)
            ).first()
        return self.run(found.run_id) if found is not None else None

    def search(
        self,
        year: int | None = None,
        covenant: str | None = None,
        municipality: str | None = None,
        kenmerk: str | None = None,
        limit: int = 200,
    ) -> list[StoredRun]:
        """The runs that match every criterion given, newest first, with their outputs.
        `municipality`: a recipient's code (GM0118) or part of its name; `kenmerk`: part of one."""
        runs, outputs = schema.runs, schema.outputs
        query = sa.select(runs)
        if year is not None:
            query = query.where(runs.c.year == year)
        if covenant:
            query = query.where(runs.c.covenant == covenant.strip().lower())
        matching: list[Any] = []
        if municipality:
            given = municipality.strip()
            matching.append(
                sa.or_(
                    outputs.c.municipality == given.upper(),
                    sa.func.lower(outputs.c.recipient).contains(given.lower(), autoescape=True),
                )
            )
        if kenmerk:
            matching.append(outputs.c.kenmerk.contains(kenmerk.strip(), autoescape=True))
        if matching:
            query = query.where(runs.c.id.in_(sa.select(outputs.c.run_id).where(*matching)))
        query = query.order_by(runs.c.created_at.desc(), runs.c.id).limit(limit)
        with self._reading() as connection:
            rows = connection.execute(query).all()
            ids = [r.id for r in rows]
            produced: dict[str, list[Output]] = {i: [] for i in ids}
            if ids:
                for o in connection.execute(
                    sa.select(outputs).where(outputs.c.run_id.in_(ids)).order_by(outputs.c.id)
                ):
                    produced[o.run_id].append(
                        Output(o.name, o.sha256, o.size, o.kenmerk, o.municipality, o.recipient)
                    )
        return [_stored(r, (), tuple(produced[r.id])) for r in rows]

    def blob(self, sha256: str) -> bytes:
        with self._reading() as connection:
            found = connection.execute(
                sa.select(schema.blobs.c.data).where(schema.blobs.c.sha256 == sha256)
            ).first()
        if found is None:
            raise ConvenantError([Problem("register.missing_blob", {"hash": sha256})])
        return bytes(found.data)

    def counts(self) -> dict[str, int]:
        """How many rows each table holds (for tests and the developers' guide)."""
        with self._reading() as connection:
            return {
                t.name: int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in (schema.runs, schema.run_inputs, schema.blobs, schema.outputs)
            }


def _stored(row: Any, inputs: Sequence[StoredInput], outputs: Sequence[Output]) -> StoredRun:
    return StoredRun(
        id=row.id,
        kind=row.kind,
        created_at=row.created_at,
        covenant=row.covenant,
        version=row.version,
        year=row.year,
        facts_name=row.facts_name,
        facts_sha256=row.facts_sha256,
        rules_sha256=row.rules_sha256,
        engine_version=row.engine_version,
        lang=row.lang,
        act=row.act,
        act_chosen=row.act_chosen,
        date_option=row.date_option,
        formats=tuple(f for f in row.formats.split(",") if f),
        illustrative=bool(row.illustrative),
        inputs=tuple(inputs),
        outputs=tuple(outputs),
    )


def _reason(error: BaseException) -> str:
    """The database's own short reason, without the SQL statement and its parameters."""
    if isinstance(error, sa.exc.DBAPIError) and error.orig is not None:
        return str(error.orig).split("\n")[0]
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error).split("\n")[0]


__all__ = ["ENV", "Input", "NewRun", "Output", "Register", "StoredInput", "StoredRun", "default_location"]
