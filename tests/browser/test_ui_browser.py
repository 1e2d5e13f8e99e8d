"""The web UI in Debian's Chromium through Playwright, against a real ``otel-bridge serve`` that
received the demo's sessions and crafted spans over OTLP/HTTP (``conftest.py``): one class per item
of the UI (sign-in, the Sessions view, a session, a trace, the Traces view, polish, safety), and the
screenshots of the README (``docs/screenshots/``)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from otel_bridge.ui.links import session_url, trace_url
from tests.browser.conftest import Site
from tests.browser.spans import (
    AGENT_SESSION,
    AGENT_TRACE,
    MARKUP_NAME,
    MARKUP_SESSION,
    MISSING_PARENT,
    ORPHAN_SPAN,
    ORPHAN_TRACE,
)
from tests.support.paths import REPOSITORY

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Dialog, Page

SCREENSHOTS = REPOSITORY / "docs" / "screenshots"
#: Set to rewrite the README's screenshots; otherwise they are taken into a temporary folder, so
#: that a test run leaves the checkout as it found it.
UPDATE_SCREENSHOTS = "OTEL_BRIDGE_UPDATE_SCREENSHOTS"


def session_ids(page: Page) -> list[str]:
    """The Sessions view's rows, in order."""
    return [str(r.get_attribute("data-session-id")) for r in page.locator("tr[data-session-id]").all()]


