"""(d) LlamaIndex: OpenInference's LlamaIndex instrumentation with ``configure()`` and ``session()``;
an OpenAI-compatible LLM (``OpenAILike``) called twice in one session. Each call reads as one
generation (model, usage, messages) inside a chain span for LlamaIndex's wrapper.

    pip install './otel-bridge[llama-index]' llama-index-llms-openai-like
    python examples/d_llama_index.py
"""

from __future__ import annotations

from _chat import API_KEY, MODEL, chat_url
from llama_index.core.llms import ChatMessage
from llama_index.llms.openai_like import OpenAILike
from openinference.instrumentation.llama_index import LlamaIndexInstrumentor

from otel_bridge import configure, flush, session


def main() -> None:
    provider = configure(service_name="example-llama-index")
    LlamaIndexInstrumentor().instrument(tracer_provider=provider)
    llm = OpenAILike(model=MODEL, api_base=chat_url(), api_key=API_KEY, is_chat_model=True, max_retries=0)
    with session("example-llama-index-session", user_id="example-user"):
        for question in ("What is the capital of France?", "And of Norway?"):
            print(llm.chat([ChatMessage(role="user", content=question)]).message.content)
    flush()


if __name__ == "__main__":
    main()
