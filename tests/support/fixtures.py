"""pytest fixtures over both databases; a conftest imports them by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from otel_bridge.store.migrations import upgrade
from otel_bridge.store.sql import SqlStore
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
def store(empty_engine: sa.Engine) -> Iterator[SqlStore]:
    """A ``SqlStore`` on a freshly migrated database."""
    upgrade(empty_engine)
    store = SqlStore(empty_engine)
    yield store


@pytest.fixture
def project_id(store: SqlStore) -> str:
    """The id of a new project in ``store``."""
    return store.create_project("test").project.id
