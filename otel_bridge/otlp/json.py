"""OTLP/JSON ``ExportTraceServiceRequest`` → ``SpanRecord``s (OTLP/HTTP ``application/json``).

The body is parsed with ``json.loads`` and walked once. Field names are read in lowerCamelCase and,
when absent, in the proto spelling (``traceId`` or ``trace_id``); unknown fields are ignored; ids
are hex (any case, lowercased); the value rules are in ``json_values.py``.

Each span is first read by ``_canonical_span``, a fast path for the shape OTLP exporters write;
any span it cannot read goes through ``_span``, which accepts every spelling the encoding allows
and names the broken rule.

What is wrong decides what is refused:

- a body that is not JSON, not an object with ``resourceSpans``, or whose structure *above* the
  spans is broken (``resourceSpans`` not an array, an undecodable resource or scope attribute, a span
  that is not an object) raises ``DecodeError`` naming the path, e.g.
  ``OTLP/JSON resourceSpans[0].resource.attributes[2].value: intValue 'x' is not an integer``;
- a problem inside one span (an id, a time, an attribute, an event, a link) rejects that span only,
  with a reason naming the rule (the id and time rules of ``validate.py``) or the path of the bad
  value (``resourceSpans[0].scopeSpans[1].spans[2].attributes[0].value: intValue 'abc' is not an
  integer``).

An empty object (``{}``) is an empty request, as the proto3 JSON mapping writes one; an object
with other fields but no ``resourceSpans`` is refused, as it is most likely not OTLP at all.
"""

from __future__ import annotations

import json
from typing import Any

