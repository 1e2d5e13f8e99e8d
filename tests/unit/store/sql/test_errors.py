"""``classify_write_failure`` on real driver errors: the database's state is retryable, the data is
not."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from otel_bridge.errors import StoreUnavailable, WriteRejected
from otel_bridge.store.sql.errors import classify_write_failure
from tests.support.databases import fresh_engine


def raised(engine: sa.Engine, *statements: str) -> BaseException:
    """What running ``statements`` in one transaction raised."""
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    except sa.exc.DBAPIError as error:
        return error
    raise AssertionError(f"{statements} raised nothing")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    with fresh_engine(str(request.param), tmp_path) as engine:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        yield engine


class TestClassifyWriteFailure:
    def test_constraint_violation_is_about_the_data(self, engine: sa.Engine) -> None:
        """A duplicate key or a NULL in a NOT NULL column: the same write fails again."""
        duplicate = raised(engine, "INSERT INTO t VALUES (1, 'a')", "INSERT INTO t VALUES (1, 'b')")
        assert isinstance(classify_write_failure(duplicate), WriteRejected)
        missing = raised(engine, "INSERT INTO t (id) VALUES (2)")
        assert isinstance(classify_write_failure(missing), WriteRejected)

    def test_a_missing_table_is_about_the_database(self, engine: sa.Engine) -> None:
        """A table that is not there (a database not migrated yet) is the database's state."""
        error = raised(engine, "INSERT INTO nowhere VALUES (1)")
        assert isinstance(classify_write_failure(error), StoreUnavailable)

    def test_postgres_refuses_nul_in_text(self, tmp_path: Path) -> None:
        """PostgreSQL's text cannot hold U+0000: a data exception (SQLSTATE class 22)."""
        with fresh_engine("postgresql", tmp_path) as engine:
            with engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE t (body TEXT)")
            try:
                with engine.begin() as conn:
                    conn.execute(sa.text("INSERT INTO t VALUES (:body)"), {"body": "a\x00b"})
            except sa.exc.DBAPIError as error:
                assert isinstance(classify_write_failure(error), WriteRejected)
            else:
                raise AssertionError("PostgreSQL stored a NUL")

    def test_a_locked_sqlite_database_is_retryable(self, tmp_path: Path) -> None:
        """Another writer holding the lock past the busy timeout: retry later."""
        path = tmp_path / "locked.db"
        holder = sqlite3.connect(path, isolation_level=None)
        waiter = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
        try:
            holder.execute("CREATE TABLE t (id INTEGER)")
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("INSERT INTO t VALUES (1)")
            error = raised(waiter, "INSERT INTO t VALUES (2)")
            holder.execute("ROLLBACK")
        finally:
            holder.close()
            waiter.dispose()
        assert "locked" in str(error)
        assert isinstance(classify_write_failure(error), StoreUnavailable)

    def test_an_unreachable_server_is_retryable(self) -> None:
        """Connection refused: the database is away."""
        engine = sa.create_engine(
            "postgresql+psycopg://u:p@127.0.0.1:1/db", connect_args={"connect_timeout": 2}
        )
        try:
            error = raised(engine, "SELECT 1")
        finally:
            engine.dispose()
        assert isinstance(classify_write_failure(error), StoreUnavailable)

    def test_errors_outside_the_driver_are_permanent(self) -> None:
        """A value a driver cannot bind, or a bug: writing the same spans again raises it again."""
        failure = classify_write_failure(OverflowError("Python int too large to convert to SQLite INTEGER"))
        assert isinstance(failure, WriteRejected) and "OverflowError" in failure.message
        already = StoreUnavailable("down")
        assert classify_write_failure(already) is already
