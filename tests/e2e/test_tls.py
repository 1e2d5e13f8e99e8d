"""TLS for HTTP and gRPC (``--tls-cert``, ``--tls-key``): a real server with a certificate the test
makes; the OpenTelemetry SDK's own OTLP exporters (HTTP and gRPC) and the Langfuse SDK (5.x writing
over OTLP, 4.x reading the API) connect over it and their spans read back; a cleartext request to
either port fails; the server warns when listening beyond loopback without TLS, not with it."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter

from tests.e2e.sdk.harness import FakeLLM, run_scenario
from tests.e2e.sdk.specs import LANGFUSE_V4, LANGFUSE_V5
from tests.e2e.server import ServerProcess, start_server
from tests.support.certificates import Certificate, make_certificate


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, certificate: Certificate) -> Iterator[ServerProcess]:
    server = start_server(
        tmp_path_factory.mktemp("tls-server"),
        None,
        "--tls-cert",
        str(certificate.cert),
        "--tls-key",
        str(certificate.key),
    )
    yield server
    server.stop()


def api(server: ServerProcess, path: str) -> Any:
    request = urllib.request.Request(
        f"{server.base_url}{path}", headers={"Authorization": server.authorization}
    )
    with urllib.request.urlopen(request, timeout=30, context=server.ssl_context()) as response:
        return json.load(response)


def send_one_span(exporter: SpanExporter, session_id: str) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "tls-test"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("tls-test").start_as_current_span("over tls") as span:
        span.set_attribute("session.id", session_id)
    provider.shutdown()


def test_banner_says_https(tls_server: ServerProcess) -> None:
    assert any("https://127.0.0.1:" in line for line in tls_server.output), tls_server.log()


def test_otel_http_exporter_over_tls(
    tls_server: ServerProcess, certificate: Certificate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, when set, override the exporter's
    # certificate_file (its session.verify): a machine-wide bundle must not hide the one given here.
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    session_id = f"tls-http-{uuid.uuid4().hex[:8]}"
    exporter = HttpExporter(
        endpoint=f"{tls_server.base_url}/v1/traces",
        certificate_file=str(certificate.ca),
        headers={"Authorization": tls_server.authorization},
    )
    send_one_span(exporter, session_id)
    session = api(tls_server, f"/api/public/sessions/{session_id}")
    assert [trace["name"] for trace in session["traces"]] == ["over tls"]


def test_otel_grpc_exporter_over_tls(tls_server: ServerProcess, certificate: Certificate) -> None:
    session_id = f"tls-grpc-{uuid.uuid4().hex[:8]}"
    exporter = GrpcExporter(
        endpoint=f"127.0.0.1:{tls_server.grpc_port}",
        insecure=False,
        credentials=grpc.ssl_channel_credentials(root_certificates=certificate.ca.read_bytes()),
        headers={"authorization": tls_server.authorization},
    )
    send_one_span(exporter, session_id)
    session = api(tls_server, f"/api/public/sessions/{session_id}")
    assert [trace["name"] for trace in session["traces"]] == ["over tls"]


def test_cleartext_is_refused(tls_server: ServerProcess, certificate: Certificate) -> None:
    """Plain HTTP to the HTTPS port gets no answer, and a gRPC client without TLS cannot call."""
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{tls_server.http_port}/healthz", timeout=10)
    with (
        grpc.insecure_channel(f"127.0.0.1:{tls_server.grpc_port}") as channel,
        pytest.raises(grpc.FutureTimeoutError),
    ):
        grpc.channel_ready_future(channel).result(timeout=5)
    # And a client that does not trust the certificate refuses the server.
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(
            f"{tls_server.base_url}/healthz", timeout=10, context=ssl.create_default_context()
        )


def test_langfuse_sdk_over_tls(tls_server: ServerProcess, certificate: Certificate) -> None:
    """The Langfuse SDK writes (5.x, OTLP/HTTP) and reads (4.x, the public API) over HTTPS, trusting
    the test's certificate through the standard variables."""
    session_id = f"tls-langfuse-{uuid.uuid4().hex[:8]}"
    trust = {
        "SSL_CERT_FILE": str(certificate.ca),
        "REQUESTS_CA_BUNDLE": str(certificate.ca),
        "OTEL_EXPORTER_OTLP_CERTIFICATE": str(certificate.ca),
    }
    llm = FakeLLM()
    try:
        written = run_scenario(
            LANGFUSE_V5,
            "langfuse_v5.py",
            tls_server,
            {
                **trust,
                "SDK_E2E_LLM_BASE_URL": llm.base_url,
                "SDK_E2E_SESSION_ID": session_id,
                "SDK_E2E_USER_ID": "tls-user",
                "SDK_E2E_MODEL": "gpt-4o-mini",
            },
        )
    finally:
        llm.close()
    assert written.summary is not None
    read = run_scenario(
        LANGFUSE_V4,
        "langfuse_v4_read.py",
        tls_server,
        {**trust, "SDK_E2E_SESSION_IDS": json.dumps([session_id])},
    )
    assert read.summary["langfuse"] == "4.18.0"
    assert api(tls_server, f"/api/public/sessions/{session_id}")["traces"]


@pytest.mark.parametrize(("host", "warned"), [("0.0.0.0", True), ("127.0.0.1", False)])
def test_bind_warning_is_printed(tmp_path: Path, host: str, warned: bool) -> None:
    """``serve --host 0.0.0.0`` without TLS warns on stderr; loopback does not."""
    server = start_server(tmp_path, None, "--host", host)
    try:
        log = server.log_path.read_text()
    finally:
        server.stop()
    assert ("without TLS" in log) is warned, log


def test_no_warning_beyond_loopback_with_tls(tmp_path: Path, certificate: Certificate) -> None:
    server = start_server(
        tmp_path,
        None,
        "--host",
        "0.0.0.0",
        "--tls-cert",
        str(certificate.cert),
        "--tls-key",
        str(certificate.key),
    )
    try:
        log = server.log_path.read_text()
    finally:
        server.stop()
    assert "without TLS" not in log, log
