"""Item 8, the SDK parts: three majors of the ``langfuse`` Python SDK, each in its own cached virtualenv
(``specs.py``), drive a real ``otel-bridge serve`` from outside, as a user's application would.

- 5.x (OTel-based): ``LANGFUSE_HOST`` at the server, two ``@observe``'d turns in one session through
  ``propagate_attributes``, a generation each (the SDK's OpenAI drop-in against a fake chat server);
  read back through ``/api/public/sessions``, ``/traces``, ``/observations``.
- 4.x: its generated API client (pydantic models, which raise on a schema mismatch) reads the sessions,
  traces and observations the 5.x and 2.x runs wrote.
- 2.x: ``from langfuse.decorators import observe, langfuse_context``, a nested function that calls
  ``update_current_trace(session_id=...)`` and OpenAI through v2's drop-in; two calls of the outer function
  give one session with two traces (``POST /api/public/ingestion``).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.sdk.harness import FAKE_REPLY_PREFIX, FAKE_USAGE, MODEL, FakeLLM, Run, api_json, run_scenario
from tests.e2e.sdk.specs import LANGFUSE_V2, LANGFUSE_V4, LANGFUSE_V5
from tests.e2e.sdk.venvs import VenvSpec
from tests.e2e.server import ServerProcess

QUESTIONS = ("What is OpenTelemetry?", "And what is a session?")
USAGE = {
    "input": FAKE_USAGE["prompt_tokens"],
    "output": FAKE_USAGE["completion_tokens"],
    "total": FAKE_USAGE["total_tokens"],
}


@dataclass
class Written:
    """What one writer scenario did: its session, its user and its run (summary: ``turns`` with ids)."""

    session_id: str
    user_id: str
    run: Run
    llm_calls: int

    @property
    def trace_ids(self) -> list[str]:
        """The trace ids, in the order of the turns."""
        return [turn["trace_id"] for turn in self.run.summary["turns"]]


def write(spec: VenvSpec, script: str, server: ServerProcess, llm: FakeLLM, tag: str) -> Written:
    session_id, user_id = f"sdk-{tag}-session-{uuid.uuid4().hex[:8]}", f"sdk-{tag}-user"
    calls = llm.calls
    run = run_scenario(
        spec,
        script,
        server,
        {
            "SDK_E2E_LLM_BASE_URL": llm.base_url,
            "SDK_E2E_SESSION_ID": session_id,
            "SDK_E2E_USER_ID": user_id,
            "SDK_E2E_MODEL": MODEL,
        },
    )
    return Written(session_id, user_id, run, llm.calls - calls)


def read_with_v4(server: ServerProcess, *session_ids: str) -> dict[str, Any]:
    env = {"SDK_E2E_SESSION_IDS": json.dumps(session_ids)}
    summary: dict[str, Any] = run_scenario(LANGFUSE_V4, "langfuse_v4_read.py", server, env).summary
    return summary


@pytest.fixture(scope="module")
def v5(server: ServerProcess, fake_llm: FakeLLM) -> Written:
    """The 5.x scenario, run once against the module's server."""
    return write(LANGFUSE_V5, "langfuse_v5.py", server, fake_llm, "v5")


