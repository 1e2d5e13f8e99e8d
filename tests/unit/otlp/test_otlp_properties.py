"""Properties over generated requests: both encodings, and the gRPC path, decode to what was sent."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otel_bridge.model import SpanKind, StatusCode
from otel_bridge.otlp import decode_json, decode_protobuf, decode_request
from otel_bridge.otlp.validate import span_problem
from otel_bridge.testing import build_export_request, make_event, make_span, request_to_json

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.text(max_size=40),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.binary(max_size=12),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=8), children, max_size=4),
    ),
    max_leaves=12,
)
attribute_maps = st.dictionaries(st.text(max_size=20), values, max_size=8)

GOOD_TRACE = st.binary(min_size=16, max_size=16).filter(any)
GOOD_SPAN = st.binary(min_size=8, max_size=8).filter(any)


@st.composite
def spans(draw: st.DrawFn, valid: bool = True) -> dict[str, Any]:
    """The arguments of one make_span call; with valid=False the ids and times may break a rule."""
    if valid:
        trace_id, span_id = draw(GOOD_TRACE), draw(GOOD_SPAN)
        parent = draw(st.one_of(st.just(b""), GOOD_SPAN))
        start = draw(st.integers(1, 2**63))
        end = draw(st.one_of(st.just(0), st.integers(start, 2**64 - 1)))
    else:
        trace_id = draw(st.one_of(GOOD_TRACE, st.sampled_from([bytes(16), b"", b"\x01" * 15])))
        span_id = draw(st.one_of(GOOD_SPAN, st.sampled_from([bytes(8), b"\x01" * 3])))
        parent = draw(st.one_of(st.just(b""), GOOD_SPAN, st.just(b"\x02" * 5)))
        start = draw(st.integers(0, 10))
        end = draw(st.integers(0, 10))
    return {
        "name": draw(st.text(max_size=20)),
        "trace_id": trace_id,
        "span_id": span_id,
        "parent_span_id": parent,
        "start_time_unix_nano": start,
        "end_time_unix_nano": end,
        "attributes": draw(attribute_maps),
        "kind": draw(st.sampled_from(list(SpanKind))),
        "status_code": draw(st.sampled_from(list(StatusCode))),
        "status_message": draw(st.text(max_size=10)),
        "trace_state": draw(st.text(max_size=10)),
        "events": [
            make_event(name, time, attributes)
            for name, time, attributes in draw(
                st.lists(
                    st.tuples(st.text(max_size=8), st.integers(0, 2**64 - 1), attribute_maps), max_size=2
                )
            )
        ],
    }


def plain(value: Any) -> Any:
    """What the decoders return for a value the builder accepted: tuples are lists."""
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


class TestEncodingsAgree:
    """protobuf, OTLP/JSON and the parsed message decode to the same result, equal to the input."""

    @SETTINGS
    @given(span_arguments=st.lists(spans(), min_size=1, max_size=4), resource=attribute_maps)
    def test_valid_spans_round_trip(
        self, span_arguments: list[dict[str, Any]], resource: dict[str, Any]
    ) -> None:
        """Valid spans come back with the ids, times, names, kinds and attribute values that were sent."""
        request = build_export_request(
            [make_span(**arguments) for arguments in span_arguments], resource_attributes=resource
        )
        result = decode_protobuf(request.SerializeToString())
        assert decode_request(request) == result
        assert decode_json(json.dumps(request_to_json(request))) == result
        assert result.rejected == ()
        for record, sent in zip(result.records, span_arguments, strict=True):
            assert record.trace_id == sent["trace_id"].hex()
            assert record.span_id == sent["span_id"].hex()
            assert record.parent_span_id == (sent["parent_span_id"].hex() or None)
            assert record.start_time_unix_nano == sent["start_time_unix_nano"]
            assert record.end_time_unix_nano == (sent["end_time_unix_nano"] or sent["start_time_unix_nano"])
            assert (record.name, record.kind, record.trace_state) == (
                sent["name"],
                sent["kind"],
                sent["trace_state"],
            )
            assert record.status.code is sent["status_code"]
            assert record.attributes == plain(sent["attributes"])
            assert record.resource_attributes == plain(resource)
            assert len(record.events) == len(sent["events"])

    @SETTINGS
    @given(span_arguments=st.lists(spans(valid=False), min_size=1, max_size=6))
    def test_rejections_follow_the_rules(self, span_arguments: list[dict[str, Any]]) -> None:
        """Each span is either kept or rejected once, exactly as span_problem judges it, in both encodings."""
        request = build_export_request([make_span(**arguments) for arguments in span_arguments])
        result = decode_protobuf(request.SerializeToString())
        expected_problems = []
        for sent in span_arguments:
            end = sent["end_time_unix_nano"] or sent["start_time_unix_nano"]
            problem = span_problem(
                sent["trace_id"], sent["span_id"], sent["parent_span_id"], sent["start_time_unix_nano"], end
            )
            if problem is not None:
                expected_problems.append((sent["trace_id"].hex(), sent["span_id"].hex(), problem))
        assert [(r.trace_id, r.span_id, r.reason) for r in result.rejected] == expected_problems
        assert len(result.records) + len(result.rejected) == len(span_arguments)
        from_json = decode_json(json.dumps(request_to_json(request)))
        assert from_json.records == result.records
        assert [(r.trace_id, r.span_id) for r in from_json.rejected] == [
            (t, s) for t, s, _ in expected_problems
        ]


_SNAKE = {
    "resourceSpans": "resource_spans",
    "scopeSpans": "scope_spans",
    "traceId": "trace_id",
    "spanId": "span_id",
    "parentSpanId": "parent_span_id",
    "traceState": "trace_state",
    "startTimeUnixNano": "start_time_unix_nano",
    "endTimeUnixNano": "end_time_unix_nano",
    "timeUnixNano": "time_unix_nano",
    "stringValue": "string_value",
    "intValue": "int_value",
    "doubleValue": "double_value",
    "boolValue": "bool_value",
    "arrayValue": "array_value",
    "kvlistValue": "kvlist_value",
    "bytesValue": "bytes_value",
}
_KIND_NAMES = {number: f"SPAN_KIND_{kind.value}" for number, kind in enumerate(SpanKind)}


def respell(document: Any, snake: bool, numbers: bool, names: bool, upper: bool) -> Any:
    """The same OTLP/JSON document in another allowed spelling."""
    if isinstance(document, list):
        return [respell(item, snake, numbers, names, upper) for item in document]
    if not isinstance(document, dict):
        return document
    out = {}
    for key, original in document.items():
        value = original
        if numbers and key in ("startTimeUnixNano", "endTimeUnixNano", "timeUnixNano", "intValue"):
            value = int(original)
        elif names and key == "kind":
            value = _KIND_NAMES[original]
        elif upper and key in ("traceId", "spanId", "parentSpanId"):
            value = original.upper()
        out[_SNAKE.get(key, key) if snake else key] = respell(value, snake, numbers, names, upper)
    return out


class TestJsonSpellings:
    """Every spelling OTLP/JSON allows decodes like the specification's own."""

    @SETTINGS
    @given(
        span_arguments=st.lists(spans(), min_size=1, max_size=3),
        snake=st.booleans(),
        numbers=st.booleans(),
        names=st.booleans(),
        upper=st.booleans(),
    )
    def test_respelled_document_decodes_the_same(
        self, span_arguments: list[dict[str, Any]], snake: bool, numbers: bool, names: bool, upper: bool
    ) -> None:
        """snake_case names, int64 as numbers, enum names and uppercase ids change nothing."""
        request = build_export_request([make_span(**arguments) for arguments in span_arguments])
        document = request_to_json(request)
        expected = decode_json(json.dumps(document))
        assert expected.rejected == ()
        assert decode_json(json.dumps(respell(document, snake, numbers, names, upper))) == expected
