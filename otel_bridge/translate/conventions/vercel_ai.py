"""Vercel AI SDK telemetry (``experimental_telemetry``): instrumentation scope ``ai``, keys ``ai.*``.

Source: ``vercel/ai`` ``content/docs/03-ai-sdk-core/60-telemetry.mdx`` (AI SDK 3.4–6: ``ai.result.*``
and ``ai.finishReason`` up to 3.x, ``ai.response.*`` from 4.0, ``ai.usage.inputTokens`` /
``outputTokens`` / ``totalTokens`` / ``reasoningTokens`` / ``cachedInputTokens`` from 5.0,
``ai.usage.promptTokens`` / ``completionTokens`` / ``tokens`` before) and ``src/telemetry/
get-base-telemetry-attributes.ts``; Langfuse's OIP scope-``ai`` branches (docs/reference/
conventions.md §1.5, §1.6 step 3, §1.7, §1.8 steps 5–6, §3.4).

Spans: an outer call (``ai.generateText``, ``ai.streamText``, ``ai.generateObject``,
``ai.streamObject``, ``ai.embed``, ``ai.embedMany``) wraps one provider call per step
(``….doGenerate`` / ``….doStream`` / ``….doEmbed``) and the ``ai.toolCall`` spans between them.

Decisions:
- Provider calls are GENERATION / EMBEDDING, ``ai.toolCall`` is TOOL, and an outer call is CHAIN (it
  links the steps; Langfuse leaves it SPAN, but otel-bridge's "has a model" rule would make it a
  GENERATION because it carries ``ai.model.id``).
- An outer call's ``ai.usage.*`` is the sum of its steps', so it is not read as usage (the keys stay
  in ``metadata.attributes``): trace and session totals count each provider call once. Its prompt
  and final text still give the outer span's input and output.
- ``ai.telemetry.functionId`` and ``ai.operationId`` only compose the name and stay in attributes.
- ``ai.telemetry.metadata.<k>`` goes to both the trace's and the observation's metadata (as Langfuse);
  ``langfusePrompt`` links the prompt on provider calls only (Langfuse links generations only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from otel_bridge.model import ObservationType, nanos_to_datetime
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import Message, message, text_content, tool_call
from otel_bridge.translate.payloads import json_payload, register_format
from otel_bridge.translate.registry import PRIORITY_VERCEL_OPERATION, Convention, TypeRule
from otel_bridge.translate.view import SpanView, as_float, as_int, parse_json

SCOPE = "ai"
NAMESPACE = "ai"
OPERATION_ID = "ai.operationId"
OPERATION_NAME = "operation.name"  # "<operationId> <functionId>"
FUNCTION_ID = "ai.telemetry.functionId"
PROMPT_MESSAGES = "ai.prompt.messages"
PROMPT = "ai.prompt"
TOOL_CALL_ARGS = "ai.toolCall.args"
TOOL_CALL_RESULT = "ai.toolCall.result"
#: The tool's name, which names an ``ai.toolCall`` observation (read centrally, ``precedence.NAME_KEYS``).
TOOL_CALL_NAME = "ai.toolCall.name"
#: The model the provider answered with, then the one asked for (read centrally,
#: ``precedence.MODEL_KEYS``).
RESPONSE_MODEL = "ai.response.model"
MODEL_ID = "ai.model.id"
EMBED_VALUES = ("ai.values", "ai.value")
RESPONSE_TEXT_KEYS = ("ai.response.text", "ai.result.text")
RESPONSE_TOOL_CALLS_KEYS = ("ai.response.toolCalls", "ai.result.toolCalls")
RESPONSE_OBJECT_KEYS = ("ai.response.object", "ai.result.object")
MS_TO_FIRST_CHUNK_KEYS = ("ai.response.msToFirstChunk", "ai.stream.msToFirstChunk")
PROVIDER_METADATA = "ai.response.providerMetadata"
SETTINGS_PREFIX = "ai.settings."
METADATA_PREFIX = "ai.telemetry.metadata."
LANGFUSE_PROMPT = "ai.telemetry.metadata.langfusePrompt"
#: The session, user and tags passed as telemetry metadata: trace claims, read centrally
#: (``precedence``).
METADATA_SESSION_ID = "ai.telemetry.metadata.sessionId"
METADATA_USER_ID = "ai.telemetry.metadata.userId"
METADATA_TAGS = "ai.telemetry.metadata.tags"
#: ``ai.telemetry.metadata`` names that are trace claims, not metadata.
CLAIM_METADATA = frozenset(
    key.removeprefix(METADATA_PREFIX) for key in (METADATA_SESSION_ID, METADATA_USER_ID, METADATA_TAGS)
)

USAGE_PREFIX = "ai.usage."
#: Normalized usage name → ``ai.usage.*`` keys, AI SDK 5 spelling first.
USAGE_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("input", ("ai.usage.inputTokens", "ai.usage.promptTokens")),
    ("output", ("ai.usage.outputTokens", "ai.usage.completionTokens")),
    ("total", ("ai.usage.totalTokens",)),
    ("cached", ("ai.usage.cachedInputTokens",)),
    ("reasoning", ("ai.usage.reasoningTokens",)),
)
USAGE_TOKENS = "ai.usage.tokens"  # embeddings: the input token count; otherwise the total
#: ``ai.usage.*`` key → (normalized name, rank; lower wins); ``ai.usage.tokens`` counts an
#: embedding's input, elsewhere it is a total.
USAGE_RANKS = {key: (name, rank) for name, keys in USAGE_NAMES for rank, key in enumerate(keys)}
EMBEDDING_USAGE_RANKS = {**USAGE_RANKS, USAGE_TOKENS: ("input", 9)}
USAGE_RANKS[USAGE_TOKENS] = ("total", 9)
SCAN_PREFIXES = (USAGE_PREFIX, SETTINGS_PREFIX, METADATA_PREFIX)
SETTINGS_CUT = len(SETTINGS_PREFIX)
METADATA_CUT = len(METADATA_PREFIX)

GENERATION_OPERATIONS = frozenset(
    {
        "ai.generateText.doGenerate",
        "ai.streamText.doStream",
        "ai.generateObject.doGenerate",
        "ai.streamObject.doStream",
    }
)
EMBEDDING_OPERATIONS = frozenset({"ai.embed.doEmbed", "ai.embedMany.doEmbed"})
TOOL_OPERATION = "ai.toolCall"
OUTER_OPERATIONS = frozenset(
    {"ai.generateText", "ai.streamText", "ai.generateObject", "ai.streamObject", "ai.embed", "ai.embedMany"}
)
OPERATION_TYPES: dict[str, ObservationType] = {
    **dict.fromkeys(GENERATION_OPERATIONS, ObservationType.GENERATION),
    **dict.fromkeys(EMBEDDING_OPERATIONS, ObservationType.EMBEDDING),
    TOOL_OPERATION: ObservationType.TOOL,
    **dict.fromkeys(OUTER_OPERATIONS, ObservationType.CHAIN),
}


def applies(span: SpanView) -> bool:
    """Scope ``ai``, or ``ai.*`` keys with an ``ai.operationId`` (spans re-emitted under another scope)."""
    return span.scope_name == SCOPE or (NAMESPACE in span.namespaces and OPERATION_ID in span.attributes)


def _operation(attributes: Any) -> str | None:
    """``ai.operationId``, else the first word of ``operation.name``."""
    value = attributes.get(OPERATION_ID)
    if isinstance(value, str):
        return value
    value = attributes.get(OPERATION_NAME)
    if isinstance(value, str) and value.startswith("ai."):
        return value.partition(" ")[0]
    return None


def operation_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """The AI SDK operation → type (see the module docstring)."""
    operation = _operation(span.attributes)
    return None if operation is None else OPERATION_TYPES.get(operation)


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer name, input/output, usage, completion start, settings, metadata and the prompt link."""
    attributes = span.attributes
    operation = _operation(attributes)
    if draft.name is None and operation is not None:
        function_id = attributes.get(FUNCTION_ID)
        draft.name = (
            f"{function_id}:{operation}" if isinstance(function_id, str) and function_id else operation
        )
    if draft.input is None:
        draft.offer_io(_input(span), None)
    if draft.output is None:
        draft.offer_io(None, _output(span))
    usage_values = _settings_and_metadata(span, draft)
    if usage_values and operation not in OUTER_OPERATIONS:
        _usage(span, draft, usage_values, embedding=operation in EMBEDDING_OPERATIONS)
    if draft.completion_start_time is None:
        milliseconds = as_float(span.first(MS_TO_FIRST_CHUNK_KEYS))
        if milliseconds is not None:
            start = span.record.start_time_unix_nano
            draft.completion_start_time = nanos_to_datetime(start + int(milliseconds * 1_000_000))
    if operation in GENERATION_OPERATIONS and draft.prompt_name is None and LANGFUSE_PROMPT in attributes:
        raw = attributes[LANGFUSE_PROMPT]
        prompt: Any = parse_json(raw) if isinstance(raw, str) else raw
        if isinstance(prompt, dict) and isinstance(prompt.get("name"), str):
            span.take(LANGFUSE_PROMPT)
            draft.prompt_name = prompt["name"]
            draft.prompt_version = as_int(prompt.get("version"))


