"""Per-project token buckets (``otel_bridge.receivers.ratelimit``), on a fake clock."""

from __future__ import annotations

import pytest

from otel_bridge.errors import RateLimited
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.ratelimit import RateLimiter, RateLimits
from otel_bridge.receivers.status import error_status


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_rate() -> None:
    """``rate x burst_seconds`` requests pass at once, then one per ``1/rate`` seconds."""
    clock = Clock()
    metrics = Metrics()
    limiter = RateLimiter(RateLimits(ingest_per_second=2, burst_seconds=2), metrics, clock)
    for _ in range(4):
        limiter.check("p", "ingest")
    with pytest.raises(RateLimited) as refused:
        limiter.check("p", "ingest")
    assert refused.value.retry_after == pytest.approx(0.5)
    clock.now += 0.5
    limiter.check("p", "ingest")
    with pytest.raises(RateLimited):
        limiter.check("p", "ingest")
    assert metrics.limit_hits["rate_ingest"] == 2
    assert 'otel_bridge_limit_hits_total{limit="rate_ingest"} 2' in metrics.render()


def test_projects_and_kinds_have_their_own_buckets() -> None:
    clock = Clock()
    limiter = RateLimiter(
        RateLimits(ingest_per_second=0.5, read_per_second=0.5, burst_seconds=2), None, clock
    )
    limiter.check("a", "ingest")
    limiter.check("a", "read")
    limiter.check("b", "ingest")
    with pytest.raises(RateLimited, match="read requests"):
        limiter.check("a", "read")


def test_zero_is_unlimited() -> None:
    limiter = RateLimiter(RateLimits(), None, Clock())
    for _ in range(10_000):
        limiter.check("p", "read")


def test_status_is_429_with_retry_after_and_resource_exhausted_with_retry_info() -> None:
    status = error_status(RateLimited("rate limit: slow down", retry_after=2.2))
    assert status.http_status == 429
    assert status.http_headers()["Retry-After"] == "3"
    assert status.rpc_code == 8  # RESOURCE_EXHAUSTED
    retry_info = status.retry_info()
    assert retry_info is not None and retry_info.retry_delay.seconds == 3
