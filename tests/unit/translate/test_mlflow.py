"""The MLflow tracing convention (``mlflow.*``; every value JSON-encoded by MLflow)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest

from otel_bridge.model import ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans

QUESTION = "질문 1: 제주도에서 가볼 만한 곳을 하나 추천해 주세요."
REPLY = "FAKE-REPLY: 안녕하세요, 테스트 응답입니다."

#: A ``Completions`` span as MLflow's OpenAI autolog exports it over OTLP.
CHAT_MODEL: dict[str, Any] = {
    "mlflow.traceRequestId": '"tr-7fe278ebd7d2d726e4bb3a068ecae4e6"',
    "mlflow.spanType": '"CHAT_MODEL"',
    "mlflow.spanFunctionName": '"create"',
    "mlflow.spanInputs": json.dumps(
        {"messages": [{"role": "user", "content": QUESTION}], "model": "gpt-4o-mini", "temperature": 0.3},
        ensure_ascii=False,
    ),
    "mlflow.spanOutputs": json.dumps(
        {"id": "chatcmpl-fake-0001", "choices": [{"message": {"role": "assistant", "content": REPLY}}]},
        ensure_ascii=False,
    ),
    "mlflow.chat.tokenUsage": '{"input_tokens": 37, "output_tokens": 12, "total_tokens": 49}',
    "mlflow.llm.cost": '{"input_cost": 5.55e-06, "output_cost": 7.2e-06, "total_cost": 1.275e-05}',
    "mlflow.llm.provider": '"openai"',
    "mlflow.message.format": '"openai"',
    "mlflow.traceName": "kimchi_chat",
}


#: A ``Completions`` span of MLflow's tracing, not a root.
translated = partial(spans.translated, parent=2, name="Completions", scope="mlflow.tracing")


class TestSpanType:
    @pytest.mark.parametrize(
        ("span_type", "expected"),
        [
            ('"LLM"', ObservationType.GENERATION),
            ('"CHAT_MODEL"', ObservationType.GENERATION),
            ('"AGENT"', ObservationType.AGENT),
            ('"TOOL"', ObservationType.TOOL),
            ('"RETRIEVER"', ObservationType.RETRIEVER),
            ('"CHAIN"', ObservationType.CHAIN),
            ('"EMBEDDING"', ObservationType.EMBEDDING),
            ("AGENT", ObservationType.AGENT),
        ],
    )
    def test_span_type_maps_to_type(self, span_type: str, expected: ObservationType) -> None:
        """``mlflow.spanType`` (JSON-encoded or plain) maps to the Langfuse type and is mapped."""
        observation = translated({"mlflow.spanType": span_type}).observation
        assert observation.type is expected
        assert "attributes" not in observation.metadata

    @pytest.mark.parametrize("span_type", ['"PARSER"', '"RERANKER"', '"UNKNOWN"'])
    def test_other_span_types_fall_through(self, span_type: str) -> None:
        """Span types without a Langfuse equivalent are SPAN and stay visible."""
        observation = translated({"mlflow.spanType": span_type}).observation
        assert observation.type is ObservationType.SPAN
        assert observation.metadata["attributes"] == {"mlflow.spanType": span_type}

    def test_operation_name_beats_span_type(self) -> None:
        """``gen_ai.operation.name`` (newer MLflow) runs before the MLflow span type."""
        attributes = {"mlflow.spanType": '"CHAIN"', "gen_ai.operation.name": "invoke_agent"}
        assert translated(attributes).observation.type is ObservationType.AGENT


class TestChatModelSpan:
    def test_span_inputs_and_outputs(self) -> None:
        """``mlflow.spanInputs/spanOutputs`` are the input and output, JSON-decoded when read."""
        observation = translated(CHAT_MODEL).observation
        assert observation.type is ObservationType.GENERATION
        assert resolve_payload(observation.input)["messages"] == [{"role": "user", "content": QUESTION}]
        assert resolve_payload(observation.output)["choices"][0]["message"]["content"] == REPLY

    def test_usage_and_cost(self) -> None:
        """``mlflow.chat.tokenUsage`` is the usage and ``mlflow.llm.cost`` an explicit cost."""
        observation = translated(CHAT_MODEL).observation
        assert (observation.usage.input, observation.usage.output, observation.usage.total) == (37, 12, 49)
        assert observation.cost is not None
        assert (observation.cost.input, observation.cost.output, observation.cost.total) == (
            5.55e-06,
            7.2e-06,
            1.275e-05,
        )
        assert not observation.cost.computed

    def test_cache_counts(self) -> None:
        """Cache reads are cached tokens; cache writes are the ``cache_creation`` detail."""
        usage = translated(
            {
                "mlflow.chat.tokenUsage": json.dumps(
                    {
                        "input_tokens": 1200,
                        "output_tokens": 80,
                        "total_tokens": 1280,
                        "cache_read_input_tokens": 1000,
                        "cache_creation_input_tokens": 150,
                    }
                )
            }
        ).observation.usage
        assert (usage.input, usage.cached) == (1200, 1000)
        assert usage.details == {"cache_creation": 150}

    def test_unmapped_keys_stay(self) -> None:
        """Mapped keys leave metadata.attributes; provider and ids stay."""
        translation = translated(CHAT_MODEL)
        attributes = translation.observation.metadata["attributes"]
        for key in ("mlflow.spanType", "mlflow.spanInputs", "mlflow.chat.tokenUsage", "mlflow.llm.cost"):
            assert key not in attributes
        assert "mlflow.traceName" not in attributes
        assert translation.claims.explicit_name == "kimchi_chat"
        assert attributes["mlflow.llm.provider"] == '"openai"'
        assert attributes["mlflow.traceRequestId"] == '"tr-7fe278ebd7d2d726e4bb3a068ecae4e6"'


class TestChatMessages:
    def test_history_splits_into_input_and_reply(self) -> None:
        """``mlflow.chat.messages``: the trailing assistant reply is the output, the rest the input."""
        history = [
            {"role": "system", "content": "You are a travel assistant."},
            {"role": "user", "content": QUESTION},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{}"}}
                ],
            },
        ]
        attributes = {
            "mlflow.chat.messages": json.dumps(history, ensure_ascii=False),
            "mlflow.spanInputs": '{"messages": []}',
        }
        observation = translated(attributes).observation
        assert observation.input == history[:2]
        assert observation.output == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{}"}}
                ],
            }
        ]
        assert observation.metadata["attributes"] == {"mlflow.spanInputs": '{"messages": []}'}

    def test_history_without_reply_is_the_input(self) -> None:
        """A history not ending with an assistant reply is all input; the output comes from spanOutputs."""
        attributes = {
            "mlflow.chat.messages": json.dumps([{"role": "user", "content": QUESTION}], ensure_ascii=False),
            "mlflow.spanOutputs": '"done"',
        }
        observation = translated(attributes).observation
        assert observation.input == [{"role": "user", "content": QUESTION}]
        assert resolve_payload(observation.output) == "done"


class TestJsonEncodedClaims:
    def test_model_and_trace_name_are_decoded(self) -> None:
        """MLflow's JSON-encoded model and trace name arrive without their quotes."""
        translation = translated({"mlflow.llm.model": '"gpt-4o-mini"', "mlflow.traceName": '"support_bot"'})
        assert translation.observation.model == "gpt-4o-mini"
        assert translation.claims.explicit_name == "support_bot"


class TestJsonEncodedSession:
    def test_session_and_user_lose_mlflow_quotes(self) -> None:
        """A session id MLflow JSON-encoded on the app's behalf is read without its quotes."""
        claims = translated({"session.id": '"chat-7"', "user.id": '"ana"'}).claims
        assert (claims.session_id, claims.user_id) == ("chat-7", "ana")
