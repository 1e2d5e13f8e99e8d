"""``otel-bridge demo`` end to end: the command, run as a subprocess against a real server, sends
mixed-convention multi-turn sessions through the OTel SDK's exporters; what the server stored (read
from its SQLite file, and through ``GET /api/public/sessions/{id}``) matches
what the demo reports, and an unreachable server or a wrong key is a clear error."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest

from otel_bridge.model import ObservationType
from otel_bridge.store.sql import SqlStore
from tests.e2e.server import ServerProcess

SESSIONS = 5
SEED = 1
#: Everything the demo reads from the environment is removed, then set per test.
CLEARED_PREFIXES = ("OTEL_", "LANGFUSE_")


@dataclass
class DemoRun:
    """One finished ``otel-bridge demo`` process."""

    returncode: int
    stdout: str
    stderr: str

    def report(self) -> dict[str, Any]:
        """The ``--json`` report."""
        document: dict[str, Any] = json.loads(self.stdout)
        return document


def run_demo(*args: str, env: dict[str, str] | None = None) -> DemoRun:
    """``python -m otel_bridge.cli demo ARGS`` with a clean environment plus ``env``; stderr is
    read as bytes so that the progress bar's carriage returns survive."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(CLEARED_PREFIXES)}
    environment.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "otel_bridge.cli", "demo", *args],
        capture_output=True,
        env=environment,
        timeout=180,
        check=False,
    )
    return DemoRun(result.returncode, result.stdout.decode(), result.stderr.decode())


def banner_env(server: ServerProcess) -> dict[str, str]:
    """The variables ``otel-bridge serve`` tells users to export."""
    token = server.authorization.split(" ", 1)[1]
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": server.base_url,
        "OTEL_EXPORTER_OTLP_HEADERS": f"Authorization=Basic%20{token}",
    }


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def demo_run(server: ServerProcess) -> DemoRun:
    """``otel-bridge demo --sessions 5 --seed 1 --json`` against the module's server, over HTTP."""
    run = run_demo("--sessions", str(SESSIONS), "--seed", str(SEED), "--json", env=banner_env(server))
    assert run.returncode == 0, run.stderr
    return run


