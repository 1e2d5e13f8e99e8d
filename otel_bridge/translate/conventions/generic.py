"""Generic ``input`` / ``output`` attributes, the last resort for a span's input and output, and
the generic ``model``, the last resort for its model.

Source: Langfuse's OIP input/output chain step 15 (docs/reference/conventions.md §1.6), written by
Pydantic Logfire's manual spans and Pipecat (``input``/``output`` holding a JSON string; Pipecat's
LLM spans hold the OpenAI chat messages). JSON strings are parsed; a list of chat messages is
normalized. Runs last, so every convention-specific key wins over these. ``model`` ends Langfuse's
model list (§1.5) and is read centrally (``precedence.MODEL_KEYS``).
"""

from __future__ import annotations

from typing import Any

from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.messages import chat_message
from otel_bridge.translate.payloads import json_payload, register_format
from otel_bridge.translate.registry import Convention
from otel_bridge.translate.view import SpanView

INPUT = "input"
OUTPUT = "output"
#: The model, when no convention-specific key names it.
MODEL = "model"


def applies(span: SpanView) -> bool:
    """An exact ``input`` or ``output`` key (``input.value`` and the like do not count)."""
    attributes = span.attributes
    return INPUT in attributes or OUTPUT in attributes


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer ``input`` and ``output`` for the sides still empty; only a used key is mapped. JSON text
    is kept as a payload, normalized when read (see ``model.Payload``)."""
    attributes = span.attributes
    if draft.input is None and INPUT in attributes:
        draft.offer_io(_deferred(span.take(INPUT)), None)
    if draft.output is None and OUTPUT in attributes:
        draft.offer_io(None, _deferred(span.take(OUTPUT)))


def _deferred(value: Any) -> Any:
    return json_payload(value, VALUE_FORMAT) if isinstance(value, str) else _value(value)


def _value(value: Any) -> Any:
    """A list of chat messages (every item a dict with a ``role``) normalized; anything else as is."""
    if isinstance(value, list) and value and all(isinstance(m, dict) and "role" in m for m in value):
        return [chat_message(m) for m in value]
    return value


#: Payload format of ``input`` / ``output`` text (``payloads.register_format``).
VALUE_FORMAT = "generic.value"
register_format(VALUE_FORMAT, _value)

CONVENTION = Convention(name="generic", applies=applies, extract=extract)
