"""The in-process forwarder (``otel_bridge.forward.exporter.LangfuseExporter``) under the OTel SDK's
``BatchSpanProcessor`` in this process, delivering to a real ``otel-bridge serve`` standing in as the
Langfuse server, over its OTel endpoint and its batch ingestion."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from otel_bridge.forward.exporter import LangfuseExporter
from tests.e2e.forward.harness import api_get, start_target, wait_for


@pytest.mark.parametrize("protocol", ["otel", "ingestion"])
def test_spans_reach_the_target_resolved(protocol: str, tmp_path: Path) -> None:
    target = start_target(tmp_path / "target")
    exporter = LangfuseExporter(
        target.base_url, target.public_key, target.secret_key, protocol=protocol, quiet_seconds=0.2
    )
    provider = TracerProvider(resource=Resource.create({"service.name": "chat-app"}))
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=50))
    tracer = provider.get_tracer("app")
    try:
        attributes: dict[str, str | int] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 12,
            "gen_ai.usage.output_tokens": 7,
        }
        # The session only on a middle span (GenAI semconv): every span must join it.
        with (
            tracer.start_as_current_span("turn", attributes={"user.id": "ada"}) as root,
            tracer.start_as_current_span("invoke_agent", attributes={"gen_ai.conversation.id": "conv-1"}),
            tracer.start_as_current_span("chat gpt-4o", attributes=attributes),
        ):
            pass
        trace_id = f"{root.get_span_context().trace_id:032x}"
        assert provider.force_flush(30_000) and exporter.force_flush(30_000)
        wait_for(lambda: api_get(target, "/api/public/traces")["meta"]["totalItems"] == 1, "the trace")
        trace = api_get(target, f"/api/public/traces/{trace_id}")
        assert (trace["sessionId"], trace["userId"], trace["name"]) == ("conv-1", "ada", "turn")
        assert len(trace["observations"]) == 3
        generation = next(o for o in trace["observations"] if o["type"] == "GENERATION")
        assert generation["usageDetails"]["input"] == 12 and generation["model"] == "gpt-4o"
        session = api_get(target, "/api/public/sessions/conv-1")
        assert [t["id"] for t in session["traces"]] == [trace_id]
        assert exporter.buffer.delivered_traces == 1 and exporter.buffer.dropped_spans == 0
    finally:
        provider.shutdown()
        target.stop()


def test_a_target_that_is_down_never_blocks_the_application(tmp_path: Path) -> None:
    exporter = LangfuseExporter("http://127.0.0.1:9", "pk-lf-x", "sk-lf-x", quiet_seconds=0.0, max_spans=5)
    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=50))
    tracer = provider.get_tracer("app")
    for n in range(20):
        with tracer.start_as_current_span(f"span-{n}"):
            pass
    assert provider.force_flush(5_000)  # the application's flush: the spans left the processor
    assert not exporter.force_flush(2_000)  # nothing delivered, nothing raised
    assert exporter.buffer.dropped_spans > 0 and exporter.buffer.delivered_traces == 0
    provider.shutdown()
