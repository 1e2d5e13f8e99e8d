"""pydantic-ai (``pydantic-ai-slim[openai]``) with its built-in OTel instrumentation
(``Agent.instrument_all(...)``,
instrumentation format version 5, the default), against the fake server through ``OpenAIChatModel``.

pydantic-ai has no session id of its own: the app puts ``session.id`` / ``user.id`` into OTel baggage and
``opentelemetry-processor-baggage``'s ``BaggageSpanProcessor`` copies them onto every span, the way Langfuse's
and Logfire's docs suggest. Second turn passes the first turn's messages as ``message_history``.
BatchSpanProcessor, flushed at exit.
"""

from __future__ import annotations

from _common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, SYSTEM, USER_ID, setup_tracing
from opentelemetry import baggage
from opentelemetry import context as context_api
from opentelemetry.processor.baggage import BaggageSpanProcessor
from pydantic_ai import Agent
from pydantic_ai.models.instrumented import InstrumentationSettings
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider


def main() -> None:
    provider = setup_tracing(batch=True)
    stamp = BaggageSpanProcessor(lambda key: key in ("session.id", "user.id"))
    processors = provider._active_span_processor._span_processors
    provider._active_span_processor._span_processors = (stamp, *processors)  # stamp before export
    Agent.instrument_all(
        InstrumentationSettings(tracer_provider=provider)
    )  # what logfire.instrument_pydantic_ai does
    model = OpenAIChatModel(MODEL, provider=OpenAIProvider(base_url=LLM_BASE_URL, api_key=API_KEY))
    agent = Agent(
        model,
        name="travel_agent",
        instructions=SYSTEM,
        model_settings={"temperature": 0.2, "max_tokens": 64},
    )
    history = None
    for question in QUESTIONS:
        ctx = baggage.set_baggage("session.id", SESSION_ID)
        ctx = baggage.set_baggage("user.id", USER_ID, context=ctx)
        token = context_api.attach(ctx)
        try:
            result = agent.run_sync(question, message_history=history)
        finally:
            context_api.detach(token)
        history = result.all_messages()
        print(f"turn reply: {result.output}")
    provider.shutdown()


if __name__ == "__main__":
    main()