from otel_bridge.errors import DecodeError
from otel_bridge.model import (
    AttributeValue,
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
from otel_bridge.otlp.json_values import InvalidValue, attributes, uint64
from otel_bridge.otlp.result import DecodeResult
from otel_bridge.otlp.validate import (
    SPAN_ID_BYTES,
    TRACE_ID_BYTES,
    InvalidSpan,
    hex_id,
    ids_and_times_are_valid,
    parent_id,
    span_problem,
)

__all__ = ["decode_json"]

_BODY_SHAPE = "OTLP/JSON body must be an object with 'resourceSpans'"

# Enum numbers and names → model enums. Proto3 enums are open: an unknown number or name maps to
# UNSPECIFIED / UNSET, as the protobuf decoder does.
_KINDS: dict[object, SpanKind] = {}
for _number, _kind in enumerate(SpanKind):
    _KINDS[_number] = _KINDS[f"SPAN_KIND_{_kind.value}"] = _kind
_STATUS_CODES: dict[object, StatusCode] = {}
for _number, _code in enumerate(StatusCode):
    _STATUS_CODES[_number] = _STATUS_CODES[f"STATUS_CODE_{_code.value}"] = _code
_NO_STATUS = SpanStatus()
_UINT64_MAX = (1 << 64) - 1


def decode_json(body: bytes | str) -> DecodeResult:
    """Decode an OTLP/JSON body (already decompressed; bytes in UTF-8, -16 or -32, or text)."""
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        raise DecodeError(
            f"OTLP/JSON body is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except UnicodeDecodeError as error:
        raise DecodeError(f"OTLP/JSON body is not valid UTF-8: {error}") from None
    except RecursionError:
        raise DecodeError("OTLP/JSON body is nested too deeply") from None
    except TypeError as error:  # neither bytes nor text
        raise DecodeError(f"OTLP/JSON body must be bytes or text: {error}") from None
    if type(document) is not dict:
        raise DecodeError(_BODY_SHAPE)
    resource_spans_list = _field(document, "resourceSpans", "resource_spans")
    if resource_spans_list is None:
        if document:
            raise DecodeError(_BODY_SHAPE)
        return DecodeResult((), ())
    try:
        return _walk(resource_spans_list)
    except InvalidValue as problem:
        raise DecodeError(f"OTLP/JSON {problem.where}: {problem.detail}") from None
    except RecursionError:  # arrayValue / kvlistValue nested deeper than Python's stack
        raise DecodeError("OTLP/JSON body is nested too deeply") from None


def _walk(resource_spans_list: object) -> DecodeResult:
    records: list[SpanRecord] = []
    rejected: list[Rejected] = []
    record = records.append
    for r_index, resource_spans_value in enumerate(_array(resource_spans_list, "resourceSpans")):
        r_path = f"resourceSpans[{r_index}]"
        resource_spans = _object(resource_spans_value, r_path)
        resource = _object(resource_spans.get("resource"), f"{r_path}.resource")
        resource_attributes = _attributes_at(resource.get("attributes"), f"{r_path}.resource.attributes")
        scope_spans_list = _field(resource_spans, "scopeSpans", "scope_spans")
        for s_index, scope_spans_value in enumerate(_array(scope_spans_list, f"{r_path}.scopeSpans")):
            s_path = f"{r_path}.scopeSpans[{s_index}]"
            scope_spans = _object(scope_spans_value, s_path)
            scope = _scope(_object(scope_spans.get("scope"), f"{s_path}.scope"), f"{s_path}.scope")
            for index, span in enumerate(_array(scope_spans.get("spans"), f"{s_path}.spans")):
                try:
                    record(_canonical_span(span, resource_attributes, scope))
                    continue
                except _NOT_CANONICAL:
                    pass
                if type(span) is not dict:
                    raise InvalidValue(
                        f"a span must be an object, got {type(span).__name__}", f"{s_path}.spans[{index}]"
                    )
                try:
                    record(_span(span, resource_attributes, scope))
                except InvalidSpan as problem:
                    rejected.append(_rejected(span, problem.reason))
                except InvalidValue as problem:
                    rejected.append(
                        _rejected(span, f"{s_path}.spans[{index}]{problem.where}: {problem.detail}")
                    )
    return DecodeResult(tuple(records), tuple(rejected))


class _NotCanonical(Exception):
    """The span is not in the shape ``_canonical_span`` reads."""


# What ``_canonical_span`` (and ``_events``) raise on a span they cannot read.
_NOT_CANONICAL = (_NotCanonical, InvalidValue, KeyError, TypeError, ValueError, AttributeError)


def _canonical_span(
    span: dict[str, Any], resource_attributes: dict[str, AttributeValue], scope: InstrumentationScope
) -> SpanRecord:
    """The fast path: a valid span as OTLP exporters write it (lowerCamelCase names, hex ids, times
    as decimal strings or integers, a name, enums as numbers or names). For anything else it raises
    one of ``_NOT_CANONICAL``; a span both it and ``_span`` read gives the same record."""
    trace_id = bytes.fromhex(span["traceId"])
    span_id = bytes.fromhex(span["spanId"])
    parent_span_id = span.get("parentSpanId")
    parent_span_id = bytes.fromhex(parent_span_id) if parent_span_id else b""
    start = span["startTimeUnixNano"]
    if type(start) is str:
        start = int(start)
    end = span["endTimeUnixNano"]
    if type(end) is str:
        end = int(end)
    name = span["name"]
    kind = span.get("kind")
    if kind is None:
        kind = SpanKind.UNSPECIFIED
    elif type(kind) is int or type(kind) is str:
        kind = _KINDS[kind]  # an unknown number or name raises KeyError: _span maps it
    else:
        raise _NotCanonical
    trace_state = span.get("traceState", "")
    if not (
        type(start) is int
        and type(end) is int
        and end <= _UINT64_MAX
        and type(name) is str
        and type(trace_state) is str
        and ids_and_times_are_valid(trace_id, span_id, parent_span_id, start, end)
    ):
        raise _NotCanonical
    status = span.get("status")
    events = span.get("events")
    links = span.get("links")
    # build() skips the frozen dataclass __init__ (14 object.__setattr__ calls).
    return build(
        SpanRecord,
        {
            "trace_id": trace_id.hex(),
            "span_id": span_id.hex(),
            "parent_span_id": parent_id(parent_span_id),
            "name": name,
            "start_time_unix_nano": start,
            "end_time_unix_nano": end,
            "attributes": attributes(span.get("attributes")),
            "resource_attributes": resource_attributes,
            "scope": scope,
            "kind": kind,
            "status": _status(status) if status else _NO_STATUS,
            "events": _events(events) if events else (),
            "links": _links(links) if links else (),
            "trace_state": trace_state,
        },
    )


def _span(
    span: dict[str, Any], resource_attributes: dict[str, AttributeValue], scope: InstrumentationScope
) -> SpanRecord:
    """Any span: both spellings of every field, ``null`` as absent. Raises ``InvalidSpan`` (an id or
    time rule) or ``InvalidValue`` (an undecodable value, with its path below the span)."""
    trace_id = hex_id("trace_id", _field(span, "traceId", "trace_id"), TRACE_ID_BYTES)
    span_id = hex_id("span_id", _field(span, "spanId", "span_id"), SPAN_ID_BYTES)
    parent_span_id = hex_id("parent_span_id", _field(span, "parentSpanId", "parent_span_id"), SPAN_ID_BYTES)
    start = uint64(_field(span, "startTimeUnixNano", "start_time_unix_nano"), "startTimeUnixNano")
    # A missing end time (0) is accepted as end = start: see validate.py.
    end = uint64(_field(span, "endTimeUnixNano", "end_time_unix_nano"), "endTimeUnixNano") or start
    if not ids_and_times_are_valid(trace_id, span_id, parent_span_id, start, end):
        reason = span_problem(trace_id, span_id, parent_span_id, start, end)
        if reason is not None:
            raise InvalidSpan(reason)
    kind = span.get("kind")
    status = span.get("status")
    events = span.get("events")
    links = span.get("links")
    return build(
        SpanRecord,
        {
            "trace_id": trace_id.hex(),
            "span_id": span_id.hex(),
            "parent_span_id": parent_id(parent_span_id),
            "name": _string(span.get("name"), "name"),
            "start_time_unix_nano": start,
            "end_time_unix_nano": end,
            "attributes": _attributes_at(span.get("attributes"), ".attributes"),
            "resource_attributes": resource_attributes,
            "scope": scope,
            "kind": SpanKind.UNSPECIFIED
            if kind is None
            else _enum(kind, _KINDS, SpanKind.UNSPECIFIED, "kind"),
            "status": _status(status) if status else _NO_STATUS,
            "events": _events(events) if events else (),
            "links": _links(links) if links else (),
            "trace_state": _string(_field(span, "traceState", "trace_state"), "traceState"),
        },
    )


def _events(events: object) -> tuple[SpanEvent, ...]:
    try:  # the canonical shape, fast; _checked_events reads (and explains) anything else
        decoded = []
        for event in events:  # type: ignore[attr-defined]
            name = event["name"]
            time = event["timeUnixNano"]
            if type(time) is str:
                time = int(time)
            if type(name) is not str or type(time) is not int or not 0 <= time <= _UINT64_MAX:
                raise _NotCanonical
            decoded.append(SpanEvent(name, time, attributes(event.get("attributes"))))
        return tuple(decoded)
    except _NOT_CANONICAL:
        return _checked_events(events)


def _checked_events(events: object) -> tuple[SpanEvent, ...]:
    decoded = []
    for index, event_value in enumerate(_array(events, ".events")):
        where = f".events[{index}]"
        event = _object(event_value, where)
        try:
            name = _string(event.get("name"), "name")
            time = uint64(_field(event, "timeUnixNano", "time_unix_nano"), "timeUnixNano")
        except InvalidValue as problem:
            raise problem.under(where) from None
        decoded.append(SpanEvent(name, time, _attributes_at(event.get("attributes"), f"{where}.attributes")))
    return tuple(decoded)


def _links(links: object) -> tuple[SpanLink, ...]:
    decoded = []
    for index, link_value in enumerate(_array(links, ".links")):
        where = f".links[{index}]"
        link = _object(link_value, where)
        trace_id = _field(link, "traceId", "trace_id")
        span_id = _field(link, "spanId", "span_id")
        # Link ids are kept as sent, only checked to be hex: see validate.py.
        try:
            trace_hex = bytes.fromhex(_string(trace_id, "traceId")).hex()
            span_hex = bytes.fromhex(_string(span_id, "spanId")).hex()
        except ValueError:
            raise InvalidValue(f"link ids must be hex, got {trace_id!r} and {span_id!r}", where) from None
        decoded.append(
            SpanLink(trace_hex, span_hex, _attributes_at(link.get("attributes"), f"{where}.attributes"))
        )
    return tuple(decoded)


def _status(value: object) -> SpanStatus:
    status = _object(value, ".status")
    code = status.get("code")
    code = StatusCode.UNSET if code is None else _enum(code, _STATUS_CODES, StatusCode.UNSET, "status.code")
    message = _string(status.get("message"), "status.message")
    return SpanStatus(code, message) if code is not StatusCode.UNSET or message else _NO_STATUS


def _scope(scope: dict[str, Any], where: str) -> InstrumentationScope:
    try:
        name = _string(scope.get("name"), "name")
        version = _string(scope.get("version"), "version")
    except InvalidValue as problem:
        raise problem.under(where) from None
    return InstrumentationScope(name, version, _attributes_at(scope.get("attributes"), f"{where}.attributes"))


def _rejected(span: dict[str, Any], reason: str) -> Rejected:
    """A rejection carrying the ids as the span wrote them ('' when they are not text)."""
    trace_id = _field(span, "traceId", "trace_id")
    span_id = _field(span, "spanId", "span_id")
    return Rejected(
        trace_id if type(trace_id) is str else "", span_id if type(span_id) is str else "", reason
    )


def _enum(value: object, table: dict[object, Any], unknown: Any, field: str) -> Any:
    if type(value) is int or type(value) is str:
        return table.get(value, unknown)
    raise InvalidValue(f"{field} {value!r} is not an enum number or name")


def _field(mapping: dict[str, Any], camel: str, snake: str) -> Any:
    """A field by its lowerCamelCase name, else by its proto name (``null`` is absent)."""
    value = mapping.get(camel)
    return mapping.get(snake) if value is None else value


def _array(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise InvalidValue(f"must be an array, got {type(value).__name__}", where)
    return value


def _object(value: object, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if type(value) is not dict:
        raise InvalidValue(f"must be an object, got {type(value).__name__}", where)
    return value


def _string(value: object, field: str) -> str:
    if value is None:
        return ""
    if type(value) is not str:
        raise InvalidValue(f"{field} {value!r} is not a string")
    return value


def _attributes_at(items: object, where: str) -> dict[str, AttributeValue]:
    try:
        return attributes(items)
    except InvalidValue as problem:
        raise problem.under(where) from None
