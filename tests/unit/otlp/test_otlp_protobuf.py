"""decode_protobuf / decode_request: OTLP protobuf → SpanRecord."""

from __future__ import annotations

import math

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList

from otel_bridge.errors import DecodeError
from otel_bridge.model import InstrumentationScope, Rejected, SpanKind, SpanStatus, StatusCode
from otel_bridge.otlp import DecodeResult, decode_protobuf, decode_request
from otel_bridge.testing import build_export_request, make_event, make_link, make_span
from tests.unit.otlp.otlp_helpers import END, PARENT_ID, SPAN_ID, START, TRACE_ID, one_span_request


def decode_one(**span: object) -> DecodeResult:
    """Decode a serialized one-span request."""
    return decode_protobuf(one_span_request(**span).SerializeToString())


def attributes_of(value: AnyValue) -> object:
    """The decoded value of an attribute holding ``value``."""
    request = one_span_request()
    request.resource_spans[0].scope_spans[0].spans[0].attributes.append(KeyValue(key="k", value=value))
    (record,) = decode_protobuf(request.SerializeToString()).records
    return record.attributes["k"]


class TestAnyValues:
    """Every OTLP AnyValue kind becomes the plain Python value the model documents."""

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (AnyValue(string_value="gpt-4o"), "gpt-4o"),
            (AnyValue(string_value="한국어 text"), "한국어 text"),
            (AnyValue(string_value="x" * 20_000), "x" * 20_000),
            (AnyValue(string_value=""), ""),
            (AnyValue(bool_value=True), True),
            (AnyValue(bool_value=False), False),
            (AnyValue(int_value=37), 37),
            (AnyValue(int_value=0), 0),
            (AnyValue(int_value=-(2**63)), -(2**63)),
            (AnyValue(int_value=2**63 - 1), 2**63 - 1),
            (AnyValue(double_value=0.5), 0.5),
            (AnyValue(double_value=0.0), 0.0),
            (AnyValue(double_value=-1e300), -1e300),
            (AnyValue(bytes_value=b"\x00\xff"), b"\x00\xff"),
            (AnyValue(bytes_value=b""), b""),
            (AnyValue(), None),
        ],
        ids=repr,
    )
    def test_scalar(self, value: AnyValue, expected: object) -> None:
        """A scalar AnyValue (including the empty string, 0, false and unset) decodes to its Python value."""
        decoded = attributes_of(value)
        assert decoded == expected
        assert type(decoded) is type(expected)

    def test_double_infinities_and_nan(self) -> None:
        """Non-finite doubles survive."""
        assert attributes_of(AnyValue(double_value=math.inf)) == math.inf
        assert attributes_of(AnyValue(double_value=-math.inf)) == -math.inf
        assert math.isnan(attributes_of(AnyValue(double_value=math.nan)))  # type: ignore[arg-type]

    def test_array_of_strings(self) -> None:
        """An array of strings becomes a list of str."""
        strings = AnyValue(
            array_value=ArrayValue(values=[AnyValue(string_value=s) for s in ("stop", "length")])
        )
        assert attributes_of(strings) == ["stop", "length"]

    def test_array_of_mixed_values(self) -> None:
        """An array mixing kinds (an empty string among them) becomes a list of each decoded value."""
        values = [
            AnyValue(string_value="a"),
            AnyValue(string_value=""),
            AnyValue(int_value=2),
            AnyValue(bool_value=False),
            AnyValue(),
            AnyValue(array_value=ArrayValue(values=[AnyValue(double_value=1.5)])),
        ]
        assert attributes_of(AnyValue(array_value=ArrayValue(values=values))) == [
            "a",
            "",
            2,
            False,
            None,
            [1.5],
        ]

    def test_empty_array(self) -> None:
        """An empty array becomes an empty list."""
        assert attributes_of(AnyValue(array_value=ArrayValue())) == []

    def test_nested_kvlist(self) -> None:
        """A kvlist becomes a dict, nested kvlists nested dicts."""
        inner = KeyValueList(values=[KeyValue(key="b", value=AnyValue(int_value=1))])
        outer = KeyValueList(
            values=[
                KeyValue(key="a", value=AnyValue(kvlist_value=inner)),
                KeyValue(key="s", value=AnyValue(string_value="x")),
            ]
        )
        assert attributes_of(AnyValue(kvlist_value=outer)) == {"a": {"b": 1}, "s": "x"}

    def test_repeated_key_keeps_the_last_value(self) -> None:
        """A key given twice keeps its last value, in the first key's position."""
        request = one_span_request(attributes={"a": 1, "b": 2})
        span = request.resource_spans[0].scope_spans[0].spans[0]
        span.attributes.append(KeyValue(key="a", value=AnyValue(string_value="last")))
        (record,) = decode_protobuf(request.SerializeToString()).records
        assert record.attributes == {"a": "last", "b": 2}

    def test_attribute_order_is_kept(self) -> None:
        """Attributes keep the order they were sent in."""
        keys = [f"key.{n}" for n in (5, 1, 4, 2, 3)]
        (record,) = decode_one(attributes=dict.fromkeys(keys, "v")).records
        assert list(record.attributes) == keys


