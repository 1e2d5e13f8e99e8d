"""The UI's pages through the whole Starlette stack over a seeded ``SqlStore`` (see ``conftest.py``):
authentication, the Sessions view, a session as a conversation, a trace as a tree, 404s, escaping."""

from __future__ import annotations

from urllib.parse import quote

from otel_bridge.ui.links import session_url
from otel_bridge.ui.listing import SORT_KEYS
from tests.api.client import basic
from tests.unit.ui.conftest import (
    LONG_SESSION,
    LONG_TRACES,
    OTHER_TRACE,
    PAGED_SESSIONS,
    SCRIPT_CONTENT,
    SCRIPT_NAME,
    SCRIPT_SESSION,
    TRACE_1,
    TRACE_2,
    ServedUi,
)
from tests.unit.ui.dom import Page


def session_ids(page: Page) -> list[str]:
    """The session ids of a Sessions view's rows, in order."""
    return [row.attrs["data-session-id"] for row in page.select("tr", attr="data-session-id")]


class TestAuthentication:
    def test_no_credentials_is_a_challenge(self, seeded_ui: ServedUi) -> None:
        """Without keys every page is a 401 HTML page with ``WWW-Authenticate: Basic``, so browsers ask."""
        for path in ("/sessions", "/sessions/chat-1", f"/traces/{TRACE_1}"):
            response = seeded_ui.as_key(None).get(path)
            assert response.status == 401
            assert response.headers["www-authenticate"] == 'Basic realm="otel-bridge"'
            assert response.headers["content-type"].startswith("text/html")
            assert b"chat-1" not in response.body

    def test_wrong_key_is_a_challenge(self, seeded_ui: ServedUi) -> None:
        """A wrong secret is a 401 page with the challenge and a message, never data."""
        response = seeded_ui.as_key(basic("pk-lf-api", "sk-lf-wrong")).get("/sessions")
        assert response.status == 401
        assert response.headers["www-authenticate"].startswith("Basic")
        page = Page(response.body.decode())
        assert "invalid credentials" in page.one("p", cls="message").text
        assert not page.select("tr", attr="data-session-id")

    def test_bearer_secret_works_like_the_api(self, seeded_ui: ServedUi) -> None:
        """``Authorization: Bearer <secret>`` is accepted, as the API accepts it."""
        assert seeded_ui.as_key("Bearer sk-lf-api").get("/sessions").status == 200

    def test_home_redirects_to_sessions(self, seeded_ui: ServedUi) -> None:
        """``/`` redirects to ``/sessions`` (no longer a 404)."""
        response = seeded_ui.as_key(None).get("/")
        assert response.status == 302
        assert response.headers["location"] == "/sessions"

    def test_static_files_are_public_and_pages_allow_only_their_own_scripts(
        self, seeded_ui: ServedUi
    ) -> None:
        """The stylesheet and script are served without keys; pages carry a CSP that allows scripts and
        styles from this server only (nothing inline), forbids framing, and ``no-store``."""
        css = seeded_ui.as_key(None).get("/static/otel-bridge.css")
        assert css.status == 200 and css.headers["content-type"].startswith("text/css")
        script = seeded_ui.as_key(None).get("/static/otel-bridge.js")
        assert script.status == 200 and "javascript" in script.headers["content-type"]
        headers = seeded_ui.get("/sessions").headers
        policy = [part.strip() for part in headers["content-security-policy"].split(";")]
        assert {
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        } <= set(policy)
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["cache-control"] == "no-store"


