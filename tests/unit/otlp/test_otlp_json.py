"""decode_json: OTLP/JSON → SpanRecord."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from otel_bridge.errors import DecodeError
from otel_bridge.model import Rejected, SpanKind, SpanStatus, StatusCode
from otel_bridge.otlp import DecodeResult, decode_json, decode_protobuf
from otel_bridge.testing import make_event, make_link
from tests.unit.otlp.otlp_helpers import (
    END,
    PARENT_ID,
    SPAN_ID,
    START,
    TRACE_ID,
    json_body,
    json_span_document,
    one_span_request,
    valid_json_span,
)

SPAN_PATH = "resourceSpans[0].scopeSpans[0].spans[0]"


def decode_span(**overrides: Any) -> DecodeResult:
    """Decode a one-span OTLP/JSON body built from ``valid_json_span(**overrides)``."""
    return decode_json(json.dumps(json_span_document(valid_json_span(**overrides))))


def decode_value(value: Any) -> Any:
    """The decoded value of an attribute whose OTLP/JSON AnyValue is ``value``."""
    result = decode_span(attributes=[{"key": "k", "value": value}])
    assert result.rejected == ()
    return result.records[0].attributes["k"]


def rejection(value: Any) -> str:
    """The rejection reason of a span whose one attribute has the AnyValue ``value``."""
    result = decode_span(
        attributes=[{"key": "ok", "value": {"stringValue": "x"}}, {"key": "k", "value": value}]
    )
    assert result.records == ()
    (rejected,) = result.rejected
    assert (rejected.trace_id, rejected.span_id) == (TRACE_ID, SPAN_ID)
    return rejected.reason


class TestAnyValues:
    """Every AnyValue spelling the OTLP/JSON encoding allows decodes to the model's Python value."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ({"stringValue": "gpt-4o"}, "gpt-4o"),
            ({"stringValue": ""}, ""),
            ({"string_value": "snake"}, "snake"),
            ({"boolValue": True}, True),
            ({"boolValue": False}, False),
            ({"intValue": "37"}, 37),
            ({"intValue": 37}, 37),
            ({"intValue": "-9223372036854775808"}, -(2**63)),
            ({"intValue": "9223372036854775807"}, 2**63 - 1),
            ({"intValue": 5.0}, 5),
            ({"int_value": "0"}, 0),
            ({"doubleValue": 0.5}, 0.5),
            ({"doubleValue": 2}, 2.0),
            ({"doubleValue": "1.25"}, 1.25),
            ({"doubleValue": "Infinity"}, math.inf),
            ({"doubleValue": "-Infinity"}, -math.inf),
            ({"bytesValue": "AP8="}, b"\x00\xff"),
            ({"bytesValue": "AP8"}, b"\x00\xff"),
            ({"bytesValue": "_-8="}, b"\xff\xef"),
            ({"bytesValue": ""}, b""),
            ({"arrayValue": {"values": [{"stringValue": "stop"}, {"intValue": "2"}, {}]}}, ["stop", 2, None]),
            ({"arrayValue": {}}, []),
            ({"array_value": {"values": [{"bool_value": True}]}}, [True]),
            (
                {
                    "kvlistValue": {
                        "values": [
                            {
                                "key": "a",
                                "value": {
                                    "kvlistValue": {"values": [{"key": "b", "value": {"intValue": 1}}]}
                                },
                            }
                        ]
                    }
                },
                {"a": {"b": 1}},
            ),
            ({"kvlistValue": {"values": [{"key": "a"}]}}, {"a": None}),
            ({}, None),
            (None, None),
            ({"stringValue": None}, None),
            ({"futureValue": 1}, None),
            ({"stringValue": "kept", "futureField": 1}, "kept"),
        ],
        ids=repr,
    )
    def test_value(self, value: Any, expected: Any) -> None:
        """The AnyValue decodes to the expected Python value and type."""
        decoded = decode_value(value)
        assert decoded == expected
        assert type(decoded) is type(expected)

    def test_nan(self) -> None:
        """doubleValue "NaN" decodes to a float NaN."""
        assert math.isnan(decode_value({"doubleValue": "NaN"}))

    def test_value_missing_from_key_value(self) -> None:
        """A KeyValue without a value decodes to None."""
        result = decode_span(attributes=[{"key": "k"}])
        assert result.records[0].attributes == {"k": None}

    @pytest.mark.parametrize(
        ("value", "reason"),
        [
            ({"intValue": "abc"}, "attributes[1].value: intValue 'abc' is not an integer"),
            ({"intValue": 1.5}, "attributes[1].value: intValue 1.5 is not an integer"),
            ({"intValue": True}, "attributes[1].value: intValue True is not an integer"),
            ({"intValue": str(2**63)}, f"attributes[1].value: intValue '{2**63}' is out of the int64 range"),
            ({"doubleValue": "fast"}, "attributes[1].value: doubleValue 'fast' is not a number"),
            ({"boolValue": "true"}, "attributes[1].value: boolValue 'true' is not true or false"),
            ({"stringValue": 5}, "attributes[1].value: stringValue 5 is not a string"),
            ({"bytesValue": "%%%"}, "attributes[1].value: bytesValue '%%%' is not base64"),
            ({"arrayValue": []}, "attributes[1].value: arrayValue must be an object with 'values', got []"),
            (
                {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "x"}]}},
                "attributes[1].value.arrayValue.values[1]: intValue 'x' is not an integer",
            ),
            (
                {"kvlistValue": {"values": [{"key": "a", "value": {"boolValue": 1}}]}},
                "attributes[1].value.kvlistValue.values[0].value: boolValue 1 is not true or false",
            ),
            ("text", "attributes[1].value: an AnyValue must be an object, got 'text'"),
            (
                {"stringValue": "a", "intValue": "1"},
                "attributes[1].value: an AnyValue must hold one value, got stringValue, intValue",
            ),
        ],
        ids=repr,
    )
    def test_undecodable_value_rejects_the_span(self, value: Any, reason: str) -> None:
        """An undecodable attribute value rejects its span with a reason naming the path of the value."""
        assert rejection(value) == f"{SPAN_PATH}.{reason}"

    def test_attributes_not_an_array(self) -> None:
        """attributes that are not an array reject the span."""
        result = decode_span(attributes={"key": "k"})
        assert result.rejected[0].reason == f"{SPAN_PATH}.attributes: must be an array, got {{'key': 'k'}}"

    def test_key_not_a_string(self) -> None:
        """A KeyValue key that is not a string rejects the span."""
        result = decode_span(attributes=[{"key": 7, "value": {"stringValue": "x"}}])
        assert result.rejected[0].reason == f"{SPAN_PATH}.attributes[0]: key 7 is not a string"


