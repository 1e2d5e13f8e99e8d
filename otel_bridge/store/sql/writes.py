"""The write transaction: prepared writes (``prepare.py``) into the tables, order-free.

Each span's row holds its claims about its trace; for every trace a write touches, the trace is
resolved again from the claims of *all* its stored spans (``resolve_trace``, pure) and its aggregates
are recomputed from the same rows; every session that gained or lost a trace is recomputed from its
traces (``sessions.py``). Nothing is accumulated by deltas, so the stored state is a function of the
set of spans, not of their arrival.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from otel_bridge.store.aggregates import SpanFacts
from otel_bridge.store.sql.columns import FACT_POSITIONS, FACTS, OBS, TRACE_STATE
from otel_bridge.store.sql.dialects import Dialect, ShapedRows, shape_getter, shape_rows
from otel_bridge.store.sql.forwarding import mark_changed
from otel_bridge.store.sql.prepare import SqlPreparedWrite, merge_prepared
from otel_bridge.store.sql.rows import facts_from_row, trace_row
from otel_bridge.store.sql.schema import observations, traces
from otel_bridge.store.sql.sessions import SessionRecompute

#: Spans stored already, by trace id and span id.
_StoredSpans = dict[str, dict[str, SpanFacts]]


class Writer:
    """Writes prepared writes on one database. Its reads are built once: building one, and
    SQLAlchemy's cache key of it, cost about 0.3 ms, a microsecond a span each batch. Parameters:
    ``project_id``, and ``keys``, the list of trace or session ids."""

    def __init__(self, dialect: Dialect, *, forwarding: bool = False) -> None:
        self._dialect = dialect
        #: Whether changed traces are marked for the forwarder (``forwarding.py``), in the same
        #: transaction as their spans.
        self._forwarding = forwarding
        self._sessions = SessionRecompute(dialect)
        self._trace_states = sa.select(*(traces.c[name] for name in TRACE_STATE.names)).where(
            dialect.keyed_in(traces.c.id)
        )
        self._span_facts = sa.select(*(observations.c[name] for name in FACTS.names)).where(
            dialect.keyed_in(observations.c.trace_id)
        )

    def write(self, conn: sa.Connection, batches: Sequence[SqlPreparedWrite], now: int) -> None:
        """Write ``batches`` in the transaction of ``conn``, as if one after another."""
        by_project: dict[str, list[SqlPreparedWrite]] = {}
        for batch in batches:
            if batch.trace_ids:
                by_project.setdefault(batch.project_id, []).append(batch)
        # In one order, so that two writers take their PostgreSQL locks in one order.
        for project_id in sorted(by_project):
            self._write_project(conn, merge_prepared(by_project[project_id]), now)

    def _write_project(self, conn: sa.Connection, prepared: SqlPreparedWrite, now: int) -> None:
        project_id, trace_ids, resolved = prepared.project_id, prepared.trace_ids, prepared.traces
        dialect = self._dialect
        dialect.lock(conn, project_id, "trace", trace_ids)
        keys = {"project_id": project_id, "keys": trace_ids}
        stored_traces = {row[TRACE_STATE.id]: tuple(row) for row in conn.execute(self._trace_states, keys)}
        stored_spans: _StoredSpans = {}
        for row in conn.execute(self._span_facts, keys):
            stored_spans.setdefault(row[FACTS.trace_id], {})[row[FACTS.id]] = facts_from_row(row)
        # The traces resolved here, from all their spans: those with spans stored already, and those
        # of several merged batches; every other one is what the batch's spans alone resolve to.
        for trace_id in trace_ids:
            if trace_id not in resolved:
                stored_spans.setdefault(trace_id, {})
        dialect.insert_contents(conn, prepared.contents)
        # Which spans are stored already is known exactly: every writer of a trace's spans holds
        # that trace's lock (SQLite: the database's) from before reading them until its commit.
        # New spans, nearly all of them, are inserted plainly, without conflict handling.
        new, resent = _merge_batch(prepared.observations, stored_spans)
        dialect.insert_observations(conn, new)
        dialect.upsert(conn, observations, resent)

        changed: list[tuple[Any, ...]] = []
        touched_sessions: set[str] = set()
        for trace_id in trace_ids:
            spans = stored_spans.get(trace_id)
            state = resolved[trace_id] if spans is None else trace_row(project_id, spans.values())
            before = stored_traces.get(trace_id)
            if state == before:
                continue  # a re-sent span: nothing to do, and the session stays as it is
            changed.append((*state, now))
            for version in (before, state):
                if version is not None and version[TRACE_STATE.session_id] is not None:
                    touched_sessions.add(version[TRACE_STATE.session_id])
        dialect.upsert(conn, traces, shape_rows(changed))
        if self._forwarding and changed:
            mark_changed(conn, project_id, [row[TRACE_STATE.id] for row in changed], now)
        if touched_sessions:
            session_ids = sorted(touched_sessions)
            dialect.lock(conn, project_id, "session", session_ids)
            self._sessions.recompute(conn, project_id, session_ids, now)


def _merge_batch(
    groups: list[ShapedRows], stored_spans: _StoredSpans
) -> tuple[list[ShapedRows], list[ShapedRows]]:
    """A prepared batch's observation rows split into new spans and spans stored already (re-sent),
    with the facts of the batch's spans added to ``stored_spans`` (the batch's version wins) for the
    traces that have an entry there: those are resolved again from all their spans."""
    if not stored_spans:
        return groups, []
    new: list[ShapedRows] = []
    resent: list[ShapedRows] = []
    for shape, rows in groups:
        facts_of = shape_getter(shape, FACT_POSITIONS)
        trace_at, span_at = shape.index(OBS.trace_id), shape.index(OBS.id)
        fresh: list[tuple[Any, ...]] = []
        again: list[tuple[Any, ...]] = []
        for row in rows:
            spans = stored_spans.get(row[trace_at])
            if spans is None:
                fresh.append(row)
                continue
            (again if row[span_at] in spans else fresh).append(row)
            spans[row[span_at]] = facts_from_row(facts_of((*row, None)))
        if fresh:
            new.append((shape, fresh))
        if again:
            resent.append((shape, again))
    return new, resent


__all__ = ["Writer"]