# --- input / output -------------------------------------------------------------------------------


def _input(span: SpanView) -> Any:
    """``ai.prompt.messages`` ?? ``ai.prompt`` ?? ``ai.toolCall.args`` ?? ``ai.values``/``ai.value``;
    JSON text is kept as a payload, normalized when read (see ``model.Payload``)."""
    attributes = span.attributes
    if PROMPT_MESSAGES in attributes:
        return _deferred(span.take(PROMPT_MESSAGES), MESSAGES_FORMAT, _normalized_messages)
    if PROMPT in attributes:
        return _deferred(span.take(PROMPT), PROMPT_FORMAT, _prompt)
    if TOOL_CALL_ARGS in attributes:
        return json_payload(span.take(TOOL_CALL_ARGS))
    for key in EMBED_VALUES:
        if key in attributes:
            return json_payload(span.take(key))
    return None


def _deferred(value: Any, kind: str, normalize: Callable[[Any], Any]) -> Any:
    """JSON text as a payload of format ``kind``; a structured value normalized now."""
    return json_payload(value, kind) if isinstance(value, str) else normalize(value)


def _output(span: SpanView) -> Any:
    """An assistant message when the call made tool calls, else the text ?? the tool result ?? the
    object (current ``ai.response.*`` keys beat legacy ``ai.result.*``)."""
    attributes = span.attributes
    for key in RESPONSE_TOOL_CALLS_KEYS:
        raw = attributes.get(key)
        calls = _tool_calls(parse_json(raw) if isinstance(raw, str) else raw)
        if calls:
            span.take(key)
            text = span.first(RESPONSE_TEXT_KEYS)
            return message("assistant", text if text != "" else None, calls)
    text = span.first(RESPONSE_TEXT_KEYS)
    if text is not None:
        return text
    if TOOL_CALL_RESULT in attributes:
        return json_payload(span.take(TOOL_CALL_RESULT))
    for key in RESPONSE_OBJECT_KEYS:
        if key in attributes:
            return json_payload(span.take(key))
    return None


