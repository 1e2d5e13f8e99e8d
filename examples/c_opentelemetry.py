"""(c) A plain OpenTelemetry application: its own tracer provider and OTLP exporter pointed at
otel-bridge, an auto-instrumentation library (OpenInference's for the ``openai`` client), and
``session()`` around each turn; ``SessionSpanProcessor`` stamps the session on every span, the
instrumentation's included. No ``configure()``: the spans travel over standard OTLP.

    pip install openai openinference-instrumentation-openai opentelemetry-exporter-otlp-proto-http
    export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
    export OTEL_EXPORTER_OTLP_HEADERS="Authorization=Basic%20<base64 of pk:sk>"   # printed by serve
    python examples/c_opentelemetry.py
"""

from __future__ import annotations

from _chat import API_KEY, MODEL, chat_url
from openai import OpenAI
from openinference.instrumentation.openai import OpenAIInstrumentor
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from otel_bridge import SessionSpanProcessor, session


def main() -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "example-opentelemetry"}))
    provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # OTEL_EXPORTER_OTLP_* settings
    trace.set_tracer_provider(provider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)

    client = OpenAI(base_url=chat_url(), api_key=API_KEY, max_retries=0)
    tracer = trace.get_tracer("example")
    for question in ("What is the capital of France?", "And of Norway?"):
        with session("example-otel-session", user_id="example-user"), tracer.start_as_current_span("turn"):
            reply = client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": question}]
            )
            print(reply.choices[0].message.content)
    provider.shutdown()


if __name__ == "__main__":
    main()