@pytest.fixture(scope="module")
def v2(server: ServerProcess, fake_llm: FakeLLM) -> Written:
    """The 2.x decorator scenario, run once against the module's server."""
    return write(LANGFUSE_V2, "langfuse_v2_decorators.py", server, fake_llm, "v2")


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def by_time(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(traces, key=lambda t: ts(t["timestamp"]))


def problems(logged: list[dict[str, str]]) -> list[dict[str, str]]:
    """What an SDK logged at WARNING or above (a failed export is only logged)."""
    return [r for r in logged if r["level"] in ("WARNING", "ERROR", "CRITICAL")]


def check_aggregates(session: dict[str, Any], written: Written) -> None:
    """otel-bridge's extra session aggregates (docs/architecture.md) agree with what was written."""
    assert session["traceCount"] == 2
    assert session["observationCount"] == 4
    assert session["userIds"] == [written.user_id]
    assert (session["inputTokens"], session["outputTokens"], session["totalTokens"]) == (
        2 * USAGE["input"],
        2 * USAGE["output"],
        2 * USAGE["total"],
    )
    assert session["errorCount"] == 0


def usage_of(observation: dict[str, Any]) -> dict[str, Any]:
    details = observation.get("usageDetails") or {}
    return {key: details.get(key) for key in ("input", "output", "total")}


# ------------------------------------------------------------------------------------------------ 5.x


class TestLangfuseV5:
    def test_scenario_ran_and_exported_cleanly(self, v5: Written) -> None:
        """The 5.x SDK made two LLM calls, got two distinct W3C trace ids, and logged no export failure."""
        assert v5.run.summary["langfuse"] == "5.0.4"
        assert v5.llm_calls == 2
        assert len(set(v5.trace_ids)) == 2
        assert all(len(t) == 32 and int(t, 16) for t in v5.trace_ids)
        assert all(turn["reply"].startswith(FAKE_REPLY_PREFIX) for turn in v5.run.summary["turns"])
        assert problems(v5.run.summary["logged"]) == [], v5.run.stderr

    def test_session_holds_both_traces_in_timestamp_order(self, server: ServerProcess, v5: Written) -> None:
        """GET /sessions/{id}: two traces which, ordered by timestamp, are the turns in call order."""
        session = api_json(server, f"sessions/{v5.session_id}")
        assert session["id"] == v5.session_id
        assert len(session["traces"]) == 2
        ordered = by_time(session["traces"])
        assert [t["id"] for t in ordered] == v5.trace_ids
        assert ts(ordered[0]["timestamp"]) < ts(ordered[1]["timestamp"])
        assert isinstance(session["projectId"], str) and session["environment"] == "default"
        ts(session["createdAt"])
        check_aggregates(session, v5)

    def test_traces_carry_session_user_and_name(self, server: ServerProcess, v5: Written) -> None:
        """Each trace of the session has the session id, the user id of propagate_attributes and its name."""
        for trace in api_json(server, f"sessions/{v5.session_id}")["traces"]:
            assert trace["sessionId"] == v5.session_id
            assert trace["userId"] == v5.user_id
            assert trace["name"] == "chat-turn"
            assert trace["environment"] == "default"

    def test_generation_has_model_and_usage(self, server: ServerProcess, v5: Written) -> None:
        """GET /traces/{id}: the chat-turn span and under it the generation, with model and usage."""
        for turn, question in zip(v5.run.summary["turns"], QUESTIONS, strict=True):
            trace = api_json(server, f"traces/{turn['trace_id']}")
            assert trace["id"] == turn["trace_id"]
            assert trace["sessionId"] == v5.session_id and trace["userId"] == v5.user_id
            observations = {o["id"]: o for o in trace["observations"]}
            root = observations[turn["observation_id"]]
            assert (root["type"], root["name"], root["parentObservationId"]) == ("SPAN", "chat-turn", None)
            generations = [o for o in trace["observations"] if o["type"] == "GENERATION"]
            assert len(generations) == 1, trace["observations"]
            generation = generations[0]
            assert generation["name"] == "llm-call"
            assert generation["parentObservationId"] == root["id"]
            assert generation["model"] == MODEL
            assert usage_of(generation) == USAGE
            assert question in str(generation["input"])
            assert FAKE_REPLY_PREFIX in str(generation["output"])

    def test_session_and_observations_are_listed(self, server: ServerProcess, v5: Written) -> None:
        """GET /sessions lists the session; GET /observations?traceId= lists the trace's observations."""
        listed = api_json(server, "sessions", limit=100)
        assert v5.session_id in {s["id"] for s in listed["data"]}
        for trace_id in v5.trace_ids:
            trace = api_json(server, f"traces/{trace_id}")
            many = api_json(server, "observations", traceId=trace_id, limit=100)
            assert {o["id"] for o in many["data"]} == {o["id"] for o in trace["observations"]}
            assert many["meta"]["totalItems"] == 2


# ------------------------------------------------------------------------------------------------ 4.x


@pytest.fixture(scope="module")
def v4_on_v5(server: ServerProcess, v5: Written) -> dict[str, Any]:
    """The 4.x API client's reading of the 5.x session."""
    return read_with_v4(server, v5.session_id)


@pytest.fixture(scope="module")
def v4_on_v2(server: ServerProcess, v2: Written) -> dict[str, Any]:
    """The 4.x API client's reading of the 2.x session (written through legacy ingestion)."""
    return read_with_v4(server, v2.session_id)


def check_v4_session(read: dict[str, Any], written: Written, names: tuple[str, str]) -> None:
    """What the 4.x client parsed for one session matches what was written."""
    session = read["sessions"][written.session_id]
    assert session["get"]["id"] == written.session_id
    assert session["created_at_is_datetime"]
    got = session["get"]["traces"]
    assert [t["id"] for t in by_time(got)] == written.trace_ids
    assert {(t["sessionId"], t["userId"], t["name"]) for t in got} == {
        (written.session_id, written.user_id, names[0])
    }
    listed = session["trace_list"]
    assert [t["id"] for t in listed["data"]] == written.trace_ids  # order_by=timestamp.asc
    assert listed["meta"]["totalItems"] == 2 and listed["meta"]["page"] == 1
    for trace_id in written.trace_ids:
        full = session["trace_get"][trace_id]
        assert full["id"] == trace_id and full["sessionId"] == written.session_id
        (generation,) = [o for o in full["observations"] if o["type"] == "GENERATION"]
        assert generation["name"] == names[1]
        assert generation["model"] == MODEL
        assert usage_of(generation) == USAGE
        summary = next(t for t in listed["data"] if t["id"] == trace_id)
        assert sorted(summary["observations"]) == sorted(o["id"] for o in full["observations"])
        observations = session["observations"][trace_id]
        assert {o["id"] for o in observations["get_many"]["data"]} == {o["id"] for o in full["observations"]}
        assert observations["get"][generation["id"]]["model"] == MODEL
        assert usage_of(observations["get"][generation["id"]]) == USAGE


class Mismatched(BaseHTTPRequestHandler):
    """A stand-in server whose session lacks the required ``projectId``."""

    def log_message(self, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        body: Any = {"message": "not found"}
        status = 404
        if path == "/api/public/health":
            status, body = 200, {"status": "OK", "version": "0"}
        elif path == "/api/public/sessions":
            session = {"id": "s", "createdAt": "2026-01-01T00:00:00Z", "environment": "default"}
            status, body = (
                200,
                {"data": [session], "meta": {"page": 1, "limit": 100, "totalItems": 1, "totalPages": 1}},
            )
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@dataclass
class StandIn:
    """The ``Target`` of a scenario run against the stand-in server."""

    base_url: str
    public_key: str = "pk-lf-standin"
    secret_key: str = "sk-lf-standin"

    def log(self) -> str:
        return "(stand-in server)"


@pytest.fixture
def mismatched() -> Iterator[StandIn]:
    """The stand-in server, serving in a thread."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Mismatched)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield StandIn(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


class TestLangfuseV4ApiClient:
    def test_client_rejects_a_schema_mismatch(self, mismatched: StandIn) -> None:
        """The reader really validates: a session without projectId makes it exit with a ValidationError."""
        run = run_scenario(
            LANGFUSE_V4, "langfuse_v4_read.py", mismatched, {"SDK_E2E_SESSION_IDS": "[]"}, check=False
        )
        assert run.returncode != 0, run.stdout
        assert "ValidationError" in run.stderr and "project_id" in run.stderr, run.stderr[-3000:]

    def test_client_parsed_every_response(self, v4_on_v5: dict[str, Any], v5: Written) -> None:
        """health, sessions.list/get, trace.list/get and observations parse with 4.x's pydantic models."""
        assert v4_on_v5["langfuse"] == "4.18.0"
        assert v4_on_v5["health"]["status"]
        assert v5.session_id in {s["id"] for s in v4_on_v5["sessions_list"]["data"]}
        assert problems(v4_on_v5["logged"]) == []

    def test_values_of_the_v5_session_match(self, v4_on_v5: dict[str, Any], v5: Written) -> None:
        """The parsed session, traces and observations hold the ids, user, model and usage 5.x sent."""
        check_v4_session(v4_on_v5, v5, ("chat-turn", "llm-call"))

    def test_values_of_the_v2_session_match(self, v4_on_v2: dict[str, Any], v2: Written) -> None:
        """The same for the session written by the 2.x SDK through legacy ingestion."""
        check_v4_session(v4_on_v2, v2, ("chat_turn", "OpenAI-generation"))


# ------------------------------------------------------------------------------------------------ 2.x


class TestLangfuseV2Decorators:
    def test_scenario_ran_and_ingestion_accepted(self, v2: Written) -> None:
        """The 2.x SDK made two LLM calls and logged no ingestion error (it only logs them)."""
        assert v2.run.summary["langfuse"] == "2.60.10"
        assert v2.llm_calls == 2
        assert len(set(v2.trace_ids)) == 2
        assert problems(v2.run.summary["logged"]) == [], v2.run.stderr

    def test_one_session_with_two_traces(self, server: ServerProcess, v2: Written) -> None:
        """Two calls of the outer function: one session with two traces, in call order, with user and name."""
        session = api_json(server, f"sessions/{v2.session_id}")
        assert session["id"] == v2.session_id
        check_aggregates(session, v2)
        ordered = by_time(session["traces"])
        assert [t["id"] for t in ordered] == v2.trace_ids
        for trace, question in zip(ordered, QUESTIONS, strict=True):
            assert (trace["sessionId"], trace["userId"], trace["name"]) == (
                v2.session_id,
                v2.user_id,
                "chat_turn",
            )
            assert trace["input"] == {"args": [question], "kwargs": {}}
            assert trace["output"]["reply"].startswith(FAKE_REPLY_PREFIX)
        listed = api_json(server, "traces", sessionId=v2.session_id)
        assert {t["id"] for t in listed["data"]} == set(v2.trace_ids)

    def test_each_trace_has_its_span_and_generation(self, server: ServerProcess, v2: Written) -> None:
        """Each trace: the nested function's span and under it the generation, with model and usage."""
        for trace_id, question in zip(v2.trace_ids, QUESTIONS, strict=True):
            trace = api_json(server, f"traces/{trace_id}")
            assert len(trace["observations"]) == 2, trace["observations"]
            (span,) = [o for o in trace["observations"] if o["type"] == "SPAN"]
            (generation,) = [o for o in trace["observations"] if o["type"] == "GENERATION"]
            assert (span["name"], span["parentObservationId"], span["traceId"]) == ("answer", None, trace_id)
            assert span["output"].startswith(FAKE_REPLY_PREFIX)
            assert generation["name"] == "OpenAI-generation"
            assert generation["parentObservationId"] == span["id"]
            assert generation["model"] == MODEL
            assert usage_of(generation) == USAGE
            assert generation["input"] == [{"role": "user", "content": question}]
            assert generation["output"]["content"].startswith(FAKE_REPLY_PREFIX)
            assert generation["startTime"] and generation["endTime"]
