"""The composition root's pieces: the default project's keys and the route-provider seam."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.routing import Route

from otel_bridge.config import Settings
from otel_bridge.errors import ConfigError
from otel_bridge.receivers import AppContext
from otel_bridge.server import collect_routes, create_keys, ensure_default_project, open_store
from otel_bridge.store.sql import SqlStore

PK, SK = "pk-lf-unit-1", "sk-lf-unit-1"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'server.db'}")
    yield opened
    opened.close()


class TestDefaultProject:
    def test_generated_once(self, store: SqlStore) -> None:
        """Without keys the first start generates a pair and shows the secret; later starts cannot."""
        first = ensure_default_project(store, Settings())
        assert first.generated and first.secret_key is not None and first.public_key.startswith("pk-lf-")
        again = ensure_default_project(store, Settings())
        assert (again.project_id, again.public_key, again.secret_key) == (
            first.project_id,
            first.public_key,
            None,
        )
        assert store.authenticate(first.public_key, first.secret_key) is not None

    def test_configured_keys_replace_the_pair(self, store: SqlStore) -> None:
        """Keys given in the settings become the default project's pair, on first and later starts."""
        first = ensure_default_project(store, Settings())
        fixed = ensure_default_project(store, Settings(public_key=PK, secret_key=SK))
        assert fixed.project_id == first.project_id and not fixed.generated
        assert store.authenticate(PK, SK) is not None

    def test_keys_of_another_project_are_a_config_error(self, store: SqlStore, tmp_path: Path) -> None:
        """Keys that belong to another project are refused, naming the variables."""
        ensure_default_project(store, Settings())
        other = store.create_project("other", public_key=PK, secret_key=SK)
        assert other.project.id
        with pytest.raises(ConfigError, match="OTEL_BRIDGE_PUBLIC_KEY"):
            ensure_default_project(store, Settings(public_key=PK, secret_key="sk-lf-other"))


class TestCreateKeys:
    def test_new_project_then_replace(self, tmp_path: Path) -> None:
        """``keys create`` makes a project; again it refuses unless asked to replace the pair."""
        db = f"sqlite:///{tmp_path / 'keys.db'}"
        created = create_keys(db, "team")
        with pytest.raises(ConfigError, match="--replace"):
            create_keys(db, "team")
        replaced = create_keys(db, "team", replace=True)
        assert replaced.project_id == created.project_id and replaced.public_key != created.public_key
        store = SqlStore(db)
        try:
            assert store.authenticate(created.public_key, created.secret_key) is None
            assert store.authenticate(replaced.public_key, replaced.secret_key) is not None
        finally:
            store.close()


class TestRouteProviders:
    def test_installed_providers_contribute_routes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A provider module's ``routes(context)`` is called; a missing module is skipped."""
        seen: list[object] = []
        module = types.ModuleType("fake_provider")

        def routes(context: AppContext) -> list[Route]:
            seen.append(context)
            return [Route("/fake", lambda request: None)]

        module.routes = routes  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "fake_provider", module)
        context = object()
        found = collect_routes(context, ("fake_provider", "otel_bridge_no_such_module"))  # type: ignore[arg-type]
        assert [route.path for route in found] == ["/fake"]  # type: ignore[attr-defined]
        assert seen == [context]
