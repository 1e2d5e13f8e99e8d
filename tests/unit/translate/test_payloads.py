"""json_payload: which attribute strings become deferred JSON ``Payload``s and which stay text."""

from __future__ import annotations

import pytest

from otel_bridge.model import Payload
from otel_bridge.translate.payloads import GENAI_MESSAGES, JSON, json_payload


@pytest.mark.parametrize(
    "text",
    ['{"a": 1}', "[1, 2]", '"quoted"', '  {"a": 1}', '\n\t[{"role": "user"}]', ' "x"', "{not json"],
)
def test_text_starting_like_json_is_a_payload(text: str) -> None:
    """Text whose first non-blank character opens a JSON document is kept, as sent, in a Payload."""
    assert json_payload(text) == Payload(text=text, format=JSON)
    assert json_payload(text, GENAI_MESSAGES) == Payload(text=text, format=GENAI_MESSAGES)


@pytest.mark.parametrize("value", ["plain text", "", "   ", "\n", " plain", "42", 42, None, ["a"], {"a": 1}])
def test_anything_else_is_returned_as_it_is(value: object) -> None:
    """Plain text, blank text and non-strings are returned unchanged (the same object)."""
    assert json_payload(value) is value