class TestSessionsView:
    def test_lists_sessions_with_their_aggregates(self, seeded_ui: ServedUi) -> None:
        """A row shows id (linked), traces, users, times, duration, tokens, cost, errors and labels."""
        page = seeded_ui.page("/sessions")
        row = page.one("tr", attr="data-session-id", value="chat-1")
        cells = [cell.text for cell in page.select("td", within=row)]
        assert cells[0] == "☆"  # not bookmarked
        assert cells[1] == "chat-1"
        assert page.one("a", within=page.one("td", cls="id", within=row)).attrs["href"] == "/sessions/chat-1"
        assert cells[2] == "2025-01-01 00:00" and cells[3] == "2025-01-01 00:00"
        assert page.one("time", within=page.one("td", cls="last", within=row)).attrs["title"] == (
            "2025-01-01 00:00:14 UTC"
        )
        assert cells[4] == "14.00 s"
        assert cells[5:8] == ["2", "7", "u1"]
        assert cells[8] == "default production #beta"  # trace 2 names no environment
        environments = [e.text for e in page.select("span", cls="env", within=row)]
        assert environments == ["default", "production"]
        assert [t.text for t in page.select("span", cls="tag", within=row)] == ["#beta"]
        assert cells[9] == "42 → 16(58)"  # the total on a line of its own
        assert page.one("span", cls="total", within=row).text == "(58)"
        assert cells[10] == "$0.002165"  # $0.002 given, plus gpt-4o priced from the table
        assert cells[11] == "1"
        assert page.one("strong", attr="id", value="total").text == "16"

    def test_sorted_by_last_activity_newest_first(self, seeded_ui: ServedUi) -> None:
        """By default the most recently active session comes first."""
        ids = session_ids(seeded_ui.page("/sessions"))
        assert ids[:3] == ["chat-2", SCRIPT_SESSION, "chat-1"]
        assert ids[3:] == [*PAGED_SESSIONS[::-1], LONG_SESSION]

    def test_sortable_by_the_stores_orders(self, seeded_ui: ServedUi) -> None:
        """``sort``/``order`` pick the store's order; the header links toggle the direction."""
        ids = session_ids(seeded_ui.page("/sessions", {"sort": "trace_count"}))
        assert ids[:2] == [LONG_SESSION, "chat-1"]
        page = seeded_ui.page("/sessions", {"sort": "tokens", "order": "asc"})
        assert session_ids(page)[-2:] == ["chat-1", "chat-2"]
        current = page.one("a", cls="sort", within=page.one("thead"), attr="aria-sort")
        assert current.attrs["href"] == "/sessions?sort=tokens" and current.attrs["aria-sort"] == "ascending"
        header = page.one("thead")
        keys = {
            a.attrs["href"].split("sort=")[-1].split("&")[0]
            for a in page.select("a", cls="sort", within=header)
        }
        # Every key has its link; last_activity's is the default order's plain link.
        assert keys == set(SORT_KEYS) - {"last_activity"} | {"/sessions"}
        for key in SORT_KEYS:
            assert seeded_ui.get("/sessions", {"sort": key}).status == 200

    def test_filters_by_user_and_prefix(self, seeded_ui: ServedUi) -> None:
        """``user`` keeps that user's sessions; ``prefix`` the ids starting with it; both combine."""
        assert session_ids(seeded_ui.page("/sessions", {"user": "u2"})) == ["chat-2"]
        assert session_ids(seeded_ui.page("/sessions", {"prefix": "chat-"})) == ["chat-2", "chat-1"]
        assert session_ids(seeded_ui.page("/sessions", {"prefix": "chat-", "user": "u1"})) == ["chat-1"]
        page = seeded_ui.page("/sessions", {"user": "nobody"})
        assert "No session matches these filters" in page.one("p", cls="empty").text

    def test_paginated_with_links_and_counts(self, seeded_ui: ServedUi) -> None:
        """``limit`` rows a page; next/previous links keep the filters; the pager says where it is."""
        first = seeded_ui.page("/sessions", {"prefix": "page-", "limit": "5"})
        assert session_ids(first) == PAGED_SESSIONS[::-1][:5]
        assert not first.select("a", attr="rel", value="prev")
        next_link = first.one("a", attr="rel", value="next").attrs["href"]
        assert next_link == "/sessions?prefix=page-&page=2&limit=5"
        assert "sessions 1–5 of 12 · page 1 of 3" in first.one("nav", cls="pager").text
        last = seeded_ui.page("/sessions", {"prefix": "page-", "limit": "5", "page": "3"})
        assert session_ids(last) == PAGED_SESSIONS[::-1][10:]
        assert (
            last.one("a", attr="rel", value="prev").attrs["href"] == "/sessions?prefix=page-&page=2&limit=5"
        )
        assert not last.select("a", attr="rel", value="next")

    def test_bad_parameters_are_a_400_page(self, seeded_ui: ServedUi) -> None:
        """An unknown sort key or a bad page is a 400 page naming the parameter."""
        for params, name in (({"sort": "name"}, "sort"), ({"page": "0"}, "page"), ({"order": "up"}, "order")):
            response = seeded_ui.get("/sessions", params)
            assert response.status == 400
            assert name in Page(response.body.decode()).one("p", cls="message").text

    def test_other_projects_sessions_are_not_listed(self, seeded_ui: ServedUi) -> None:
        """The list holds only the authenticated project's sessions."""
        assert "chat-other" not in session_ids(seeded_ui.page("/sessions", {"limit": "100"}))

    def test_empty_state_says_how_to_send_data(self, empty_ui: ServedUi) -> None:
        """Without sessions the page points at ``otel-bridge demo`` and the OTLP endpoint."""
        page = empty_ui.page("/sessions")
        text = page.one("section", cls="getting-started").text
        assert "http://127.0.0.1:4318/v1/traces" in text
        assert "otel-bridge demo --endpoint http://127.0.0.1:4318 --public-key pk-lf-api" in text
        assert "sk-lf-api" not in text


