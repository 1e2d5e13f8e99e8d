"""otel_bridge.testing: the OTLP request builder shipped to users."""

from __future__ import annotations

import base64
import json

import pytest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList

from otel_bridge.model import SpanKind, StatusCode
from otel_bridge.otlp import decode_json, decode_protobuf
from otel_bridge.testing import (
    build_export_request,
    make_event,
    make_link,
    make_span,
    request_to_json,
    to_any_value,
)


class TestToAnyValue:
    """to_any_value encodes plain Python values as OTLP AnyValues."""

    @pytest.mark.parametrize(
        ("value", "field"),
        [
            ("s", "string_value"),
            (True, "bool_value"),
            (3, "int_value"),
            (1.5, "double_value"),
            (b"\x00", "bytes_value"),
            ([1, "a"], "array_value"),
            ((1, "a"), "array_value"),
            ({"a": 1}, "kvlist_value"),
            (None, None),
        ],
    )
    def test_kind(self, value: object, field: str | None) -> None:
        """Each Python type selects its AnyValue field (bool before int)."""
        assert to_any_value(value).WhichOneof("value") == field

    def test_nested(self) -> None:
        """Lists and dicts nest."""
        encoded = to_any_value({"a": [1, {"b": None}]})
        assert encoded == AnyValue(
            kvlist_value=KeyValueList(
                values=[
                    KeyValue(
                        key="a",
                        value=AnyValue(
                            array_value=ArrayValue(
                                values=[
                                    AnyValue(int_value=1),
                                    AnyValue(
                                        kvlist_value=KeyValueList(
                                            values=[KeyValue(key="b", value=AnyValue())]
                                        )
                                    ),
                                ]
                            )
                        ),
                    )
                ]
            )
        )

    def test_unsupported(self) -> None:
        """A value with no AnyValue form raises TypeError."""
        with pytest.raises(TypeError, match="cannot encode set"):
            to_any_value({1})


class TestMakeSpan:
    """make_span fills what a test leaves out."""

    def test_defaults(self) -> None:
        """Random 16/8-byte ids, no parent, a 1 ms duration, INTERNAL, UNSET."""
        span = make_span()
        assert (len(span.trace_id), len(span.span_id), span.parent_span_id) == (16, 8, b"")
        assert span.end_time_unix_nano - span.start_time_unix_nano == 1_000_000
        assert (span.kind, span.status.code) == (1, 0)

    def test_enums_and_raw_numbers(self) -> None:
        """kind and status_code take the model enums or raw OTLP numbers."""
        assert make_span(kind=SpanKind.CONSUMER, status_code=StatusCode.ERROR).kind == 5
        assert make_span(kind=SpanKind.CONSUMER, status_code=StatusCode.ERROR).status.code == 2
        assert make_span(kind=7, status_code=4).kind == 7

    def test_ids_as_hex_or_bytes(self) -> None:
        """Ids are taken as hex text (any length) or bytes."""
        span = make_span(trace_id="AB" * 16, span_id=b"\x01" * 8, parent_span_id="abc0")
        assert (span.trace_id, span.span_id, span.parent_span_id) == (b"\xab" * 16, b"\x01" * 8, b"\xab\xc0")


class TestRequestToJson:
    """request_to_json renders the OTLP/JSON encoding of the specification."""

    def test_shape(self) -> None:
        """Hex ids, int64 as strings, enums as integers, bytes as base64, lowerCamelCase keys."""
        span = make_span(
            "n",
            trace_id="ab" * 16,
            span_id="cd" * 8,
            parent_span_id="ef" * 8,
            start_time_unix_nano=10,
            end_time_unix_nano=20,
            kind=SpanKind.CLIENT,
            attributes={"i": 5, "b": b"\x00\xff"},
            events=[make_event("e", 15)],
            links=[make_link("01" * 16, "02" * 8)],
        )
        body = request_to_json(build_export_request([span], resource_attributes={"service.name": "svc"}))
        (rendered,) = body["resourceSpans"][0]["scopeSpans"][0]["spans"]
        assert (rendered["traceId"], rendered["spanId"], rendered["parentSpanId"]) == (
            "ab" * 16,
            "cd" * 8,
            "ef" * 8,
        )
        assert (rendered["startTimeUnixNano"], rendered["endTimeUnixNano"], rendered["kind"]) == (
            "10",
            "20",
            3,
        )
        assert rendered["attributes"] == [
            {"key": "i", "value": {"intValue": "5"}},
            {"key": "b", "value": {"bytesValue": base64.b64encode(b"\x00\xff").decode()}},
        ]
        assert rendered["events"] == [{"timeUnixNano": "15", "name": "e"}]
        assert rendered["links"] == [{"traceId": "01" * 16, "spanId": "02" * 8}]

    def test_round_trip(self) -> None:
        """The protobuf and its OTLP/JSON rendering decode to the same records."""
        request = build_export_request(
            [
                make_span(
                    attributes={"a": [1.5, None, {"k": b"v"}]},
                    status_code=StatusCode.ERROR,
                    status_message="x",
                )
            ]
        )
        from_json = decode_json(json.dumps(request_to_json(request)))
        assert from_json == decode_protobuf(request.SerializeToString())
        assert len(from_json.records) == 1
