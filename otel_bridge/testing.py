"""Test helpers shipped to users: build OTLP ``ExportTraceServiceRequest``s from plain Python values,
and keep what otel-bridge stores in memory.

Like structlog's ``testing`` module, these helpers exist so that tests of code built on otel-bridge (and
otel-bridge's own tests) can write spans in a few lines::

    from otel_bridge.testing import build_export_request, make_span

    request = build_export_request(
        [make_span("chat gpt-4o", attributes={"gen_ai.request.model": "gpt-4o", "session.id": "s1"})],
        resource_attributes={"service.name": "my-app"},
    )
    body = request.SerializeToString()          # OTLP/HTTP protobuf
    json_body = request_to_json(request)        # OTLP/JSON, as the specification encodes it

Ids may be given as hex strings or raw bytes and are not validated, so that tests can build invalid
spans on purpose. ``InMemorySink`` (from ``otel_bridge.sdk``) keeps what ``BridgeSpanExporter``
translates, for tests of applications that use the in-process library. ``InMemoryStore`` (from
``otel_bridge.store.memory``) is the whole ``Store`` in memory, as OpenTelemetry ships an
``InMemorySpanExporter``: the traces, sessions and observations the server would store, read back
with the same filters and semantics, without a database. Only the base dependencies
(``opentelemetry-proto``, ``opentelemetry-sdk``) and the standard library are imported: no server
dependencies.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from otel_bridge.model import SpanKind, StatusCode
from otel_bridge.otlp.encode import to_any_value, to_key_values
from otel_bridge.sdk.sinks import InMemorySink
from otel_bridge.store.memory import InMemoryStore

__all__ = [
    "InMemorySink",
    "InMemoryStore",
    "build_export_request",
    "make_event",
    "make_link",
    "make_span",
    "request_to_json",
    "to_any_value",
    "to_key_values",
]

#: An id as a test writes it: hex text (any case, any length) or raw bytes.
IdLike = str | bytes

_KIND_NUMBERS = {kind: number for number, kind in enumerate(SpanKind)}
_STATUS_NUMBERS = {code: number for number, code in enumerate(StatusCode)}


def _id_bytes(value: IdLike | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes):
        return value
    return bytes.fromhex(value)


def make_event(name: str, time_unix_nano: int, attributes: Mapping[str, Any] | None = None) -> Span.Event:
    """An OTLP span event."""
    return Span.Event(name=name, time_unix_nano=time_unix_nano, attributes=to_key_values(attributes))


def make_link(
    trace_id: IdLike, span_id: IdLike, attributes: Mapping[str, Any] | None = None, trace_state: str = ""
) -> Span.Link:
    """An OTLP span link to another span (ids as hex or bytes)."""
    return Span.Link(
        trace_id=_id_bytes(trace_id),
        span_id=_id_bytes(span_id),
        trace_state=trace_state,
        attributes=to_key_values(attributes),
    )


def make_span(
    name: str = "span",
    *,
    trace_id: IdLike | None = None,
    span_id: IdLike | None = None,
    parent_span_id: IdLike | None = None,
    start_time_unix_nano: int | None = None,
    end_time_unix_nano: int | None = None,
    attributes: Mapping[str, Any] | None = None,
    kind: SpanKind | int = SpanKind.INTERNAL,
    status_code: StatusCode | int = StatusCode.UNSET,
    status_message: str = "",
    events: Iterable[Span.Event] = (),
    links: Iterable[Span.Link] = (),
    trace_state: str = "",
) -> Span:
    """An OTLP span. Missing ids are random, a missing start is now, a missing end is start + 1 ms;
    ``kind`` and ``status_code`` take the model enums or the raw OTLP numbers (even unknown ones)."""
    start = time.time_ns() if start_time_unix_nano is None else start_time_unix_nano
    end = start + 1_000_000 if end_time_unix_nano is None else end_time_unix_nano
    return Span(
        trace_id=os.urandom(16) if trace_id is None else _id_bytes(trace_id),
        span_id=os.urandom(8) if span_id is None else _id_bytes(span_id),
        parent_span_id=_id_bytes(parent_span_id),
        trace_state=trace_state,
        name=name,
        kind=_KIND_NUMBERS[kind] if isinstance(kind, SpanKind) else kind,  # type: ignore[arg-type]
        start_time_unix_nano=start,
        end_time_unix_nano=end,
        attributes=to_key_values(attributes),
        events=list(events),
        links=list(links),
        status=Status(
            code=_STATUS_NUMBERS[status_code] if isinstance(status_code, StatusCode) else status_code,  # type: ignore[arg-type]
            message=status_message,
        ),
    )


def build_export_request(
    spans: Sequence[Span],
    *,
    resource_attributes: Mapping[str, Any] | None = None,
    scope_name: str = "otel_bridge.testing",
    scope_version: str = "",
    scope_attributes: Mapping[str, Any] | None = None,
) -> ExportTraceServiceRequest:
    """An ``ExportTraceServiceRequest`` holding ``spans`` under one resource and one scope. For several
    resources, concatenate the ``resource_spans`` of several requests."""
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=to_key_values(resource_attributes)),
                scope_spans=[
                    ScopeSpans(
                        scope=InstrumentationScope(
                            name=scope_name,
                            version=scope_version,
                            attributes=to_key_values(scope_attributes),
                        ),
                        spans=list(spans),
                    )
                ],
            )
        ]
    )


def _base64_to_hex(message: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if key in message:
            # MessageToDict writes bytes as standard base64; OTLP/JSON wants ids as hex.
            message[key] = base64.b64decode(message[key]).hex()


def request_to_json(request: ExportTraceServiceRequest) -> dict[str, Any]:
    """The OTLP/JSON form of ``request`` as the specification defines it: lowerCamelCase keys, ids as
    lowercase hex, int64 as decimal strings, enums as integers, ``bytesValue`` as base64."""
    body: dict[str, Any] = MessageToDict(request, use_integers_for_enums=True)
    for resource_spans in body.get("resourceSpans", ()):
        for scope_spans in resource_spans.get("scopeSpans", ()):
            for span in scope_spans.get("spans", ()):
                _base64_to_hex(span, "traceId", "spanId", "parentSpanId")
                for link in span.get("links", ()):
                    _base64_to_hex(link, "traceId", "spanId")
    return body
