"""(a) The decorator flow, as in Langfuse's tutorials: an ``@observe``d function calls a nested one,
which puts the trace in a session with ``update_current_trace`` and calls the chat model. Called twice:
one session (``example-session-id``), two traces.

    otel-bridge serve                           # in another shell; paste the export lines it prints
    python examples/a_decorator.py
"""

from __future__ import annotations

from _chat import MODEL, post_chat

from otel_bridge import configure, flush, observe, update_current_observation, update_current_trace


@observe(as_type="generation")
def call_model(question: str) -> str:
    response = post_chat([{"role": "user", "content": question}])
    usage = response["usage"]
    update_current_observation(
        model=MODEL,
        usage={"input": usage["prompt_tokens"], "output": usage["completion_tokens"]},
        model_parameters={"temperature": 0},
    )
    return str(response["choices"][0]["message"]["content"])


@observe
def nested(question: str, api_key: str) -> str:
    # The session is set deep inside the call, after the trace started: the whole trace joins it.
    update_current_trace(session_id="example-session-id", user_id="example-user")
    return call_model(question)


@observe
def answer(question: str) -> str:
    # The key is an argument, as in many tutorials: masked before it leaves the process.
    return nested(question, api_key="gsk_example000000000000000000000000000000")


def main() -> None:
    configure(service_name="example-decorator")  # OTEL_BRIDGE_URL / _PUBLIC_KEY / _SECRET_KEY
    for question in ("What is the capital of France?", "And of Norway?"):
        print(answer(question))
    flush()


if __name__ == "__main__":
    main()
