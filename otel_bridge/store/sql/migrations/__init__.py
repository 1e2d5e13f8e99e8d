"""Alembic migrations of the store, shipped in the package and run programmatically: no
``alembic.ini`` is needed. The server applies ``upgrade`` at start; ``otel-bridge db upgrade`` and
``otel-bridge db downgrade`` run them by hand.

Revisions are hand-written and reversible (every ``downgrade()`` undoes its ``upgrade()``), and
``tests/migrations`` checks that ``head`` matches ``otel_bridge.store.sql.schema`` exactly.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from otel_bridge.store.sql.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent
#: PostgreSQL advisory-lock key held by a migration's transaction (any constant unlikely elsewhere).
_MIGRATION_LOCK = 0x6F74656C5F6D6967  # "otel_mig"


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at the shipped revisions; ``env.py`` runs them on
    ``connection``, which the caller owns (and commits)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _engine(target: sa.Engine | str) -> sa.Engine:
    return target if isinstance(target, sa.Engine) else make_engine(target)


def _serialize(connection: sa.Connection) -> None:
    """Make concurrent migrations of one PostgreSQL database run one after another.

    Replicas started together on an empty database each run ``upgrade`` at start; without the lock
    they all create ``alembic_version`` and the tables at once, and all but one fail on a duplicate
    catalog entry. PostgreSQL's DDL is transactional, so the replicas that waited then find the
    database at head and do nothing. SQLite's write lock serializes migrations by itself.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")


def upgrade(target: sa.Engine | str, revision: str = "head") -> None:
    """Migrate the database forward to ``revision``, in one transaction."""
    engine = _engine(target)
    try:
        with engine.begin() as connection:
            _serialize(connection)
            command.upgrade(alembic_config(connection), revision)
    finally:
        if not isinstance(target, sa.Engine):
            engine.dispose()


def downgrade(target: sa.Engine | str, revision: str = "-1") -> None:
    """Migrate the database back to ``revision`` (``base`` removes every table), in one transaction."""
    engine = _engine(target)
    try:
        with engine.begin() as connection:
            _serialize(connection)
            command.downgrade(alembic_config(connection), revision)
    finally:
        if not isinstance(target, sa.Engine):
            engine.dispose()


def current_revision(target: sa.Engine | str) -> str | None:
    """The revision the database is at (None before the first migration)."""
    engine = _engine(target)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if not isinstance(target, sa.Engine):
            engine.dispose()


def head_revision() -> str:
    """The newest shipped revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


__all__ = ["MIGRATIONS_DIR", "alembic_config", "current_revision", "downgrade", "head_revision", "upgrade"]
