"""(b) LangChain with ``CallbackHandler(sample_rate=0.5)``: 20 conversations of two turns each; about
half of the sessions are kept, each with both of its turns (the decision is a hash of the session id).

    pip install './otel-bridge[langchain]' langchain-openai
    python examples/b_langchain.py
"""

from __future__ import annotations

from _chat import API_KEY, MODEL, chat_url
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from otel_bridge import configure, flush
from otel_bridge.integrations.langchain import CallbackHandler

SESSIONS = [f"example-langchain-{n:02d}" for n in range(20)]


def main() -> None:
    configure(service_name="example-langchain")
    prompt = ChatPromptTemplate.from_messages([("system", "Answer briefly."), ("human", "{question}")])
    model = ChatOpenAI(model=MODEL, base_url=chat_url(), api_key=SecretStr(API_KEY), max_retries=0)
    chain = prompt | model | StrOutputParser()
    for session_id in SESSIONS:
        handler = CallbackHandler(session_id=session_id, user_id="example-user", sample_rate=0.5)
        for question in ("What is the capital of France?", "And of Norway?"):
            chain.invoke({"question": question}, config={"callbacks": [handler]})
    flush()
    print(f"{len(SESSIONS)} sessions sent at sample_rate=0.5")


if __name__ == "__main__":
    main()
