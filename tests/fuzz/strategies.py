"""Hypothesis strategies for hostile request bodies: valid, mutated and random OTLP protobuf and
OTLP/JSON export requests, and Langfuse ingestion batches.

What they reach for, beyond well-formed requests: ``AnyValue`` nested deep (arrays in key-value lists
in arrays...), many attributes and duplicate keys, invalid UTF-8 in string fields, NaN and
infinities, negative and overflowing times (uint64 and beyond), zero, short and long ids, the same
span id twice in one request, unknown enum numbers; then byte-level mutations of all of that
(flipped, inserted, deleted, truncated bytes) and bytes with no structure at all.

Ids never start with ``fe``: the fuzz tests seed data under such ids first and check, after every
input, that it is unchanged (``SEEDED_PREFIX``).
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

from otel_bridge.testing import request_to_json

#: Seeded objects have ids starting with this byte; generated ids never do.
SEEDED_PREFIX = 0xFE

#: A placeholder the generated strings may contain, replaced by invalid UTF-8 in the encoded body.
INVALID_UTF8_MARK = "\u2603bad\u2603"
INVALID_UTF8 = b"\xff\xfe\xc3("

_T0 = 1_735_689_600_000_000_000

text = st.one_of(
    st.sampled_from(
        ["", "session.id", "user.id", "gen_ai.usage.input_tokens", "input.value", INVALID_UTF8_MARK]
    ),
    st.text(max_size=40),
)
keys = st.one_of(
    st.sampled_from(
        [
            "session.id",
            "user.id",
            "langfuse.session.id",
            "langfuse.trace.name",
            "langfuse.observation.type",
            "gen_ai.operation.name",
            "gen_ai.request.model",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.prompt",
            "input.value",
            "output.value",
            "llm.token_count.prompt",
            "openinference.span.kind",
            "traceloop.entity.input",
            "ai.prompt.messages",
            "langfuse.trace.metadata.x",
            "",
        ]
    ),
    st.text(max_size=20),
)
floats = st.one_of(st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308]), st.floats())
int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def _scalar_value() -> st.SearchStrategy[AnyValue]:
    return st.one_of(
        text.map(lambda v: AnyValue(string_value=v)),
        st.booleans().map(lambda v: AnyValue(bool_value=v)),
        int64.map(lambda v: AnyValue(int_value=v)),
        floats.map(lambda v: AnyValue(double_value=v)),
        st.binary(max_size=24).map(lambda v: AnyValue(bytes_value=v)),
        st.just(AnyValue()),
    )


def _nest(children: st.SearchStrategy[AnyValue]) -> st.SearchStrategy[AnyValue]:
    return st.one_of(
        st.lists(children, max_size=4).map(lambda vs: AnyValue(array_value=ArrayValue(values=vs))),
        st.lists(st.tuples(keys, children), max_size=4).map(
            lambda kvs: AnyValue(kvlist_value=KeyValueList(values=[KeyValue(key=k, value=v) for k, v in kvs]))
        ),
    )


any_values = st.recursive(_scalar_value(), _nest, max_leaves=6)


def deep_value(depth: int) -> AnyValue:
    """An array nested ``depth`` levels deep (protobuf stops at 100 message levels, two an array; deeper
    nesting is written as bytes by ``deep_protobuf``)."""
    value = AnyValue(string_value="bottom")
    for _ in range(depth):
        value = AnyValue(array_value=ArrayValue(values=[value]))
    return value


attributes = st.one_of(
    st.lists(st.builds(KeyValue, key=keys, value=any_values), max_size=4),
    st.sampled_from([10, 30, 44]).map(lambda depth: [KeyValue(key="deep", value=deep_value(depth))]),
)


@functools.cache
def many_attributes_protobuf(count: int) -> bytes:
    """A request of one span with ``count`` attributes, keys repeating every 37 (built once: a
    strategy drawing them one by one would spend its time in hypothesis)."""
    span = Span(
        trace_id=bytes.fromhex("0d" * 16),
        span_id=bytes.fromhex("0d" * 8),
        name="crowded",
        start_time_unix_nano=_T0,
        end_time_unix_nano=_T0 + 1,
        attributes=[KeyValue(key=f"k{i % 37}", value=AnyValue(int_value=i)) for i in range(count)],
    )
    request = ExportTraceServiceRequest(
        resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=[span])])]
    )
    return request.SerializeToString()


@functools.cache
def many_attributes_json(count: int) -> bytes:
    """The same request as OTLP/JSON."""
    request = ExportTraceServiceRequest.FromString(many_attributes_protobuf(count))
    return json.dumps(request_to_json(request)).encode()


COUNTS = st.sampled_from([100, 1024, 1025, 5000])


def _varint(number: int) -> bytes:
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


@functools.cache
def deep_protobuf(depth: int) -> bytes:
    """An export request of one span whose attribute is an array nested ``depth`` levels deep,
    encoded by hand (field numbers of opentelemetry/proto/trace/v1/trace.proto and common.proto)."""
    value = _field(1, b"bottom")  # AnyValue.string_value
    for _ in range(depth):
        value = _field(5, _field(1, value))  # AnyValue.array_value → ArrayValue.values
    start = (_T0).to_bytes(8, "little")
    span = (
        _field(1, bytes.fromhex("0c" * 16))
        + _field(2, bytes.fromhex("0c" * 8))
        + _field(5, b"deep")
        + b"\x39"
        + start  # field 7, fixed64
        + b"\x41"
        + start  # field 8, fixed64
        + _field(9, _field(1, b"deep") + _field(2, value))
    )
    return _field(1, _field(2, _field(2, span)))


@functools.cache
def deep_json(depth: int) -> bytes:
    """The same request as OTLP/JSON."""
    value = '{"arrayValue":{"values":[' * depth + '{"stringValue":"bottom"}' + "]}}" * depth
    span = (
        f'{{"traceId":"{"0c" * 16}","spanId":"{"0c" * 8}","name":"deep",'
        f'"startTimeUnixNano":"{_T0}","endTimeUnixNano":"{_T0}",'
        f'"attributes":[{{"key":"deep","value":{value}}}]}}'
    )
    return f'{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{span}]}}]}}]}}'.encode()


DEPTHS = st.sampled_from([100, 101, 200, 250, 260, 300, 960, 1_000, 5_000])


def _id(size: int) -> st.SearchStrategy[bytes]:
    generated = st.one_of(
        st.binary(min_size=size, max_size=size),
        st.sampled_from([bytes(size), b"", b"\x01" * (size + 1), b"\x01" * (size - 1)]),
        st.binary(max_size=size * 2),
    )
    return generated.map(lambda b: bytes([b[0] % SEEDED_PREFIX]) + b[1:] if b else b)


trace_ids = st.one_of(st.sampled_from([bytes.fromhex("0a" * 16), bytes.fromhex("0b" * 16)]), _id(16))
#: A small pool, so that one request often holds the same span id twice.
span_ids = st.one_of(st.sampled_from([bytes.fromhex(f"{n:016x}") for n in (1, 2, 3)]), _id(8))
times = st.one_of(
    st.integers(min_value=_T0, max_value=_T0 + 10**12),
    st.sampled_from([0, 1, 2**63 - 1, 2**63, 2**64 - 1, -1]),
    st.integers(min_value=0, max_value=2**64 - 1),
)


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(times)
    end = draw(st.one_of(times, st.just(start), st.just(start - 1), st.just(start + 1)))
    fields: dict[str, Any] = {
        "trace_id": draw(trace_ids),
        "span_id": draw(span_ids),
        "parent_span_id": draw(st.one_of(st.just(b""), span_ids)),
        "name": draw(text),
        "kind": draw(st.integers(min_value=0, max_value=9)),
        "start_time_unix_nano": start % 2**64,
        "end_time_unix_nano": end % 2**64,
        "attributes": draw(attributes),
        # Codes 3 and 4 are unknown to OTLP: an open enum must take them.
        "status": Status(code=draw(st.integers(min_value=0, max_value=4)), message=draw(text)),  # type: ignore[arg-type]
        "events": [
            Span.Event(name=name, time_unix_nano=t % 2**64, attributes=attrs)
            for name, t, attrs in draw(st.lists(st.tuples(text, times, attributes), max_size=2))
        ],
        "links": [
            Span.Link(trace_id=t, span_id=s)
            for t, s in draw(st.lists(st.tuples(trace_ids, span_ids), max_size=2))
        ],
    }
    return Span(**fields)


@st.composite
def export_requests(draw: st.DrawFn) -> ExportTraceServiceRequest:
    """Structurally valid protobuf messages whose contents break any rule."""
    resource_spans = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        scopes = [
            ScopeSpans(spans=draw(st.lists(spans(), max_size=3)))
            for _ in range(draw(st.integers(min_value=0, max_value=2)))
        ]
        resource_spans.append(
            ResourceSpans(resource=Resource(attributes=draw(attributes)), scope_spans=scopes)
        )
    return ExportTraceServiceRequest(resource_spans=resource_spans)


def _encode_protobuf(request: ExportTraceServiceRequest) -> bytes:
    return request.SerializeToString().replace(INVALID_UTF8_MARK.encode(), INVALID_UTF8)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """``base`` with a few byte-level edits: flips, inserts, deletes, a truncation."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        operation = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        position = draw(st.integers(min_value=0, max_value=max(0, len(data))))
        if operation == "flip" and data:
            index = min(position, len(data) - 1)
            data[index] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=8))]
        elif operation == "truncate":
            del data[position:]
        else:
            data[position:position] = data[position : position + 16]
    return bytes(data)


