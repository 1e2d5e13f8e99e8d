"""Issue 15, item 1, end to end: the Langfuse Python SDK 5.x, in its own virtualenv (``specs.py``),
against a real ``otel-bridge serve``: ``auth_check()`` passes (``GET /api/public/projects``),
``create_score`` on a session, a trace and an observation stores them (``POST /api/public/scores``,
read back through ``GET /api/public/v2/scores``), ``api.observations.get_many()`` pages through
``GET /api/public/v2/observations`` and its pydantic models parse every page, and
``api.metrics.metrics()`` sums the generation's tokens (``GET /api/public/v2/metrics``)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.sdk.harness import MODEL, Run, api_json, run_scenario
from tests.e2e.sdk.specs import LANGFUSE_V5, LANGFUSE_V5_LATEST
from tests.e2e.sdk.venvs import VenvSpec
from tests.e2e.server import ServerProcess


@pytest.fixture(scope="module", params=[LANGFUSE_V5, LANGFUSE_V5_LATEST], ids=lambda spec: spec.name)
def run(server: ServerProcess, request: pytest.FixtureRequest) -> tuple[str, Run]:
    """The scenario, once per 5.x pin, in a session of its own."""
    spec: VenvSpec = request.param
    session_id = f"sdk-api-session-{uuid.uuid4().hex[:8]}"
    env = {"SDK_E2E_SESSION_ID": session_id, "SDK_E2E_USER_ID": "sdk-api-user", "SDK_E2E_MODEL": MODEL}
    return session_id, run_scenario(spec, "langfuse_v5_api.py", server, env)


def summary(run: tuple[str, Run]) -> dict[str, Any]:
    found: dict[str, Any] = run[1].summary
    return found


class TestLangfuseV5Api:
    def test_auth_check_passes_and_nothing_failed(self, run: tuple[str, Run]) -> None:
        read = summary(run)
        assert read["auth_check"] is True
        problems = [r for r in read["logged"] if r["level"] in ("WARNING", "ERROR", "CRITICAL")]
        assert problems == [], run[1].stderr

    def test_scores_on_the_session_trace_and_observation(
        self, server: ServerProcess, run: tuple[str, Run]
    ) -> None:
        session_id, ids = run[0], summary(run)["ids"]
        on_session = api_json(server, "v2/scores", sessionId=session_id)["data"]
        assert {(s["name"], s["dataType"], s.get("stringValue")) for s in on_session} == {
            ("helpful", "BOOLEAN", "True"),
            ("tone", "CATEGORICAL", "warm"),
        }
        assert all(s["traceId"] is None for s in on_session)
        on_trace = {s["name"]: s for s in api_json(server, "v2/scores", traceId=ids["trace_id"])["data"]}
        assert on_trace["accuracy"]["value"] == 0.9 and on_trace["accuracy"]["observationId"] is None
        assert on_trace["relevance"]["observationId"] == ids["observation_id"]
        assert on_trace["accuracy"]["trace"]["sessionId"] == session_id
        detail = api_json(server, f"traces/{ids['trace_id']}")
        assert {s["name"] for s in detail["scores"]} == {"accuracy", "relevance"}

    def test_observations_get_many_pages_through_the_cursor(
        self, server: ServerProcess, run: tuple[str, Run]
    ) -> None:
        read = summary(run)
        observations = {o["id"]: o for o in read["observations"]}
        trace = api_json(server, f"traces/{read['ids']['trace_id']}")
        assert set(observations) == {o["id"] for o in trace["observations"]}
        assert read["pages"] == len(observations) == 2
        generation = observations[read["ids"]["observation_id"]]
        assert generation["type"] == "GENERATION"
        # The SDK's models dump by their API aliases (camelCase).
        assert generation["sessionId"] == run[0] and generation["userId"] == "sdk-api-user"
        assert generation["usageDetails"] == {"input": 11, "output": 4, "total": 15}

    def test_scores_get_many_reads_the_session_scores(self, run: tuple[str, Run]) -> None:
        """The SDK's v3 models parse the session's scores, with their typed values and subject."""
        read = {s["name"]: s for s in summary(run)["session_scores"]}
        assert (read["helpful"]["value"], read["tone"]["value"]) == (True, "warm")
        assert read["tone"]["comment"] == "user feedback"
        assert read["helpful"]["subject"] == {"kind": "session", "id": run[0]}

    def test_metrics_sum_the_tokens(self, run: tuple[str, Run]) -> None:
        assert summary(run)["metrics"] == [{"sum_inputTokens": 11}]
