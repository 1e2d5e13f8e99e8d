"""How numbers and times read on the pages: Jinja2 filters, pure functions of their value.

Times are shown in UTC (the store's zone) because the pages carry no script that could convert
them to the reader's zone; the machine-readable ISO value goes in ``<time datetime>`` alongside.
"""

from __future__ import annotations

from datetime import datetime, timezone

from otel_bridge.model import langfuse_wire, nanos_to_datetime

#: Below this a cost is shown as "< $0.000001" rather than rounded to a misleading "$0".
SMALLEST_COST = 0.000001


def utc(moment: datetime | None) -> str:
    """``2025-01-31 12:00:00 UTC`` (an em dash for no time)."""
    if moment is None:
        return "—"
    return _aware(moment).strftime("%Y-%m-%d %H:%M:%S UTC")


def iso(moment: datetime | None) -> str:
    """The API's timestamp (``langfuse_wire.iso``), for ``<time datetime=…>``; empty for no time."""
    return "" if moment is None else langfuse_wire.iso(moment)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def duration(seconds: float | None) -> str:
    """``42 µs``, ``850 ms``, ``2.35 s``, ``4 min 05 s``, ``2 h 03 min``: precise where it is short."""
    if seconds is None:
        return "—"
    if seconds < 0:
        # Clocks of different hosts disagree; a negative span is their skew, not a time.
        return "0 µs"
    if seconds < 0.000_999_5:  # what would round to "1 ms" and below reads in microseconds
        return f"{seconds * 1_000_000:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def tokens(count: int | None) -> str:
    """``12,345``; an em dash for none."""
    if not count:
        return "—"
    return f"{count:,}"


def cost(usd: float | None) -> str:
    """``$0.006722``, ``$12.50``; an em dash for unknown."""
    if usd is None:
        return "—"
    if usd == 0:
        return "$0"
    if abs(usd) < SMALLEST_COST:
        return "< $0.000001"
    if abs(usd) >= 1:
        return f"${usd:,.2f}"
    return "$" + f"{usd:.6f}".rstrip("0").rstrip(".")


def from_nanos(value: int) -> datetime:
    """Nanoseconds since the epoch (the store's times) as an aware UTC datetime."""
    return nanos_to_datetime(value)


def day_time(moment: datetime | None) -> str:
    """``2025-01-31 12:00`` (UTC, to the minute): the Sessions table's compact time."""
    if moment is None:
        return "—"
    return _aware(moment).strftime("%Y-%m-%d %H:%M")


def compact(count: int | float) -> str:
    """``950``, ``12.3k``, ``4.5M``: a chart axis's number."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(count) >= size:
            return f"{count / size:.3g}{suffix}"
    return f"{count:.3g}" if isinstance(count, float) else str(count)


def input_time(moment: datetime | None) -> str:
    """The value of an ``<input type="datetime-local">`` (UTC, to the minute); empty for none."""
    return "" if moment is None else _aware(moment).strftime("%Y-%m-%dT%H:%M")


FILTERS = {
    "from_nanos": from_nanos,
    "input_time": input_time,
    "day_time": day_time,
    "compact": compact,
    "utc": utc,
    "iso": iso,
    "duration": duration,
    "tokens": tokens,
    "cost": cost,
}

__all__ = [
    "FILTERS",
    "SMALLEST_COST",
    "compact",
    "cost",
    "day_time",
    "duration",
    "from_nanos",
    "input_time",
    "iso",
    "tokens",
    "utc",
]
