"""openinference-instrumentation-llama-index with llama-index-core and ``OpenAILike`` (an OpenAI-compatible
LLM at the fake server).

``OpenAILike.chat`` once per turn inside ``using_session`` / ``using_user``; the second turn sends the first
as history. LlamaIndex's dispatcher makes a span per instrumented method, so each call is two LLM-kind spans
named ``OpenAILike.chat``: the outer one (its input the Python repr of the ``ChatMessage`` arguments, no
token counts) wraps the inner one, which carries the messages and the usage. BatchSpanProcessor, flushed at
exit.
"""

from __future__ import annotations

from _common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, SYSTEM, USER_ID, setup_tracing
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike
from openinference.instrumentation import using_session, using_user
from openinference.instrumentation.llama_index import LlamaIndexInstrumentor


def main() -> None:
    provider = setup_tracing(batch=True)
    LlamaIndexInstrumentor().instrument(tracer_provider=provider)
    llm = OpenAILike(
        model=MODEL,
        api_base=LLM_BASE_URL,
        api_key=API_KEY,
        is_chat_model=True,
        temperature=0.2,
        max_retries=0,
    )
    history = [ChatMessage(role="system", content=SYSTEM)]
    for question in QUESTIONS:
        history.append(ChatMessage(role="user", content=question))
        with using_session(SESSION_ID), using_user(USER_ID):
            reply = llm.chat(history)
        text = str(reply.message.content)
        history.append(ChatMessage(role="assistant", content=text))
        print(f"turn reply: {text}")
    provider.shutdown()


if __name__ == "__main__":
    main()
