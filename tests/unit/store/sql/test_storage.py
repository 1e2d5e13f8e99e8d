"""What the SQL store keeps in its tables, read there directly, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.schema import contents, projects
from tests.support.spans import record, trace_id, translate


def test_secrets_are_never_stored_in_clear(sql_store: SqlStore) -> None:
    """Neither the secret nor a reversible form of it is in the projects table."""
    keys = sql_store.create_project("p", public_key="pk-lf-fixed", secret_key="sk-lf-fixed-secret")
    with sql_store.engine.connect() as conn:
        row = conn.execute(sa.select(projects).where(projects.c.id == keys.project.id)).one()
    assert not any("fixed-secret" in str(value) for value in row)
    assert row.secret_hash.startswith("scrypt$")
    assert sql_store.authenticate("pk-lf-fixed", "sk-lf-fixed-secret") == keys.project


def test_text_is_stored_once(sql_store: SqlStore) -> None:
    """The same input on many spans, and a root's input that is also its trace's, are one row."""
    project_id = sql_store.create_project("p").project.id
    history = "a long chat history " * 200
    sql_store.write_batch(
        project_id,
        translate(
            record(1, 1, start=0, end=5, attrs={"input.value": history}),
            *(record(1, n, 1, start=1, end=2, attrs={"input.value": history}) for n in range(2, 12)),
        ),
    )
    with sql_store.engine.connect() as conn:
        bodies = (
            conn.execute(sa.select(contents.c.body).where(contents.c.project_id == project_id))
            .scalars()
            .all()
        )
    assert sum(history in body for body in bodies) == 1
    assert sql_store.get_trace(project_id, trace_id(1)).summary.trace.input == history