def _prompt(value: Any) -> Any:
    """``ai.prompt`` JSON ``{system?, prompt?, messages?}`` → messages; anything else as it is."""
    if not isinstance(value, dict) or not {"system", "prompt", "messages"} & value.keys():
        return value
    result: list[Message] = []
    system = value.get("system")
    if system:
        result.append(message("system", text_content(system)))
    prompt = value.get("prompt")
    if isinstance(prompt, list):
        result.extend(_messages(prompt) or [message("user", prompt)])
    elif prompt is not None:
        result.append(message("user", prompt))
    messages = value.get("messages")
    if isinstance(messages, list):
        result.extend(_messages(messages) or [])
    return result


def _messages(value: Any) -> list[Message] | None:
    """AI SDK messages (``{role, content: str | parts}``) normalized; None when ``value`` is not a list
    of messages. A tool message with several results becomes one message per result."""
    if not isinstance(value, list):
        return None
    result: list[Message] = []
    for item in value:
        if not isinstance(item, dict) or "role" not in item:
            return None
        result.extend(_message(item))
    return result


def _message(item: dict[str, Any]) -> list[Message]:
    role = item.get("role")
    content = item.get("content")
    if not isinstance(content, list):
        return [message(role, content)]
    kept: list[Any] = []
    calls: list[dict[str, Any]] = []
    results: list[Message] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "tool-call":
            arguments = part.get("input", part.get("args"))
            calls.append(tool_call(part.get("toolCallId"), part.get("toolName"), arguments))
        elif kind == "tool-result":
            output = part.get("output", part.get("result"))
            results.append(
                message("tool", _tool_output(output), None, part.get("toolCallId"), part.get("toolName"))
            )
        else:
            kept.append(part)
    if results and not kept and not calls:
        return results
    text = text_content(kept) if kept else None
    return [message(role, text, calls), *results]


def _normalized_messages(value: Any) -> Any:
    """``ai.prompt.messages`` (parsed) normalized, or as it is when it is not a list of messages."""
    normalized = _messages(value)
    return value if normalized is None else normalized


def _tool_output(value: Any) -> Any:
    """A tool result: AI SDK 5's ``{type: 'text'|'json'|..., value}`` unwrapped."""
    if (
        isinstance(value, dict)
        and "value" in value
        and value.get("type")
        in (
            "text",
            "json",
            "error-text",
            "error-json",
            "content",
        )
    ):
        return value["value"]
    return value


