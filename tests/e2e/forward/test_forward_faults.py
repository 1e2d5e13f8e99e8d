"""Forwarding when things go wrong, real processes: a target that answers 503 for a while, a target
down while the forwarder is SIGKILLed and restarted, a target that refuses the keys, a backlog at its
bound, and a span that arrives after its trace was forwarded."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from otel_bridge.testing import build_export_request, make_span
from tests.e2e.conftest import post
from tests.e2e.forward.fault_proxy import FaultProxy
from tests.e2e.forward.harness import (
    api_get,
    golden_cases,
    metrics,
    replay,
    span_ids_of,
    start_forwarder,
    start_target,
    wait_for,
)
from tests.e2e.server import start_server


def _backlog_empty(source_metrics: dict[str, float]) -> bool:
    return source_metrics.get("otel_bridge_forward_backlog_traces") == 0


@pytest.mark.parametrize("protocol", ["otel", "ingestion"])
def test_503_then_recovery_delivers_every_span_exactly_once(protocol: str, tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    with FaultProxy(target.base_url) as proxy:
        proxy.fail_next(6, 503)
        source = start_forwarder(tmp_path / "source", proxy.url, protocol=protocol)
        try:
            replay(source, golden_cases())
            sent = span_ids_of(source)
            wait_for(lambda: set(proxy.accepted_spans) == sent, "every span to reach the target")
            wait_for(lambda: _backlog_empty(metrics(source)), "the backlog to drain")
            assert set(proxy.accepted_spans.values()) == {1}, "a span was delivered twice"
            assert span_ids_of(target) == sent
            values = metrics(source)
            assert values['otel_bridge_forward_retries_total{reason="503"}'] >= 1
        finally:
            source.stop()
    target.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_target_down_and_forwarder_sigkilled_loses_nothing(tmp_path: Path) -> None:
    port = _free_port()  # nothing listens there yet: the target is down
    source = start_forwarder(tmp_path / "source", f"http://127.0.0.1:{port}")
    replay(source, golden_cases())
    sent = span_ids_of(source)
    wait_for(
        lambda: metrics(source).get('otel_bridge_forward_retries_total{reason="unreachable"}', 0) >= 1,
        "a failed delivery",
    )
    source.kill()
    target = start_target(tmp_path / "target")
    with FaultProxy(target.base_url, port=port) as proxy:
        # The same database: what was acknowledged before the SIGKILL is still the backlog.
        restarted = start_forwarder(tmp_path / "source", proxy.url)
        try:
            wait_for(lambda: span_ids_of(target) == sent, "the backlog to reach the target after a restart")
            wait_for(lambda: _backlog_empty(metrics(restarted)), "the backlog to drain")
            assert set(proxy.accepted_spans.values()) == {1}
        finally:
            restarted.stop()
    target.stop()


def test_refused_keys_stop_the_retries_and_are_reported(tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    with FaultProxy(target.base_url) as proxy:
        source = start_forwarder(tmp_path / "source", proxy.url, secret_key="sk-lf-wrong")
        try:
            cases = golden_cases()[:3]
            replay(source, cases)
            traces = api_get(source, "/api/public/traces")["meta"]["totalItems"]
            wait_for(
                lambda: (
                    metrics(source).get('otel_bridge_forward_failed_traces_total{reason="401"}') == traces
                ),
                "every trace refused",
            )
            requests = proxy.requests
            time.sleep(2.0)  # several forwarding rounds and backoff periods
            assert proxy.requests == requests, "a refused trace was retried"
            values = metrics(source)
            assert not any(name.startswith("otel_bridge_forward_retries_total{") for name in values)
            assert values["otel_bridge_forward_backlog_traces"] == 0
            assert span_ids_of(target) == set()
        finally:
            source.stop()
        log = source.log_path.read_text()
        assert log.count("refused trace") == 1, log  # logged once, with the target's message
        assert "HTTP 401" in log
    target.stop()


def test_full_backlog_answers_503_until_delivered(tmp_path: Path) -> None:
    port = _free_port()
    source = start_forwarder(tmp_path / "source", f"http://127.0.0.1:{port}", "--forward-max-backlog", "1")
    try:
        first = build_export_request([make_span("first", attributes={"session.id": "s"})]).SerializeToString()
        assert post(source, first).status == 200
        wait_for(
            lambda: metrics(source).get("otel_bridge_forward_backlog_traces") == 1, "the backlog to count it"
        )
        second = build_export_request([make_span("second")]).SerializeToString()
        refused = post(source, second)
        assert refused.status == 503
        assert "forwarding backlog full" in refused.body.decode(errors="replace")
        assert refused.headers.get("retry-after") == "5"
        target = start_target(tmp_path / "target")
        with FaultProxy(target.base_url, port=port):
            wait_for(lambda: _backlog_empty(metrics(source)), "the backlog to drain")
            assert post(source, second).status == 200
        target.stop()
    finally:
        source.stop()


def test_a_late_span_that_brings_the_session_corrects_the_target(tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    with FaultProxy(target.base_url) as proxy:
        source = start_forwarder(tmp_path / "source", proxy.url)
        try:
            trace_id, root_id, child_id, late_id = "ab" * 16, "01" * 8, "02" * 8, "03" * 8
            start = time.time_ns() - 10_000_000_000
            spans = [
                make_span(
                    "turn",
                    trace_id=trace_id,
                    span_id=root_id,
                    start_time_unix_nano=start,
                    end_time_unix_nano=start + 3_000_000,
                    attributes={"user.id": "ada"},
                ),
                make_span(
                    "chat gpt-4o",
                    trace_id=trace_id,
                    span_id=child_id,
                    parent_span_id=root_id,
                    start_time_unix_nano=start + 1_000_000,
                    end_time_unix_nano=start + 2_000_000,
                    attributes={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"},
                ),
            ]
            assert post(source, build_export_request(spans).SerializeToString()).status == 200
            wait_for(lambda: len(proxy.accepted_spans) == 2, "the trace to be forwarded")
            assert api_get(target, f"/api/public/traces/{trace_id}")["sessionId"] is None

            late = make_span(
                "retrieve",
                trace_id=trace_id,
                span_id=late_id,
                parent_span_id=root_id,
                start_time_unix_nano=start + 500_000,
                end_time_unix_nano=start + 900_000,
                attributes={"session.id": "late-session"},
            )
            assert post(source, build_export_request([late]).SerializeToString()).status == 200
            wait_for(
                lambda: api_get(target, f"/api/public/traces/{trace_id}")["sessionId"] == "late-session",
                "the target to have the late session",
            )
            # Every span was sent again with the new session, so a reader of per-span attributes
            # alone (Langfuse's v4 path) finds all three in the session.
            resent = [
                a for a in proxy.accepted_span_attributes if a.get("langfuse.session.id") == "late-session"
            ]
            assert {a["span_id"] for a in resent} == {root_id, child_id, late_id}
            session = api_get(target, "/api/public/sessions/late-session")
            assert [t["id"] for t in session["traces"]] == [trace_id]
            assert metrics(source)["otel_bridge_forward_reforwarded_traces_total"] == 1
        finally:
            source.stop()
    target.stop()


def test_relay_forwards_and_serves_no_ui(tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    relay = start_forwarder(tmp_path / "relay", target.base_url, command="relay")
    try:
        assert "UI:" not in "".join(relay.output)
        cases = golden_cases()[:4]
        replay(relay, cases)
        wait_for(
            lambda: (
                _backlog_empty(metrics(relay))
                and metrics(relay).get("otel_bridge_forward_spans_total", 0) > 0
            ),
            "the relay to deliver",
        )
        assert span_ids_of(target)
        for path in ("/", "/api/public/traces"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(relay.base_url + path, timeout=10)
            assert missing.value.code == 404
            missing.value.close()
    finally:
        relay.stop()
        target.stop()


def test_an_unconfigured_relay_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="relay needs a target"):
        start_server(tmp_path, {}, command="relay")
