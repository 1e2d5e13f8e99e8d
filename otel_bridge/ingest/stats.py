"""Counters the ingestor keeps about itself, read by ``/metrics`` (``receivers/metrics.py``)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

#: Commit latency buckets, in seconds (Prometheus ``le`` bounds; +Inf is implied).
COMMIT_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Histogram:
    """A cumulative-on-read histogram: ``counts[i]`` observations fell in ``(bounds[i-1], bounds[i]]``,
    the last slot holds those above every bound."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value
        self.count += 1

    def cumulative(self) -> list[int]:
        """Counts of observations at or below each bound, then of all (the ``+Inf`` bucket)."""
        running = 0
        result = []
        for count in self.counts:
            running += count
            result.append(running)
        return result


@dataclass
class IngestStats:
    """What the ingestor has done since start; mutated on the event loop only."""

    committed_spans: int = 0
    committed_requests: int = 0
    commits: int = 0
    failed_commits: int = 0
    #: Spans the database refused for good (``WriteRejected``), reported to their clients as rejected.
    rejected_spans: int = 0
    queue_full: int = 0
    #: Why the last commit failed for a retryable reason (the database down, locked, full), until one
    #: succeeds again: what ``/healthz`` reports.
    store_problem: str | None = None
    commit_seconds: Histogram = field(default_factory=lambda: Histogram(COMMIT_BUCKETS))


__all__ = ["COMMIT_BUCKETS", "Histogram", "IngestStats"]
