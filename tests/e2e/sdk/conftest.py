"""Fixtures of the SDK end-to-end tests: the fake chat server (the e2e ``server`` fixture of
``tests/e2e/conftest.py`` is the real otel-bridge server)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.sdk.harness import FakeLLM


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLLM]:
    """A fake OpenAI-compatible chat server for the scenarios' LLM calls."""
    llm = FakeLLM()
    yield llm
    llm.close()