class TestSessionPage:
    def test_traces_in_timestamp_order_with_their_numbers(self, seeded_ui: ServedUi) -> None:
        """The traces, oldest first, each with name (linked), time, duration, tokens, cost, level."""
        page = seeded_ui.page("/sessions/chat-1")
        turns = page.select("article", cls="turn")
        assert [t.attrs["data-trace-id"] for t in turns] == [TRACE_1, TRACE_2]
        link = page.one("a", cls="trace-link", within=turns[0])
        assert (link.text, link.attrs["href"]) == ("agent turn", f"/traces/{TRACE_1}")
        header = page.one("header", within=turns[0]).text
        assert "2025-01-01 00:00:00 UTC" in header and "3.00 s" in header
        assert "12 → 7 tokens" in header and "$0.002" in header and "ERROR" in header
        assert not page.select("span", cls="level", within=turns[1])  # no badge for a normal trace

    def test_input_and_output_read_as_a_chat(self, seeded_ui: ServedUi) -> None:
        """Normalized messages render as a transcript of role + content, tool calls included."""
        page = seeded_ui.page("/sessions/chat-1")
        first, second = page.select("article", cls="turn")
        messages = page.select("li", cls="message", within=first)
        assert [m.text for m in messages] == ["system Be brief.", "user hello?", "assistant hi there"]
        assert messages[1].classes >= {"role-user"} and messages[2].classes >= {"role-assistant"}
        output = page.one("section", cls="output", within=second)
        assert page.one("code", cls="call", within=output).text == '→ weather({"city":"Paris"})'
        assert page.one("li", cls="message", within=page.one("section", cls="input", within=second)).text == (
            "user weather in Paris?"
        )

    def test_traces_are_paged(self, seeded_ui: ServedUi) -> None:
        """A long session shows ``TRACES_PER_PAGE`` traces a page, with links between the pages."""
        first = seeded_ui.page(session_url(LONG_SESSION))
        assert len(first.select("article", cls="turn")) == LONG_TRACES - 1
        assert (
            first.select("a", attr="rel", value="next")[0].attrs["href"] == f"/sessions/{LONG_SESSION}?page=2"
        )
        second = seeded_ui.page(session_url(LONG_SESSION, page=2))
        assert [t.attrs["data-trace-id"] for t in second.select("article", cls="turn")] == [
            f"{200 + LONG_TRACES - 1:032x}"
        ]
        assert second.select("a", attr="rel", value="prev")[0].attrs["href"] == f"/sessions/{LONG_SESSION}"

    def test_unknown_session_is_404(self, seeded_ui: ServedUi) -> None:
        """An id nobody sent is a 404 page."""
        response = seeded_ui.get("/sessions/nope")
        assert response.status == 404
        assert "Session nope not found" in Page(response.body.decode()).one("p", cls="message").text

    def test_other_projects_session_is_404(self, seeded_ui: ServedUi) -> None:
        """Another project's session id is a 404 that shows none of its data."""
        response = seeded_ui.get("/sessions/chat-other")
        assert response.status == 404
        assert b"secret" not in response.body

    def test_links_to_odd_ids_round_trip(self, seeded_ui: ServedUi) -> None:
        """A session id with ``<>'()`` is linked percent-encoded and its page found by that link."""
        href = session_url(SCRIPT_SESSION)
        assert href == "/sessions/" + quote(SCRIPT_SESSION, safe="")
        page = seeded_ui.page(href)
        assert page.one("span", cls="id").text == SCRIPT_SESSION


