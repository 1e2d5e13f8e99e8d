"""The Pydantic AI / Pydantic Logfire convention (scope ``pydantic-ai``, ``logfire.*`` keys)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any, ClassVar

import pytest

from otel_bridge.model import InstrumentationScope, ObservationLevel, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import unmapped

#: An ``agent run`` root span of Pydantic AI.
observe = partial(
    spans.observe, name="agent run", scope=InstrumentationScope(name="pydantic-ai", version="1.0.10")
)


ALL_MESSAGES = [
    {"role": "user", "parts": [{"type": "text", "content": "What is the capital of France?"}]},
    {"role": "assistant", "parts": [{"type": "text", "content": "Paris."}], "finish_reason": "stop"},
]

AGENT_RUN = {
    "model_name": "gpt-4o",
    "agent_name": "geo_agent",
    "gen_ai.agent.name": "geo_agent",
    "logfire.msg": "geo_agent run",
    "final_result": "Paris.",
    "gen_ai.usage.input_tokens": 52,
    "gen_ai.usage.output_tokens": 3,
    "pydantic_ai.all_messages": json.dumps(ALL_MESSAGES),
    "gen_ai.system_instructions": json.dumps([{"type": "text", "content": "Answer in one word."}]),
    "logfire.json_schema": '{"type":"object","properties":{"pydantic_ai.all_messages":{"type":"array"}}}',
}


class TestAgentRun:
    def test_agent_run_fields(self) -> None:
        """An agent run is an AGENT named by ``logfire.msg``, with its history and final result."""
        observation = observe(AGENT_RUN)
        assert observation.type is ObservationType.AGENT
        assert observation.name == "geo_agent run"
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": "Answer in one word."},
            {"role": "user", "content": "What is the capital of France?"},
            {"role": "assistant", "content": "Paris."},
        ]
        assert resolve_payload(observation.output) == "Paris."

    def test_mapped_and_kept_keys(self) -> None:
        """Messages, instructions and result leave attributes; agent names stay."""
        attributes = unmapped(observe(AGENT_RUN))
        for key in ("pydantic_ai.all_messages", "gen_ai.system_instructions", "final_result", "logfire.msg"):
            assert key not in attributes
        assert attributes["agent_name"] == "geo_agent"
        assert attributes["gen_ai.agent.name"] == "geo_agent"

    def test_run_usage_not_counted(self) -> None:
        """An agent run's summed usage is not usage (its model spans carry it); the keys stay."""
        observation = observe(AGENT_RUN)
        assert not observation.usage
        assert unmapped(observation)["gen_ai.usage.input_tokens"] == 52

    def test_history_without_instructions(self) -> None:
        """Without system instructions the history is the input as it is."""
        attributes = {key: value for key, value in AGENT_RUN.items() if key != "gen_ai.system_instructions"}
        observation = observe(attributes)
        assert resolve_payload(observation.input) == [
            {"role": "user", "content": "What is the capital of France?"},
            {"role": "assistant", "content": "Paris."},
        ]

    def test_structured_final_result(self) -> None:
        """A structured final result is parsed."""
        observation = observe({**AGENT_RUN, "final_result": '{"city": "Paris", "country": "France"}'})
        assert resolve_payload(observation.output) == {"city": "Paris", "country": "France"}


class TestEventsAttribute:
    EVENTS: ClassVar[list[dict[str, Any]]] = [
        {
            "event.name": "gen_ai.system.message",
            "role": "system",
            "content": "Be concise.",
            "gen_ai.message.index": 0,
        },
        {"event.name": "gen_ai.user.message", "role": "user", "content": "Generate a random number."},
        {
            "event.name": "gen_ai.choice",
            "index": 0,
            "message": {
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_vw",
                        "type": "function",
                        "function": {"name": "random_number", "arguments": "{}"},
                    }
                ],
            },
        },
    ]

    def test_model_span_events(self) -> None:
        """v1 ``events``: the choice is the output, the other events the input."""
        observation = observe(
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.system": "openai",
                "gen_ai.request.model": "gpt-4o",
                "events": json.dumps(self.EVENTS),
            },
            name="chat gpt-4o",
        )
        assert observation.type is ObservationType.GENERATION
        assert observation.input == [
            {"role": "system", "content": "Be concise."},
            {"role": "user", "content": "Generate a random number."},
        ]
        assert observation.output == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_vw",
                        "type": "function",
                        "function": {"name": "random_number", "arguments": "{}"},
                    }
                ],
            }
        ]
        assert "events" not in unmapped(observation)

    def test_all_messages_events(self) -> None:
        """v1 agent runs' ``all_messages_events`` give the input when no final result is given."""
        observation = observe({"agent_name": "a", "all_messages_events": json.dumps(self.EVENTS[:2])})
        assert observation.input == [
            {"role": "system", "content": "Be concise."},
            {"role": "user", "content": "Generate a random number."},
        ]

    def test_unrelated_events_attribute_kept(self) -> None:
        """An ``events`` attribute that is not a list of GenAI events stays in attributes."""
        observation = observe({"events": '["deploy", "rollback"]'}, scope="my-app")
        assert observation.input is None
        assert unmapped(observation) == {"events": '["deploy", "rollback"]'}


