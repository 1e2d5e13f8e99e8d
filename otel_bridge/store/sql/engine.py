"""Engines and transactions: ``make_engine`` configures an engine for the store, ``Connections``
hands out its write and read transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from otel_bridge.errors import StoreUnavailable
from otel_bridge.store.sql.checkpointer import WalCheckpointer
from otel_bridge.store.sql.dialects import WRITE_OPTION, PostgresDialect, SqliteDialect
from otel_bridge.store.sql.errors import classify_write_failure


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``) configured for the store:
    pragmas and explicit transactions on SQLite, liveness checks on PostgreSQL."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        # The pool hands a connection to one thread at a time; ingest writes from a worker thread.
        connect_args.setdefault("check_same_thread", False)
        # Wait for the write lock (another process or connection) rather than failing at once.
        connect_args.setdefault("timeout", 30.0)
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        SqliteDialect.configure(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, **kwargs)
        PostgresDialect.configure(engine)
        return engine
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///… or postgresql+psycopg://…")


def is_file_database(url: sa.URL) -> bool:
    """Whether an SQLite URL names a database file (not an in-memory database)."""
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


class Connections:
    """The store's transactions on one engine. On an SQLite file, ``checkpoint_interval`` (seconds)
    runs WAL checkpoints on a thread while writes come (None: in the commits, SQLite's default)."""

    def __init__(self, engine: sa.Engine, checkpoint_interval: float | None) -> None:
        self.engine = engine
        self._checkpointer: WalCheckpointer | None = None
        if (
            checkpoint_interval is not None
            and engine.dialect.name == "sqlite"
            and is_file_database(engine.url)
        ):
            self._checkpointer = WalCheckpointer(engine, checkpoint_interval)

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction (SQLite: holding the database's write lock from its start)."""
        checkpointer = self._checkpointer
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                if checkpointer is not None:
                    checkpointer.adopt(conn)
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as error:
            # The database's state (down, locked, full) is StoreUnavailable here; an error about the
            # data goes on as it is, for the caller (a duplicate key, or write_prepared's rejection).
            failure = classify_write_failure(error)
            if failure.retryable:
                raise failure from error
            raise
        if checkpointer is not None:
            checkpointer.committed()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            raise StoreUnavailable(f"the store cannot be read: {error.orig}") from error

    def close(self) -> None:
        """Stop the checkpoint thread, if any, and close the engine's pooled connections."""
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None  # a write after close checkpoints in its commit, as SQLite would
        self.engine.dispose()


__all__ = ["Connections", "is_file_database", "make_engine"]
