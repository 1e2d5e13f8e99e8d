"""Durability and backpressure against a real server (docs/architecture.md, "Durability and backpressure"):
a SIGKILL loses nothing acknowledged, an overloaded server refuses with 503 + ``Retry-After`` /
``UNAVAILABLE`` + ``RetryInfo`` and stays within its memory, SIGTERM drains and exits 0."""

from __future__ import annotations

import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from otel_bridge.errors import NotFound
from otel_bridge.store.sql import SqlStore
from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import get, grpc_export, post
from tests.e2e.server import RssSampler, ServerProcess, start_server

#: Requests sent by the acknowledged-or-not bookkeeping clients: trace id → span ids.
Sent = dict[str, set[str]]


def make_request(traces: int, spans_per_trace: int, padding: int = 0) -> tuple[bytes, Sent]:
    """A protobuf body of new traces, and the (trace id → span ids) it carries."""
    spans = []
    sent: Sent = {}
    for _ in range(traces):
        trace_id = uuid.uuid4().hex
        root = os.urandom(8).hex()
        ids = [root] + [os.urandom(8).hex() for _ in range(spans_per_trace - 1)]
        sent[trace_id] = set(ids)
        for index, span_id in enumerate(ids):
            spans.append(
                make_span(
                    f"step-{index}",
                    trace_id=trace_id,
                    span_id=span_id,
                    parent_span_id=None if index == 0 else root,
                    attributes={"session.id": f"s-{trace_id[:6]}", "payload": "x" * padding},
                )
            )
    return build_export_request(spans).SerializeToString(), sent


@dataclass
class Ledger:
    """What the clients sent and which of it the server acknowledged."""

    acknowledged: Sent = field(default_factory=dict)
    refusals: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, sent: Sent) -> None:
        with self.lock:
            self.acknowledged.update(sent)

    @property
    def acknowledged_spans(self) -> int:
        with self.lock:
            return sum(len(ids) for ids in self.acknowledged.values())


def http_client(server: ServerProcess) -> Callable[[bytes], tuple[Any, ...] | None]:
    """Send one body over HTTP; None when acknowledged, else the refusal (status, Retry-After)."""

    def send(body: bytes) -> tuple[Any, ...] | None:
        result = post(server, body)
        if result.status == 200:
            return None
        return ("http", result.status, result.headers.get("retry-after"))

    return send


def grpc_client(server: ServerProcess) -> Callable[[bytes], tuple[Any, ...] | None]:
    """Send one body over gRPC; None when acknowledged, else the refusal (code, trailers)."""

    def send(body: bytes) -> tuple[Any, ...] | None:
        try:
            grpc_export(server, body)
        except grpc.RpcError as error:
            metadata: Any = error.trailing_metadata()
            return ("grpc", error.code(), dict(metadata or ()))
        return None

    return send


def assert_all_stored(db_url: str, acknowledged: Sent) -> int:
    """Every acknowledged span is in the database; returns how many were checked."""
    store = SqlStore(db_url)
    try:
        project = store.find_project("default")
        assert project is not None
        missing: list[str] = []
        for trace_id, span_ids in acknowledged.items():
            try:
                stored = {o.id for o in store.get_trace(project.id, trace_id).observations}
            except NotFound:
                stored = set()
            missing += [f"{trace_id}/{span_id}" for span_id in span_ids - stored]
        assert not missing, f"{len(missing)} acknowledged spans are not stored, e.g. {missing[:3]}"
        return sum(len(ids) for ids in acknowledged.values())
    finally:
        store.close()


def send_until_gone(
    send: Callable[[bytes], tuple[Any, ...] | None],
    make_body: Callable[[], tuple[bytes, Sent]],
    ledger: Ledger,
    stop: threading.Event,
) -> None:
    """A client of a server about to be killed: send new bodies until ``stop`` or until the server is
    gone, recording what was acknowledged; a refusal other than a retryable one is an error."""
    while not stop.is_set():
        body, sent = make_body()
        try:
            refusal = send(body)
        except Exception:  # the server is gone: connection refused or reset
            return
        if refusal is None:
            ledger.ack(sent)
        elif refusal[1] not in (503, grpc.StatusCode.UNAVAILABLE):
            ledger.errors.append(AssertionError(f"unexpected refusal {refusal}"))
            return


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class TestKill:
    def test_sigkill_loses_nothing_acknowledged(self, tmp_path: Path) -> None:
        """Clients send over HTTP and gRPC; after SIGKILL every acknowledged span is in the database."""
        server = start_server(tmp_path)
        ledger = Ledger()
        stop = threading.Event()

        def body() -> tuple[bytes, Sent]:
            return make_request(traces=4, spans_per_trace=5, padding=200)

        threads = [
            threading.Thread(target=send_until_gone, args=(factory(server), body, ledger, stop))
            for factory in (http_client, http_client, grpc_client, grpc_client)
        ]
        try:
            for thread in threads:
                thread.start()
            wait_for(lambda: ledger.acknowledged_spans >= 400, 120, "400 acknowledged spans")
            server.kill()
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
            server.kill()
        assert not ledger.errors, ledger.errors
        checked = assert_all_stored(server.db_url, dict(ledger.acknowledged))
        assert checked >= 400


