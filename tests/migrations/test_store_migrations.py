"""The store's Alembic migrations: reversible, and in step with ``otel_bridge.store.sql.schema``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from otel_bridge import cli
from otel_bridge.store.sql import migrations, schema

TABLES = {"projects", "contents", "observations", "traces", "sessions", "forwarding", "scores", "bookmarks"}


def tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


class TestUpAndDown:
    def test_base_to_head_to_base(self, empty_engine: sa.Engine) -> None:
        """Upgrading from nothing creates every table; downgrading to base removes them all."""
        migrations.upgrade(empty_engine, "head")
        assert tables(empty_engine) == TABLES
        assert migrations.current_revision(empty_engine) == migrations.head_revision()
        migrations.downgrade(empty_engine, "base")
        assert tables(empty_engine) == set()
        assert migrations.current_revision(empty_engine) is None
        migrations.upgrade(empty_engine, "head")
        assert tables(empty_engine) == TABLES

    def test_every_revision_steps_down_and_up(self, empty_engine: sa.Engine) -> None:
        """Each revision's downgrade undoes its upgrade, one step at a time."""
        script = ScriptDirectory.from_config(migrations.alembic_config())
        revisions = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
        for revision in revisions:
            migrations.upgrade(empty_engine, revision)
            assert migrations.current_revision(empty_engine) == revision
        for revision in reversed(revisions):
            assert migrations.current_revision(empty_engine) == revision
            migrations.downgrade(empty_engine, "-1")
        assert migrations.current_revision(empty_engine) is None
        assert tables(empty_engine) == set()


class TestNoDrift:
    def test_head_matches_the_schema_module(self, empty_engine: sa.Engine) -> None:
        """Autogenerate finds no difference between the migrated database and ``schema.metadata``."""
        migrations.upgrade(empty_engine, "head")
        with empty_engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, schema.metadata)
        assert differences == []


class TestCommandLine:
    def test_db_upgrade_and_downgrade(
        self, empty_engine: sa.Engine, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``otel-bridge db upgrade/downgrade --db URL`` migrate the given database; an empty one is
        set up only when asked (``--create``)."""
        url = empty_engine.url
        if empty_engine.dialect.name == "postgresql":
            # The test's schema rides on the engine's connect arguments; a URL carries it as libpq's
            # options parameter.
            url = url.update_query_dict({"options": f"-csearch_path={_search_path(empty_engine)}"})
        dsn = url.render_as_string(hide_password=False)
        assert cli.main(["db", "upgrade", "--db", dsn]) == 1
        assert "pass --create to make a new one" in capsys.readouterr().err
        assert tables(empty_engine) == set()
        assert cli.main(["db", "upgrade", "--create", "--db", dsn]) == 0
        assert tables(empty_engine) == TABLES
        assert cli.main(["db", "current", "--db", dsn]) == 0
        assert f"at revision {migrations.head_revision()}" in capsys.readouterr().out
        assert cli.main(["db", "downgrade", "--db", dsn, "--revision", "base"]) == 0
        assert tables(empty_engine) == set()


def _search_path(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SHOW search_path").scalar_one())
