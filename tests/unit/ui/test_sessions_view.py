"""The Sessions view's filters, charts, bookmarks and auto-refresh, and a session's download, through
the whole Starlette stack over a seeded ``SqlStore`` (see ``conftest.py``)."""

from __future__ import annotations

import json
import re

from otel_bridge.ui.links import bookmark_url, download_url, session_url, trace_url
from tests.unit.ui.conftest import (
    LONG_SESSION,
    PAGED_SESSIONS,
    SCRIPT_SESSION,
    TRACE_1,
    TRACE_2,
    ServedUi,
)
from tests.unit.ui.dom import Page

ALL_SESSIONS = 16


def session_ids(page: Page) -> list[str]:
    """The session ids of a Sessions view's rows, in order."""
    return [row.attrs["data-session-id"] for row in page.select("tr", attr="data-session-id")]


class TestFilters:
    def test_substring_environment_tag_traces_and_errors(self, seeded_ui: ServedUi) -> None:
        """``q`` (id substring), ``env``, ``tag``, ``min`` (traces) and ``errors`` each narrow the list."""
        assert session_ids(seeded_ui.page("/sessions", {"q": "hat-"})) == ["chat-2", "chat-1"]
        assert session_ids(seeded_ui.page("/sessions", {"q": "-0", "prefix": "page"})) == [
            f"page-0{n}" for n in range(9, -1, -1)
        ]
        assert session_ids(seeded_ui.page("/sessions", {"env": "production"})) == ["chat-1"]
        assert session_ids(seeded_ui.page("/sessions", {"tag": "beta"})) == ["chat-1"]
        assert session_ids(seeded_ui.page("/sessions", {"min": "2"})) == ["chat-1", LONG_SESSION]
        assert session_ids(seeded_ui.page("/sessions", {"errors": "yes"})) == ["chat-1"]
        without = session_ids(seeded_ui.page("/sessions", {"errors": "no", "limit": "100"}))
        assert len(without) == ALL_SESSIONS - 1 and "chat-1" not in without

    def test_time_ranges(self, seeded_ui: ServedUi) -> None:
        """A custom range keeps the sessions active in it; the seeded data is older than any relative
        range, which then says nothing matches."""
        custom = {"range": "custom", "from": "2025-01-01T00:00:15Z", "to": "2025-01-01T01:00"}
        assert session_ids(seeded_ui.page("/sessions", custom)) == ["chat-2", SCRIPT_SESSION]
        page = seeded_ui.page("/sessions", {"range": "day"})
        assert session_ids(page) == []
        assert "No session matches these filters" in page.one("p", cls="empty").text
        assert page.one("a", cls="current", within=page.one("nav", cls="ranges")).text == "24 h"

    def test_the_form_shows_the_filters_and_keeps_the_order(self, seeded_ui: ServedUi) -> None:
        """The form comes back filled in (times as ``datetime-local`` values) and carries the sort."""
        params = {"range": "custom", "from": "2025-01-01T00:00:15Z", "q": "x", "errors": "no", "sort": "id"}
        page = seeded_ui.page("/sessions", params)
        form = page.one("form", cls="filters")
        values = {i.attrs["name"]: i.attrs.get("value") for i in page.select("input", within=form)}
        assert values["from"] == "2025-01-01T00:00" and values["q"] == "x" and values["sort"] == "id"
        selected = {
            s.attrs["name"]: page.one("option", within=s, attr="selected").attrs["value"]
            for s in page.select("select", within=form)
            if page.select("option", within=s, attr="selected")
        }
        assert selected == {"range": "custom", "errors": "no"}
        clear = page.one("a", cls="clear").attrs["href"]
        assert clear == "/sessions?sort=id"


