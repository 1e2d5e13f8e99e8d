"""The generic ``input`` / ``output`` convention (the last resort)."""

from __future__ import annotations

import json
from functools import partial

from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans
from tests.support.spans import unmapped

#: An ``llm`` span of Pipecat, not a root.
observe = partial(spans.observe, parent=2, name="llm", scope="pipecat")


class TestGenericInputOutput:
    def test_json_strings_parsed(self) -> None:
        """JSON ``input`` / ``output`` strings are parsed and the keys leave attributes."""
        observation = observe({"input": '{"query": "bus to Busan"}', "output": '["08:10", "09:40"]'})
        assert resolve_payload(observation.input) == {"query": "bus to Busan"}
        assert resolve_payload(observation.output) == ["08:10", "09:40"]
        assert unmapped(observation) == {}

    def test_plain_text(self) -> None:
        """Plain text stays text."""
        observation = observe({"input": "hello there", "output": "hi"})
        assert (observation.input, observation.output) == ("hello there", "hi")

    def test_chat_messages_normalized(self) -> None:
        """A JSON list of OpenAI chat messages (Pipecat LLM spans) is normalized."""
        messages = [
            {"role": "system", "content": "You are a voice assistant."},
            {"role": "user", "content": [{"type": "text", "text": "What time is it?"}]},
        ]
        observation = observe({"input": json.dumps(messages)})
        assert resolve_payload(observation.input) == [
            {"role": "system", "content": "You are a voice assistant."},
            {"role": "user", "content": "What time is it?"},
        ]

    def test_non_string_values(self) -> None:
        """Non-string values are taken as they are."""
        assert observe({"input": 42}).input == 42

    def test_earlier_convention_wins(self) -> None:
        """A convention-specific key wins, and the unused ``input`` stays in attributes."""
        observation = observe(
            {"langfuse.observation.input": '"explicit"', "input": "generic"}, scope="langfuse-sdk"
        )
        assert resolve_payload(observation.input) == "explicit"
        assert unmapped(observation)["input"] == "generic"

    def test_dotted_keys_do_not_count(self) -> None:
        """Only the exact ``input`` / ``output`` keys are read by this convention."""
        observation = observe({"input.mime_type": "text/plain"})
        assert observation.input is None
        assert unmapped(observation) == {"input.mime_type": "text/plain"}
