"""MLflow tracing: ``mlflow.*``.

Source: mlflow/mlflow ``mlflow/tracing/constant.py`` (``SpanAttributeKey``, ``TokenUsageKey``,
``CostKey``), ``mlflow/entities/span.py`` (``SpanType``) and ``mlflow/tracing/utils``
(``dump_span_attribute_value``: MLflow JSON-encodes EVERY attribute value it sets, so a span type
arrives as ``"\\"CHAT_MODEL\\""``); docs/reference/conventions.md §3.6 and §1.6 step 12.

Decisions:
- Type from ``mlflow.spanType`` (JSON-decoded, upper case): LLM and CHAT_MODEL → GENERATION;
  AGENT, TOOL, RETRIEVER, CHAIN, EMBEDDING, EVALUATOR, GUARDRAIL keep their name; WORKFLOW → CHAIN
  (as Traceloop's workflow); PARSER, RERANKER, MEMORY, TASK, UNKNOWN and custom types give no answer.
  The rule runs at the framework priority, after ``gen_ai.operation.name`` (newer MLflow emits both).
- Input/output: the chat history ``mlflow.chat.messages`` (MLflow 2.x; OpenAI-format messages
  including the reply) first, normalized: a trailing assistant message is the output, the messages
  before it the input. Then ``mlflow.spanInputs``/``mlflow.spanOutputs`` (JSON payloads, parsed when
  read). Langfuse reads only the latter.
- Usage from ``mlflow.chat.tokenUsage`` (JSON: input_tokens, output_tokens, total_tokens,
  cache_read_input_tokens → cached, cache_creation_input_tokens → detail ``cache_creation``, any other
  count under its own name); cost from ``mlflow.llm.cost`` (JSON: input_cost, output_cost,
  total_cost). Langfuse reads neither.
- ``mlflow.traceName`` (offered as the trace name) and ``mlflow.llm.model`` (offered as the model)
  are JSON-decoded first. ``mlflow.llm.provider``, ``mlflow.chat.tools``, ``mlflow.traceRequestId``,
  ``mlflow.spanFunctionName``, ``mlflow.spanLogLevel``, ``mlflow.message.format`` and
  ``mlflow.traceTag.*`` stay in ``metadata.attributes``.
"""

from __future__ import annotations

from otel_bridge.model import ObservationType
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import chat_message
from otel_bridge.translate.payloads import json_payload
from otel_bridge.translate.registry import PRIORITY_FRAMEWORK, Convention, TypeRule
from otel_bridge.translate.view import SpanView, as_float, as_int, parse_json

NAMESPACE = "mlflow"
SPAN_TYPE = "mlflow.spanType"
SPAN_INPUTS = "mlflow.spanInputs"
SPAN_OUTPUTS = "mlflow.spanOutputs"
CHAT_MESSAGES = "mlflow.chat.messages"
TOKEN_USAGE = "mlflow.chat.tokenUsage"
COST = "mlflow.llm.cost"
MODEL = "mlflow.llm.model"
TRACE_NAME = "mlflow.traceName"
#: The trace's session and user (``TraceMetadataKey.TRACE_SESSION`` / ``TRACE_USER``), read centrally
#: (``precedence``). MLflow's OTLP export also copies them to ``session.id`` / ``user.id`` on the root.
TRACE_SESSION = "mlflow.trace.session"
TRACE_USER = "mlflow.trace.user"

#: ``mlflow.chat.tokenUsage`` fields → normalized usage names (others keep their own name).
USAGE_NAMES = {
    "input_tokens": "input",
    "output_tokens": "output",
    "total_tokens": "total",
    "cache_read_input_tokens": "cached",
    "cache_creation_input_tokens": "cache_creation",
}
#: ``mlflow.llm.cost`` fields → cost names.
COST_NAMES = {"input_cost": "input", "output_cost": "output", "total_cost": "total"}

TYPES = {
    "LLM": ObservationType.GENERATION,
    "CHAT_MODEL": ObservationType.GENERATION,
    "AGENT": ObservationType.AGENT,
    "TOOL": ObservationType.TOOL,
    "RETRIEVER": ObservationType.RETRIEVER,
    "CHAIN": ObservationType.CHAIN,
    "EMBEDDING": ObservationType.EMBEDDING,
    "EVALUATOR": ObservationType.EVALUATOR,
    "GUARDRAIL": ObservationType.GUARDRAIL,
    "WORKFLOW": ObservationType.CHAIN,
}
ASSISTANT = "assistant"


def applies(span: SpanView) -> bool:
    """Any ``mlflow.*`` attribute."""
    return NAMESPACE in span.namespaces


def observation_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``mlflow.spanType``, JSON-decoded; None for types Langfuse has no equivalent of."""
    value = span.peek(SPAN_TYPE)
    if isinstance(value, str):
        value = parse_json(value)
    if not isinstance(value, str):
        return None
    found = TYPES.get(value.strip().upper())
    if found is not None:
        span.take(SPAN_TYPE)
    return found


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer chat messages or span inputs/outputs, token usage and cost."""
    if draft.input is None and draft.output is None:
        _chat_messages(span, draft)
    if draft.input is None:
        draft.input = json_payload(span.take(SPAN_INPUTS))
    if draft.output is None:
        draft.output = json_payload(span.take(SPAN_OUTPUTS))

    if draft.model is None:
        draft.model = _json_string(span, MODEL)
    if draft.trace_name is None:
        draft.trace_name = _json_string(span, TRACE_NAME)

    usage = span.take_json_object(TOKEN_USAGE)
    if usage is not None:
        counts = {USAGE_NAMES.get(name, name): as_int(value) for name, value in usage.items()}
        draft.offer_usage(**counts)
    cost = span.take_json_object(COST)
    if cost is not None:
        draft.offer_cost(
            **{COST_NAMES[name]: as_float(value) for name, value in cost.items() if name in COST_NAMES}
        )


def _json_string(span: SpanView, key: str) -> str | None:
    """A JSON-encoded string attribute (as MLflow writes every value), decoded."""
    value = span.take(key)
    decoded = parse_json(value) if isinstance(value, str) else value
    return decoded if isinstance(decoded, str) and decoded else None


def _chat_messages(span: SpanView, draft: ObservationDraft) -> None:
    """``mlflow.chat.messages``: the history is the input, a trailing assistant reply the output."""
    raw = span.peek(CHAT_MESSAGES)
    history = parse_json(raw) if isinstance(raw, str) else raw
    if not isinstance(history, list) or not history or not all(isinstance(m, dict) for m in history):
        return
    span.take(CHAT_MESSAGES)
    normalized = [chat_message(item) for item in history]
    if len(normalized) > 1 and normalized[-1]["role"] == ASSISTANT:
        draft.offer_io(normalized[:-1], [normalized[-1]])
    else:
        draft.offer_io(normalized, None)


CONVENTION = Convention(
    name="mlflow",
    applies=applies,
    extract=extract,
    type_rules=(TypeRule(PRIORITY_FRAMEWORK, SPAN_TYPE, observation_type, keys=(SPAN_TYPE,)),),
)
