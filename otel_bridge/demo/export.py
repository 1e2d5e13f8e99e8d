"""Sending through the OpenTelemetry SDK's own OTLP exporters, the path instrumented applications
use: protobuf over HTTP, or gRPC. Their packages are imported when a session is sent."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from otel_bridge.demo.probes import TIMEOUT_SECONDS
from otel_bridge.demo.target import Target
from otel_bridge.errors import CommandError


def make_exporter(target: Target) -> SpanExporter:
    """The OTel SDK's OTLP exporter for ``target``; ``CommandError`` (exit status 2) when it is not
    installed."""
    if target.protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
                OTLPSpanExporter as GrpcExporter,
            )
        except ImportError:
            raise CommandError(
                "--protocol grpc needs the OTLP gRPC exporter: "
                "pip install opentelemetry-exporter-otlp-proto-grpc",
                exit_status=2,
            ) from None
        return GrpcExporter(
            endpoint=target.export_endpoint,
            insecure=not target.secure,
            headers=target.grpc_metadata,
            timeout=TIMEOUT_SECONDS,
        )
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter as HttpExporter,
        )
    except ImportError:
        raise CommandError(
            "the demo sends through the OTLP/HTTP exporter: "
            "pip install opentelemetry-exporter-otlp-proto-http",
            exit_status=2,
        ) from None
    return HttpExporter(endpoint=target.export_endpoint, headers=target.headers, timeout=TIMEOUT_SECONDS)


def send_session(exporter: SpanExporter, spans: Sequence[ReadableSpan], target: Target) -> None:
    """Export one session's spans (one export a session); ``CommandError`` when the exporter gives up."""
    if exporter.export(spans) is not SpanExportResult.SUCCESS:
        raise CommandError(
            f"the export to {target.export_endpoint} failed (the exporter's message is above); "
            "check that otel-bridge is still running"
        )


__all__ = ["make_exporter", "send_session"]
