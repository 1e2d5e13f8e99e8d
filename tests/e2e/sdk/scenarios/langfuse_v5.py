"""The current Langfuse Python SDK (5.x, OTel-based), the way its docs show it, against otel-bridge.

``LANGFUSE_HOST`` / ``LANGFUSE_BASE_URL`` point at the server, ``LANGFUSE_PUBLIC_KEY`` /
``LANGFUSE_SECRET_KEY`` are its keys. Two turns, each an ``@observe``'d function that calls
``propagate_attributes(session_id=..., user_id=...)`` first thing and then the LLM through the SDK's drop-in
OpenAI client (a generation), against the fake OpenAI-compatible server. ``flush()`` and ``shutdown()``
at the end. Prints the trace ids and the SDK version.
"""

from __future__ import annotations

from importlib.metadata import version

from _sdk_common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, USER_ID, emit
from langfuse import get_client, observe, propagate_attributes
from langfuse.openai import OpenAI

langfuse = get_client()
client = OpenAI(base_url=LLM_BASE_URL, api_key=API_KEY, max_retries=0)


@observe(name="chat-turn")
def chat_turn(question: str) -> dict[str, str]:
    with propagate_attributes(session_id=SESSION_ID, user_id=USER_ID):
        response = client.chat.completions.create(
            name="llm-call",
            model=MODEL,
            messages=[{"role": "user", "content": question}],
            temperature=0.2,
            max_tokens=64,
        )
        return {
            "trace_id": langfuse.get_current_trace_id() or "",
            "observation_id": langfuse.get_current_observation_id() or "",
            "reply": response.choices[0].message.content or "",
        }


def main() -> None:
    turns = [chat_turn(question) for question in QUESTIONS]
    langfuse.flush()
    langfuse.shutdown()
    emit({"langfuse": version("langfuse"), "turns": turns})


if __name__ == "__main__":
    main()
