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


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at the shipped revisions; ``env.py`` runs them on
    ``connection``, which the caller owns (and commits)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _engine(target: sa.Engine | str) -> sa.Engine:
    return target if isinstance(target, sa.Engine) else make_engine(target)


def upgrade(target: sa.Engine | str, revision: str = "head") -> None:
    """Migrate the database forward to ``revision``, in one transaction."""
    engine = _engine(target)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        if not isinstance(target, sa.Engine):
            engine.dispose()


def downgrade(target: sa.Engine | str, revision: str = "-1") -> None:
    """Migrate the database back to ``revision`` (``base`` removes every table), in one transaction."""
    engine = _engine(target)
    try:
        with engine.begin() as connection:
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