class TestToolRun:
    def test_tool_arguments_and_response(self) -> None:
        """A tool run is a TOOL whose arguments and response are its input and output."""
        observation = observe(
            {
                "gen_ai.tool.name": "roll_dice",
                "gen_ai.tool.call.id": "call_1",
                "tool_arguments": '{"sides": 6}',
                "tool_response": "4",
                "logfire.msg": "running tool: roll_dice",
            },
            name="running tool",
        )
        assert observation.type is ObservationType.TOOL
        assert resolve_payload(observation.input) == {"sides": 6}
        assert observation.output == "4"

    def test_tool_run_without_genai_keys(self) -> None:
        """Tool arguments alone make a pydantic-ai span a TOOL (framework rule)."""
        assert observe({"tool_arguments": "{}"}).type is ObservationType.TOOL


class TestMetadata:
    def test_model_request_parameters(self) -> None:
        """``model_request_parameters`` (tool schemas) stays in attributes, not model parameters."""
        parameters = json.dumps({"function_tools": [{"name": "roll_dice"}], "allow_text_output": True})
        observation = observe(
            {"gen_ai.operation.name": "chat", "model_request_parameters": parameters}, name="chat gpt-4o"
        )
        assert unmapped(observation)["model_request_parameters"] == parameters
        assert dict(observation.model_parameters) == {}

    def test_logfire_hints(self) -> None:
        """Logfire's span type, message template and JSON schema move to ``metadata.logfire``."""
        observation = observe(
            {
                "logfire.span_type": "span",
                "logfire.msg_template": "{agent_name} run",
                "logfire.json_schema": '{"type":"object"}',
                "logfire.tags": ["prod"],
            },
            scope="logfire",
        )
        assert observation.metadata["logfire"] == {
            "span_type": "span",
            "msg_template": "{agent_name} run",
            "json_schema": '{"type":"object"}',
        }
        assert unmapped(observation) == {}


class TestLevel:
    @pytest.mark.parametrize(
        ("level_num", "expected"),
        [
            (1, ObservationLevel.DEBUG),
            (5, ObservationLevel.DEBUG),
            (9, ObservationLevel.DEFAULT),
            (10, ObservationLevel.DEFAULT),
            (13, ObservationLevel.WARNING),
            (17, ObservationLevel.ERROR),
            (21, ObservationLevel.ERROR),
        ],
    )
    def test_level_num(self, level_num: int, expected: ObservationLevel) -> None:
        """``logfire.level_num`` maps to Langfuse's levels."""
        assert observe({"logfire.level_num": level_num}, scope="logfire").level is expected

    def test_info_does_not_hide_error_status(self) -> None:
        """An info-level span with an ERROR status stays ERROR; the level key stays in attributes."""
        observation = observe({"logfire.level_num": 9}, scope="logfire", error=True)
        assert observation.level is ObservationLevel.ERROR
        assert unmapped(observation) == {"logfire.level_num": 9}

    def test_warn_does_not_hide_error_status(self) -> None:
        """A warn-level span with an ERROR status stays ERROR."""
        assert observe({"logfire.level_num": 13}, scope="logfire", error=True).level is ObservationLevel.ERROR

    def test_warning_level_mapped(self) -> None:
        """A warn level is applied and its key leaves attributes."""
        observation = observe({"logfire.level_num": 13}, scope="logfire")
        assert observation.level is ObservationLevel.WARNING
        assert "logfire.level_num" not in unmapped(observation)
