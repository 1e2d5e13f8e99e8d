"""What the OpenInference convention does differently for LlamaIndex's instrumentation
(``openinference-instrumentation-llama-index``, scope ``openinference.instrumentation.llama_index``).

LlamaIndex's dispatcher makes one span per instrumented method, so an LLM class that delegates to
another (``OpenAILike.chat`` calling ``OpenAI.chat``) yields two LLM-kind spans per model call: the
inner one with the messages (``llm.input_messages.*``) and the token counts, and an outer wrapper
with neither, whose ``input.value`` is the Python repr of the call's ``ChatMessage`` arguments
(``{"messages": ["ChatMessage(role=<MessageRole.USER: 'user'>, … text='…')"]}``). Read as is, one
chat call would be two generations, one of them without usage. So:

- an LLM-kind span of this scope with no messages, no prompts and no token counts is the wrapper:
  CHAIN, not GENERATION (seen with llama-index-core 0.14.25 and the instrumentation 4.6.1, golden
  case ``openinference-instrumentation-llama-index-4.6.1``);
- an ``input.value``/``output.value`` holding ``ChatMessage`` reprs is read back into messages
  (``{"role", "content"}``, the text blocks joined), other values of the document kept.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from otel_bridge.translate.messages import Message, message

__all__ = ["SCOPE", "is_llm_wrapper", "readable_value"]

SCOPE = "openinference.instrumentation.llama_index"
#: Keys whose presence (as a prefix) shows a span is the model call itself.
_CALL_PREFIXES = ("llm.input_messages.", "llm.output_messages.", "llm.prompts", "llm.token_count.")
_REPR_MARKER = "ChatMessage(role=<MessageRole."
_ROLE = re.compile(r"^ChatMessage\(role=<MessageRole\.\w+: '(\w+)'>")
# A Python string literal as repr() writes it: single- or double-quoted, backslash escapes.
_TEXT_BLOCK = re.compile(r"TextBlock\(block_type='text', text=('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)")


def is_llm_wrapper(scope_name: str, attributes: Any) -> bool:
    """Whether an LLM-kind span of ``scope_name`` is LlamaIndex's wrapper around the real call."""
    if scope_name != SCOPE:
        return False
    return not any(str(key).startswith(_CALL_PREFIXES) for key in attributes)


def readable_value(value: Any) -> Any:
    """``value`` (an attribute's text) with ``ChatMessage`` reprs read back into messages; the value
    itself when it holds none or cannot be read."""
    if not isinstance(value, str) or _REPR_MARKER not in value:
        return value
    try:
        document = json.loads(value)
    except ValueError:
        return value
    if isinstance(document, dict) and isinstance(document.get("messages"), list):
        return {**document, "messages": [_message(item) for item in document["messages"]]}
    if isinstance(document, list):
        return [_message(item) for item in document]
    return value


def _message(item: Any) -> Message | Any:
    """One ``ChatMessage`` repr as a message; anything else as it is."""
    if not isinstance(item, str):
        return item
    role = _ROLE.match(item)
    if role is None:
        return item
    texts: list[str] = []
    for literal in _TEXT_BLOCK.findall(item):
        try:
            texts.append(str(ast.literal_eval(literal)))
        except (ValueError, SyntaxError):
            return item
    return message(role.group(1), "\n".join(texts), [], None, None)
