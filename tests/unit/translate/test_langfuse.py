"""The Langfuse SDK convention (``langfuse.*``)."""

from __future__ import annotations

from functools import partial

from otel_bridge.model import Attributes, InstrumentationScope, ObservationType
from otel_bridge.translate.payloads import resolve_payload
from tests.support import spans

#: A ``groq-chat`` span of the Langfuse SDK, not a root.
translated = partial(
    spans.translated,
    parent=2,
    name="groq-chat",
    scope=InstrumentationScope(name="langfuse-sdk", version="5.0.4"),
)


GENERATION: Attributes = {
    "user.id": "user-a",
    "session.id": "lf3p-A",
    "langfuse.trace.metadata.run": '"179554482221599"',
    "langfuse.trace.tags": ["fixture", "v3plus"],
    "langfuse.observation.input": '[{"role": "user", "content": "질문 1"}]',
    "langfuse.observation.output": '"FAKE-REPLY: 안녕하세요"',
    "langfuse.observation.model.name": "llama-3.1-70b-versatile",
    "langfuse.observation.usage_details": '{"input": 37, "output": 12, "total": 49}',
    "langfuse.observation.model.parameters": '{"temperature": 0.2}',
    "langfuse.observation.type": "generation",
    "langfuse.observation.metadata.step": "2",
}


class TestLangfuseGeneration:
    def test_generation_fields(self) -> None:
        """A Langfuse SDK generation maps type, model, parameters, usage and input/output."""
        translation = translated(GENERATION)
        observation = translation.observation
        assert observation.type is ObservationType.GENERATION
        assert observation.model == "llama-3.1-70b-versatile"
        assert observation.model_parameters == {"temperature": 0.2}
        assert (observation.usage.input, observation.usage.output, observation.usage.total) == (37, 12, 49)
        assert resolve_payload(observation.input) == [{"role": "user", "content": "질문 1"}]
        assert resolve_payload(observation.output) == "FAKE-REPLY: 안녕하세요"
        assert observation.metadata["step"] == "2"

    def test_trace_claims(self) -> None:
        """Session, user, tags and trace metadata become trace claims."""
        claims = translated(GENERATION).claims
        assert (claims.session_id, claims.user_id) == ("lf3p-A", "user-a")
        assert claims.tags == ("fixture", "v3plus")
        assert claims.metadata == {"run": "179554482221599"}

    def test_mapped_keys_leave_attributes(self) -> None:
        """Every key the convention maps is absent from metadata.attributes."""
        metadata = translated(GENERATION).observation.metadata
        assert "attributes" not in metadata

    def test_explicit_trace_io_and_as_root(self) -> None:
        """``langfuse.trace.input/output`` are explicit trace claims; ``as_root`` marks a root."""
        claims = translated(
            {
                "langfuse.trace.input": '{"q": 1}',
                "langfuse.trace.output": "done",
                "langfuse.internal.as_root": True,
            }
        ).claims
        assert resolve_payload(claims.explicit_input) == {"q": 1}
        assert claims.explicit_output == "done"
        assert claims.is_root

    def test_unknown_type_falls_through(self) -> None:
        """An unknown ``langfuse.observation.type`` value does not pick a type and stays visible."""
        observation = translated({"langfuse.observation.type": "banana"}).observation
        assert observation.type is ObservationType.SPAN
        assert observation.metadata["attributes"] == {"langfuse.observation.type": "banana"}

    def test_prompt_link_and_completion_start(self) -> None:
        """Prompt name/version and completion start time are read."""
        observation = translated(
            {
                "langfuse.observation.prompt.name": "greeting",
                "langfuse.observation.prompt.version": 3,
                "langfuse.observation.completion_start_time": '"2023-11-14T22:13:20.500000Z"',
            }
        ).observation
        assert (observation.prompt_name, observation.prompt_version) == ("greeting", 3)
        assert observation.completion_start_time is not None
        assert observation.completion_start_time.microsecond == 500000
