"""Where things are in the checkout: every test finds the repository root here, and nothing a test
reads lies outside it."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (this file is ``tests/support/paths.py``).
REPOSITORY = Path(__file__).resolve().parent.parent.parent
#: Test data committed with the tests.
TESTS = REPOSITORY / "tests"

__all__ = ["REPOSITORY", "TESTS"]