class TestSpanFields:
    """Ids, times, kind, status, events, links, resource and scope are carried over."""

    def test_ids_are_lowercase_hex(self) -> None:
        """Byte ids become lowercase hex; the parent too."""
        (record,) = decode_one(trace_id=TRACE_ID.upper(), span_id=SPAN_ID.upper()).records
        assert (record.trace_id, record.span_id, record.parent_span_id) == (TRACE_ID, SPAN_ID, PARENT_ID)

    @pytest.mark.parametrize("parent", [None, "0000000000000000"])
    def test_root_span_has_no_parent(self, parent: str | None) -> None:
        """An empty or all-zero parent_span_id means a root: parent_span_id is None."""
        (record,) = decode_one(parent_span_id=parent).records
        assert record.parent_span_id is None

    def test_times_stay_nanoseconds(self) -> None:
        """Start and end are kept as integer nanoseconds."""
        (record,) = decode_one(start_time_unix_nano=START + 1, end_time_unix_nano=END + 1).records
        assert (record.start_time_unix_nano, record.end_time_unix_nano) == (START + 1, END + 1)

    def test_missing_end_time_is_the_start_time(self) -> None:
        """An end time of 0 (not set) is accepted as end = start."""
        (record,) = decode_one(end_time_unix_nano=0).records
        assert record.end_time_unix_nano == START

    @pytest.mark.parametrize(("number", "kind"), list(enumerate(SpanKind)))
    def test_kind(self, number: int, kind: SpanKind) -> None:
        """Each Span.SpanKind number maps to its SpanKind."""
        assert decode_one(kind=number).records[0].kind is kind

    def test_unknown_kind_is_unspecified(self) -> None:
        """A kind number this version does not know maps to UNSPECIFIED."""
        assert decode_one(kind=42).records[0].kind is SpanKind.UNSPECIFIED

    @pytest.mark.parametrize(("number", "code"), list(enumerate(StatusCode)))
    def test_status(self, number: int, code: StatusCode) -> None:
        """Each Status.StatusCode number maps to its StatusCode, with the message."""
        (record,) = decode_one(status_code=number, status_message="boom" if number else "").records
        assert record.status == SpanStatus(code, "boom" if number else "")

    def test_unknown_status_code_is_unset(self) -> None:
        """A status code this version does not know maps to UNSET, keeping the message."""
        assert decode_one(status_code=9, status_message="m").records[0].status == SpanStatus(
            StatusCode.UNSET, "m"
        )

    def test_events(self) -> None:
        """Events keep name, time and attributes, in order."""
        events = [
            make_event("gen_ai.content.prompt", START + 10, {"gen_ai.prompt": "hi", "n": 1}),
            make_event("exception", START + 20, {"exception.type": "ValueError"}),
        ]
        (record,) = decode_one(events=events).records
        assert [(e.name, e.time_unix_nano, dict(e.attributes)) for e in record.events] == [
            ("gen_ai.content.prompt", START + 10, {"gen_ai.prompt": "hi", "n": 1}),
            ("exception", START + 20, {"exception.type": "ValueError"}),
        ]

    def test_links(self) -> None:
        """Links keep their ids (as lowercase hex) and attributes; link ids are not validated."""
        links = [make_link("AB" * 16, "CD" * 8, {"link.kind": "follows"}), make_link("abc123", "")]
        (record,) = decode_one(links=links).records
        assert [(link.trace_id, link.span_id, dict(link.attributes)) for link in record.links] == [
            ("ab" * 16, "cd" * 8, {"link.kind": "follows"}),
            ("abc123", "", {}),
        ]

    def test_name_and_trace_state(self) -> None:
        """The span name and the W3C trace state are kept."""
        (record,) = decode_one(name="chat gpt-4o", trace_state="vendor=1").records
        assert (record.name, record.trace_state) == ("chat gpt-4o", "vendor=1")

    def test_resource_and_scope(self) -> None:
        """Resource attributes and the scope (name, version, attributes) are attached to each span."""
        request = build_export_request(
            [make_span(trace_id=TRACE_ID, span_id=SPAN_ID, start_time_unix_nano=START)],
            resource_attributes={"service.name": "svc", "process.pid": 7},
            scope_name="openinference.instrumentation.langchain",
            scope_version="0.1.80",
            scope_attributes={"x": True},
        )
        (record,) = decode_protobuf(request.SerializeToString()).records
        assert record.resource_attributes == {"service.name": "svc", "process.pid": 7}
        assert record.scope == InstrumentationScope(
            "openinference.instrumentation.langchain", "0.1.80", {"x": True}
        )

    def test_spans_of_one_scope_share_resource_and_scope_objects(self) -> None:
        """Spans of one ScopeSpans share the same resource-attributes and scope objects."""
        spans = [
            make_span(trace_id=TRACE_ID, span_id=f"{n:016x}", start_time_unix_nano=START) for n in (1, 2)
        ]
        request = build_export_request(spans, resource_attributes={"service.name": "svc"})
        first, second = decode_protobuf(request.SerializeToString()).records
        assert first.resource_attributes is second.resource_attributes
        assert first.scope is second.scope

    def test_several_resources_and_scopes(self) -> None:
        """Spans under different resources get their own resource attributes, in request order."""
        requests = [
            build_export_request(
                [make_span(f"s{n}", trace_id=TRACE_ID, span_id=f"{n:016x}", start_time_unix_nano=START)],
                resource_attributes={"service.name": f"svc{n}"},
                scope_name=f"lib{n}",
            )
            for n in (1, 2, 3)
        ]
        merged = ExportTraceServiceRequest(resource_spans=[r.resource_spans[0] for r in requests])
        records = decode_protobuf(merged.SerializeToString()).records
        assert [(r.name, r.resource_attributes["service.name"], r.scope.name) for r in records] == [
            ("s1", "svc1", "lib1"),
            ("s2", "svc2", "lib2"),
            ("s3", "svc3", "lib3"),
        ]


