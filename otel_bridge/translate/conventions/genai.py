"""OpenTelemetry GenAI semantic conventions: ``gen_ai.*`` attributes and GenAI span events.

Sources: ``open-telemetry/semantic-conventions-genai`` ``model/gen-ai/registry.yaml`` and
``events.yaml`` (current keys, semconv 1.37+ "gen_ai_latest_experimental": ``gen_ai.input.messages``,
``gen_ai.output.messages``, ``gen_ai.system_instructions``, ``gen_ai.usage.cache_read.input_tokens``,
the ``gen_ai.client.inference.operation.details`` event) and ``open-telemetry/semantic-conventions``
``model/gen-ai/deprecated/{registry,events}-deprecated.yaml`` (semconv ≤ 1.36: ``gen_ai.prompt`` /
``gen_ai.completion``, ``gen_ai.usage.prompt_tokens`` / ``completion_tokens``, the message events
``gen_ai.{system,user,assistant,tool}.message`` and ``gen_ai.choice``); docs/reference/conventions.md
§1.6 steps 5, 6 and 20, §1.7, §1.8 step 3 and §3.3. Producers seen: opentelemetry-instrumentation-
openai-v2 with opentelemetry-util-genai, OpenLLMetry ≥ 0.5x (content as ``gen_ai.input.messages``
with parts), Strands Agents (plain ``gen_ai.prompt``/``gen_ai.completion`` or message events),
Azure AI Inference / Semantic Kernel (event body as JSON in ``gen_ai.event.content``).

Decisions (beyond Langfuse):
- ``retrieval`` → RETRIEVER and ``invoke_workflow`` → CHAIN (Langfuse leaves both SPAN).
- Langfuse's roll-up gate is kept, and extended to Pydantic AI agent runs: spans whose operation is
  ``invoke_agent`` or ``agent_step`` carry the *sum* of their children's usage (Strands,
  ``@ai-sdk/otel``, n8n, pydantic-ai's ``agent run``...), so their ``gen_ai.usage.*`` are not read
  as usage (they stay in ``metadata.attributes``) and trace/session totals do not count them twice.
  A remote agent reporting usage only on ``invoke_agent`` loses nothing but the totals.
- Each side of input/output is looked up on its own down the chain; only the keys (and events) that
  end up used are marked mapped, so a value that lost to an earlier source stays in metadata.
  ``gen_ai.system_instructions`` is mapped with the input messages it goes with; as in Langfuse it
  is not shown when those messages already hold a system message.
- Message JSON is kept as text (``model.Payload``) and normalized when read, not at ingest.
"""

from __future__ import annotations

import json
from typing import Any

from otel_bridge.model import ObservationType, Payload, SpanEvent
from otel_bridge.translate.conventions.genai_usage import usage_and_parameters
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import (
    Message,
    chat_message,
    genai_messages,
    system_instructions,
    text_content,
)
from otel_bridge.translate.payloads import GENAI_MESSAGES, json_payload, register_format
from otel_bridge.translate.registry import (
    PRIORITY_GENAI_OPERATION,
    PRIORITY_TOOL_ATTRIBUTES,
    Convention,
    TypeRule,
)
from otel_bridge.translate.view import SpanView, as_int, parse_json

NAMESPACE = "gen_ai"
OPERATION_NAME = "gen_ai.operation.name"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
#: The tool's name, which names the observation (read centrally, ``precedence.NAME_KEYS``).
TOOL_NAME = "gen_ai.tool.name"
#: The conversation (session, thread) the span belongs to: the session claim, read centrally.
CONVERSATION_ID = "gen_ai.conversation.id"
TOOL_CALL_ID = "gen_ai.tool.call.id"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
#: Deprecated (obsoleted in semconv 1.28) plain-string content; Strands still sends them.
PROMPT = "gen_ai.prompt"
COMPLETION = "gen_ai.completion"
#: The model that answered, then the one asked for (``genai_usage.REQUEST_MODEL``); both are read
#: centrally, by ``precedence.MODEL_KEYS``.
RESPONSE_MODEL = "gen_ai.response.model"

