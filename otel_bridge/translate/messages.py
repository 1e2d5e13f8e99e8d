"""Chat messages normalized to one shape, whatever convention carried them:

    {"role": str, "content": str | list | None, "tool_calls": [...]?, "tool_call_id": str?, "name": str?}

``tool_calls`` use OpenAI's chat shape, which Langfuse renders:
``{"id": str | None, "type": "function", "function": {"name": str, "arguments": str}}``.
Content made only of text parts is joined into one string; other parts (images, audio...) keep
their list form so nothing is lost.
"""

from __future__ import annotations

import json
from typing import Any

from otel_bridge.translate.view import parse_json

Message = dict[str, Any]


def tool_call(call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    """One tool call in OpenAI's shape; arguments become a JSON string when they are not one."""
    if arguments is not None and not isinstance(arguments, str):
        arguments = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
    return {
        "id": None if call_id is None else str(call_id),
        "type": "function",
        "function": {"name": "" if name is None else str(name), "arguments": arguments or ""},
    }


def message(
    role: Any,
    content: Any,
    tool_calls: list[dict[str, Any]] | None = None,
    tool_call_id: Any = None,
    name: Any = None,
) -> Message:
    """A normalized message; optional keys appear only when they have a value."""
    result: Message = {"role": "" if role is None else str(role), "content": content}
    if tool_calls:
        result["tool_calls"] = tool_calls
    if tool_call_id is not None:
        result["tool_call_id"] = str(tool_call_id)
    if name is not None:
        result["name"] = str(name)
    return result


def content_from_parts(parts: list[Any]) -> tuple[Any, list[dict[str, Any]], Any]:
    """OTel GenAI ``parts`` → (content, tool calls, tool call id of a tool response).

    Text parts are joined; ``tool_call`` parts become tool calls; a ``tool_call_response`` part
    becomes the content of a tool message; any other part is kept as it is.
    """
    texts: list[str] = []
    others: list[Any] = []
    calls: list[dict[str, Any]] = []
    response_id: Any = None
    for part in parts:
        if not isinstance(part, dict):
            others.append(part)
            continue
        kind = part.get("type")
        if kind == "text":
            texts.append(str(part.get("content", "")))
        elif kind == "tool_call":
            calls.append(tool_call(part.get("id"), part.get("name"), part.get("arguments")))
        elif kind == "tool_call_response":
            response_id = part.get("id")
            others.append(part.get("response", part.get("result")))
        else:
            others.append(part)
    if others:
        content: Any = [{"type": "text", "text": t} for t in texts] + others if texts else others
        if len(content) == 1 and response_id is not None:
            content = content[0]
    elif texts:
        content = "\n".join(texts)
    else:
        content = None
    return content, calls, response_id


def genai_messages(value: Any) -> list[Message] | None:
    """``gen_ai.input.messages`` / ``gen_ai.output.messages`` (a JSON string or a list) normalized;
    None when the value is not a list of messages."""
    if isinstance(value, str):
        value = parse_json(value)
    if not isinstance(value, list):
        return None
    normalized: list[Message] = []
    for item in value:
        if not isinstance(item, dict):
            return None
        parts = item.get("parts")
        if isinstance(parts, list):
            content, calls, response_id = content_from_parts(parts)
        else:
            content, calls, response_id = item.get("content"), [], item.get("tool_call_id")
        normalized.append(message(item.get("role"), content, calls, response_id, item.get("name")))
    return normalized


def system_instructions(value: Any) -> Message | None:
    """``gen_ai.system_instructions`` (a JSON list of parts or a plain string) as a system message."""
    if isinstance(value, str):
        value = parse_json(value)
    if isinstance(value, list):
        content, _, _ = content_from_parts(value)
        return message("system", content)
    if isinstance(value, str) and value:
        return message("system", value)
    return None


def _part_text(part: Any) -> str | None:
    """The text of a text-only content part in any common shape, else None."""
    if isinstance(part, str):
        return part
    if not isinstance(part, dict):
        return None
    kind = part.get("type")
    if kind in ("text", "input_text", "output_text"):
        text = part.get("text", part.get("content"))
        return text if isinstance(text, str) else None
    if kind is None and len(part) == 1 and isinstance(part.get("text"), str):
        return str(part["text"])  # Bedrock / Strands / Gemini ``{"text": ...}`` blocks
    return None


def text_content(value: Any) -> Any:
    """Message content as one string when it is text only: a list of text parts in any common shape
    (``{"type": "text", "text"|"content": ...}``, ``{"text": ...}``, plain strings), or a JSON string
    holding such a list. A JSON string holding a list of other parts is returned parsed; any other
    value (plain text included) is returned as it is."""
    if isinstance(value, str):
        if not value.startswith("["):
            return value
        parsed = parse_json(value)
        if not isinstance(parsed, list) or not parsed or not all(isinstance(p, dict) for p in parsed):
            return value
        value = parsed
    if isinstance(value, list) and value:
        texts = []
        for part in value:
            text = _part_text(part)
            if text is None:
                return value
            texts.append(text)
        return "\n".join(texts)
    return value


def tool_calls_from(value: Any) -> list[dict[str, Any]]:
    """Tool calls given in OpenAI's chat shape (``{id, type, function: {name, arguments}}``) or flat
    (``{id, name, arguments|args|input}``), possibly as a JSON string, normalized with ``tool_call``."""
    if isinstance(value, str):
        value = parse_json(value)
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    calls: list[dict[str, Any]] = []
    for item in value:
        if not isinstance(item, dict):
            continue
        function = item.get("function")
        if isinstance(function, dict):
            calls.append(tool_call(item.get("id"), function.get("name"), function.get("arguments")))
        else:
            arguments = item.get("arguments", item.get("args", item.get("input")))
            calls.append(tool_call(item.get("id"), item.get("name"), arguments))
    return calls


def chat_message(item: Any, role: Any = None) -> Message:
    """A message in OpenAI's chat shape, an OTel GenAI ``{role, parts}`` message, or a bare content
    value, normalized; ``role`` is used when the item names none. A tool message's ``id`` is taken as
    the id of the call it answers (the deprecated ``gen_ai.tool.message`` event body)."""
    if isinstance(item, str) and item.startswith("{"):
        parsed = parse_json(item)
        if isinstance(parsed, dict):
            item = parsed
    if not isinstance(item, dict):
        return message(role, text_content(item))
    item_role = item.get("role") or role
    parts = item.get("parts")
    if isinstance(parts, list) and item.get("content") is None:
        content, calls, response_id = content_from_parts(parts)
        content = text_content(content) if isinstance(content, list) else content
    else:
        content = text_content(item.get("content"))
        calls = tool_calls_from(item.get("tool_calls"))
        response_id = item.get("tool_call_id")
        if response_id is None and item_role == "tool":
            response_id = item.get("id")
    return message(item_role, content, calls, response_id, item.get("name"))
