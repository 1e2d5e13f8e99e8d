"""OpenLLMetry / Traceloop: ``traceloop.*``, ``llm.*`` and the legacy indexed ``gen_ai.prompt.N.*`` /
``gen_ai.completion.N.*`` content.

Source: traceloop/openllmetry ``packages/opentelemetry-semantic-conventions-ai/opentelemetry/semconv_ai/
__init__.py`` (``SpanAttributes``, ``TraceloopSpanKindValues``, ``LLMRequestTypeValues``) and
``packages/traceloop-sdk/traceloop/sdk/tracing/tracing.py`` (docs/reference/conventions.md §3.2,
§1.6 steps 13 and 18). The capture in shared/fixtures/openllmetry_openai (0.62.4) shows what current
versions emit: ``gen_ai.input.messages``/``gen_ai.output.messages`` with parts and
``gen_ai.usage.*`` (the GenAI convention reads those), ``traceloop.entity.*`` on decorated spans and
``traceloop.association.properties.*`` on every span.

Decisions:
- Type from ``traceloop.span.kind``: workflow → CHAIN (a workflow chains tasks and LLM calls, as
  LangChain's RunnableSequence does in OpenInference), agent → AGENT, tool → TOOL; task and unknown
  give no answer, so later rules decide (a task is any decorated function: SPAN unless it names a
  model). Langfuse ignores the kind (all SPAN). Then ``llm.request.type``: embedding → EMBEDDING,
  chat/completion → GENERATION (rerank: no answer); it stays in ``metadata.attributes`` because the
  type does not say whether the API was chat or completion.
- Input/output: the indexed ``gen_ai.prompt.N``/``gen_ai.completion.N`` messages first (normalized,
  with ``finish_reason`` kept on completion messages), then ``traceloop.entity.input``/``output``
  as JSON payloads, parsed when read (OpenLLMetry's ``{"args": [...], "kwargs": {...}}`` or
  ``{"inputs": ...}`` wrappers are kept as they are). ``gen_ai.prompt.name`` and other non-numeric
  keys are not messages.
- Usage: only ``llm.usage.total_tokens`` → total. Every ``gen_ai.usage.*`` key (the deprecated
  ``prompt_tokens``/``completion_tokens``, ``cache_read_input_tokens``,
  ``cache_creation_input_tokens``, ``reasoning_tokens``) belongs to the GenAI convention, which runs
  first.
- Model parameters: ``llm.frequency_penalty``, ``llm.presence_penalty``, ``llm.top_k``,
  ``llm.chat.stop_sequences`` (→ ``stop``), ``llm.request.repetition_penalty``, and
  ``llm.is_streaming``/``gen_ai.is_streaming`` (→ ``stream``).
- ``traceloop.association.properties.<k>`` → trace metadata ``<k>``, except ``session_id`` and
  ``user_id`` (read centrally as the session and user claims, ``precedence``).
- ``traceloop.workflow.name``, ``traceloop.entity.{name,path,version}``, ``traceloop.prompt.*`` and
  ``llm.headers`` stay in ``metadata.attributes``.
"""

from __future__ import annotations

from typing import Any

from otel_bridge.model import ObservationType
from otel_bridge.translate.conventions.openinference import NO_GROUPS, IndexedSpec, ordered
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import Message, message, tool_call
from otel_bridge.translate.payloads import json_payload
from otel_bridge.translate.registry import PRIORITY_TRACELOOP_KIND, Convention, TypeRule
from otel_bridge.translate.view import SpanView, as_int

#: Namespaces (first key segment) that make this convention worth running.
NAMESPACES = frozenset({"traceloop", "llm"})
#: First keys of the legacy indexed content: a cheap probe on spans that only carry ``gen_ai.*``.
LEGACY_PROBES = (
    "gen_ai.prompt.0.role",
    "gen_ai.prompt.0.content",
    "gen_ai.completion.0.role",
    "gen_ai.completion.0.content",
)

SPAN_KIND = "traceloop.span.kind"
REQUEST_TYPE = "llm.request.type"
ENTITY_INPUT = "traceloop.entity.input"
ENTITY_OUTPUT = "traceloop.entity.output"
ASSOCIATION_PREFIX = "traceloop.association.properties."
#: The session and user under the property names OpenLLMetry's docs give
#: ``Traceloop.set_association_properties`` (the names are the app's choice): trace claims, read
#: centrally (``precedence``).
ASSOCIATION_SESSION_ID = "traceloop.association.properties.session_id"
ASSOCIATION_USER_ID = "traceloop.association.properties.user_id"
#: Association property names that are trace claims, not trace metadata.
CLAIM_PROPERTIES = frozenset(
    key.removeprefix(ASSOCIATION_PREFIX) for key in (ASSOCIATION_SESSION_ID, ASSOCIATION_USER_ID)
)
#: The response and request model before OpenLLMetry moved them to ``gen_ai.*`` (read centrally,
#: ``precedence.MODEL_KEYS``).
LEGACY_RESPONSE_MODEL = "llm.response.model"
LEGACY_REQUEST_MODEL = "llm.request.model"

GEN_AI_PREFIX = "gen_ai."
PROMPT = "prompt"
COMPLETION = "completion"
MESSAGE_FIELDS = frozenset({"role", "content", "name", "tool_call_id", "tool_calls", "function_call"})
INDEXED_GROUPS: dict[str, tuple[str, frozenset[str]]] = {
    PROMPT: ("", MESSAGE_FIELDS),
    COMPLETION: ("", MESSAGE_FIELDS | {"finish_reason"}),
}

