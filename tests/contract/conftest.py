"""The store contract runs against SQLite and PostgreSQL (fixtures in ``tests/support/fixtures.py``)."""

from tests.support.fixtures import dialect, empty_engine, project_id, store

__all__ = ["dialect", "empty_engine", "project_id", "store"]
