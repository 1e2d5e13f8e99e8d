"""The crafted spans the browser tests send over OTLP/HTTP (protobuf), beside the demo's sessions."""

from __future__ import annotations

import json
import time

from otel_bridge.model import StatusCode
from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import post
from tests.e2e.server import ServerProcess

#: A session id and a span name that would be markup if the pages did not escape them.
MARKUP_SESSION = "<b>bold</b> & co"
MARKUP_NAME = "<script>document.title='pwned'</script>"
MARKUP_IMAGE = "<img src=x onerror=\"document.title='pwned'\">"
#: A session whose conversation is on its generations, with a 10-minute pause and a failing span.
AGENT_SESSION = "agent-weather-1"
AGENT_TRACE = "a" * 32
FOLLOW_UP_TRACE = "b" * 32
#: A trace with one span whose parent never arrived.
ORPHAN_TRACE = "c" * 32
ORPHAN_SPAN = "c" * 16
MISSING_PARENT = "d" * 16
SECOND = 1_000_000_000


def _messages(*parts: tuple[str, dict[str, object]]) -> str:
    return json.dumps([{"role": role, "parts": [part]} for role, part in parts])


def _text(content: str) -> dict[str, object]:
    return {"type": "text", "content": content}


def send_crafted(server: ServerProcess) -> None:
    """Send the markup session, the agent session and the orphan trace."""
    now = time.time_ns()
    start = now - 3600 * SECOND
    spans = [
        make_span(
            MARKUP_NAME,
            start_time_unix_nano=now - 120 * SECOND,
            attributes={"session.id": MARKUP_SESSION, "input.value": MARKUP_IMAGE},
        ),
        make_span(
            "agent run",
            trace_id=AGENT_TRACE,
            span_id="a" * 15 + "0",
            start_time_unix_nano=start,
            end_time_unix_nano=start + 6 * SECOND,
            attributes={"session.id": AGENT_SESSION, "user.id": "ann", "langfuse.trace.tags": ["beta"]},
        ),
        make_span(
            "chat gpt-4o",
            trace_id=AGENT_TRACE,
            span_id="a" * 15 + "1",
            parent_span_id="a" * 15 + "0",
            start_time_unix_nano=start + SECOND,
            end_time_unix_nano=start + 2 * SECOND,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 120,
                "gen_ai.usage.output_tokens": 18,
                "gen_ai.input.messages": _messages(("user", _text("What is the weather in Paris?"))),
                "gen_ai.output.messages": _messages(
                    (
                        "assistant",
                        {"type": "tool_call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}},
                    )
                ),
            },
        ),
        make_span(
            "weather",
            trace_id=AGENT_TRACE,
            span_id="a" * 15 + "2",
            parent_span_id="a" * 15 + "0",
            start_time_unix_nano=start + 2 * SECOND,
            end_time_unix_nano=start + 3 * SECOND,
            attributes={
                "gen_ai.operation.name": "execute_tool",
                "gen_ai.tool.name": "weather",
                "output.value": "sunny, 21 °C",
            },
        ),
        make_span(
            "fetch radar",
            trace_id=AGENT_TRACE,
            span_id="a" * 15 + "3",
            parent_span_id="a" * 15 + "0",
            start_time_unix_nano=start + 3 * SECOND,
            end_time_unix_nano=start + 3 * SECOND + 400_000,
            status_code=StatusCode.ERROR,
            status_message="radar service timed out",
        ),
        make_span(
            "chat gpt-4o",
            trace_id=AGENT_TRACE,
            span_id="a" * 15 + "4",
            parent_span_id="a" * 15 + "0",
            start_time_unix_nano=start + 4 * SECOND,
            end_time_unix_nano=start + 6 * SECOND,
            attributes={
                "gen_ai.operation.name": "chat",
                "gen_ai.request.model": "gpt-4o",
                "gen_ai.usage.input_tokens": 160,
                "gen_ai.usage.output_tokens": 24,
                "gen_ai.output.messages": _messages(("assistant", _text("It is sunny in Paris, 21 °C."))),
            },
        ),
        make_span(
            "follow-up",
            trace_id=FOLLOW_UP_TRACE,
            start_time_unix_nano=start + 606 * SECOND,
            end_time_unix_nano=start + 608 * SECOND,
            attributes={
                "session.id": AGENT_SESSION,
                "user.id": "ann",
                "langfuse.trace.input": json.dumps([{"role": "user", "content": "Thanks!"}]),
                "langfuse.trace.output": json.dumps([{"role": "assistant", "content": "You are welcome."}]),
            },
        ),
        make_span(
            "pipeline",
            trace_id=ORPHAN_TRACE,
            span_id="e" * 16,
            start_time_unix_nano=start,
            end_time_unix_nano=start + 2 * SECOND,
            attributes={"session.id": "orphan-session"},
        ),
        make_span(
            "late child",
            trace_id=ORPHAN_TRACE,
            span_id=ORPHAN_SPAN,
            parent_span_id=MISSING_PARENT,
            start_time_unix_nano=start + SECOND,
            end_time_unix_nano=start + SECOND + 500_000_000,
        ),
    ]
    result = post(server, build_export_request(spans).SerializeToString())
    assert result.status == 200, result.body


__all__ = [
    "AGENT_SESSION",
    "AGENT_TRACE",
    "MARKUP_NAME",
    "MARKUP_SESSION",
    "MISSING_PARENT",
    "ORPHAN_SPAN",
    "ORPHAN_TRACE",
    "send_crafted",
]
