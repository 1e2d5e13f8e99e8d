"""Benchmark: end-to-end ingest through a real ``otel-bridge serve`` process, on a database that is
not empty.

Run from the repository root: ``.venv/bin/python -m tests.bench bench_e2e`` (or ``make bench``).

What is sent: ``OTEL_BRIDGE_BENCH_E2E_SPANS`` LLM-sized spans (default 100,000; about 2 KB of
protobuf each, ``bench_decode``'s generator) in 512-span requests, every request generated with its
own seed, so every span has its own text (nothing is deduplicated away by the store), its own random
trace and span ids, and its own sessions (four traces a session). The bodies are encoded before the
clock starts: the client only sends bytes. 4 concurrent clients (threads of this process, each with
its own connection), over OTLP/gRPC and over OTLP/HTTP protobuf.

Where it is sent: each transport gets its own copy of a database that already holds
``PREFILL_SPANS`` (400,000) spans of other sessions, because the writer's cost grows with the
database (B-tree depth, random-key inserts). The prefilled database is built once, by a server
like the one measured, and cached in ``~/.cache/otel-bridge-bench`` under a name carrying the
schema revision and the generator version (delete the directory to rebuild it).

What is reported, per transport: spans/s from the first send to the last acknowledgement (an
acknowledgement means committed; the stored count is checked afterwards), requests refused with
503 / ``UNAVAILABLE`` (retried after the server's delay), the server's peak RSS (with its decode
workers, sampled from ``/proc`` every 50 ms), and the CPU time per span of each process over the
run: the client, the receiver (the server process except its writer thread), the decode workers,
and the writer thread (named by the kernel: ``ingest.WRITER_THREAD_NAME``), so that the next
bottleneck is visible. On 2 cores the sum of the CPU per span bounds the rate at about
``2 / sum``. Target (issue 16): 20,000 spans/s and at most 300 MB RSS on a 2-core machine.
"""

from __future__ import annotations

import http.client
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge.ingest.ingestor import WRITER_THREAD_NAME
from tests.bench.bench_decode import make_llm_export_request
from tests.e2e.server import RssSampler, ServerProcess, process_tree, start_server

