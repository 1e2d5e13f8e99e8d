"""The SQLite store's WAL checkpoints: under sustained writes the WAL stays bounded, and the thread
that checkpoints it lives only while writes come.

Observed from outside only: the WAL file's size on disk and the threads of the process (the thread
is named ``otel-bridge-checkpoint``), so the tests hold whatever the implementation does inside.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.engine import make_engine
from otel_bridge.store.sql.migrations import upgrade
from tests.support.spans import generation, record, translate

THREAD_NAME = "otel-bridge-checkpoint"
#: Each batch holds one span with this much input, so the WAL's growth is easy to see.
INPUT_BYTES = 100_000


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


def checkpoint_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == THREAD_NAME]


def write_some(store: SqlStore, project_id: str, n: int) -> None:
    """A trace of 20 spans, one with ``INPUT_BYTES`` of (distinct) input."""
    store.write_batch(
        project_id,
        translate(
            record(n, n * 100, start=0, end=2, input__value=f"{n}:" + "x" * INPUT_BYTES),
            *(generation(n, n * 100 + k, n * 100, start=0, end=1) for k in range(1, 20)),
        ),
    )


def test_the_wal_stays_bounded_under_sustained_writes(database: Path) -> None:
    """Writes that keep coming for a while (120 commits of ~100 kB over a few seconds) leave a
    WAL far smaller than what they wrote: the checkpoints keep up and SQLite reuses the file. Without
    them the WAL would hold all of it (SQLite's own limit, raised for the writer, is 80,000 pages)."""
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=0.02)
    wal = database.with_name(database.name + "-wal")
    commits = 120
    largest = 0
    try:
        project_id = store.create_project("p").project.id
        for n in range(1, commits + 1):
            write_some(store, project_id, n)
            largest = max(largest, wal.stat().st_size)
            time.sleep(0.02)  # an ingest rate, not one tight loop
        assert store.list_traces(project_id).total == commits
    finally:
        store.close()
    written = commits * INPUT_BYTES
    assert largest < written / 3, f"the WAL reached {largest} bytes for {written} bytes written"


def test_the_thread_ends_when_writes_stop_and_comes_back(database: Path) -> None:
    """No writes for an interval: no checkpoint thread; the next commit starts a new one."""
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=0.05)
    try:
        project_id = store.create_project("p").project.id
        assert wait_for(lambda: not checkpoint_threads())
        write_some(store, project_id, 1)
        assert len(checkpoint_threads()) == 1
        assert wait_for(lambda: not checkpoint_threads())
    finally:
        store.close()


def test_close_stops_the_thread(database: Path) -> None:
    """``close`` ends the thread; the store still works afterwards, checkpointing in its commits."""
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=10.0)
    project_id = store.create_project("p").project.id
    for n in range(1, 4):
        write_some(store, project_id, n)
    assert len(checkpoint_threads()) == 1
    store.close()
    assert checkpoint_threads() == []
    write_some(store, project_id, 4)
    assert store.list_traces(project_id).total == 4
    assert checkpoint_threads() == []
    store.close()


def test_no_thread_when_turned_off(database: Path) -> None:
    """``checkpoint_interval=None`` leaves checkpoints to SQLite's commits."""
    store = SqlStore(f"sqlite:///{database}", checkpoint_interval=None)
    try:
        write_some(store, store.create_project("p").project.id, 1)
        assert checkpoint_threads() == []
    finally:
        store.close()
