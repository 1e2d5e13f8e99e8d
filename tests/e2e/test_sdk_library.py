"""End-to-end: an application using the in-process library (``otel_bridge.sdk``) against a real
``otel-bridge serve`` process, read back through the Langfuse-compatible API.

The application (``run_app``) runs in a fresh interpreter, as a real one would: ``configure()`` reads
the server and keys from the environment and sets the global tracer provider, which can happen only
once per process. It prints what it did as JSON; the tests compare that with what the API returns.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.sdk import (
    BridgeSpanExporter,
    IngestionSink,
    RetryPolicy,
    configure,
    flush,
    observe,
    session,
    update_current_observation,
    update_current_trace,
)
from tests.e2e.sdk.harness import api_get, api_json
from tests.e2e.server import ServerProcess
from tests.support.paths import REPOSITORY

REPO = REPOSITORY
MODEL = "gpt-4o-mini"
QUESTIONS = ("What is the weather in Oslo?", "And tomorrow?")
#: Stands in for a third-party instrumentation (an OpenAI client instrumentation, say).
THIRD_PARTY = "opentelemetry.instrumentation.fake_openai"
APP_TIMEOUT = 120.0

#: What ``run_app`` prints: its replies, the trace ids it made, how ``flush()`` went.
Report = dict[str, Any]


def trace_id_of_current_span() -> str:
    return format(trace.get_current_span().get_span_context().trace_id, "032x")


def run_app() -> None:
    """The application: chat turns in a session, a third-party-only trace in another session, and a
    trace moved into a session by ``update_current_trace`` without any ``session()``."""
    configure(service_name="sdk-e2e-app")
    third_party = trace.get_tracer(THIRD_PARTY)
    chat_traces: list[str] = []

    @observe(as_type="generation")
    def call_llm(prompt: str) -> str:
        with third_party.start_as_current_span("POST /v1/chat/completions"):
            pass
        update_current_observation(
            model=MODEL, usage={"input": 12, "output": 7}, model_parameters={"temperature": 0.2}
        )
        return f"reply to {prompt}"

    @observe
    def answer(question: str) -> str:
        chat_traces.append(trace_id_of_current_span())
        return call_llm(question)

    with session("chat-42", user_id="u1"):
        replies = [answer(question) for question in QUESTIONS]

    # Only third-party spans: the trace is in the session because the processor stamped them.
    with session("plain-7", user_id="u2"), third_party.start_as_current_span("agent loop"):
        plain_trace = trace_id_of_current_span()
        with third_party.start_as_current_span("tool call"):
            pass

    @observe
    def handle_request() -> str:
        return check_user()

    @observe
    def check_user() -> str:
        update_current_trace(session_id="moved-1", user_id="u3")
        return trace_id_of_current_span()

    moved_trace = handle_request()
    started = time.monotonic()
    flushed = flush()
    print(
        json.dumps(
            {
                "replies": replies,
                "chat_traces": chat_traces,
                "plain_trace": plain_trace,
                "moved_trace": moved_trace,
                "flushed": flushed,
                "flush_seconds": time.monotonic() - started,
            }
        )
    )


def launch_app(env: dict[str, str]) -> tuple[Report, subprocess.CompletedProcess[str]]:
    """Run ``run_app`` in a fresh interpreter; its JSON report and the finished process."""
    done = subprocess.run(
        [sys.executable, "-c", "from tests.e2e.test_sdk_library import run_app; run_app()"],
        env=env,
        cwd=str(REPO),
        capture_output=True,
        text=True,
        timeout=APP_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done


def app_env(host: str, public_key: str, secret_key: str) -> dict[str, str]:
    """The application's environment: the caller's without any ``OTEL_*``/``LANGFUSE_*`` setting, then
    the ``OTEL_BRIDGE_*`` ones, and ``LANGFUSE_*`` ones pointing nowhere, which ours must beat."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "LANGFUSE_"))}
    env.update(
        {
            "OTEL_BRIDGE_URL": host,
            "OTEL_BRIDGE_PUBLIC_KEY": public_key,
            "OTEL_BRIDGE_SECRET_KEY": secret_key,
            "LANGFUSE_HOST": "http://127.0.0.1:9",
            "LANGFUSE_PUBLIC_KEY": "pk-unused",
            "LANGFUSE_SECRET_KEY": "sk-unused",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "PYTHONPATH": str(REPO),
        }
    )
    return env


