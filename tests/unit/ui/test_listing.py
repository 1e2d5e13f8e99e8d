"""The Sessions view's query string and the links between pages (``otel_bridge.ui.listing``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from starlette.datastructures import QueryParams

from otel_bridge.api.params import InvalidQuery
from otel_bridge.store import SessionFilter
from otel_bridge.ui.links import Pager, download_url, session_url, trace_url
from otel_bridge.ui.listing import SessionListing

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


class TestSessionListing:
    def test_defaults(self) -> None:
        """No parameters: newest activity first, page 1 of 50, no filter, and the plain link."""
        listing = SessionListing.parse(QueryParams(""))
        assert (listing.sort, listing.descending, listing.page, listing.limit) == (
            "last_activity",
            True,
            1,
            50,
        )
        assert listing.filter(NOW) == SessionFilter() and not listing.filtered
        assert listing.url() == "/sessions"

    def test_round_trip(self) -> None:
        """Every parameter parses and comes back in the link; empty ones are unset."""
        query = (
            "range=custom&from=2025-01-01T00%3A00%3A00.000000Z&to=2025-01-02T00%3A00%3A00.000000Z"
            "&user=u+1&env=prod&tag=vip&q=a%2Fb&prefix=x&min=2&errors=yes&bookmarked=yes"
            "&sort=cost&order=asc&page=3&limit=10&refresh=30"
        )
        listing = SessionListing.parse(QueryParams(query))
        assert listing.filter(NOW) == SessionFilter(
            from_time=datetime(2025, 1, 1, tzinfo=timezone.utc),
            to_time=datetime(2025, 1, 2, tzinfo=timezone.utc),
            user_id="u 1",
            environments=("prod",),
            tag="vip",
            id_prefix="x",
            id_contains="a/b",
            min_trace_count=2,
            has_errors=True,
            bookmarked=True,
        )
        assert listing.url() == "/sessions?" + query
        assert listing.refresh == 30
        assert SessionListing.parse(QueryParams("user=&q=&min=0")).filtered is False
        assert SessionListing.parse(QueryParams("errors=no")).filter(NOW).has_errors is False

    def test_relative_ranges_end_now(self) -> None:
        """``range=hour|day|week`` selects sessions active since that long before now."""
        for name, delta in (("hour", timedelta(hours=1)), ("day", timedelta(days=1)), ("week", timedelta(7))):
            where = SessionListing.parse(QueryParams(f"range={name}")).filter(NOW)
            assert (where.from_time, where.to_time) == (NOW - delta, None)
        custom = SessionListing.parse(QueryParams("range=custom&from=2025-05-01T10:30"))
        assert custom.window(NOW) == (datetime(2025, 5, 1, 10, 30, tzinfo=timezone.utc), None)

    def test_refusals_name_the_parameter(self) -> None:
        """A bad sort, order, page, limit, range, time, count, choice or refresh is ``InvalidQuery``
        naming it."""
        for query, name in (
            ("sort=x", "sort"),
            ("order=down", "order"),
            ("page=a", "page"),
            ("limit=500", "limit"),
            ("range=year", "range"),
            ("from=2025-01-01", "range=custom"),
            ("range=custom&from=yesterday", "from"),
            ("range=custom&from=2025-01-02&to=2025-01-01", "from must be before to"),
            ("min=-1", "min"),
            ("errors=maybe", "errors"),
            ("bookmarked=1", "bookmarked"),
            ("refresh=5", "refresh"),
        ):
            with pytest.raises(InvalidQuery, match=name):
                SessionListing.parse(QueryParams(query))

    def test_sort_links_toggle_and_reset_the_page(self) -> None:
        """The current key flips direction, another key starts descending; both go back to page 1."""
        listing = SessionListing(sort="cost", descending=True, page=4, user="u")
        assert listing.sort_url("cost") == "/sessions?user=u&sort=cost&order=asc"
        assert listing.sort_url("last_activity") == "/sessions?user=u"

    def test_clear_and_range_links_keep_the_order(self) -> None:
        """Clearing drops every filter but keeps sort and page size; a range link drops custom times."""
        listing = SessionListing(
            user="u", q="x", bookmarked=True, sort="id", limit=10, page=3, range="custom", since=NOW
        )
        assert listing.clear_url() == "/sessions?sort=id&limit=10"
        assert listing.range_url("day") == "/sessions?range=day&user=u&q=x&bookmarked=yes&sort=id&limit=10"


class TestPager:
    def test_positions_and_neighbours(self) -> None:
        """First and last item numbers, page count, and previous/next pages."""
        pager = Pager(page=2, limit=5, total=12)
        assert (pager.first, pager.last, pager.pages, pager.previous, pager.next) == (6, 10, 3, 1, 3)
        assert Pager(page=3, limit=5, total=12).next is None

    def test_empty_and_past_the_end(self) -> None:
        """An empty listing is one empty page; past the end, previous leads to the last page."""
        assert (Pager(1, 50, 0).first, Pager(1, 50, 0).pages, Pager(1, 50, 0).previous) == (0, 1, None)
        assert Pager(page=9, limit=5, total=12).previous == 3


class TestLinks:
    def test_ids_are_one_encoded_segment(self) -> None:
        """Slashes, question marks, hashes and spaces in ids are percent-encoded."""
        assert session_url("a/b?c#d e") == "/sessions/a%2Fb%3Fc%23d%20e"
        assert session_url("s", page=2) == "/sessions/s?page=2"
        assert trace_url("ab") == "/traces/ab"
        assert trace_url("a/b", "c d") == "/traces/a%2Fb?observation=c+d"
        assert download_url("a/b") == "/download/sessions/a%2Fb"
