"""The Google ADK convention (scope ``gcp.vertex.agent``, ``gcp.vertex.agent.*``)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from otel_bridge.model import InstrumentationScope, ObservationLevel, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans

SCOPE = InstrumentationScope(name="gcp.vertex.agent", version="1.14.1")
INSTRUCTION = "You are a travel agent. 한국어로 답하세요."
QUESTION = "제주도 날씨는 어때요?"
REPLY = "제주도는 오늘 맑고 21도입니다."

REQUEST = {
    "model": "gemini-2.0-flash",
    "config": {
        "system_instruction": INSTRUCTION,
        "temperature": 0.2,
        "stop_sequences": ["END"],
        "tools": [{"function_declarations": [{"name": "get_weather", "description": "Weather of a city"}]}],
    },
    "contents": [
        {"role": "user", "parts": [{"text": QUESTION}]},
        {
            "role": "model",
            "parts": [{"function_call": {"id": "adk-1", "name": "get_weather", "args": {"city": "Jeju"}}}],
        },
        {
            "role": "user",
            "parts": [
                {"function_response": {"id": "adk-1", "name": "get_weather", "response": {"temp": 21}}}
            ],
        },
    ],
}
RESPONSE = {
    "content": {"role": "model", "parts": [{"text": REPLY}]},
    "finish_reason": "STOP",
    "usage_metadata": {
        "prompt_token_count": 120,
        "candidates_token_count": 40,
        "thoughts_token_count": 10,
        "total_token_count": 170,
        "cached_content_token_count": 100,
        "prompt_tokens_details": [{"modality": "TEXT", "token_count": 120}],
    },
}

#: A ``call_llm`` span as ``trace_call_llm`` sets it (the GenAI usage keys left out).
CALL_LLM: dict[str, Any] = {
    "gen_ai.system": "gcp.vertex.agent",
    "gen_ai.request.model": "gemini-2.0-flash",
    "gcp.vertex.agent.invocation_id": "e-5c1d4b7e-2f0a-4a4e-9d8c-0e4d1f0b9a11",
    "gcp.vertex.agent.session_id": "adk-session-1",
    "gcp.vertex.agent.event_id": "Yp3kQm2T",
    "gcp.vertex.agent.llm_request": json.dumps(REQUEST, ensure_ascii=False),
    "gcp.vertex.agent.llm_response": json.dumps(RESPONSE, ensure_ascii=False),
}

#: An ``execute_tool`` span as ``trace_tool_call`` sets it.
EXECUTE_TOOL: dict[str, Any] = {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": "get_weather",
    "gen_ai.tool.description": "Weather of a city",
    "gen_ai.tool.type": "FunctionTool",
    "gen_ai.tool.call.id": "adk-1",
    "gcp.vertex.agent.llm_request": "{}",
    "gcp.vertex.agent.llm_response": "{}",
    "gcp.vertex.agent.tool_call_args": '{"city": "Jeju"}',
    "gcp.vertex.agent.tool_response": '{"temp": 21}',
    "gcp.vertex.agent.event_id": "Zq8wR1aB",
}


#: A ``call_llm`` span of ADK's agent, not a root.
translated = partial(spans.translated, parent=2, name="call_llm", scope=SCOPE)


class TestCallLlm:
    def test_request_as_messages(self) -> None:
        """The request is the system instruction plus the contents as normalized chat messages."""
        observation = translated(CALL_LLM).observation
        assert observation.type is ObservationType.GENERATION
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": INSTRUCTION},
            {"role": "user", "content": QUESTION},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "adk-1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Jeju"}'},
                    }
                ],
            },
            {"role": "tool", "content": {"temp": 21}, "tool_call_id": "adk-1", "name": "get_weather"},
        ]

    def test_response_as_message(self) -> None:
        """The response content is the output, Gemini's ``model`` role as ``assistant``."""
        observation = translated(CALL_LLM).observation
        assert resolve_payload(observation.output) == [{"role": "assistant", "content": REPLY}]

    def test_usage_from_usage_metadata(self) -> None:
        """Usage comes from ``usage_metadata``; thoughts count as output and as reasoning."""
        usage = translated(CALL_LLM).observation.usage
        assert (usage.input, usage.output, usage.total) == (120, 50, 170)
        assert (usage.cached, usage.reasoning) == (100, 10)

    def test_parameters_and_leftovers(self) -> None:
        """Scalar config entries are parameters; tools, finish reason and per-modality counts are kept
        in metadata."""
        observation = translated(CALL_LLM).observation
        assert observation.model == "gemini-2.0-flash"
        assert observation.model_parameters == {"temperature": 0.2, "stop_sequences": ["END"]}
        metadata = observation.metadata
        assert metadata["llm_request"] == {"config": {"tools": REQUEST["config"]["tools"]}}  # type: ignore[index]
        assert metadata["llm_response"] == {
            "finish_reason": "STOP",
            "usage_metadata": {"prompt_tokens_details": [{"modality": "TEXT", "token_count": 120}]},
        }

    def test_ids_stay_in_attributes(self) -> None:
        """Invocation and event ids stay in metadata.attributes; request and response leave it."""
        attributes = translated(CALL_LLM).observation.metadata["attributes"]
        assert attributes["gcp.vertex.agent.invocation_id"] == "e-5c1d4b7e-2f0a-4a4e-9d8c-0e4d1f0b9a11"
        assert attributes["gcp.vertex.agent.event_id"] == "Yp3kQm2T"
        assert "gcp.vertex.agent.llm_request" not in attributes
        assert "gcp.vertex.agent.llm_response" not in attributes

    def test_session_claim(self) -> None:
        """``gcp.vertex.agent.session_id`` is the session claim."""
        assert translated(CALL_LLM).claims.session_id == "adk-session-1"

    def test_system_instruction_as_content(self) -> None:
        """A system instruction given as a content with text parts becomes one system message."""
        request = {
            "config": {
                "system_instruction": {"role": "user", "parts": [{"text": "Be brief."}, {"text": "Be kind."}]}
            },
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
        }
        observation = translated({"gcp.vertex.agent.llm_request": json.dumps(request)}).observation
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": "Be brief.\nBe kind."},
            {"role": "user", "content": "hi"},
        ]

    def test_contents_kept_when_another_input_wins(self) -> None:
        """When an explicit input wins, the request's contents and instruction stay in metadata."""
        attributes = {**CALL_LLM, "langfuse.observation.input": '"explicit"'}
        observation = translated(attributes).observation
        assert resolve_payload(observation.input) == "explicit"
        kept = observation.metadata["llm_request"]
        assert kept["contents"] == REQUEST["contents"]
        assert kept["config"]["system_instruction"] == INSTRUCTION

    def test_error_response(self) -> None:
        """A response carrying an error code makes the observation an ERROR with its message."""
        response = {"error_code": "SAFETY", "error_message": "Blocked by safety filters."}
        observation = translated({"gcp.vertex.agent.llm_response": json.dumps(response)}).observation
        assert observation.level is ObservationLevel.ERROR
        assert observation.status_message == "Blocked by safety filters."


