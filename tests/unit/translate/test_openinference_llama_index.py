"""LlamaIndex's OpenInference spans: the wrapper LLM span around the real model call is a CHAIN with a
readable input, the call itself stays the one GENERATION (``conventions/openinference_llama_index``)."""

from __future__ import annotations

import json

import pytest

from otel_bridge.model import ObservationType
from otel_bridge.translate.conventions.openinference_llama_index import SCOPE, readable_value
from otel_bridge.translate.payloads import resolve_payload
from tests.support.spans import observe

#: ``input.value`` of the wrapper span, as llama-index-core 0.14.25 / the instrumentation 4.6.1 write it.
REPR_INPUT = json.dumps(
    {
        "messages": [
            "ChatMessage(role=<MessageRole.SYSTEM: 'system'>, additional_kwargs={}, blocks=[TextBlock("
            "block_type='text', text=\"Be brief. It's fine.\")])",
            "ChatMessage(role=<MessageRole.USER: 'user'>, additional_kwargs={}, blocks=[TextBlock("
            "block_type='text', text='Capital of France? 한국'), "
            "TextBlock(block_type='text', text='Second\\nline')])",
        ]
    }
)
WRAPPER = {
    "openinference.span.kind": "LLM",
    "llm.model_name": "gpt-4o-mini",
    "input.value": REPR_INPUT,
    "input.mime_type": "application/json",
    "output.value": '{"message": {"role": "assistant"}}',
    "output.mime_type": "application/json",
}
CALL = {
    "openinference.span.kind": "LLM",
    "llm.model_name": "gpt-4o-mini",
    "input.value": REPR_INPUT,
    "input.mime_type": "application/json",
    "llm.input_messages.0.message.role": "user",
    "llm.input_messages.0.message.content": "Capital of France?",
    "llm.token_count.prompt": 37,
    "llm.token_count.completion": 12,
}


def test_wrapper_is_a_chain_with_readable_messages() -> None:
    observation = observe(WRAPPER, scope=SCOPE)
    assert observation.type is ObservationType.CHAIN
    assert resolve_payload(observation.input) == {
        "messages": [
            {"role": "system", "content": "Be brief. It's fine."},
            {"role": "user", "content": "Capital of France? 한국\nSecond\nline"},
        ]
    }


def test_the_call_stays_the_generation() -> None:
    observation = observe(CALL, scope=SCOPE)
    assert observation.type is ObservationType.GENERATION
    assert resolve_payload(observation.input) == [{"role": "user", "content": "Capital of France?"}]
    assert (observation.usage.input, observation.usage.output) == (37, 12)


@pytest.mark.parametrize(
    "scope", ["openinference.instrumentation.langchain", "openinference.instrumentation.openai", ""]
)
def test_other_instrumentations_are_unchanged(scope: str) -> None:
    """The same attributes from another scope: an LLM span stays a GENERATION, its input as sent."""
    observation = observe(WRAPPER, scope=scope)
    assert observation.type is ObservationType.GENERATION
    assert "ChatMessage(role=<MessageRole.USER" in json.dumps(resolve_payload(observation.input))


@pytest.mark.parametrize(
    "value",
    [
        "plain text",
        '{"messages": ["not a repr"]}',
        '{"messages": "ChatMessage(role=<MessageRole.USER: \'user\'>"}',
        "ChatMessage(role=<MessageRole. but not JSON",
    ],
)
def test_unreadable_values_are_kept(value: str) -> None:
    assert readable_value(value) is value