class TestSpanFields:
    """Span fields in each spelling the encoding allows."""

    def test_times_as_strings_and_numbers(self) -> None:
        """int64/fixed64 times are accepted as decimal strings and as JSON numbers."""
        as_strings = decode_span(startTimeUnixNano=str(START), endTimeUnixNano=str(END)).records
        as_numbers = decode_span(startTimeUnixNano=START, endTimeUnixNano=END).records
        assert as_strings == as_numbers
        assert (as_numbers[0].start_time_unix_nano, as_numbers[0].end_time_unix_nano) == (START, END)

    def test_missing_end_time_is_the_start_time(self) -> None:
        """An absent or zero end time is accepted as end = start."""
        assert decode_span(endTimeUnixNano=None).records[0].end_time_unix_nano == START
        assert decode_span(endTimeUnixNano="0").records[0].end_time_unix_nano == START

    def test_uppercase_hex_ids_are_lowercased(self) -> None:
        """Hex ids are read in any case and come out lowercase."""
        (record,) = decode_span(
            traceId=TRACE_ID.upper(), spanId=SPAN_ID.upper(), parentSpanId=PARENT_ID.upper()
        ).records
        assert (record.trace_id, record.span_id, record.parent_span_id) == (TRACE_ID, SPAN_ID, PARENT_ID)

    @pytest.mark.parametrize("parent", [None, "", "0000000000000000"])
    def test_root_span_has_no_parent(self, parent: str | None) -> None:
        """An absent, empty or all-zero parentSpanId means a root."""
        overrides = {"parentSpanId": parent} if parent is not None else {"parentSpanId": None}
        assert decode_span(**overrides).records[0].parent_span_id is None

    @pytest.mark.parametrize(("number", "kind"), list(enumerate(SpanKind)))
    def test_kind_as_number_and_name(self, number: int, kind: SpanKind) -> None:
        """kind is accepted as the enum number and as the enum name, e.g. "SPAN_KIND_CLIENT"."""
        assert decode_span(kind=number).records[0].kind is kind
        assert decode_span(kind=f"SPAN_KIND_{kind.value}").records[0].kind is kind

    @pytest.mark.parametrize("kind", [99, "SPAN_KIND_FUTURE"])
    def test_unknown_kind_is_unspecified(self, kind: object) -> None:
        """An unknown kind number or name maps to UNSPECIFIED; an absent kind too."""
        assert decode_span(kind=kind).records[0].kind is SpanKind.UNSPECIFIED
        assert decode_span(kind=None).records[0].kind is SpanKind.UNSPECIFIED

    @pytest.mark.parametrize(("number", "code"), list(enumerate(StatusCode)))
    def test_status_as_number_and_name(self, number: int, code: StatusCode) -> None:
        """status.code is accepted as number and name, with the message."""
        expected = SpanStatus(code, "boom")
        assert decode_span(status={"code": number, "message": "boom"}).records[0].status == expected
        assert (
            decode_span(status={"code": f"STATUS_CODE_{code.value}", "message": "boom"}).records[0].status
            == expected
        )

    def test_empty_status(self) -> None:
        """An empty or absent status is UNSET with no message."""
        assert decode_span(status={}).records[0].status == SpanStatus()
        assert decode_span(status=None).records[0].status == SpanStatus()

    def test_events_links_and_trace_state(self) -> None:
        """Events, links and the trace state are decoded."""
        (record,) = decode_span(
            traceState="vendor=1",
            events=[
                {
                    "timeUnixNano": str(START + 5),
                    "name": "exception",
                    "attributes": [{"key": "exception.type", "value": {"stringValue": "E"}}],
                },
                {"time_unix_nano": START + 6, "name": "other"},
            ],
            links=[
                {
                    "traceId": "AB" * 16,
                    "spanId": "CD" * 8,
                    "attributes": [{"key": "n", "value": {"intValue": "1"}}],
                }
            ],
        ).records
        assert record.trace_state == "vendor=1"
        assert [(e.name, e.time_unix_nano, dict(e.attributes)) for e in record.events] == [
            ("exception", START + 5, {"exception.type": "E"}),
            ("other", START + 6, {}),
        ]
        assert [(link.trace_id, link.span_id, dict(link.attributes)) for link in record.links] == [
            ("ab" * 16, "cd" * 8, {"n": 1})
        ]

    def test_unknown_fields_are_ignored(self) -> None:
        """Fields this version does not know are ignored at every level."""
        document = json_span_document(
            valid_json_span(futureSpanField={"x": 1}, flags=256, droppedAttributesCount=2),
            schemaUrl="u",
            futureField=[1],
        )
        document["futureTopLevel"] = True
        assert decode_json(json.dumps(document)).records == decode_span().records

    def test_resource_and_scope(self) -> None:
        """Resource attributes and the scope are decoded and attached."""
        (record,) = decode_span().records
        assert record.resource_attributes == {"service.name": "svc"}
        assert (record.scope.name, record.scope.version) == ("lib", "1.0")


