"""The Vercel AI SDK convention (scope ``ai``, ``ai.*`` keys)."""

from __future__ import annotations

import json
from datetime import timedelta
from functools import partial

import pytest

from otel_bridge.model import ObservationType, nanos_to_datetime
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import T0, unmapped

#: A provider call of the AI SDK (scope ``ai``), not a root.
translated = partial(spans.translated, parent=2, name="ai.generateText.doGenerate", scope="ai")


PROMPT_MESSAGES = [
    {"role": "system", "content": "You are a weather bot."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in Seoul?"}]},
    {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "Let me check."},
            {"type": "tool-call", "toolCallId": "call_1", "toolName": "weather", "args": {"city": "Seoul"}},
        ],
    },
    {
        "role": "tool",
        "content": [
            {"type": "tool-result", "toolCallId": "call_1", "toolName": "weather", "result": {"c": 14}}
        ],
    },
]

# A provider call as AI SDK 4 records it.
DO_GENERATE = {
    "operation.name": "ai.generateText.doGenerate weather-agent",
    "ai.operationId": "ai.generateText.doGenerate",
    "ai.model.provider": "openai.chat",
    "ai.model.id": "gpt-4o-mini",
    "ai.settings.maxRetries": 2,
    "ai.settings.temperature": 0.2,
    "ai.telemetry.functionId": "weather-agent",
    "ai.telemetry.metadata.sessionId": "chat-42",
    "ai.telemetry.metadata.userId": "user-7",
    "ai.telemetry.metadata.tenant": "acme",
    "ai.prompt.format": "messages",
    "ai.prompt.messages": json.dumps(PROMPT_MESSAGES),
    "ai.response.text": "It is 14°C in Seoul.",
    "ai.response.finishReason": "stop",
    "ai.response.id": "chatcmpl-123",
    "ai.response.model": "gpt-4o-mini-2024-07-18",
    "ai.usage.promptTokens": 120,
    "ai.usage.completionTokens": 9,
    "gen_ai.system": "openai.chat",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.request.temperature": 0.2,
    "gen_ai.response.finish_reasons": ["stop"],
    "gen_ai.usage.input_tokens": 120,
    "gen_ai.usage.output_tokens": 9,
}

EXPECTED_MESSAGES = [
    {"role": "system", "content": "You are a weather bot."},
    {"role": "user", "content": "Weather in Seoul?"},
    {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "weather", "arguments": '{"city":"Seoul"}'},
            }
        ],
    },
    {"role": "tool", "content": {"c": 14}, "tool_call_id": "call_1", "name": "weather"},
]


class TestOperationType:
    @pytest.mark.parametrize(
        ("operation", "expected"),
        [
            ("ai.generateText.doGenerate", ObservationType.GENERATION),
            ("ai.streamText.doStream", ObservationType.GENERATION),
            ("ai.generateObject.doGenerate", ObservationType.GENERATION),
            ("ai.streamObject.doStream", ObservationType.GENERATION),
            ("ai.embed.doEmbed", ObservationType.EMBEDDING),
            ("ai.embedMany.doEmbed", ObservationType.EMBEDDING),
            ("ai.toolCall", ObservationType.TOOL),
            ("ai.generateText", ObservationType.CHAIN),
            ("ai.streamObject", ObservationType.CHAIN),
        ],
    )
    def test_operation_id_picks_type(self, operation: str, expected: ObservationType) -> None:
        """``ai.operationId`` maps to the type; outer calls are CHAINs despite their model id."""
        translation = translated({"ai.operationId": operation, "ai.model.id": "gpt-4o-mini"})
        assert translation.observation.type is expected

    def test_operation_name_fallback(self) -> None:
        """Without ``ai.operationId`` the first word of ``operation.name`` is the operation."""
        translation = translated({"operation.name": "ai.embed.doEmbed my-fn"})
        assert translation.observation.type is ObservationType.EMBEDDING


class TestName:
    def test_function_id_and_operation(self) -> None:
        """The name is ``<functionId>:<operationId>``; both keys stay in attributes."""
        translation = translated(DO_GENERATE)
        assert translation.observation.name == "weather-agent:ai.generateText.doGenerate"
        assert unmapped(translation.observation)["ai.telemetry.functionId"] == "weather-agent"

    def test_operation_only(self) -> None:
        """Without a function id the name is the operation id."""
        assert translated({"ai.operationId": "ai.streamText"}).observation.name == "ai.streamText"

    def test_tool_call_name(self) -> None:
        """A tool call is named after its tool (read centrally)."""
        translation = translated({"ai.operationId": "ai.toolCall", "ai.toolCall.name": "weather"})
        assert translation.observation.name == "weather"


