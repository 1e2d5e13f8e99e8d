"""The store contract runs against every store: in memory, SQLite and PostgreSQL (fixtures in
``tests/support/fixtures.py``)."""

from tests.support.fixtures import project_id, store

__all__ = ["project_id", "store"]
