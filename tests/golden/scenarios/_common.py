"""Shared by the scenario scripts, which ``capture.py`` runs inside each library's own virtualenv.

The environment (set by ``capture.py``):

- ``GOLDEN_LLM_BASE_URL``: the fake OpenAI-compatible server, ending in ``/v1``;
- ``GOLDEN_OTLP_BASE_URL``: the OTLP/HTTP recorder (it answers ``/v1/traces`` and
  ``/api/public/otel/v1/traces``);
- ``GOLDEN_OTLP_TRACES_ENDPOINT``: ``GOLDEN_OTLP_BASE_URL`` + ``/v1/traces``;
- ``GOLDEN_SESSION_ID``, ``GOLDEN_USER_ID``: deterministic ids, so expected files stay stable on re-capture;
- ``GOLDEN_SERVICE_NAME``: the resource's ``service.name``.

Every scenario plays the same two-turn conversation (``QUESTIONS``) in one session for one user: one trace per
turn, a parent span per turn, one LLM call inside it. The second turn sends the first turn as history.
"""

from __future__ import annotations

import os
from typing import Any

LLM_BASE_URL = os.environ["GOLDEN_LLM_BASE_URL"]
OTLP_BASE_URL = os.environ["GOLDEN_OTLP_BASE_URL"]
OTLP_TRACES_ENDPOINT = os.environ["GOLDEN_OTLP_TRACES_ENDPOINT"]
SESSION_ID = os.environ["GOLDEN_SESSION_ID"]
USER_ID = os.environ["GOLDEN_USER_ID"]
SERVICE_NAME = os.environ["GOLDEN_SERVICE_NAME"]

MODEL = "gpt-4o-mini"
SYSTEM = "You are a concise travel assistant. 간결하게 답하세요."
QUESTIONS = (
    "What is the capital of South Korea? 한국의 수도는 어디인가요?",
    "How many people live there? 인구는 얼마나 되나요?",
)
API_KEY = "sk-fake"


def setup_tracing(*, batch: bool, gzip: bool = False, provider_class: Any = None) -> Any:
    """A global TracerProvider (``provider_class``, default the SDK's) exporting OTLP/HTTP protobuf to the
    recorder, through a BatchSpanProcessor (flushed by ``provider.shutdown()``) or a SimpleSpanProcessor."""
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = (provider_class or TracerProvider)(
        resource=Resource.create({"service.name": SERVICE_NAME, "deployment.environment.name": "golden"})
    )
    exporter = OTLPSpanExporter(
        endpoint=OTLP_TRACES_ENDPOINT,
        compression=Compression.Gzip if gzip else Compression.NoCompression,
    )
    provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def openai_client() -> Any:
    """The openai client, pointed at the fake server."""
    from openai import OpenAI

    return OpenAI(base_url=LLM_BASE_URL, api_key=API_KEY, max_retries=0)


class Conversation:
    """The chat history, in OpenAI's message format."""

    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = [{"role": "system", "content": SYSTEM}]

    def ask(self, question: str) -> list[dict[str, str]]:
        self.messages.append({"role": "user", "content": question})
        return list(self.messages)

    def answer(self, reply: str) -> None:
        self.messages.append({"role": "assistant", "content": reply})
