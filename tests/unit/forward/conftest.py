"""The forwarder's unit tests run on SQLite and PostgreSQL (``tests/support/fixtures.py``)."""

from tests.support.fixtures import dialect, empty_engine

__all__ = ["dialect", "empty_engine"]