LEGACY_LISTS = IndexedSpec(GEN_AI_PREFIX, INDEXED_GROUPS)

#: Usage keys this convention owns → normalized usage names.
TOKEN_COUNTS = (("llm.usage.total_tokens", "total"),)
#: Request settings → model parameter names.
PARAMETERS = (
    ("llm.frequency_penalty", "frequency_penalty"),
    ("llm.presence_penalty", "presence_penalty"),
    ("llm.top_k", "top_k"),
    ("llm.chat.stop_sequences", "stop"),
    ("llm.request.repetition_penalty", "repetition_penalty"),
    ("llm.is_streaming", "stream"),
    ("gen_ai.is_streaming", "stream"),
)
TOKEN_COUNT_KEYS = tuple(key for key, _ in TOKEN_COUNTS)
PARAMETER_KEYS = tuple(key for key, _ in PARAMETERS)

SPAN_KINDS = {
    "workflow": ObservationType.CHAIN,
    "agent": ObservationType.AGENT,
    "tool": ObservationType.TOOL,
}
REQUEST_TYPES = {
    "embedding": ObservationType.EMBEDDING,
    "chat": ObservationType.GENERATION,
    "completion": ObservationType.GENERATION,
}


def applies(span: SpanView) -> bool:
    """Any ``traceloop.*`` or ``llm.*`` attribute, or legacy indexed ``gen_ai.prompt/completion``."""
    namespaces = span.namespaces
    if not NAMESPACES.isdisjoint(namespaces):
        return True
    return "gen_ai" in namespaces and any(key in span for key in LEGACY_PROBES)


def span_kind_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``traceloop.span.kind``: workflow → CHAIN, agent → AGENT, tool → TOOL; task, unknown: None."""
    value = span.peek(SPAN_KIND)
    if not isinstance(value, str):
        return None
    found = SPAN_KINDS.get(value.strip().lower())
    if found is not None:
        span.take(SPAN_KIND)
    return found


def request_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``llm.request.type``: embedding → EMBEDDING, chat/completion → GENERATION (key kept)."""
    value = span.peek(REQUEST_TYPE)
    return REQUEST_TYPES.get(value.strip().lower()) if isinstance(value, str) else None


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer messages or entity input/output, usage, parameters and association properties."""
    namespaces = span.namespaces
    want_messages = "gen_ai" in namespaces and (draft.input is None or draft.output is None)
    groups = LEGACY_LISTS.collect(span) if want_messages else NO_GROUPS
    if "traceloop" in namespaces:
        trace_metadata = draft.trace_metadata
        cut = len(ASSOCIATION_PREFIX)
        for key in span.keys_with_prefix(ASSOCIATION_PREFIX):
            name = key[cut:]
            if name not in CLAIM_PROPERTIES and name not in trace_metadata:
                trace_metadata[name] = span.take(key)

    if draft.input is None:
        if PROMPT in groups:
            groups.take(span, PROMPT)
            draft.input = [_message(entry) for entry in groups.items(PROMPT)]
        else:
            draft.input = json_payload(span.take(ENTITY_INPUT))
    if draft.output is None:
        if COMPLETION in groups:
            groups.take(span, COMPLETION)
            draft.output = [_message(entry) for entry in groups.items(COMPLETION)]
        else:
            draft.output = json_payload(span.take(ENTITY_OUTPUT))

    # Only the keys this shape carries (listed once per shape): most spans have none of them.
    present = span.shape.present
    usage = draft.usage
    for key, name in TOKEN_COUNTS if present(TOKEN_COUNT_KEYS) else ():
        if name not in usage:
            count = as_int(span.peek(key))
            if count is not None:
                usage[name] = count
                span.take(key)
    parameters = draft.model_parameters
    for key, name in PARAMETERS if present(PARAMETER_KEYS) else ():
        if name not in parameters:
            value = span.peek(key)
            if value is not None:
                parameters[name] = value
                span.take(key)


def _message(entry: dict[str, Any]) -> Message:
    """One legacy ``gen_ai.prompt.N`` / ``gen_ai.completion.N`` entry in the normalized shape."""
    calls: list[dict[str, Any]] = []
    for call in ordered(entry.get("tool_calls")):
        if isinstance(call, dict):
            calls.append(tool_call(call.get("id"), call.get("name"), call.get("arguments")))
    function_call = entry.get("function_call")
    if isinstance(function_call, dict):
        calls.append(tool_call(None, function_call.get("name"), function_call.get("arguments")))
    normalized = message(
        entry.get("role"), entry.get("content"), calls, entry.get("tool_call_id"), entry.get("name")
    )
    finish_reason = entry.get("finish_reason")
    if finish_reason is not None:
        normalized["finish_reason"] = finish_reason
    return normalized


CONVENTION = Convention(
    name="traceloop",
    applies=applies,
    extract=extract,
    type_rules=(
        TypeRule(PRIORITY_TRACELOOP_KIND, SPAN_KIND, span_kind_type, keys=(SPAN_KIND,)),
        TypeRule(PRIORITY_TRACELOOP_KIND, REQUEST_TYPE, request_type, keys=(REQUEST_TYPE,)),
    ),
)
