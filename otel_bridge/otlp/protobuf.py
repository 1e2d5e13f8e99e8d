"""OTLP protobuf ``ExportTraceServiceRequest`` → ``SpanRecord``s (OTLP/HTTP protobuf and OTLP/gRPC).

The request is walked once: resource attributes and the instrumentation scope are decoded once per
``ResourceSpans`` / ``ScopeSpans`` and shared by their spans (treat them as read-only), ids become
lowercase hex with ``bytes.hex()``, times stay nanoseconds. Each span goes through ``validate``
and becomes a record or a ``Rejected``; a body upb cannot parse raises ``DecodeError``.
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.message import DecodeError as ProtobufDecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otel_bridge.errors import DecodeError
from otel_bridge.model import (
    InstrumentationScope,
    Rejected,
    SpanEvent,
    SpanKind,
    SpanLink,
    SpanRecord,
    SpanStatus,
    StatusCode,
    build,
)
from otel_bridge.otlp.result import DecodeResult
from otel_bridge.otlp.validate import ids_and_times_are_valid, parent_id, span_problem
from otel_bridge.otlp.values import attributes

__all__ = ["decode_protobuf", "decode_request"]

# OTLP enum numbers → model enums, in declaration order (Span.SpanKind 0-5, Status.StatusCode 0-2).
# Proto3 enums are open: a number from a newer OTLP maps to UNSPECIFIED / UNSET.
_KINDS: dict[int, SpanKind] = dict(enumerate(SpanKind))
_STATUS_CODES: dict[int, StatusCode] = dict(enumerate(StatusCode))
_UNSPECIFIED = SpanKind.UNSPECIFIED
_UNSET = StatusCode.UNSET
_NO_STATUS = SpanStatus()


def decode_protobuf(body: bytes) -> DecodeResult:
    """Decode an OTLP/HTTP protobuf body (already decompressed)."""
    try:
        request = ExportTraceServiceRequest.FromString(body)
    except (ProtobufDecodeError, TypeError) as error:
        # upb says "Error parsing message with type '...': <what>"; keep <what>.
        detail = str(error).rpartition("': ")[2] or str(error)
        raise DecodeError(
            f"OTLP protobuf body could not be parsed as ExportTraceServiceRequest: {detail}"
        ) from None
    return decode_request(request)


def decode_request(request: ExportTraceServiceRequest) -> DecodeResult:
    """Decode an already parsed request (the OTLP/gRPC path)."""
    records: list[SpanRecord] = []
    rejected: list[Rejected] = []
    record = records.append
    for resource_spans in request.resource_spans:
        resource_attributes = attributes(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope_message = scope_spans.scope
            scope = InstrumentationScope(
                scope_message.name, scope_message.version, attributes(scope_message.attributes)
            )
            for span in scope_spans.spans:
                trace_id = span.trace_id
                span_id = span.span_id
                parent_span_id = span.parent_span_id
                start = span.start_time_unix_nano
                # A missing end time (0) is accepted as end = start: see validate.py.
                end = span.end_time_unix_nano or start
                if not ids_and_times_are_valid(trace_id, span_id, parent_span_id, start, end):
                    reason = span_problem(trace_id, span_id, parent_span_id, start, end)
                    if reason is not None:
                        rejected.append(Rejected(trace_id.hex(), span_id.hex(), reason))
                        continue
                status = span.status
                code = status.code
                message = status.message
                events = span.events
                links = span.links
                # build() skips the frozen dataclass __init__ (14 object.__setattr__ calls).
                record(
                    build(
                        SpanRecord,
                        {
                            "trace_id": trace_id.hex(),
                            "span_id": span_id.hex(),
                            "parent_span_id": parent_id(parent_span_id),
                            "name": span.name,
                            "start_time_unix_nano": start,
                            "end_time_unix_nano": end,
                            "attributes": attributes(span.attributes),
                            "resource_attributes": resource_attributes,
                            "scope": scope,
                            "kind": _KINDS.get(span.kind, _UNSPECIFIED),
                            "status": SpanStatus(_STATUS_CODES.get(code, _UNSET), message)
                            if code or message
                            else _NO_STATUS,
                            "events": _events(events) if events else (),
                            "links": _links(links) if links else (),
                            "trace_state": span.trace_state,
                        },
                    )
                )
    return DecodeResult(tuple(records), tuple(rejected))


def _events(events: Iterable[Span.Event]) -> tuple[SpanEvent, ...]:
    return tuple(
        [SpanEvent(event.name, event.time_unix_nano, attributes(event.attributes)) for event in events]
    )


def _links(links: Iterable[Span.Link]) -> tuple[SpanLink, ...]:
    # Link ids are kept as sent, not validated: see validate.py.
    return tuple(
        [SpanLink(link.trace_id.hex(), link.span_id.hex(), attributes(link.attributes)) for link in links]
    )
