"""The OTLP/HTTP receiver, called as an ASGI app (no sockets, ``tests.support.asgi``), over a real ingestor
and a fake store."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from collections.abc import Callable, Sequence

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otel_bridge.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType
from otel_bridge.ingest import Ingestor
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.http import HttpLimits, gunzip, negotiate
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.server import build_app
from otel_bridge.store import PreparedWrite, WritePreparer
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.testing import build_export_request, make_span, request_to_json
from tests.support.asgi import AsgiClient, Response
from tests.unit.receivers.test_auth import PROJECT, FakeKeys

AUTH = "Basic " + base64.b64encode(b"pk-lf-1:sk-lf-1").decode()


class RecordingStore(FakeKeys):
    """Keys of ``FakeKeys`` plus a ``write_prepared`` that records span ids (of writes prepared by the
    in-memory store's preparer)."""

    def __init__(self) -> None:
        super().__init__()
        self.preparer: WritePreparer = InMemoryStore().preparer
        self.written: list[str] = []

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        for batch in batches:
            assert batch.project_id == PROJECT.id
            self.written += [span for _, span in self.preparer.span_ids(batch)]


def export(
    client: AsgiClient, body: bytes, headers: dict[str, str], chunk_size: int | None = None
) -> Response:
    """``POST /v1/traces`` with ``body``, delivered in ``chunk_size``-byte messages if given."""
    return client.request("POST", "/v1/traces", headers=headers, body=body, chunk_size=chunk_size)


def request_body(n: int = 2, bad: int = 0) -> tuple[bytes, list[str]]:
    spans = [make_span(f"s{i}") for i in range(n)] + [make_span("bad", trace_id="0" * 32) for _ in range(bad)]
    return build_export_request(spans).SerializeToString(), [s.span_id.hex() for s in spans[:n]]


LIMITS = HttpLimits(64 * 1024, 256 * 1024)


def run_app(
    scenario: Callable[[AsgiClient, Ingestor], None],
    *,
    queue_bytes: int = 1 << 20,
    limits: HttpLimits = LIMITS,
) -> RecordingStore:
    """Run ``scenario`` against the app over a started ingestor and a ``RecordingStore``; the store,
    once the ingestor has drained."""
    store = RecordingStore()
    loop = asyncio.new_event_loop()
    metrics = Metrics()
    ingestor = Ingestor(store, queue_bytes=queue_bytes)
    loop.run_until_complete(ingestor.start())
    handler = TraceExportHandler(ingestor, metrics)
    context = AppContext(store, ingestor, Authenticator(store), metrics)  # type: ignore[arg-type]
    try:
        scenario(AsgiClient(build_app(context, handler, limits), loop), ingestor)
    finally:
        loop.run_until_complete(ingestor.close(5))
        handler.close()
        loop.close()
    return store


class TestNegotiate:
    @pytest.mark.parametrize(
        ("content_type", "encoding"),
        [
            ("application/x-protobuf", "protobuf"),
            ("application/protobuf", "protobuf"),
            ("application/json", "json"),
            ("Application/JSON; charset=utf-8", "json"),
        ],
    )
    def test_accepted(self, content_type: str, encoding: str) -> None:
        """The OTLP media types, with parameters and in any case, are accepted."""
        assert negotiate(content_type) == encoding

    def test_refused_lists_the_accepted(self) -> None:
        """Anything else is UnsupportedMediaType listing what is accepted."""
        with pytest.raises(UnsupportedMediaType, match=r"application/x-protobuf.*application/json"):
            negotiate("text/plain")
        with pytest.raises(UnsupportedMediaType, match="missing"):
            negotiate(None)


class TestGunzip:
    def test_round_trip_and_multiple_members(self) -> None:
        """gzip bodies inflate, including concatenated members."""
        assert gunzip(gzip.compress(b"abc") + gzip.compress(b"def"), 100) == b"abcdef"

    def test_bomb_stops_at_the_limit(self) -> None:
        """A body inflating past the limit raises PayloadTooLarge without inflating it all."""
        bomb = gzip.compress(b"\0" * (50 * 1024 * 1024))
        with pytest.raises(PayloadTooLarge, match="1024 bytes"):
            gunzip(bomb, 1024)

    def test_invalid_and_truncated(self) -> None:
        """Non-gzip and truncated gzip bodies are DecodeErrors."""
        with pytest.raises(DecodeError, match="not valid gzip"):
            gunzip(b"plain text", 100)
        with pytest.raises(DecodeError, match="truncated"):
            gunzip(gzip.compress(b"x" * 1000)[:-10], 10_000)


class TestHttpReceiver:
    def test_protobuf_export_is_committed(self) -> None:
        """A protobuf export returns 200 with an empty protobuf response after its spans are written."""
        body, span_ids = request_body(3)

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            response = export(
                client,
                body,
                {"content-type": "application/x-protobuf", "authorization": AUTH},
                chunk_size=100,
            )
            assert response.status == 200
            assert response.headers["content-type"] == "application/x-protobuf"
            assert ExportTraceServiceResponse.FromString(response.body) == ExportTraceServiceResponse()

        assert run_app(scenario).written == span_ids

    def test_json_partial_success(self) -> None:
        """A JSON export with a bad span answers in JSON with partialSuccess naming the rule."""
        spans = [make_span("ok"), make_span("bad", trace_id="0" * 32)]
        body = json.dumps(request_to_json(build_export_request(spans))).encode()

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            response = export(client, body, {"content-type": "application/json", "authorization": AUTH})
            assert response.status == 200 and response.headers["content-type"] == "application/json"
            partial = response.json()["partialSuccess"]
            assert partial["rejectedSpans"] == "1"
            assert partial["errorMessage"] == "1 span rejected: trace_id must not be all zeros (x1)"

        assert len(run_app(scenario).written) == 1

    def test_gzip_export(self) -> None:
        """A gzip body is inflated before decoding."""
        body, span_ids = request_body(2)

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            headers = {
                "content-type": "application/x-protobuf",
                "authorization": AUTH,
                "content-encoding": "gzip",
            }
            assert export(client, gzip.compress(body), headers).status == 200

        assert run_app(scenario).written == span_ids

    def test_declared_oversize_is_refused_before_reading(self) -> None:
        """A Content-Length over the limit is 413 at once."""

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            headers = {
                "content-type": "application/x-protobuf",
                "authorization": AUTH,
                "content-length": "999999",
            }
            response = export(client, b"", headers)
            assert response.status == 413 and b"999999" in response.body

        run_app(scenario)

    def test_full_queue_is_503_with_retry_after(self) -> None:
        """When the queue has no room the answer is 503 + Retry-After, and nothing is decoded or written."""
        body, _ = request_body(2)

        def scenario(client: AsgiClient, ingestor: Ingestor) -> None:
            held = ingestor.reserve(ingestor.queue_bytes - 10)
            response = export(client, body, {"content-type": "application/x-protobuf", "authorization": AUTH})
            held.release()
            assert response.status == 503
            assert int(response.headers["retry-after"]) >= 1
            assert b"queue full" in response.body

        assert run_app(scenario).written == []

    def test_unauthenticated_is_401(self) -> None:
        """Wrong credentials are 401 with WWW-Authenticate, in the request's encoding."""
        body, _ = request_body(1)
        wrong = "Basic " + base64.b64encode(b"pk-lf-1:nope").decode()

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            response = export(client, body, {"content-type": "application/json", "authorization": wrong})
            assert response.status == 401
            assert response.headers["www-authenticate"] == 'Basic realm="otel-bridge"'
            assert response.json()["code"] == 16

        assert run_app(scenario).written == []

    def test_healthz_and_metrics(self) -> None:
        """``/healthz`` is 200 while accepting; ``/metrics`` counts requests by route template."""

        def scenario(client: AsgiClient, _ingestor: Ingestor) -> None:
            body, _ = request_body(1)
            export(client, body, {"content-type": "application/x-protobuf", "authorization": AUTH})
            for path in ("/healthz", "/metrics"):
                response = client.request("GET", path)
                assert response.status == 200
            assert (
                b'otel_bridge_requests_total{transport="http",route="/v1/traces",code="200"} 1'
                in response.body
            )

        run_app(scenario)