#: The current content event (opt-in), carrying the content attributes above.
OPERATION_DETAILS_EVENT = "gen_ai.client.inference.operation.details"
#: Deprecated message events → the role their body defaults to.
MESSAGE_EVENTS = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}
CHOICE_EVENT = "gen_ai.choice"
#: Event attribute some producers (Azure AI Inference, Semantic Kernel) put the JSON body in.
EVENT_BODY_KEYS = ("gen_ai.event.content", "body")
#: Semantic Kernel's older events, carrying ``gen_ai.prompt`` / ``gen_ai.completion`` (semconv 1.26).
LEGACY_EVENTS = {"gen_ai.content.prompt": PROMPT, "gen_ai.content.completion": COMPLETION}
CONTENT_EVENTS = frozenset([OPERATION_DETAILS_EVENT, CHOICE_EVENT, *MESSAGE_EVENTS, *LEGACY_EVENTS])

OPERATION_TYPES = {
    "chat": ObservationType.GENERATION,
    "text_completion": ObservationType.GENERATION,
    "generate_content": ObservationType.GENERATION,
    "completion": ObservationType.GENERATION,
    "generate": ObservationType.GENERATION,
    "embeddings": ObservationType.EMBEDDING,
    "invoke_agent": ObservationType.AGENT,
    "create_agent": ObservationType.AGENT,
    "execute_tool": ObservationType.TOOL,
    "retrieval": ObservationType.RETRIEVER,
    "invoke_workflow": ObservationType.CHAIN,
}

#: Operations whose usage is the roll-up of their children's (see the module docstring).
ROLLUP_OPERATIONS = frozenset({"invoke_agent", "agent_step"})
#: Pydantic AI agent runs carry the run's summed usage without an operation name.
PYDANTIC_AI_SCOPE = "pydantic-ai"
PYDANTIC_AI_RUN_KEYS = ("agent_name", "pydantic_ai.all_messages", "all_messages_events")


def applies(span: SpanView) -> bool:
    """Any ``gen_ai.*`` attribute, or any span event (GenAI content may come only as events)."""
    return NAMESPACE in span.namespaces or bool(span.record.events)


def operation_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``gen_ai.operation.name`` → type; operations without a Langfuse type (plan, memory) pass."""
    value = span.attributes.get(OPERATION_NAME)
    return OPERATION_TYPES.get(value) if isinstance(value, str) else None


def tool_attributes_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """A span naming a tool or a tool call is a tool."""
    attributes = span.attributes
    return ObservationType.TOOL if TOOL_NAME in attributes or TOOL_CALL_ID in attributes else None


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer input/output, usage, cost and model parameters."""
    has_attributes = NAMESPACE in span.namespaces
    if has_attributes:
        _content_attributes(span, draft)
    if span.record.events and (draft.input is None or draft.output is None):
        _content_events(span, draft)
    if has_attributes:
        _deprecated_and_tool_content(span, draft)
        usage_and_parameters(span, draft, with_usage=not _is_rollup(span))


def _is_rollup(span: SpanView) -> bool:
    """A span whose usage sums its children's: an ``invoke_agent`` / ``agent_step`` operation, or a
    Pydantic AI agent run (which names no operation)."""
    attributes = span.attributes
    operation = attributes.get(OPERATION_NAME)
    if operation is not None:
        # Any attribute value may arrive here, a list or a map too (unhashable: not an operation name).
        return isinstance(operation, str) and operation in ROLLUP_OPERATIONS
    return span.scope_name == PYDANTIC_AI_SCOPE and any(key in attributes for key in PYDANTIC_AI_RUN_KEYS)


def _with_system(messages: list[Message], instructions: Any) -> list[Message]:
    """``messages`` with ``gen_ai.system_instructions`` in front, unless they hold a system message."""
    if instructions is None or any(m.get("role") == "system" for m in messages):
        return messages
    system = system_instructions(instructions)
    return messages if system is None else [system, *messages]


def _messages_or_raw(value: Any) -> Any:
    """Normalized messages, or the (JSON-parsed) value itself when it is not a list of messages."""
    messages = genai_messages(value)
    if messages is not None:
        return messages
    return parse_json(value) if isinstance(value, str) else value


def _deferred_messages(value: Any) -> Any:
    """A messages attribute: JSON text is kept as a ``genai.messages`` payload, normalized when read
    (see ``model.Payload``); an already structured value is normalized now."""
    return json_payload(value, GENAI_MESSAGES) if isinstance(value, str) else _messages_or_raw(value)


