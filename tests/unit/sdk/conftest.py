"""Fixtures of the in-process library's tests: the global tracer provider (``observe`` uses it), with
the session processor, an in-memory span exporter and a ``BridgeSpanExporter`` into an
``InMemorySink``; and a scripted ingestion endpoint on a free local port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.sdk import BridgeSpanExporter, InMemorySink, SessionSpanProcessor
from tests.unit.sdk.sdk_helpers import GlobalPipeline, IngestionEndpoint


@pytest.fixture(scope="session")
def global_pipeline() -> GlobalPipeline:
    """The process's global SDK provider (created once; a global provider can be set only once),
    wired to in-memory exporters."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    pipeline = GlobalPipeline(InMemorySpanExporter(), InMemorySink())
    provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(pipeline.spans))
    provider.add_span_processor(SimpleSpanProcessor(BridgeSpanExporter(pipeline.sink)))
    return pipeline


@pytest.fixture
def pipeline(global_pipeline: GlobalPipeline) -> Iterator[GlobalPipeline]:
    """The global pipeline, empty at the start of the test."""
    global_pipeline.clear()
    yield global_pipeline
    global_pipeline.clear()


@pytest.fixture
def endpoint() -> Iterator[IngestionEndpoint]:
    """A scripted ingestion endpoint."""
    server = IngestionEndpoint()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """Each test sees the library's first warning of each kind (``sdk.throttle`` holds repeats back)."""
    from otel_bridge.sdk.throttle import sdk_log

    sdk_log.reset()
