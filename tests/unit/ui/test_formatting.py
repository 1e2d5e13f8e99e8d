"""How numbers and times read (``otel_bridge.ui.formatting``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from otel_bridge.ui.formatting import compact, cost, day_time, duration, iso, tokens, utc


class TestDuration:
    def test_units_follow_the_size(self) -> None:
        """Microseconds, milliseconds, seconds, minutes and hours, precise where short; clock skew reads
        as zero; under a millisecond is never "0 ms"."""
        assert [duration(s) for s in (0.000042, 0.0004, 0.0009996, 0.0123, 2.345, 245, 7380, -1, 0)] == [
            "42 µs",
            "400 µs",
            "1 ms",
            "12 ms",
            "2.35 s",
            "4 min 05 s",
            "2 h 03 min",
            "0 µs",
            "0 µs",
        ]
        assert duration(None) == "—"


class TestCompact:
    def test_axis_numbers(self) -> None:
        """Chart axes read 950, 12.3k, 4.5M; floats keep three significant digits."""
        assert [compact(n) for n in (950, 12_345, 4_500_000, 0.0123)] == ["950", "12.3k", "4.5M", "0.0123"]


class TestCost:
    def test_dollars(self) -> None:
        """Small costs keep six decimals without trailing zeros; large ones two; unknown is a dash."""
        assert [cost(c) for c in (0.0067222, 0.5, 12.5, 1234.5, 0.0, 1e-9, None)] == [
            "$0.006722",
            "$0.5",
            "$12.50",
            "$1,234.50",
            "$0",
            "< $0.000001",
            "—",
        ]


class TestTokens:
    def test_thousands_and_none(self) -> None:
        """Counts get thousands separators; zero is a dash."""
        assert (tokens(12345), tokens(0), tokens(None)) == ("12,345", "—", "—")


class TestTimes:
    def test_utc(self) -> None:
        """Times show in UTC whatever their zone; naive ones are taken as UTC."""
        moment = datetime(2025, 1, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
        assert utc(moment) == "2025-01-01 12:00:00 UTC"
        assert iso(datetime(2025, 1, 1)) == "2025-01-01T00:00:00.000000Z"
        assert (utc(None), iso(None)) == ("—", "")
        assert (day_time(moment), day_time(None)) == ("2025-01-01 12:00", "—")
