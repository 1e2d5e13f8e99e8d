"""Migration tests run against SQLite and PostgreSQL (fixtures in ``tests/support/fixtures.py``)."""

from tests.support.fixtures import dialect, empty_engine

__all__ = ["dialect", "empty_engine"]