class TestTracePage:
    def test_observations_as_a_tree_by_start_time(self, seeded_ui: ServedUi) -> None:
        """Children follow their parent, ordered by start, indented by depth."""
        page = seeded_ui.page(f"/traces/{TRACE_2}")
        nodes = page.select("li", cls="node")
        order = [(n.attrs["data-observation-id"], n.attrs["data-depth"]) for n in nodes]
        assert order == [(f"{4:016x}", "0"), (f"{7:016x}", "1"), (f"{5:016x}", "1"), (f"{6:016x}", "2")]
        assert [len(page.select("span", cls="step", within=n)) for n in nodes] == [0, 1, 1, 2]
        assert nodes[3].attrs["data-parent-id"] == f"{5:016x}"

    def test_links_back_to_its_session(self, seeded_ui: ServedUi) -> None:
        """The trace page links to its session, and shows the trace's input and output."""
        page = seeded_ui.page(f"/traces/{TRACE_1}")
        assert page.one("a", cls="session-link").attrs["href"] == "/sessions/chat-1"
        assert [m.text for m in page.select("li", cls="message")][-1] == "assistant hi there"

    def test_other_projects_trace_is_404(self, seeded_ui: ServedUi) -> None:
        """Another project's trace id is a 404, as is an unknown one."""
        assert seeded_ui.get(f"/traces/{OTHER_TRACE}").status == 404
        assert seeded_ui.get(f"/traces/{'f' * 32}").status == 404


class TestEscaping:
    def test_scripts_in_ids_names_and_messages_are_inert(self, seeded_ui: ServedUi) -> None:
        """A ``<script>`` in a session id, span name or message is shown as text on every page."""
        trace_id = f"{4:032x}"
        for path in ("/sessions", session_url(SCRIPT_SESSION), f"/traces/{trace_id}"):
            body = seeded_ui.get(path, {"limit": "100"} if path == "/sessions" else None).body.decode()
            assert body.count("<script") == 1 and '<script src="/static/otel-bridge.js" defer>' in body, path
            assert "&lt;script&gt;" in body, path
        texts = {e.text for e in Page(seeded_ui.get(session_url(SCRIPT_SESSION)).body.decode()).elements}
        assert {SCRIPT_NAME, f"user {SCRIPT_CONTENT}"} <= texts
        row = Page(seeded_ui.get("/sessions", {"limit": "100"}).body.decode()).select(
            "tr", attr="data-session-id", value=SCRIPT_SESSION
        )
        assert len(row) == 1

    def test_filter_values_are_escaped_in_the_form(self, seeded_ui: ServedUi) -> None:
        """A filter value with quotes and markup comes back as the input's value, not as markup."""
        hostile = '"><script>alert(1)</script>'
        page = seeded_ui.page("/sessions", {"user": hostile})
        assert page.one("input", attr="name", value="user").attrs["value"] == hostile
        assert [s.attrs for s in page.select("script")] == [{"src": "/static/otel-bridge.js", "defer": ""}]


class TestTraceForwarding:
    def test_the_trace_page_shows_whether_it_was_forwarded(self, seeded_ui: ServedUi) -> None:
        """Forwarding on: the page says delivered or not, when, and the target's last error."""
        from otel_bridge.store.sql.forwarding import Due, mark_changed
        from otel_bridge.store.sql.schema import forwarding

        store, project = seeded_ui.store, seeded_ui.project_id
        assert seeded_ui.page(f"/traces/{TRACE_1}").select("div", cls="forwarding") == []
        with store.engine.begin() as conn:
            mark_changed(conn, project, [TRACE_1], 5)
        try:
            fact = seeded_ui.page(f"/traces/{TRACE_1}").one("div", cls="forwarding")
            assert "not yet" in fact.text
            due = Due(project, TRACE_1, 5, 0, None, frozenset())
            store.forwarding.apply([store.forwarding.failed(due, "HTTP 401: Invalid credentials")])
            fact = seeded_ui.page(f"/traces/{TRACE_1}").one("div", cls="forwarding")
            assert "refused" in fact.text and "HTTP 401: Invalid credentials" in fact.text
            store.forwarding.apply([store.forwarding.sent(due, "d", ["x"], 1_735_689_600_000_000_000)])
            fact = seeded_ui.page(f"/traces/{TRACE_1}").one("div", cls="forwarding")
            assert "yes" in fact.text and "2025-01-01" in fact.text
        finally:
            with store.engine.begin() as conn:
                conn.execute(forwarding.delete())
