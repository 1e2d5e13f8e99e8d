"""Fixtures of the integration tests: the examples' fake OpenAI-compatible chat server, and a tracer
provider whose spans go through ``BridgeSpanExporter`` into an ``InMemorySink`` (the library's own
path to a server, minus the HTTP hop)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

from otel_bridge.sdk import BridgeSpanExporter, InMemorySink, SessionSpanProcessor
from tests.support.optional import fake_chat_server_module


@dataclass
class Pipeline:
    """A provider and the translations of the spans it ended."""

    provider: TracerProvider
    sink: InMemorySink


@pytest.fixture
def chat_server() -> Iterator[Any]:
    """The fake chat server on a free port, in a thread."""
    server = fake_chat_server_module().FakeChatServer().start()
    yield server
    server.close()


@pytest.fixture
def pipeline() -> Iterator[Pipeline]:
    provider = TracerProvider()
    sink = InMemorySink()
    provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(BridgeSpanExporter(sink)))
    yield Pipeline(provider, sink)
    provider.shutdown()
