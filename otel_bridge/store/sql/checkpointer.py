"""WAL checkpoints of an SQLite database file on a thread of their own (``WalCheckpointer``)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa

logger = logging.getLogger("otel_bridge.store")

#: How often the WAL is checkpointed while writes come (SQLite); see ``WalCheckpointer``.
CHECKPOINT_INTERVAL = 1.0


class WalCheckpointer:
    """Checkpoints an SQLite database's WAL from a thread of its own while writes come.

    SQLite checkpoints in the commit that takes the WAL past its size limit: with the writer's limit
    at 20,000 pages, about 180 ms every ~28 batches of bench_store, which every request waiting on that
    commit waits for too. A PASSIVE checkpoint from another connection copies the same pages without
    the write lock, and sqlite3 lets go of the GIL while it runs, so it costs the writer nothing. The
    writer's own limit stays, four times higher, as a backstop should this thread fall behind.

    The thread is started by a commit when none runs, checkpoints every ``interval`` seconds, and
    ends after an interval without commits, so an idle store (or one never closed) keeps no thread.
    """

    #: The writer's own checkpoint limit while this thread runs (pages; the connect hook of
    #: ``SqliteDialect`` sets 20,000).
    BACKSTOP_PAGES = 80_000
    _ADOPTED = "otel_bridge_checkpointer"

    def __init__(self, engine: sa.Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dirty = False
        #: Checkpoints run so far (for tests and curiosity).
        self.checkpoints = 0

    def adopt(self, conn: sa.Connection) -> None:
        """Raise a writing connection's own checkpoint limit to the backstop (once per connection)."""
        info = conn.connection.info
        if self._ADOPTED not in info:
            # On the driver's connection: through ``conn`` it would begin the transaction, deferred.
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(f"PRAGMA wal_autocheckpoint = {self.BACKSTOP_PAGES}")
            info[self._ADOPTED] = True

    def committed(self) -> None:
        """Note a commit: the WAL grew. Starts the thread if it is not running."""
        with self._lock:
            self._dirty = True
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="otel-bridge-checkpoint", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop the thread (waiting for a checkpoint under way); later commits start none."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            # A connection of the thread's own, out of the pool: it needs no pool slot, and it stays
            # on the file it opened should the engine be disposed before the store is closed.
            raw = self._engine.raw_connection()
            connection = raw.driver_connection
            raw.detach()
        except Exception:  # the next commit starts another thread, which tries again
            logger.warning("cannot connect to checkpoint the WAL", exc_info=True)
            with self._lock:
                self._thread = None
            return
        try:
            while not self._stop.wait(self._interval):
                with self._lock:
                    if not self._dirty:
                        self._thread = None
                        return
                    self._dirty = False
                self._checkpoint(connection)
        finally:
            raw.close()

    def _checkpoint(self, connection: Any) -> None:
        try:
            # The connect hook put the connection in autocommit: no transaction of its pins the WAL.
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception:  # the next interval tries again, and the backstop bounds the WAL meanwhile
            logger.warning("WAL checkpoint failed", exc_info=True)
        else:
            self.checkpoints += 1


__all__ = ["CHECKPOINT_INTERVAL", "WalCheckpointer"]