def input_messages(messages: Any, instructions: Any) -> Any:
    """Input messages with ``gen_ai.system_instructions`` (None when absent) put in front unless the
    messages hold a system message. JSON text stays text until read: the two texts are joined,
    unparsed, into one ``genai.messages+instructions`` payload (see ``model.Payload``)."""
    if instructions is None:
        return _deferred_messages(messages)
    if isinstance(messages, str) and messages.lstrip().startswith("["):
        if isinstance(instructions, str) and isinstance(parse_json(instructions), list):
            instructions_text = instructions
        else:
            instructions_text = json.dumps(instructions, ensure_ascii=False, default=str)
        return Payload('{"i":' + instructions_text + ',"m":' + messages + "}", MESSAGES_WITH_INSTRUCTIONS)
    value = _messages_or_raw(messages)
    return _with_system(value, instructions) if isinstance(value, list) else value


def _messages_with_instructions(document: Any) -> Any:
    """The normalizer of ``genai.messages+instructions`` payloads: ``{"i": instructions, "m": messages}``."""
    if not isinstance(document, dict):
        return document
    value = _messages_or_raw(document.get("m"))
    return _with_system(value, document.get("i")) if isinstance(value, list) else value


#: Payload format of input messages joined with system instructions (``payloads.register_format``).
MESSAGES_WITH_INSTRUCTIONS = "genai.messages+instructions"
register_format(MESSAGES_WITH_INSTRUCTIONS, _messages_with_instructions)


def _content_attributes(span: SpanView, draft: ObservationDraft) -> None:
    """Step 1: ``gen_ai.input.messages`` (with ``gen_ai.system_instructions`` in front) and
    ``gen_ai.output.messages`` span attributes."""
    attributes = span.attributes
    if draft.input is None and INPUT_MESSAGES in attributes:
        draft.offer_io(input_messages(span.take(INPUT_MESSAGES), span.take(SYSTEM_INSTRUCTIONS)), None)
    if draft.output is None and OUTPUT_MESSAGES in attributes:
        draft.offer_io(None, _deferred_messages(span.take(OUTPUT_MESSAGES)))


def _content_events(span: SpanView, draft: ObservationDraft) -> None:
    """Steps 2 and 3: the operation-details event, else the deprecated message and choice events,
    else Semantic Kernel's ``gen_ai.content.prompt`` / ``gen_ai.content.completion`` events."""
    events = span.record.events
    inputs: list[int] = []
    choices: list[int] = []
    legacy: list[int] = []
    for index, event in enumerate(events):
        name = event.name
        if name not in CONTENT_EVENTS:
            continue
        if name == OPERATION_DETAILS_EVENT:
            _operation_details(event, index, draft)
        elif name == CHOICE_EVENT:
            choices.append(index)
        elif name in LEGACY_EVENTS:
            legacy.append(index)
        else:
            inputs.append(index)
    if draft.input is None and inputs:
        draft.offer_io([_event_message(events[i]) for i in inputs], None)
        draft.events_used.update(inputs)
    if draft.output is None and choices:
        ranked = sorted(((*_choice(events[i]), i) for i in choices), key=lambda c: (c[0], c[2]))
        draft.offer_io(None, [message for _, message, _ in ranked])
        draft.events_used.update(choices)
    for index in legacy:
        key = LEGACY_EVENTS[events[index].name]
        value = events[index].attributes.get(key)
        if value is None or (draft.input if key == PROMPT else draft.output) is not None:
            continue
        content = _plain_content(parse_json(value) if isinstance(value, str) else value)
        if key == PROMPT:
            draft.offer_io(content, None)
        else:
            draft.offer_io(None, content)
        draft.events_used.add(index)


def _operation_details(event: SpanEvent, index: int, draft: ObservationDraft) -> None:
    """Content from one ``gen_ai.client.inference.operation.details`` event; the event leaves
    metadata only when all the content it carries was used."""
    attributes = event.attributes
    carried = used = 0
    raw_input = attributes.get(INPUT_MESSAGES)
    if raw_input is not None:
        carried += 1
        if draft.input is None:
            value = _messages_or_raw(raw_input)
            if isinstance(value, list):
                value = _with_system(value, attributes.get(SYSTEM_INSTRUCTIONS))
            draft.offer_io(value, None)
            used += 1
    raw_output = attributes.get(OUTPUT_MESSAGES)
    if raw_output is not None:
        carried += 1
        if draft.output is None:
            draft.offer_io(None, _messages_or_raw(raw_output))
            used += 1
    if used and used == carried:
        draft.events_used.add(index)


