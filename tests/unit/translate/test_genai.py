"""The OpenTelemetry GenAI semantic conventions (``gen_ai.*`` attributes and GenAI span events)."""

from __future__ import annotations

import json
from functools import partial

import pytest

from otel_bridge.model import InstrumentationScope, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import event, unmapped

SYSTEM_TEXT = "당신은 역사 선생님입니다."
USER_TEXT = "질문 1: 한글의 창제 연도는 언제인가요?"
REPLY_TEXT = "FAKE-REPLY: 안녕하세요, 테스트 응답입니다. [echo] 질문 1: 한글의 창제 연도는 언제인가요?"

#: A chat span of util-genai (the scope of the genai_semconv fixture), not a root.
observe = partial(
    spans.observe,
    parent=2,
    name="chat llama-3.1-70b-versatile",
    scope=InstrumentationScope(name="opentelemetry.util.genai.handler", version="1.1b0"),
)


# The chat span of the genai_semconv fixture (openai-v2 2.4b0 + util-genai 1.1b0, latest opt-in).
CHAT = {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "llama-3.1-70b-versatile",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.temperature": 0.5,
    "gen_ai.request.max_tokens": 64,
    "gen_ai.response.finish_reasons": ["stop"],
    "gen_ai.response.model": "llama-3.1-70b-versatile",
    "gen_ai.response.id": "chatcmpl-fake-0001",
    "gen_ai.usage.input_tokens": 37,
    "gen_ai.usage.output_tokens": 12,
    "gen_ai.input.messages": json.dumps(
        [
            {"role": "system", "parts": [{"content": SYSTEM_TEXT, "type": "text"}]},
            {"role": "user", "parts": [{"content": USER_TEXT, "type": "text"}]},
        ],
        separators=(",", ":"),
    ),
    "gen_ai.output.messages": json.dumps(
        [{"role": "assistant", "parts": [{"content": REPLY_TEXT, "type": "text"}], "finish_reason": "stop"}],
        separators=(",", ":"),
    ),
    "openai.response.system_fingerprint": "fp_fake",
}

EXPECTED_INPUT = [{"role": "system", "content": SYSTEM_TEXT}, {"role": "user", "content": USER_TEXT}]
EXPECTED_OUTPUT = [{"role": "assistant", "content": REPLY_TEXT}]


class TestOperationType:
    @pytest.mark.parametrize(
        ("operation", "expected"),
        [
            ("chat", ObservationType.GENERATION),
            ("text_completion", ObservationType.GENERATION),
            ("generate_content", ObservationType.GENERATION),
            ("completion", ObservationType.GENERATION),
            ("generate", ObservationType.GENERATION),
            ("embeddings", ObservationType.EMBEDDING),
            ("invoke_agent", ObservationType.AGENT),
            ("create_agent", ObservationType.AGENT),
            ("execute_tool", ObservationType.TOOL),
            ("retrieval", ObservationType.RETRIEVER),
            ("invoke_workflow", ObservationType.CHAIN),
        ],
    )
    def test_operation_name_picks_type(self, operation: str, expected: ObservationType) -> None:
        """``gen_ai.operation.name`` maps to the observation type."""
        assert observe({"gen_ai.operation.name": operation}).type is expected

    def test_unmapped_operation_is_span(self) -> None:
        """An operation without a Langfuse type (``plan``) and no model stays a SPAN."""
        assert observe({"gen_ai.operation.name": "plan"}).type is ObservationType.SPAN

    def test_operation_name_stays_in_attributes(self) -> None:
        """The operation name is only read for the type; it stays visible in metadata."""
        assert unmapped(observe({"gen_ai.operation.name": "chat"}))["gen_ai.operation.name"] == "chat"

    @pytest.mark.parametrize("key", ["gen_ai.tool.name", "gen_ai.tool.call.id"])
    def test_tool_attributes_make_a_tool(self, key: str) -> None:
        """A span naming a tool or a tool call, without an operation name, is a TOOL."""
        assert observe({key: "get_weather"}).type is ObservationType.TOOL

    def test_operation_beats_tool_attributes(self) -> None:
        """The operation rule runs before the tool-attribute rule."""
        attributes = {"gen_ai.operation.name": "invoke_agent", "gen_ai.tool.name": "search"}
        assert observe(attributes).type is ObservationType.AGENT


