"""Administering a store: the default project's keys, ``keys create``, and the lines printed for them."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from otel_bridge.admin import (
    DEFAULT_PROJECT,
    CreatedKeys,
    ProjectKeysNotice,
    create_keys,
    default_project_lines,
    describe_keys,
    ensure_default_project,
    open_store,
    redacted_url,
)
from otel_bridge.config import Settings
from otel_bridge.errors import CommandError, ConfigError
from otel_bridge.store.sql import SqlStore

PK, SK = "pk-lf-unit-1", "sk-lf-unit-1"
ENDPOINT = "http://127.0.0.1:4318"
DB = "sqlite:////srv/otel-bridge.db"
GRPC = "127.0.0.1:4317"
#: ``Authorization=Basic%20…`` for PK:SK, as OTEL_EXPORTER_OTLP_HEADERS spells it.
HEADER = "Authorization=Basic%20" + base64.b64encode(f"{PK}:{SK}".encode()).decode()


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


class TestDefaultProjectLines:
    def test_known_secret_gives_ready_to_paste_exports(self) -> None:
        """With the secret at hand: the exporter's endpoint and Basic header, and the Langfuse trio."""
        lines = default_project_lines(ProjectKeysNotice("p1", PK, SK, generated=False), ENDPOINT, DB, GRPC)
        assert lines == [
            f"project '{DEFAULT_PROJECT}': public key {PK}",
            f"export OTEL_EXPORTER_OTLP_ENDPOINT={ENDPOINT}",
            f'export OTEL_EXPORTER_OTLP_HEADERS="{HEADER}"',
            f"export LANGFUSE_HOST={ENDPOINT} LANGFUSE_PUBLIC_KEY={PK} LANGFUSE_SECRET_KEY={SK}",
            f"export OTEL_BRIDGE_GRPC_ENDPOINT={GRPC}",
        ]

    def test_generated_keys_say_they_are_shown_once(self) -> None:
        """Keys generated on this start are shown with a warning that the secret will not be again."""
        lines = default_project_lines(ProjectKeysNotice("p1", PK, SK, generated=True), ENDPOINT, DB, GRPC)
        assert lines[1] == "  (keys generated now; the secret key is shown only this once)"
        assert f'export OTEL_EXPORTER_OTLP_HEADERS="{HEADER}"' in lines

    def test_forgotten_secret_says_how_to_get_a_new_pair(self) -> None:
        """Only the hash of an earlier start's secret is stored: no header, and the command to replace it."""
        lines = default_project_lines(ProjectKeysNotice("p1", PK, None, generated=False), ENDPOINT, DB, GRPC)
        assert (
            f"  get a new pair with: otel-bridge keys create --project {DEFAULT_PROJECT} --replace --db {DB}"
            in lines
        )
        assert not any("HEADERS" in line or "SECRET" in line for line in lines)
        assert lines[-2:] == [
            f"export LANGFUSE_HOST={ENDPOINT} LANGFUSE_PUBLIC_KEY={PK}",
            f"export OTEL_BRIDGE_GRPC_ENDPOINT={GRPC}",
        ]

    def test_the_hint_names_the_database_so_that_it_works_from_any_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A relative SQLite path is made absolute; a password is left out (psycopg reads PGPASSWORD)."""
        monkeypatch.chdir(tmp_path)
        forgotten = ProjectKeysNotice("p1", PK, None, generated=False)
        (hint,) = [
            line
            for line in default_project_lines(forgotten, ENDPOINT, "sqlite:///data/x.db", GRPC)
            if "keys" in line
        ]
        assert hint.endswith(f"--replace --db sqlite:///{tmp_path}/data/x.db")
        (hint,) = [
            line
            for line in default_project_lines(
                forgotten, ENDPOINT, "postgresql+psycopg://u:secret@db:5433/ob", GRPC
            )
            if "keys" in line
        ]
        assert hint.endswith(
            "PGPASSWORD=… otel-bridge keys create --project default --replace --db postgresql+psycopg://u@db:5433/ob"
        )
        assert "secret" not in hint

    def test_a_revoked_pair_says_how_to_get_a_new_one(self) -> None:
        lines = default_project_lines(
            ProjectKeysNotice("p1", "revoked-1", None, generated=False), ENDPOINT, DB, GRPC
        )
        assert lines == [
            f"project '{DEFAULT_PROJECT}': its key pair was revoked; get a new pair with:",
            f"  otel-bridge keys create --project {DEFAULT_PROJECT} --replace --db {DB}",
        ]


class TestCreateKeys:
    def test_new_project_then_replace(self, tmp_path: Path) -> None:
        """``keys create`` makes a project; again it refuses unless asked to replace the pair."""
        db = f"sqlite:///{tmp_path / 'keys.db'}"
        created = create_keys(db, "team")
        with pytest.raises(CommandError, match="--replace") as refused:
            create_keys(db, "team")
        assert refused.value.exit_status == 2
        replaced = create_keys(db, "team", replace=True)
        assert replaced.project_id == created.project_id and replaced.public_key != created.public_key
        store = SqlStore(db)
        try:
            assert store.authenticate(created.public_key, created.secret_key) is None
            assert store.authenticate(replaced.public_key, replaced.secret_key) is not None
        finally:
            store.close()

    def test_description(self) -> None:
        """What ``keys create`` prints: the project, both keys, and the exports that use them."""
        text = describe_keys(CreatedKeys("p1", "team", PK, SK, replaced=True))
        assert text.splitlines() == [
            "replaced the key pair of project 'team' (id p1)",
            f"public key: {PK}",
            f"secret key: {SK}   (shown only now; only its hash is stored)",
            f'export OTEL_EXPORTER_OTLP_HEADERS="{HEADER}"',
            f"export LANGFUSE_PUBLIC_KEY={PK} LANGFUSE_SECRET_KEY={SK}",
        ]


def test_redacted_url_hides_the_password() -> None:
    """Database URLs are printed without their password."""
    assert redacted_url("postgresql+psycopg://user:secret@db/otel") == "postgresql+psycopg://user:***@db/otel"
