"""Alembic environment: runs revisions on the connection handed over by
``otel_bridge.store.sql.migrations`` (there is no alembic.ini and no URL here)."""

from __future__ import annotations

from alembic import context

from otel_bridge.store.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through otel_bridge.store.sql.migrations (upgrade/downgrade), with a connection"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite alters tables by copying them; batch mode does that for any future ALTER.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