valid_protobuf = export_requests().map(_encode_protobuf)
protobuf_bodies = st.one_of(
    valid_protobuf,
    mutated(valid_protobuf),
    st.binary(max_size=256),
    DEPTHS.map(deep_protobuf),
    COUNTS.map(many_attributes_protobuf),
)


# -- OTLP/JSON -----------------------------------------------------------------------------------

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), floats, st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=10,
)

#: The places in an OTLP/JSON document worth replacing with anything.
_JSON_FIELDS = (
    "traceId",
    "spanId",
    "parentSpanId",
    "startTimeUnixNano",
    "endTimeUnixNano",
    "attributes",
    "name",
    "kind",
    "status",
    "events",
    "links",
    "intValue",
    "doubleValue",
    "stringValue",
    "arrayValue",
    "kvlistValue",
    "bytesValue",
    "scopeSpans",
    "spans",
    "resource",
)


def _replace_fields(node: Any, replacements: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        return {
            key: replacements[key] if key in replacements else _replace_fields(value, replacements)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_replace_fields(item, replacements) for item in node]
    return node


@st.composite
def json_documents(draw: st.DrawFn) -> bytes:
    """OTLP/JSON: a valid rendering, then some fields swapped for any JSON (NaN, huge ints, wrong
    types), written with ``NaN``/``Infinity`` tokens where floats are not finite."""
    document = request_to_json(draw(export_requests()))
    replaced = draw(st.dictionaries(st.sampled_from(_JSON_FIELDS), json_values, max_size=3))
    document = _replace_fields(document, replaced)
    if draw(st.booleans()):
        document = _replace_fields(
            document, {"startTimeUnixNano": str(draw(st.integers(min_value=-(2**80), max_value=2**80)))}
        )
    text_body = json.dumps(document, allow_nan=True)
    return text_body.encode("utf-8", "surrogatepass").replace(INVALID_UTF8_MARK.encode(), INVALID_UTF8)


json_bodies = st.one_of(
    json_documents(),
    mutated(json_documents()),
    json_values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    st.binary(max_size=128),
    DEPTHS.map(deep_json),
    COUNTS.map(many_attributes_json),
)


# -- Langfuse ingestion --------------------------------------------------------------------------

EVENT_TYPES = [
    "trace-create",
    "span-create",
    "span-update",
    "generation-create",
    "generation-update",
    "event-create",
    "observation-create",
    "observation-update",
    "agent-create",
    "tool-create",
    "score-create",
    "sdk-log",
    "unknown-type",
]
ids = st.one_of(
    st.sampled_from(["t1", "t2", "o1", "o2", "", "a" * 801, "x\ry", "s" * 900]),
    st.text(max_size=12).filter(lambda s: not s.lower().startswith("fe")),
)
timestamps = st.one_of(
    st.sampled_from(
        [
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:01.123456+02:00",
            "0070-01-25T18:34:39-08:47",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:00:00+05:00",
            "not a time",
            "",
        ]
    ),
    st.datetimes().map(lambda d: d.isoformat()),
    json_scalars,
)
usage = st.fixed_dictionaries(
    {},
    optional={
        "input": json_scalars,
        "output": json_scalars,
        "total": json_scalars,
        "unit": st.sampled_from(["TOKENS", "CHARACTERS", "bogus"]),
        "inputCost": floats,
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": ids,
        "traceId": ids,
        "parentObservationId": ids,
        "name": st.one_of(text, st.just("n" * 900)),
        "sessionId": st.one_of(ids, st.just("s" * 1000)),
        "userId": ids,
        "startTime": timestamps,
        "endTime": timestamps,
        "completionStartTime": timestamps,
        "timestamp": timestamps,
        "input": json_values,
        "output": json_values,
        "metadata": json_values,
        "tags": st.one_of(st.lists(text, max_size=3), json_values),
        "model": text,
        "modelParameters": json_values,
        "usage": st.one_of(usage, json_values),
        "usageDetails": st.one_of(st.dictionaries(text, json_scalars, max_size=3), json_values),
        "costDetails": st.one_of(st.dictionaries(text, floats, max_size=3), json_values),
        "level": st.sampled_from(["DEBUG", "DEFAULT", "WARNING", "ERROR", "bogus"]),
        "environment": st.one_of(text, st.just("E" * 50)),
        "public": json_scalars,
        "type": st.sampled_from(["SPAN", "GENERATION", "EVENT", "AGENT", "bogus"]),
    },
)
events = st.fixed_dictionaries(
    {
        "id": ids,
        "type": st.sampled_from(EVENT_TYPES),
        "timestamp": timestamps,
        "body": st.one_of(bodies, json_values),
    },
    optional={"metadata": json_values},
)
batches = st.one_of(
    st.lists(events, max_size=8).map(lambda batch: {"batch": batch}),
    st.fixed_dictionaries({"batch": st.one_of(json_values, st.lists(json_values, max_size=4))}),
    json_values,
)


def _batch_bytes(batch: Any) -> bytes:
    return json.dumps(batch, allow_nan=True).encode("utf-8", "surrogatepass")


@functools.cache
def deep_batch(depth: int) -> bytes:
    """A trace-create whose metadata is nested ``depth`` levels deep."""
    metadata = '{"a":' * depth + "1" + "}" * depth
    return (
        '{"batch":[{"id":"deep","type":"trace-create","timestamp":"2025-01-01T00:00:00Z",'
        f'"body":{{"id":"deep-trace","metadata":{metadata}}}}}]}}'
    ).encode()


ingestion_bodies = st.one_of(
    batches.map(_batch_bytes),
    mutated(batches.map(_batch_bytes)),
    st.binary(max_size=64),
    DEPTHS.map(deep_batch),
)

__all__ = [
    "INVALID_UTF8",
    "SEEDED_PREFIX",
    "any_values",
    "batches",
    "deep_batch",
    "deep_json",
    "deep_protobuf",
    "export_requests",
    "ingestion_bodies",
    "json_bodies",
    "mutated",
    "protobuf_bodies",
    "spans",
]
