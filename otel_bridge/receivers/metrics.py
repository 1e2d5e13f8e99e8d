"""``/metrics``: the server's own counters in the Prometheus text exposition format (version 0.0.4).

Hand-written rather than ``prometheus_client``: a handful of counters, one gauge and one histogram
do not justify a dependency and its process-global registry. Counters live on the event loop (no
locks); ``render`` reads them and the ingestor's ``IngestStats``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable

from otel_bridge.ingest import Ingestor
from otel_bridge.model import Rejected

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_RULE = re.compile(r"^[a-z_]+$")


def rejection_rule(reason: str) -> str:
    """A bounded label for a rejection reason: the field its rule is about (``trace_id``,
    ``span_id``, ``end_time_unix_nano``, ...), or ``other``; the full reason goes to the client."""
    head = reason.split(" ", 1)[0]
    return head if _RULE.match(head) else "other"


class Metrics:
    """The receivers' counters."""

    def __init__(self) -> None:
        self.spans_received: Counter[str] = Counter()  # by transport
        self.spans_accepted: Counter[str] = Counter()
        self.spans_rejected: Counter[str] = Counter()  # by rule
        self.requests: Counter[tuple[str, str, int]] = Counter()  # (transport, route, status)
        #: Further families rendered after these (the forwarder's), as exposition lines.
        self.sources: list[Callable[[], list[str]]] = []
        self.limit_hits: Counter[str] = Counter()  # by abuse limit (ingest/limits.py, ratelimit.py)

    def count_limit(self, limit: str, hits: int = 1) -> None:
        """``hits`` times an abuse limit refused or truncated something."""
        self.limit_hits[limit] += hits

    def count_request(self, transport: str, route: str, status: int) -> None:
        """One finished request; ``status`` is the HTTP status, or the gRPC code number."""
        self.requests[(transport, route, status)] += 1

    def count_spans(self, transport: str, accepted: int, rejected: Iterable[Rejected]) -> None:
        """The spans of one committed request."""
        rejected = tuple(rejected)
        self.spans_received[transport] += accepted + len(rejected)
        self.spans_accepted[transport] += accepted
        for item in rejected:
            self.spans_rejected[rejection_rule(item.reason)] += 1

    def render(self, ingestor: Ingestor | None = None) -> str:
        """The exposition text."""
        lines: list[str] = []

        def family(name: str, kind: str, help_text: str) -> None:
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")

        family("otel_bridge_spans_received_total", "counter", "Spans in decoded export requests.")
        for transport, value in sorted(self.spans_received.items()):
            lines.append(f'otel_bridge_spans_received_total{{transport="{transport}"}} {value}')
        family("otel_bridge_spans_accepted_total", "counter", "Spans committed to the store.")
        for transport, value in sorted(self.spans_accepted.items()):
            lines.append(f'otel_bridge_spans_accepted_total{{transport="{transport}"}} {value}')
        family(
            "otel_bridge_spans_rejected_total", "counter", "Spans rejected (OTLP partial_success), by rule."
        )
        for rule, value in sorted(self.spans_rejected.items()):
            lines.append(f'otel_bridge_spans_rejected_total{{rule="{rule}"}} {value}')
        family("otel_bridge_requests_total", "counter", "Finished requests by route and status code.")
        for (transport, route, status), value in sorted(self.requests.items()):
            lines.append(
                f'otel_bridge_requests_total{{transport="{transport}",route="{_escape(route)}",'
                f'code="{status}"}} {value}'
            )
        family(
            "otel_bridge_limit_hits_total",
            "counter",
            "Abuse limits hit: values truncated, spans or requests refused, rate-limited requests.",
        )
        for limit, value in sorted(self.limit_hits.items()):
            lines.append(f'otel_bridge_limit_hits_total{{limit="{limit}"}} {value}')
        if ingestor is not None:
            stats = ingestor.stats
            family("otel_bridge_queue_bytes", "gauge", "Bytes admitted and not yet committed.")
            lines.append(f"otel_bridge_queue_bytes {ingestor.queued_bytes}")
            family("otel_bridge_queue_limit_bytes", "gauge", "The queue's byte limit.")
            lines.append(f"otel_bridge_queue_limit_bytes {ingestor.queue_bytes}")
            family("otel_bridge_queue_full_total", "counter", "Requests refused because the queue was full.")
            lines.append(f"otel_bridge_queue_full_total {stats.queue_full}")
            family(
                "otel_bridge_commits_total", "counter", "Group commits (store transactions) that succeeded."
            )
            lines.append(f"otel_bridge_commits_total {stats.commits}")
            family("otel_bridge_commit_failures_total", "counter", "Group commits that failed.")
            lines.append(f"otel_bridge_commit_failures_total {stats.failed_commits}")
            family(
                "otel_bridge_store_rejected_spans_total",
                "counter",
                "Spans the database refused for good, reported to their clients as rejected.",
            )
            lines.append(f"otel_bridge_store_rejected_spans_total {stats.rejected_spans}")
            histogram = stats.commit_seconds
            family("otel_bridge_commit_seconds", "histogram", "Time to commit one group of requests.")
            for bound, count in zip((*histogram.bounds, float("inf")), histogram.cumulative(), strict=True):
                label = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f'otel_bridge_commit_seconds_bucket{{le="{label}"}} {count}')
            lines.append(f"otel_bridge_commit_seconds_sum {histogram.total}")
            lines.append(f"otel_bridge_commit_seconds_count {histogram.count}")
        for source in self.sources:
            lines.extend(source())
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


__all__ = ["CONTENT_TYPE", "Metrics", "rejection_rule"]