class TestDemoSessions:
    """Five sessions over OTLP/HTTP: stored as reported, session by session."""

    def test_reports_json_and_draws_a_progress_bar(self, demo_run: DemoRun) -> None:
        """stdout is the JSON report; stderr redraws ``[####  ] i/5 sessions`` with carriage returns."""
        report = demo_run.report()
        assert len(report["sessions"]) == SESSIONS and report["seed"] == SEED
        assert "\r[" in demo_run.stderr
        assert re.search(r"\r\[#{30}\] 5/5 sessions", demo_run.stderr)

    def test_every_session_is_stored_with_its_traces_and_spans(
        self, demo_run: DemoRun, store: SqlStore, project_id: str
    ) -> None:
        """Each reported session exists with 2-5 traces and exactly the reported trace and span counts."""
        for sent in demo_run.report()["sessions"]:
            stored = store.get_session(project_id, sent["id"]).session
            assert 2 <= sent["traces"] <= 5
            assert stored.trace_count == sent["traces"], sent
            assert stored.observation_count == sent["spans"], sent

    def test_token_totals_match_the_report(self, demo_run: DemoRun, store: SqlStore, project_id: str) -> None:
        """Input, output and total tokens per session equal the demo's, agent roll-ups not counted twice."""
        report = demo_run.report()
        total = 0
        for sent in report["sessions"]:
            stored = store.get_session(project_id, sent["id"]).session
            assert (stored.input_tokens, stored.output_tokens, stored.total_tokens) == (
                sent["input_tokens"],
                sent["output_tokens"],
                sent["total_tokens"],
            ), sent
            total += stored.total_tokens
        assert total == report["total_tokens"] > 0

    def test_errors_users_and_costs(self, demo_run: DemoRun, store: SqlStore, project_id: str) -> None:
        """Error counts match, the user id is kept, and every model is priced (cost > 0)."""
        report = demo_run.report()
        for sent in report["sessions"]:
            stored = store.get_session(project_id, sent["id"]).session
            assert stored.error_count == sent["errors"], sent
            assert stored.user_ids == (sent["user_id"],), sent
            assert stored.total_cost > 0, sent
        assert sum(s["errors"] for s in report["sessions"]) == report["errors"]

    def test_conventions_are_mixed_and_child_only_session_ids_group(self, demo_run: DemoRun) -> None:
        """Five sessions use five conventions, and one carries its session id on a child span only."""
        sessions = demo_run.report()["sessions"]
        assert {s["convention"] for s in sessions} == {
            "genai",
            "openinference",
            "openllmetry",
            "langfuse",
            "vercel-ai",
        }
        assert [s["session_on_child"] for s in sessions].count(True) == 1

    def test_each_turn_is_an_agent_with_generations_and_maybe_a_tool(
        self, demo_run: DemoRun, store: SqlStore, project_id: str
    ) -> None:
        """Every trace: one root (agent, or the AI SDK's outer chain), 1-2 generations, at most one tool."""
        for sent in demo_run.report()["sessions"]:
            detail = store.get_session(project_id, sent["id"])
            for summary in detail.traces.items:
                observations = store.get_trace(project_id, summary.trace.id).observations
                roots = [o for o in observations if o.parent_observation_id is None]
                assert len(roots) == 1, sent["convention"]
                assert roots[0].type in (ObservationType.AGENT, ObservationType.CHAIN), sent["convention"]
                children = [o.type for o in observations if o.parent_observation_id is not None]
                assert 1 <= children.count(ObservationType.GENERATION) <= 2, (sent["convention"], children)
                assert children.count(ObservationType.TOOL) <= 1, (sent["convention"], children)
                assert len(children) == children.count(ObservationType.GENERATION) + children.count(
                    ObservationType.TOOL
                )

    def test_api_shows_the_same_sessions(self, demo_run: DemoRun, server: ServerProcess) -> None:
        """``GET /api/public/sessions/{id}`` returns each session's reported counts."""
        for sent in demo_run.report()["sessions"]:
            request = urllib.request.Request(
                f"{server.base_url}/api/public/sessions/{sent['id']}",
                headers={"Authorization": server.authorization},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                body = json.load(response)
            assert body["id"] == sent["id"]
            assert len(body["traces"]) == sent["traces"]
            if "totalTokens" in body:
                assert (body["traceCount"], body["totalTokens"]) == (sent["traces"], sent["total_tokens"])

    def test_same_seed_again_changes_nothing_and_prints_a_summary(
        self, demo_run: DemoRun, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """A second run with the same seed re-sends the same ids (stored once); its summary line gives
        the counts and the URLs of the sessions view and the API."""
        report = demo_run.report()
        before = store.list_sessions(project_id, limit=1000).total
        again = run_demo("--sessions", str(SESSIONS), "--seed", str(SEED), env=banner_env(server))
        assert again.returncode == 0, again.stderr
        assert store.list_sessions(project_id, limit=1000).total == before
        for sent in report["sessions"]:
            stored = store.get_session(project_id, sent["id"]).session
            assert (stored.trace_count, stored.total_tokens) == (sent["traces"], sent["total_tokens"])
        summary = again.stdout.strip()
        assert summary.startswith(
            f"sent {SESSIONS} sessions ({report['traces']} traces, {report['spans']} spans, "
            f"{report['total_tokens']} tokens"
        ), summary
        assert f"sessions view: {server.base_url}/ " in summary
        assert summary.endswith(f"API: {server.base_url}/api/public/sessions")


class TestDemoGrpc:
    """``--protocol grpc``: the SDK's gRPC exporter to the server's gRPC port."""

    def test_sessions_arrive_over_grpc(self, server: ServerProcess, store: SqlStore, project_id: str) -> None:
        """Two sessions sent over gRPC (keys from LANGFUSE_*) are stored as reported."""
        run = run_demo(
            "--protocol",
            "grpc",
            "--endpoint",
            server.grpc_target,
            "--sessions",
            "2",
            "--seed",
            "2",
            "--json",
            env={
                "LANGFUSE_HOST": server.base_url,
                "LANGFUSE_PUBLIC_KEY": server.public_key,
                "LANGFUSE_SECRET_KEY": server.secret_key,
            },
        )
        assert run.returncode == 0, run.stderr
        report = run.report()
        assert report["protocol"] == "grpc" and report["ui_url"] == f"{server.base_url}/"
        for sent in report["sessions"]:
            stored = store.get_session(project_id, sent["id"]).session
            assert (stored.trace_count, stored.observation_count, stored.total_tokens) == (
                sent["traces"],
                sent["spans"],
                sent["total_tokens"],
            )


class TestDemoErrors:
    """Failures are one clear line on stderr and a non-zero exit status, before anything is sent."""

    @pytest.mark.parametrize("protocol", ["http", "grpc"])
    def test_unreachable_server_exits_1(self, protocol: str) -> None:
        """Nothing listening: exit 1, "cannot reach otel-bridge", and how to fix it."""
        port = free_port()
        endpoint = f"http://127.0.0.1:{port}" if protocol == "http" else f"127.0.0.1:{port}"
        run = run_demo(
            "--protocol",
            protocol,
            "--endpoint",
            endpoint,
            env={"LANGFUSE_PUBLIC_KEY": "pk-lf-x", "LANGFUSE_SECRET_KEY": "sk-lf-x"},
        )
        assert run.returncode == 1, run.stderr
        assert "cannot reach otel-bridge" in run.stderr and f":{port}" in run.stderr
        assert "otel-bridge serve" in run.stderr
        assert "Traceback" not in run.stderr

    @pytest.mark.parametrize("protocol", ["http", "grpc"])
    def test_wrong_key_exits_1_and_sends_nothing(
        self, protocol: str, server: ServerProcess, store: SqlStore, project_id: str
    ) -> None:
        """A wrong secret key: exit 1 naming the refusal (401 / UNAUTHENTICATED); no session stored."""
        endpoint = server.base_url if protocol == "http" else server.grpc_target
        run = run_demo(
            "--protocol",
            protocol,
            "--endpoint",
            endpoint,
            "--seed",
            "3",
            "--public-key",
            server.public_key,
            "--secret-key",
            "sk-lf-not-the-right-one",
        )
        assert run.returncode == 1, run.stderr
        assert "refused the credentials" in run.stderr
        assert ("HTTP 401" if protocol == "http" else "UNAUTHENTICATED") in run.stderr
        assert "Traceback" not in run.stderr
        stored = {s.id for s in store.list_sessions(project_id, limit=1000).items}
        assert not set(self._ids_of_seed(3)) & stored

    def test_missing_keys_exit_2_naming_the_variables(self, server: ServerProcess) -> None:
        """Endpoint set but no keys: exit 2, naming OTEL_EXPORTER_OTLP_HEADERS and the LANGFUSE_* pair."""
        run = run_demo("--endpoint", server.base_url, env={"LANGFUSE_PUBLIC_KEY": server.public_key})
        assert run.returncode == 2
        assert "OTEL_EXPORTER_OTLP_HEADERS" in run.stderr
        assert "set LANGFUSE_SECRET_KEY" in run.stderr
        assert "--public-key and --secret-key" in run.stderr

    @staticmethod
    def _ids_of_seed(seed: int) -> list[str]:
        """The session ids the demo would send with ``seed`` (the default 8 sessions)."""
        from otel_bridge.demo import plan_session

        return [plan_session(index, seed, 0).id for index in range(8)]
