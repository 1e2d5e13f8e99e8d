"""MLflow Tracing (``mlflow-tracing``, the tracing-only MLflow SDK) exporting through its own OTLP exporter
(``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` + ``OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf``; MLflow's
``MLFLOW_ENABLE_OTLP_EXPORTER`` defaults to true), with ``mlflow.openai.autolog()`` around the openai client.

Each turn is an ``@mlflow.trace(span_type="AGENT")`` function (the trace's root span) that calls
``mlflow.update_current_trace(session_id=..., user=...)`` (MLflow's documented way: trace metadata
``mlflow.trace.session`` / ``mlflow.trace.user``), then, in turn 2, an ``@mlflow.trace(span_type="TOOL")``
function, then ``chat.completions.create`` (autologged: a ``CHAT_MODEL`` span). MLflow's OTLP span processor
does not export trace metadata (only its Databricks UC-table processor copies session/user to the root span),
so the app also sets ``session.id`` / ``user.id`` on the root span through MLflow's ``LiveSpan.set_attribute``
(which JSON-encodes the value, as MLflow does for every attribute). Second turn sends the first as history.
"""

from __future__ import annotations

import json
import os

from _common import (
    MODEL,
    OTLP_BASE_URL,
    OTLP_TRACES_ENDPOINT,
    QUESTIONS,
    SESSION_ID,
    USER_ID,
    Conversation,
    openai_client,
)

# MLflow reads these when it first builds its tracer provider (the recorder's port is only known at run time).
os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = OTLP_TRACES_ENDPOINT
os.environ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf"
os.environ["MLFLOW_ENABLE_OTLP_EXPORTER"] = "true"
# Any non-Databricks tracking URI: without one, mlflow-tracing 3.17.2 resolves its default through the
# tracking file store, whose imports (sqlparse, yaml) the tracing-only package does not install, and tracing
# silently turns into no-op spans. Nothing is sent there (OTLP is the only destination); the recorder would
# log it.
os.environ["MLFLOW_TRACKING_URI"] = OTLP_BASE_URL

import mlflow


@mlflow.trace(name="get_weather", span_type="TOOL")
def get_weather(city: str) -> dict[str, object]:
    return {"city": city, "temperatureC": 3, "conditions": "맑음 (clear)"}


@mlflow.trace(name="travel_turn", span_type="AGENT")
def turn(client: object, conversation: Conversation, question: str, use_tool: bool) -> str:
    mlflow.update_current_trace(session_id=SESSION_ID, user=USER_ID)
    root = mlflow.get_current_active_span()
    root.set_attribute("session.id", SESSION_ID)
    root.set_attribute("user.id", USER_ID)
    messages = conversation.ask(question)
    if use_tool:
        weather = get_weather("Seoul")
        messages = [
            *messages[:-1],
            {"role": "system", "content": f"weather: {json.dumps(weather, ensure_ascii=False)}"},
            messages[-1],
        ]
    response = client.chat.completions.create(  # type: ignore[attr-defined]
        model=MODEL, messages=messages, temperature=0.2, max_tokens=64
    )
    reply = response.choices[0].message.content or ""
    conversation.answer(reply)
    return reply


def main() -> None:
    mlflow.openai.autolog()
    client = openai_client()
    conversation = Conversation()
    for i, question in enumerate(QUESTIONS):
        print(f"turn reply: {turn(client, conversation, question, use_tool=i == 1)}")
    # MLflow's own (isolated) TracerProvider holds the OTLP BatchSpanProcessor: flush it before exit.
    from mlflow.tracing.provider import provider

    provider.get().force_flush()
    provider.get().shutdown()


if __name__ == "__main__":
    main()
