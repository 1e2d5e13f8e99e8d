"""``examples/`` (a)–(d) run as a user runs them, each in its own interpreter, against a real
``otel-bridge serve`` subprocess (and the fake chat server the examples ship, started by each example);
what they produced is read back through the Langfuse-compatible API."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import pytest

from otel_bridge.sdk import session_kept
from tests.e2e.sdk.harness import api_json, scenario_env
from tests.e2e.server import ServerProcess
from tests.support.optional import require
from tests.support.paths import REPOSITORY

EXAMPLES = REPOSITORY / "examples"
TIMEOUT = 300.0
LANGCHAIN_SESSIONS = [f"example-langchain-{n:02d}" for n in range(20)]


def run_example(server: ServerProcess, name: str) -> str:
    """Run ``examples/<name>``; its stdout (the test fails with its output unless it exits 0)."""
    credentials = base64.b64encode(f"{server.public_key}:{server.secret_key}".encode()).decode()
    env = scenario_env(
        server,
        {
            "OTEL_BRIDGE_URL": server.base_url,
            "OTEL_BRIDGE_PUBLIC_KEY": server.public_key,
            "OTEL_BRIDGE_SECRET_KEY": server.secret_key,
            "OTEL_EXPORTER_OTLP_ENDPOINT": server.base_url,
            "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Basic%20{credentials}",
        },
    )
    done = subprocess.run(  # noqa: PLW1510 (checked below, with the output)
        [sys.executable, str(EXAMPLES / name)],
        env=env,
        cwd=str(REPOSITORY),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{name} exited {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr[-8000:]}"
            f"\n--- server\n{server.log()[-4000:]}",
            pytrace=False,
        )
    return done.stdout


def session_traces(server: ServerProcess, session_id: str) -> list[dict[str, Any]]:
    """The session's traces with their observations (``TraceWithFullDetails``), oldest first."""
    listed = api_json(server, "traces", sessionId=session_id, limit=100)["data"]
    details = [api_json(server, f"traces/{t['id']}") for t in listed]
    return sorted(details, key=lambda t: str(t["timestamp"]))


def generations(trace: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in trace["observations"] if o["type"] == "GENERATION"]


def test_a_decorator(server: ServerProcess) -> None:
    """One session, two traces; the nested ``update_current_trace`` moved each whole trace; the key passed
    as an argument is masked and the question is not."""
    out = run_example(server, "a_decorator.py")
    assert out.count("FAKE-REPLY:") == 2
    traces = session_traces(server, "example-session-id")
    assert len(traces) == 2
    for trace in traces:
        assert trace["userId"] == "example-user"
        assert [o["name"] for o in sorted(trace["observations"], key=lambda o: o["startTime"])] == [
            "answer",
            "nested",
            "call_model",
        ]
        (generation,) = generations(trace)
        assert generation["model"] == "gpt-4o-mini"
        assert generation["usageDetails"]["input"] == 37
        text = repr(trace)
        assert "gsk_example" not in text
        assert "[MASKED]" in text
        assert "capital of" in text or "of Norway" in text


def test_b_langchain_samples_whole_sessions(server: ServerProcess) -> None:
    require("langchain_core", "langchain_openai", "openinference.instrumentation.langchain")
    run_example(server, "b_langchain.py")
    kept = {s: session_traces(server, s) for s in LANGCHAIN_SESSIONS}
    stored = {s for s, traces in kept.items() if traces}
    assert stored == {s for s in LANGCHAIN_SESSIONS if session_kept(s, 0.5)}
    assert 4 <= len(stored) <= 16  # "about half" of 20
    sizes: set[int] = set()
    for session_id in stored:
        traces = kept[session_id]
        assert len(traces) == 2, session_id  # every turn of a kept session
        sizes.update(len(t["observations"]) for t in traces)
        for trace in traces:
            (generation,) = generations(trace)
            assert generation["model"] == "gpt-4o-mini"
            assert generation["usageDetails"]["total"] == 49
    assert len(sizes) == 1  # each turn complete


def test_c_opentelemetry(server: ServerProcess) -> None:
    require("openai", "openinference.instrumentation.openai", "opentelemetry.exporter.otlp.proto.http")
    run_example(server, "c_opentelemetry.py")
    traces = session_traces(server, "example-otel-session")
    assert len(traces) == 2
    for trace in traces:
        assert trace["userId"] == "example-user"
        (generation,) = generations(trace)
        assert generation["model"].startswith("gpt-4o-mini")
        assert generation["usageDetails"]["input"] == 37


def test_d_llama_index(server: ServerProcess) -> None:
    require("llama_index.core", "llama_index.llms.openai_like", "openinference.instrumentation.llama_index")
    run_example(server, "d_llama_index.py")
    traces = session_traces(server, "example-llama-index-session")
    assert len(traces) == 2
    for trace in traces:
        assert sorted(o["type"] for o in trace["observations"]) == ["CHAIN", "GENERATION"]
        (generation,) = generations(trace)
        assert generation["model"] == "gpt-4o-mini"
        assert generation["usageDetails"]["output"] == 12
        assert "capital of France" in repr(trace) or "of Norway" in repr(trace)
