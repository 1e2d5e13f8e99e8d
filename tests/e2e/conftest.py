"""Fixtures of the end-to-end tests: a real server subprocess (``server.py``), HTTP and gRPC clients,
and read access to what it stored (its SQLite file, opened with ``SqlStore``)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import pytest

from otel_bridge.store.sql import SqlStore
from tests.e2e.server import ServerProcess, start_server

EXPORT_METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

#: Small limits, so that oversized requests are cheap to build.
LIMITS_ENV = {
    "OTEL_BRIDGE_MAX_REQUEST_BYTES": "256KiB",
    "OTEL_BRIDGE_MAX_DECOMPRESSED_BYTES": "1MiB",
    "OTEL_BRIDGE_QUEUE_BYTES": "16MiB",
}


@dataclass
class HttpResult:
    """A response, read whole."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def post(
    server: ServerProcess,
    body: bytes,
    *,
    content_type: str = "application/x-protobuf",
    path: str = "/v1/traces",
    authorization: str | None = "default",
    headers: Mapping[str, str] | None = None,
) -> HttpResult:
    """POST ``body`` to the server; ``authorization="default"`` sends the default project's keys."""
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=60)
    try:
        sent = {"Content-Type": content_type}
        if authorization == "default":
            sent["Authorization"] = server.authorization
        elif authorization is not None:
            sent["Authorization"] = authorization
        sent.update(headers or {})
        connection.request("POST", path, body, sent)
        response = connection.getresponse()
        return HttpResult(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def get(server: ServerProcess, path: str) -> HttpResult:
    """GET ``path`` from the server."""
    connection = http.client.HTTPConnection("127.0.0.1", server.http_port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return HttpResult(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def grpc_export(
    server: ServerProcess,
    body: bytes,
    *,
    authorization: str | None = "default",
    compression: grpc.Compression | None = None,
) -> bytes:
    """One raw ``TraceService/Export`` call; raises ``grpc.RpcError``."""
    with grpc.insecure_channel(
        server.grpc_target, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]
    ) as channel:
        export: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(EXPORT_METHOD)
        metadata: tuple[tuple[str, str], ...] = ()
        if authorization == "default":
            metadata = (("authorization", server.authorization),)
        elif authorization is not None:
            metadata = (("authorization", authorization),)
        response: bytes = export(body, metadata=metadata, timeout=60, compression=compression)
        return response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for a test module, with small size limits (``LIMITS_ENV``)."""
    process = start_server(tmp_path_factory.mktemp("server"), LIMITS_ENV)
    yield process
    assert process.stop() == 0, process.log()


@pytest.fixture(scope="module")
def store(server: ServerProcess) -> Iterator[SqlStore]:
    """The server's database, opened by the test (SQLite WAL: readers do not block the writer)."""
    opened = SqlStore(server.db_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def project_id(store: SqlStore) -> str:
    """The default project's id."""
    project = store.find_project("default")
    assert project is not None
    return project.id


def db_path(server: ServerProcess) -> Path:
    """The server's SQLite file."""
    return server.db_path


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """Each test sees the library's first warning of each kind (``sdk.throttle`` holds repeats back)."""
    from otel_bridge.sdk.throttle import sdk_log

    sdk_log.reset()