@pytest.fixture(scope="module")
def app_run(server: ServerProcess) -> Report:
    """One run of the application against the server."""
    report, _ = launch_app(app_env(server.base_url, server.public_key, server.secret_key))
    return report


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def finished_spans(attributes: dict[str, Any]) -> list[ReadableSpan]:
    """One finished root span with ``attributes``, from a private provider."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    with provider.get_tracer("tests.e2e").start_as_current_span("request", attributes=attributes):
        pass
    provider.shutdown()
    return list(memory.get_finished_spans())


class TestSdkLibrary:
    def test_app_ran(self, app_run: Report) -> None:
        """The application's own results are untouched by tracing, and ``flush()`` succeeded."""
        assert app_run["replies"] == [f"reply to {question}" for question in QUESTIONS]
        assert app_run["flushed"] is True
        assert len(set(app_run["chat_traces"])) == 2

    def test_session_holds_both_turns(self, app_run: Report, server: ServerProcess) -> None:
        """``GET /sessions/chat-42``: one session with the two turns' traces, all of user u1."""
        body = api_json(server, "sessions/chat-42")
        assert body["id"] == "chat-42"
        assert sorted(t["id"] for t in body["traces"]) == sorted(app_run["chat_traces"])
        assert {t["userId"] for t in body["traces"]} == {"u1"}
        assert body["userIds"] == ["u1"]
        assert (body["traceCount"], body["observationCount"]) == (2, 6)
        assert (body["inputTokens"], body["outputTokens"], body["totalTokens"]) == (24, 14, 38)

    def test_trace_and_generation(self, app_run: Report, server: ServerProcess) -> None:
        """``GET /traces/{id}``: the turn's trace, its generation's model, usage, input and output, and
        the third-party span under the generation."""
        for question, trace_id in zip(QUESTIONS, app_run["chat_traces"], strict=True):
            body = api_json(server, f"traces/{trace_id}")
            assert (body["name"], body["sessionId"], body["userId"]) == ("answer", "chat-42", "u1")
            assert body["input"] == {"question": question}
            assert body["output"] == f"reply to {question}"
            by_name = {o["name"]: o for o in body["observations"]}
            assert set(by_name) == {"answer", "call_llm", "POST /v1/chat/completions"}
            generation = by_name["call_llm"]
            assert generation["type"] == "GENERATION"
            assert generation["model"] == MODEL
            assert generation["modelParameters"] == {"temperature": 0.2}
            assert (generation["usage"]["input"], generation["usage"]["output"]) == (12, 7)
            assert generation["usageDetails"] == {"input": 12, "output": 7, "total": 19}
            assert generation["input"] == {"prompt": question}
            assert generation["output"] == f"reply to {question}"
            assert generation["parentObservationId"] == by_name["answer"]["id"]
            third_party = by_name["POST /v1/chat/completions"]
            assert third_party["parentObservationId"] == generation["id"]
            assert third_party["metadata"]["scope"]["name"] == THIRD_PARTY

    def test_third_party_spans_carry_the_session(self, app_run: Report, server: ServerProcess) -> None:
        """A trace made only of a plain OTel tracer's spans, started inside ``session()``, is in that
        session with its user: the span processor stamped them."""
        body = api_json(server, "sessions/plain-7")
        assert [t["id"] for t in body["traces"]] == [app_run["plain_trace"]]
        detail = api_json(server, f"traces/{app_run['plain_trace']}")
        assert (detail["name"], detail["sessionId"], detail["userId"]) == ("agent loop", "plain-7", "u2")
        assert {o["name"] for o in detail["observations"]} == {"agent loop", "tool call"}

    def test_update_current_trace_moves_the_trace(self, app_run: Report, server: ServerProcess) -> None:
        """``update_current_trace(session_id=...)`` in a nested function, with no ``session()``, puts
        the whole trace in that session."""
        body = api_json(server, "sessions/moved-1")
        assert [t["id"] for t in body["traces"]] == [app_run["moved_trace"]]
        detail = api_json(server, f"traces/{app_run['moved_trace']}")
        assert (detail["name"], detail["sessionId"], detail["userId"]) == ("handle_request", "moved-1", "u3")

    def test_rejected_events_are_failure(
        self, server: ServerProcess, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A 207 with errors (a session id over Langfuse's 800 characters fails the trace-create) is
        FAILURE with the server's message; the batch's other events are stored."""
        spans = finished_spans({"session.id": "s" * 801})
        exporter = BridgeSpanExporter(IngestionSink(server.base_url, server.public_key, server.secret_key))
        with caplog.at_level(logging.WARNING, logger="otel_bridge.sdk"):
            assert exporter.export(spans) == SpanExportResult.FAILURE
        assert "trace-create" in caplog.text and "body.sessionId" in caplog.text
        span_id = format(spans[0].context.span_id, "016x")
        assert api_get(server, f"observations/{span_id}")[0] == 200

    def test_dead_server(self) -> None:
        """Nothing listening: the exporter retries briefly and returns FAILURE; spans end and the
        code around them runs as if nothing happened."""
        sink = IngestionSink(
            f"http://127.0.0.1:{closed_port()}",
            "pk",
            "sk",
            timeout=2,
            retry=RetryPolicy(attempts=2, backoff=0.05, deadline=5),
        )
        exporter = BridgeSpanExporter(sink)
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))  # exports as each span ends
        with provider.get_tracer("tests.e2e").start_as_current_span("request"):
            result = sum(range(10))
        assert result == 45
        started = time.monotonic()
        assert exporter.export(finished_spans({"session.id": "s"})) == SpanExportResult.FAILURE
        assert time.monotonic() - started < 10
        provider.shutdown()

    def test_app_with_dead_server(self) -> None:
        """The whole application against a server that is gone: it finishes with its results, and the
        failed export is logged, not raised."""
        host = f"http://127.0.0.1:{closed_port()}"
        report, done = launch_app(app_env(host, "pk", "sk"))
        assert report["replies"] == [f"reply to {question}" for question in QUESTIONS]
        assert "otel-bridge: export of" in done.stderr
        assert report["flush_seconds"] < 60
