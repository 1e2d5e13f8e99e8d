"""The OpenInference convention (``openinference.*``, ``llm.*``, ``input.*``/``output.*``)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from otel_bridge.model import InstrumentationScope, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import unmapped

SCOPE = InstrumentationScope(name="openinference.instrumentation.langchain", version="0.1.80")
SYSTEM = "You are a travel assistant. 한국어로 답하세요."
QUESTION = "질문 1: 제주도에서 가볼 만한 곳을 하나 추천해 주세요."
REPLY = f"FAKE-REPLY: 안녕하세요, 테스트 응답입니다. [echo] {QUESTION}"
INVOCATION_PARAMETERS = (
    '{"model": "llama-3.1-70b-versatile", "model_name": "llama-3.1-70b-versatile", "stream": false, '
    '"temperature": 0.1, "_type": "openai-chat", "stop": null}'
)
USER_METADATA = (
    '{"ls_provider": "openai", "ls_model_name": "llama-3.1-70b-versatile", "ls_model_type": "chat", '
    '"ls_temperature": 0.1, "ls_integration": "langchain_chat_model"}'
)
LANGCHAIN_INPUT = json.dumps(
    {
        "messages": [
            [{"lc": 1, "type": "constructor", "id": ["langchain", "schema", "messages", "SystemMessage"]}]
        ]
    }
)
LANGCHAIN_OUTPUT = json.dumps({"generations": [[{"text": REPLY, "type": "ChatGeneration"}]]})

#: The ``ChatOpenAI`` span of shared/fixtures/openinference_langchain (0002), values shortened.
CHAT_OPENAI: dict[str, Any] = {
    "session.id": "oi-lc-A-179554486221820",
    "user.id": "oi-user-179554486221820",
    "input.value": LANGCHAIN_INPUT,
    "input.mime_type": "application/json",
    "output.value": LANGCHAIN_OUTPUT,
    "output.mime_type": "application/json",
    "llm.input_messages.0.message.role": "system",
    "llm.input_messages.0.message.content": SYSTEM,
    "llm.input_messages.1.message.role": "user",
    "llm.input_messages.1.message.content": QUESTION,
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.content": REPLY,
    "llm.invocation_parameters": INVOCATION_PARAMETERS,
    "llm.provider": "openai",
    "llm.system": "openai",
    "llm.model_name": "llama-3.1-70b-versatile",
    "llm.token_count.prompt": 37,
    "llm.token_count.completion": 12,
    "llm.token_count.total": 49,
    "llm.finish_reason": "stop",
    "metadata": USER_METADATA,
    "openinference.span.kind": "LLM",
}


#: A ``ChatOpenAI`` span of the LangChain instrumentation, not a root.
translated = partial(spans.translated, parent=2, name="ChatOpenAI", scope=SCOPE)


class TestSpanKind:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("LLM", ObservationType.GENERATION),
            ("CHAIN", ObservationType.CHAIN),
            ("RETRIEVER", ObservationType.RETRIEVER),
            ("EMBEDDING", ObservationType.EMBEDDING),
            ("AGENT", ObservationType.AGENT),
            ("TOOL", ObservationType.TOOL),
            ("GUARDRAIL", ObservationType.GUARDRAIL),
            ("EVALUATOR", ObservationType.EVALUATOR),
            ("llm", ObservationType.GENERATION),
        ],
    )
    def test_kind_maps_to_type(self, kind: str, expected: ObservationType) -> None:
        """Each OpenInference span kind Langfuse knows maps to its observation type, case-insensitively."""
        observation = translated({"openinference.span.kind": kind}).observation
        assert observation.type is expected
        assert "openinference.span.kind" not in observation.metadata.get("attributes", {})

    @pytest.mark.parametrize("kind", ["PROMPT", "RERANKER", "BANANA"])
    def test_unmapped_kind_is_span_and_stays_visible(self, kind: str) -> None:
        """PROMPT, RERANKER and unknown kinds give no type (SPAN) and stay in metadata.attributes."""
        observation = translated({"openinference.span.kind": kind}).observation
        assert observation.type is ObservationType.SPAN
        assert observation.metadata["attributes"]["openinference.span.kind"] == kind

    def test_langfuse_type_beats_span_kind(self) -> None:
        """An explicit ``langfuse.observation.type`` wins; the losing kind stays in attributes."""
        attributes = {"openinference.span.kind": "CHAIN", "langfuse.observation.type": "agent"}
        observation = translated(attributes).observation
        assert observation.type is ObservationType.AGENT
        assert observation.metadata["attributes"] == {"openinference.span.kind": "CHAIN"}


class TestLlmSpan:
    def test_messages_beat_input_value(self) -> None:
        """Indexed messages are the input/output of an LLM span, not the raw ``input.value`` payload."""
        observation = translated(CHAT_OPENAI).observation
        assert observation.type is ObservationType.GENERATION
        assert observation.input == [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": QUESTION},
        ]
        assert observation.output == [{"role": "assistant", "content": REPLY}]

    def test_losing_raw_values_stay_in_attributes(self) -> None:
        """``input.value``/``output.value`` and their mime types stay visible when messages win."""
        attributes = unmapped(translated(CHAT_OPENAI).observation)
        assert attributes["input.value"] == LANGCHAIN_INPUT
        assert attributes["output.mime_type"] == "application/json"
        assert not any(key.startswith(("llm.input_messages.", "llm.output_messages.")) for key in attributes)

    def test_model_usage_and_parameters(self) -> None:
        """Model, token counts and invocation parameters are read; the price table is not consulted
        for an unknown model."""
        observation = translated(CHAT_OPENAI).observation
        assert observation.model == "llama-3.1-70b-versatile"
        usage = observation.usage
        assert (usage.input, usage.output, usage.total, usage.cached, usage.reasoning) == (37, 12, 49, 0, 0)
        assert observation.model_parameters["temperature"] == 0.1
        assert observation.model_parameters["stream"] is False

    def test_user_metadata_is_parsed(self) -> None:
        """The ``metadata`` JSON attribute becomes ``metadata.metadata``, parsed."""
        metadata = translated(CHAT_OPENAI).observation.metadata
        assert metadata["metadata"]["ls_provider"] == "openai"
        assert "metadata" not in metadata["attributes"]

    def test_mapped_keys_leave_attributes_and_the_rest_stays(self) -> None:
        """Mapped keys leave metadata.attributes; provider, system and finish reason stay."""
        attributes = unmapped(translated(CHAT_OPENAI).observation)
        for key in ("llm.token_count.prompt", "llm.invocation_parameters", "openinference.span.kind"):
            assert key not in attributes
        assert attributes["llm.provider"] == "openai"
        assert attributes["llm.system"] == "openai"
        assert attributes["llm.finish_reason"] == "stop"

    def test_langfuse_input_beats_messages(self) -> None:
        """A Langfuse SDK input wins over the messages, which then stay in attributes."""
        attributes = {**CHAT_OPENAI, "langfuse.observation.input": '"explicit"'}
        observation = translated(attributes).observation
        assert resolve_payload(observation.input) == "explicit"
        assert observation.output == [{"role": "assistant", "content": REPLY}]
        assert observation.metadata["attributes"]["llm.input_messages.1.message.content"] == QUESTION

    def test_message_gaps_are_closed(self) -> None:
        """Messages are ordered by index, numerically, with gaps closed."""
        observation = translated(
            {
                "llm.input_messages.10.message.role": "user",
                "llm.input_messages.10.message.content": "second",
                "llm.input_messages.2.message.role": "user",
                "llm.input_messages.2.message.content": "first",
            }
        ).observation
        assert observation.input == [
            {"role": "user", "content": "first"},
            {"role": "user", "content": "second"},
        ]


class TestToolCalls:
    def test_tool_calls_and_tool_results(self) -> None:
        """Tool calls become OpenAI-shaped tool calls; a tool message keeps its call id."""
        prefix = "llm.output_messages.0.message.tool_calls.0.tool_call"
        observation = translated(
            {
                "openinference.span.kind": "LLM",
                "llm.input_messages.0.message.role": "user",
                "llm.input_messages.0.message.content": "제주도 날씨는?",
                "llm.input_messages.1.message.role": "tool",
                "llm.input_messages.1.message.content": '{"temp": 21}',
                "llm.input_messages.1.message.tool_call_id": "call_1",
                "llm.input_messages.1.message.name": "get_weather",
                "llm.output_messages.0.message.role": "assistant",
                f"{prefix}.id": "call_2",
                f"{prefix}.function.name": "get_weather",
                f"{prefix}.function.arguments": '{"city": "Jeju"}',
            }
        ).observation
        assert observation.input[1] == {
            "role": "tool",
            "content": '{"temp": 21}',
            "tool_call_id": "call_1",
            "name": "get_weather",
        }
        assert observation.output == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Jeju"}'},
                    }
                ],
            }
        ]

    def test_unknown_message_field_stays_in_attributes(self) -> None:
        """A message sub-key the convention does not understand is not consumed."""
        attributes = unmapped(
            translated(
                {
                    "llm.input_messages.0.message.role": "user",
                    "llm.input_messages.0.message.content": "hi",
                    "llm.input_messages.0.message.audio_id": "a1",
                    "llm.tools.0.tool.json_schema": '{"type": "function"}',
                }
            ).observation
        )
        assert attributes == {
            "llm.input_messages.0.message.audio_id": "a1",
            "llm.tools.0.tool.json_schema": '{"type": "function"}',
        }


class TestContents:
    def test_text_and_image_parts(self) -> None:
        """Multimodal contents keep their parts: text as text parts, images as ``image_url`` parts."""
        prefix = "llm.input_messages.0.message.contents"
        observation = translated(
            {
                "llm.input_messages.0.message.role": "user",
                f"{prefix}.0.message_content.type": "text",
                f"{prefix}.0.message_content.text": "이 사진은 어디인가요?",
                f"{prefix}.1.message_content.type": "image",
                f"{prefix}.1.message_content.image.image.url": "https://example.com/jeju.png",
            }
        ).observation
        assert observation.input == [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "이 사진은 어디인가요?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/jeju.png"}},
                ],
            }
        ]

    def test_text_only_parts_are_joined(self) -> None:
        """Contents made only of text parts become one string."""
        prefix = "llm.output_messages.0.message.contents"
        observation = translated(
            {
                "llm.output_messages.0.message.role": "assistant",
                f"{prefix}.0.message_content.type": "text",
                f"{prefix}.0.message_content.text": "한라산",
                f"{prefix}.1.message_content.type": "text",
                f"{prefix}.1.message_content.text": "성산일출봉",
            }
        ).observation
        assert observation.output == [{"role": "assistant", "content": "한라산\n성산일출봉"}]


class TestCompletionsApi:
    def test_prompts_and_choices(self) -> None:
        """``llm.prompts.N.prompt.text`` and ``llm.choices.N.completion.text`` are the input/output."""
        observation = translated(
            {
                "openinference.span.kind": "LLM",
                "llm.prompts.0.prompt.text": "Say hi",
                "llm.choices.0.completion.text": "hi",
                "llm.choices.1.completion.text": "hello",
            }
        ).observation
        assert observation.input == "Say hi"
        assert observation.output == ["hi", "hello"]


class TestRawValues:
    def test_plain_value_is_kept_as_string(self) -> None:
        """Without a JSON mime type, ``input.value`` stays a string even if it looks like JSON."""
        observation = translated(
            {"openinference.span.kind": "CHAIN", "input.value": '{"a": 1}', "output.value": REPLY}
        ).observation
        assert observation.type is ObservationType.CHAIN
        assert observation.input == '{"a": 1}'
        assert observation.output == REPLY
        assert "attributes" not in observation.metadata

    def test_json_mime_type_parses(self) -> None:
        """With ``application/json`` the value is parsed and the mime type is mapped."""
        output = '{"messages": [{"content": "You are a travel assistant.", "type": "system"}]}'
        observation = translated(
            {
                "openinference.span.kind": "PROMPT",
                "input.value": QUESTION,
                "output.value": output,
                "output.mime_type": "application/json",
                "llm.prompt_template.template": SYSTEM,
            }
        ).observation
        assert observation.input == QUESTION
        assert resolve_payload(observation.output) == {
            "messages": [{"content": "You are a travel assistant.", "type": "system"}]
        }
        assert observation.metadata["attributes"] == {
            "openinference.span.kind": "PROMPT",
            "llm.prompt_template.template": SYSTEM,
        }


class TestUsageAndCost:
    def test_token_details(self) -> None:
        """Cache reads are cached, reasoning is reasoning; cache writes and audio are named details."""
        usage = translated(
            {
                "llm.token_count.prompt": 120,
                "llm.token_count.completion": 80,
                "llm.token_count.total": 200,
                "llm.token_count.prompt_details.cache_read": 100,
                "llm.token_count.prompt_details.cache_write": 20,
                "llm.token_count.prompt_details.audio": 5,
                "llm.token_count.completion_details.reasoning": 30,
                "llm.token_count.completion_details.audio": 4,
            }
        ).observation.usage
        assert (usage.input, usage.output, usage.total, usage.cached, usage.reasoning) == (
            120,
            80,
            200,
            100,
            30,
        )
        assert usage.details == {"cache_creation": 20, "audio_input": 5, "audio_output": 4}

    def test_explicit_cost(self) -> None:
        """``llm.cost.*`` is an explicit cost, not a computed one."""
        observation = translated(
            {"llm.model_name": "gpt-4o", "llm.cost.prompt": 0.001, "llm.cost.completion": 0.002}
        ).observation
        assert observation.cost is not None
        assert (observation.cost.input, observation.cost.output) == (0.001, 0.002)
        assert observation.cost.total == pytest.approx(0.003)
        assert not observation.cost.computed

    def test_non_numeric_count_stays_visible(self) -> None:
        """A token count that is not a number is not consumed."""
        observation = translated({"llm.token_count.prompt": "many"}).observation
        assert observation.usage.input == 0
        assert observation.metadata["attributes"] == {"llm.token_count.prompt": "many"}
