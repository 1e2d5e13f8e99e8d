"""The stores' own tests: the SQL store's run against SQLite and PostgreSQL (fixtures in
``tests/support/fixtures.py``)."""

from tests.support.fixtures import dialect, empty_engine, sql_store

__all__ = ["dialect", "empty_engine", "sql_store"]
