"""The store's reads: listings (filtered by ``filters.py``, sorted, paginated, counted) and lookups.

Contents are fetched after the page, in one query (a join would be planned before the LIMIT on some
databases).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from otel_bridge.errors import NotFound
from otel_bridge.model import Observation, Session
from otel_bridge.store import (
    TRACE_CLAIMS_ID,
    ObservationFilter,
    Page,
    SessionDetail,
    SessionFilter,
    SessionOrder,
    TraceDetail,
    TraceFilter,
    TraceOrder,
    TraceSummary,
)
from otel_bridge.store.sql.columns import FACTS
from otel_bridge.store.sql.content import OBSERVATION_CONTENT_COLUMNS, TRACE_CONTENT_COLUMNS, ContentReader
from otel_bridge.store.sql.decode import decode_observation, decode_session, decode_trace_summary
from otel_bridge.store.sql.dialects import PROJECT_PARAM, Dialect, PostgresDialect
from otel_bridge.store.sql.engine import Connections
from otel_bridge.store.sql.filters import (
    OBSERVATION_CLAUSES,
    SESSION_CLAUSES,
    TRACE_CLAUSES,
    AnyFilter,
    Clause,
    Scope,
    where,
)
from otel_bridge.store.sql.rows import facts_from_row
from otel_bridge.store.sql.schema import contents, observations, sessions, traces
from otel_bridge.translate import Translation

_SESSION_ORDER: Mapping[str, sa.Column[Any]] = {
    "last_activity": sessions.c.last_activity_ns,
    "created": sessions.c.first_activity_ns,
    "trace_count": sessions.c.trace_count,
    "duration": sessions.c.duration_ns,
    "tokens": sessions.c.total_tokens,
    "cost": sessions.c.total_cost_nanos,
    "id": sessions.c.id,
    "observation_count": sessions.c.observation_count,
    "input_tokens": sessions.c.input_tokens,
    "output_tokens": sessions.c.output_tokens,
    "error_count": sessions.c.error_count,
    "user_ids": sessions.c.user_ids,
    "environments": sessions.c.environments,
    "tags": sessions.c.tags,
}
_TRACE_ORDER: Mapping[str, sa.Column[Any]] = {
    "timestamp": traces.c.timestamp_ns,
    "id": traces.c.id,
    "name": traces.c.name,
    "user_id": traces.c.user_id,
    "release": traces.c.release,
    "version": traces.c.version,
    "public": traces.c.public,
    "session_id": traces.c.session_id,
}

# Statements of the hot reads, built once: SQLAlchemy then reuses their compiled form.
_P = PROJECT_PARAM
_SESSION_BY_ID = sa.select(sessions).where(sessions.c.project_id == _P, sessions.c.id == sa.bindparam("id"))
_TRACES_OF_SESSION = (
    sa.select(traces)
    .where(traces.c.project_id == _P, traces.c.session_id == sa.bindparam("session_id"))
    .order_by(traces.c.timestamp_ns, traces.c.id)
    .offset(sa.bindparam("offset"))
    .limit(sa.bindparam("limit"))
)
_TRACE_BY_ID = sa.select(traces).where(traces.c.project_id == _P, traces.c.id == sa.bindparam("id"))
# No ORDER BY: sorted in Python (see _in_trace_order).
_OBSERVATIONS_OF_TRACE = sa.select(observations).where(
    observations.c.project_id == _P, observations.c.trace_id == sa.bindparam("id")
)
# No ORDER BY either: a span id is (all but) unique, and ordering by trace id would invite SQLite
# to walk the primary key of the whole project instead of looking the id up.
_SPAN_BY_KEY = sa.select(observations).where(
    observations.c.project_id == _P,
    observations.c.trace_id == sa.bindparam("trace_id"),
    observations.c.id == sa.bindparam("id"),
)
_OBSERVATION_BY_ID = sa.select(observations).where(
    observations.c.project_id == _P, observations.c.id == sa.bindparam("id")
)
_CONTENTS = sa.select(contents.c.hash, contents.c.format, contents.c.body).where(
    contents.c.project_id == _P, contents.c.hash.in_(sa.bindparam("hashes", expanding=True))
)

Rows = Sequence[sa.RowMapping]


class Reader:
    """The ``Store`` reads on one database (their arguments are the protocol's)."""

    def __init__(self, db: Connections, dialect: Dialect) -> None:
        self._db = db
        self._dialect = dialect

    def list_sessions(
        self,
        project_id: str,
        filter: SessionFilter,
        *,
        order_by: SessionOrder,
        descending: bool,
        offset: int,
        limit: int,
    ) -> Page[Session]:
        """Sessions with their aggregates; never scans observations."""
        s = sessions.c
        conditions = self.session_conditions(project_id, filter)
        query = (
            sa.select(sessions)
            .where(*conditions)
            .order_by(*_order(self._code_point_order(_SESSION_ORDER[order_by]), s.id, descending))
        )
        with self._db.read() as conn:
            rows = conn.execute(query.offset(offset).limit(limit)).mappings()
            items = tuple(decode_session(row) for row in rows)
            return Page(
                items,
                _count(
                    conn, table=sessions, conditions=conditions, offset=offset, limit=limit, found=len(items)
                ),
            )

    def get_session(self, project_id: str, session_id: str, *, offset: int, limit: int) -> SessionDetail:
        """A session's aggregates and a page of its traces in timestamp order."""
        key = {"project_id": project_id, "id": session_id}
        with self._db.read() as conn:
            row = conn.execute(_SESSION_BY_ID, key).mappings().first()
            if row is None:
                raise NotFound(f"no session {session_id}")
            session = decode_session(row)
            bounds = {"session_id": session_id, "offset": offset, "limit": limit}
            rows = conn.execute(_TRACES_OF_SESSION, {**key, **bounds}).mappings().all()
            items = _trace_summaries(conn, project_id, rows)
        return SessionDetail(session, Page(items, session.trace_count))

    def list_traces(
        self,
        project_id: str,
        filter: TraceFilter,
        *,
        order_by: TraceOrder,
        descending: bool,
        offset: int,
        limit: int,
    ) -> Page[TraceSummary]:
        """Traces with their aggregates (Langfuse's ``GET /api/public/traces``)."""
        t = traces.c
        conditions = [t.project_id == project_id, *self._where(TRACE_CLAUSES, filter, project_id)]
        query = (
            sa.select(traces).where(*conditions).order_by(*_order(_TRACE_ORDER[order_by], t.id, descending))
        )
        with self._db.read() as conn:
            rows = conn.execute(query.offset(offset).limit(limit)).mappings().all()
            items = _trace_summaries(conn, project_id, rows)
            return Page(
                items,
                _count(
                    conn, table=traces, conditions=conditions, offset=offset, limit=limit, found=len(items)
                ),
            )

    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """A trace with its aggregates and observations in start-time order."""
        key = {"project_id": project_id, "id": trace_id}
        with self._db.read() as conn:
            found = _trace_summaries(conn, project_id, conn.execute(_TRACE_BY_ID, key).mappings().all())
            if not found:
                raise NotFound(f"no trace {trace_id}")
            rows = _in_trace_order(conn.execute(_OBSERVATIONS_OF_TRACE, key).mappings().all())
            items = _observations(conn, project_id, [r for r in rows if r["id"] != TRACE_CLAIMS_ID])
        return TraceDetail(found[0], items)

    def list_observations(
        self, project_id: str, filter: ObservationFilter, *, offset: int, limit: int
    ) -> Page[Observation]:
        """Observations, newest start first; in trace order (oldest first) when filtered by trace."""
        o = observations.c
        # A trace's claims row is no observation (see ``TRACE_CLAIMS_ID``).
        conditions = [
            o.project_id == project_id,
            o.id != TRACE_CLAIMS_ID,
            *self._where(OBSERVATION_CLAUSES, filter, project_id),
        ]
        with self._db.read() as conn:
            if filter.trace_id is not None:
                # One trace's observations are few: fetch them all, sort and slice here.
                query = sa.select(observations).where(*conditions)
                ordered = _in_trace_order(conn.execute(query).mappings().all())
                return Page(_observations(conn, project_id, ordered[offset : offset + limit]), len(ordered))
            order = [o.start_ns.desc(), o.trace_id.desc(), o.id.desc()]
            query = sa.select(observations).where(*conditions).order_by(*order)
            rows = conn.execute(query.offset(offset).limit(limit)).mappings().all()
            items = _observations(conn, project_id, rows)
            return Page(
                items,
                _count(
                    conn,
                    table=observations,
                    conditions=conditions,
                    offset=offset,
                    limit=limit,
                    found=len(items),
                ),
            )

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by its id (the span id)."""
        if observation_id == TRACE_CLAIMS_ID:
            raise NotFound("no observation with an empty id")
        with self._db.read() as conn:
            rows = conn.execute(_OBSERVATION_BY_ID, {"project_id": project_id, "id": observation_id})
            first = sorted(rows.mappings().all(), key=lambda row: str(row["trace_id"]))[:1]
            found = _observations(conn, project_id, first)
        if not found:
            raise NotFound(f"no observation {observation_id}")
        return found[0]

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of one span (or a trace's claims row), or None."""
        key = {"project_id": project_id, "trace_id": trace_id, "id": observation_id}
        with self._db.read() as conn:
            row = conn.execute(_SPAN_BY_KEY, key).mappings().first()
            if row is None:
                return None
            claims = facts_from_row(tuple(row[name] for name in FACTS.names)).claims
            # Stored claims name their contents by hash (``rows.facts_from_row``); load them.
            hashes = (
                claims.explicit_input,
                claims.explicit_output,
                claims.span_input,
                claims.span_output,
                *(row[column] for column in OBSERVATION_CONTENT_COLUMNS),
            )
            reader = _content_reader(conn, project_id, {h for h in hashes if h})
        claims = replace(
            claims,
            explicit_input=reader.load(claims.explicit_input),
            explicit_output=reader.load(claims.explicit_output),
            span_input=reader.load(claims.span_input),
            span_output=reader.load(claims.span_output),
        )
        return Translation(decode_observation(row, reader), claims)

    def session_conditions(self, project_id: str, filter: SessionFilter) -> list[sa.ColumnElement[bool]]:
        """The WHERE clauses that select ``filter``'s sessions of the project."""
        return [sessions.c.project_id == project_id, *self._where(SESSION_CLAUSES, filter, project_id)]

    def _code_point_order(self, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
        """``column`` compared by code point, as SQLite and Python compare text: PostgreSQL's
        default collation follows the locale (``"C"`` compares bytes, which in UTF-8 is the same)."""
        if isinstance(column.type, sa.Text) and isinstance(self._dialect, PostgresDialect):
            return column.collate("C")
        return column

    def _where(
        self, clauses: Mapping[str, Clause], filter: AnyFilter, project_id: str
    ) -> list[sa.ColumnElement[bool]]:
        return where(clauses, filter, Scope(project_id, self._dialect))


def _order(key: sa.ColumnElement[Any], tie: sa.Column[Any], descending: bool) -> list[sa.ColumnElement[Any]]:
    """Sorted by ``key``, ties broken by ``tie``, both in one direction."""
    return [key.desc(), tie.desc()] if descending else [key.asc(), tie.asc()]


def _count(
    conn: sa.Connection,
    *,
    table: sa.Table,
    conditions: Sequence[sa.ColumnElement[bool]],
    offset: int,
    limit: int,
    found: int,
) -> int:
    """The listing's total, from the page when it tells (a short page that does not start past the
    end), else counted."""
    if found and found < limit:
        return offset + found
    if not found and offset == 0:
        return 0
    return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*conditions)).scalar_one())


