"""Langfuse's wire format (``otel_bridge.model.langfuse_wire``): the environment rule every way in
shares, timestamps out and in, event types, and the usage and cost maps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from otel_bridge.model import Cost, ObservationType, Usage, datetime_to_nanos
from otel_bridge.model.langfuse_wire import (
    CREATE_TYPES,
    SUPPORTED_TYPES,
    basic_authorization,
    cost_details,
    create_event_type,
    iso,
    normalized_environment,
    parse_timestamp,
    usage_details,
)

UTC = timezone.utc


class TestEnvironment:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            # Before one rule: the ingestion API refused these (400), OTLP spans normalized them,
            # and the SDK's sink sent them as they were.
            ("Prod", "prod"),
            (" staging\n", "staging"),
            ("has spaces!", "default"),
            ("x" * 41, "default"),
            ("prödüction", "default"),
            ("", "default"),
            # The API refused these, spans kept the namespace's rest, the sink left them out.
            ("langfuse-prod", "prod"),
            ("LANGFUSE_Prod", "prod"),
            # Spans kept these, which Langfuse refuses; the API refused them, the sink left them out.
            ("langfuse", "default"),
            ("langfusex", "default"),
            ("langfuse-", "default"),
            # Every copy accepted these unchanged.
            ("production", "production"),
            ("dev-1_b", "dev-1_b"),
            ("x" * 40, "x" * 40),
            ("default", "default"),
        ],
    )
    def test_normalized(self, value: str, expected: str) -> None:
        """Lowercased and stripped; a ``langfuse-``/``langfuse_`` prefix dropped; whatever Langfuse
        would still refuse is ``default``."""
        assert normalized_environment(value) == expected

    @pytest.mark.parametrize("value", ["Prod", "langfuse-x", "a b", "langfuse", "ok_env"])
    def test_idempotent(self, value: str) -> None:
        """A normalized value passes the rule unchanged: a stored environment is forwarded as is."""
        once = normalized_environment(value)
        assert normalized_environment(once) == once


class TestTimestamps:
    def test_iso_is_utc_with_microseconds_and_z(self) -> None:
        """Datetimes render in UTC with microseconds and a Z, whatever their zone; naive ones are UTC."""
        moment = datetime(2025, 1, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
        assert iso(moment) == "2025-01-01T12:00:00.123456Z"
        assert iso(datetime(2025, 1, 1)) == "2025-01-01T00:00:00.000000Z"
        assert iso(datetime(5, 1, 1, tzinfo=UTC)) == "0005-01-01T00:00:00.000000Z"
        assert iso(None) is None

    def test_parse_round_trips_iso(self) -> None:
        """What ``iso`` writes parses back to the same instant; naive text is UTC."""
        moment = datetime(2025, 1, 1, 12, 0, 0, 5, tzinfo=UTC)
        assert parse_timestamp("t", iso(moment)) == moment
        assert parse_timestamp("t", "2025-01-01T14:00:00+02:00") == datetime(2025, 1, 1, 12, tzinfo=UTC)
        assert parse_timestamp("t", "2025-01-01T12:00:00") == datetime(2025, 1, 1, 12, tzinfo=UTC)

    def test_parse_error_names_the_field(self) -> None:
        """A malformed date-time is a ValueError naming the field, for callers to wrap."""
        with pytest.raises(ValueError, match=r"body\.startTime must be an ISO 8601 date-time"):
            parse_timestamp("body.startTime", "soon")

    def test_naive_and_aware_datetimes_to_nanos(self) -> None:
        """``datetime_to_nanos``, the one conversion: a naive datetime is UTC, an aware one its instant."""
        naive = datetime(2025, 1, 1, 12, 0, 0, 123456)
        expected = 1_735_732_800_123_456_000
        assert datetime_to_nanos(naive) == expected
        assert datetime_to_nanos(naive.replace(tzinfo=UTC)) == expected
        assert datetime_to_nanos(
            datetime(2025, 1, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
        ) == (expected)


class TestEventTypes:
    def test_every_type_has_its_create(self) -> None:
        """Each observation type's create event means that type; ``observation-create`` reads the body."""
        for kind in ObservationType:
            assert CREATE_TYPES[create_event_type(kind)] is kind
        assert CREATE_TYPES["observation-create"] is None
        assert create_event_type(ObservationType.GENERATION) == "generation-create"

    def test_supported(self) -> None:
        """Traces, observations, their updates, scores, and the dropped log events."""
        assert {
            "trace-create",
            "span-update",
            "generation-update",
            "score-create",
            "sdk-log",
        } <= SUPPORTED_TYPES
        assert "trace-update" not in SUPPORTED_TYPES


class TestDetails:
    def test_usage_details(self) -> None:
        """Cached and reasoning tokens under Langfuse's names, only when non-zero; empty without usage."""
        usage = Usage(input=10, output=5, total=15, cached=4, details={"audio": 1})
        assert usage_details(usage) == {
            "input": 10,
            "output": 5,
            "total": 15,
            "input_cached_tokens": 4,
            "audio": 1,
        }
        assert usage_details(Usage()) == {}

    def test_cost_details(self) -> None:
        """Only the known parts; empty without a cost."""
        assert cost_details(Cost(input=0.1, total=0.3)) == {"input": 0.1, "total": 0.3}
        assert cost_details(None) == {}

    def test_basic_authorization(self) -> None:
        """``Basic base64(public:secret)``."""
        assert basic_authorization("pk", "sk") == "Basic cGs6c2s="
