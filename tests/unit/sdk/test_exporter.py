"""``BridgeSpanExporter``: SDK spans → translations → a sink, with every problem mapped to FAILURE."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest
from opentelemetry import context as otel_context
from opentelemetry.context import _SUPPRESS_INSTRUMENTATION_KEY
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.model import ObservationType
from otel_bridge.sdk import BridgeSpanExporter, InMemorySink, SendResult
from otel_bridge.translate import Translation


def finished_spans() -> list[ReadableSpan]:
    """A root and a GenAI child, finished."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer("tests.sdk")
    with tracer.start_as_current_span("turn", attributes={"session.id": "s-1"}):
        attributes = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
        with tracer.start_as_current_span("chat gpt-4o", attributes=attributes):
            pass
    provider.shutdown()
    return list(memory.get_finished_spans())


class FailingSink:
    """A sink that reports problems, or raises, and records what it saw."""

    def __init__(self, errors: tuple[str, ...] = (), raises: bool = False) -> None:
        self.errors = errors
        self.raises = raises
        self.closed = False
        self.suppressed: list[object] = []

    def send(self, translations: Sequence[Translation]) -> SendResult:
        self.suppressed.append(otel_context.get_value(_SUPPRESS_INSTRUMENTATION_KEY))
        if self.raises:
            raise RuntimeError("sink bug")
        return SendResult(self.errors)

    def close(self) -> None:
        self.closed = True


class TestBridgeSpanExporter:
    def test_translates_into_the_sink(self) -> None:
        """SUCCESS, and the sink holds one translated observation per span."""
        sink = InMemorySink()
        spans = finished_spans()
        assert BridgeSpanExporter(sink).export(spans) == SpanExportResult.SUCCESS
        by_name = {o.name: o for o in sink.observations}
        assert by_name["chat gpt-4o"].type is ObservationType.GENERATION
        assert by_name["chat gpt-4o"].parent_observation_id == by_name["turn"].id
        (stored,) = sink.traces().values()
        assert (stored.name, stored.session_id) == ("turn", "s-1")

    def test_sink_problems_are_failure(self, caplog: pytest.LogCaptureFixture) -> None:
        """Problems the sink reports make FAILURE, and the first few are logged."""
        errors = tuple(f"problem {n}" for n in range(7))
        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"):
            result = BridgeSpanExporter(FailingSink(errors)).export(finished_spans())
        assert result == SpanExportResult.FAILURE
        assert "problem 4" in caplog.text and "problem 5" not in caplog.text
        assert "(and 2 more)" in caplog.text

    def test_a_raising_sink_is_failure(self, caplog: pytest.LogCaptureFixture) -> None:
        """An exception in the pipeline is logged and returned as FAILURE, never raised."""
        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"):
            assert (
                BridgeSpanExporter(FailingSink(raises=True)).export(finished_spans())
                == SpanExportResult.FAILURE
            )
        assert "could not export 2 spans" in caplog.text

    def test_sink_runs_with_instrumentation_suppressed(self) -> None:
        """The sink's own requests run with instrumentation suppressed, and the flag is gone after."""
        sink = FailingSink()
        BridgeSpanExporter(sink).export(finished_spans())
        assert sink.suppressed == [True]
        assert otel_context.get_value(_SUPPRESS_INSTRUMENTATION_KEY) is None

    def test_shutdown(self) -> None:
        """After shutdown the sink is closed and exports fail without reaching it."""
        sink = FailingSink()
        exporter = BridgeSpanExporter(sink)
        exporter.shutdown()
        assert sink.closed
        assert exporter.export(finished_spans()) == SpanExportResult.FAILURE
        assert sink.suppressed == []

    def test_nothing_to_export(self) -> None:
        """An empty export succeeds without calling the sink; flushing has nothing to wait for."""
        sink = FailingSink(errors=("unreachable",))
        exporter = BridgeSpanExporter(sink)
        assert exporter.export([]) == SpanExportResult.SUCCESS
        assert exporter.force_flush() is True
        assert sink.suppressed == []
