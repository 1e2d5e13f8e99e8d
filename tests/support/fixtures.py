"""pytest fixtures over the stores and databases; a conftest imports them by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from otel_bridge.store import Store
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.migrations import upgrade
from tests.support.databases import dialect_params, fresh_engine


@pytest.fixture(params=dialect_params())
def dialect(request: pytest.FixtureRequest) -> str:
    """The database under test: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def empty_engine(dialect: str, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on an empty database (no tables)."""
    with fresh_engine(dialect, tmp_path) as engine:
        yield engine


@pytest.fixture
def sql_store(empty_engine: sa.Engine) -> SqlStore:
    """A ``SqlStore`` on a freshly migrated database."""
    upgrade(empty_engine)
    return SqlStore(empty_engine)


@pytest.fixture(params=[pytest.param("memory", id="memory"), *dialect_params()])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store: an ``InMemoryStore``, and a ``SqlStore`` on a freshly migrated database of each kind."""
    if request.param == "memory":
        yield InMemoryStore()
        return
    with fresh_engine(str(request.param), tmp_path) as engine:
        upgrade(engine)
        store = SqlStore(engine)
        yield store
        store.close()


@pytest.fixture
def project_id(store: Store) -> str:
    """The id of a new project in ``store``."""
    return store.create_project("test").project.id
