"""Headless Chromium driven from its command line: the page's DOM after it loaded (``--dump-dom``)
and screenshots. No driver library: each call is one short browser process with its own profile.

Keys travel in the URL (``http://pk:sk@host/…``): for a top-level navigation Chromium keeps them
and answers the UI's ``401`` + ``WWW-Authenticate: Basic`` challenge with them, as a person signing
in through the browser's dialog would. Without them (or with wrong ones) headless Chromium cannot
answer the challenge: it prints no DOM and logs ``net::ERR_INVALID_AUTH_CREDENTIALS``.

Chromium is a prerequisite (Debian: ``apt-get install -y chromium``). Without it the browser tests
skip, saying how to install it; under ``CI=true`` they fail instead (the PostgreSQL rule of
``tests/support/databases.py``).
"""

from __future__ import annotations

import shutil
import subprocess
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.databases import in_ci

#: Binary names, most likely first (Debian's package installs ``chromium``).
BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "the browser tests need Chromium: apt-get install -y chromium"
#: A cold start of Chromium on a loaded 2-core machine takes seconds; page loads are local.
TIMEOUT_SECONDS = 120
FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """The Chromium binary; skips the test (fails it under CI) when there is none."""
    for name in BINARIES:
        path = shutil.which(name)
        if path is not None:
            return path
    if in_ci():
        pytest.fail(f"CI=true: {INSTALL_HINT}", pytrace=False)
    pytest.skip(INSTALL_HINT)


def signed_in(base_url: str, public_key: str, secret_key: str, path: str) -> str:
    """``base_url`` + ``path`` with the keys as the URL's user name and password."""
    scheme, _, host = base_url.partition("://")
    user = urllib.parse.quote(public_key, safe="")
    password = urllib.parse.quote(secret_key, safe="")
    return f"{scheme}://{user}:{password}@{host}{path}"


@dataclass(frozen=True)
class Chromium:
    """One Chromium binary and a profile directory of its own."""

    binary: str
    profile: Path

    def run(self, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
        """Chromium on ``url`` with ``flags``, to its exit (asserted 0)."""
        result = subprocess.run(
            [self.binary, *FLAGS, f"--user-data-dir={self.profile}", *flags, url],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
        assert result.returncode == 0, f"chromium failed ({result.returncode}):\n{result.stderr[-3000:]}"
        return result

    def dom(self, url: str) -> str:
        """The page's DOM, serialized once it has loaded."""
        dom = self.run(url, "--dump-dom").stdout
        assert dom.strip(), "chromium printed no DOM"
        return dom

    def screenshot(self, url: str, path: Path, width: int = 1280, height: int = 900) -> Path:
        """A PNG of the page's first ``width`` × ``height`` pixels."""
        self.run(url, f"--screenshot={path}", f"--window-size={width},{height}")
        return path