class TestExecuteTool:
    def test_tool_arguments_and_result(self) -> None:
        """With an empty request and response, the tool arguments and result are the input and output."""
        observation = translated(EXECUTE_TOOL, name="execute_tool get_weather").observation
        assert observation.type is ObservationType.TOOL
        assert resolve_payload(observation.input) == {"city": "Jeju"}
        assert resolve_payload(observation.output) == {"temp": 21}

    def test_call_without_arguments(self) -> None:
        """A tool called without arguments has the empty object as its input."""
        attributes = {**EXECUTE_TOOL, "gcp.vertex.agent.tool_call_args": "{}"}
        observation = translated(attributes).observation
        assert resolve_payload(observation.input) == {}
        assert "gcp.vertex.agent.tool_call_args" not in observation.metadata["attributes"]

    def test_empty_placeholders_are_mapped(self) -> None:
        """The ``"{}"`` request/response placeholders and the tool I/O leave metadata.attributes."""
        observation = translated(EXECUTE_TOOL, name="execute_tool get_weather").observation
        attributes = observation.metadata["attributes"]
        for key in ("llm_request", "llm_response", "tool_call_args", "tool_response"):
            assert f"gcp.vertex.agent.{key}" not in attributes
        assert attributes["gcp.vertex.agent.event_id"] == "Zq8wR1aB"
        assert "llm_request" not in observation.metadata


class TestSendData:
    def test_send_data_is_the_input(self) -> None:
        """``gcp.vertex.agent.data`` contents are the input when there is no request."""
        data = [{"role": "user", "parts": [{"text": QUESTION}]}]
        observation = translated(
            {"gcp.vertex.agent.data": json.dumps(data, ensure_ascii=False)}, name="send_data"
        ).observation
        assert resolve_payload(observation.input) == [{"role": "user", "content": QUESTION}]