class TestSnakeCase:
    """Proto field names (snake_case) are accepted wherever lowerCamelCase is."""

    def test_snake_case_body_equals_camel_case_body(self) -> None:
        """A body written with proto field names decodes to the same records as the spec spelling."""
        request = one_span_request(
            attributes={"s": "x", "i": 3, "d": 1.5, "b": True, "a": ["p"], "m": {"q": 1}, "y": b"\x01"},
            kind=SpanKind.CLIENT,
            status_code=StatusCode.ERROR,
            status_message="bad",
            events=[make_event("e", START + 1, {"k": "v"})],
            links=[make_link("ab" * 16, "cd" * 8, {"l": 1})],
            trace_state="t=1",
        )
        camel = json_body(request).decode()
        snake = camel
        for camel_name, snake_name in [
            ("resourceSpans", "resource_spans"),
            ("scopeSpans", "scope_spans"),
            ("traceId", "trace_id"),
            ("spanId", "span_id"),
            ("parentSpanId", "parent_span_id"),
            ("traceState", "trace_state"),
            ("startTimeUnixNano", "start_time_unix_nano"),
            ("endTimeUnixNano", "end_time_unix_nano"),
            ("timeUnixNano", "time_unix_nano"),
            ("stringValue", "string_value"),
            ("intValue", "int_value"),
            ("doubleValue", "double_value"),
            ("boolValue", "bool_value"),
            ("arrayValue", "array_value"),
            ("kvlistValue", "kvlist_value"),
            ("bytesValue", "bytes_value"),
        ]:
            assert f'"{camel_name}"' in camel
            snake = snake.replace(f'"{camel_name}"', f'"{snake_name}"')
        expected = decode_protobuf(request.SerializeToString())
        assert decode_json(camel) == expected
        assert decode_json(snake) == expected
        assert len(expected.records) == 1


