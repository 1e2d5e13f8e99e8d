"""Several ``otel-bridge serve`` replicas on one PostgreSQL schema, and the clients that spread export
requests over them.

Each replica is a real server process (``tests/e2e/server.py``) on free ports, all given the same
``--db`` URL. A request goes to the replica and transport chosen for it (OTLP/HTTP protobuf, gzipped or
not, or OTLP/gRPC). It counts as acknowledged only on HTTP 200 / gRPC OK, which otel-bridge sends
after the commit. A refusal because the queue is full is retried on the same replica after the
server's delay; a replica that does not answer (killed, refusing connections) gets the request
re-sent to the next one, as a collector's retry or a load balancer's failover would.
"""

from __future__ import annotations

import base64
import gzip
import http.client
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from otel_bridge.store.sql import SqlStore
from tests.e2e.server import ServerProcess, start_server

__all__ = ["Cluster", "Keys", "Route", "cluster", "send_all"]

EXPORT_METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
#: How long one attempt may take; a killed replica fails an attempt much sooner.
ATTEMPT_TIMEOUT = 30.0
#: Attempts before a request counts as lost (the test then fails).
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Keys:
    """A project's key pair, as the Basic ``Authorization`` header otel-bridge accepts."""

    project_id: str
    authorization: str


@dataclass(frozen=True)
class Route:
    """Where and how one request goes first: replica index and transport."""

    replica: int
    transport: str  # "http", "http+gzip" or "grpc"


class Unanswered(Exception):
    """The replica did not acknowledge the request (no answer, or an error other than backpressure)."""


@dataclass
class Cluster:
    """Replicas on one database, and a store opened by the test on it (to create projects and read
    the result)."""

    url: str
    directory: Path
    store: SqlStore
    replicas: list[ServerProcess] = field(default_factory=list)
    #: Settings of every replica. By default a thread decodes: six Python processes on two cores
    #: only make the tests slower.
    environment: dict[str, str] = field(default_factory=lambda: {"OTEL_BRIDGE_DECODE_PROCESSES": "0"})
    _channels: dict[int, grpc.Channel] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, count: int) -> None:
        """Start ``count`` more replicas, concurrently (they race to migrate and to create the default
        project, as replicas of one deployment do)."""
        first = len(self.replicas)
        with ThreadPoolExecutor(count) as pool:
            started = list(pool.map(self._start_one, range(first, first + count)))
        self.replicas += started

    def _start_one(self, number: int) -> ServerProcess:
        return start_server(self.directory / f"replica-{number}", self.environment, "--db", self.url)

    def restart(self, number: int) -> None:
        """Start replica ``number`` again (after a kill), on new ports."""
        self.replicas[number] = self._start_one(number)
        with self._lock:
            channel = self._channels.pop(number, None)
        if channel is not None:
            channel.close()

    def project(self, name: str) -> Keys:
        """A new project, and its authorization header."""
        created = self.store.create_project(name)
        token = base64.b64encode(f"{created.public_key}:{created.secret_key}".encode()).decode()
        return Keys(created.project.id, f"Basic {token}")

    def send(self, body: bytes, route: Route, authorization: str) -> None:
        """One attempt on ``route``; raises ``Unanswered`` when the replica does not acknowledge."""
        server = self.replicas[route.replica]
        while True:
            retry_after = (
                self._grpc(route.replica, server, body, authorization)
                if route.transport == "grpc"
                else _http(server, body, authorization, gzipped=route.transport == "http+gzip")
            )
            if retry_after is None:
                return
            time.sleep(retry_after)

    def _grpc(self, number: int, server: ServerProcess, body: bytes, authorization: str) -> float | None:
        with self._lock:
            channel = self._channels.get(number)
            if channel is None:
                channel = self._channels[number] = grpc.insecure_channel(server.grpc_target)
        export: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(EXPORT_METHOD)
        try:
            export(body, metadata=(("authorization", authorization),), timeout=ATTEMPT_TIMEOUT)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            if code == grpc.StatusCode.UNAVAILABLE and server.process.poll() is None and _queue_full(error):
                return 0.2
            raise Unanswered(f"replica {number}: gRPC {code}") from error
        return None

    def close(self) -> None:
        """Close the gRPC channels and stop every replica still running."""
        for channel in self._channels.values():
            channel.close()
        for server in self.replicas:
            if server.process.poll() is None:
                server.stop()
        self.store.close()


def _queue_full(error: grpc.RpcError) -> bool:
    """Whether an ``UNAVAILABLE`` is otel-bridge's backpressure (it carries a RetryInfo)."""
    if not isinstance(error, grpc.Call):
        return False
    trailers: tuple[tuple[str, str | bytes], ...] = tuple(error.trailing_metadata() or ())
    return any(key == "google.rpc.retryinfo-bin" for key, _ in trailers)


def _http(server: ServerProcess, body: bytes, authorization: str, *, gzipped: bool) -> float | None:
    headers = {"Content-Type": "application/x-protobuf", "Authorization": authorization}
    if gzipped:
        body = gzip.compress(body)
        headers["Content-Encoding"] = "gzip"
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=ATTEMPT_TIMEOUT)
    try:
        connection.request("POST", "/v1/traces", body, headers)
        response = connection.getresponse()
        response.read()
    except OSError as error:  # refused, reset, or cut off by a kill
        raise Unanswered(f"HTTP :{server.http_port}: {error!r}") from error
    finally:
        connection.close()
    if response.status == 503:
        return float(response.getheader("Retry-After") or 1)
    if response.status != 200:
        raise Unanswered(f"HTTP :{server.http_port}: status {response.status}")
    return None


def send_all(
    target: Cluster,
    bodies: Sequence[bytes],
    routes: Sequence[Route],
    authorization: str,
    *,
    senders: int,
    among: int | None = None,
    on_acknowledged: Callable[[], None] | None = None,
) -> list[str]:
    """Send every body from ``senders`` threads, each on its route; an unanswered one is re-sent to
    the next of the first ``among`` replicas (default: all), until acknowledged. Calls
    ``on_acknowledged`` after each acknowledgement. Returns the failed attempts, for the test's own
    checks."""
    failovers: list[str] = []
    count = among or len(target.replicas)

    def deliver(body: bytes, route: Route) -> None:
        for attempt in range(MAX_ATTEMPTS):
            replica = (route.replica + attempt) % count
            try:
                target.send(body, Route(replica, route.transport), authorization)
            except Unanswered as error:
                failovers.append(str(error))
                time.sleep(0.05)
                continue
            if on_acknowledged is not None:
                on_acknowledged()
            return
        raise AssertionError(f"a request was never acknowledged: {failovers[-3:]}")

    with ThreadPoolExecutor(senders) as pool:
        for future in [pool.submit(deliver, body, route) for body, route in zip(bodies, routes, strict=True)]:
            future.result()
    return failovers


@contextmanager
def cluster(url: str, directory: Path, environment: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A cluster on the database at ``url`` (migrated by its first replicas), closed afterwards;
    ``environment`` replaces the replicas' default settings."""
    target = Cluster(url, directory, SqlStore(url))
    if environment is not None:
        target.environment = environment
    try:
        yield target
    finally:
        target.close()
