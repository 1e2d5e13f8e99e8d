"""``dump_state``: everything a project has stored, as plain sorted values, for whole-state comparisons."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from otel_bridge.store import TRACE_CLAIMS_ID, Store
from otel_bridge.store.sql import SqlStore, schema

#: Wall-clock columns: when a row was written, not what the spans say; not part of the state.
INSERTION_TIME_COLUMNS = frozenset({"updated_ns", "created_ns"})
TABLES = (schema.contents, schema.observations, schema.traces, schema.sessions)
#: Enough for any test's project: listings are read in one page.
ALL = 1_000_000
#: In place of a trace's insertion time, which is not part of the state.
NO_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)


def dump_state(store: Store, project_id: str) -> dict[str, Any]:
    """What a project has stored, as read back through the ``Store`` (insertion times left out), and,
    of a ``SqlStore``, its rows too: two projects with equal dumps have stored the same thing."""
    state: dict[str, Any] = {"read": read_state(store, project_id)}
    if isinstance(store, SqlStore):
        state["rows"] = dump_rows(store.engine, project_id)
    return state


def read_state(store: Store, project_id: str) -> dict[str, list[Any]]:
    """Every trace (with its aggregates, observations and every span's claims) and session of the
    project, through the ``Store``'s reads."""
    traces = store.list_traces(project_id, limit=ALL, descending=False)
    assert traces.total == len(traces.items)
    details = [store.get_trace(project_id, summary.trace.id) for summary in traces.items]
    claims = [
        store.get_translation(project_id, detail.summary.trace.id, span_id)
        for detail in details
        for span_id in (TRACE_CLAIMS_ID, *(o.id for o in detail.observations))
    ]
    sessions = store.list_sessions(project_id, limit=ALL, descending=False)
    return {
        "traces": [dataclasses.replace(d.summary, updated_at=NO_TIME) for d in details],
        "observations": [d.observations for d in details],
        "translations": claims,
        "sessions": list(sessions.items),
    }


def dump_rows(engine: sa.Engine, project_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the project's contents, observations, traces and sessions, without the project id
    and insertion times, sorted."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            columns = [
                c for c in table.columns if c.name != "project_id" and c.name not in INSERTION_TIME_COLUMNS
            ]
            rows = conn.execute(sa.select(*columns).where(table.c.project_id == project_id))
            state[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return state
