"""Query parameter parsing: every refusal names the parameter and its rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from starlette.datastructures import QueryParams

from otel_bridge.api.params import (
    FilterColumn,
    InvalidQuery,
    Pagination,
    Query,
    apply_conditions,
    parse_datetime,
    parse_filter,
)
from otel_bridge.model import ObservationType

UTC = timezone.utc


def query(text: str) -> Query:
    """A query accepting every parameter it has (the rules of each are what is under test)."""
    params = QueryParams(text)
    return Query(params, tuple(params.keys()))


class TestUnknownParameters:
    def test_an_unknown_parameter_is_refused_naming_it_and_the_accepted_ones(self) -> None:
        """``?sessionId=…`` where the route takes no sessionId is a 400, not "return everything"."""
        with pytest.raises(InvalidQuery) as raised:
            Query(QueryParams("page=2&sessionId=s1"), ("page", "limit", "userId"))
        assert str(raised.value) == (
            "unknown query parameter 'sessionId'; this route accepts: page, limit, userId"
        )

    def test_several_unknown_parameters_are_all_named_once(self) -> None:
        with pytest.raises(InvalidQuery) as raised:
            Query(QueryParams("a=1&b=2&a=3"), ("page",))
        assert str(raised.value) == "unknown query parameters 'a', 'b'; this route accepts: page"

    def test_a_route_that_takes_none(self) -> None:
        with pytest.raises(InvalidQuery, match="this route accepts: none"):
            Query(QueryParams("fields=io"), ())

    def test_accepted_parameters_pass_even_when_empty(self) -> None:
        """Langfuse's clients send empty values for unset parameters: known names pass."""
        assert Query(QueryParams("page=&userId="), ("page", "userId")).string("userId") is None


class TestPagination:
    def test_defaults(self) -> None:
        """Without parameters: page 1, limit 50, offset 0."""
        window = query("").pagination()
        assert (window.page, window.limit, window.offset) == (1, 50, 0)

    def test_meta(self) -> None:
        """``totalPages`` is ``ceil(totalItems / limit)``, 0 for an empty listing."""
        assert Pagination(2, 10).meta(21) == {"page": 2, "limit": 10, "totalItems": 21, "totalPages": 3}
        assert Pagination(1, 10).meta(0)["totalPages"] == 0

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("page=0", "page must be an integer >= 1, got 0"),
            ("page=x", "page must be an integer >= 1, got 'x'"),
            ("limit=101", "limit must be an integer from 1 to 100, got 101"),
            ("limit=0", "limit must be an integer from 1 to 100, got 0"),
            ("limit=1&limit=2", "limit must be given at most once"),
        ],
    )
    def test_refusals_name_the_parameter(self, text: str, message: str) -> None:
        """Out-of-range or malformed page and limit are InvalidQuery naming parameter and rule."""
        with pytest.raises(InvalidQuery, match=message):
            query(text).pagination()


class TestQuery:
    def test_datetime_forms(self) -> None:
        """Z, offsets and naive times (taken as UTC) parse to aware UTC datetimes."""
        expected = datetime(2025, 1, 1, 12, tzinfo=UTC)
        assert parse_datetime("t", "2025-01-01T12:00:00Z") == expected
        assert parse_datetime("t", "2025-01-01T14:00:00+02:00") == expected
        assert parse_datetime("t", "2025-01-01T12:00:00") == expected

    def test_bad_datetime(self) -> None:
        """A malformed date-time names its parameter."""
        with pytest.raises(InvalidQuery, match="fromTimestamp must be an ISO 8601 date-time"):
            query("fromTimestamp=yesterday").datetime("fromTimestamp")

    def test_strings_and_empty_values(self) -> None:
        """Repeated parameters keep their order; empty values count as absent."""
        q = query("tags=a&tags=&tags=b&name=")
        assert q.strings("tags") == ("a", "b")
        assert q.string("name") is None

    def test_choice(self) -> None:
        """Enum parameters match case-insensitively and list the allowed values otherwise."""
        assert query("type=generation").choice("type", ObservationType) is ObservationType.GENERATION
        with pytest.raises(InvalidQuery, match="type must be one of SPAN, GENERATION"):
            query("type=blob").choice("type", ObservationType)


COLUMNS = {
    "userId": FilterColumn("one", "user_id"),
    "environment": FilterColumn("any", "environments"),
    "tags": FilterColumn("all", "tags"),
    "type": FilterColumn("one", "type", enum_type=ObservationType),
    "timestamp": FilterColumn("time", "from_timestamp", "to_timestamp"),
}


class TestFilter:
    def test_supported_conditions(self) -> None:
        """Equality, any-of, all-of and time bounds map onto filter fields (``>`` and ``<=`` by one tick)."""
        conditions = parse_filter(
            '[{"type":"string","column":"userId","operator":"=","value":"u"},'
            '{"type":"stringOptions","column":"environment","operator":"any of","value":["a","b"]},'
            '{"type":"arrayOptions","column":"tags","operator":"all of","value":["x","y"]},'
            '{"type":"stringOptions","column":"type","operator":"any of","value":["span"]},'
            '{"type":"datetime","column":"timestamp","operator":">","value":"2025-01-01T00:00:00Z"},'
            '{"type":"datetime","column":"timestamp","operator":"<","value":"2025-01-02T00:00:00Z"}]'
        )
        fields = apply_conditions(conditions, COLUMNS)
        tick = timedelta(microseconds=1)
        assert fields == {
            "user_id": "u",
            "environments": ("a", "b"),
            "tags": ("x", "y"),
            "type": ObservationType.SPAN,
            "from_timestamp": datetime(2025, 1, 1, tzinfo=UTC) + tick,
            "to_timestamp": datetime(2025, 1, 2, tzinfo=UTC),
        }

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{}", "filter must be a JSON array"),
            ("[1]", r"filter\[0\] must be an object"),
            ('[{"type":"string","column":"userId"}]', r"filter\[0\]\.operator is required"),
            ('[{"type":"string","column":"userId","operator":"="}]', r"filter\[0\]\.value is required"),
            ("not json", "filter must be a JSON array of conditions"),
        ],
    )
    def test_malformed(self, text: str, message: str) -> None:
        """A malformed filter names the broken condition and field."""
        with pytest.raises(InvalidQuery, match=message):
            parse_filter(text)

    @pytest.mark.parametrize(
        ("condition", "message"),
        [
            (
                '{"type":"number","column":"latency","operator":">","value":1}',
                "column 'latency' is not supported",
            ),
            ('{"type":"string","column":"userId","operator":"contains","value":"u"}', "is not supported"),
            (
                '{"type":"stringOptions","column":"userId","operator":"any of","value":["a","b"]}',
                "single value",
            ),
            ('{"type":"datetime","column":"timestamp","operator":"=","value":"2025-01-01"}', "datetime"),
            ('{"type":"stringOptions","column":"type","operator":"any of","value":["blob"]}', "one of SPAN"),
        ],
    )
    def test_unsupported_conditions_are_refused(self, condition: str, message: str) -> None:
        """Conditions the store cannot express are refused, never ignored."""
        with pytest.raises(InvalidQuery, match=message):
            apply_conditions(parse_filter(f"[{condition}]"), COLUMNS)
