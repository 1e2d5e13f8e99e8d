"""The forwarder's counters and gauges, and their lines in ``/metrics`` (Prometheus text format)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ForwardStats"]


@dataclass
class ForwardStats:
    """Counters since start; the backlog gauges are refreshed every forwarding round."""

    target: str = ""
    protocol: str = ""
    traces_forwarded: int = 0
    traces_reforwarded: int = 0
    spans_forwarded: int = 0
    retries: Counter[str] = field(default_factory=Counter)  # by reason (status, unreachable)
    failures: Counter[str] = field(default_factory=Counter)  # refused for good, by status
    backlog_traces: int = 0
    oldest_pending_ns: int | None = None
    backlog_refusals: int = 0
    pruned_traces: int = 0

    def metric_lines(self, now_ns: int | None = None) -> list[str]:
        """The ``otel_bridge_forward_*`` families."""
        now = time.time_ns() if now_ns is None else now_ns
        age = 0.0 if self.oldest_pending_ns is None else max(0.0, (now - self.oldest_pending_ns) / 1e9)
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str, *values: tuple[str, float | int]) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            lines.extend(f"{name}{labels} {value}" for labels, value in values)

        family(
            "otel_bridge_forward_info",
            "gauge",
            "The forwarding target and protocol.",
            (f'{{target="{self.target}",protocol="{self.protocol}"}}', 1),
        )
        family(
            "otel_bridge_forward_traces_total",
            "counter",
            "Trace deliveries the target accepted (a re-forwarded trace counts again).",
            ("", self.traces_forwarded),
        )
        family(
            "otel_bridge_forward_reforwarded_traces_total",
            "counter",
            "Deliveries of traces delivered before (late spans).",
            ("", self.traces_reforwarded),
        )
        family(
            "otel_bridge_forward_spans_total",
            "counter",
            "Spans the target accepted.",
            ("", self.spans_forwarded),
        )
        family(
            "otel_bridge_forward_retries_total",
            "counter",
            "Deliveries to be retried, by reason (HTTP status or unreachable).",
            *((f'{{reason="{reason}"}}', count) for reason, count in sorted(self.retries.items())),
        )
        family(
            "otel_bridge_forward_failed_traces_total",
            "counter",
            "Traces the target refused for good, by HTTP status.",
            *((f'{{reason="{reason}"}}', count) for reason, count in sorted(self.failures.items())),
        )
        family(
            "otel_bridge_forward_backlog_traces",
            "gauge",
            "Traces stored and not yet delivered.",
            ("", self.backlog_traces),
        )
        family(
            "otel_bridge_forward_oldest_pending_seconds",
            "gauge",
            "Age of the oldest change not yet delivered.",
            ("", round(age, 3)),
        )
        family(
            "otel_bridge_forward_backlog_full_total",
            "counter",
            "Export requests refused because the forwarding backlog was full.",
            ("", self.backlog_refusals),
        )
        family(
            "otel_bridge_forward_pruned_traces_total",
            "counter",
            "Delivered traces deleted from the spool after the retention period (relay).",
            ("", self.pruned_traces),
        )
        return lines
