"""Benchmark: end-to-end ingest through a real ``otel-bridge serve`` process.

Run from the repository root: ``.venv/bin/python -m tests.bench bench_e2e`` (or ``make bench``).

``OTEL_BRIDGE_BENCH_E2E_SPANS`` LLM-sized spans (default 100,000; about 1.5 KB of text each,
``bench_decode``'s generator) in 512-span requests, sent by 4 concurrent clients (threads of this
process, each with its own connection), over OTLP/gRPC and over OTLP/HTTP protobuf, each transport
against a fresh server and database. Timed from the first send to the last acknowledgement (an
acknowledgement means committed). Requests refused with 503 / ``UNAVAILABLE`` are retried after the
server's delay and counted. The server's RSS (with its child processes) is sampled from ``/proc``
every 50 ms. Target (the issue): 20,000 spans/s and at most 300 MB RSS on a 2-core machine.
"""

from __future__ import annotations

import http.client
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.bench.bench_decode import make_llm_export_request
from tests.e2e.server import RssSampler, ServerProcess, start_server

SPANS_ENV = "OTEL_BRIDGE_BENCH_E2E_SPANS"
BATCH = 512
CLIENTS = 4
REFERENCE_REQUESTS = 40
EXPORT_METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
_SESSION_KEYS = frozenset({"session.id", "gen_ai.conversation.id"})


def make_bodies(n_spans: int) -> list[bytes]:
    """Distinct 512-span OTLP protobuf bodies: one generated request, copied with new trace ids
    and session ids per copy (so every span is a new row and sessions stay a realistic size)."""
    template = make_llm_export_request(BATCH).SerializeToString()
    bodies = []
    for number in range((n_spans + BATCH - 1) // BATCH):
        request = ExportTraceServiceRequest.FromString(template)
        prefix = number.to_bytes(4, "big")
        for resource_spans in request.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                spans = scope_spans.spans
                if number == n_spans // BATCH:
                    del spans[n_spans % BATCH :]
                for span in spans:
                    span.trace_id = prefix + span.trace_id[4:]
                    for attribute in span.attributes:
                        if attribute.key in _SESSION_KEYS:
                            attribute.value.string_value += f"-{number}"
        bodies.append(request.SerializeToString())
    return [body for body in bodies if body]


@dataclass
class Outcome:
    """One transport's run."""

    spans: int
    seconds: float
    refused: int
    peak_rss: int


Sender = Callable[[bytes], float | None]  # None: acknowledged; a number: refused, retry after that


def grpc_sender(server: ServerProcess) -> Callable[[], Sender]:
    """A factory of per-client gRPC senders (one channel each) posting raw request bytes."""

    def make() -> Sender:
        channel = grpc.insecure_channel(
            server.grpc_target, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]
        )
        export: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(EXPORT_METHOD)
        metadata = (("authorization", server.authorization),)

        def send(body: bytes) -> float | None:
            try:
                export(body, metadata=metadata, timeout=120)
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.UNAVAILABLE:
                    return 0.2
                raise
            return None

        return send

    return make


def http_sender(server: ServerProcess) -> Callable[[], Sender]:
    """A factory of per-client OTLP/HTTP protobuf senders (one keep-alive connection each)."""

    def make() -> Sender:
        connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=120)
        headers = {"Content-Type": "application/x-protobuf", "Authorization": server.authorization}

        def send(body: bytes) -> float | None:
            connection.request("POST", "/v1/traces", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status == 503:
                return 0.2
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}")
            return None

        return send

    return make


def drive(server: ServerProcess, bodies: list[bytes], make_sender: Callable[[], Sender]) -> Outcome:
    """Send every body from ``CLIENTS`` threads; time from first send to last acknowledgement."""
    senders = [make_sender() for _ in range(CLIENTS)]
    refused = [0] * CLIENTS
    errors: list[BaseException] = []
    sampler = RssSampler(server.pid)
    sampler.start()
    start_barrier = threading.Barrier(CLIENTS + 1)

    def client(index: int) -> None:
        send = senders[index]
        start_barrier.wait()
        try:
            for body in bodies[index::CLIENTS]:
                while (delay := send(body)) is not None:
                    refused[index] += 1
                    time.sleep(delay)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    if errors:
        raise errors[0]
    spans = sum(
        len(ExportTraceServiceRequest.FromString(b).resource_spans[0].scope_spans[0].spans) for b in bodies
    )
    return Outcome(spans, seconds, sum(refused), peak)


def run() -> list[str]:
    """Both transports; printable lines."""
    n_spans = int(os.environ.get(SPANS_ENV, "100000"))
    bodies = make_bodies(n_spans)
    size = sum(len(body) for body in bodies)
    lines = [
        f"end-to-end ingest: {n_spans:,} spans in {len(bodies)} requests of {BATCH} "
        f"({size / n_spans:.0f} B/span protobuf), {CLIENTS} concurrent clients, fresh SQLite db per transport"
    ]
    for label, factory in (("OTLP/gRPC", grpc_sender), ("OTLP/HTTP protobuf", http_sender)):
        with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
            server = start_server(Path(directory))
            try:
                outcome = drive(server, bodies, factory(server))
            finally:
                status = server.stop()
        lines.append(
            f"  {label:<20} {outcome.spans / outcome.seconds:>10,.0f} spans/s  "
            f"({outcome.seconds:.1f} s, {outcome.refused} refused with 503/UNAVAILABLE and retried, "
            f"peak server RSS {outcome.peak_rss / 2**20:.0f} MiB, exit {status})"
        )
    lines.append(in_process_reference(bodies[:REFERENCE_REQUESTS]))
    return lines


def in_process_reference(bodies: list[bytes]) -> str:
    """The same work without a server: decode, translate and ``write_batch`` one request after the
    other on one thread, into a fresh SQLite database. The end-to-end figures are best read as a
    ratio to this one: it is what one core does when nothing else runs."""
    from otel_bridge.otlp import decode_protobuf
    from otel_bridge.store.sql import SqlStore
    from otel_bridge.store.sql.migrations import upgrade
    from otel_bridge.translate import translate_spans

    with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
        url = f"sqlite:///{directory}/reference.db"
        upgrade(url)
        store = SqlStore(url)
        try:
            project_id = store.create_project("bench").project.id
            spans = 0
            started = time.perf_counter()
            for body in bodies:
                translations = translate_spans(decode_protobuf(body).records)
                store.write_batch(project_id, translations)
                spans += len(translations)
            seconds = time.perf_counter() - started
        finally:
            store.close()
    return (
        f"  {'in-process, 1 thread':<20} {spans / seconds:>10,.0f} spans/s  "
        f"(decode + translate + write_batch of the first {len(bodies)} requests in sequence, no server)"
    )


if __name__ == "__main__":
    print("\n".join(run()))