SPANS_ENV = "OTEL_BRIDGE_BENCH_E2E_SPANS"
#: Comma-separated ``--decode-processes`` values to compare (default: the server's own default).
PROCESSES_ENV = "OTEL_BRIDGE_BENCH_E2E_DECODE_PROCESSES"
BATCH = 512
CLIENTS = 4
REFERENCE_REQUESTS = 40
PREFILL_SPANS = 400_000
#: Bump when the generated spans change, so that an old cached database is not reused.
GENERATOR_VERSION = 1
CACHE = Path.home() / ".cache" / "otel-bridge-bench"
#: The prefill's seeds start here: its spans never repeat the measured ones.
PREFILL_SEED = 1_000_000
EXPORT_METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def make_bodies(n_spans: int, first_seed: int = 0, sessions: str = "bench") -> list[bytes]:
    """512-span OTLP protobuf bodies, each generated from its own seed (``first_seed`` on): unique
    text, random trace and span ids, sessions ``<sessions><number>-…`` of their own."""
    bodies = []
    for number in range((n_spans + BATCH - 1) // BATCH):
        size = min(BATCH, n_spans - number * BATCH)
        request = make_llm_export_request(size, seed=first_seed + number, sessions=f"{sessions}{number}")
        bodies.append(request.SerializeToString())
    return bodies


def prefilled_database() -> Path:
    """The cached database holding ``PREFILL_SPANS`` spans (built on first use, by a real server)."""
    from otel_bridge.store.sql.migrations import head_revision

    path = CACHE / f"prefill-{PREFILL_SPANS}-rev{head_revision()}-gen{GENERATOR_VERSION}.db"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    print(f"(building {path} once: {PREFILL_SPANS:,} spans through a server)", flush=True)
    with tempfile.TemporaryDirectory(prefix="prefill-", dir=CACHE) as directory:
        server = start_server(Path(directory))
        try:
            for first in range(0, PREFILL_SPANS, 20 * BATCH):  # in slices: bounded memory
                count = min(20 * BATCH, PREFILL_SPANS - first)
                bodies = make_bodies(count, PREFILL_SEED + first // BATCH, "prefill")
                drive(server, bodies, http_sender(server))
        finally:
            server.stop()
        if stored_spans(server.db_path) != PREFILL_SPANS:
            raise RuntimeError(f"the prefill stored {stored_spans(server.db_path)} spans")
        server.db_path.rename(path)
    return path


def stored_spans(db_path: Path) -> int:
    """How many observations the database holds."""
    with sqlite3.connect(db_path) as connection:
        (count,) = connection.execute("SELECT count(*) FROM observations").fetchone()
    return int(count)


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU time (user + system) so far of the server's receiver (every thread but the writer), its
    writer thread, and its decode workers (its child processes), from ``/proc``."""

    def ticks(stat: Path) -> int:
        fields = stat.read_text().rpartition(")")[2].split()
        return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)

    totals = {"receiver": 0, "writer": 0, "workers": 0}
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            totals["writer" if name == WRITER_THREAD_NAME else "receiver"] += ticks(task / "stat")
        except OSError:
            continue  # a thread that just ended
    for child in process_tree(server_pid)[1:]:
        try:
            totals["workers"] += ticks(Path(f"/proc/{child}/stat"))
        except OSError:
            continue
    return {key: value / _CLOCK_TICKS for key, value in totals.items()}


@dataclass
class Outcome:
    """One transport's run."""

    spans: int
    seconds: float
    refused: int
    peak_rss: int
    #: The peak of RSS without file-backed pages (SQLite maps the database into memory: mmap_size).
    peak_anonymous: int
    #: CPU seconds over the run: client, receiver, writer, workers.
    cpu: dict[str, float]

    def cpu_line(self) -> str:
        """CPU µs per span by process, their sum, and the cores they kept busy."""
        total = sum(self.cpu.values())
        parts = "  ".join(f"{name} {seconds * 1e6 / self.spans:.1f}" for name, seconds in self.cpu.items())
        return (
            f"      CPU µs/span: {parts}  = {total * 1e6 / self.spans:.1f} "
            f"({total / self.seconds:.2f} cores busy; 2 cores bound the rate at "
            f"{2 * self.spans / total:,.0f} spans/s)"
        )


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
    server_before = cpu_seconds(server.pid)
    client_before = time.process_time()
    start_barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    server_after = cpu_seconds(server.pid)
    peak = sampler.stop()
    peak_anonymous = sampler.peak_anonymous
    if errors:
        raise errors[0]
    spans = sum(
        len(ExportTraceServiceRequest.FromString(b).resource_spans[0].scope_spans[0].spans) for b in bodies
    )
    cpu = {"client": client_cpu} | {key: server_after[key] - server_before[key] for key in server_after}
    return Outcome(spans, seconds, sum(refused), peak, peak_anonymous, cpu)


def run() -> list[str]:
    """Both transports; printable lines."""
    n_spans = int(os.environ.get(SPANS_ENV, "100000"))
    prefilled = prefilled_database()
    bodies = make_bodies(n_spans)
    size = sum(len(body) for body in bodies)
    lines = [
        f"end-to-end ingest: {n_spans:,} unique spans in {len(bodies)} requests of {BATCH} "
        f"({size / n_spans:.0f} B/span protobuf), {CLIENTS} concurrent clients, "
        f"into a copy of a SQLite db already holding {PREFILL_SPANS:,} spans, per transport"
    ]
    processes = [value.strip() for value in os.environ.get(PROCESSES_ENV, "").split(",") if value.strip()]
    runs = [
        (f"{transport}{f', {count} workers' if count else ''}", factory, count)
        for count in processes or [""]
        for transport, factory in (("OTLP/gRPC", grpc_sender), ("OTLP/HTTP protobuf", http_sender))
    ]
    for label, factory, count in runs:
        with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
            shutil.copyfile(prefilled, Path(directory) / "otel-bridge.db")
            arguments = ("--decode-processes", count) if count else ()
            server = start_server(Path(directory), None, *arguments)
            try:
                outcome = drive(server, bodies, factory(server))
            finally:
                status = server.stop()
            stored = stored_spans(server.db_path) - PREFILL_SPANS
        if stored != outcome.spans:
            raise RuntimeError(f"{label}: {outcome.spans} spans acknowledged, {stored} stored")
        lines.append(
            f"  {label:<31} {outcome.spans / outcome.seconds:>10,.0f} spans/s  "
            f"({outcome.seconds:.1f} s, {outcome.refused} refused with 503/UNAVAILABLE and retried, "
            f"peak server RSS {outcome.peak_rss / 2**20:.0f} MiB, of it anonymous "
            f"{outcome.peak_anonymous / 2**20:.0f} MiB, exit {status})"
        )
        lines.append(outcome.cpu_line())
        decoder = next((line.strip() for line in server.output if line.startswith("decoder:")), "decoder: ?")
        lines.append(f"      {decoder}")
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
        f"  {'in-process, 1 thread':<31} {spans / seconds:>10,.0f} spans/s  "
        f"(decode + translate + write_batch of the first {len(bodies)} requests in sequence, no server)"
    )


if __name__ == "__main__":
    print("\n".join(run()))