def _in_trace_order(rows: Rows) -> list[sa.RowMapping]:
    """A trace's observation rows by start time (ties: span id).

    Sorted here rather than by ORDER BY: with that clause SQLite (without statistics, as in a young
    database) walks the project's start-time index to avoid a sort, reading every observation of the
    project instead of the trace's few through the primary key.
    """
    return sorted(rows, key=lambda row: (row["start_ns"], row["id"]))


def _trace_summaries(conn: sa.Connection, project_id: str, rows: Rows) -> tuple[TraceSummary, ...]:
    reader = _content_reader(conn, project_id, _references(rows, TRACE_CONTENT_COLUMNS))
    return tuple(decode_trace_summary(row, reader) for row in rows)


def _observations(conn: sa.Connection, project_id: str, rows: Rows) -> tuple[Observation, ...]:
    reader = _content_reader(conn, project_id, _references(rows, OBSERVATION_CONTENT_COLUMNS))
    return tuple(decode_observation(row, reader) for row in rows)


def _references(rows: Rows, columns: Sequence[str]) -> set[str]:
    """The content hashes ``rows`` hold in ``columns``."""
    return {row[column] for row in rows for column in columns} - {None}


def _content_reader(conn: sa.Connection, project_id: str, digests: set[str]) -> ContentReader:
    """The contents of ``digests``, in one query."""
    texts: dict[str, tuple[str | None, str]] = {}
    if digests:
        result = conn.execute(_CONTENTS, {"project_id": project_id, "hashes": sorted(digests)})
        texts = {digest: (format, body) for digest, format, body in result}
    return ContentReader(texts)


__all__ = ["Reader"]
