"""Fixtures of the browser tests: a real ``otel-bridge serve`` process (the end-to-end tests'
``server``) with sessions sent to it over OTLP/HTTP, and Debian's Chromium under Playwright.

What the server holds (``site``): the demo's sessions (``otel-bridge demo``'s, sent by the
OpenTelemetry SDK's exporter), and crafted spans (``tests.browser.spans``): a session with markup in
its id and names, an agent session whose conversation lives on its generations with an idle gap and an
error, and a trace with an orphan.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from otel_bridge.demo import DemoReport, resolve_target, run
from tests.browser.chromium import TIMEOUT_MS, launched
from tests.browser.spans import send_crafted
from tests.e2e.conftest import server
from tests.e2e.server import ServerProcess

if TYPE_CHECKING:  # Playwright is imported when a browser is launched (it may be missing: a skip)
    from playwright.sync_api import Browser, BrowserContext, Page

__all__ = ["browser", "server", "site"]

DEMO_SESSIONS = 8
SEED = 5


@dataclass(frozen=True)
class Site:
    """The server and what was sent to it."""

    server: ServerProcess
    report: DemoReport

    def url(self, path: str) -> str:
        """``path`` on the server."""
        return self.server.base_url + path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (skipped without Chromium or Playwright, failed under CI)."""
    with launched() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def site(server: ServerProcess) -> Site:
    """The module's server with the demo's sessions and the crafted spans in it."""
    target = resolve_target("http", server.base_url, server.public_key, server.secret_key, environ={})
    report = run(target, DEMO_SESSIONS, SEED)
    send_crafted(server)
    return Site(server, report)


@pytest.fixture
def context(browser: Browser, site: Site) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) at 1280 × 900."""
    made = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site.server.base_url)
    made.set_default_timeout(TIMEOUT_MS)
    yield made
    made.close()


def sign_in(page: Page, site: Site, path: str = "/sessions") -> None:
    """Sign in through the form, as a person would, and land on ``path``."""
    page.goto(path)
    page.fill("input[name=public_key]", site.server.public_key)
    page.fill("input[name=secret_key]", site.server.secret_key)
    with page.expect_navigation():
        page.click("form.sign-in-form button[type=submit]")


@pytest.fixture
def page(context: BrowserContext, site: Site) -> Page:
    """A signed-in page of a fresh profile, on the Sessions view."""
    opened = context.new_page()
    sign_in(opened, site)
    return opened
