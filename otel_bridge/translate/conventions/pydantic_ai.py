"""Pydantic AI (instrumentation scope ``pydantic-ai``) and Pydantic Logfire keys (any scope).

Sources: ``pydantic/pydantic-ai`` ``pydantic_ai_slim/pydantic_ai/models/instrumented.py`` and
``_agent_graph.py`` / ``agent/__init__.py`` (instrumentation versions 1–3: v1 puts messages in an
``events`` JSON attribute of GenAI event dicts and ``all_messages_events`` on the agent run; v2+ uses
``gen_ai.input.messages`` / ``gen_ai.output.messages`` / ``gen_ai.system_instructions`` on model spans
— read by the genai convention — and ``pydantic_ai.all_messages`` + ``final_result`` on the agent
run; tool spans carry ``tool_arguments`` / ``tool_response``); ``pydantic/logfire``
``logfire/_internal/constants.py`` (``logfire.msg``, ``logfire.msg_template``, ``logfire.span_type``,
``logfire.json_schema``, ``logfire.level_num`` with levels 1 trace, 5 debug, 9 info, 10 notice,
13 warn, 17 error, 21 fatal); docs/reference/conventions.md §1.6 steps 9, 11, 16, 17 and §3.5.

Decisions:
- ``logfire.msg`` is the name (read centrally, ``precedence.NAME_KEYS``); ``logfire.span_type``,
  ``logfire.msg_template`` and ``logfire.json_schema`` are Logfire's rendering hints: they move to
  ``metadata.logfire`` so that ``metadata.attributes`` shows the span's data.
- ``logfire.level_num`` sets the level only when it says more than "info": warn → WARNING,
  error/fatal → ERROR, trace/debug → DEBUG — but never below an ERROR status (an info-level span
  that failed stays ERROR, and its ``logfire.level_num`` stays in attributes).
- ``model_request_parameters`` (tool definitions and output mode — not sampling parameters, which
  come as ``gen_ai.request.*``) stays in ``metadata.attributes`` as the JSON text it is: parsing
  kilobytes of tool schemas on every model span would cost more than it shows.
- Type (framework priority, after the GenAI operation and tool-attribute rules): a ``pydantic-ai``
  span with an agent name or the agent run's messages is an AGENT; one with ``tool_arguments`` or
  ``tool_response`` a TOOL.
- ``gen_ai.agent.name`` / ``agent_name`` stay in attributes; ``prompt`` (pre-v1 agent runs) is read
  only where Logfire or Pydantic AI is identified, since the bare key is too generic.
"""

from __future__ import annotations

from typing import Any

from otel_bridge.model import ObservationLevel, ObservationType, StatusCode
from otel_bridge.translate.conventions.genai import input_messages
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import Message, chat_message
from otel_bridge.translate.payloads import json_payload
from otel_bridge.translate.registry import PRIORITY_FRAMEWORK, Convention, TypeRule
from otel_bridge.translate.view import SpanView, as_int, parse_json

SCOPE = "pydantic-ai"
LOGFIRE_NAMESPACE = "logfire"
ALL_MESSAGES = "pydantic_ai.all_messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
FINAL_RESULT = "final_result"
ALL_MESSAGES_EVENTS = "all_messages_events"
EVENTS = "events"
PROMPT = "prompt"
TOOL_ARGUMENTS = "tool_arguments"
TOOL_RESPONSE = "tool_response"
AGENT_NAME_KEYS = ("gen_ai.agent.name", "agent_name")
LEVEL_NUM = "logfire.level_num"
#: The span's message, its observation name (read centrally, ``precedence.NAME_KEYS``).
LOGFIRE_MSG = "logfire.msg"
#: Logfire's tags, read centrally as the trace's tags (``precedence.TAGS_KEYS``).
LOGFIRE_TAGS = "logfire.tags"
#: Logfire rendering hints moved to ``metadata.logfire`` (key → name there).
LOGFIRE_HINTS = {
    "logfire.span_type": "span_type",
    "logfire.msg_template": "msg_template",
    "logfire.json_schema": "json_schema",
}
CHOICE_EVENT = "gen_ai.choice"
EVENT_NAME = "event.name"
#: GenAI message event names → default role.
EVENT_ROLES = {
    "gen_ai.system.message": "system",
    "gen_ai.user.message": "user",
    "gen_ai.assistant.message": "assistant",
    "gen_ai.tool.message": "tool",
}

#: First key segments that identify a span this module reads (scope aside).
TRIGGER_NAMESPACES = frozenset(
    {
        LOGFIRE_NAMESPACE,
        "pydantic_ai",
        ALL_MESSAGES_EVENTS,
        EVENTS,
        FINAL_RESULT,
        TOOL_ARGUMENTS,
        TOOL_RESPONSE,
    }
)
AGENT_MARKERS = (*AGENT_NAME_KEYS, ALL_MESSAGES, ALL_MESSAGES_EVENTS, FINAL_RESULT)


def applies(span: SpanView) -> bool:
    """Scope ``pydantic-ai``, or any Logfire / Pydantic AI key."""
    return span.scope_name == SCOPE or not span.namespaces.isdisjoint(TRIGGER_NAMESPACES)