class TestContentAttributes:
    def test_fixture_chat_span(self) -> None:
        """The captured openai-v2 chat span maps model, parameters, usage and normalized messages."""
        observation = observe(CHAT)
        assert observation.type is ObservationType.GENERATION
        assert observation.model == "llama-3.1-70b-versatile"
        assert dict(observation.model_parameters) == {"temperature": 0.5, "max_tokens": 64}
        assert (observation.usage.input, observation.usage.output, observation.usage.total) == (37, 12, 49)
        assert resolve_payload(observation.input) == EXPECTED_INPUT
        assert resolve_payload(observation.output) == EXPECTED_OUTPUT

    def test_mapped_keys_leave_attributes(self) -> None:
        """Mapped keys leave metadata.attributes; finish reasons, ids and provider stay."""
        attributes = unmapped(observe(CHAT))
        for key in (
            "gen_ai.input.messages",
            "gen_ai.output.messages",
            "gen_ai.usage.input_tokens",
            "gen_ai.usage.output_tokens",
            "gen_ai.request.temperature",
            "gen_ai.request.max_tokens",
            "gen_ai.response.model",
        ):
            assert key not in attributes
        assert attributes["gen_ai.response.finish_reasons"] == ["stop"]
        assert attributes["gen_ai.response.id"] == "chatcmpl-fake-0001"
        assert attributes["gen_ai.provider.name"] == "openai"
        assert attributes["openai.response.system_fingerprint"] == "fp_fake"

    def test_system_instructions_prepended(self) -> None:
        """``gen_ai.system_instructions`` becomes a leading system message and is mapped."""
        observation = observe(
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.system_instructions": json.dumps([{"type": "text", "content": SYSTEM_TEXT}]),
                "gen_ai.input.messages": json.dumps(
                    [{"role": "user", "parts": [{"type": "text", "content": "hi"}]}]
                ),
            }
        )
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": SYSTEM_TEXT},
            {"role": "user", "content": "hi"},
        ]
        assert "gen_ai.system_instructions" not in unmapped(observation)

    def test_system_instructions_not_duplicated(self) -> None:
        """Messages that already hold a system message get no second one (Langfuse's rule)."""
        observation = observe({**CHAT, "gen_ai.system_instructions": "Be brief."})
        assert resolve_payload(observation.input) == EXPECTED_INPUT

    def test_plain_text_system_instructions(self) -> None:
        """Plain-text system instructions are prepended as a system message."""
        messages = json.dumps([{"role": "user", "parts": [{"type": "text", "content": "hi"}]}])
        observation = observe({"gen_ai.system_instructions": "Be brief.", "gen_ai.input.messages": messages})
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "hi"},
        ]

    def test_tool_call_parts(self) -> None:
        """``tool_call`` / ``tool_call_response`` parts become OpenAI tool calls and a tool message."""
        messages = [
            {
                "role": "assistant",
                "parts": [
                    {
                        "type": "tool_call",
                        "id": "call_1",
                        "name": "get_weather",
                        "arguments": {"city": "Seoul"},
                    }
                ],
            },
            {
                "role": "tool",
                "parts": [{"type": "tool_call_response", "id": "call_1", "result": "rainy, 14°C"}],
            },
        ]
        observation = observe(
            {"gen_ai.operation.name": "chat", "gen_ai.input.messages": json.dumps(messages)}
        )
        assert resolve_payload(observation.input) == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Seoul"}'},
                    }
                ],
            },
            {"role": "tool", "content": "rainy, 14°C", "tool_call_id": "call_1"},
        ]

    def test_value_that_is_not_messages_kept(self) -> None:
        """A messages attribute that is not a list of messages is kept as its parsed value."""
        observation = observe({"gen_ai.input.messages": '{"query": "hello"}'})
        assert resolve_payload(observation.input) == {"query": "hello"}


