"""Google Agent Development Kit (scope ``gcp.vertex.agent``): ``gcp.vertex.agent.*``.

Source: google/adk-python ``src/google/adk/telemetry/tracing.py`` (``trace_call_llm``,
``trace_tool_call``, ``trace_merged_tool_calls``, ``trace_send_data``,
``_build_llm_request_for_trace``); docs/reference/conventions.md §3.7 and §1.6 step 8. The
request and response are pydantic dumps of ``google.genai`` types (snake_case field names; the
camelCase aliases are accepted too).

Decisions:
- Input: ``gcp.vertex.agent.llm_request`` (``{model, config, contents}``) as normalized messages:
  ``config.system_instruction`` as a leading system message, then each content. Gemini's role
  ``model`` becomes ``assistant``; ``function_call`` parts become tool calls; each
  ``function_response`` part becomes a ``tool`` message. Output: ``gcp.vertex.agent.llm_response``
  ``content`` as a one-message list. Both are kept as ``Payload`` text and normalized when read
  (formats ``google_adk.llm_request`` / ``google_adk.llm_response``); the JSON is still parsed once
  at ingest for the parameters, the usage and the leftovers below. When either is empty (``"{}"``,
  as on tool spans) the tool span's ``gcp.vertex.agent.tool_call_args`` / ``tool_response`` (JSON
  payloads) are used; ``gcp.vertex.agent.data`` (``trace_send_data``) is a fallback input.
- Model parameters: scalar (and list-of-scalar) entries of the request's ``config`` (temperature,
  top_p, max_output_tokens...). What the request and response carry besides contents, scalar config,
  content and token counts (tools, safety settings, finish_reason, model_version, grounding...) is
  kept in the observation metadata under ``llm_request`` / ``llm_response``: nothing is dropped.
- Usage from ``llm_response.usage_metadata``: prompt_token_count → input (cached included),
  candidates_token_count + thoughts_token_count → output (Gemini counts thoughts apart from
  candidates; our ``output`` includes reasoning), thoughts_token_count → reasoning,
  total_token_count → total, cached_content_token_count → cached, tool_use_prompt_token_count →
  detail ``tool_use_prompt``.
- ``error_code``/``error_message`` in the response → level ERROR with that status message.
- Types come from ``gen_ai.operation.name`` (invoke_agent, execute_tool) and the model rule; the
  session id ``gcp.vertex.agent.session_id`` is read centrally; ``invocation_id`` and ``event_id``
  stay in ``metadata.attributes``.
"""

from __future__ import annotations

from typing import Any

from otel_bridge.model import ObservationLevel, Payload
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import Message, message, tool_call
from otel_bridge.translate.payloads import json_payload, register_format
from otel_bridge.translate.registry import Convention
from otel_bridge.translate.view import SpanView, as_int

SCOPE = "gcp.vertex.agent"
NAMESPACE = "gcp"
LLM_REQUEST = "gcp.vertex.agent.llm_request"
LLM_RESPONSE = "gcp.vertex.agent.llm_response"
TOOL_CALL_ARGS = "gcp.vertex.agent.tool_call_args"
TOOL_RESPONSE = "gcp.vertex.agent.tool_response"
SEND_DATA = "gcp.vertex.agent.data"
#: The ADK session id on ``call_llm`` spans (the ``invoke_agent`` span carries it as
#: ``gen_ai.conversation.id``): a trace claim, read centrally (``precedence``).
SESSION_ID = "gcp.vertex.agent.session_id"

#: Gemini roles → normalized roles.
ROLES = {"model": "assistant"}
#: ``usage_metadata`` fields (snake_case, camelCase) → normalized usage names; output is derived.
USAGE_FIELDS = (
    ("prompt_token_count", "promptTokenCount", "input"),
    ("total_token_count", "totalTokenCount", "total"),
    ("cached_content_token_count", "cachedContentTokenCount", "cached"),
    ("thoughts_token_count", "thoughtsTokenCount", "reasoning"),
    ("tool_use_prompt_token_count", "toolUsePromptTokenCount", "tool_use_prompt"),
)
CANDIDATES_FIELDS = ("candidates_token_count", "candidatesTokenCount")
SYSTEM_INSTRUCTION_FIELDS = ("system_instruction", "systemInstruction")
USAGE_METADATA_FIELDS = ("usage_metadata", "usageMetadata")
SCALARS = (str, int, float, bool)


