"""openinference-instrumentation-openai, the way Phoenix users write it.

``using_session`` / ``using_user`` around each turn put ``session.id`` / ``user.id`` on every span that an
OpenInference tracer starts inside; the turn's parent span is a CHAIN span from an OpenInference
``TracerProvider`` (``openinference.instrumentation.TracerProvider``) with ``input.value`` / ``output.value``.
SimpleSpanProcessor: one span per OTLP request.
"""

from __future__ import annotations

from _common import MODEL, QUESTIONS, SESSION_ID, USER_ID, Conversation, openai_client, setup_tracing
from openinference.instrumentation import TracerProvider, using_session, using_user
from openinference.instrumentation.openai import OpenAIInstrumentor


def main() -> None:
    provider = setup_tracing(batch=False, provider_class=TracerProvider)
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    tracer = provider.get_tracer("golden.app")
    client = openai_client()
    conversation = Conversation()
    for question in QUESTIONS:
        with (
            using_session(SESSION_ID),
            using_user(USER_ID),
            tracer.start_as_current_span("chat-turn", openinference_span_kind="chain") as span,
        ):
            span.set_input(question)
            response = client.chat.completions.create(
                model=MODEL, messages=conversation.ask(question), temperature=0.2, max_tokens=64
            )
            reply = response.choices[0].message.content or ""
            conversation.answer(reply)
            span.set_output(reply)
        print(f"turn reply: {reply}")
    provider.shutdown()


if __name__ == "__main__":
    main()