class TestOverload:
    def test_overload_is_refused_retryably_and_loses_nothing(self, tmp_path: Path) -> None:
        """With a tiny queue and slow commits, clients get 503 + Retry-After and UNAVAILABLE +
        RetryInfo, retry until acknowledged, nothing acknowledged is lost, and RSS stays bounded."""
        server = start_server(
            tmp_path,
            {
                "OTEL_BRIDGE_MAX_REQUEST_BYTES": "128KiB",
                "OTEL_BRIDGE_MAX_DECOMPRESSED_BYTES": "128KiB",
                "OTEL_BRIDGE_QUEUE_BYTES": "200KiB",
                "OTEL_BRIDGE_COMMIT_DELAY_SECONDS": "0.2",
            },
        )
        ledger = Ledger()
        sampler = RssSampler(server.pid)
        sampler.start()
        deadline = time.monotonic() + 120

        def client(send: Callable[[bytes], tuple[Any, ...] | None]) -> None:
            try:
                for _ in range(6):
                    # ~105 KB: the 200 KiB queue admits one request at a time, so every client is refused.
                    body, sent = make_request(traces=2, spans_per_trace=10, padding=5000)
                    while (refusal := send(body)) is not None:
                        with ledger.lock:
                            ledger.refusals.append(("refused", refusal))
                        if time.monotonic() > deadline:
                            raise AssertionError("still refused at the deadline")
                        time.sleep(0.05)  # faster than Retry-After on purpose: keep the pressure on
                    ledger.ack(sent)
            except BaseException as error:
                ledger.errors.append(error)

        threads = [
            threading.Thread(target=client, args=(factory(server),))
            for factory in (http_client, http_client, http_client, grpc_client, grpc_client, grpc_client)
        ]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(180)
            metrics = get(server, "/metrics").body.decode()
        finally:
            peak = sampler.stop()
            assert server.stop() == 0, server.log()
        assert not ledger.errors, ledger.errors
        refusals = [refusal for _, refusal in ledger.refusals]
        http_refusals = [r for r in refusals if r[0] == "http"]
        grpc_refusals = [r for r in refusals if r[0] == "grpc"]
        assert http_refusals and grpc_refusals, refusals[:5]
        for _, status, retry_after in http_refusals:
            assert status == 503
            assert retry_after is not None and int(retry_after) >= 1
        for _, code, trailers in grpc_refusals:
            assert code == grpc.StatusCode.UNAVAILABLE
            retry_info = error_details_pb2.RetryInfo.FromString(trailers["google.rpc.retryinfo-bin"])
            assert retry_info.retry_delay.seconds >= 1
            status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
            assert status.details[0].Is(error_details_pb2.RetryInfo.DESCRIPTOR)
            assert "queue full" in status.message
        queue_full = int(re.search(r"^otel_bridge_queue_full_total (\d+)$", metrics, re.M).group(1))  # type: ignore[union-attr]
        assert queue_full >= len(refusals) > 0
        assert assert_all_stored(server.db_url, dict(ledger.acknowledged)) == 6 * 6 * 20
        assert peak < 300 * 2**20, f"peak RSS {peak / 2**20:.0f} MiB"


class TestGracefulStop:
    def test_sigterm_drains_in_flight_requests_and_exits_0(self, tmp_path: Path) -> None:
        """Requests admitted before SIGTERM are committed and acknowledged; the server exits 0."""
        server = start_server(tmp_path, {"OTEL_BRIDGE_COMMIT_DELAY_SECONDS": "1.5"})
        ledger = Ledger()
        requests = [make_request(traces=1, spans_per_trace=3) for _ in range(4)]
        total = sum(len(body) for body, _ in requests)

        def client(body: bytes, sent: Sent) -> None:
            try:
                result = post(server, body)
                if result.status == 200:
                    ledger.ack(sent)
                else:
                    ledger.errors.append(AssertionError(f"HTTP {result.status}"))
            except Exception as error:
                ledger.errors.append(error)

        threads = [threading.Thread(target=client, args=request) for request in requests]
        for thread in threads:
            thread.start()

        def queued() -> int:
            found = re.search(r"^otel_bridge_queue_bytes (\d+)$", get(server, "/metrics").body.decode(), re.M)
            return int(found.group(1)) if found else 0

        wait_for(lambda: queued() >= total, 30, "all four requests in the queue")
        assert server.stop() == 0, server.log()
        for thread in threads:
            thread.join(30)
        assert not ledger.errors, ledger.errors
        assert ledger.acknowledged_spans == 12
        assert_all_stored(server.db_url, dict(ledger.acknowledged))
        assert "otel-bridge stopped\n" in server.output


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must never go through a proxy from the environment."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
