"""The web UI in a real browser: a real ``otel-bridge serve`` process, sessions sent to it over
OTLP/HTTP by the OpenTelemetry SDK's exporter (``otel-bridge demo``'s, in process) and one crafted
span with markup in its names, then headless Chromium loads the pages and the tests read the DOM it
rendered: the Sessions view, a session as a conversation, a trace as a tree, and a screenshot."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytest

from otel_bridge.demo import DemoReport, resolve_target, run
from otel_bridge.testing import build_export_request, make_span
from otel_bridge.ui.links import session_url
from tests.browser.chromium import Chromium, signed_in
from tests.e2e.conftest import post
from tests.e2e.server import ServerProcess
from tests.unit.ui.dom import Page

SESSIONS = 3
SEED = 5
#: A session id and a span name that would be markup if the pages did not escape them.
MARKUP_SESSION = "<b>bold</b> & co"
MARKUP_NAME = "<script>document.title='pwned'</script>"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Site:
    """The server, what was sent to it, and a browser signed in to it."""

    server: ServerProcess
    report: DemoReport
    chromium: Chromium

    def url(self, path: str) -> str:
        """``path`` on the server, with the default project's keys."""
        return signed_in(self.server.base_url, self.server.public_key, self.server.secret_key, path)

    def page(self, path: str) -> Page:
        """The DOM Chromium rendered for ``path``."""
        return Page(self.chromium.dom(self.url(path)))


def send_markup_session(server: ServerProcess) -> None:
    """One span whose session id and name hold markup, over OTLP/HTTP protobuf."""
    span = make_span(MARKUP_NAME, attributes={"session.id": MARKUP_SESSION, "input.value": MARKUP_NAME})
    result = post(server, build_export_request([span]).SerializeToString())
    assert result.status == 200, result.body


@pytest.fixture(scope="module")
def site(chromium: Chromium, server: ServerProcess) -> Site:
    """The module's server with the demo's sessions and the markup session in it."""
    target = resolve_target("http", server.base_url, server.public_key, server.secret_key, environ={})
    report = run(target, SESSIONS, SEED)
    send_markup_session(server)
    return Site(server, report, chromium)


class TestSignIn:
    def test_keys_in_the_url_answer_the_challenge(self, site: Site) -> None:
        """With the keys ``/`` leads to the Sessions view; without them, or with a wrong secret, the
        browser is challenged and cannot load the page."""
        assert site.page("/").one("h1").text == "Sessions"
        wrong = signed_in(site.server.base_url, site.server.public_key, "sk-lf-wrong", "/sessions")
        for url in (f"{site.server.base_url}/sessions", wrong):
            result = site.chromium.run(url, "--dump-dom")
            assert not result.stdout.strip(), url
            assert "ERR_INVALID_AUTH_CREDENTIALS" in result.stderr, url


class TestSessionsView:
    def test_lists_the_sent_sessions(self, site: Site) -> None:
        """Every session sent is a row with its trace count; the markup session is a row too."""
        page = site.page("/sessions")
        rows = {row.attrs["data-session-id"]: row for row in page.select("tr", attr="data-session-id")}
        assert set(rows) == {s.id for s in site.report.sessions} | {MARKUP_SESSION}
        for sent in site.report.sessions:
            cells = page.select("td", within=rows[sent.id])
            assert cells[1].text == str(sent.traces), sent.id
            assert cells[2].text == sent.user_id, sent.id
        assert page.one("strong", attr="id", value="total").text == str(SESSIONS + 1)

    def test_screenshot(self, site: Site, tmp_path: Path) -> None:
        """A 1280×900 screenshot of the Sessions view is a non-empty PNG of that size."""
        path = site.chromium.screenshot(site.url("/sessions"), tmp_path / "sessions.png")
        data = path.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (1280, 900)


class TestSessionPage:
    def test_shows_the_conversation(self, site: Site) -> None:
        """A session's page has one turn per trace, and its transcript has user and assistant messages."""
        sent = next(s for s in site.report.sessions if s.convention == "genai")
        page = site.page(session_url(sent.id))
        turns = page.select("article", cls="turn")
        assert len(turns) == sent.traces
        for turn in turns:
            messages = page.select("li", cls="message", within=turn)
            styles = set().union(*(m.classes for m in messages))
            assert {"role-user", "role-assistant"} <= styles
            assert all(m.text for m in messages)


class TestTracePage:
    def test_shows_the_tree(self, site: Site) -> None:
        """A trace reached from its session's link shows one root and its children one level deeper."""
        sent = site.report.sessions[0]
        session = site.page(session_url(sent.id))
        href = session.select("a", cls="trace-link")[0].attrs["href"]
        page = site.page(href)
        nodes = page.select("li", cls="node")
        depths = [int(n.attrs["data-depth"]) for n in nodes]
        assert depths[0] == 0 and depths.count(0) == 1 and set(depths[1:]) == {1}
        root = nodes[0].attrs["data-observation-id"]
        assert all(n.attrs["data-parent-id"] == root for n in nodes[1:])
        types = {page.one("span", cls="type", within=n).text for n in nodes}
        assert "GENERATION" in types
        assert page.one("a", cls="session-link").attrs["href"] == session_url(sent.id)


class TestEscaping:
    def test_markup_in_data_stays_text(self, site: Site) -> None:
        """Markup in a session id and span name shows as text: no element is made of it, no script runs."""
        page = site.page(session_url(MARKUP_SESSION))
        assert page.one("span", cls="id").text == MARKUP_SESSION
        assert page.one("a", cls="trace-link").text == MARKUP_NAME
        assert page.one("title").text.startswith(f"Session {MARKUP_SESSION}")
        assert not page.select("b") and not page.select("script")