class TestInput:
    def test_prompt_messages_normalized(self) -> None:
        """``ai.prompt.messages`` parts become text, OpenAI tool calls and tool messages."""
        observation = translated(DO_GENERATE).observation
        assert resolve_payload(observation.input) == EXPECTED_MESSAGES

    def test_ai_sdk5_parts(self) -> None:
        """AI SDK 5 ``input``/``output`` part fields (with typed outputs) are read too."""
        messages = [
            {
                "role": "assistant",
                "content": [{"type": "tool-call", "toolCallId": "c2", "toolName": "sum", "input": {"a": 1}}],
            },
            {
                "role": "tool",
                "content": [
                    {
                        "type": "tool-result",
                        "toolCallId": "c2",
                        "toolName": "sum",
                        "output": {"type": "json", "value": 3},
                    },
                    {
                        "type": "tool-result",
                        "toolCallId": "c3",
                        "toolName": "sum",
                        "output": {"type": "text", "value": "7"},
                    },
                ],
            },
        ]
        observation = translated(
            {"ai.operationId": "ai.streamText.doStream", "ai.prompt.messages": json.dumps(messages)}
        ).observation
        assert resolve_payload(observation.input) == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "c2", "type": "function", "function": {"name": "sum", "arguments": '{"a":1}'}}
                ],
            },
            {"role": "tool", "content": 3, "tool_call_id": "c2", "name": "sum"},
            {"role": "tool", "content": "7", "tool_call_id": "c3", "name": "sum"},
        ]

    def test_outer_prompt(self) -> None:
        """``ai.prompt`` ``{system, prompt}`` becomes a system and a user message."""
        prompt = {"system": "Be terse.", "prompt": "Weather in Seoul?"}
        observation = translated(
            {"ai.operationId": "ai.generateText", "ai.prompt": json.dumps(prompt)}
        ).observation
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": "Be terse."},
            {"role": "user", "content": "Weather in Seoul?"},
        ]

    def test_tool_call_args_and_result(self) -> None:
        """A tool call's arguments and result are its input and output."""
        translation = translated(
            {
                "ai.operationId": "ai.toolCall",
                "ai.toolCall.name": "weather",
                "ai.toolCall.id": "call_1",
                "ai.toolCall.args": '{"city":"Seoul"}',
                "ai.toolCall.result": '{"c":14}',
            }
        )
        assert resolve_payload(translation.observation.input) == {"city": "Seoul"}
        assert resolve_payload(translation.observation.output) == {"c": 14}
        assert unmapped(translation.observation) == {
            "ai.operationId": "ai.toolCall",
            "ai.toolCall.id": "call_1",
        }


class TestOutput:
    def test_text(self) -> None:
        """The response text is the output."""
        assert translated(DO_GENERATE).observation.output == "It is 14°C in Seoul."

    def test_text_with_tool_calls(self) -> None:
        """Tool calls make the output an assistant message with OpenAI-shaped tool calls."""
        calls = [
            {
                "toolCallType": "function",
                "toolCallId": "call_1",
                "toolName": "weather",
                "args": '{"city":"Seoul"}',
            }
        ]
        observation = translated(
            {
                "ai.operationId": "ai.generateText.doGenerate",
                "ai.response.text": "Checking.",
                "ai.response.toolCalls": json.dumps(calls),
            }
        ).observation
        assert observation.output == {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city":"Seoul"}'},
                }
            ],
        }

    def test_legacy_result_text(self) -> None:
        """AI SDK 3's ``ai.result.text`` is read when ``ai.response.text`` is absent."""
        translation = translated({"ai.operationId": "ai.streamText.doStream", "ai.result.text": "hello"})
        assert translation.observation.output == "hello"
        assert "ai.result.text" not in unmapped(translation.observation)

    def test_object(self) -> None:
        """A generated object is the output."""
        translation = translated(
            {"ai.operationId": "ai.generateObject", "ai.response.object": '{"city":"Seoul"}'}
        )
        assert resolve_payload(translation.observation.output) == {"city": "Seoul"}


