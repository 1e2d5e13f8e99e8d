"""The shared export path's outcome and the metrics exposition."""

from __future__ import annotations

import json

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otel_bridge.ingest import Ingestor
from otel_bridge.model import Rejected
from otel_bridge.receivers.export import MAX_LISTED_REASONS, ExportOutcome, summarize_rejections
from otel_bridge.receivers.metrics import Metrics, rejection_rule


def rejected(*reasons: str) -> tuple[Rejected, ...]:
    return tuple(Rejected("t", f"{i:016x}", reason) for i, reason in enumerate(reasons))


class TestExportOutcome:
    def test_full_success_has_no_partial_success(self) -> None:
        """With nothing rejected the response is empty in both encodings."""
        outcome = ExportOutcome(5)
        assert outcome.encode("protobuf") == b""
        assert json.loads(outcome.encode("json")) == {}

    def test_rejections_are_counted_and_deduplicated(self) -> None:
        """Each reason appears once with its count, the most frequent first."""
        outcome = ExportOutcome(1, rejected("span_id must not be all zeros", "trace_id bad", "trace_id bad"))
        assert (
            outcome.error_message()
            == "3 spans rejected: trace_id bad (x2); span_id must not be all zeros (x1)"
        )
        response = ExportTraceServiceResponse.FromString(outcome.encode("protobuf"))
        assert response.partial_success.rejected_spans == 3

    def test_many_reasons_are_summarized(self) -> None:
        """Past the listing limit the rest is counted, not listed."""
        message = summarize_rejections(rejected(*(f"rule {i}" for i in range(MAX_LISTED_REASONS + 3))))
        assert message.endswith("and 3 other reasons")


class TestMetrics:
    def test_rejection_rule_labels_are_bounded(self) -> None:
        """A rejection's label is the field its rule is about, or ``other``."""
        assert rejection_rule("trace_id must not be all zeros") == "trace_id"
        assert rejection_rule("Span 'x' is broken") == "other"

    def test_render(self) -> None:
        """The exposition has every family, counters by label, and the commit histogram."""
        metrics = Metrics()
        metrics.count_spans("grpc", 3, rejected("span_id must be 8 bytes"))
        metrics.count_request("grpc", "TraceService/Export", 0)
        ingestor = Ingestor(object(), queue_bytes=1000)  # type: ignore[arg-type]
        ingestor.stats.commit_seconds.observe(0.02)
        text = metrics.render(ingestor)
        for line in (
            'otel_bridge_spans_received_total{transport="grpc"} 4',
            'otel_bridge_spans_accepted_total{transport="grpc"} 3',
            'otel_bridge_spans_rejected_total{rule="span_id"} 1',
            'otel_bridge_requests_total{transport="grpc",route="TraceService/Export",code="0"} 1',
            "otel_bridge_queue_bytes 0",
            "otel_bridge_queue_limit_bytes 1000",
            'otel_bridge_commit_seconds_bucket{le="0.01"} 0',
            'otel_bridge_commit_seconds_bucket{le="0.025"} 1',
            'otel_bridge_commit_seconds_bucket{le="+Inf"} 1',
            "otel_bridge_commit_seconds_count 1",
        ):
            assert line in text.splitlines(), line
        assert text.endswith("\n")