def _event_body(event: SpanEvent) -> dict[str, Any]:
    """A deprecated event's body: JSON in ``gen_ai.event.content`` (or ``body``), else the event's
    flat attributes (``role``, ``content``, ``tool_calls``, ``id``, ``message``, ``finish_reason``...)."""
    attributes = event.attributes
    for key in EVENT_BODY_KEYS:
        value = attributes.get(key)
        if isinstance(value, str):
            value = parse_json(value)
        if isinstance(value, dict):
            return value
    return dict(attributes)


def _event_message(event: SpanEvent) -> Message:
    """One deprecated message event as a normalized message (the event name gives the role when the
    body names none)."""
    return chat_message(_event_body(event), MESSAGE_EVENTS[event.name])


def _choice(event: SpanEvent) -> tuple[int, Message]:
    """One ``gen_ai.choice`` event as (choice index, message). Body: ``{index,
    finish_reason, message: {role, content, tool_calls}, tool_calls}``; ``message`` may be JSON, or
    only the content (Strands), and some producers send ``content`` as a ``{role, parts}`` message."""
    body = _event_body(event)
    inner = body.get("message")
    if isinstance(inner, str):
        inner = parse_json(inner)
    if isinstance(inner, dict) and ("content" in inner or "role" in inner or "tool_calls" in inner):
        item = dict(inner)
    elif inner is not None:
        item = {"content": inner}
    else:
        content = body.get("content")
        if isinstance(content, dict) and ("parts" in content or "role" in content):
            item = dict(content)
        else:
            item = {"content": content}
    if "tool_calls" not in item and body.get("tool_calls") is not None:
        item["tool_calls"] = body["tool_calls"]
    position = as_int(body.get("index"))
    return (0 if position is None else position), chat_message(item, "assistant")


def _deprecated_and_tool_content(span: SpanView, draft: ObservationDraft) -> None:
    """Steps 4 and 5: plain ``gen_ai.prompt`` / ``gen_ai.completion``, then tool call arguments and
    result."""
    attributes = span.attributes
    if draft.input is None:
        if PROMPT in attributes:
            draft.offer_io(_deferred_plain(span.take(PROMPT)), None)
        elif TOOL_CALL_ARGUMENTS in attributes:
            draft.offer_io(json_payload(span.take(TOOL_CALL_ARGUMENTS)), None)
    if draft.output is None:
        if COMPLETION in attributes:
            draft.offer_io(None, _deferred_plain(span.take(COMPLETION)))
        elif TOOL_CALL_RESULT in attributes:
            draft.offer_io(None, json_payload(span.take(TOOL_CALL_RESULT)))


def _deferred_plain(value: Any) -> Any:
    """``gen_ai.prompt`` / ``gen_ai.completion``: JSON text as a ``genai.plain`` payload."""
    return json_payload(value, PLAIN_CONTENT) if isinstance(value, str) else _plain_content(value)


def _plain_content(value: Any) -> Any:
    """``gen_ai.prompt`` / ``gen_ai.completion`` (parsed): a list of chat messages → normalized; a
    list of content blocks → text; anything else as it is."""
    if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
        return [chat_message(m) for m in value]
    return text_content(value)


#: Payload format of ``gen_ai.prompt`` / ``gen_ai.completion`` text (``payloads.register_format``).
PLAIN_CONTENT = "genai.plain"
register_format(PLAIN_CONTENT, _plain_content)


CONVENTION = Convention(
    name="genai",
    applies=applies,
    extract=extract,
    type_rules=(
        TypeRule(PRIORITY_GENAI_OPERATION, OPERATION_NAME, operation_type, keys=(OPERATION_NAME,)),
        TypeRule(
            PRIORITY_TOOL_ATTRIBUTES,
            "gen_ai.tool.name / gen_ai.tool.call.id",
            tool_attributes_type,
            keys=(TOOL_NAME, TOOL_CALL_ID),
        ),
    ),
)