class TestRejections:
    """A span breaking a rule is rejected with the rule named; the rest of the request is kept."""

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"traceId": "ab" * 15}, "trace_id must be 16 bytes (32 hex characters), got 30 characters"),
            ({"traceId": None}, "trace_id must be 16 bytes (32 hex characters), got 0 bytes"),
            ({"traceId": "00" * 16}, "trace_id must not be all zeros"),
            ({"traceId": "zz" * 16}, f"trace_id is not hex: {'zz' * 16!r}"),
            ({"traceId": 12}, "trace_id must be a hex string, got int"),
            ({"spanId": "abc"}, "span_id must be 8 bytes (16 hex characters), got 3 characters"),
            ({"spanId": "ab cd ef 01 23 4"}, "span_id is not hex: 'ab cd ef 01 23 4'"),
            ({"spanId": "0" * 16}, "span_id must not be all zeros"),
            (
                {"parentSpanId": "ab" * 9},
                "parent_span_id must be empty or 8 bytes (16 hex characters), got 18 characters",
            ),
            ({"startTimeUnixNano": None}, "start_time_unix_nano must be set (it is 0)"),
            ({"endTimeUnixNano": str(START - 1)}, "end_time_unix_nano is before start_time_unix_nano"),
            ({"startTimeUnixNano": "soon"}, f"{SPAN_PATH}: startTimeUnixNano 'soon' is not an integer"),
            ({"endTimeUnixNano": "-1"}, f"{SPAN_PATH}: endTimeUnixNano '-1' is out of the uint64 range"),
            ({"name": 5}, f"{SPAN_PATH}: name 5 is not a string"),
            ({"kind": True}, f"{SPAN_PATH}: kind True is not an enum number or name"),
            ({"status": {"code": 2, "message": 3}}, f"{SPAN_PATH}: status.message 3 is not a string"),
            ({"status": "ERROR"}, f"{SPAN_PATH}.status: must be an object, got str"),
            (
                {"events": [{"name": "e", "timeUnixNano": "x"}]},
                f"{SPAN_PATH}.events[0]: timeUnixNano 'x' is not an integer",
            ),
            ({"events": {"name": "e"}}, f"{SPAN_PATH}.events: must be an array, got dict"),
            (
                {"links": [{"traceId": "xyz", "spanId": "ab"}]},
                f"{SPAN_PATH}.links[0]: link ids must be hex, got 'xyz' and 'ab'",
            ),
            ({"traceState": 1}, f"{SPAN_PATH}: traceState 1 is not a string"),
        ],
        ids=repr,
    )
    def test_rule(self, overrides: dict[str, Any], reason: str) -> None:
        """Each id, time and value rule rejects the span with a reason naming it, and the ids as written."""
        result = decode_span(**overrides)
        assert result.records == ()
        span = valid_json_span(**overrides)
        trace_id = span.get("traceId")
        span_id = span.get("spanId")
        assert result.rejected == (
            Rejected(
                trace_id if isinstance(trace_id, str) else "",
                span_id if isinstance(span_id, str) else "",
                reason,
            ),
        )

    def test_good_spans_are_kept_around_bad_ones(self) -> None:
        """A request mixing good and bad spans keeps the good ones in order and rejects each bad one once."""
        spans = [
            valid_json_span(name="good1", spanId="01" * 8),
            valid_json_span(name="bad-id", spanId="xyz"),
            valid_json_span(name="good2", spanId="02" * 8),
            valid_json_span(
                name="bad-value", spanId="03" * 8, attributes=[{"key": "n", "value": {"intValue": "abc"}}]
            ),
            valid_json_span(name="bad-time", spanId="04" * 8, endTimeUnixNano="1"),
            valid_json_span(name="good3", spanId="05" * 8),
        ]
        document = json_span_document(spans[0])
        document["resourceSpans"][0]["scopeSpans"][0]["spans"] = spans
        result = decode_json(json.dumps(document))
        assert [record.name for record in result.records] == ["good1", "good2", "good3"]
        assert (
            result.rejected
            == (
                Rejected(TRACE_ID, "xyz", "span_id must be 8 bytes (16 hex characters), got 3 characters"),
                Rejected(  # the attribute path names the span's index in the request
                    TRACE_ID,
                    "03" * 8,
                    f"{SPAN_PATH[:-3]}[3].attributes[0].value: intValue 'abc' is not an integer",
                ),
                Rejected(TRACE_ID, "04" * 8, "end_time_unix_nano is before start_time_unix_nano"),
            )
        )