class TestRejections:
    """A span breaking a rule is rejected with the rule named; the rest of the request is kept."""

    @pytest.mark.parametrize(
        ("span", "reason"),
        [
            ({"trace_id": "ab" * 15}, "trace_id must be 16 bytes (32 hex characters), got 15 bytes"),
            ({"trace_id": ""}, "trace_id must be 16 bytes (32 hex characters), got 0 bytes"),
            ({"trace_id": "00" * 16}, "trace_id must not be all zeros"),
            ({"span_id": "abcdef"}, "span_id must be 8 bytes (16 hex characters), got 3 bytes"),
            ({"span_id": "00" * 8}, "span_id must not be all zeros"),
            (
                {"parent_span_id": "ab" * 9},
                "parent_span_id must be empty or 8 bytes (16 hex characters), got 9 bytes",
            ),
            ({"start_time_unix_nano": 0}, "start_time_unix_nano must be set (it is 0)"),
            ({"end_time_unix_nano": START - 1}, "end_time_unix_nano is before start_time_unix_nano"),
        ],
    )
    def test_rule(self, span: dict[str, object], reason: str) -> None:
        """Each id and time rule rejects the span with a reason naming it, and the ids as sent."""
        result = decode_one(**span)
        assert result.records == ()
        trace_id = str(span.get("trace_id", TRACE_ID)).lower()
        span_id = str(span.get("span_id", SPAN_ID)).lower()
        assert result.rejected == (Rejected(trace_id, span_id, reason),)

    def test_good_spans_are_kept_around_bad_ones(self) -> None:
        """A request mixing good and bad spans keeps the good ones in order and rejects each bad one once."""
        good = [
            make_span(f"good{n}", trace_id=TRACE_ID, span_id=f"{n:016x}", start_time_unix_nano=START)
            for n in (1, 2, 3)
        ]
        bad = [
            make_span("bad-trace", trace_id="00" * 16, span_id="aa" * 8, start_time_unix_nano=START),
            make_span("bad-span", trace_id=TRACE_ID, span_id="abcdef", start_time_unix_nano=START),
            make_span(
                "bad-time",
                trace_id=TRACE_ID,
                span_id="bb" * 8,
                start_time_unix_nano=START,
                end_time_unix_nano=1,
            ),
        ]
        spans = [good[0], bad[0], good[1], bad[1], bad[2], good[2]]
        result = decode_protobuf(build_export_request(spans).SerializeToString())
        assert [record.name for record in result.records] == ["good1", "good2", "good3"]
        assert result.rejected == (
            Rejected("00" * 16, "aa" * 8, "trace_id must not be all zeros"),
            Rejected(TRACE_ID, "abcdef", "span_id must be 8 bytes (16 hex characters), got 3 bytes"),
            Rejected(TRACE_ID, "bb" * 8, "end_time_unix_nano is before start_time_unix_nano"),
        )


