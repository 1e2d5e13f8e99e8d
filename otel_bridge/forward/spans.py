"""A resolved trace → OTLP spans carrying the ``langfuse.*`` keys Langfuse's OTel endpoint reads.

Langfuse's newer ingestion reads the session, user, trace name, tags, environment and release from
each span alone, and several conventions not at all (docs/reference/conventions.md §0 and §1.3): so
every span leaves here with the *trace's* resolved values, and with the observation's translated
fields under the keys of §1.5 and §2, whatever convention it arrived in:

- on every span: ``langfuse.session.id``, ``langfuse.user.id``, ``langfuse.trace.name``,
  ``langfuse.trace.tags``, ``langfuse.environment``, ``langfuse.release``, ``langfuse.version``,
  ``langfuse.trace.public`` (each when the trace has one);
- on the trace's root (or the span standing in for a missing one): ``langfuse.trace.input``,
  ``langfuse.trace.output`` and ``langfuse.trace.metadata``, which Langfuse takes from the root only;
- per observation: ``langfuse.observation.type``, ``.model.name``, ``.model.parameters``,
  ``.usage_details``, ``.cost_details`` (explicit costs only: a cost otel-bridge computed from its price
  table is the receiver's to compute, as in ``sdk/langfuse_events.py``), ``.level``,
  ``.status_message``, ``.input``, ``.output``, ``.completion_start_time``, ``.prompt.name/version``
  and ``.metadata``; JSON values as JSON text, as the Langfuse SDKs write them.

What the translator did not map is sent as it arrived: the span's unmapped attributes, its resource
and scope (Langfuse's framework branches key on the scope name), and the events and links that were
not turned into input or output. The mapped source attributes are left out: their translation is
what the ``langfuse.*`` keys say, and a receiver reading both could disagree with it.

The span ids, parents, names and times are the observation's, so a receiver that upserts by id
(Langfuse, ``otel-bridge serve``) converges whatever is sent again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import InstrumentationScope
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from otel_bridge.model import Observation, ObservationLevel, ObservationType, Trace, Usage, datetime_to_nanos
from otel_bridge.model.langfuse_wire import (
    CACHED_TOKENS_DETAIL,
    REASONING_TOKENS_DETAIL,
    cost_details,
    iso,
    usage_details,
)
from otel_bridge.otlp.encode import to_key_values
from otel_bridge.sdk.serialize import to_jsonable
from otel_bridge.translate.payloads import resolve_payload

__all__ = ["claims_digest", "encode_spans", "otlp_id", "span_attributes", "trace_attributes"]

#: Metadata keys the translator adds beside the observation's own metadata; they are sent as
#: attributes, resource, scope, events and links instead.
_STRUCTURAL_METADATA = frozenset({"attributes", "resourceAttributes", "scope", "events", "links"})
_ERROR = Status.StatusCode.STATUS_CODE_ERROR
_VERCEL_OPERATION = "ai.operationId"
_VERCEL_TOOL_NAME = "ai.toolCall.name"


_HEX = re.compile(r"[0-9a-f]+")


def otlp_id(value: str, size: int) -> bytes:
    """An id as OTLP bytes of ``size`` (16 for traces, 8 for spans). OTLP ids (hex of that size) are
    kept; ids from Langfuse's ingestion API (UUIDs, any text) are hashed to that size, the same way
    every time, so a trace sent again keeps its ids and its spans their parents."""
    if len(value) == 2 * size and _HEX.fullmatch(value):
        return bytes.fromhex(value)
    return hashlib.sha256(value.encode()).digest()[:size]


def _json(value: Any) -> str:
    try:  # plain JSON values, nearly always: json alone is several times faster
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))


def trace_attributes(trace: Trace) -> dict[str, Any]:
    """The trace-level keys every span of ``trace`` carries."""
    attributes: dict[str, Any] = {}
    for key, value in (
        ("langfuse.session.id", trace.session_id),
        ("langfuse.user.id", trace.user_id),
        ("langfuse.trace.name", trace.name),
        ("langfuse.release", trace.release),
        ("langfuse.version", trace.version),
    ):
        if value:
            attributes[key] = value
    if trace.tags:
        attributes["langfuse.trace.tags"] = list(trace.tags)
    attributes["langfuse.environment"] = trace.environment
    if trace.public:
        attributes["langfuse.trace.public"] = True
    return attributes


def _root_attributes(trace: Trace) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    trace_input, trace_output = resolve_payload(trace.input), resolve_payload(trace.output)
    if trace_input is not None:
        attributes["langfuse.trace.input"] = _json(trace_input)
    if trace_output is not None:
        attributes["langfuse.trace.output"] = _json(trace_output)
    if trace.metadata:
        attributes["langfuse.trace.metadata"] = _json(trace.metadata)
    return attributes


def span_attributes(trace: Trace, observation: Observation) -> dict[str, Any]:
    """Every attribute of ``observation``'s span: its unmapped ones as they arrived, then the
    ``langfuse.*`` keys (the module docstring lists them)."""
    o = observation
    unmapped = o.metadata.get("attributes")
    attributes: dict[str, Any] = dict(unmapped) if isinstance(unmapped, Mapping) else {}
    attributes.update(trace_attributes(trace))
    if o.id == trace.root_observation_id:
        attributes.update(_root_attributes(trace))
    attributes["langfuse.observation.type"] = o.type.value.lower()
    attributes["langfuse.observation.level"] = o.level.value
    explicit_cost = None if o.cost is None or o.cost.computed else cost_details(o.cost)
    own_metadata = {k: v for k, v in o.metadata.items() if k not in _STRUCTURAL_METADATA}
    optional: tuple[tuple[str, Any], ...] = (
        ("langfuse.observation.model.name", o.model),
        ("langfuse.observation.model.parameters", _json(o.model_parameters) if o.model_parameters else None),
        ("langfuse.observation.usage_details", _json(_usage(o.usage)) if o.usage else None),
        ("langfuse.observation.cost_details", _json(explicit_cost) if explicit_cost else None),
        ("langfuse.observation.status_message", o.status_message),
        ("langfuse.observation.input", _optional_json(o.input)),
        ("langfuse.observation.output", _optional_json(o.output)),
        (
            "langfuse.observation.completion_start_time",
            _json(iso(o.completion_start_time)) if o.completion_start_time else None,
        ),
        ("langfuse.observation.prompt.name", o.prompt_name),
        ("langfuse.observation.prompt.version", o.prompt_version),
        ("langfuse.observation.metadata", _json(own_metadata) if own_metadata else None),
    )
    attributes.update((key, value) for key, value in optional if value is not None)
    if o.type is ObservationType.TOOL and _VERCEL_OPERATION in attributes:
        # The AI SDK's tool-call spans are named by ``ai.toolCall.name``, which the translator maps;
        # without it, a receiver names them ``<functionId>:<operationId>`` from the attributes that
        # stay (conventions.md §1.5, both in Langfuse and in otel-bridge).
        attributes[_VERCEL_TOOL_NAME] = o.name
    return attributes


def _usage(usage: Usage) -> dict[str, int]:
    """``usageDetails`` with the cached and reasoning counts even when 0: a receiver then takes all
    counts from here, and a zero count the source span also carried under a convention's key (left
    unmapped, the translator had its count already) stays an unmapped attribute there too."""
    return {
        CACHED_TOKENS_DETAIL: usage.cached,
        REASONING_TOKENS_DETAIL: usage.reasoning,
        **usage_details(usage),
    }


def _optional_json(value: Any) -> str | None:
    resolved = resolve_payload(value)
    return None if resolved is None else _json(resolved)


def _span(trace: Trace, o: Observation) -> Span:
    events = o.metadata.get("events")
    links = o.metadata.get("links")
    return Span(
        trace_id=otlp_id(o.trace_id, 16),
        span_id=otlp_id(o.id, 8),
        parent_span_id=otlp_id(o.parent_observation_id, 8) if o.parent_observation_id else b"",
        name=o.name,
        kind=Span.SpanKind.SPAN_KIND_INTERNAL,
        start_time_unix_nano=datetime_to_nanos(o.start_time),
        end_time_unix_nano=datetime_to_nanos(o.end_time),
        attributes=to_key_values(span_attributes(trace, o)),
        events=[
            Span.Event(
                name=str(event.get("name", "")),
                time_unix_nano=int(event.get("timeUnixNano", 0)),
                attributes=to_key_values(event.get("attributes")),
            )
            for event in (events if isinstance(events, list) else ())
            if isinstance(event, Mapping)
        ],
        links=[
            Span.Link(
                trace_id=otlp_id(str(link["traceId"]), 16),
                span_id=otlp_id(str(link["spanId"]), 8),
                attributes=to_key_values(link.get("attributes")),
            )
            for link in (links if isinstance(links, list) else ())
            if isinstance(link, Mapping) and "traceId" in link and "spanId" in link
        ],
        status=Status(code=_ERROR, message=o.status_message or "")
        if o.level is ObservationLevel.ERROR
        else Status(),
    )


def claims_digest(trace: Trace) -> str:
    """A digest of what every span of ``trace`` carries about it, and of what its root carries
    (input, output, metadata): when it changes, every span is sent again."""
    values = [
        trace_attributes(trace),
        to_jsonable(resolve_payload(trace.input)),
        to_jsonable(resolve_payload(trace.output)),
        to_jsonable(trace.metadata),
    ]
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _group_key(o: Observation) -> tuple[str, str]:
    """Observations of one resource and scope share a ``ResourceSpans``/``ScopeSpans``."""
    return (
        _json(o.metadata.get("resourceAttributes") or {}),
        _json(o.metadata.get("scope") or {}),
    )


def encode_spans(traces: Iterable[tuple[Trace, Sequence[Observation]]]) -> ExportTraceServiceRequest:
    """One export request holding the given observations of each trace, grouped by resource and
    scope as they arrived."""
    groups: dict[tuple[str, str], list[Span]] = {}
    for trace, observations in traces:
        for o in observations:
            groups.setdefault(_group_key(o), []).append(_span(trace, o))
    by_resource: dict[str, list[ScopeSpans]] = {}
    for (resource_text, scope_text), spans in groups.items():
        scope = json.loads(scope_text)
        by_resource.setdefault(resource_text, []).append(
            ScopeSpans(
                scope=InstrumentationScope(
                    name=str(scope.get("name", "")),
                    version=str(scope.get("version", "")),
                    attributes=to_key_values(scope.get("attributes")),
                ),
                spans=spans,
            )
        )
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(resource=Resource(attributes=to_key_values(json.loads(text))), scope_spans=scopes)
            for text, scopes in by_resource.items()
        ]
    )
