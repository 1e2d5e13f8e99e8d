"""SDK ``ReadableSpan`` → ``SpanRecord``: the same record the OTLP decoder makes of the span sent over
the wire, checked against the OTel exporter's own protobuf encoder."""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceFlags, TraceState

from otel_bridge.model import SpanRecord
from otel_bridge.otlp import decode_request
from otel_bridge.sdk import span_to_record, spans_to_records

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
OTHER_TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
T0 = 1_700_000_000_123_456_789


def context(span_id: int, trace_id: int = TRACE_ID, *, remote: bool = False) -> SpanContext:
    return SpanContext(
        trace_id,
        span_id,
        is_remote=remote,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
        trace_state=TraceState([("vendor", "value"), ("other", "x")]),
    )


RESOURCE = Resource.create({"service.name": "app", "service.version": "1.2.3", "host.cores": 8})
SCOPE = InstrumentationScope("opentelemetry.instrumentation.openai", "0.1b0", None, {"scope.flag": True})

#: Every field and every attribute value type the SDK can hold.
EXHAUSTIVE = [
    ReadableSpan(
        name="chat gpt-4o",
        context=context(0x00F067AA0BA902B7),
        parent=context(0x53995C3F42CD8AD8, remote=True),
        resource=RESOURCE,
        attributes={
            "text": "héllo",
            "empty": "",
            "flag": False,
            "count": 0,
            "big": 2**62,
            "ratio": 0.25,
            "strings": ("a", "b"),
            "mixed_strings": ("a", ""),
            "ints": (1, 2, 3),
            "floats": (0.5, 1.5),
            "bools": (True, False),
            "nothing": (),
        },
        events=[
            Event("gen_ai.user.message", {"content": "hi", "index": 1}, timestamp=T0 + 10),
            Event("exception", {"exception.type": "ValueError", "exception.message": "x"}, timestamp=T0 + 20),
        ],
        links=[Link(context(0x1111111111111111, OTHER_TRACE_ID), {"link.kind": "follows"})],
        kind=SpanKind.CLIENT,
        status=Status(StatusCode.ERROR, "upstream failed"),
        start_time=T0,
        end_time=T0 + 1_000_000,
        instrumentation_scope=SCOPE,
    ),
    ReadableSpan(
        name="root",
        context=context(0x2222222222222222),
        resource=RESOURCE,
        kind=SpanKind.SERVER,
        status=Status(StatusCode.OK),
        start_time=T0 - 5,
        end_time=T0 + 2_000_000,
        instrumentation_scope=SCOPE,
    ),
    # No scope, no end time (an unfinished span, sent as end = start), a PRODUCER kind.
    ReadableSpan(
        name="unfinished",
        context=context(0x3333333333333333),
        parent=context(0x2222222222222222),
        resource=Resource.create({"service.name": "other"}),
        kind=SpanKind.PRODUCER,
        start_time=T0 + 7,
    ),
]


def decoded(spans: list[ReadableSpan]) -> list[SpanRecord]:
    """What the OTLP decoder makes of ``spans`` encoded by the OTel exporter's encoder."""
    result = decode_request(encode_spans(spans))
    assert result.rejected == ()
    return list(result.records)


def by_span_id(records: list[SpanRecord]) -> dict[str, SpanRecord]:
    return {record.span_id: record for record in records}


class TestSpanToRecord:
    def test_same_record_as_the_otlp_path(self) -> None:
        """Every field of every span equals what OTLP protobuf encode → decode produces."""
        # The encoder groups spans by resource and scope, so the order may differ: compare by id.
        assert by_span_id(spans_to_records(EXHAUSTIVE)) == by_span_id(decoded(EXHAUSTIVE))

    def test_spans_from_a_real_tracer(self) -> None:
        """Spans made by the SDK's tracer (events, links, exceptions, nesting) convert alike."""
        memory = InMemorySpanExporter()
        provider = TracerProvider(resource=RESOURCE)
        provider.add_span_processor(SimpleSpanProcessor(memory))
        tracer = provider.get_tracer("tests.sdk", "9.9", attributes={"a": 1})
        with tracer.start_as_current_span("outer", kind=SpanKind.CONSUMER) as outer:
            outer.add_event("started", {"step": 1})
            with tracer.start_as_current_span("inner", links=[Link(outer.get_span_context())]) as inner:
                inner.set_attribute("llm.token_count.prompt", 12)
                inner.record_exception(RuntimeError("nope"))
        spans = list(memory.get_finished_spans())
        provider.shutdown()
        assert by_span_id(spans_to_records(spans)) == by_span_id(decoded(spans))

    def test_fields(self) -> None:
        """Ids are lowercase hex, the parent is the parent span id, a missing end is the start."""
        record = span_to_record(EXHAUSTIVE[2])
        assert (record.trace_id, record.span_id) == (format(TRACE_ID, "032x"), "3333333333333333")
        assert record.parent_span_id == "2222222222222222"
        assert record.end_time_unix_nano == record.start_time_unix_nano == T0 + 7
        assert span_to_record(EXHAUSTIVE[1]).parent_span_id is None
        assert span_to_record(EXHAUSTIVE[0]).attributes["strings"] == ["a", "b"]

    def test_resource_and_scope_shared_within_a_batch(self) -> None:
        """Spans of one resource and scope share one converted attributes dict and scope, as the
        decoder shares them (the translator works resource facts out once per resource)."""
        first, second, _ = spans_to_records(EXHAUSTIVE)
        assert first.resource_attributes is second.resource_attributes
        assert first.scope is second.scope
