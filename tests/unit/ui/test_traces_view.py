"""The Traces view: every trace, filtered by session, user, name, tag, level and time, sorted and
paged, through the whole Starlette stack over the seeded ``SqlStore`` (``conftest.py``)."""

from __future__ import annotations

import pytest
from starlette.datastructures import QueryParams

from otel_bridge.api.params import InvalidQuery
from otel_bridge.ui.links import session_url, trace_url
from otel_bridge.ui.trace_listing import TraceListing
from tests.unit.ui.conftest import LONG_TRACES, SCRIPT_NAME, TRACE_1, TRACE_2, ServedUi
from tests.unit.ui.dom import Page

ALL_TRACES = 2 + 1 + 1 + 12 + LONG_TRACES


def trace_ids(page: Page) -> list[str]:
    """The trace ids of the view's rows, in order."""
    return [row.attrs["data-trace-id"] for row in page.select("tr", attr="data-trace-id")]


class TestTracesView:
    def test_every_trace_newest_first_with_links(self, seeded_ui: ServedUi) -> None:
        """All the project's traces, newest first; each links to its page and its session."""
        page = seeded_ui.page("/traces", {"limit": "100"})
        ids = trace_ids(page)
        assert len(ids) == ALL_TRACES and ids[0] == f"{3:032x}"
        assert page.one("strong", attr="id", value="total").text == str(ALL_TRACES)
        row = page.one("tr", attr="data-trace-id", value=TRACE_1)
        links = [a.attrs["href"] for a in page.select("a", within=row)]
        assert links == [trace_url(TRACE_1), session_url("chat-1")]
        assert page.one("span", cls="level-error", within=row).text == "ERROR"
        assert not page.select(
            "span", cls="level", within=page.one("tr", attr="data-trace-id", value=TRACE_2)
        )
        assert SCRIPT_NAME in page.one("tr", attr="data-trace-id", value=f"{4:032x}").text

    def test_filters(self, seeded_ui: ServedUi) -> None:
        """Session, user, name, tag, level and time range each narrow the list; they combine."""
        assert trace_ids(seeded_ui.page("/traces", {"session": "chat-1"})) == [TRACE_2, TRACE_1]
        assert trace_ids(seeded_ui.page("/traces", {"user": "u2"})) == [f"{3:032x}"]
        assert trace_ids(seeded_ui.page("/traces", {"name": "agent turn"})) == [TRACE_1]
        assert trace_ids(seeded_ui.page("/traces", {"tag": "beta"})) == [TRACE_1]
        assert trace_ids(seeded_ui.page("/traces", {"level": "error"})) == [TRACE_1]
        ok = trace_ids(seeded_ui.page("/traces", {"level": "ok", "limit": "100"}))
        assert len(ok) == ALL_TRACES - 1 and TRACE_1 not in ok
        window = {"range": "custom", "from": "2025-01-01T00:00:05Z", "to": "2025-01-01T00:00:25Z"}
        assert trace_ids(seeded_ui.page("/traces", window)) == [f"{4:032x}", TRACE_2]
        assert trace_ids(seeded_ui.page("/traces", {"session": "chat-1", "level": "error"})) == [TRACE_1]
        empty = seeded_ui.page("/traces", {"user": "nobody"})
        assert "No trace matches these filters" in empty.one("p", cls="empty").text

    def test_sorted_and_paged(self, seeded_ui: ServedUi) -> None:
        """``sort``/``order`` and the pager; links keep the filters."""
        page = seeded_ui.page("/traces", {"session": "chat-1", "sort": "name", "order": "asc"})
        assert trace_ids(page) == [TRACE_1, TRACE_2]  # "agent turn" < "second turn"
        first = seeded_ui.page("/traces", {"session": "long-chat", "limit": "5"})
        assert (
            first.one("a", attr="rel", value="next").attrs["href"]
            == "/traces?session=long-chat&page=2&limit=5"
        )

    def test_the_session_page_links_here(self, seeded_ui: ServedUi) -> None:
        """A session's page links to its traces in this view."""
        page = seeded_ui.page(session_url("chat-1"))
        assert page.one("a", cls="traces-link").attrs["href"] == "/traces?session=chat-1"

    def test_bad_parameters_are_a_400_page(self, seeded_ui: ServedUi) -> None:
        """An unknown sort or level is a 400 page naming it."""
        for params, name in (({"sort": "cost"}, "sort"), ({"level": "fatal"}, "level")):
            response = seeded_ui.get("/traces", params)
            assert (
                response.status == 400 and name in Page(response.body.decode()).one("p", cls="message").text
            )


class TestTraceListing:
    def test_round_trip(self) -> None:
        """Every parameter parses and comes back in the link."""
        query = "session=s&user=u&name=n&tag=t&level=ok&sort=name&order=asc&page=2&limit=10"
        listing = TraceListing.parse(QueryParams(query))
        assert listing.url() == "/traces?" + query
        assert listing.clear_url() == "/traces?sort=name&order=asc&limit=10"

    def test_refusals(self) -> None:
        """A custom time without ``range=custom`` is refused, naming the rule."""
        with pytest.raises(InvalidQuery, match="range=custom"):
            TraceListing.parse(QueryParams("from=2025-01-01"))
