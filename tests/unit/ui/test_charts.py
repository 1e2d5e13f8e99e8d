"""The Sessions view's charts (``otel_bridge.ui.charts``): bucket sizes and bar geometry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from otel_bridge.store import ActivityBucket
from otel_bridge.ui.charts import (
    DAY,
    HEIGHT,
    HOUR,
    MAX_BARS,
    TEN_MINUTES,
    WIDTH,
    activity_charts,
    bucket_seconds,
    open_ended,
    regroup,
)

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def bucket(hours: float, sessions: int, cost: float = 0.0) -> ActivityBucket:
    """A bucket ``hours`` after ``T0``."""
    return ActivityBucket(T0 + timedelta(hours=hours), sessions, sessions * 2, 10, 5, 15, cost)


class TestBuckets:
    def test_sizes_follow_the_range(self) -> None:
        """10 minutes up to 3 hours, hours up to 2 days, else (or open-ended) days."""
        assert bucket_seconds(T0, T0 + timedelta(hours=1)) == TEN_MINUTES
        assert bucket_seconds(T0, T0 + timedelta(days=1)) == HOUR
        assert bucket_seconds(T0, T0 + timedelta(weeks=1)) == DAY
        assert bucket_seconds(None, None) == bucket_seconds(T0, None) == DAY

    def test_open_ended_ranges_read_as_few_times_as_they_can(self) -> None:
        """Hours first; more than two days of them are summed into days (no second read); three hours
        or less are read again per 10 minutes."""
        reads: list[int] = []

        def reader(buckets: list[ActivityBucket]) -> Callable[[int], list[ActivityBucket]]:
            def read(seconds: int) -> list[ActivityBucket]:
                reads.append(seconds)
                return buckets

            return read

        week = [bucket(0, 1, 0.25), bucket(5, 2, 0.25), bucket(72, 4)]
        seconds, days = open_ended(reader(week))
        assert (seconds, reads) == (DAY, [HOUR])
        assert [(b.start, b.sessions, b.traces, b.total_cost) for b in days] == [
            (T0, 3, 6, 0.5),
            (T0 + timedelta(days=3), 4, 8, 0.0),
        ]
        reads.clear()
        assert open_ended(reader([bucket(0, 1), bucket(20, 1)]))[0] == HOUR and reads == [HOUR]
        reads.clear()
        assert open_ended(reader([bucket(0, 1), bucket(1, 1)]))[0] == TEN_MINUTES
        assert reads == [HOUR, TEN_MINUTES]
        reads.clear()
        assert open_ended(reader([])) == (HOUR, []) and reads == [HOUR]

    def test_regroup(self) -> None:
        """Hour buckets summed into days keep every count."""
        assert regroup([bucket(1, 1), bucket(23, 2), bucket(25, 5)], DAY) == (
            ActivityBucket(T0, 3, 6, 20, 10, 30, 0.0),
            ActivityBucket(T0 + timedelta(days=1), 5, 10, 10, 5, 15, 0.0),
        )


class TestBars:
    def test_to_scale_with_gaps_and_tooltips(self) -> None:
        """Bars over the whole range, empty buckets left as gaps, heights relative to the peak."""
        charts = activity_charts([bucket(0, 2, 0.5), bucket(3, 4, 1.5)], HOUR, T0, T0 + timedelta(hours=3))
        sessions, traces, tokens, cost = charts
        assert [c.title for c in charts] == [
            "Sessions per hour",
            "Traces per hour",
            "Tokens per hour",
            "Cost per hour",
        ]
        step = WIDTH / 4
        assert [(round(b.x, 1), b.height) for b in sessions.bars] == [
            (round(step * 0.1, 1), HEIGHT / 2),
            (round(3 * step + step * 0.1, 1), HEIGHT),
        ]
        assert [b.title for b in sessions.bars] == ["01-01 00:00: 2 sessions", "01-01 03:00: 4 sessions"]
        assert (sessions.peak, traces.peak, cost.peak) == ("4 sessions", "8 traces", "$1.50")
        assert (sessions.first_label, sessions.last_label) == ("01-01 00:00", "01-01 03:00")
        assert tokens.bars[0].height == tokens.bars[1].height == HEIGHT

    def test_long_ranges_are_merged_into_fewer_bars(self) -> None:
        """More than ``MAX_BARS`` buckets are summed into wider bars."""
        buckets = [bucket(hours, 1) for hours in range(0, 24 * 30)]
        (sessions, *_) = activity_charts(buckets, HOUR, None, None)
        assert len(sessions.bars) <= MAX_BARS
        assert sum(int(b.title.split(": ")[1].split()[0]) for b in sessions.bars) == len(buckets)
        assert sessions.title == "Sessions per 6 hours"  # 720 hours in 120 bars

    def test_nothing_to_draw(self) -> None:
        """No buckets, no charts."""
        assert activity_charts([], DAY, None, None) == ()
