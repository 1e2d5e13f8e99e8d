"""OpenTelemetry SDK → the real rotel collector, configured by ``collector-config/rotel/*.env`` →
a real ``otel-bridge serve``: sessions come out grouped over gRPC and over HTTP (gzipped), the
session-id processor does what ``collector-config/session-id.yaml`` describes, and a restart of
otel-bridge while rotel keeps sending loses no span and stores none twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import sqlalchemy as sa

from otel_bridge.store.sql import SqlStore, schema
from tests.e2e.collectors.app import INPUT_TOKENS, OUTPUT_TOKENS, App
from tests.e2e.collectors.proxy import CountingProxy
from tests.e2e.collectors.rotel import ROTEL_CONFIG, rotel_binary, running_rotel
from tests.e2e.server import ServerProcess, start_server

#: How long rotel may take to deliver what it was sent (retries back off up to 30 s in agent.env).
DELIVERY_TIMEOUT = 90.0
#: The prompt of every chat span: 30 KiB of text that gzip shrinks to almost nothing.
PROMPT = "Summarize the conversation so far, please. " * 700


@pytest.fixture(autouse=True)
def _rotel_installed() -> None:
    rotel_binary()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A fresh otel-bridge on free ports (SQLite)."""
    process = start_server(tmp_path / "server")
    yield process
    if process.process.poll() is None:
        assert process.stop() == 0, process.log()


def basic_token(server: ServerProcess) -> str:
    """What ``OTEL_BRIDGE_BASIC_AUTH`` holds: the token after ``Basic``."""
    return server.authorization.split(" ", 1)[1]


def stored_spans(server: ServerProcess) -> dict[str, int]:
    """Span id → how many observation rows the server stored with it (its default project)."""
    store = SqlStore(server.db_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(schema.observations.c.id, sa.func.count()).group_by(schema.observations.c.id)
            )
            return {row[0]: row[1] for row in rows}
    finally:
        store.close()


