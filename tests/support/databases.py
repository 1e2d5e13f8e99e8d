"""Fresh, empty databases for tests: a SQLite file, or a uniquely named PostgreSQL schema.

PostgreSQL is reached through ``OTEL_BRIDGE_TEST_POSTGRES_DSN``
(``eval "$(.ci/start-postgres)"`` starts the local cluster and prints it). Without it the PostgreSQL
tests skip, saying how to enable them; under ``CI=true`` they fail instead, so that CI can not go
green by silently testing one database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import lru_cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from otel_bridge.store.sql.engine import make_engine

POSTGRES_DSN_ENV = "OTEL_BRIDGE_TEST_POSTGRES_DSN"
START_COMMAND = 'eval "$(.ci/start-postgres)"'
SKIP_MESSAGE = (
    f"PostgreSQL tests need {POSTGRES_DSN_ENV}=postgresql+psycopg://user:pass@host/db; "
    f"run .ci/start-postgres ({START_COMMAND})"
)
DIALECTS = ("sqlite", "postgresql")


def in_ci() -> bool:
    """Whether the tests run under CI (``CI=true``), where missing databases are failures."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@lru_cache(maxsize=1)
def _probe(dsn: str) -> str | None:
    """None when the server answers, else why not (checked once per test run)."""
    engine = make_engine(dsn, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as error:
        # One line: the driver's first line (psycopg adds hints, SQLAlchemy a link, on lines of their own).
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()
        why = f"{error.__class__.__name__}: {cause[0] if cause else ''}"
        return f"{POSTGRES_DSN_ENV} is set but PostgreSQL is unreachable ({why}); start it: {START_COMMAND}"
    finally:
        engine.dispose()
    return None


def postgres_dsn() -> str:
    """The test server's DSN; skips the test (fails it under CI) when it is missing or unreachable."""
    dsn = os.environ.get(POSTGRES_DSN_ENV, "").strip()
    problem = SKIP_MESSAGE if not dsn else _probe(dsn)
    if problem is not None:
        if in_ci():
            pytest.fail(f"CI=true: {problem}", pytrace=False)
        pytest.skip(problem)
    return dsn


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a new, uniquely named, empty PostgreSQL schema, dropped afterwards. Every connection
    made with the URL sees only that schema (temporary tables aside), so servers given it as ``--db``
    share a database of their own."""
    dsn = postgres_dsn()
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = make_engine(dsn)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            # libpq's ``options`` as a URL query: psycopg hands it to the server at connect.
            url = sa.make_url(dsn).update_query_dict({"options": f"-csearch_path={schema}"})
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


@contextmanager
def fresh_engine(dialect: str, directory: Path) -> Iterator[sa.Engine]:
    """An engine on an empty database of ``dialect``, removed afterwards."""
    with ExitStack() as stack:
        if dialect == "sqlite":
            engine = make_engine(f"sqlite:///{directory / 'store.db'}")
        else:
            engine = make_engine(stack.enter_context(postgres_schema()))
        try:
            yield engine
        finally:
            engine.dispose()


def dialect_params() -> list[object]:
    """``pytest.param``s for a fixture parametrized over both databases (PostgreSQL marked)."""
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
