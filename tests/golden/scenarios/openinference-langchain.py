"""openinference-instrumentation-langchain with langchain-core + langchain-openai.

A ``ChatPromptTemplate | ChatOpenAI`` chain (``ChatOpenAI`` with ``base_url`` at the fake server), invoked
once
per turn inside ``using_session`` / ``using_user``, which the LangChain tracer copies onto every span as
``session.id`` / ``user.id``. The chain's RunnableSequence span is each turn's parent. BatchSpanProcessor,
flushed at exit.
"""

from __future__ import annotations

from _common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, SYSTEM, USER_ID, setup_tracing
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_openai import ChatOpenAI
from openinference.instrumentation import using_session, using_user
from openinference.instrumentation.langchain import LangChainInstrumentor


def main() -> None:
    provider = setup_tracing(batch=True)
    LangChainInstrumentor().instrument(tracer_provider=provider)
    prompt = ChatPromptTemplate.from_messages(
        [("system", SYSTEM), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    # Type-checked since the dev extra installs langchain-openai: its pydantic fields take ``max_tokens``
    # by alias and a plain string key at run time, which its annotations do not say.
    model = ChatOpenAI(  # type: ignore[call-arg]
        model=MODEL,
        base_url=LLM_BASE_URL,
        api_key=API_KEY,  # type: ignore[arg-type]
        temperature=0.2,
        max_tokens=64,
        max_retries=0,
    )
    chain = prompt | model
    history: list[BaseMessage] = []
    for question in QUESTIONS:
        with using_session(SESSION_ID), using_user(USER_ID):
            reply = chain.invoke({"history": history, "question": question})
        text = str(reply.content)
        history += [HumanMessage(question), AIMessage(text)]
        print(f"turn reply: {text}")
    provider.shutdown()


if __name__ == "__main__":
    main()
