"""The OpenLLMetry / Traceloop convention: ``traceloop.*``, ``llm.*``, indexed ``gen_ai.prompt.N``."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from otel_bridge.model import InstrumentationScope, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import unmapped

TRACER_SCOPE = InstrumentationScope(name="traceloop.tracer")
OPENAI_SCOPE = InstrumentationScope(name="opentelemetry.instrumentation.openai.v1", version="0.62.4")
REPLY = "FAKE-REPLY: 안녕하세요, 테스트 응답입니다."

#: The ``kimchi_chat.workflow`` span of shared/fixtures/openllmetry_openai (0002).
WORKFLOW: dict[str, Any] = {
    "traceloop.workflow.name": "kimchi_chat",
    "traceloop.span.kind": "workflow",
    "traceloop.entity.name": "kimchi_chat",
    "traceloop.entity.input": (
        '{"args": ["oll-A-179554491422084", "oll-user-a-179554491422084", 1], "kwargs": {}}'
    ),
    "traceloop.association.properties.session_id": "oll-A-179554491422084",
    "traceloop.association.properties.user_id": "oll-user-a-179554491422084",
    "traceloop.entity.output": '"FAKE-REPLY: \\uc548\\ub155\\ud558\\uc138\\uc694, \\ud14c\\uc2a4\\ud2b8"',
}

#: The ``openai.chat`` span of the same capture (0001), content keys left out (the GenAI convention's).
CHAT: dict[str, Any] = {
    "gen_ai.operation.name": "chat",
    "traceloop.workflow.name": "kimchi_chat",
    "traceloop.association.properties.session_id": "oll-A-179554491422084",
    "traceloop.association.properties.user_id": "oll-user-a-179554491422084",
    "traceloop.association.properties.tenant": "kimchi-house",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "llama-3.1-70b-versatile",
    "gen_ai.request.temperature": 0.3,
    "gen_ai.is_streaming": False,
    "gen_ai.openai.api_base": "http://127.0.0.1:41087/openai/v1/",
    "gen_ai.response.model": "llama-3.1-70b-versatile",
}

#: An older OpenLLMetry OpenAI span: indexed legacy content and ``llm.*`` keys.
LEGACY: dict[str, Any] = {
    "llm.request.type": "chat",
    "gen_ai.system": "OpenAI",
    "gen_ai.request.model": "llama-3.1-70b-versatile",
    "llm.is_streaming": False,
    "llm.frequency_penalty": 0.5,
    "llm.presence_penalty": 0.1,
    "llm.top_k": 40,
    "gen_ai.prompt.0.role": "system",
    "gen_ai.prompt.0.content": "당신은 요리사입니다.",
    "gen_ai.prompt.1.role": "user",
    "gen_ai.prompt.1.content": "김치찌개 레시피를 알려주세요.",
    "gen_ai.response.model": "llama-3.1-70b-versatile",
    "llm.usage.total_tokens": 49,
    "gen_ai.usage.prompt_tokens": 37,
    "gen_ai.usage.completion_tokens": 12,
    "gen_ai.completion.0.finish_reason": "stop",
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": REPLY,
}


#: An ``openai.chat`` span of OpenLLMetry's OpenAI instrumentation, not a root.
translated = partial(spans.translated, parent=2, name="openai.chat", scope=OPENAI_SCOPE)


class TestSpanKind:
    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("workflow", ObservationType.CHAIN),
            ("agent", ObservationType.AGENT),
            ("tool", ObservationType.TOOL),
        ],
    )
    def test_kind_maps_to_type(self, kind: str, expected: ObservationType) -> None:
        """workflow, agent and tool spans get their Langfuse type and the kind is mapped."""
        observation = translated({"traceloop.span.kind": kind}, scope=TRACER_SCOPE).observation
        assert observation.type is expected
        assert "attributes" not in observation.metadata

    @pytest.mark.parametrize("kind", ["task", "unknown"])
    def test_task_and_unknown_give_no_type(self, kind: str) -> None:
        """task and unknown spans fall through to SPAN and keep the kind visible."""
        observation = translated({"traceloop.span.kind": kind}, scope=TRACER_SCOPE).observation
        assert observation.type is ObservationType.SPAN
        assert observation.metadata["attributes"] == {"traceloop.span.kind": kind}

    def test_embedding_request_type(self) -> None:
        """``llm.request.type=embedding`` makes an EMBEDDING; the request type stays in attributes."""
        observation = translated(
            {"llm.request.type": "embedding", "gen_ai.request.model": "text-embedding-3-small"}
        ).observation
        assert observation.type is ObservationType.EMBEDDING
        assert observation.metadata["attributes"]["llm.request.type"] == "embedding"

    def test_chat_request_type_without_model(self) -> None:
        """``llm.request.type=chat`` makes a GENERATION even when no model is named."""
        observation = translated({"llm.request.type": "chat"}).observation
        assert observation.type is ObservationType.GENERATION


class TestWorkflowSpan:
    def test_entity_input_and_output(self) -> None:
        """``traceloop.entity.input/output`` are the input and output, JSON-decoded when read."""
        observation = translated(WORKFLOW, scope=TRACER_SCOPE, name="kimchi_chat.workflow").observation
        assert observation.type is ObservationType.CHAIN
        assert resolve_payload(observation.input) == {
            "args": ["oll-A-179554491422084", "oll-user-a-179554491422084", 1],
            "kwargs": {},
        }
        assert resolve_payload(observation.output) == "FAKE-REPLY: 안녕하세요, 테스트"

    def test_session_and_user_come_from_association_properties(self) -> None:
        """The session and user association properties are the trace's claims, not trace metadata."""
        claims = translated(WORKFLOW, scope=TRACER_SCOPE, name="kimchi_chat.workflow").claims
        assert (claims.session_id, claims.user_id) == ("oll-A-179554491422084", "oll-user-a-179554491422084")
        assert claims.metadata == {}

    def test_names_stay_in_attributes(self) -> None:
        """Workflow and entity names stay in metadata.attributes; entity input/output leave it."""
        attributes = translated(WORKFLOW, scope=TRACER_SCOPE).observation.metadata["attributes"]
        assert attributes["traceloop.workflow.name"] == "kimchi_chat"
        assert attributes["traceloop.entity.name"] == "kimchi_chat"
        assert "traceloop.entity.input" not in attributes
        assert "traceloop.entity.output" not in attributes


