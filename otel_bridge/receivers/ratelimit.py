"""Per-project request rates: one token bucket per (project, kind), ``ingest`` (OTLP exports over
HTTP and gRPC, Langfuse batch ingestion) and ``read`` (the API's GET routes and the UI).

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens a second; each request takes
one. An empty bucket raises ``RateLimited`` with the seconds until the next token, which becomes
``Retry-After`` (HTTP 429) or a ``RetryInfo`` (gRPC ``RESOURCE_EXHAUSTED``): both what OTLP
exporters and the Langfuse SDK wait for before retrying. Buckets are checked after authentication,
so an unauthenticated flood cannot spend a project's budget. ``rate = 0`` turns a kind's limit off.

It counts requests, not spans: spans per request are bounded by ``ingest/limits.py``, and the queue's
byte limit already turns a sustained overload into retryable 503s. Used from one event loop: no lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from otel_bridge.errors import RateLimited
from otel_bridge.receivers.metrics import Metrics

Kind = Literal["ingest", "read"]

#: How many (project, kind) buckets are kept; past that the oldest half is forgotten (a forgotten
#: bucket starts full again, which only errs towards letting a request through).
MAX_BUCKETS = 4096


@dataclass(frozen=True, slots=True)
class RateLimits:
    """Requests a second per project, and the burst allowed above that rate, for each kind."""

    ingest_per_second: float = 0.0
    read_per_second: float = 0.0
    burst_seconds: float = 2.0

    def rate(self, kind: Kind) -> float:
        """The sustained rate of ``kind`` (0: unlimited)."""
        return self.ingest_per_second if kind == "ingest" else self.read_per_second


class RateLimiter:
    """Token buckets by (project id, kind); ``check`` takes a token or raises ``RateLimited``."""

    def __init__(
        self,
        limits: RateLimits,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._metrics = metrics
        self._clock = clock
        self._buckets: dict[tuple[str, Kind], tuple[float, float]] = {}  # → (tokens, last refill)

    def check(self, project_id: str, kind: Kind) -> None:
        """Spend one request of ``kind`` for ``project_id``; ``RateLimited`` when none is left."""
        rate = self.limits.rate(kind)
        if rate <= 0:
            return
        burst = max(1.0, rate * self.limits.burst_seconds)
        now = self._clock()
        key = (project_id, kind)
        tokens, last = self._buckets.get(key, (burst, now))
        tokens = min(burst, tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            if self._metrics is not None:
                self._metrics.count_limit(f"rate_{kind}")
            raise RateLimited(
                f"rate limit: this project may send {rate:g} {kind} requests a second "
                f"(OTEL_BRIDGE_{kind.upper()}_RATE_LIMIT); retry later",
                retry_after=(1.0 - tokens) / rate,
            )
        if key not in self._buckets and len(self._buckets) >= MAX_BUCKETS:
            for old in list(self._buckets)[: MAX_BUCKETS // 2]:
                del self._buckets[old]
        self._buckets[key] = (tokens - 1.0, now)


__all__ = ["MAX_BUCKETS", "Kind", "RateLimiter", "RateLimits"]