class TestCharts:
    def test_four_charts_of_the_filtered_sessions(self, seeded_ui: ServedUi) -> None:
        """Sessions, traces, tokens and cost per 10 minutes (all the data is within minutes), as SVG
        bars whose tooltips add up to the listing's totals."""
        page = seeded_ui.page("/sessions")
        charts = page.select("figure", cls="chart")
        assert [page.one("figcaption", within=c).text.split(" max")[0] for c in charts] == [
            "Sessions per 10 min",
            "Traces per 10 min",
            "Tokens per 10 min",
            "Cost per 10 min",
        ]

        def numbers(chart: int) -> list[int]:
            titles = [t.text for t in page.select("title", within=charts[chart])]
            return [int(re.sub(r"^.*: ", "", t).split()[0]) for t in titles]

        assert sum(numbers(0)) == ALL_SESSIONS
        # chat-1 2, chat-2 1, the script session 1, the paged sessions 12, the long one 21.
        assert sum(numbers(1)) == 2 + 1 + 1 + len(PAGED_SESSIONS) + 21
        assert sum(numbers(2)) == 42 + 16 + 150
        assert len(page.select("rect", within=charts[0])) == 2  # 23:50 on 2024-12-31, 00:00 on 2025-01-01
        filtered = seeded_ui.page("/sessions", {"user": "u2"})
        assert [t.text for t in filtered.select("title", within=filtered.select("figure")[1])] == [
            "01-01 00:00: 1 traces"
        ]

    def test_no_charts_without_sessions(self, empty_ui: ServedUi, seeded_ui: ServedUi) -> None:
        """An empty project or an empty selection draws no chart."""
        assert not empty_ui.page("/sessions").select("figure")
        assert not seeded_ui.page("/sessions", {"user": "nobody"}).select("figure")


class TestBookmarks:
    def test_star_bookmarks_and_the_filter_finds_it(self, fresh_ui: ServedUi) -> None:
        """Posting the star's form bookmarks the session and leads back; the row's star is then
        filled, ``bookmarked=yes`` lists it, and posting again removes it."""
        page = fresh_ui.page("/sessions", {"sort": "id"})
        row = page.one("tr", attr="data-session-id", value="chat-2")
        form = page.one("form", cls="star", within=row)
        assert form.attrs["action"] == bookmark_url("chat-2") and form.attrs["method"] == "post"
        fields = {i.attrs["name"]: i.attrs["value"] for i in page.select("input", within=form)}
        assert fields == {"bookmarked": "yes", "next": "/sessions?sort=id"}
        response = fresh_ui.post_form(form.attrs["action"], fields)
        assert (response.status, response.headers["location"]) == (303, "/sessions?sort=id")
        page = fresh_ui.page("/sessions", {"bookmarked": "yes"})
        assert session_ids(page) == ["chat-2"]
        star = page.one("button", cls="star")
        assert ("marked" in star.classes, star.text, star.attrs["aria-pressed"]) == (True, "★", "true")
        fresh_ui.post_form(bookmark_url("chat-2"), {"bookmarked": "no"})
        assert session_ids(fresh_ui.page("/sessions", {"bookmarked": "yes"})) == []

    def test_odd_ids_and_unknown_sessions(self, fresh_ui: ServedUi) -> None:
        """An id with markup round-trips through the bookmark link; an unknown one is a 404 page; a
        ``next`` off this server is ignored (no open redirect)."""
        response = fresh_ui.post_form(bookmark_url(SCRIPT_SESSION), {"next": "//evil.example/x"})
        assert (response.status, response.headers["location"]) == (303, session_url(SCRIPT_SESSION))
        assert session_ids(fresh_ui.page("/sessions", {"bookmarked": "yes"})) == [SCRIPT_SESSION]
        missing = fresh_ui.post_form(bookmark_url("nope"), {})
        assert missing.status == 404 and missing.headers["content-type"].startswith("text/html")

    def test_cross_site_posts_are_refused(self, fresh_ui: ServedUi) -> None:
        """A post another site's page makes (``Sec-Fetch-Site``, else ``Origin``) is a 403 that
        bookmarks nothing, even with valid credentials; a non-form body is a 415."""
        for headers in ({"sec-fetch-site": "cross-site"}, {"sec-fetch-site": "same-site"}):
            assert fresh_ui.post_form(bookmark_url("chat-1"), {}, headers).status == 403
        refused = fresh_ui.client.request(  # an older browser: no Sec-Fetch-Site, only Origin
            "POST",
            bookmark_url("chat-1"),
            body=b"bookmarked=yes",
            content_type="application/x-www-form-urlencoded",
            headers={"origin": "https://evil.example"},
        )
        assert refused.status == 403
        assert "another origin" in Page(refused.body.decode()).one("p", cls="message").text
        assert session_ids(fresh_ui.page("/sessions", {"bookmarked": "yes"})) == []
        wrong_type = fresh_ui.client.request(
            "POST", bookmark_url("chat-1"), body=b"{}", content_type="text/plain"
        )
        assert wrong_type.status == 415

    def test_needs_credentials(self, fresh_ui: ServedUi) -> None:
        """Without keys a bookmark post is refused like every page."""
        response = fresh_ui.as_key(None).request(
            "POST", bookmark_url("chat-1"), body=b"", content_type="application/x-www-form-urlencoded"
        )
        assert response.status == 401
        assert session_ids(fresh_ui.page("/sessions", {"bookmarked": "yes"})) == []