class TestChatSpan:
    def test_other_association_properties_are_trace_metadata(self) -> None:
        """Association properties other than session and user become trace metadata."""
        translation = translated(CHAT)
        assert translation.claims.metadata == {"tenant": "kimchi-house"}
        assert "traceloop.association.properties.tenant" not in translation.observation.metadata["attributes"]

    def test_streaming_flag_is_a_parameter(self) -> None:
        """``gen_ai.is_streaming`` becomes the ``stream`` model parameter."""
        observation = translated(CHAT).observation
        assert observation.type is ObservationType.GENERATION
        assert observation.model_parameters["stream"] is False
        assert "gen_ai.is_streaming" not in observation.metadata["attributes"]


class TestLegacyMessages:
    def test_indexed_prompt_and_completion(self) -> None:
        """Indexed ``gen_ai.prompt.N`` / ``gen_ai.completion.N`` are normalized messages."""
        observation = translated(LEGACY).observation
        assert observation.type is ObservationType.GENERATION
        assert observation.input == [
            {"role": "system", "content": "당신은 요리사입니다."},
            {"role": "user", "content": "김치찌개 레시피를 알려주세요."},
        ]
        assert observation.output == [{"role": "assistant", "content": REPLY, "finish_reason": "stop"}]

    def test_usage_and_parameters(self) -> None:
        """``llm.usage.total_tokens`` is the total; ``llm.*`` request settings are model parameters."""
        observation = translated(LEGACY).observation
        assert (observation.usage.input, observation.usage.output, observation.usage.total) == (37, 12, 49)
        assert observation.model_parameters["frequency_penalty"] == 0.5
        assert observation.model_parameters["presence_penalty"] == 0.1
        assert observation.model_parameters["top_k"] == 40
        assert observation.model_parameters["stream"] is False

    def test_mapped_keys_leave_attributes(self) -> None:
        """Message, usage and parameter keys leave metadata.attributes; request type and system stay."""
        attributes = unmapped(translated(LEGACY).observation)
        assert not any(
            key.startswith(("gen_ai.prompt.", "gen_ai.completion.", "llm.usage.")) for key in attributes
        )
        assert "llm.frequency_penalty" not in attributes
        assert attributes["llm.request.type"] == "chat"

    def test_tool_calls(self) -> None:
        """Tool calls of a completion and the tool message answering one are normalized."""
        observation = translated(
            {
                "llm.request.type": "chat",
                "gen_ai.prompt.0.role": "tool",
                "gen_ai.prompt.0.content": '{"temp": 21}',
                "gen_ai.prompt.0.tool_call_id": "call_1",
                "gen_ai.completion.0.role": "assistant",
                "gen_ai.completion.0.finish_reason": "tool_calls",
                "gen_ai.completion.0.tool_calls.0.id": "call_2",
                "gen_ai.completion.0.tool_calls.0.name": "get_weather",
                "gen_ai.completion.0.tool_calls.0.arguments": '{"city": "Jeju"}',
            }
        ).observation
        assert observation.input == [{"role": "tool", "content": '{"temp": 21}', "tool_call_id": "call_1"}]
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
                "finish_reason": "tool_calls",
            }
        ]

    def test_gen_ai_only_span_is_detected(self) -> None:
        """A span with only ``gen_ai.*`` keys and indexed content (no ``llm.*``) is still read."""
        observation = translated(
            {"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "hi"}, scope=InstrumentationScope()
        ).observation
        assert observation.input == [{"role": "user", "content": "hi"}]

    def test_non_numeric_prompt_keys_are_not_messages(self) -> None:
        """``gen_ai.prompt.name`` and unknown message fields are not consumed as messages."""
        attributes = unmapped(
            translated(
                {
                    "gen_ai.prompt.name": "kimchi-recipe",
                    "gen_ai.prompt.0.role": "user",
                    "gen_ai.prompt.0.content": "hi",
                    "gen_ai.prompt.0.audio_id": "a1",
                }
            ).observation
        )
        assert attributes == {"gen_ai.prompt.name": "kimchi-recipe", "gen_ai.prompt.0.audio_id": "a1"}

    def test_entity_input_loses_to_messages(self) -> None:
        """Indexed messages beat ``traceloop.entity.input``, which stays in attributes."""
        observation = translated(
            {
                "gen_ai.prompt.0.role": "user",
                "gen_ai.prompt.0.content": "hi",
                "traceloop.entity.input": "{}",
            }
        ).observation
        assert observation.input == [{"role": "user", "content": "hi"}]
        assert observation.metadata["attributes"] == {"traceloop.entity.input": "{}"}