class TestOperationDetailsEvent:
    def test_event_supplies_content(self) -> None:
        """The operation-details span event gives input and output, and leaves metadata.events."""
        details = event(
            "gen_ai.client.inference.operation.details",
            {
                "gen_ai.input.messages": CHAT["gen_ai.input.messages"],
                "gen_ai.output.messages": CHAT["gen_ai.output.messages"],
            },
        )
        observation = observe({"gen_ai.operation.name": "chat"}, events=(details,))
        assert resolve_payload(observation.input) == EXPECTED_INPUT
        assert resolve_payload(observation.output) == EXPECTED_OUTPUT
        assert "events" not in observation.metadata

    def test_attributes_beat_event(self) -> None:
        """Span attributes win over the event, which then stays in metadata.events."""
        details = event("gen_ai.client.inference.operation.details", {"gen_ai.input.messages": "[]"})
        observation = observe(CHAT, events=(details,))
        assert resolve_payload(observation.input) == EXPECTED_INPUT
        assert [e["name"] for e in observation.metadata["events"]] == [
            "gen_ai.client.inference.operation.details"
        ]


class TestDeprecatedEvents:
    def test_flat_message_and_choice_events(self) -> None:
        """Message events give the input, ``gen_ai.choice`` the output; both leave metadata."""
        events = (
            event("gen_ai.system.message", {"gen_ai.system": "openai", "content": "You greet people"}),
            event(
                "gen_ai.user.message", {"gen_ai.system": "openai", "content": "Hello, say 'Hi' back to me"}
            ),
            event(
                "gen_ai.choice",
                {
                    "gen_ai.system": "openai",
                    "index": 0,
                    "finish_reason": "stop",
                    "message": '{"content":"Hi","role":"assistant"}',
                },
            ),
            event("custom.checkpoint", {"step": 1}),
        )
        observation = observe({"gen_ai.operation.name": "chat"}, events=events)
        assert observation.input == [
            {"role": "system", "content": "You greet people"},
            {"role": "user", "content": "Hello, say 'Hi' back to me"},
        ]
        assert observation.output == [{"role": "assistant", "content": "Hi"}]
        assert [e["name"] for e in observation.metadata["events"]] == ["custom.checkpoint"]

    def test_json_body_in_event_content(self) -> None:
        """A JSON body in ``gen_ai.event.content`` (Azure AI Inference) is read, tool calls included."""
        choice_body = {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "tool_calls": [
                    {
                        "id": "call_9",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"q":"x"}'},
                    }
                ]
            },
        }
        events = (
            event("gen_ai.user.message", {"gen_ai.event.content": '{"role": "user", "content": "find x"}'}),
            event("gen_ai.choice", {"gen_ai.event.content": json.dumps(choice_body)}),
        )
        observation = observe({"gen_ai.system": "az.ai.inference"}, events=events)
        assert observation.input == [{"role": "user", "content": "find x"}]
        assert observation.output == [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_9",
                        "type": "function",
                        "function": {"name": "lookup", "arguments": '{"q":"x"}'},
                    }
                ],
            }
        ]

    def test_tool_message_and_strands_content_blocks(self) -> None:
        """A tool message's ``id`` answers a call; Strands' JSON content blocks become text."""
        events = (
            event("gen_ai.user.message", {"content": '[{"text": "weather in Seoul?"}]'}),
            event("gen_ai.tool.message", {"role": "tool", "id": "call_1", "content": "rainy"}),
            event("gen_ai.choice", {"finish_reason": "end_turn", "message": '[{"text": "It is rainy."}]'}),
        )
        observation = observe({"gen_ai.system": "strands-agents"}, events=events)
        assert observation.input == [
            {"role": "user", "content": "weather in Seoul?"},
            {"role": "tool", "content": "rainy", "tool_call_id": "call_1"},
        ]
        assert observation.output == [{"role": "assistant", "content": "It is rainy."}]

    def test_choices_ordered_by_index(self) -> None:
        """Several choices are ordered by their ``index``."""
        events = (
            event("gen_ai.choice", {"index": 1, "message": '{"content": "second"}'}),
            event("gen_ai.choice", {"index": 0, "message": '{"content": "first"}'}),
        )
        observation = observe({"gen_ai.operation.name": "chat"}, events=events)
        assert [m["content"] for m in observation.output] == ["first", "second"]

    def test_semantic_kernel_content_events(self) -> None:
        """``gen_ai.content.prompt`` / ``gen_ai.content.completion`` events carry the content as JSON."""
        completion = '[{"role": "assistant", "content": "Hello"}]'
        events = (
            event("gen_ai.content.prompt", {"gen_ai.prompt": '[{"role": "user", "content": "Hi"}]'}),
            event("gen_ai.content.completion", {"gen_ai.completion": completion}),
        )
        observation = observe({"gen_ai.operation.name": "chat.completions"}, events=events)
        assert observation.input == [{"role": "user", "content": "Hi"}]
        assert observation.output == [{"role": "assistant", "content": "Hello"}]
        assert "events" not in observation.metadata

    def test_events_without_genai_attributes(self) -> None:
        """Content events are read even when the span has no ``gen_ai.*`` attribute."""
        observation = observe({}, events=(event("gen_ai.user.message", {"content": "hello"}),))
        assert observation.input == [{"role": "user", "content": "hello"}]
        assert "events" not in observation.metadata

    def test_attribute_input_keeps_input_events(self) -> None:
        """When attributes already gave the input, input events are not used and stay in metadata."""
        observation = observe(CHAT, events=(event("gen_ai.user.message", {"content": "older"}),))
        assert resolve_payload(observation.input) == EXPECTED_INPUT
        assert [e["name"] for e in observation.metadata["events"]] == ["gen_ai.user.message"]


