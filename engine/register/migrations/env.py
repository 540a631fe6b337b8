"""Alembic's environment for the register: run only by `convenant.register.store.migrate`, which
hands over its open connection (no alembic.ini, no URL here)."""

from __future__ import annotations

from alembic import context


def _migrate() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "_proxy", None) is not None:  # inside alembic.command only (not when a test imports it)
    _migrate()
