"""OTel SDK ``ReadableSpan`` → ``SpanRecord``: the in-process exporter's entry into the one neutral
shape every transport converges on (docs/architecture.md, data flow).

The result is what the OTLP decoder makes of the same span sent over the wire (a test encodes spans
with the OTel exporter's own encoder and compares): ids lowercase hex, times in nanoseconds,
attribute values plain Python with arrays as lists, a missing end time as the start. Resource
attributes and scopes are converted once per distinct object and shared by their spans, as the
decoder shares them per ``ResourceSpans`` / ``ScopeSpans`` (the translator caches per resource).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope as SdkScope
from opentelemetry.trace import SpanKind as SdkSpanKind
from opentelemetry.trace import StatusCode as SdkStatusCode

from otel_bridge.model import (
    AttributeValue,
    InstrumentationScope,
    SpanEvent,
    SpanKind,
    SpanLink,
    SpanRecord,
    SpanStatus,
    StatusCode,
)

__all__ = ["span_to_record", "spans_to_records"]

_KINDS = {kind: SpanKind[kind.name] for kind in SdkSpanKind}
_STATUS_CODES = {code: StatusCode[code.name] for code in SdkStatusCode}
_NO_SCOPE = InstrumentationScope()


def spans_to_records(spans: Iterable[ReadableSpan]) -> list[SpanRecord]:
    """Every span as a ``SpanRecord``, in order."""
    resources: dict[int, Mapping[str, AttributeValue]] = {}
    scopes: dict[int, InstrumentationScope] = {}
    return [_record(span, resources, scopes) for span in spans]


def span_to_record(span: ReadableSpan) -> SpanRecord:
    """One span as a ``SpanRecord``."""
    return _record(span, {}, {})


def _record(
    span: ReadableSpan,
    resources: dict[int, Mapping[str, AttributeValue]],
    scopes: dict[int, InstrumentationScope],
) -> SpanRecord:
    context = span.get_span_context()
    if context is None:  # only a non-recording span lacks one, and those are never exported
        raise ValueError(f"span {span.name!r} has no span context")
    resource = span.resource
    resource_attributes = resources.get(id(resource))
    if resource_attributes is None:
        resource_attributes = resources[id(resource)] = attributes(resource.attributes)
    scope = _scope(span.instrumentation_scope, scopes)
    start = span.start_time or 0
    status = span.status
    description = status.description or ""
    return SpanRecord(
        trace_id=format(context.trace_id, "032x"),
        span_id=format(context.span_id, "016x"),
        parent_span_id=format(span.parent.span_id, "016x") if span.parent and span.parent.span_id else None,
        name=span.name,
        start_time_unix_nano=start,
        end_time_unix_nano=span.end_time or start,
        attributes=attributes(span.attributes),
        resource_attributes=resource_attributes,
        scope=scope,
        kind=_KINDS.get(span.kind, SpanKind.UNSPECIFIED),
        status=SpanStatus(_STATUS_CODES[status.status_code], description),
        events=tuple(
            SpanEvent(event.name, event.timestamp, attributes(event.attributes)) for event in span.events
        ),
        links=tuple(
            SpanLink(
                format(link.context.trace_id, "032x"),
                format(link.context.span_id, "016x"),
                attributes(link.attributes),
            )
            for link in span.links
        ),
        # The W3C ``tracestate`` header form, as the OTLP encoder writes it.
        trace_state=",".join(f"{key}={value}" for key, value in context.trace_state.items()),
    )


def _scope(scope: SdkScope | None, scopes: dict[int, InstrumentationScope]) -> InstrumentationScope:
    if scope is None:
        return _NO_SCOPE
    found = scopes.get(id(scope))
    if found is None:
        found = scopes[id(scope)] = InstrumentationScope(
            scope.name or "", scope.version or "", attributes(scope.attributes)
        )
    return found


def attributes(values: Mapping[str, Any] | None) -> dict[str, AttributeValue]:
    """SDK attributes (tuples for arrays) as plain values (lists for arrays)."""
    if not values:
        return {}
    return {key: _value(value) for key, value in values.items()}


def _value(value: Any) -> AttributeValue:
    if isinstance(value, (str, bool, int, float, bytes)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(key): _value(item) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [_value(item) for item in value]
    # Not an OTel attribute type (the SDK drops those); its text keeps it visible in metadata.
    return str(value)