class TestUsage:
    def test_ai_sdk4_usage(self) -> None:
        """``promptTokens`` / ``completionTokens`` are input and output; duplicates stay in metadata."""
        translation = translated(DO_GENERATE)
        usage = translation.observation.usage
        assert (usage.input, usage.output, usage.total) == (120, 9, 129)
        assert unmapped(translation.observation)["gen_ai.usage.input_tokens"] == 120

    def test_ai_sdk5_usage(self) -> None:
        """AI SDK 5 names give input, output, total, cached and reasoning counts."""
        usage = translated(
            {
                "ai.operationId": "ai.streamText.doStream",
                "ai.usage.inputTokens": 1500,
                "ai.usage.outputTokens": 400,
                "ai.usage.totalTokens": 1900,
                "ai.usage.cachedInputTokens": 1024,
                "ai.usage.reasoningTokens": 256,
            }
        ).observation.usage
        assert (usage.input, usage.output, usage.total, usage.cached, usage.reasoning) == (
            1500,
            400,
            1900,
            1024,
            256,
        )

    def test_outer_call_usage_not_counted(self) -> None:
        """An outer call's summed usage is not usage (its steps carry it); the keys stay."""
        translation = translated(
            {
                "ai.operationId": "ai.generateText",
                "ai.usage.promptTokens": 240,
                "ai.usage.completionTokens": 30,
            }
        )
        assert not translation.observation.usage
        assert translation.observation.cost is None
        assert unmapped(translation.observation)["ai.usage.promptTokens"] == 240

    def test_embedding_tokens_are_input(self) -> None:
        """An embedding call's ``ai.usage.tokens`` is its input count."""
        usage = translated(
            {"ai.operationId": "ai.embedMany.doEmbed", "ai.usage.tokens": 16}
        ).observation.usage
        assert (usage.input, usage.total) == (16, 16)

    def test_provider_metadata_cache_counts(self) -> None:
        """Anthropic cache counts in ``ai.response.providerMetadata`` are read; the attribute stays."""
        metadata = {"anthropic": {"cacheReadInputTokens": 900, "cacheCreationInputTokens": 100}}
        translation = translated(
            {
                "ai.operationId": "ai.generateText.doGenerate",
                "ai.usage.promptTokens": 1000,
                "ai.response.providerMetadata": json.dumps(metadata),
            }
        )
        usage = translation.observation.usage
        assert (usage.cached, dict(usage.details)) == (900, {"cache_creation": 100})
        assert "ai.response.providerMetadata" in unmapped(translation.observation)


class TestTimingSettingsMetadata:
    def test_completion_start_time(self) -> None:
        """``ai.response.msToFirstChunk`` sets the completion start relative to the span start."""
        translation = translated(
            {"ai.operationId": "ai.streamText.doStream", "ai.response.msToFirstChunk": 412.5}
        )
        expected = nanos_to_datetime(T0) + timedelta(milliseconds=412.5)
        assert translation.observation.completion_start_time == expected

    def test_settings_are_model_parameters(self) -> None:
        """``ai.settings.*`` are model parameters, prefix stripped."""
        translation = translated(DO_GENERATE)
        assert dict(translation.observation.model_parameters) == {"maxRetries": 2, "temperature": 0.2}
        assert "ai.settings.temperature" not in unmapped(translation.observation)

    def test_telemetry_metadata(self) -> None:
        """Telemetry metadata goes to trace and observation metadata; session and user are claims."""
        translation = translated(DO_GENERATE)
        assert dict(translation.claims.metadata) == {"tenant": "acme"}
        assert translation.observation.metadata["tenant"] == "acme"
        assert (translation.claims.session_id, translation.claims.user_id) == ("chat-42", "user-7")
        assert "ai.telemetry.metadata.tenant" not in unmapped(translation.observation)

    def test_langfuse_prompt_link(self) -> None:
        """``langfusePrompt`` links a provider call to a Langfuse prompt."""
        translation = translated(
            {
                "ai.operationId": "ai.generateText.doGenerate",
                "ai.telemetry.metadata.langfusePrompt": '{"name":"weather-system","version":3}',
            }
        )
        assert (translation.observation.prompt_name, translation.observation.prompt_version) == (
            "weather-system",
            3,
        )
        assert "langfusePrompt" not in translation.claims.metadata

    def test_langfuse_prompt_not_linked_on_outer_call(self) -> None:
        """An outer call gets no prompt link; the attribute stays in metadata."""
        translation = translated(
            {
                "ai.operationId": "ai.generateText",
                "ai.telemetry.metadata.langfusePrompt": '{"name":"p","version":1}',
            }
        )
        assert translation.observation.prompt_name is None
        assert "ai.telemetry.metadata.langfusePrompt" in unmapped(translation.observation)


class TestApplies:
    def test_other_scope_with_operation_id(self) -> None:
        """``ai.*`` keys with an operation id are read under another scope (re-exported spans)."""
        translation = translated(
            {"ai.operationId": "ai.toolCall", "ai.toolCall.args": "{}"}, scope="vercel-wrapper"
        )
        assert translation.observation.type is ObservationType.TOOL
        assert resolve_payload(translation.observation.input) == {}

    def test_other_scope_without_operation_id(self) -> None:
        """Without scope ``ai`` or an operation id, ``ai.*`` keys are left alone."""
        translation = translated({"ai.response.text": "hello"}, scope="custom")
        assert translation.observation.output is None
        assert unmapped(translation.observation) == {"ai.response.text": "hello"}
