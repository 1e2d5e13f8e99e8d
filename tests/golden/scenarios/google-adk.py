"""Google ADK (``google-adk``): an ``LlmAgent`` whose model is ``LiteLlm("openai/gpt-4o-mini")`` pointed at
the fake OpenAI-compatible server, run by a ``Runner`` over an ``InMemorySessionService`` session, with ADK's
built-in OTel tracing (tracer ``gcp.vertex.agent``) exported by the OTel SDK's OTLP/HTTP exporter.

``ADK_TELEMETRY_SCHEMA_VERSION_OPT_IN=1`` (set by capture.py) selects ADK's legacy span format, the one with
the ``call_llm`` span carrying ``gcp.vertex.agent.{session_id,llm_request,llm_response}`` (ADK 2.x defaults
to the GenAI-semconv-aligned format 2, which has no ``call_llm`` span: ``google-adk-semconv.py``). Message
content in spans is on (``ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS`` defaults to true).

The session id is ADK's own (``create_session(session_id=...)``; ADK writes it as ``gen_ai.conversation.id``
on ``invoke_agent`` and ``gcp.vertex.agent.session_id`` on ``call_llm``). ADK writes no user id on spans (only
on its log records), so the app puts ``user.id`` into OTel baggage and ``opentelemetry-processor-baggage``'s
``BaggageSpanProcessor`` copies it onto every span (as in the pydantic-ai scenario). Both turns use the same
session, so the second request carries the first turn as history. BatchSpanProcessor, flushed at exit.
"""

from __future__ import annotations

import asyncio
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no download of LiteLLM's price list

from _common import API_KEY, LLM_BASE_URL, MODEL, QUESTIONS, SESSION_ID, SYSTEM, USER_ID, setup_tracing
from opentelemetry import baggage
from opentelemetry import context as context_api
from opentelemetry.processor.baggage import BaggageSpanProcessor

APP_NAME = "golden-travel"


async def run() -> None:
    from google.adk.agents import LlmAgent
    from google.adk.models.lite_llm import LiteLlm
    from google.adk.runners import Runner
    from google.adk.sessions import InMemorySessionService
    from google.genai import types

    agent = LlmAgent(
        name="travel_agent",
        description="Answers travel questions.",
        model=LiteLlm(model=f"openai/{MODEL}", api_base=LLM_BASE_URL, api_key=API_KEY),
        instruction=SYSTEM,
        generate_content_config=types.GenerateContentConfig(temperature=0.2, max_output_tokens=64),
    )
    sessions = InMemorySessionService()
    await sessions.create_session(app_name=APP_NAME, user_id=USER_ID, session_id=SESSION_ID)
    runner = Runner(agent=agent, app_name=APP_NAME, session_service=sessions)
    for question in QUESTIONS:
        token = context_api.attach(baggage.set_baggage("user.id", USER_ID))
        try:
            message = types.Content(role="user", parts=[types.Part(text=question)])
            async for event in runner.run_async(user_id=USER_ID, session_id=SESSION_ID, new_message=message):
                if event.is_final_response() and event.content and event.content.parts:
                    print(f"turn reply: {event.content.parts[0].text}")
        finally:
            context_api.detach(token)


def main() -> None:
    provider = setup_tracing(batch=True)
    stamp = BaggageSpanProcessor(lambda key: key == "user.id")
    processors = provider._active_span_processor._span_processors
    provider._active_span_processor._span_processors = (stamp, *processors)  # stamp before export
    asyncio.run(run())
    provider.shutdown()


if __name__ == "__main__":
    main()