def applies(span: SpanView) -> bool:
    """Scope ``gcp.vertex.agent`` or any ``gcp.*`` attribute."""
    return span.scope_name == SCOPE or NAMESPACE in span.namespaces


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer request/response messages (or tool arguments/result), parameters, usage and errors."""
    request_text = span.peek(LLM_REQUEST)
    request = span.take_json_object(LLM_REQUEST)
    if request:
        _request(request_text, request, draft)
    response_text = span.peek(LLM_RESPONSE)
    response = span.take_json_object(LLM_RESPONSE)
    if response:
        _response(response_text, response, draft)
    if draft.input is None:
        draft.input = _tool_value(span, TOOL_CALL_ARGS)
    if draft.output is None:
        draft.output = _tool_value(span, TOOL_RESPONSE)
    if draft.input is None:
        data = span.peek(SEND_DATA)
        if isinstance(data, str) and data.lstrip().startswith("[") and data.strip() != "[]":
            draft.input = Payload(span.take(SEND_DATA), CONTENTS_FORMAT)


def _request(text: str, request: dict[str, Any], draft: ObservationDraft) -> None:
    """Parameters and leftovers now; the messages when read (``REQUEST_FORMAT`` payload)."""
    rest = dict(request)
    rest.pop("model", None)  # the model is read centrally from gen_ai.request.model
    config = rest.pop("config", None)
    instruction = None
    if isinstance(config, dict):
        config = dict(config)
        instruction = _pop_first(config, SYSTEM_INSTRUCTION_FIELDS)
        parameters = {k: v for k, v in config.items() if _is_parameter(v)}
        draft.offer_parameters(parameters)
        leftover = {k: v for k, v in config.items() if k not in parameters}
        if leftover:
            rest["config"] = leftover
    elif config is not None:
        rest["config"] = config
    if draft.input is None and (rest.get("contents") or instruction is not None):
        draft.input = Payload(text, REQUEST_FORMAT)
        rest.pop("contents", None)
        instruction = None
    if instruction is not None:  # another convention supplied the input: keep the instruction
        rest.setdefault("config", {})["system_instruction"] = instruction
    if rest:
        draft.metadata.setdefault("llm_request", rest)


def _response(text: str, response: dict[str, Any], draft: ObservationDraft) -> None:
    """Usage, errors and leftovers now; the output message when read (``RESPONSE_FORMAT`` payload)."""
    rest = dict(response)
    if draft.output is None and isinstance(rest.get("content"), dict):
        draft.output = Payload(text, RESPONSE_FORMAT)
        del rest["content"]
    usage = _pop_first(rest, USAGE_METADATA_FIELDS)
    if isinstance(usage, dict):
        leftover = _usage(dict(usage), draft)
        if leftover:
            rest["usage_metadata"] = leftover
    elif usage is not None:
        rest["usage_metadata"] = usage
    error_code = rest.get("error_code", rest.get("errorCode"))
    if error_code is not None and draft.level is None:
        draft.level = ObservationLevel.ERROR
        if draft.status_message is None:
            error_message = rest.get("error_message", rest.get("errorMessage"))
            draft.status_message = str(error_message if error_message is not None else error_code)
    if rest:
        draft.metadata.setdefault("llm_response", rest)


def _usage(usage: dict[str, Any], draft: ObservationDraft) -> dict[str, Any]:
    """Offer the token counts of ``usage_metadata``; what is left (per-modality lists...) is returned."""
    counts: dict[str, int | None] = {}
    for snake, camel, name in USAGE_FIELDS:
        value = _pop_first(usage, (snake, camel))
        count = as_int(value)
        if count is not None:
            counts[name] = count
        elif value is not None:
            usage[snake] = value
    candidates_value = _pop_first(usage, CANDIDATES_FIELDS)
    candidates = as_int(candidates_value)
    if candidates is not None:
        counts["output"] = candidates + (counts.get("reasoning") or 0)
    elif candidates_value is not None:
        usage[CANDIDATES_FIELDS[0]] = candidates_value
    draft.offer_usage(**counts)
    return usage


def _messages(contents: list[Any]) -> list[Message]:
    """``google.genai`` contents (``{role, parts}``) as normalized messages."""
    messages: list[Message] = []
    for content in contents:
        if not isinstance(content, dict):
            messages.append(message("user", content))
            continue
        role = content.get("role")
        role = ROLES.get(role, role) if isinstance(role, str) else role
        parts = content.get("parts")
        messages.extend(_from_parts(role, parts if isinstance(parts, list) else []))
    return messages


def _from_parts(role: Any, parts: list[Any]) -> list[Message]:
    """One content's parts: texts joined, function calls as tool calls, each function response a
    ``tool`` message; other parts (thoughts, code, files...) kept as they are. Opaque
    ``thought_signature`` bytes next to a text or call are not kept."""
    texts: list[str] = []
    others: list[Any] = []
    calls: list[dict[str, Any]] = []
    responses: list[Message] = []
    for part in parts:
        if not isinstance(part, dict):
            others.append(part)
            continue
        call = part.get("function_call", part.get("functionCall"))
        result = part.get("function_response", part.get("functionResponse"))
        if isinstance(call, dict):
            calls.append(tool_call(call.get("id"), call.get("name"), call.get("args")))
        elif isinstance(result, dict):
            responses.append(
                message("tool", result.get("response"), None, result.get("id"), result.get("name"))
            )
        elif "text" in part and not part.get("thought"):
            texts.append(str(part["text"]))
        else:
            others.append(part)
    messages: list[Message] = []
    if texts or others or calls or not responses:
        if others:
            content: Any = [{"type": "text", "text": text} for text in texts] + others
        else:
            content = "\n".join(texts) if texts else None
        messages.append(message(role, content, calls))
    messages.extend(responses)
    return messages


def _system_message(instruction: Any) -> Message | None:
    """``config.system_instruction``: a string, a content ``{parts}``, or a list of parts/strings."""
    if isinstance(instruction, str):
        return message("system", instruction) if instruction else None
    if isinstance(instruction, dict):
        parts = instruction.get("parts")
        instruction = parts if isinstance(parts, list) else [instruction]
    if isinstance(instruction, list) and instruction:
        texts = [
            p if isinstance(p, str) else p.get("text") if isinstance(p, dict) else None for p in instruction
        ]
        if all(isinstance(text, str) for text in texts):
            return message("system", "\n".join(str(text) for text in texts))
        return message("system", instruction)
    return None


def _text(part: Any) -> str | None:
    if isinstance(part, str):
        return part
    text = part.get("text") if isinstance(part, dict) else None
    return text if isinstance(text, str) else None


def _is_parameter(value: Any) -> bool:
    if isinstance(value, SCALARS):
        return True
    return isinstance(value, list) and all(isinstance(item, SCALARS) for item in value)


def _pop_first(mapping: dict[str, Any], names: tuple[str, ...]) -> Any:
    found = None
    for name in names:
        value = mapping.pop(name, None)
        if found is None:
            found = value
    return found


def _tool_value(span: SpanView, key: str) -> Any:
    """Tool arguments or result: JSON text as a payload (``"{}"`` too: a call without arguments)."""
    value = span.take(key)
    return None if value is None or value == "" else json_payload(value)


def request_messages(document: Any) -> Any:
    """``REQUEST_FORMAT`` normalizer: the system instruction and contents of a parsed request as
    messages; any other document as it is."""
    if not isinstance(document, dict):
        return document
    config = document.get("config")
    instruction = _first(config, SYSTEM_INSTRUCTION_FIELDS) if isinstance(config, dict) else None
    contents = document.get("contents")
    messages = _messages(contents) if isinstance(contents, list) else []
    system = _system_message(instruction)
    if system is not None:
        messages.insert(0, system)
    return messages


def response_messages(document: Any) -> Any:
    """``RESPONSE_FORMAT`` normalizer: the content of a parsed response as a one-message list."""
    content = document.get("content") if isinstance(document, dict) else None
    return _messages([content]) if isinstance(content, dict) else document


def contents_messages(document: Any) -> Any:
    """``CONTENTS_FORMAT`` normalizer: a parsed list of contents as messages."""
    return _messages(document) if isinstance(document, list) else document


def _first(mapping: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = mapping.get(name)
        if value is not None:
            return value
    return None


#: Payload formats (``payloads.register_format``): request and response text is normalized when read.
REQUEST_FORMAT = "google_adk.llm_request"
RESPONSE_FORMAT = "google_adk.llm_response"
CONTENTS_FORMAT = "google_adk.contents"
register_format(REQUEST_FORMAT, request_messages)
register_format(RESPONSE_FORMAT, response_messages)
register_format(CONTENTS_FORMAT, contents_messages)


CONVENTION = Convention(name="google_adk", applies=applies, extract=extract)