def relative_luminance(rgb: str) -> float:
    """WCAG's relative luminance of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two computed colours."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class TestSignIn:
    def test_form_cookie_and_sign_out(self, context: BrowserContext, site: Site) -> None:
        """A fresh browser is sent to the form; the keys lead back to the page asked for, with an
        HttpOnly, SameSite=Strict, expiring cookie scripts cannot read; signing out ends it."""
        page = context.new_page()
        page.goto("/sessions?sort=trace_count")
        assert page.url.endswith("/sign-in?next=%2Fsessions%3Fsort%3Dtrace_count")
        page.fill("input[name=public_key]", site.server.public_key)
        page.fill("input[name=secret_key]", "sk-lf-wrong")
        page.click("form.sign-in-form button")
        assert page.locator("p.error-message").inner_text() == "Wrong public or secret key."
        page.fill("input[name=secret_key]", site.server.secret_key)
        with page.expect_navigation():
            page.click("form.sign-in-form button")
        assert page.url.endswith("/sessions?sort=trace_count")
        assert page.locator("h1").inner_text() == "Sessions"
        (cookie,) = context.cookies()
        assert (cookie["httpOnly"], cookie["sameSite"]) == (True, "Strict")
        assert cookie["expires"] > 0 and site.server.secret_key not in cookie["value"]
        assert page.evaluate("document.cookie") == ""
        with page.expect_navigation():
            page.click("form.sign-out button")
        assert page.url.endswith("/sign-in") and context.cookies() == []
        page.goto("/sessions")
        assert "/sign-in" in page.url


class TestSessionsView:
    def test_rows_sorting_and_filters_in_the_url(self, page: Page, site: Site) -> None:
        """Every sent session is a row; a header link sorts; the filter form puts its values in the
        URL, which reopens the same view."""
        sent = {s.id for s in site.report.sessions}
        assert sent <= set(session_ids(page))
        page.click("thead a.sort:text-is('Traces')")
        assert "sort=trace_count" in page.url
        counts = [int(c.inner_text()) for c in page.locator("td.traces").all()]
        assert counts == sorted(counts, reverse=True)
        user = site.report.sessions[0].user_id
        page.fill("form.filters input[name=user]", user)
        page.select_option("form.filters select[name=errors]", "no")
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        assert f"user={user}" in page.url and "errors=no" in page.url and "sort=trace_count" in page.url
        shared = page.url
        assert {site.report.sessions[0].id} <= set(session_ids(page))
        page.goto("/sessions")
        page.goto(shared)
        assert page.input_value("form.filters input[name=user]") == user

    def test_charts_are_drawn(self, page: Page) -> None:
        """Four SVG charts above the table, with bars that have a size and a tooltip."""
        charts = page.locator("figure.chart")
        assert charts.count() == 4
        bars = page.locator("figure.chart-sessions rect")
        assert bars.count() >= 1
        box = bars.first.bounding_box()
        assert box is not None and box["height"] > 0 and box["width"] > 0
        assert re.match(r".+: \d+ sessions", str(bars.first.locator("title").text_content()))

    def test_bookmark_star(self, page: Page) -> None:
        """The star bookmarks the session; the ★ filter then lists it; again, it is removed."""
        page.goto(f"/sessions?q={AGENT_SESSION}")
        with page.expect_navigation():
            page.click(f"tr[data-session-id='{AGENT_SESSION}'] button.star")
        assert page.locator(f"tr[data-session-id='{AGENT_SESSION}'] button.star.marked").inner_text() == "★"
        page.goto("/sessions?bookmarked=yes")
        assert session_ids(page) == [AGENT_SESSION]
        with page.expect_navigation():
            page.click("button.star.marked")
        page.goto("/sessions?bookmarked=yes")
        assert session_ids(page) == []

    def test_auto_refresh_keeps_filters_and_position(self, page: Page) -> None:
        """With ``refresh=10`` the page reloads by itself, same URL, same scroll position."""
        page.set_viewport_size({"width": 1280, "height": 400})
        page.goto("/sessions?refresh=10&sort=id")
        page.evaluate("window.scrollTo(0, 250)")
        before = page.url
        page.wait_for_event("load", timeout=30_000)
        for _ in range(100):  # the script restores the position once the page is parsed
            if page.evaluate("window.scrollY") > 0:
                break
            page.wait_for_timeout(100)
        assert page.url == before
        assert page.evaluate("window.scrollY") == 250

    def test_fits_900_px(self, page: Page) -> None:
        """At 900 px wide nothing is cut off: the table ends inside the page, which has no
        horizontal scroll; ids break inside their cell."""
        page.set_viewport_size({"width": 900, "height": 900})
        page.goto("/sessions")
        width = page.evaluate("document.documentElement.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        table = page.locator("table.sessions").bounding_box()
        assert table is not None and table["x"] + table["width"] <= width
        for header in page.locator("table.sessions th").all():
            box = header.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width


class TestSessionPage:
    def test_chips_conversation_idle_gap_and_errors(self, page: Page) -> None:
        """The agent session: its chips, its first turn's messages from the generations (question,
        tool call, tool result, answer), the error's message in the card, the idle-gap marker."""
        page.goto(session_url(AGENT_SESSION))
        chips = page.locator("ul.chips").inner_text()
        assert "TRACES 2" in chips.upper() and "MEDIAN" in chips.upper()
        first = page.locator("article.turn").first
        assert (
            first.locator("section.input li.message").inner_text().endswith("What is the weather in Paris?")
        )
        output = [m.inner_text() for m in first.locator("section.output li.message").all()]
        assert len(output) == 3 and "weather" in output[0] and "sunny, 21 °C" in output[1]
        assert output[2].endswith("It is sunny in Paris, 21 °C.")
        assert first.locator("ul.turn-errors").inner_text().endswith("fetch radar: radar service timed out")
        marker = page.locator("div.idle-gap")
        assert marker.count() == 1 and marker.inner_text().lower().startswith("idle 10 min")
        assert page.locator("article.turn, div.idle-gap").evaluate_all("els => els.map(e => e.tagName)") == [
            "ARTICLE",
            "DIV",
            "ARTICLE",
        ]

    def test_copy_id_and_download(self, context: BrowserContext, page: Page, tmp_path: Path) -> None:
        """The copy button (shown by the script) puts the id on the clipboard; the download is the
        session as JSON with its traces and their observations."""
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page.goto(session_url(AGENT_SESSION))
        button = page.locator("button.copy")
        assert button.is_visible()
        button.click()
        # A locator wait, not wait_for_function: that one evaluates a string, which the pages' CSP
        # (no 'unsafe-eval') refuses, as it should.
        page.locator("button.copy.copied", has_text="Copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == AGENT_SESSION
        with page.expect_download() as info:
            page.click("a[download]")
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        assert info.value.suggested_filename == f"session-{AGENT_SESSION}.json"
        body: dict[str, Any] = json.loads(path.read_text())
        assert body["id"] == AGENT_SESSION and [t["id"] for t in body["traces"]] == [AGENT_TRACE, "b" * 32]
        assert len(body["traces"][0]["observations"]) == 5

    def test_demo_sessions_read_as_a_chat(self, page: Page, site: Site) -> None:
        """A demo session's turns hold user and assistant messages; each links to its trace."""
        sent = next(s for s in site.report.sessions if s.convention == "genai")
        page.goto(session_url(sent.id))
        turns = page.locator("article.turn")
        assert turns.count() == sent.traces
        roles = set(turns.first.locator("li.message").evaluate_all("els => els.map(e => e.className)"))
        assert any("role-user" in r for r in roles) and any("role-assistant" in r for r in roles)
        with page.expect_navigation():
            turns.first.locator("a.trace-link").click()
        assert "/traces/" in page.url


class TestTracePage:
    def test_timeline_to_scale_and_details(self, page: Page) -> None:
        """The bars sit where their observations ran (the generation from 1 s to 2 s of a 6 s trace);
        clicking a row opens its details with model, usage and chat."""
        page.goto(trace_url(AGENT_TRACE))
        root = page.locator("li.node").first.locator("svg.bar").bounding_box()
        generation = page.locator(f"li[data-observation-id='{'a' * 15}1'] svg.bar rect").bounding_box()
        assert root is not None and generation is not None
        assert abs((generation["x"] - root["x"]) / root["width"] - 1 / 6) < 0.01
        assert abs(generation["width"] / root["width"] - 1 / 6) < 0.01
        with page.expect_navigation():
            page.click(f"li[data-observation-id='{'a' * 15}1'] a.line")
        pane = page.locator("aside.details")
        assert pane.get_attribute("data-observation-id") == "a" * 15 + "1"
        text = pane.inner_text()
        assert "gpt-4o" in text and "120 in → 18 out (138)" in text
        assert "What is the weather in Paris?" in pane.locator("section.input").inner_text()
        pane.locator("section.output details.as-json > summary").click()
        assert '"tool_calls"' in str(pane.locator("section.output details.as-json").text_content())

    def test_orphan_first_and_marked(self, page: Page) -> None:
        """The span whose parent never arrived is the first row, marked, its parent named."""
        page.goto(trace_url(ORPHAN_TRACE))
        first = page.locator("li.node").first
        assert first.get_attribute("data-observation-id") == ORPHAN_SPAN
        assert first.locator(".orphan-badge").inner_text().lower() == "orphan"
        page.goto(trace_url(ORPHAN_TRACE, ORPHAN_SPAN))
        assert MISSING_PARENT in page.locator("aside.details p.note").inner_text()


class TestTracesView:
    def test_filters(self, page: Page) -> None:
        """The Traces view filters by session and level through its form."""
        page.goto("/traces")
        page.fill("form.filters input[name=session]", AGENT_SESSION)
        page.select_option("form.filters select[name=level]", "error")
        with page.expect_navigation():
            page.click("form.filters button[type=submit]")
        rows = page.locator("tr[data-trace-id]")
        assert [r.get_attribute("data-trace-id") for r in rows.all()] == [AGENT_TRACE]


class TestPolish:
    def test_error_badge_is_readable_and_no_default_badge(self, page: Page) -> None:
        """The tree's ERROR badge is white on red with WCAG AA contrast; normal rows have no badge;
        a 400 µs span reads in microseconds."""
        page.goto(trace_url(AGENT_TRACE))
        badge = page.locator("ol.tree span.level-error")
        assert badge.count() == 1
        colors = badge.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
        assert contrast(*colors) >= 4.5, colors
        assert "DEFAULT" not in page.locator("ol.tree").inner_text()
        radar = page.locator(f"li[data-observation-id='{'a' * 15}3'] .dur")
        assert radar.inner_text() == "400 µs"


class TestSafety:
    def test_markup_stays_text_and_no_script_runs(self, page: Page) -> None:
        """A session id, span name and input holding markup render as text: no element is made of
        them, no injected script or handler runs, and nothing violates the CSP."""
        violations: list[str] = []
        dialogs: list[str] = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(session_url(MARKUP_SESSION))
        assert page.locator("h1 span.id").inner_text() == MARKUP_SESSION
        assert page.locator("a.trace-link").inner_text() == MARKUP_NAME
        assert page.title().startswith(f"Session {MARKUP_SESSION}")
        assert page.locator("b, img").count() == 0
        assert page.evaluate("[...document.scripts].map(s => s.src)") == [
            f"{page.url.split('/sessions')[0]}/static/otel-bridge.js"
        ]
        handlers = page.evaluate(
            "[...document.querySelectorAll('*')]"
            ".flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))"
        )
        assert handlers == [] and dialogs == [] and violations == []

    def test_headers_and_no_framing(self, page: Page, site: Site) -> None:
        """Every page carries the CSP (scripts and styles of this server only, no framing); another
        page cannot frame the UI."""
        response = page.goto("/sessions")
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        page.set_content(f'<iframe src="{site.url("/sign-in")}"></iframe>')
        page.wait_for_timeout(1000)
        frame = page.frames[1]
        assert frame.locator("form.sign-in-form").count() == 0


class TestScreenshots:
    def test_sessions_session_and_trace(self, page: Page, tmp_path: Path) -> None:
        """The README's screenshots, 1280 × 900: the Sessions view, the agent session, its trace
        (into ``docs/screenshots/`` with ``OTEL_BRIDGE_UPDATE_SCREENSHOTS=1``)."""
        folder = SCREENSHOTS if os.environ.get(UPDATE_SCREENSHOTS) else tmp_path
        folder.mkdir(parents=True, exist_ok=True)
        shots = {
            "sessions.png": "/sessions",
            "session.png": session_url(AGENT_SESSION),
            "trace.png": trace_url(AGENT_TRACE, "a" * 15 + "1"),
        }
        for name, path in shots.items():
            page.goto(path)
            data = page.screenshot(path=str(folder / name))
            assert data.startswith(b"\x89PNG") and len(data) > 20_000, name
