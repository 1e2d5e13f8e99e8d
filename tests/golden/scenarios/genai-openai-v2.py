"""opentelemetry-instrumentation-openai-v2 (official OTel GenAI semconv), content capture on.

Per turn: a root span ``chat-turn`` (SERVER, carries ``user.id``), a middle ``invoke_agent golden-assistant``
span that carries ``gen_ai.conversation.id`` (the session, as GenAI-semconv apps set it), and the
instrumentation's ``chat gpt-4o-mini`` span. BatchSpanProcessor, gzip, flushed at exit.
Needs OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental and
OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=span_only (set by capture.py).
"""

from __future__ import annotations

from _common import MODEL, QUESTIONS, SESSION_ID, USER_ID, Conversation, openai_client, setup_tracing
from opentelemetry.instrumentation.openai_v2 import OpenAIInstrumentor
from opentelemetry.trace import SpanKind


def main() -> None:
    provider = setup_tracing(batch=True, gzip=True)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    tracer = provider.get_tracer("golden.app")
    client = openai_client()
    conversation = Conversation()
    for question in QUESTIONS:
        with tracer.start_as_current_span("chat-turn", kind=SpanKind.SERVER) as root:
            root.set_attribute("user.id", USER_ID)
            with tracer.start_as_current_span("invoke_agent golden-assistant") as agent:
                agent.set_attribute("gen_ai.operation.name", "invoke_agent")
                agent.set_attribute("gen_ai.agent.name", "golden-assistant")
                agent.set_attribute("gen_ai.conversation.id", SESSION_ID)
                response = client.chat.completions.create(
                    model=MODEL, messages=conversation.ask(question), temperature=0.2, max_tokens=64
                )
                reply = response.choices[0].message.content or ""
                conversation.answer(reply)
        print(f"turn reply: {reply}")
    provider.shutdown()


if __name__ == "__main__":
    main()