def _tool_calls(value: Any) -> list[dict[str, Any]]:
    """``ai.response.toolCalls``: ``[{toolCallId, toolName, args | input}]`` → OpenAI tool calls."""
    if not isinstance(value, list):
        return []
    return [
        tool_call(item.get("toolCallId"), item.get("toolName"), item.get("input", item.get("args")))
        for item in value
        if isinstance(item, dict)
    ]


#: Payload formats of ``ai.prompt.messages`` and ``ai.prompt`` text (``payloads.register_format``).
MESSAGES_FORMAT = "vercel_ai.messages"
PROMPT_FORMAT = "vercel_ai.prompt"
register_format(MESSAGES_FORMAT, _normalized_messages)
register_format(PROMPT_FORMAT, _prompt)


# --- usage, settings, metadata --------------------------------------------------------------------


def _usage(span: SpanView, draft: ObservationDraft, values: dict[str, Any], embedding: bool) -> None:
    """``ai.usage.*`` (``values``: those attributes, as found by the scan; AI SDK 5 names beat 4's),
    plus cache counts from ``ai.response.providerMetadata`` (read, not mapped: it holds more)."""
    usage = draft.usage
    ranks = EMBEDDING_USAGE_RANKS if embedding else USAGE_RANKS
    counts: dict[str, int] = {}
    chosen: dict[str, tuple[int, str]] = {}
    for key, value in values.items():
        found = ranks.get(key)
        if found is None:
            continue
        name, rank = found
        number = as_int(value)
        if number is None or name in usage:
            continue
        previous = chosen.get(name)
        if previous is None or rank < previous[0]:
            chosen[name] = (rank, key)
            counts[name] = number
    span.used.update(key for _, key in chosen.values())
    metadata = span.attributes.get(PROVIDER_METADATA)
    if metadata is not None:
        for name, number in _provider_usage(metadata).items():
            if name not in counts and name not in usage:
                counts[name] = number
    if counts:
        draft.offer_usage(**counts)


def _provider_usage(value: Any) -> dict[str, int]:
    """Cache counts in ``ai.response.providerMetadata`` (OpenAI, Anthropic, Bedrock)."""
    if isinstance(value, str):
        value = parse_json(value)
    if not isinstance(value, dict):
        return {}
    found: dict[str, int | None] = {}
    openai = value.get("openai")
    if isinstance(openai, dict):
        found["cached"] = as_int(openai.get("cachedPromptTokens"))
    anthropic = value.get("anthropic")
    if isinstance(anthropic, dict):
        found["cached"] = found.get("cached") or as_int(anthropic.get("cacheReadInputTokens"))
        found["cache_creation"] = as_int(anthropic.get("cacheCreationInputTokens"))
    bedrock = value.get("bedrock")
    usage = bedrock.get("usage") if isinstance(bedrock, dict) else None
    if isinstance(usage, dict):
        found["cached"] = found.get("cached") or as_int(usage.get("cacheReadInputTokens"))
        found["cache_creation"] = found.get("cache_creation") or as_int(usage.get("cacheWriteInputTokens"))
    return {name: number for name, number in found.items() if number}


def _settings_and_metadata(span: SpanView, draft: ObservationDraft) -> dict[str, Any]:
    """One pass over the attributes: ``ai.settings.*`` → model parameters; ``ai.telemetry.metadata.<k>``
    → metadata (claims and the prompt link excepted); the ``ai.usage.*`` attributes are returned."""
    used = span.used
    parameters = draft.model_parameters
    usage_values: dict[str, Any] = {}
    for key, value in span.attributes.items():
        if not key.startswith(SCAN_PREFIXES):
            continue
        if key.startswith(USAGE_PREFIX):
            usage_values[key] = value
        elif key.startswith(SETTINGS_PREFIX):
            name = key[SETTINGS_CUT:]
            if name not in parameters and value is not None:
                parameters[name] = value
                used.add(key)
        else:
            name = key[METADATA_CUT:]
            if name in CLAIM_METADATA or key == LANGFUSE_PROMPT or value is None:
                continue
            parsed = parse_json(value) if isinstance(value, str) else value
            draft.trace_metadata.setdefault(name, parsed)
            draft.metadata.setdefault(name, parsed)
            used.add(key)
    return usage_values


CONVENTION = Convention(
    name="vercel_ai",
    applies=applies,
    extract=extract,
    type_rules=(
        TypeRule(
            PRIORITY_VERCEL_OPERATION, "ai.operationId", operation_type, keys=(OPERATION_ID, OPERATION_NAME)
        ),
    ),
)