def framework_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """Pydantic AI agent runs are AGENTs and tool runs TOOLs (when no GenAI rule answered)."""
    if span.scope_name != SCOPE:
        return None
    attributes = span.attributes
    if TOOL_ARGUMENTS in attributes or TOOL_RESPONSE in attributes:
        return ObservationType.TOOL
    if any(key in attributes for key in AGENT_MARKERS):
        return ObservationType.AGENT
    return None


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer input/output, level and the Logfire metadata."""
    if draft.input is None or draft.output is None:
        _io(span, draft)
    if LOGFIRE_NAMESPACE in span.namespaces:
        _logfire(span, draft)


def _io(span: SpanView, draft: ObservationDraft) -> None:
    """``pydantic_ai.all_messages`` / ``final_result`` → v1 ``all_messages_events`` / ``events`` →
    ``prompt`` → ``tool_arguments`` / ``tool_response``; each side on its own."""
    attributes = span.attributes
    if draft.input is None and ALL_MESSAGES in attributes:
        draft.offer_io(_all_messages(span), None)
    if draft.output is None and FINAL_RESULT in attributes:
        draft.offer_io(None, json_payload(span.take(FINAL_RESULT)))
    for key in (ALL_MESSAGES_EVENTS, EVENTS):
        if key in attributes and (draft.input is None or draft.output is None):
            _events(span, key, draft)
    if (
        draft.input is None
        and PROMPT in attributes
        and (span.scope_name == SCOPE or LOGFIRE_NAMESPACE in span.namespaces)
    ):
        draft.offer_io(json_payload(span.take(PROMPT)), None)
    if draft.input is None and TOOL_ARGUMENTS in attributes:
        draft.offer_io(json_payload(span.take(TOOL_ARGUMENTS)), None)
    if draft.output is None and TOOL_RESPONSE in attributes:
        draft.offer_io(None, json_payload(span.take(TOOL_RESPONSE)))


def _all_messages(span: SpanView) -> Any:
    """``pydantic_ai.all_messages`` (``[{role, parts}]``, the GenAI message shape) with the system
    instructions in front, unless the history already holds a system message; kept as text until
    read (see ``model.Payload``)."""
    return input_messages(span.take(ALL_MESSAGES), span.take(SYSTEM_INSTRUCTIONS))


def _events(span: SpanView, key: str, draft: ObservationDraft) -> None:
    """A JSON list of GenAI event dicts: ``gen_ai.choice`` → output, the other events → input. The
    attribute is mapped only when it is such a list and a side it feeds was still empty."""
    value = span.attributes.get(key)
    events: Any = parse_json(value) if isinstance(value, str) else value
    if not isinstance(events, list) or not events:
        return
    if not all(isinstance(event, dict) and EVENT_NAME in event for event in events):
        return
    inputs: list[Message] = []
    outputs: list[Message] = []
    for event in events:
        name = event[EVENT_NAME]
        if name == CHOICE_EVENT:
            inner = event.get("message")
            outputs.append(
                chat_message(inner if isinstance(inner, dict) else {"content": inner}, "assistant")
            )
        else:
            inputs.append(chat_message(event, EVENT_ROLES.get(name)))
    fed = False
    if draft.input is None and inputs:
        draft.offer_io(inputs, None)
        fed = True
    if draft.output is None and outputs:
        draft.offer_io(None, outputs)
        fed = True
    if fed:
        span.take(key)


def _logfire(span: SpanView, draft: ObservationDraft) -> None:
    """Rendering hints → ``metadata.logfire``; ``logfire.level_num`` → level (see the docstring)."""
    attributes = span.attributes
    hints: dict[str, Any] = {}
    for key, name in LOGFIRE_HINTS.items():
        if key in attributes:
            hints[name] = span.take(key)
    if hints:
        existing = draft.metadata.setdefault("logfire", {})
        if isinstance(existing, dict):
            for name, value in hints.items():
                existing.setdefault(name, value)
    if draft.level is None and LEVEL_NUM in attributes:
        level = _level(as_int(attributes[LEVEL_NUM]))
        if level is None or level is ObservationLevel.DEFAULT:
            return
        if level is not ObservationLevel.ERROR and _failed(span):
            return
        span.take(LEVEL_NUM)
        draft.level = level


def _level(number: int | None) -> ObservationLevel | None:
    """Logfire's numeric level → Langfuse's: <9 DEBUG, <13 DEFAULT, <17 WARNING, else ERROR."""
    if number is None:
        return None
    if number < 9:
        return ObservationLevel.DEBUG
    if number < 13:
        return ObservationLevel.DEFAULT
    if number < 17:
        return ObservationLevel.WARNING
    return ObservationLevel.ERROR


def _failed(span: SpanView) -> bool:
    """The span's status or an ``exception`` event already says ERROR."""
    record = span.record
    return record.status.code is StatusCode.ERROR or any(e.name == "exception" for e in record.events)


CONVENTION = Convention(
    name="pydantic_ai",
    applies=applies,
    extract=extract,
    type_rules=(TypeRule(PRIORITY_FRAMEWORK, "pydantic-ai agent / tool run", framework_type),),
)