class TestUndecodableBodies:
    """A body that is not OTLP/JSON at all raises DecodeError with a clear message."""

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ('{"resourceSpans": [}', "OTLP/JSON body is not valid JSON: line 1 column 20: Expecting value"),
            (b"\xff\xfe{", "OTLP/JSON body is not valid"),
            ("", "OTLP/JSON body is not valid JSON: line 1 column 1: Expecting value"),
            ("[]", "OTLP/JSON body must be an object with 'resourceSpans'"),
            ('"text"', "OTLP/JSON body must be an object with 'resourceSpans'"),
            ('{"batch": []}', "OTLP/JSON body must be an object with 'resourceSpans'"),
            ('{"resourceSpans": {}}', "OTLP/JSON resourceSpans: must be an array, got dict"),
            ('{"resourceSpans": [1]}', "OTLP/JSON resourceSpans[0]: must be an object, got int"),
            (
                '{"resourceSpans": [{"scopeSpans": {}}]}',
                "OTLP/JSON resourceSpans[0].scopeSpans: must be an array, got dict",
            ),
            (
                json.dumps(
                    {
                        "resourceSpans": [
                            {
                                "resource": {
                                    "attributes": [
                                        {"key": "a", "value": {"stringValue": "x"}},
                                        {"key": "k", "value": {"intValue": "x"}},
                                    ]
                                }
                            }
                        ]
                    }
                ),
                "OTLP/JSON resourceSpans[0].resource.attributes[1].value: intValue 'x' is not an integer",
            ),
            (
                '{"resourceSpans": [{"scopeSpans": [{"scope": {"name": 1}}]}]}',
                "OTLP/JSON resourceSpans[0].scopeSpans[0].scope: name 1 is not a string",
            ),
            (
                '{"resourceSpans": [{"scopeSpans": [{"spans": ["span"]}]}]}',
                "OTLP/JSON resourceSpans[0].scopeSpans[0].spans[0]: a span must be an object, got str",
            ),
        ],
        ids=repr,
    )
    def test_malformed(self, body: str | bytes, message: str) -> None:
        """The DecodeError message says what is wrong and where."""
        with pytest.raises(DecodeError) as raised:
            decode_json(body)
        assert raised.value.message.startswith(message)
        assert not raised.value.retryable

    def test_deeply_nested_value(self) -> None:
        """An AnyValue nested deeper than the stack allows raises DecodeError, not RecursionError."""
        depth = 5000
        value = '{"arrayValue": {"values": [' * depth + '{"stringValue": "leaf"}' + "]}}" * depth
        placeholder = json.dumps(json_span_document(valid_json_span(attributes=[{"key": "k", "value": "X"}])))
        body = placeholder.replace('"X"', value)
        with pytest.raises(DecodeError, match="nested too deeply"):
            decode_json(body)

    def test_empty_object_is_an_empty_request(self) -> None:
        """{} (an empty request in the proto3 JSON mapping) decodes to nothing, as do empty arrays."""
        assert decode_json("{}") == DecodeResult((), ())
        assert decode_json('{"resourceSpans": []}') == DecodeResult((), ())
        assert decode_json(b'{"resourceSpans": [{"scopeSpans": [{"spans": []}]}]}') == DecodeResult((), ())

    def test_text_and_bytes_bodies(self) -> None:
        """A body may be given as str or as UTF-8 bytes."""
        text = json.dumps(json_span_document(valid_json_span()))
        assert decode_json(text) == decode_json(text.encode())
        assert len(decode_json(text).records) == 1
