"""Forwarding end to end, real processes only: an application exporting the golden corpus (OTLP
captured from OpenInference, OpenLLMetry, GenAI semconv with the session id only on a middle span, the
Vercel AI SDK, Pydantic AI, MLflow, Google ADK and the Langfuse SDK) through the OTel SDK → an
``otel-bridge serve --forward`` → a second ``otel-bridge serve`` standing in as the Langfuse server,
over its OTel endpoint and, in the other case, its batch ingestion. The sessions, traces (with their
observations, tokens and cost) and users read back from both sides through the public API are the
same."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.forward.harness import (
    golden_cases,
    metrics,
    read_back,
    replay,
    start_forwarder,
    start_target,
    wait_for,
)


@pytest.mark.parametrize("protocol", ["otel", "ingestion"])
def test_the_target_holds_what_the_forwarder_resolved(protocol: str, tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    source = start_forwarder(tmp_path / "source", target.base_url, protocol=protocol)
    try:
        assert f"over {'the OTel endpoint' if protocol == 'otel' else 'batch ingestion'}" in "".join(
            source.output
        )
        cases = golden_cases()
        replay(source, cases)
        expected = read_back(source)
        assert len(expected["sessions"]) >= 5 and len(expected["traces"]) >= len(cases)

        def delivered() -> bool:
            values = metrics(source)
            return values.get("otel_bridge_forward_backlog_traces") == 0 and values.get(
                "otel_bridge_forward_traces_total", 0
            ) >= len(expected["traces"])

        wait_for(delivered, "the forwarder to deliver every trace")
        received = read_back(target)
        assert received["users"] == expected["users"]
        assert received["sessions"].keys() == expected["sessions"].keys()
        assert received["traces"].keys() == expected["traces"].keys()
        for trace_id, trace in expected["traces"].items():
            assert received["traces"][trace_id] == trace, trace_id
        assert received["sessions"] == expected["sessions"]
    finally:
        source.stop()
        target.stop()
