"""Fault drills against a real server on loopback, each bounded (docs/reliability.md):

- SIGKILL during sustained ingestion from several clients (HTTP and gRPC), three times in a row on
  the same database: every acknowledged span is stored, none twice, and each session's and trace's
  stored totals equal a recount from the stored observations;
- a slow client (a request trickling in a byte at a time) and a flood of idle connections do not
  block other clients: exports and health checks are answered meanwhile;
- PostgreSQL (a private cluster, ``tests/support/private_postgres.py``) stopped mid-ingest and
  started again: retryable refusals meanwhile, recovery without a restart, nothing acknowledged lost;
- the SQLite file on a small tmpfs that fills up, then gets space back: the same.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import pytest
import sqlalchemy as sa

from otel_bridge.store.sql.schema import observations, sessions, traces
from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import get, post
from tests.e2e.server import start_server
from tests.e2e.test_durability import (
    Ledger,
    Sent,
    assert_all_stored,
    grpc_client,
    http_client,
    make_request,
    send_until_gone,
    wait_for,
)
from tests.support.databases import in_ci
from tests.support.private_postgres import private_postgres

#: Sessions the clients share, so that every round adds to the same sessions.
SESSIONS = [f"drill-session-{n}" for n in range(5)]
#: Kills in a row: 3 in CI, more under ``make soak`` (``DRILL_ROUNDS``).
ROUNDS = int(os.environ.get("DRILL_ROUNDS", "3"))
#: Acknowledged spans to wait for in each round before the kill.
PER_ROUND = 300


def session_request(rng: random.Random) -> tuple[bytes, Sent]:
    """Two new traces of three spans, each in one of the shared sessions."""
    spans, sent = [], {}
    for _ in range(2):
        trace_id = uuid.uuid4().hex
        ids = [os.urandom(8).hex() for _ in range(3)]
        sent[trace_id] = set(ids)
        session = rng.choice(SESSIONS)
        for index, span_id in enumerate(ids):
            spans.append(
                make_span(
                    f"step-{index}",
                    trace_id=trace_id,
                    span_id=span_id,
                    parent_span_id=None if index == 0 else ids[0],
                    attributes={"session.id": session, "gen_ai.usage.input_tokens": 3},
                )
            )
    return build_export_request(spans).SerializeToString(), sent


def recount(db_url: str) -> None:
    """No observation twice; trace and session totals equal what the observations add up to."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            duplicates = conn.execute(
                sa.select(observations.c.trace_id, observations.c.id)
                .group_by(observations.c.project_id, observations.c.trace_id, observations.c.id)
                .having(sa.func.count() > 1)
            ).all()
            assert not duplicates, duplicates[:3]
            per_trace: dict[str, int] = dict(
                conn.execute(
                    sa.select(observations.c.trace_id, sa.func.count()).group_by(observations.c.trace_id)
                ).all()
            )
            stored_traces = conn.execute(
                sa.select(traces.c.id, traces.c.observation_count, traces.c.session_id)
            ).all()
            wrong = [
                (t.id, t.observation_count, per_trace.get(t.id))
                for t in stored_traces
                if t.observation_count != per_trace.get(t.id)
            ]
            assert not wrong, wrong[:3]
            expected: dict[str, list[int]] = {}
            for trace in stored_traces:
                if trace.session_id is not None:
                    totals = expected.setdefault(trace.session_id, [0, 0])
                    totals[0] += 1
                    totals[1] += per_trace[trace.id]
            stored_sessions = {
                row.id: [row.trace_count, row.observation_count]
                for row in conn.execute(
                    sa.select(sessions.c.id, sessions.c.trace_count, sessions.c.observation_count)
                )
            }
            assert stored_sessions == expected
            assert set(expected) <= set(SESSIONS) and expected
    finally:
        engine.dispose()


def reached(ledger: Ledger, spans: int) -> bool:
    return ledger.acknowledged_spans >= spans


def test_repeated_sigkill_under_multi_client_ingest(tmp_path: Path) -> None:
    """Three SIGKILLs in a row, four clients each time, one database; then nothing lost or doubled."""
    ledger = Ledger()
    db_url = ""
    for round_number in range(ROUNDS):
        server = start_server(tmp_path)
        db_url = server.db_url
        stop = threading.Event()
        start = ledger.acknowledged_spans

        threads = [
            threading.Thread(
                target=send_until_gone,
                args=(
                    factory(server),
                    partial(session_request, random.Random(seed)),
                    ledger,
                    stop,
                ),
            )
            for seed, factory in enumerate(
                (http_client, http_client, grpc_client, grpc_client), start=round_number * 10
            )
        ]
        try:
            for thread in threads:
                thread.start()
            wait_for(partial(reached, ledger, start + PER_ROUND), 120, f"round {round_number}")
            server.kill()
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
            server.kill()
        assert not ledger.errors, ledger.errors
    checked = assert_all_stored(db_url, dict(ledger.acknowledged))
    assert checked >= ROUNDS * PER_ROUND
    recount(db_url)


