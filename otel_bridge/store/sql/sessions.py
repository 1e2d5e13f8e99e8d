"""Session recompute: every session that gained or lost a trace is recomputed from its traces with
set-based SQL, within the write's transaction; a session left without traces is deleted."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from otel_bridge.store.aggregates import SESSION_SUMS, SessionTotals
from otel_bridge.store.sql.dialects import Dialect, every_column
from otel_bridge.store.sql.encoding import dumps
from otel_bridge.store.sql.schema import sessions, traces


def _total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """SUM as an integer: PostgreSQL sums bigints into numeric, which would read back as Decimal."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def _session_row(totals: SessionTotals, project_id: str, session_id: str, updated_ns: int) -> tuple[Any, ...]:
    """The ``sessions`` row of ``totals``, in ``schema.sessions`` column order."""
    return (
        project_id,
        session_id,
        totals.first_activity_ns,
        totals.last_activity_ns,
        totals.duration_ns,
        totals.trace_count,
        totals.observation_count,
        dumps(sorted(totals.user_ids)),
        dumps(sorted(totals.tags)),
        dumps(sorted(totals.environments)),
        totals.input_tokens,
        totals.output_tokens,
        totals.total_tokens,
        totals.total_cost_nanos,
        totals.error_count,
        updated_ns,
    )


class SessionRecompute:
    """Recomputes sessions on one database; its statements are built once (see ``writes.Writer``)."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        t = traces.c
        # One scan: aggregates per distinct (session, user, environment, tag set), few per session,
        # combined in Python; integer sums, minima and maxima do not depend on how they are grouped.
        self._aggregates = (
            sa.select(
                t.session_id,
                t.user_id,
                t.environment,
                t.tags,
                sa.func.min(t.timestamp_ns),
                sa.func.max(t.end_ns),
                # ``aggregates.SESSION_SUMS``, in that order: the traces, then sums of their columns.
                sa.func.count(),
                *(_total(t[name]) for name in SESSION_SUMS[1:]),
            )
            .where(dialect.keyed_in(t.session_id))
            .group_by(t.session_id, t.user_id, t.environment, t.tags)
        )
        self._delete = sessions.delete().where(dialect.keyed_in(sessions.c.id))

    def recompute(self, conn: sa.Connection, project_id: str, session_ids: list[str], now: int) -> None:
        """Recompute ``session_ids`` (sorted) of ``project_id`` from their traces."""
        keys = {"project_id": project_id, "keys": session_ids}
        found: dict[str, SessionTotals] = {}
        tag_lists: dict[str, list[str]] = {}  # a few distinct tag sets, repeated by many traces
        for sid, user_id, environment, tags, first, last, *sums in conn.execute(self._aggregates, keys):
            totals = found.get(sid)
            if totals is None:
                totals = found[sid] = SessionTotals()
            totals.add(first, last, sums)
            tag_list = tag_lists.get(tags)
            if tag_list is None:
                tag_list = tag_lists[tags] = list(json.loads(tags)) if tags else []
            totals.add_labels(user_id, environment, tag_list)
        rows = [_session_row(found[sid], project_id, sid, now) for sid in session_ids if sid in found]
        if rows:  # no None in a sessions row: one shape, every column
            self._dialect.upsert(conn, sessions, [(every_column(sessions), rows)])
        # A session whose last trace moved away no longer exists.
        gone = [sid for sid in session_ids if sid not in found]
        if gone:
            conn.execute(self._delete, {"project_id": project_id, "keys": gone})


__all__ = ["SessionRecompute"]
