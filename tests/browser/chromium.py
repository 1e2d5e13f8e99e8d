"""Debian's Chromium driven by Playwright (``pip install playwright``, in the dev extra): the browser
binary is the system's (``executable_path``), Playwright's own browser download is never used.

Chromium and Playwright are prerequisites (``apt-get install -y chromium``; ``make install``). Without
them the browser tests skip, saying how to get them; under ``CI=true`` they fail instead (the
PostgreSQL rule of ``tests/support/databases.py``), and ``.ci/run`` installs Chromium.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from tests.support.databases import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Browser

#: Binary names, most likely first (Debian's package installs ``chromium``).
BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "the browser tests need Chromium: apt-get install -y chromium"
PLAYWRIGHT_HINT = "the browser tests need Playwright: make install (the dev extra has it)"
FLAGS = (
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
)
#: Page loads are local, but a cold Chromium on a loaded 2-core machine takes seconds.
TIMEOUT_MS = 60_000


def _missing(hint: str) -> None:
    if in_ci():
        pytest.fail(f"CI=true: {hint}", pytrace=False)
    pytest.skip(hint)


def find_chromium() -> str:
    """The Chromium binary; skips the test (fails it under CI) when there is none."""
    for name in BINARIES:
        path = shutil.which(name)
        if path is not None:
            return path
    _missing(INSTALL_HINT)
    raise AssertionError("unreachable")


@contextmanager
def launched() -> Iterator[Browser]:
    """Headless Chromium under Playwright, closed afterwards."""
    binary = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing(PLAYWRIGHT_HINT)
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, headless=True, args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


__all__ = ["FLAGS", "INSTALL_HINT", "PLAYWRIGHT_HINT", "TIMEOUT_MS", "find_chromium", "launched"]