class TestAutoRefresh:
    def test_refresh_is_an_attribute_the_script_reads(self, seeded_ui: ServedUi) -> None:
        """``refresh=30`` puts ``data-refresh="30"`` on the body (the first-party script reloads, the
        URL keeps filters and page); without it there is none."""
        page = seeded_ui.page("/sessions", {"refresh": "30", "user": "u1", "page": "1"})
        assert page.one("body").attrs["data-refresh"] == "30"
        assert "data-refresh" not in seeded_ui.page("/sessions").one("body").attrs
        option = page.one("option", attr="selected", within=page.one("select", attr="name", value="refresh"))
        assert option.attrs["value"] == "30"


class TestDownload:
    def test_session_as_json_with_observations(self, seeded_ui: ServedUi) -> None:
        """The download is an attachment: the session's aggregates and its traces, oldest first, each
        with its observations and its page's path."""
        response = seeded_ui.get(download_url("chat-1"))
        assert response.status == 200 and response.headers["content-type"] == "application/json"
        assert response.headers["content-disposition"].startswith(
            'attachment; filename="session-chat-1.json"'
        )
        body = json.loads(response.body)
        assert (body["id"], body["traceCount"], body["errorCount"]) == ("chat-1", 2, 1)
        assert [t["id"] for t in body["traces"]] == [TRACE_1, TRACE_2]
        assert [len(t["observations"]) for t in body["traces"]] == [3, 4]
        assert body["traces"][0]["htmlPath"] == trace_url(TRACE_1)
        assert body["traces"][0]["observations"][1]["usage"]["input"] == 12

    def test_odd_ids_unknown_and_other_projects(self, seeded_ui: ServedUi) -> None:
        """A markup id downloads under a safe file name; unknown and other projects' ids are 404s."""
        response = seeded_ui.get(download_url(SCRIPT_SESSION))
        assert response.status == 200
        assert json.loads(response.body)["id"] == SCRIPT_SESSION
        plain = response.headers["content-disposition"].split(";")[1]
        assert "<" not in plain and "'" not in plain
        assert seeded_ui.get(download_url("nope")).status == 404
        assert seeded_ui.get(download_url("chat-other")).status == 404


class TestApiLinks:
    def test_html_path_is_the_ui_trace_page(self, seeded_ui: ServedUi) -> None:
        """The API's ``htmlPath`` of a trace is the UI's trace page, which then loads."""
        body = json.loads(seeded_ui.get(f"/api/public/traces/{TRACE_2}").body)
        assert body["htmlPath"] == trace_url(TRACE_2)
        listed = json.loads(seeded_ui.get("/api/public/traces", {"sessionId": "chat-1"}).body)["data"]
        assert {t["htmlPath"] for t in listed} == {trace_url(TRACE_1), trace_url(TRACE_2)}
        page = seeded_ui.page(body["htmlPath"])
        assert page.select("li", attr="data-observation-id")