def test_slow_client_and_idle_flood_do_not_block_others(tmp_path: Path) -> None:
    """A request sent a byte at a time and 200 idle connections, while other clients are served."""
    server = start_server(tmp_path)
    idle: list[socket.socket] = []
    slow = socket.create_connection(("127.0.0.1", server.http_port), timeout=30)
    done = threading.Event()

    def trickle() -> None:
        head = b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
        for byte in head:
            if done.is_set():
                return
            try:
                slow.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.05)

    trickler = threading.Thread(target=trickle, daemon=True)
    try:
        for _ in range(200):
            idle.append(socket.create_connection(("127.0.0.1", server.http_port), timeout=30))
        trickler.start()
        rng = random.Random(7)
        for _ in range(20):
            body, _sent = session_request(rng)
            assert post(server, body).status == 200
            assert get(server, "/healthz").status == 200
        assert trickler.is_alive(), "the slow request finished before the other clients were checked"
        assert server.process.poll() is None
    finally:
        done.set()
        for connection in (*idle, slow):
            connection.close()
        trickler.join(10)
        server.stop()


def test_postgresql_stopped_mid_ingest(tmp_path: Path) -> None:
    """A private PostgreSQL is stopped under a sending client, then started again: while it is down
    exports get retryable 503 / ``UNAVAILABLE`` (never a 5xx that clients drop) and the server stays
    up, its health naming the reason; once it is back, exports succeed again without a restart, and everything
    acknowledged, before and after, is stored."""
    with private_postgres() as database:
        server = start_server(tmp_path, None, "--db", database.url)
        assert any("store postgresql" in line for line in server.output), server.log()
        ledger = Ledger()
        refusals: list[tuple[Any, ...]] = []
        stop = threading.Event()
        rng = random.Random(3)

        def client(send: Callable[[bytes], tuple[Any, ...] | None]) -> None:
            while not stop.is_set():
                body, sent = session_request(rng)
                refusal = send(body)
                if refusal is None:
                    ledger.ack(sent)
                else:
                    refusals.append(refusal)
                    time.sleep(0.1)

        threads = [
            threading.Thread(target=client, args=(factory(server),)) for factory in (http_client, grpc_client)
        ]
        try:
            for thread in threads:
                thread.start()
            wait_for(partial(reached, ledger, 60), 120, "acknowledged spans before the outage")
            database.stop()
            wait_for(lambda: len(refusals) >= 4, 120, "refusals while the database is down")
            health = get(server, "/healthz")
            assert health.status == 200
            assert health.body.startswith(b"degraded: exports are refused until the store is back"), (
                health.body
            )
            assert server.process.poll() is None
            down = len(refusals)
            database.start()
            back = ledger.acknowledged_spans
            wait_for(partial(reached, ledger, back + 60), 120, "acknowledged spans after the outage")
            assert get(server, "/healthz").body == b"ok\n"
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
            server.stop()
        retryable = {503, grpc.StatusCode.UNAVAILABLE}
        assert all(refusal[1] in retryable for refusal in refusals), refusals[:5]
        assert down >= 4
        checked = assert_all_stored(database.url, dict(ledger.acknowledged))
        assert checked >= back + 60


@contextlib.contextmanager
def small_filesystem(size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (needs root, as in CI); skips naming the reason otherwise, and fails
    under ``CI=true``."""
    directory = Path(tempfile.mkdtemp(prefix="otel-bridge-full-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        directory.rmdir()
        reason = (
            "the full-filesystem drill mounts a tmpfs, which failed here (run as root): "
            f"{done.stderr.strip()}"
        )
        if in_ci():
            pytest.fail(f"CI=true: {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False, capture_output=True)
        directory.rmdir()


def test_sqlite_on_a_full_filesystem(tmp_path: Path) -> None:
    """The SQLite file on a small tmpfs filled up: exports get retryable refusals, the server stays
    up and its health names the reason; space freed, exports succeed again without a restart, and
    everything acknowledged is stored."""
    with small_filesystem("6m") as volume:
        database = volume / "otel-bridge.db"
        server = start_server(tmp_path, None, "--db", f"sqlite:///{database}")
        ledger = Ledger()
        refusals: list[tuple[Any, ...]] = []
        stop = threading.Event()

        def client(send: Callable[[bytes], tuple[Any, ...] | None]) -> None:
            while not stop.is_set():
                body, sent = make_request(traces=2, spans_per_trace=3, padding=4000)
                refusal = send(body)
                if refusal is None:
                    ledger.ack(sent)
                else:
                    refusals.append(refusal)
                    time.sleep(0.1)

        filler = volume / "filler"
        thread = threading.Thread(target=client, args=(http_client(server),))
        try:
            thread.start()
            wait_for(partial(reached, ledger, 60), 120, "acknowledged spans before the disk is full")
            # Fill what is left, leaving no room for the next commits.
            with filler.open("wb") as out, contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            wait_for(lambda: len(refusals) >= 4, 120, "refusals while the filesystem is full")
            health = get(server, "/healthz")
            assert health.status == 200
            assert health.body.startswith(b"degraded:"), health.body
            assert server.process.poll() is None
            filler.unlink()
            back = ledger.acknowledged_spans
            wait_for(partial(reached, ledger, back + 60), 120, "acknowledged spans once space is back")
            assert get(server, "/healthz").body == b"ok\n"
        finally:
            stop.set()
            thread.join(60)
            server.stop()
        assert all(refusal[1] == 503 for refusal in refusals), refusals[:5]
        assert_all_stored(f"sqlite:///{database}", dict(ledger.acknowledged))
