"""Normalizers for deferred inputs and outputs (``otel_bridge.model.Payload``).

A convention that finds a large JSON attribute wraps its text in a ``Payload`` naming one of the
formats below instead of parsing it during ingest; ``resolve_payload`` produces the readable value
whenever it is needed (API, UI, golden tests). Each normalizer receives the parsed JSON document
and returns the normalized value; it must be pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from otel_bridge.model import Payload, build
from otel_bridge.translate.messages import genai_messages

Normalizer = Callable[[Any], Any]

JSON = "json"
TEXT = "text"
GENAI_MESSAGES = "genai.messages"


def _identity(document: Any) -> Any:
    return document


def _genai_messages(document: Any) -> Any:
    normalized = genai_messages(document)
    return document if normalized is None else normalized


NORMALIZERS: dict[str, Normalizer] = {
    JSON: _identity,
    GENAI_MESSAGES: _genai_messages,
}


def register_format(name: str, normalizer: Normalizer) -> None:
    """Add a payload format (conventions call this at import time)."""
    NORMALIZERS[name] = normalizer


def json_payload(text: Any, format: str = JSON) -> Any:
    """A ``Payload`` for a string attribute that may hold JSON; other values are returned as they are.

    Plain text (not starting like a JSON document) stays a plain string: it needs no normalizing.
    """
    if not isinstance(text, str) or not text:
        return text
    # The first character decides; only text starting with whitespace is copied to find it.
    first = text[0]
    if first.isspace():
        stripped = text.lstrip()
        first = stripped[0] if stripped else ""
    if not first or first not in '[{"':
        return text
    # ``build`` skips the frozen dataclass's slow __init__ (every field is given).
    return build(Payload, {"text": text, "format": format})


def resolve_payload(value: Any) -> Any:
    """The readable value of an input or output: payloads are parsed and normalized, anything else
    is returned unchanged. Text that is not valid JSON is returned as the text."""
    if not isinstance(value, Payload):
        return value
    if value.format == TEXT:
        return value.text
    try:
        document = json.loads(value.text)
    except ValueError:
        return value.text
    normalizer = NORMALIZERS.get(value.format, _identity)
    return normalizer(document)
