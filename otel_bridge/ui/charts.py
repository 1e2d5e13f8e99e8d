"""The Sessions view's charts: the store's activity buckets as bar charts the template draws as SVG.

Drawn on the server, no script and no chart library: each bar is an SVG ``<rect>`` whose position and
size are attributes (the CSP forbids inline styles, not SVG geometry), with a ``<title>`` the browser
shows as its tooltip. Buckets are hours over a range of up to two days, else days; buckets without
sessions are drawn as gaps, so the time axis is to scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from otel_bridge.store import ActivityBucket
from otel_bridge.ui.formatting import compact, cost

TEN_MINUTES = 600
HOUR = 3600
DAY = 86400
#: Ranges up to this long are drawn per 10 minutes, then per hour.
TEN_MINUTES_UP_TO = timedelta(hours=3)
HOURLY_UP_TO = timedelta(days=2)
#: At most this many bars a chart: longer ranges widen the buckets by a whole factor.
MAX_BARS = 120
#: The drawing's coordinate system (the stylesheet scales it to the column's width).
WIDTH, HEIGHT = 300.0, 80.0


@dataclass(frozen=True, slots=True)
class Bar:
    """One bucket's bar, in the drawing's coordinates, with its tooltip."""

    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    """One bar chart: what it counts, its bars, and the labels of its axes."""

    title: str
    css: str
    bars: tuple[Bar, ...]
    peak: str
    first_label: str
    last_label: str
    width: float = WIDTH
    height: float = HEIGHT


def bucket_seconds(start: datetime | None, end: datetime | None) -> int:
    """The bucket for a range: 10 minutes up to ``TEN_MINUTES_UP_TO``, hours up to ``HOURLY_UP_TO``,
    else days; days when open-ended."""
    if start is None or end is None:
        return DAY
    if end - start <= TEN_MINUTES_UP_TO:
        return TEN_MINUTES
    return HOUR if end - start <= HOURLY_UP_TO else DAY


def regroup(buckets: Sequence[ActivityBucket], seconds: int) -> tuple[ActivityBucket, ...]:
    """``buckets`` summed into buckets of ``seconds`` (a multiple of theirs): days from hours, without
    asking the store again."""
    merged: dict[datetime, list[float]] = {}
    for b in buckets:
        sums = merged.setdefault(_floor(b.start, seconds), [0, 0, 0, 0, 0, 0.0])
        for position, value in enumerate(
            (b.sessions, b.traces, b.input_tokens, b.output_tokens, b.total_tokens, b.total_cost)
        ):
            sums[position] += value
    return tuple(
        ActivityBucket(start, int(n), int(t), int(i), int(o), int(total), cost)
        for start, (n, t, i, o, total, cost) in sorted(merged.items())
    )


def open_ended(
    read: Callable[[int], Sequence[ActivityBucket]],
) -> tuple[int, Sequence[ActivityBucket]]:
    """The bucket size and buckets for an open-ended range, with as few reads as the data allows:
    hours first (one read), merged into days when they span more than ``HOURLY_UP_TO``, read again
    per 10 minutes when they span at most ``TEN_MINUTES_UP_TO``."""
    buckets = read(HOUR)
    if not buckets:
        return HOUR, buckets
    extent = buckets[-1].start - buckets[0].start + timedelta(seconds=HOUR)
    if extent > HOURLY_UP_TO:
        return DAY, regroup(buckets, DAY)
    if extent <= TEN_MINUTES_UP_TO:
        return TEN_MINUTES, read(TEN_MINUTES)
    return HOUR, buckets


def _floor(moment: datetime, seconds: int) -> datetime:
    stamp = int(moment.timestamp())
    return datetime.fromtimestamp(stamp - stamp % seconds, timezone.utc)


def _label(moment: datetime, seconds: int) -> str:
    return moment.strftime("%m-%d %H:%M" if seconds < DAY else "%Y-%m-%d")


def activity_charts(
    buckets: Sequence[ActivityBucket], seconds: int, start: datetime | None, end: datetime | None
) -> tuple[Chart, ...]:
    """Sessions, traces, tokens and cost per bucket of ``seconds``, from ``start`` (default: the first
    bucket) to ``end`` (default: the last); no charts without buckets."""
    if not buckets:
        return ()
    first = _floor(start, seconds) if start is not None else buckets[0].start
    last = _floor(end, seconds) if end is not None else buckets[-1].start
    first, last = min(first, buckets[0].start), max(last, buckets[-1].start)
    slots = int((last - first).total_seconds() // seconds) + 1
    factor = max(1, -(-slots // MAX_BARS))  # ceiling: whole buckets per bar
    width = seconds * factor
    count = -(-slots // factor)
    sums = [[0, 0, 0, 0.0] for _ in range(count)]
    for bucket in buckets:
        index = int((bucket.start - first).total_seconds() // width)
        row = sums[index]
        row[0] += bucket.sessions
        row[1] += bucket.traces
        row[2] += bucket.total_tokens
        row[3] += bucket.total_cost
    unit = {TEN_MINUTES: "10 min", HOUR: "hour", DAY: "day"}.get(width) or _span(width)
    starts = [first + timedelta(seconds=width * i) for i in range(count)]

    def chart(title: str, css: str, position: int, show: Callable[[float], str]) -> Chart:
        values = [row[position] for row in sums]
        peak = max(values) or 1
        step = WIDTH / count
        bars = tuple(
            Bar(
                x=round(i * step + step * 0.1, 2),
                y=round(HEIGHT - HEIGHT * value / peak, 2),
                width=round(step * 0.8, 2),
                height=round(HEIGHT * value / peak, 2),
                title=f"{_label(starts[i], width)}: {show(value)}",
            )
            for i, value in enumerate(values)
            if value
        )
        return Chart(
            f"{title} per {unit}",
            css,
            bars,
            show(max(values)),
            _label(starts[0], width),
            _label(starts[-1], width),
        )

    return (
        chart("Sessions", "sessions", 0, lambda v: f"{compact(int(v))} sessions"),
        chart("Traces", "traces", 1, lambda v: f"{compact(int(v))} traces"),
        chart("Tokens", "tokens", 2, lambda v: f"{compact(int(v))} tokens"),
        chart("Cost", "cost", 3, cost),
    )


def _span(seconds: int) -> str:
    if seconds < HOUR:
        return f"{seconds // 60} min"
    return f"{seconds // HOUR} hours" if seconds < DAY else f"{seconds // DAY} days"


__all__ = [
    "DAY",
    "HOUR",
    "MAX_BARS",
    "TEN_MINUTES",
    "Bar",
    "Chart",
    "activity_charts",
    "bucket_seconds",
    "open_ended",
    "regroup",
]
