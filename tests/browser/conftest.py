"""Fixtures of the browser tests: a real server (the end-to-end tests' ``server``), Chromium, and
sessions sent to the server over OTLP."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.chromium import Chromium, find_chromium
from tests.e2e.conftest import server

__all__ = ["chromium", "server"]


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Chromium:
    """Headless Chromium with a fresh profile (skipped without Chromium, failed under CI)."""
    binary = find_chromium()
    profile: Path = tmp_path_factory.mktemp("chromium-profile")
    return Chromium(binary, profile)
