"""End-to-end ingest through a real ``otel-bridge serve`` process: the OpenTelemetry SDK's own
exporters over gRPC and HTTP, OTLP/JSON bodies, partial success, every refused input of docs/architecture.md
("Durability and backpressure") with its status and message, and project isolation."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import grpc
import pytest
from google.rpc import code_pb2, status_pb2
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcSpanExporter
from opentelemetry.exporter.otlp.proto.http import Compression as HttpCompression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.errors import NotFound
from otel_bridge.store.sql import SqlStore
from otel_bridge.testing import build_export_request, make_span, request_to_json
from tests.e2e.conftest import get, grpc_export, post
from tests.e2e.server import ServerProcess, start_server
from tests.support.decoders import require_compiled
from tests.support.state import dump_state

ZERO_TRACE = "0" * 32


def session_spans(session_id: str, traces: int = 3, children: int = 2) -> list[ReadableSpan]:
    """Finished SDK spans: ``traces`` traces of one root and ``children`` LLM-ish children each, all
    in session ``session_id``."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "e2e"}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("tests.e2e")
    for turn in range(traces):
        with tracer.start_as_current_span(
            f"turn-{turn}", attributes={"session.id": session_id, "user.id": "u1"}
        ):
            for child in range(children):
                with tracer.start_as_current_span(
                    "chat gpt-4o",
                    attributes={
                        "gen_ai.operation.name": "chat",
                        "gen_ai.request.model": "gpt-4o",
                        "gen_ai.usage.input_tokens": 10 + child,
                        "gen_ai.usage.output_tokens": 5,
                    },
                ):
                    pass
    provider.shutdown()
    return list(memory.get_finished_spans())


def assert_session_stored(
    store: SqlStore, project_id: str, session_id: str, spans: list[ReadableSpan]
) -> None:
    detail = store.get_session(project_id, session_id)
    trace_ids = {format(span.context.trace_id, "032x") for span in spans}
    assert detail.session.trace_count == len(trace_ids)
    assert detail.session.observation_count == len(spans)
    assert {summary.trace.id for summary in detail.traces.items} == trace_ids
    for trace_id in trace_ids:
        stored = {o.id for o in store.get_trace(project_id, trace_id).observations}
        sent = {
            format(s.context.span_id, "016x") for s in spans if format(s.context.trace_id, "032x") == trace_id
        }
        assert stored == sent


def export_all(exporter: SpanExporter, spans: list[ReadableSpan]) -> SpanExportResult:
    try:
        return exporter.export(spans)
    finally:
        exporter.shutdown()