def wait_for_spans(server: ServerProcess, expected: set[str]) -> dict[str, int]:
    """The stored span counts once every ``expected`` span is stored (or the timeout passed)."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        stored = stored_spans(server)
        if expected <= stored.keys() or time.monotonic() > deadline:
            return stored
        time.sleep(0.2)


def sessions_of(server: ServerProcess) -> dict[str, tuple[int, tuple[str, ...], int, int]]:
    """Session id → (trace count, user ids, total tokens, observation count)."""
    store = SqlStore(server.db_url)
    try:
        project = store.find_project("default")
        assert project is not None
        page = store.list_sessions(project.id, limit=100)
        return {s.id: (s.trace_count, s.user_ids, s.total_tokens, s.observation_count) for s in page.items}
    finally:
        store.close()


@pytest.mark.parametrize(
    ("overlays", "transport"), [((), "grpc"), (("http.env",), "http")], ids=["grpc", "http-gzip"]
)
def test_rotel_delivers_sessions_grouped_and_compressed(
    server: ServerProcess, tmp_path: Path, overlays: Sequence[str], transport: str
) -> None:
    """Three conversations of three turns each, through rotel: three sessions of three traces with
    their user and tokens; rotel's exports (through a counting relay) are a fraction of the prompts'
    size, so they were gzipped."""
    target = server.grpc_port if transport == "grpc" else server.http_port
    with CountingProxy(target) as proxy:
        variables = {
            "OTEL_BRIDGE_GRPC_URL": f"http://127.0.0.1:{proxy.port}",
            "OTEL_BRIDGE_HTTP_URL": f"http://127.0.0.1:{proxy.port}",
            "OTEL_BRIDGE_BASIC_AUTH": basic_token(server),
        }
        with running_rotel(tmp_path / "rotel", ["agent.env", *overlays], variables) as rotel:
            app = App(rotel.grpc_endpoint)
            for number in range(9):
                app.turn({"session.id": f"chat-{number % 3}"}, user=f"user-{number % 3}", prompt=PROMPT)
            app.shutdown()
            sent = app.span_ids()
            stored = wait_for_spans(server, sent)
            assert stored.keys() == sent, rotel.log()
    assert set(stored.values()) == {1}
    per_trace = INPUT_TOKENS + OUTPUT_TOKENS
    assert sessions_of(server) == {f"chat-{n}": (3, (f"user-{n}",), 3 * per_trace, 9) for n in range(3)}
    assert 0 < proxy.sent < len(PROMPT) * 9 // 10, f"{proxy.sent} bytes on the wire: not compressed"


def test_rotel_session_id_processor_copies_the_session_id(server: ServerProcess, tmp_path: Path) -> None:
    """``session-id.env`` loads ``session_id.py``: a session id in ``conversation_id``, in a baggage-
    derived ``session_id`` or in the resource attribute ``app.session_id`` becomes the session; a span's
    own ``session.id`` is kept. The same spans through rotel without the overlay group into nothing,
    so it was the processor."""
    variables = {
        "OTEL_BRIDGE_GRPC_URL": f"http://{server.grpc_target}",
        "OTEL_BRIDGE_BASIC_AUTH": basic_token(server),
        "OTEL_BRIDGE_ROTEL_DIR": str(ROTEL_CONFIG),
    }
    for overlays, prefix in ((["session-id.env"], "with"), ([], "without")):
        with running_rotel(tmp_path / f"rotel-{prefix}", ["agent.env", *overlays], variables) as rotel:
            app = App(rotel.grpc_endpoint)
            resource_app = App(rotel.grpc_endpoint, {"app.session_id": f"{prefix}-resource"})
            app.turn({"conversation_id": f"{prefix}-attribute", "session_id": f"{prefix}-loses"})
            app.turn({"session_id": f"{prefix}-baggage"})
            app.turn({"session.id": f"{prefix}-explicit", "conversation_id": f"{prefix}-ignored"})
            resource_app.turn({})
            app.shutdown()
            resource_app.shutdown()
            sent = app.span_ids() | resource_app.span_ids()
            assert wait_for_spans(server, sent).keys() >= sent, rotel.log()
    sessions = sessions_of(server)
    copied = {"with-attribute", "with-baggage", "with-explicit", "with-resource"}
    assert set(sessions) == copied | {"without-explicit"}
    for session in copied:
        assert sessions[session][0] == 1, session  # one trace, every span of it
        assert sessions[session][3] == 3, session


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_restarting_otel_bridge_under_rotel_loses_and_duplicates_nothing(
    server: ServerProcess, tmp_path: Path, how: str
) -> None:
    """An application sends a turn every 20 ms through rotel while otel-bridge is stopped (SIGTERM, or
    SIGKILL) and started again on the same ports and database. Every span the application ended is
    stored, each once, and the sessions count each trace and token once: rotel's retries of exports
    that otel-bridge had not acknowledged (or had committed just before dying) duplicate nothing."""
    variables = {
        "OTEL_BRIDGE_GRPC_URL": f"http://{server.grpc_target}",
        "OTEL_BRIDGE_BASIC_AUTH": basic_token(server),
    }
    ports = ("--http-port", str(server.http_port), "--grpc-port", str(server.grpc_port))
    with running_rotel(tmp_path / "rotel", ["agent.env"], variables) as rotel:
        app = App(rotel.grpc_endpoint)
        sending = threading.Event()
        sending.set()

        def keep_sending() -> None:
            number = 0
            while sending.is_set():
                app.turn({"session.id": f"restart-{number % 4}"})
                number += 1
                time.sleep(0.02)

        sender = threading.Thread(target=keep_sending)
        sender.start()
        time.sleep(1.5)
        if how == "sigterm":
            assert server.stop() == 0, server.log()
        else:
            server.kill()
        restarted = start_server(tmp_path / "server", None, *ports)
        time.sleep(1.5)
        sending.clear()
        sender.join()
        app.shutdown()
        sent = app.span_ids()
        try:
            stored = wait_for_spans(restarted, sent)
            assert stored.keys() == sent, f"{len(sent - stored.keys())} spans lost\n{rotel.log()}"
            assert set(stored.values()) == {1}
            sessions = sessions_of(restarted)
        finally:
            assert restarted.stop() == 0, restarted.log()
    turns = len(sent) // 3
    assert sum(s[0] for s in sessions.values()) == turns
    assert sum(s[3] for s in sessions.values()) == len(sent)
    assert sum(s[2] for s in sessions.values()) == turns * (INPUT_TOKENS + OUTPUT_TOKENS)
