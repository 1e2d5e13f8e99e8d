"""``SessionSpanProcessor``: the current session stamped onto every span started inside it."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace

from otel_bridge.sdk import SessionSpanProcessor, session
from tests.unit.sdk.sdk_helpers import GlobalPipeline

#: Stands in for a third-party instrumentation (an OpenAI or HTTP client instrumentation).
THIRD_PARTY = "opentelemetry.instrumentation.example"


class TestSessionSpanProcessor:
    def test_stamps_third_party_spans(self, pipeline: GlobalPipeline) -> None:
        """A span of any tracer started inside ``session()`` carries its id, user, tags and metadata."""
        tracer = trace.get_tracer(THIRD_PARTY)
        with (
            session("chat-1", user_id="u1", tags=["beta"], metadata={"turn": 3}),
            tracer.start_as_current_span("chat gpt-4o"),
        ):
            pass
        (span,) = pipeline.spans.get_finished_spans()
        attributes = dict(span.attributes or {})
        assert attributes["session.id"] == "chat-1"
        assert attributes["user.id"] == "u1"
        assert attributes["langfuse.trace.tags"] == ("beta",)
        assert json.loads(str(attributes["langfuse.trace.metadata"])) == {"turn": 3}

    def test_claims_reach_the_trace(self, pipeline: GlobalPipeline) -> None:
        """The translator reads the stamped values as the trace's session, user, tags and metadata."""
        with (
            session("chat-2", user_id="u2", tags=["x"], metadata={"turn": 1, "ok": True}),
            trace.get_tracer(THIRD_PARTY).start_as_current_span("root"),
        ):
            pass
        (stored,) = pipeline.sink.traces().values()
        assert (stored.session_id, stored.user_id, stored.tags) == ("chat-2", "u2", ("x",))
        assert stored.metadata == {"turn": 1, "ok": True}

    def test_nothing_outside_a_session(self, pipeline: GlobalPipeline) -> None:
        """A span started outside any session gets none of the keys."""
        with trace.get_tracer(THIRD_PARTY).start_as_current_span("alone"):
            pass
        (span,) = pipeline.spans.get_finished_spans()
        assert not {"session.id", "user.id", "langfuse.trace.tags"} & set(span.attributes or {})

    def test_a_spans_own_value_wins(self, pipeline: GlobalPipeline) -> None:
        """A key the instrumentation set at creation is kept; metadata keys it has are kept too."""
        own = {"session.id": "own", "langfuse.trace.metadata": '{"b": 2}'}
        with (
            session("ambient", user_id="u-ambient", metadata={"a": 1, "b": 1}),
            trace.get_tracer(THIRD_PARTY).start_as_current_span("own", attributes=own),
        ):
            pass
        (span,) = pipeline.spans.get_finished_spans()
        attributes = dict(span.attributes or {})
        assert (attributes["session.id"], attributes["user.id"]) == ("own", "u-ambient")
        assert json.loads(str(attributes["langfuse.trace.metadata"])) == {"a": 1, "b": 2}

    def test_explicit_parent_context_keeps_the_session(self, pipeline: GlobalPipeline) -> None:
        """A span started with an explicit (for example extracted, remote) context still gets the
        session that is current around it."""
        with (
            session("chat-3"),
            trace.get_tracer(THIRD_PARTY).start_as_current_span("server", context=otel_context.Context()),
        ):
            pass
        (span,) = pipeline.spans.get_finished_spans()
        assert (span.attributes or {})["session.id"] == "chat-3"

    def test_never_raises(self, caplog: pytest.LogCaptureFixture) -> None:
        """A span that refuses attributes is logged and skipped; the application goes on."""

        class BrokenSpan:
            @property
            def attributes(self) -> Any:
                raise RuntimeError("broken")

        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"), session("chat-4"):
            SessionSpanProcessor().on_start(BrokenSpan())  # type: ignore[arg-type]
        assert "could not stamp the session" in caplog.text
