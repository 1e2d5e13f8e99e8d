"""The SQLite store's WAL checkpoints run on a thread of their own, off the writer's commits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from otel_bridge.store.migrations import upgrade
from otel_bridge.store.sql import SqlStore, _WalCheckpointer, make_engine
from tests.support.spans import generation, record, translate


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def write_some(store: SqlStore, project_id: str, n: int) -> None:
    """A trace of 20 spans, one with 20 kB of input: pages enough to see in the database file."""
    store.write_batch(
        project_id,
        translate(
            record(n, n * 100, start=0, end=2, input__value="x" * 20_000),
            *(generation(n, n * 100 + k, n * 100, start=0, end=1) for k in range(1, 20)),
        ),
    )


def checkpointer_of(store: SqlStore) -> _WalCheckpointer:
    checkpointer = store._checkpointer
    assert checkpointer is not None
    return checkpointer


def thread_of(store: SqlStore) -> threading.Thread | None:
    return checkpointer_of(store)._thread


def test_the_thread_checkpoints_what_the_writer_committed(database: Path) -> None:
    # A long interval: the file is looked at right after the commit, well before the thread's turn.
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=1.0)
    try:
        project_id = store.create_project("p").project.id
        assert wait_for(lambda: thread_of(store) is None)  # create_project's checkpoint, done
        size = database.stat().st_size
        done = checkpointer_of(store).checkpoints
        write_some(store, project_id, 1)
        # The commit left its pages in the WAL (the writer's own limit is far off)...
        assert database.stat().st_size == size
        # ...and the thread copied them into the database file.
        assert wait_for(lambda: checkpointer_of(store).checkpoints > done)
        assert database.stat().st_size > size
        # Every writing connection leaves checkpoints to the thread, but for a backstop.
        with store._write() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 80_000
    finally:
        store.close()


def test_the_thread_ends_when_writes_stop_and_comes_back(database: Path) -> None:
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=0.05)
    try:
        project_id = store.create_project("p").project.id
        first = thread_of(store)
        assert first is not None
        assert wait_for(lambda: thread_of(store) is None)
        assert wait_for(lambda: not first.is_alive())
        write_some(store, project_id, 1)
        assert thread_of(store) not in (None, first)
    finally:
        store.close()


def test_close_stops_the_thread(database: Path) -> None:
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=0.05)
    project_id = store.create_project("p").project.id
    for n in range(1, 4):
        write_some(store, project_id, n)
    thread = thread_of(store)
    assert thread is not None
    store.close()
    assert not thread.is_alive()
    assert store._checkpointer is None
    # The store still works on new connections, checkpointing in its commits as SQLite does.
    write_some(store, project_id, 4)
    assert store.list_traces(project_id).total == 4
    store.close()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_no_thread_for_a_database_in_memory(url: str) -> None:
    store = SqlStore(url)
    assert store._checkpointer is None
    store.close()


def test_no_thread_when_turned_off(database: Path) -> None:
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=None)
    assert store._checkpointer is None
    store.close()
