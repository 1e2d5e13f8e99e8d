"""The Langfuse Python SDK 2.x decorator pattern, against otel-bridge's ``POST /api/public/ingestion``.

``from langfuse.decorators import observe, langfuse_context``: an outer ``@observe()`` function calls a
nested ``@observe()`` function, which calls ``langfuse_context.update_current_trace(session_id=...)`` and
makes a chat call through v2's OpenAI drop-in (``from langfuse.openai import openai``, a generation)
against the fake OpenAI-compatible server. The outer function is called twice, then
``langfuse_context.flush()``. Prints the trace and observation ids and the SDK version.
"""

from __future__ import annotations

from importlib.metadata import version

from _sdk_common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, USER_ID, emit
from langfuse.decorators import langfuse_context, observe
from langfuse.openai import openai

client = openai.OpenAI(base_url=LLM_BASE_URL, api_key=API_KEY, max_retries=0)


@observe()
def answer(question: str) -> str:
    langfuse_context.update_current_trace(session_id=SESSION_ID, user_id=USER_ID)
    response = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}], temperature=0.2, max_tokens=64
    )
    return response.choices[0].message.content or ""


@observe()
def chat_turn(question: str) -> dict[str, str]:
    reply = answer(question)
    return {
        "trace_id": langfuse_context.get_current_trace_id() or "",
        "observation_id": langfuse_context.get_current_observation_id() or "",
        "reply": reply,
    }


def main() -> None:
    turns = [chat_turn(question) for question in QUESTIONS]
    langfuse_context.flush()
    emit({"langfuse": version("langfuse"), "openai": version("openai"), "turns": turns})


if __name__ == "__main__":
    main()