class TestPlainAndToolContent:
    def test_strands_prompt_and_completion(self) -> None:
        """Deprecated ``gen_ai.prompt`` / ``gen_ai.completion`` strings are parsed and normalized."""
        observation = observe(
            {
                "gen_ai.system": "strands-agents",
                "gen_ai.prompt": json.dumps([{"role": "user", "content": [{"text": "What is 2+2?"}]}]),
                "gen_ai.completion": json.dumps([{"text": "4"}]),
            }
        )
        assert resolve_payload(observation.input) == [{"role": "user", "content": "What is 2+2?"}]
        assert resolve_payload(observation.output) == "4"
        assert "gen_ai.prompt" not in unmapped(observation)

    def test_plain_text_prompt(self) -> None:
        """A non-JSON ``gen_ai.prompt`` is kept as text."""
        assert observe({"gen_ai.prompt": "Tell me a joke"}).input == "Tell me a joke"

    def test_tool_call_arguments_and_result(self) -> None:
        """A tool span's arguments and result become its input and output."""
        observation = observe(
            {
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "get_weather",
                "gen_ai.tool.call.id": "call_1",
                "gen_ai.tool.call.arguments": '{"city": "Seoul"}',
                "gen_ai.tool.call.result": '{"forecast": "rainy"}',
            }
        )
        assert observation.type is ObservationType.TOOL
        assert observation.name == "get_weather"
        assert resolve_payload(observation.input) == {"city": "Seoul"}
        assert resolve_payload(observation.output) == {"forecast": "rainy"}
        assert unmapped(observation)["gen_ai.tool.call.id"] == "call_1"

    def test_messages_beat_tool_arguments(self) -> None:
        """Message attributes come before tool arguments, which then stay in metadata."""
        observation = observe({**CHAT, "gen_ai.tool.call.arguments": "{}"})
        assert resolve_payload(observation.input) == EXPECTED_INPUT
        assert unmapped(observation)["gen_ai.tool.call.arguments"] == "{}"