class TestUndecodableBodies:
    """A body that is not an ExportTraceServiceRequest raises DecodeError with a clear message."""

    PREFIX = "OTLP protobuf body could not be parsed as ExportTraceServiceRequest: "

    @pytest.mark.parametrize(
        "body",
        [
            b"\x0a\x05abc",  # a field longer than the body
            b"\xff\xff\xff\xff",  # not a valid tag
            b'{"resourceSpans": []}',  # JSON sent as protobuf
            one_span_request().SerializeToString()[:-3],  # truncated
        ],
        ids=["overlong-field", "bad-tag", "json", "truncated"],
    )
    def test_malformed(self, body: bytes) -> None:
        """Malformed protobuf raises DecodeError naming the message type and upb's reason."""
        with pytest.raises(DecodeError) as raised:
            decode_protobuf(body)
        assert raised.value.message.startswith(self.PREFIX)
        assert len(raised.value.message) > len(self.PREFIX)
        assert not raised.value.retryable

    def test_invalid_utf8_in_an_attribute(self) -> None:
        """A string attribute that is not UTF-8 makes the body undecodable (proto3 strings are UTF-8)."""
        body = (
            one_span_request(attributes={"k": "\u00e9\u00e9"})
            .SerializeToString()
            .replace(b"\xc3\xa9", b"\xff\xfe")
        )
        with pytest.raises(DecodeError, match=r"^OTLP protobuf body could not be parsed"):
            decode_protobuf(body)

    def test_text_instead_of_bytes(self) -> None:
        """A str body is refused with DecodeError, not TypeError."""
        with pytest.raises(DecodeError, match=r"^OTLP protobuf body could not be parsed"):
            decode_protobuf("not bytes")  # type: ignore[arg-type]

    def test_empty_body_is_an_empty_request(self) -> None:
        """An empty body is a valid empty request."""
        assert decode_protobuf(b"") == DecodeResult((), ())


class TestDecodeRequest:
    """decode_request decodes an already parsed message like decode_protobuf decodes its bytes."""

    def test_same_result_as_the_body(self) -> None:
        """decode_request(message) == decode_protobuf(message bytes), rejections included."""
        spans = [
            make_span(
                "a",
                trace_id=TRACE_ID,
                span_id=SPAN_ID,
                start_time_unix_nano=START,
                attributes={"n": [1, {"x": b"y"}]},
            ),
            make_span("b", trace_id=TRACE_ID, span_id="00" * 8, start_time_unix_nano=START),
        ]
        request = build_export_request(spans, resource_attributes={"service.name": "svc"})
        result = decode_request(request)
        assert result == decode_protobuf(request.SerializeToString())
        assert len(result.records) == 1
        assert len(result.rejected) == 1
        assert result.records[0].attributes == {"n": [1, {"x": b"y"}]}
        assert result.records[0].end_time_unix_nano == START + 1_000_000
