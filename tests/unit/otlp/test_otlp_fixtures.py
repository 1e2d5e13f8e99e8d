"""The decoders against real payloads captured from instrumentation libraries (tests/fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from otel_bridge.model import AttributeValue
from otel_bridge.otlp import decode_json, decode_protobuf, decode_request
from tests.unit.otlp.otlp_helpers import decode_body, fixture_pairs, require_fixtures

PAIRS = fixture_pairs()
PAIR_IDS = [f"{body.parent.name}/{body.name}" for body, _ in PAIRS]
PROTOBUF_BODIES = [body for body, _ in PAIRS if not body.read_bytes().lstrip().startswith(b"{")]


def reference_value(value: AnyValue) -> AttributeValue:
    """The plain Python value of an AnyValue, the slow obvious way (the oracle for the decoder)."""
    which = value.WhichOneof("value")
    if which is None:
        return None
    if which == "array_value":
        return [reference_value(item) for item in value.array_value.values]
    if which == "kvlist_value":
        return {item.key: reference_value(item.value) for item in value.kvlist_value.values}
    return getattr(value, which)  # type: ignore[no-any-return]


class TestCapturedPayloads:
    """Each captured body decodes, and its protobuf and OTLP/JSON renderings agree."""

    def test_fixtures_are_present(self) -> None:
        """The captured fixtures exist (they ship with the repository: a failure when missing)."""
        require_fixtures()
        assert len(PAIRS) >= 10

    @pytest.mark.parametrize(("body_path", "json_path"), PAIRS, ids=PAIR_IDS)
    def test_body_and_json_rendering_give_identical_records(self, body_path: Path, json_path: Path) -> None:
        """Decoding the captured body and its NNNN-*.json twin gives the same SpanRecords, none rejected."""
        from_body = decode_body(body_path.read_bytes())
        from_json = decode_json(json_path.read_bytes())
        assert from_body.rejected == ()
        assert from_json.rejected == ()
        assert len(from_body.records) > 0
        assert from_body.records == from_json.records

    @pytest.mark.parametrize("body_path", PROTOBUF_BODIES, ids=lambda path: f"{path.parent.name}/{path.name}")
    def test_protobuf_records_match_the_parsed_message(self, body_path: Path) -> None:
        """Every decoded protobuf span carries the ids, times, names and attribute values of the message."""
        body = body_path.read_bytes()
        message = ExportTraceServiceRequest.FromString(body)
        spans = [
            (resource_spans, scope_spans, span)
            for resource_spans in message.resource_spans
            for scope_spans in resource_spans.scope_spans
            for span in scope_spans.spans
        ]
        records = decode_protobuf(body).records
        assert len(records) == len(spans)
        for record, (resource_spans, scope_spans, span) in zip(records, spans, strict=True):
            assert record.trace_id == span.trace_id.hex()
            assert record.span_id == span.span_id.hex()
            assert record.parent_span_id == (span.parent_span_id.hex() or None)
            assert record.name == span.name
            assert (record.start_time_unix_nano, record.end_time_unix_nano) == (
                span.start_time_unix_nano,
                span.end_time_unix_nano,
            )
            assert record.kind.name == span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_")
            assert record.attributes == {kv.key: reference_value(kv.value) for kv in span.attributes}
            assert record.resource_attributes == {
                kv.key: reference_value(kv.value) for kv in resource_spans.resource.attributes
            }
            assert (record.scope.name, record.scope.version) == (
                scope_spans.scope.name,
                scope_spans.scope.version,
            )
            assert [event.name for event in record.events] == [event.name for event in span.events]
            assert re.fullmatch("[0-9a-f]{32}", record.trace_id)
            assert re.fullmatch("[0-9a-f]{16}", record.span_id)

    @pytest.mark.parametrize("body_path", PROTOBUF_BODIES, ids=lambda path: f"{path.parent.name}/{path.name}")
    def test_decode_request_matches_decode_protobuf(self, body_path: Path) -> None:
        """The gRPC entry point (an already parsed message) gives what the HTTP body entry point gives."""
        body = body_path.read_bytes()
        assert decode_request(ExportTraceServiceRequest.FromString(body)) == decode_protobuf(body)
