"""The finished OpenTelemetry SDK spans of a planned session: one trace a turn, made by a real
``TracerProvider`` with ids drawn from the seed, so that the same seed sends the same ids."""

from __future__ import annotations

import random

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.id_generator import IdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from otel_bridge.demo.instrumentation_writers import GenAi, OpenInference, OpenLlmetry
from otel_bridge.demo.planner import Generation, SessionPlan
from otel_bridge.demo.sdk_writers import LangfuseSdk, VercelAi
from otel_bridge.demo.writers import ConventionWriter

#: The writer of each convention (``planner.CONVENTIONS``).
WRITERS: dict[str, ConventionWriter] = {
    "genai": GenAi(),
    "openinference": OpenInference(),
    "openllmetry": OpenLlmetry(),
    "langfuse": LangfuseSdk(),
    "vercel-ai": VercelAi(),
}


class SeededIds(IdGenerator):
    """Trace and span ids from a seeded generator: the same seed sends the same ids."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def generate_span_id(self) -> int:
        """A non-zero 64-bit id."""
        return self._rng.getrandbits(64) or 1

    def generate_trace_id(self) -> int:
        """A non-zero 128-bit id."""
        return self._rng.getrandbits(128) or 1


def build_spans(plan: SessionPlan, seed: int) -> list[ReadableSpan]:
    """The finished SDK spans of one session, made with a real ``TracerProvider``."""
    memory = InMemorySpanExporter()
    writer = WRITERS[plan.convention]
    provider = _tracer_provider(plan, seed)
    provider.add_span_processor(SimpleSpanProcessor(memory))
    tracer = provider.get_tracer(writer.scope, "1.0.0")
    session = writer.session(plan)
    user_only = {k: v for k, v in session.items() if k != writer.session_key}
    for turn in plan.turns:
        name, attributes = writer.root(plan, turn)
        root_attributes = {**attributes, **(user_only if plan.session_on_child else session)}
        root = tracer.start_span(
            name, kind=SpanKind.INTERNAL, attributes=root_attributes, start_time=turn.start_ns
        )
        context = trace.set_span_in_context(root)
        for number, step in enumerate(turn.steps):
            carries_session = not plan.session_on_child or number == 0
            if isinstance(step, Generation):
                name, attributes = writer.generation(plan, step)
                kind = SpanKind.CLIENT
            else:
                name, attributes = writer.tool(plan, step)
                kind = SpanKind.INTERNAL
            if carries_session:
                attributes = {**attributes, **session}
            child = tracer.start_span(
                name, context=context, kind=kind, attributes=attributes, start_time=step.start_ns
            )
            if step.error:
                _fail(child, step.error, step.end_ns)
            child.end(end_time=step.end_ns)
        if turn.error:
            _fail(root, turn.error, turn.end_ns)
        root.end(end_time=turn.end_ns)
    provider.shutdown()
    return list(memory.get_finished_spans())


def _tracer_provider(plan: SessionPlan, seed: int) -> TracerProvider:
    """A provider for the session's service that samples everything and draws ids from the seed."""
    return TracerProvider(
        resource=Resource(
            {
                "service.name": plan.scenario.service,
                "service.version": "1.4.2",
                "deployment.environment.name": "demo",
                "telemetry.sdk.language": "python",
                "telemetry.sdk.name": "opentelemetry",
            }
        ),
        sampler=ALWAYS_ON,
        id_generator=SeededIds(random.Random(f"otel-bridge-demo-ids:{seed}:{plan.index}")),
    )


def _fail(span: Span, error: str, at_ns: int) -> None:
    kind, _, message = error.partition(": ")
    span.add_event("exception", {"exception.type": kind, "exception.message": message}, timestamp=at_ns)
    span.set_status(Status(StatusCode.ERROR, error))


__all__ = ["WRITERS", "SeededIds", "build_spans"]
