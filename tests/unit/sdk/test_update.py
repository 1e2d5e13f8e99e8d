"""``update_current_trace`` and ``update_current_observation``: fields added from inside a span."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from otel_bridge.model import ObservationLevel, ObservationType
from otel_bridge.sdk import observe, session, update_current_observation, update_current_trace
from otel_bridge.translate.payloads import resolve_payload
from tests.unit.sdk.sdk_helpers import GlobalPipeline


class TestUpdateCurrentTrace:
    def test_outside_a_span_warns(self, pipeline: GlobalPipeline, caplog: pytest.LogCaptureFixture) -> None:
        """Called outside any span, both are no-ops with a warning, not an exception."""
        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"):
            update_current_trace(session_id="s")
            update_current_observation(model="m")
        assert "update_current_trace() called outside any span" in caplog.text
        assert "update_current_observation() called outside any span" in caplog.text
        assert pipeline.sink.translations == []

    def test_every_trace_field(self, pipeline: GlobalPipeline) -> None:
        """Each argument becomes the trace's field of that name."""

        @observe
        def handler() -> str:
            update_current_trace(
                session_id="s-1",
                user_id="u-1",
                name="checkout",
                tags=["b", "a"],
                metadata={"cart": 3, "region": "eu"},
                input={"q": "in"},
                output=["out"],
                release="r-9",
                version="v-2",
                public=True,
            )
            return "done"

        handler()
        (stored,) = pipeline.sink.traces().values()
        assert (stored.session_id, stored.user_id, stored.name) == ("s-1", "u-1", "checkout")
        assert (stored.release, stored.version, stored.public) == ("r-9", "v-2", True)
        assert stored.tags == ("a", "b")
        assert stored.metadata == {"cart": 3, "region": "eu"}
        assert (resolve_payload(stored.input), resolve_payload(stored.output)) == ({"q": "in"}, ["out"])

    def test_nested_call_moves_the_trace(self, pipeline: GlobalPipeline) -> None:
        """Called in a nested function with no ``session()`` around, it sets the whole trace's session."""

        @observe
        def outer() -> None:
            inner()

        @observe
        def inner() -> None:
            update_current_trace(session_id="moved", user_id="u-9")

        outer()
        (stored,) = pipeline.sink.traces().values()
        assert (stored.session_id, stored.user_id, stored.name) == ("moved", "u-9", "outer")

    def test_tags_and_metadata_add_up(self, pipeline: GlobalPipeline) -> None:
        """Tags and metadata add to what the session stamped and to earlier calls on the span."""

        @observe
        def handler() -> None:
            update_current_trace(tags=["call-1"], metadata={"a": 1})
            update_current_trace(tags=["call-2"], metadata={"b": 2})

        with session("s", tags=["ambient"], metadata={"a": 0, "c": 3}):
            handler()
        (stored,) = pipeline.sink.traces().values()
        assert stored.tags == ("ambient", "call-1", "call-2")
        assert stored.metadata == {"a": 1, "b": 2, "c": 3}


class TestUpdateCurrentObservation:
    def test_generation_fields(self, pipeline: GlobalPipeline) -> None:
        """Model, parameters, usage, cost, level, status, metadata, name and completion start land on
        the observation."""
        first_token = datetime(2025, 5, 1, 12, 0, 0, 250000, tzinfo=timezone.utc)

        @observe(as_type="generation")
        def call_llm(prompt: str) -> str:
            update_current_observation(
                name="chat gpt-4o-mini",
                model="gpt-4o-mini",
                model_parameters={"temperature": 0.2},
                usage={"prompt_tokens": 12, "completion_tokens": 7, "input_cached_tokens": 4},
                cost={"input": 0.001, "output": 0.002},
                level="warning",
                status_message="slow",
                metadata={"attempt": 2},
                completion_start_time=first_token,
                input=[{"role": "user", "content": prompt}],
            )
            return "reply"

        call_llm("hi")
        (observation,) = pipeline.sink.observations
        assert observation.type is ObservationType.GENERATION
        assert (observation.name, observation.model) == ("chat gpt-4o-mini", "gpt-4o-mini")
        assert observation.model_parameters == {"temperature": 0.2}
        usage = observation.usage
        assert (usage.input, usage.output, usage.total, usage.cached) == (12, 7, 19, 4)
        assert observation.cost is not None
        assert (observation.cost.input, observation.cost.output) == (0.001, 0.002)
        assert observation.cost.total == pytest.approx(0.003)
        assert (observation.level, observation.status_message) == (ObservationLevel.WARNING, "slow")
        assert observation.metadata["attempt"] == 2
        assert observation.completion_start_time == first_token
        assert resolve_payload(observation.input) == [{"role": "user", "content": "hi"}]
        assert resolve_payload(observation.output) == "reply"

    def test_unknown_level_is_ignored(
        self, pipeline: GlobalPipeline, caplog: pytest.LogCaptureFixture
    ) -> None:
        """An unknown level is logged and left out; the rest of the call still applies."""

        @observe
        def handler() -> None:
            update_current_observation(level="LOUD", model="m-1")

        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"):
            handler()
        (observation,) = pipeline.sink.observations
        assert (observation.level, observation.model) == (ObservationLevel.DEFAULT, "m-1")
        assert "unknown observation level 'LOUD'" in caplog.text


class TestWithoutTracing:
    def test_silent_without_a_tracer_provider(self) -> None:
        """In an application that sets up no tracing, decorated functions and the update calls run
        normally and print nothing (no warning per call)."""
        code = (
            "from otel_bridge.sdk import observe, session, update_current_observation, update_current_trace\n"
            "@observe(as_type='generation')\n"
            "def call(x):\n"
            "    update_current_observation(model='m')\n"
            "    update_current_trace(session_id='s')\n"
            "    return x * 2\n"
            "with session('s'):\n"
            "    print(call(21))\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert (done.stdout.strip(), done.stderr) == ("42", "")
