"""The Langfuse Python SDK (OTel-based), the way its docs show it.

``LANGFUSE_BASE_URL`` / ``LANGFUSE_HOST`` point at the OTLP recorder (the SDK posts OTLP/HTTP protobuf to
``/api/public/otel/v1/traces``), keys ``pk-lf-golden`` / ``sk-lf-golden``. Per turn: an ``@observe``'d
function ``chat-turn`` that calls ``propagate_attributes(session_id=..., user_id=...)`` first thing, then the
LLM through the SDK's drop-in OpenAI client (``langfuse.openai.OpenAI``), which records a generation.
The SDK's own BatchSpanProcessor is flushed with ``langfuse.flush()`` and ``shutdown()``.
"""

from __future__ import annotations

import os

from _common import API_KEY, LLM_BASE_URL, MODEL, OTLP_BASE_URL, QUESTIONS, SESSION_ID, USER_ID, Conversation

os.environ.update(
    {
        "LANGFUSE_PUBLIC_KEY": "pk-lf-golden",
        "LANGFUSE_SECRET_KEY": "sk-lf-golden",
        "LANGFUSE_BASE_URL": OTLP_BASE_URL,
        "LANGFUSE_HOST": OTLP_BASE_URL,
    }
)

from langfuse import get_client, observe, propagate_attributes
from langfuse.openai import OpenAI

langfuse = get_client()
client = OpenAI(base_url=LLM_BASE_URL, api_key=API_KEY, max_retries=0)
conversation = Conversation()


@observe(name="chat-turn")
def chat_turn(question: str) -> str:
    with propagate_attributes(session_id=SESSION_ID, user_id=USER_ID):
        response = client.chat.completions.create(
            name="llm-call", model=MODEL, messages=conversation.ask(question), temperature=0.2, max_tokens=64
        )
        reply = response.choices[0].message.content or ""
        conversation.answer(reply)
        return reply


def main() -> None:
    for question in QUESTIONS:
        print(f"turn reply: {chat_turn(question)}")
    langfuse.flush()
    langfuse.shutdown()


if __name__ == "__main__":
    main()
