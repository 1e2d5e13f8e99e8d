"""``dump_state``: everything a project has stored, as plain sorted values, for whole-state comparisons."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from otel_bridge.store import schema

#: Wall-clock columns: when a row was written, not what the spans say; not part of the state.
INSERTION_TIME_COLUMNS = frozenset({"updated_ns", "created_ns"})
TABLES = (schema.contents, schema.observations, schema.traces, schema.sessions)


def dump_state(engine: sa.Engine, project_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's contents, observations, traces and sessions, without the project id
    and insertion times, sorted: two projects with equal dumps have stored the same thing."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = [
                c for c in table.columns if c.name != "project_id" and c.name not in INSERTION_TIME_COLUMNS
            ]
            rows = conn.execute(sa.select(*columns).where(table.c.project_id == project_id))
            state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return state
