"""An application instrumented with the OpenTelemetry SDK, exporting OTLP/gRPC to a collector as any
user's application would (``BatchSpanProcessor`` + ``OTLPSpanExporter``), and keeping a copy of every
span it ended to check the result by."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

__all__ = ["INPUT_TOKENS", "OUTPUT_TOKENS", "App"]

INPUT_TOKENS = 120
OUTPUT_TOKENS = 30


class App:
    """Conversation turns sent to ``endpoint`` (``host:port`` of a collector's OTLP/gRPC receiver)."""

    def __init__(self, endpoint: str, resource: Mapping[str, Any] | None = None) -> None:
        self.sent = InMemorySpanExporter()
        self.provider = TracerProvider(
            resource=Resource.create({"service.name": "chat-app", **(resource or {})})
        )
        self.provider.add_span_processor(SimpleSpanProcessor(self.sent))
        exporter = OTLPSpanExporter(endpoint=endpoint, insecure=True)
        self.provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=100))
        self.tracer = self.provider.get_tracer("tests.e2e.collectors")

    def turn(self, session: Mapping[str, str], *, user: str = "ada", prompt: str = "Hello") -> None:
        """One trace: a root with the user, a retrieval step carrying ``session`` (the attributes that
        say which session it is), and a chat generation with token usage and ``prompt`` as input."""
        with self.tracer.start_as_current_span("turn", attributes={"user.id": user}):
            with self.tracer.start_as_current_span("retrieve", attributes=dict(session)):
                pass
            attributes: dict[str, str | int] = {
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": INPUT_TOKENS,
                "gen_ai.usage.output_tokens": OUTPUT_TOKENS,
                "input.value": prompt,
            }
            with self.tracer.start_as_current_span("chat gpt-4o", attributes=attributes):
                pass

    def span_ids(self) -> set[str]:
        """The ids (16 hex digits) of every span ended so far."""
        return {f"{span.context.span_id:016x}" for span in self.sent.get_finished_spans() if span.context}

    def shutdown(self) -> None:
        """Export what is left and stop."""
        self.provider.shutdown()