class TestUsage:
    def test_deprecated_keys_when_alone(self) -> None:
        """``prompt_tokens`` / ``completion_tokens`` are read when the current keys are absent."""
        usage = observe({"gen_ai.usage.prompt_tokens": 37, "gen_ai.usage.completion_tokens": 12}).usage
        assert (usage.input, usage.output, usage.total) == (37, 12, 49)

    def test_current_keys_win_and_losers_stay(self) -> None:
        """Current keys beat deprecated ones; the deprecated value stays in metadata."""
        observation = observe({"gen_ai.usage.input_tokens": 40, "gen_ai.usage.prompt_tokens": 39})
        assert observation.usage.input == 40
        assert unmapped(observation) == {"gen_ai.usage.prompt_tokens": 39}

    def test_total_cache_and_reasoning(self) -> None:
        """Total, cache read, cache creation and reasoning counts are normalized."""
        usage = observe(
            {
                "gen_ai.usage.input_tokens": 1200,
                "gen_ai.usage.output_tokens": 300,
                "gen_ai.usage.total_tokens": 1500,
                "gen_ai.usage.cache_read.input_tokens": 1024,
                "gen_ai.usage.cache_creation.input_tokens": 128,
                "gen_ai.usage.reasoning.output_tokens": 200,
            }
        ).usage
        assert (usage.input, usage.output, usage.total, usage.cached, usage.reasoning) == (
            1200,
            300,
            1500,
            1024,
            200,
        )
        assert usage.details == {"cache_creation": 128}

    def test_older_underscore_spellings(self) -> None:
        """OpenLLMetry's ``cache_read_input_tokens`` / ``reasoning_tokens`` spellings are read."""
        usage = observe(
            {
                "gen_ai.usage.cache_read_input_tokens": 64,
                "gen_ai.usage.cache_creation_input_tokens": 8,
                "gen_ai.usage.reasoning_tokens": 5,
            }
        ).usage
        assert (usage.cached, usage.reasoning, dict(usage.details)) == (64, 5, {"cache_creation": 8})

    def test_modality_counts_become_details(self) -> None:
        """Other numeric ``gen_ai.usage.*`` keys become details named by their suffix."""
        observation = observe({"gen_ai.usage.input_tokens": 50, "gen_ai.usage.audio.input_tokens": 20})
        assert dict(observation.usage.details) == {"audio.input_tokens": 20}
        assert "gen_ai.usage.audio.input_tokens" not in unmapped(observation)

    def test_explicit_cost(self) -> None:
        """``gen_ai.usage.cost`` is the total cost, not a token count."""
        observation = observe({"gen_ai.usage.input_tokens": 10, "gen_ai.usage.cost": 0.0042})
        assert observation.cost is not None
        assert observation.cost.total == pytest.approx(0.0042)
        assert not observation.cost.computed
        assert "cost" not in observation.usage.details

    def test_invoke_agent_rollup_not_counted(self) -> None:
        """An ``invoke_agent`` span's roll-up usage is not read as usage and stays in metadata."""
        observation = observe(
            {
                "gen_ai.operation.name": "invoke_agent",
                "gen_ai.usage.input_tokens": 8200,
                "gen_ai.usage.output_tokens": 310,
            }
        )
        assert not observation.usage
        assert unmapped(observation)["gen_ai.usage.input_tokens"] == 8200


class TestModelParameters:
    def test_request_keys_stripped(self) -> None:
        """Every ``gen_ai.request.*`` but the model is a parameter, prefix stripped."""
        observation = observe(
            {
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.request.temperature": 0.3,
                "gen_ai.request.top_p": 0.9,
                "gen_ai.request.stop_sequences": ["\n\n"],
                "gen_ai.request.seed": 7,
            }
        )
        assert observation.model == "gpt-4o-mini"
        assert dict(observation.model_parameters) == {
            "temperature": 0.3,
            "top_p": 0.9,
            "stop_sequences": ["\n\n"],
            "seed": 7,
        }
        assert unmapped(observation) == {}