class TestSdkExporters:
    def test_grpc_exporter_session(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """The SDK's gRPC exporter gets SUCCESS, and its three traces are stored as one session."""
        session_id = f"grpc-{uuid.uuid4()}"
        spans = session_spans(session_id)
        exporter = GrpcSpanExporter(
            endpoint=server.grpc_target, insecure=True, headers={"authorization": server.authorization}
        )
        assert export_all(exporter, spans) == SpanExportResult.SUCCESS
        assert_session_stored(store, project_id, session_id, spans)

    def test_grpc_exporter_gzip(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """gzip-compressed gRPC exports are accepted."""
        session_id = f"grpc-gzip-{uuid.uuid4()}"
        spans = session_spans(session_id, traces=2)
        exporter = GrpcSpanExporter(
            endpoint=server.grpc_target,
            insecure=True,
            headers={"authorization": server.authorization},
            compression=grpc.Compression.Gzip,
        )
        assert export_all(exporter, spans) == SpanExportResult.SUCCESS
        assert_session_stored(store, project_id, session_id, spans)

    def test_http_exporter_session(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """The SDK's HTTP/protobuf exporter gets SUCCESS, and its traces are stored as one session."""
        session_id = f"http-{uuid.uuid4()}"
        spans = session_spans(session_id)
        exporter = HttpSpanExporter(
            endpoint=f"{server.base_url}/v1/traces", headers={"Authorization": server.authorization}
        )
        assert export_all(exporter, spans) == SpanExportResult.SUCCESS
        assert_session_stored(store, project_id, session_id, spans)

    def test_http_exporter_gzip_on_langfuse_path(
        self, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """gzip HTTP exports to Langfuse's path ``/api/public/otel/v1/traces`` are accepted."""
        session_id = f"http-gzip-{uuid.uuid4()}"
        spans = session_spans(session_id, traces=2)
        exporter = HttpSpanExporter(
            endpoint=f"{server.base_url}/api/public/otel/v1/traces",
            headers={"Authorization": server.authorization},
            compression=HttpCompression.Gzip,
        )
        assert export_all(exporter, spans) == SpanExportResult.SUCCESS
        assert_session_stored(store, project_id, session_id, spans)

    def test_printed_environment_configures_an_exporter(
        self, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """An exporter configured only by the printed ``OTEL_EXPORTER_OTLP_*`` lines gets SUCCESS."""
        printed = {}
        for line in server.output:
            if line.startswith("export OTEL_EXPORTER_OTLP_"):
                name, value = line.removeprefix("export ").strip().split("=", 1)
                printed[name] = value.strip('"')
        assert set(printed) == {"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS"}
        session_id = f"env-{uuid.uuid4()}"
        code = (
            "import os\n"
            "from opentelemetry.sdk.trace import TracerProvider\n"
            "from opentelemetry.sdk.trace.export import SimpleSpanProcessor\n"
            "from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter\n"
            "from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter\n"
            "memory = InMemorySpanExporter(); provider = TracerProvider()\n"
            "provider.add_span_processor(SimpleSpanProcessor(memory))\n"
            "attributes = {'session.id': os.environ['E2E_SESSION']}\n"
            "with provider.get_tracer('env').start_as_current_span('root', attributes=attributes):\n"
            "    pass\n"
            "print(OTLPSpanExporter().export(memory.get_finished_spans()).name)\n"
        )
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        environment.update(printed, E2E_SESSION=session_id)
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.stdout.strip() == "SUCCESS", result.stderr
        assert store.get_session(project_id, session_id).session.observation_count == 1


def otlp_request(session_id: str, n: int = 3, *, bad: int = 0) -> tuple[bytes, dict[str, object], list[str]]:
    """A protobuf body, its OTLP/JSON form, and the span ids of its ``n`` good spans (one trace);
    ``bad`` more spans carry an all-zero trace id."""
    trace_id = uuid.uuid4().hex
    good = [
        make_span(
            f"step-{i}", trace_id=trace_id, span_id=os.urandom(8).hex(), attributes={"session.id": session_id}
        )
        for i in range(n)
    ]
    broken = [make_span("broken", trace_id=ZERO_TRACE) for _ in range(bad)]
    request = build_export_request([*good, *broken])
    return request.SerializeToString(), request_to_json(request), [span.span_id.hex() for span in good]


class TestOtlpJson:
    def test_json_body_is_stored_and_answered_in_json(
        self, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """An OTLP/JSON body is stored; the response is an empty JSON ExportTraceServiceResponse."""
        session_id = f"json-{uuid.uuid4()}"
        _, body, span_ids = otlp_request(session_id)
        result = post(server, json.dumps(body).encode(), content_type="application/json; charset=utf-8")
        assert result.status == 200, result.body
        assert result.headers["content-type"].startswith("application/json")
        assert result.json() == {}
        detail = store.get_session(project_id, session_id)
        assert detail.session.observation_count == len(span_ids)

    def test_json_partial_success(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """Rejected spans are counted in JSON ``partialSuccess`` with the broken rule; the rest is stored."""
        session_id = f"json-partial-{uuid.uuid4()}"
        _, body, span_ids = otlp_request(session_id, 2, bad=2)
        result = post(server, json.dumps(body).encode(), content_type="application/json")
        assert result.status == 200
        partial = result.json()["partialSuccess"]
        assert int(partial["rejectedSpans"]) == 2
        assert "trace_id must not be all zeros (x2)" in partial["errorMessage"]
        assert store.get_session(project_id, session_id).session.observation_count == len(span_ids)

    def test_protobuf_partial_success(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """Over HTTP/protobuf the response is a protobuf ExportTraceServiceResponse with partial_success."""
        session_id = f"pb-partial-{uuid.uuid4()}"
        body, _, span_ids = otlp_request(session_id, 2, bad=1)
        result = post(server, body, content_type="application/protobuf")
        assert result.status == 200
        assert result.headers["content-type"] == "application/x-protobuf"
        response = ExportTraceServiceResponse.FromString(result.body)
        assert response.partial_success.rejected_spans == 1
        assert "1 span rejected: trace_id must not be all zeros" in response.partial_success.error_message
        assert store.get_session(project_id, session_id).session.observation_count == len(span_ids)

    def test_grpc_partial_success(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """Over gRPC the response carries partial_success; the good spans are stored."""
        session_id = f"grpc-partial-{uuid.uuid4()}"
        body, _, span_ids = otlp_request(session_id, 3, bad=1)
        response = ExportTraceServiceResponse.FromString(grpc_export(server, body))
        assert response.partial_success.rejected_spans == 1
        assert "trace_id" in response.partial_success.error_message
        assert store.get_session(project_id, session_id).session.observation_count == len(span_ids)

    @pytest.mark.parametrize("transport", ["http", "grpc"])
    def test_a_trace_the_store_refuses_is_rejected_not_retried(
        self, server: ServerProcess, store: SqlStore, project_id: str, transport: str
    ) -> None:
        """A trace the database cannot store (a token count past 64 bits: SQLite's INTEGER refuses
        it) comes back in ``partial_success``, which exporters do not retry, with the store's reason;
        the request's other trace is stored, and sending it all again answers the same."""
        session_id = f"refused-{transport}-{uuid.uuid4()}"
        refused, kept = uuid.uuid4().hex, uuid.uuid4().hex
        spans = [
            make_span(
                "chat",
                trace_id=refused,
                span_id="1" * 16,
                start_time_unix_nano=1_000,
                end_time_unix_nano=2_000,
                attributes={
                    "session.id": session_id,
                    "gen_ai.usage.input_tokens": 2**63 - 1,
                    "gen_ai.usage.output_tokens": 1,
                },
            ),
            make_span(
                "turn",
                trace_id=kept,
                span_id="2" * 16,
                start_time_unix_nano=1_000,
                end_time_unix_nano=2_000,
                attributes={"session.id": session_id},
            ),
        ]
        body = build_export_request(spans).SerializeToString()
        for _ in range(2):
            if transport == "grpc":
                response = ExportTraceServiceResponse.FromString(grpc_export(server, body))
            else:
                result = post(server, body)
                assert result.status == 200, result.body
                response = ExportTraceServiceResponse.FromString(result.body)
            assert response.partial_success.rejected_spans == 1
            assert f"store refused the spans of trace {refused}" in response.partial_success.error_message
        assert [t.trace.id for t in store.get_session(project_id, session_id).traces.items] == [kept]
        with pytest.raises(NotFound):
            store.get_trace(project_id, refused)

    def test_empty_requests_succeed(self, server: ServerProcess) -> None:
        """Empty requests (no body, ``{}``, no spans) succeed without partial_success."""
        assert post(server, b"").status == 200
        result = post(server, b"{}", content_type="application/json")
        assert (result.status, result.json()) == (200, {})
        assert grpc_export(server, b"") == b""

    def test_bearer_secret_authenticates(
        self, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """``Authorization: Bearer <secret>`` is accepted on HTTP and gRPC."""
        session_id = f"bearer-{uuid.uuid4()}"
        body, _, _ = otlp_request(session_id, 2)
        assert post(server, body, authorization=f"Bearer {server.secret_key}").status == 200
        body2, _, _ = otlp_request(session_id, 2)
        grpc_export(server, body2, authorization=f"Bearer {server.secret_key}")
        assert store.get_session(project_id, session_id).session.observation_count == 4


def rpc_status(result_body: bytes, content_type: str) -> tuple[int, str]:
    """The (code, message) of a ``google.rpc.Status`` error body in either encoding."""
    if content_type.startswith("application/json"):
        parsed = json.loads(result_body)
        return parsed["code"], parsed["message"]
    status = status_pb2.Status.FromString(result_body)
    return status.code, status.message


@pytest.fixture
def unchanged(server: ServerProcess, store: SqlStore, project_id: str):  # type: ignore[no-untyped-def]
    """Asserts that the default project's stored state is the same after the test as before it."""
    before = dump_state(store, project_id)
    yield
    assert dump_state(store, project_id) == before


@pytest.mark.usefixtures("unchanged")
class TestRefusedInputs:
    def test_unknown_content_type_is_415(self, server: ServerProcess) -> None:
        """An unknown content type is 415, and the message lists the accepted ones."""
        body, _, _ = otlp_request("never")
        result = post(server, body, content_type="text/plain")
        assert result.status == 415
        code, message = rpc_status(result.body, result.headers["content-type"])
        assert code == code_pb2.INVALID_ARGUMENT
        assert "application/x-protobuf" in message and "application/json" in message

    def test_unknown_content_encoding_is_415(self, server: ServerProcess) -> None:
        """A content encoding other than gzip is 415, naming it."""
        body, _, _ = otlp_request("never")
        result = post(server, body, headers={"Content-Encoding": "br"})
        assert result.status == 415
        assert "'br'" in rpc_status(result.body, result.headers["content-type"])[1]

    def test_undecodable_protobuf_is_400(self, server: ServerProcess) -> None:
        """A body that is not an ExportTraceServiceRequest is 400 with a protobuf Status naming it."""
        result = post(server, b"\xff\xff\xff\xff not protobuf")
        assert result.status == 400
        assert result.headers["content-type"] == "application/x-protobuf"
        code, message = rpc_status(result.body, result.headers["content-type"])
        assert code == code_pb2.INVALID_ARGUMENT
        assert "ExportTraceServiceRequest" in message

    def test_undecodable_json_is_400(self, server: ServerProcess) -> None:
        """Malformed JSON is 400 with a JSON Status."""
        result = post(server, b'{"resourceSpans": [', content_type="application/json")
        assert result.status == 400
        code, message = rpc_status(result.body, result.headers["content-type"])
        assert code == code_pb2.INVALID_ARGUMENT and message

    def test_invalid_gzip_is_400(self, server: ServerProcess) -> None:
        """A body declared gzip that is not gzip is 400."""
        result = post(server, b"not gzip at all", headers={"Content-Encoding": "gzip"})
        assert result.status == 400
        assert "gzip" in rpc_status(result.body, result.headers["content-type"])[1]

    def test_oversized_body_is_413(self, server: ServerProcess) -> None:
        """A body over the request limit (256 KiB here) is 413, naming the limit."""
        result = post(server, b"\x00" * (300 * 1024))
        assert result.status == 413
        assert "262144" in rpc_status(result.body, result.headers["content-type"])[1]

    def test_gzip_bomb_is_413(self, server: ServerProcess) -> None:
        """A small gzip body that inflates past the decompressed limit (1 MiB here) is 413."""
        bomb = gzip.compress(b"\x00" * (64 * 1024 * 1024), compresslevel=9)
        assert len(bomb) < 256 * 1024
        result = post(server, bomb, headers={"Content-Encoding": "gzip"})
        assert result.status == 413
        assert "decompressed" in rpc_status(result.body, result.headers["content-type"])[1]

    def test_missing_credentials_are_401(self, server: ServerProcess) -> None:
        """No Authorization header is 401 with ``WWW-Authenticate: Basic`` and a message saying how."""
        body, _, _ = otlp_request("never")
        result = post(server, body, authorization=None)
        assert result.status == 401
        assert result.headers["www-authenticate"].startswith("Basic")
        code, message = rpc_status(result.body, result.headers["content-type"])
        assert code == code_pb2.UNAUTHENTICATED and "Authorization" in message

    def test_wrong_secret_is_401(self, server: ServerProcess) -> None:
        """A known public key with a wrong secret is 401 (and so is a malformed Basic value)."""
        body, _, _ = otlp_request("never")
        wrong = base64.b64encode(f"{server.public_key}:sk-lf-wrong".encode()).decode()
        assert post(server, body, authorization=f"Basic {wrong}").status == 401
        assert post(server, body, authorization="Basic !!!").status == 401
        assert post(server, body, authorization="Bearer sk-lf-wrong").status == 401

    def test_grpc_refusals(self, server: ServerProcess) -> None:
        """gRPC: no credentials → UNAUTHENTICATED, garbage → INVALID_ARGUMENT, too large →
        RESOURCE_EXHAUSTED (also when gzip hides the size), each with a message."""
        body, _, _ = otlp_request("never")
        cases = [
            (dict(body=body, authorization=None), grpc.StatusCode.UNAUTHENTICATED, "credentials"),
            (
                dict(body=body, authorization="Basic d3Jvbmc6d3Jvbmc="),
                grpc.StatusCode.UNAUTHENTICATED,
                "invalid",
            ),
            (dict(body=b"\xff\xff\xff\xff"), grpc.StatusCode.INVALID_ARGUMENT, "ExportTraceServiceRequest"),
            (dict(body=b"\x00" * (2 * 1024 * 1024)), grpc.StatusCode.RESOURCE_EXHAUSTED, "larger than max"),
            (
                dict(body=big_request(2 * 1024 * 1024), compression=grpc.Compression.Gzip),
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "",
            ),
        ]
        for arguments, code, fragment in cases:
            with pytest.raises(grpc.RpcError) as caught:
                grpc_export(server, **arguments)  # type: ignore[arg-type]
            error = caught.value
            assert error.code() == code, (arguments.keys(), error.details())  # type: ignore[attr-defined]
            assert fragment.lower() in (error.details() or "").lower()


def big_request(size: int) -> bytes:
    """A valid request whose one span carries a ``size``-byte attribute that compresses to nothing."""
    span = make_span("big", attributes={"blob": "a" * size})
    return build_export_request([span]).SerializeToString()


class TestProjects:
    def test_keys_create_and_isolation(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """``otel-bridge keys create`` makes a project whose keys write only into it and read nothing else."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "otel_bridge.cli",
                "keys",
                "create",
                "--project",
                "team-b",
                "--db",
                server.db_url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        keys = dict(
            line.split(": ", 1)
            for line in result.stdout.splitlines()
            if line.startswith(("public key", "secret key"))
        )
        public_key, secret_key = keys["public key"], keys["secret key"].split()[0]
        assert public_key.startswith("pk-lf-") and secret_key.startswith("sk-lf-")
        other = store.find_project("team-b")
        assert other is not None and other.id != project_id

        session_id = f"team-b-{uuid.uuid4()}"
        body, _, span_ids = otlp_request(session_id, 2)
        token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode()
        assert post(server, body, authorization=f"Basic {token}").status == 200

        assert store.get_session(other.id, session_id).session.observation_count == 2
        with pytest.raises(NotFound):
            store.get_session(project_id, session_id)
        with pytest.raises(NotFound):
            store.get_observation(project_id, span_ids[0])
        # The default project's secret does not open team-b's data either: its keys are its own.
        mixed = base64.b64encode(f"{public_key}:{server.secret_key}".encode()).decode()
        assert post(server, body, authorization=f"Basic {mixed}").status == 401

        again = subprocess.run(
            [
                sys.executable,
                "-m",
                "otel_bridge.cli",
                "keys",
                "create",
                "--project",
                "team-b",
                "--db",
                server.db_url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert again.returncode == 2 and "--replace" in again.stderr


class TestOperations:
    def test_metrics_exposition(self, server: ServerProcess) -> None:
        """``/metrics`` reports spans, rejections by rule, queue bytes, commit latency and requests."""
        body, _, _ = otlp_request("metrics", 2, bad=1)
        assert post(server, body).status == 200
        response = get(server, "/metrics")
        text = response.body.decode()
        assert response.status == 200
        assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
        for fragment in (
            'otel_bridge_spans_received_total{transport="http"}',
            'otel_bridge_spans_accepted_total{transport="http"}',
            'otel_bridge_spans_rejected_total{rule="trace_id"}',
            "otel_bridge_queue_bytes ",
            'otel_bridge_commit_seconds_bucket{le="+Inf"}',
            'otel_bridge_requests_total{transport="http",route="/v1/traces",code="200"}',
        ):
            assert fragment in text, fragment

    def test_banner_names_the_decoder(self, server: ServerProcess, tmp_path: Path) -> None:
        """The banner says which protobuf decoder runs: the compiled one by default, upb when
        OTEL_BRIDGE_DECODER=upb; spans are stored either way."""
        require_compiled()
        assert "decoder:   compiled (Cython wire decoder) in " in "".join(server.output)
        upb = start_server(tmp_path, {"OTEL_BRIDGE_DECODER": "upb"})
        try:
            assert "decoder:   upb (pure-Python walk) in " in "".join(upb.output)
            body, _, span_ids = otlp_request("upb-decoder", 2)
            assert post(upb, body).status == 200
            stored = SqlStore(upb.db_url)
            try:
                project = stored.find_project("default")
                assert project is not None
                assert {o.id for o in stored.list_observations(project.id).items} == set(span_ids)
            finally:
                stored.close()
        finally:
            assert upb.stop() == 0, upb.log()

    def test_startup_banner(self, server: ServerProcess) -> None:
        """The start prints the UI address, the endpoints and ready-to-paste exporter and Langfuse lines."""
        banner = "".join(server.output)
        assert f"UI:        {server.base_url}/" in banner
        assert f"export OTEL_EXPORTER_OTLP_ENDPOINT={server.base_url}" in banner
        assert 'OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20' in banner
        assert f"LANGFUSE_PUBLIC_KEY={server.public_key} LANGFUSE_SECRET_KEY={server.secret_key}" in banner
