"""The Sessions view's query string and the links between pages (``otel_bridge.ui.listing``)."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from otel_bridge.api.params import InvalidQuery
from otel_bridge.store import SessionFilter
from otel_bridge.ui.listing import Pager, SessionListing, session_url, trace_url


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
        assert listing.filter == SessionFilter() and not listing.filtered
        assert listing.url() == "/sessions"

    def test_round_trip(self) -> None:
        """Every parameter parses and comes back in the link; empty ones are unset."""
        query = "user=u+1&prefix=a%2Fb&sort=cost&order=asc&page=3&limit=10"
        listing = SessionListing.parse(QueryParams(query))
        assert listing.filter == SessionFilter(user_id="u 1", id_prefix="a/b")
        assert listing.url() == "/sessions?" + query
        assert SessionListing.parse(QueryParams("user=&prefix=")).filtered is False

    def test_refusals_name_the_parameter(self) -> None:
        """A bad sort, order, page or limit is ``InvalidQuery`` naming it."""
        for query, name in (
            ("sort=x", "sort"),
            ("order=down", "order"),
            ("page=a", "page"),
            ("limit=500", "limit"),
        ):
            with pytest.raises(InvalidQuery, match=name):
                SessionListing.parse(QueryParams(query))

    def test_sort_links_toggle_and_reset_the_page(self) -> None:
        """The current key flips direction, another key starts descending; both go back to page 1."""
        listing = SessionListing(sort="cost", descending=True, page=4, user="u")
        assert listing.sort_url("cost") == "/sessions?user=u&sort=cost&order=asc"
        assert listing.sort_url("last_activity") == "/sessions?user=u"


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
