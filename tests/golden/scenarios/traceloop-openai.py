"""opentelemetry-instrumentation-openai (OpenLLMetry), standalone: traceloop-sdk does not resolve from the
package index, so this script does by hand the two things the SDK would do:

- its ``@workflow`` decorator: a parent span ``golden_chat.workflow`` with ``traceloop.span.kind=workflow``,
  ``traceloop.workflow.name``, ``traceloop.entity.name``, ``traceloop.entity.input`` / ``.output`` (JSON);
- its ``Traceloop.set_association_properties({"session_id": ..., "user_id": ...})``: the properties go into
  the
  context (key ``association_properties``) and onto the current span, and its span processor copies them,
  with the workflow name, onto every span started in that context as
  ``traceloop.association.properties.<key>`` / ``traceloop.workflow.name``.

SimpleSpanProcessor: one span per OTLP request, children exported before their parents.
"""

from __future__ import annotations

import json
from typing import Any

from _common import MODEL, QUESTIONS, SESSION_ID, USER_ID, Conversation, openai_client, setup_tracing
from opentelemetry import context as context_api
from opentelemetry.instrumentation.openai import OpenAIInstrumentor
from opentelemetry.sdk.trace import SpanProcessor

WORKFLOW = "golden_chat"


class AssociationPropertiesProcessor(SpanProcessor):
    """What traceloop-sdk's span processor does on start: stamp workflow name and association properties."""

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        workflow = context_api.get_value("workflow_name", parent_context)
        if workflow is not None:
            span.set_attribute("traceloop.workflow.name", workflow)
        properties = context_api.get_value("association_properties", parent_context)
        if isinstance(properties, dict):
            for key, value in properties.items():
                span.set_attribute(f"traceloop.association.properties.{key}", value)


def main() -> None:
    provider = setup_tracing(batch=False)
    provider._active_span_processor._span_processors = (  # run before the exporting processor
        AssociationPropertiesProcessor(),
        *provider._active_span_processor._span_processors,
    )
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    tracer = provider.get_tracer("traceloop.tracer")
    client = openai_client()
    conversation = Conversation()
    for question in QUESTIONS:
        token = context_api.attach(context_api.set_value("workflow_name", WORKFLOW))
        with tracer.start_as_current_span(f"{WORKFLOW}.workflow") as span:
            span.set_attribute("traceloop.span.kind", "workflow")
            span.set_attribute("traceloop.entity.name", WORKFLOW)
            span.set_attribute("traceloop.entity.input", json.dumps({"args": [question], "kwargs": {}}))
            properties = {"session_id": SESSION_ID, "user_id": USER_ID}
            props_token = context_api.attach(context_api.set_value("association_properties", properties))
            for key, value in properties.items():  # set_association_properties also stamps the current span
                span.set_attribute(f"traceloop.association.properties.{key}", value)
            response = client.chat.completions.create(
                model=MODEL, messages=conversation.ask(question), temperature=0.2, max_tokens=64
            )
            reply = response.choices[0].message.content or ""
            conversation.answer(reply)
            span.set_attribute("traceloop.entity.output", json.dumps(reply))
            context_api.detach(props_token)
        context_api.detach(token)
        print(f"turn reply: {reply}")
    provider.shutdown()


if __name__ == "__main__":
    main()
