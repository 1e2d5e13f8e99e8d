"""Helpers for the ``otel_bridge.otlp`` tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge.otlp import DecodeResult, decode_json, decode_protobuf
from otel_bridge.testing import build_export_request, make_span, request_to_json
from tests.support.paths import TESTS

#: The captured payloads, vendored in the repository: ``tests/fixtures`` (see its README.md).
FIXTURES = TESTS / "fixtures"

TRACE_ID = "5b8efff798038103d269b633813fc60c"
SPAN_ID = "eee19b7ec3c1b174"
PARENT_ID = "eee19b7ec3c1b173"
START = 1_795_545_060_000_000_000
END = START + 2_500_000


def fixture_pairs() -> list[tuple[Path, Path]]:
    """Every captured ``NNNN-*.bin`` body with its ``NNNN-*.json`` OTLP/JSON rendering."""
    if not FIXTURES.is_dir():
        return []
    return [
        (body, body.with_suffix(".json")) for body in sorted(FIXTURES.glob("*/[0-9][0-9][0-9][0-9]-*.bin"))
    ]


def require_fixtures() -> None:
    """Fail when the captured fixtures are absent: they ship with the repository."""
    if not fixture_pairs():
        pytest.fail(f"captured OTLP fixtures are missing at {FIXTURES} (they ship in tests/fixtures)")


def decode_body(body: bytes) -> DecodeResult:
    """Decode a captured body: protobuf, unless it starts with ``{`` (then it is OTLP/JSON)."""
    return decode_json(body) if body.lstrip()[:1] == b"{" else decode_protobuf(body)


def one_span_request(**span: Any) -> ExportTraceServiceRequest:
    """A request holding one span with valid defaults, overridden by ``span``."""
    fields: dict[str, Any] = {
        "trace_id": TRACE_ID,
        "span_id": SPAN_ID,
        "parent_span_id": PARENT_ID,
        "start_time_unix_nano": START,
        "end_time_unix_nano": END,
    }
    fields.update(span)
    name = fields.pop("name", "span")
    return build_export_request([make_span(name, **fields)], resource_attributes={"service.name": "svc"})


def json_body(request: ExportTraceServiceRequest) -> bytes:
    """The spec OTLP/JSON body of ``request``."""
    return json.dumps(request_to_json(request)).encode()


def json_span_document(span: dict[str, Any], **resource_spans: Any) -> dict[str, Any]:
    """An OTLP/JSON document holding ``span`` alone."""
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
                "scopeSpans": [{"scope": {"name": "lib", "version": "1.0"}, "spans": [span]}],
                **resource_spans,
            }
        ]
    }


def valid_json_span(**overrides: Any) -> dict[str, Any]:
    """A valid canonical OTLP/JSON span, with ``overrides`` applied (``None`` removes a field)."""
    span: dict[str, Any] = {
        "traceId": TRACE_ID,
        "spanId": SPAN_ID,
        "parentSpanId": PARENT_ID,
        "name": "span",
        "kind": 1,
        "startTimeUnixNano": str(START),
        "endTimeUnixNano": str(END),
        "attributes": [],
        "status": {},
    }
    for key, value in overrides.items():
        if value is None:
            span.pop(key, None)
        else:
            span[key] = value
    return span
