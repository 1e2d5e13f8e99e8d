"""``SqlStore``: the ``Store`` on SQLAlchemy Core, for SQLite (embedded default) and PostgreSQL.

This is the only module that knows which database it talks to. The differences, all in the two
``_Dialect`` classes below:

- SQLite: WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a killed process;
  only a power loss can take the last ones back), WAL checkpoints on a thread of their own
  (``_WalCheckpointer``) rather than in the commit that crosses the WAL's size limit, and
  ``BEGIN IMMEDIATE`` for writes, which takes the database's single write lock up front so that a
  writer's reads and writes see one consistent database. Rows are inserted by shape
  (``codec.shape_rows``), naming only their non-null columns: the driver binds a None slowly.
- PostgreSQL: binary ``COPY`` into a per-connection temporary table, then one
  ``INSERT … SELECT … ON CONFLICT`` (about twice as fast as row upserts), and transaction-scoped
  advisory locks on the traces and sessions a batch touches, so that replicas writing spans of one
  trace, or traces of one session, concurrently serialize on it instead of each recomputing it from
  a view that misses the other's rows (DESIGN.md, "Scaling out"). Locks are taken in a fixed order
  (traces, then sessions, each sorted), and contents are inserted in hash order, so two writers can
  not deadlock.
- JSON arrays (tags, user ids, environments) are matched with ``json_each`` on SQLite and ``jsonb``
  containment on PostgreSQL.

How ``write_batch`` stays order-free: each span's row holds its claims about its trace; for every
trace the batch touches, the trace is resolved again from the claims of *all* its stored spans
(``resolve_trace``, pure) and its aggregates are recomputed from the same rows; every session that
gained or lost a trace is recomputed from its traces with set-based SQL. Nothing is accumulated by
deltas, so the stored state is a function of the set of spans, not of their arrival.

``write_batch`` is ``prepare_batch`` (``prepared.py``: all per-span Python that needs no database,
including resolving each trace from the batch's spans) then ``write_prepared`` (the transaction),
so that ingest can run the first half in another process.
"""

from __future__ import annotations

import abc
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from otel_bridge.errors import NotFound, StoreUnavailable
from otel_bridge.model import Observation, Session, nanos_to_datetime
from otel_bridge.store import (
    TRACE_CLAIMS_ID,
    ObservationFilter,
    Page,
    PreparedBatch,
    Project,
    ProjectKeys,
    SessionDetail,
    SessionFilter,
    SessionOrder,
    Store,
    TraceDetail,
    TraceFilter,
    TraceOrder,
    TraceSummary,
    prepare_batch,
)
from otel_bridge.store import projects as keys
from otel_bridge.store.codec import (
    FACT_COLUMNS,
    OBSERVATION_CONTENT_COLUMNS,
    TRACE_CONTENT_COLUMNS,
    TRACE_SESSION_INDEX,
    TRACE_STATE_COLUMNS,
    ContentReader,
    SessionTotals,
    ShapedRows,
    SpanFacts,
    decode_observation,
    decode_session,
    decode_trace,
    dumps,
    facts_from_row,
    nanos_to_usd,
    shape_getter,
    shape_rows,
    to_nanos,
    trace_row,
    usd_to_nanos,
)
from otel_bridge.store.failures import classify_write_failure
from otel_bridge.store.prepared import merge_prepared
from otel_bridge.store.schema import contents, observations, projects, sessions, traces
from otel_bridge.translate import Translation

logger = logging.getLogger("otel_bridge.store")

#: Execution option that makes the SQLite ``begin`` hook take the write lock at once.
_WRITE_OPTION = "otel_bridge_write"
#: How often the WAL is checkpointed while writes come (SQLite); see ``_WalCheckpointer``.
CHECKPOINT_INTERVAL = 1.0
#: The positions of ``FACT_COLUMNS`` among the ``observations`` columns.
_FACT_POSITIONS = tuple(observations.columns.keys().index(name) for name in FACT_COLUMNS)
#: Columns whose values arrive as UTF-8 bytes (``codec.ContentSink``) and are stored as text.
_UTF8_COLUMNS = frozenset({(contents.name, contents.c.body.name)})

_SESSION_ORDER: Mapping[str, sa.Column[Any]] = {
    "last_activity": sessions.c.last_activity_ns,
    "created": sessions.c.first_activity_ns,
    "trace_count": sessions.c.trace_count,
    "duration": sessions.c.duration_ns,
    "tokens": sessions.c.total_tokens,
    "cost": sessions.c.total_cost_nanos,
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
_P: sa.BindParameter[str] = sa.bindparam("project_id", type_=sa.String)
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


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://…``) configured for the store:
    pragmas and explicit transactions on SQLite, liveness checks on PostgreSQL."""
    backend = sa.make_url(url).get_backend_name()
    if backend == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        # The pool hands a connection to one thread at a time; ingest writes from a worker thread.
        connect_args.setdefault("check_same_thread", False)
        # Wait for the write lock (another process or connection) rather than failing at once.
        connect_args.setdefault("timeout", 30.0)
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        _SqliteDialect.configure(engine)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, **kwargs)
        _PostgresDialect.configure(engine)
        return engine
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///… or postgresql+psycopg://…")


class SqlStore:
    """The ``Store`` on one SQLAlchemy engine (SQLite or PostgreSQL); the schema must be migrated
    (``otel_bridge.store.migrations.upgrade``). Thread-safe: every call takes its own connection.

    On an SQLite file, WAL checkpoints run on a thread of the store's every ``checkpoint_interval``
    seconds while writes come (None: in the commits, SQLite's default); ``close`` stops it.
    """

    def __init__(
        self,
        engine: sa.Engine | str,
        *,
        clock: Callable[[], int] = time.time_ns,
        checkpoint_interval: float | None = CHECKPOINT_INTERVAL,
    ) -> None:
        self.engine = make_engine(engine) if isinstance(engine, str) else engine
        backend = self.engine.dialect.name
        self._dialect: _Dialect = _PostgresDialect() if backend == "postgresql" else _SqliteDialect()
        self._clock = clock
        self._queries = _WriteQueries(self._dialect)
        self._checkpointer: _WalCheckpointer | None = None
        if checkpoint_interval is not None and backend == "sqlite" and _is_file(self.engine.url):
            self._checkpointer = _WalCheckpointer(self.engine, checkpoint_interval)

    def close(self) -> None:
        """Stop the checkpoint thread, if any, and close the engine's pooled connections."""
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None  # a write after close checkpoints in its commit, as SQLite would
        self.engine.dispose()

    # -- connections ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        checkpointer = self._checkpointer
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_WRITE_OPTION: True})
                if checkpointer is not None:
                    checkpointer.adopt(conn)
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as error:
            # The database's state (down, locked, full) is StoreUnavailable here; an error about the
            # data goes on as it is, for the caller (a duplicate key, or write_prepared's rejection).
            failure = classify_write_failure(error)
            if failure.retryable:
                raise failure from error
            raise
        if checkpointer is not None:
            checkpointer.committed()

    @contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            raise StoreUnavailable(f"the store cannot be read: {error.orig}") from error

    # -- projects ---------------------------------------------------------------------------------

    def create_project(
        self, name: str, *, public_key: str | None = None, secret_key: str | None = None
    ) -> ProjectKeys:
        """A new project; keys not given are generated. Raises ``ValueError`` for a key in use."""
        public_key = public_key or keys.generate_public_key()
        secret_key = secret_key or keys.generate_secret_key()
        project = Project(
            id=keys.generate_project_id(),
            name=name,
            public_key=public_key,
            created_at=nanos_to_datetime(self._clock()),
        )
        try:
            with self._write() as conn:
                conn.execute(
                    projects.insert().values(
                        id=project.id,
                        name=name,
                        public_key=public_key,
                        secret_lookup=keys.secret_lookup(secret_key),
                        secret_hash=keys.hash_secret(secret_key),
                        created_ns=to_nanos(project.created_at),
                    )
                )
        except sa.exc.IntegrityError as error:
            raise ValueError("this public or secret key belongs to another project") from error
        return ProjectKeys(project, public_key, secret_key)

    def set_project_keys(self, project_id: str, public_key: str, secret_key: str) -> None:
        """Replace a project's key pair (for keys fixed by configuration)."""
        try:
            with self._write() as conn:
                updated = conn.execute(
                    projects.update()
                    .where(projects.c.id == project_id)
                    .values(
                        public_key=public_key,
                        secret_lookup=keys.secret_lookup(secret_key),
                        secret_hash=keys.hash_secret(secret_key),
                    )
                ).rowcount
        except sa.exc.IntegrityError as error:
            raise ValueError("this public or secret key belongs to another project") from error
        if not updated:
            raise NotFound(f"no project {project_id}")

    def get_project(self, project_id: str) -> Project:
        """The project with this id."""
        with self._read() as conn:
            row = conn.execute(sa.select(projects).where(projects.c.id == project_id)).mappings().first()
        if row is None:
            raise NotFound(f"no project {project_id}")
        return _project(row)

    def find_project(self, name: str) -> Project | None:
        """The oldest project with this name, if any."""
        with self._read() as conn:
            row = (
                conn.execute(
                    sa.select(projects)
                    .where(projects.c.name == name)
                    .order_by(projects.c.created_ns, projects.c.id)
                )
                .mappings()
                .first()
            )
        return None if row is None else _project(row)

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        """The project of this key pair, or None when either key is wrong."""
        return self._authenticate(projects.c.public_key == public_key, public_key, secret_key)

    def authenticate_secret(self, secret_key: str) -> Project | None:
        """The project of this secret key alone (``Authorization: Bearer``), or None."""
        return self._authenticate(projects.c.secret_lookup == keys.secret_lookup(secret_key), "", secret_key)

    def _authenticate(
        self, where: sa.ColumnElement[bool], public_key: str, secret_key: str
    ) -> Project | None:
        # No cache here: scrypt is slow on purpose, and the receivers' ``Authenticator`` remembers
        # verified headers for ``auth_cache_seconds``; a second cache would keep a replaced key
        # working past that setting.
        with self._read() as conn:
            row = conn.execute(sa.select(projects).where(where)).mappings().first()
        if row is None or not keys.verify_secret(secret_key, row["secret_hash"]):
            return None
        return _project(row)

    # -- writes -----------------------------------------------------------------------------------

    def write_batch(self, project_id: str, translations: Sequence[Translation]) -> None:
        """Store spans, resolve their traces, and recompute the touched traces' and sessions'
        aggregates, in one transaction (see the module docstring)."""
        self.write_prepared(prepare_batch(project_id, translations))

    def write_prepared(self, prepared: PreparedBatch | Sequence[PreparedBatch]) -> None:
        """``write_batch`` of what ``prepare_batch`` made, maybe in another process. Several batches
        (ingest's group commit) are written in one transaction, as if one after another."""
        batches = [prepared] if isinstance(prepared, dict) else prepared
        by_project: dict[str, list[PreparedBatch]] = {}
        for batch in batches:
            if batch["trace_ids"]:
                by_project.setdefault(batch["project_id"], []).append(batch)
        if not by_project:
            return
        try:
            with self._write() as conn:
                now = self._clock()
                # In one order, so that two writers take their PostgreSQL locks in one order.
                for project_id in sorted(by_project):
                    self._write_project(conn, merge_prepared(by_project[project_id]), now)
        except Exception as error:
            raise classify_write_failure(error) from error

    def _write_project(self, conn: sa.Connection, prepared: PreparedBatch, now: int) -> None:
        project_id = prepared["project_id"]
        trace_ids = prepared["trace_ids"]
        resolved = prepared["traces"]
        dialect = self._dialect
        dialect.lock(conn, project_id, "trace", trace_ids)
        stored_traces = self._trace_states(conn, project_id, trace_ids)
        stored_spans = self._span_facts(conn, project_id, trace_ids)
        # The traces resolved here, from all their spans: those with spans stored already, and those
        # of several merged batches; every other one is what the batch's spans alone resolve to.
        for trace_id in trace_ids:
            if trace_id not in resolved:
                stored_spans.setdefault(trace_id, {})
        dialect.insert_contents(conn, prepared["contents"])
        # Which spans are stored already is known exactly: every writer of a trace's spans holds
        # that trace's lock (SQLite: the database's) from before reading them until its commit.
        # New spans, nearly all of them, are inserted plainly, without conflict handling.
        new, resent = _merge_batch(prepared["observations"], stored_spans)
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
            if before is not None and before[TRACE_SESSION_INDEX] is not None:
                touched_sessions.add(before[TRACE_SESSION_INDEX])
            if state[TRACE_SESSION_INDEX] is not None:
                touched_sessions.add(state[TRACE_SESSION_INDEX])
        dialect.upsert(conn, traces, shape_rows(changed))
        if touched_sessions:
            session_ids = sorted(touched_sessions)
            dialect.lock(conn, project_id, "session", session_ids)
            self._recompute_sessions(conn, project_id, session_ids, now)

    def _trace_states(
        self, conn: sa.Connection, project_id: str, trace_ids: list[str]
    ) -> dict[str, tuple[Any, ...]]:
        rows = conn.execute(self._queries.trace_states, {"project_id": project_id, "keys": trace_ids})
        return {row[1]: tuple(row) for row in rows}

    def _span_facts(
        self, conn: sa.Connection, project_id: str, trace_ids: list[str]
    ) -> dict[str, dict[str, SpanFacts]]:
        stored: dict[str, dict[str, SpanFacts]] = {}
        for row in conn.execute(self._queries.span_facts, {"project_id": project_id, "keys": trace_ids}):
            stored.setdefault(row[0], {})[row[1]] = facts_from_row(row)
        return stored

    def _recompute_sessions(
        self, conn: sa.Connection, project_id: str, session_ids: list[str], now: int
    ) -> None:
        keys = {"project_id": project_id, "keys": session_ids}
        found: dict[str, SessionTotals] = {}
        tag_lists: dict[str, list[str]] = {}  # a few distinct tag sets, repeated by many traces
        for sid, user_id, environment, tags, first, last, *sums in conn.execute(
            self._queries.session_aggregates, keys
        ):
            count, n_obs, n_in, n_out, n_total, cost, errors = sums
            totals = found.get(sid)
            if totals is None:
                totals = found[sid] = SessionTotals(
                    first, last, count, n_obs, n_in, n_out, n_total, cost or 0, errors, set(), set(), set()
                )
            else:
                totals.first_activity_ns = min(totals.first_activity_ns, first)
                totals.last_activity_ns = max(totals.last_activity_ns, last)
                totals.trace_count += count
                totals.observation_count += n_obs
                totals.input_tokens += n_in
                totals.output_tokens += n_out
                totals.total_tokens += n_total
                totals.total_cost_nanos += cost or 0
                totals.error_count += errors
            if user_id:
                totals.user_ids.add(user_id)
            totals.environments.add(environment)
            if tags:
                tag_list = tag_lists.get(tags)
                if tag_list is None:
                    tag_list = tag_lists[tags] = _loads_list(tags)
                totals.tags.update(tag_list)
        rows = [found[sid].row(project_id, sid, now) for sid in session_ids if sid in found]
        if rows:  # no None in a sessions row: one shape, every column
            self._dialect.upsert(conn, sessions, [(_every_column(sessions), rows)])
        # A session whose last trace moved away no longer exists.
        gone = [sid for sid in session_ids if sid not in found]
        if gone:
            conn.execute(self._queries.delete_sessions, {"project_id": project_id, "keys": gone})

    # -- reads: sessions --------------------------------------------------------------------------

    def list_sessions(
        self,
        project_id: str,
        filter: SessionFilter = SessionFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        order_by: SessionOrder = "last_activity",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Session]:
        """Sessions with their aggregates; never scans observations."""
        s = sessions.c
        where: list[sa.ColumnElement[bool]] = [s.project_id == project_id]
        if filter.from_time is not None:
            where.append(s.last_activity_ns >= to_nanos(filter.from_time))
        if filter.to_time is not None:
            where.append(s.first_activity_ns < to_nanos(filter.to_time))
        if filter.created_from is not None:
            where.append(s.first_activity_ns >= to_nanos(filter.created_from))
        if filter.created_to is not None:
            where.append(s.first_activity_ns < to_nanos(filter.created_to))
        if filter.user_id is not None:
            where.append(self._dialect.json_array_contains(s.user_ids, filter.user_id))
        if filter.environments:
            where.append(
                sa.or_(*(self._dialect.json_array_contains(s.environments, e) for e in filter.environments))
            )
        if filter.tag is not None:
            where.append(self._dialect.json_array_contains(s.tags, filter.tag))
        if filter.id_prefix:
            # substr, not LIKE: SQLite's LIKE ignores ASCII case, and collations make ranges inexact.
            where.append(sa.func.substr(s.id, 1, len(filter.id_prefix)) == filter.id_prefix)
        if filter.min_trace_count is not None:
            where.append(s.trace_count >= filter.min_trace_count)
        if filter.min_cost is not None:
            where.append(s.total_cost_nanos >= usd_to_nanos(filter.min_cost))
        if filter.max_cost is not None:
            where.append(s.total_cost_nanos <= usd_to_nanos(filter.max_cost))
        key = _SESSION_ORDER[order_by]
        order = [key.desc(), s.id.desc()] if descending else [key.asc(), s.id.asc()]
        query = sa.select(sessions).where(*where).order_by(*order).offset(offset).limit(limit)
        with self._read() as conn:
            items = tuple(decode_session(row) for row in conn.execute(query).mappings())
            total = _count(conn, table=sessions, where=where, offset=offset, limit=limit, found=len(items))
        return Page(items, total)

    def get_session(
        self, project_id: str, session_id: str, *, offset: int = 0, limit: int = 100
    ) -> SessionDetail:
        """A session's aggregates and a page of its traces in timestamp order."""
        with self._read() as conn:
            row = (
                conn.execute(_SESSION_BY_ID, {"project_id": project_id, "id": session_id}).mappings().first()
            )
            if row is None:
                raise NotFound(f"no session {session_id}")
            session = decode_session(row)
            rows = conn.execute(
                _TRACES_OF_SESSION,
                {"project_id": project_id, "session_id": session_id, "offset": offset, "limit": limit},
            )
            items = self._trace_summaries(conn, project_id, rows)
        return SessionDetail(session, Page(items, session.trace_count))

    # -- reads: traces ----------------------------------------------------------------------------

    def list_traces(
        self,
        project_id: str,
        filter: TraceFilter = TraceFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        order_by: TraceOrder = "timestamp",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[TraceSummary]:
        """Traces with their aggregates (Langfuse's ``GET /api/public/traces``)."""
        t = traces.c
        where: list[sa.ColumnElement[bool]] = [t.project_id == project_id]
        if filter.session_id is not None:
            where.append(t.session_id == filter.session_id)
        if filter.user_id is not None:
            where.append(t.user_id == filter.user_id)
        if filter.name is not None:
            where.append(t.name == filter.name)
        where.extend(self._dialect.json_array_contains(t.tags, tag) for tag in filter.tags)
        if filter.from_timestamp is not None:
            where.append(t.timestamp_ns >= to_nanos(filter.from_timestamp))
        if filter.to_timestamp is not None:
            where.append(t.timestamp_ns < to_nanos(filter.to_timestamp))
        if filter.environments:
            where.append(t.environment.in_(filter.environments))
        if filter.release is not None:
            where.append(t.release == filter.release)
        if filter.version is not None:
            where.append(t.version == filter.version)
        key = _TRACE_ORDER[order_by]
        order = [key.desc(), t.id.desc()] if descending else [key.asc(), t.id.asc()]
        query = sa.select(traces).where(*where).order_by(*order).offset(offset).limit(limit)
        with self._read() as conn:
            items = self._trace_summaries(conn, project_id, conn.execute(query))
            total = _count(conn, table=traces, where=where, offset=offset, limit=limit, found=len(items))
        return Page(items, total)

    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """A trace with its aggregates and observations in start-time order."""
        key = {"project_id": project_id, "id": trace_id}
        with self._read() as conn:
            found = self._trace_summaries(conn, project_id, conn.execute(_TRACE_BY_ID, key))
            if not found:
                raise NotFound(f"no trace {trace_id}")
            rows = _in_trace_order(conn.execute(_OBSERVATIONS_OF_TRACE, key).mappings().all())
            items = self._observations(conn, project_id, [r for r in rows if r["id"] != TRACE_CLAIMS_ID])
        return TraceDetail(found[0], items)

    def _trace_summaries(
        self, conn: sa.Connection, project_id: str, rows: sa.CursorResult[Any]
    ) -> tuple[TraceSummary, ...]:
        page = rows.mappings().all()
        reader = self._contents(conn, project_id, page, TRACE_CONTENT_COLUMNS)
        return tuple(_trace_summary(row, reader) for row in page)

    def _observations(
        self, conn: sa.Connection, project_id: str, rows: sa.CursorResult[Any] | Sequence[sa.RowMapping]
    ) -> tuple[Observation, ...]:
        page = rows.mappings().all() if isinstance(rows, sa.CursorResult) else rows
        reader = self._contents(conn, project_id, page, OBSERVATION_CONTENT_COLUMNS)
        return tuple(decode_observation(row, reader) for row in page)

    def _contents(
        self, conn: sa.Connection, project_id: str, rows: Sequence[sa.RowMapping], columns: Sequence[str]
    ) -> ContentReader:
        """The contents a page of rows references, in one query (after the page: a join would be
        planned before the LIMIT on some databases)."""
        digests = {row[column] for row in rows for column in columns} - {None}
        texts: dict[str, tuple[str | None, str]] = {}
        if digests:
            result = conn.execute(_CONTENTS, {"project_id": project_id, "hashes": sorted(digests)})
            texts = {digest: (format, body) for digest, format, body in result}
        return ContentReader(texts)

    # -- reads: observations ----------------------------------------------------------------------

    def list_observations(
        self,
        project_id: str,
        filter: ObservationFilter = ObservationFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Observation]:
        """Observations, newest start first; in trace order (oldest first) when filtered by trace."""
        o = observations.c
        # A trace's claims row is no observation (see ``TRACE_CLAIMS_ID``).
        where: list[sa.ColumnElement[bool]] = [o.project_id == project_id, o.id != TRACE_CLAIMS_ID]
        if filter.trace_id is not None:
            where.append(o.trace_id == filter.trace_id)
        if filter.type is not None:
            where.append(o.type == filter.type.value)
        if filter.name is not None:
            where.append(o.name == filter.name)
        if filter.level is not None:
            where.append(o.level == filter.level.value)
        if filter.parent_observation_id is not None:
            where.append(o.parent_id == filter.parent_observation_id)
        if filter.environments:
            where.append(o.environment.in_(filter.environments))
        if filter.from_start_time is not None:
            where.append(o.start_ns >= to_nanos(filter.from_start_time))
        if filter.to_start_time is not None:
            where.append(o.start_ns < to_nanos(filter.to_start_time))
        if filter.version is not None:
            where.append(o.version == filter.version)
        if filter.user_id is not None:
            users_traces = sa.select(traces.c.id).where(
                traces.c.project_id == project_id, traces.c.user_id == filter.user_id
            )
            where.append(o.trace_id.in_(users_traces))
        if filter.trace_id is not None:
            # One trace's observations are few: fetch them all, sort and slice here (_in_trace_order).
            with self._read() as conn:
                rows = _in_trace_order(conn.execute(sa.select(observations).where(*where)).mappings().all())
                items = self._observations(conn, project_id, rows[offset : offset + limit])
            return Page(items, len(rows))
        order = [o.start_ns.desc(), o.trace_id.desc(), o.id.desc()]
        query = sa.select(observations).where(*where).order_by(*order).offset(offset).limit(limit)
        with self._read() as conn:
            items = self._observations(conn, project_id, conn.execute(query))
            total = _count(
                conn, table=observations, where=where, offset=offset, limit=limit, found=len(items)
            )
        return Page(items, total)

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by its id (the span id)."""
        if observation_id == TRACE_CLAIMS_ID:
            raise NotFound("no observation with an empty id")
        with self._read() as conn:
            rows = conn.execute(_OBSERVATION_BY_ID, {"project_id": project_id, "id": observation_id})
            first = sorted(rows.mappings().all(), key=lambda row: str(row["trace_id"]))[:1]
            found = self._observations(conn, project_id, first)
        if not found:
            raise NotFound(f"no observation {observation_id}")
        return found[0]

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of one span (or a trace's claims row), or None."""
        key = {"project_id": project_id, "trace_id": trace_id, "id": observation_id}
        with self._read() as conn:
            row = conn.execute(_SPAN_BY_KEY, key).mappings().first()
            if row is None:
                return None
            facts = facts_from_row(tuple(row[name] for name in FACT_COLUMNS))
            claims = facts.claims
            # Stored claims name their contents by hash (codec: ``facts_from_row``); load them.
            hashes = (
                claims.explicit_input,
                claims.explicit_output,
                claims.span_input,
                claims.span_output,
                *(row[column] for column in OBSERVATION_CONTENT_COLUMNS),
            )
            found = {h for h in hashes if h} - {None}
            texts: dict[str, tuple[str | None, str]] = {}
            if found:
                result = conn.execute(_CONTENTS, {"project_id": project_id, "hashes": sorted(found)})
                texts = {digest: (format, body) for digest, format, body in result}
        reader = ContentReader(texts)
        observation = decode_observation(row, reader)
        claims = replace(
            claims,
            explicit_input=reader.load(claims.explicit_input),
            explicit_output=reader.load(claims.explicit_output),
            span_input=reader.load(claims.span_input),
            span_output=reader.load(claims.span_output),
        )
        return Translation(observation, claims)


# -- helpers -------------------------------------------------------------------------------------


def _project(row: Mapping[Any, Any]) -> Project:
    return Project(
        id=row["id"],
        name=row["name"],
        public_key=row["public_key"],
        created_at=nanos_to_datetime(row["created_ns"]),
    )


def _trace_summary(row: Mapping[Any, Any], reader: ContentReader) -> TraceSummary:
    return TraceSummary(
        trace=decode_trace(row, reader),
        observation_count=row["observation_count"],
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        total_tokens=row["total_tokens"],
        total_cost=nanos_to_usd(row["total_cost_nanos"]),
        error_count=row["error_count"],
        updated_at=nanos_to_datetime(row["updated_ns"]),
    )


def _in_trace_order(rows: Sequence[sa.RowMapping]) -> list[sa.RowMapping]:
    """A trace's observation rows by start time (ties: span id).

    Sorted here rather than by ORDER BY: with that clause SQLite (without statistics, as in a young
    database) walks the project's start-time index to avoid a sort, reading every observation of the
    project instead of the trace's few through the primary key.
    """
    return sorted(rows, key=lambda row: (row["start_ns"], row["id"]))


def _count(
    conn: sa.Connection,
    *,
    table: sa.Table,
    where: Sequence[sa.ColumnElement[bool]],
    offset: int,
    limit: int,
    found: int,
) -> int:
    # A short page that does not start past the end already tells the total.
    if found and found < limit:
        return offset + found
    if not found and offset == 0:
        return 0
    return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one())


def _total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """SUM as an integer: PostgreSQL sums bigints into numeric, which would read back as Decimal."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def _loads_list(text: str | None) -> list[str]:
    return list(json.loads(text)) if text else []


def _lock_keys(project_id: str, kind: str, ids: Sequence[str]) -> list[int]:
    """Signed 64-bit advisory-lock keys; a collision only makes two writers wait for each other."""
    prefix = f"{project_id}\x00{kind}\x00".encode()
    return sorted(
        {
            int.from_bytes(hashlib.blake2b(prefix + i.encode(), digest_size=8).digest(), "big", signed=True)
            for i in ids
        }
    )


class _WriteQueries:
    """The write path's reads and delete, built once per store: building one, and SQLAlchemy's cache
    key of it, cost about 0.3 ms, a microsecond a span each batch. Parameters: ``project_id``, and
    ``keys``, the list of trace or session ids."""

    def __init__(self, dialect: _Dialect) -> None:
        t = traces.c
        self.trace_states = sa.select(*(t[name] for name in TRACE_STATE_COLUMNS)).where(
            dialect.keyed_in(t.id)
        )
        self.span_facts = sa.select(*(observations.c[name] for name in FACT_COLUMNS)).where(
            dialect.keyed_in(observations.c.trace_id)
        )
        # One scan: aggregates per distinct (session, user, environment, tag set), few per session,
        # combined in Python; integer sums, minima and maxima do not depend on how they are grouped.
        self.session_aggregates = (
            sa.select(
                t.session_id,
                t.user_id,
                t.environment,
                t.tags,
                sa.func.min(t.timestamp_ns),
                sa.func.max(t.end_ns),
                sa.func.count(),
                _total(t.observation_count),
                _total(t.input_tokens),
                _total(t.output_tokens),
                _total(t.total_tokens),
                _total(t.total_cost_nanos),
                _total(t.error_count),
            )
            .where(dialect.keyed_in(t.session_id))
            .group_by(t.session_id, t.user_id, t.environment, t.tags)
        )
        self.delete_sessions = sessions.delete().where(dialect.keyed_in(sessions.c.id))


def _merge_batch(
    groups: list[ShapedRows], stored_spans: dict[str, dict[str, SpanFacts]]
) -> tuple[list[ShapedRows], list[ShapedRows]]:
    """A prepared batch's observation rows split into new spans and spans stored already (re-sent),
    with the facts of the batch's spans added to ``stored_spans`` (the batch's version wins) for the
    traces that have an entry there: those are resolved again from all their spans."""
    if not stored_spans:
        return groups, []
    new: list[ShapedRows] = []
    resent: list[ShapedRows] = []
    for shape, rows in groups:
        facts_of = shape_getter(shape, _FACT_POSITIONS)
        fresh: list[tuple[Any, ...]] = []
        again: list[tuple[Any, ...]] = []
        for row in rows:
            spans = stored_spans.get(row[1])  # trace id and span id: never None, so always at 1 and 2
            if spans is None:
                fresh.append(row)
                continue
            (again if row[2] in spans else fresh).append(row)
            spans[row[2]] = facts_from_row(facts_of((*row, None)))
        if fresh:
            new.append((shape, fresh))
        if again:
            resent.append((shape, again))
    return new, resent


def _every_column(table: sa.Table) -> tuple[int, ...]:
    """The shape of a row with a value in every column."""
    return tuple(range(len(table.columns)))


def _is_file(url: sa.URL) -> bool:
    """Whether an SQLite URL names a database file (not an in-memory database)."""
    database = url.database or ""
    return database not in ("", ":memory:") and url.query.get("mode") != "memory"


class _WalCheckpointer:
    """Checkpoints an SQLite database's WAL from a thread of its own while writes come.

    SQLite checkpoints in the commit that takes the WAL past its size limit: with the writer's limit
    at 20,000 pages, about 180 ms every ~28 batches of bench_store, which every request waiting on that
    commit waits for too. A PASSIVE checkpoint from another connection copies the same pages without
    the write lock, and sqlite3 lets go of the GIL while it runs, so it costs the writer nothing. The
    writer's own limit stays, four times higher, as a backstop should this thread fall behind.

    The thread is started by a commit when none runs, checkpoints every ``interval`` seconds, and
    ends after an interval without commits, so an idle store (or one never closed) keeps no thread.
    """

    #: The writer's own checkpoint limit while this thread runs (pages; make_engine sets 20,000).
    BACKSTOP_PAGES = 80_000
    _ADOPTED = "otel_bridge_checkpointer"

    def __init__(self, engine: sa.Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dirty = False
        #: Checkpoints run so far (for tests and curiosity).
        self.checkpoints = 0

    def adopt(self, conn: sa.Connection) -> None:
        """Raise a writing connection's own checkpoint limit to the backstop (once per connection)."""
        info = conn.connection.info
        if self._ADOPTED not in info:
            # On the driver's connection: through ``conn`` it would begin the transaction, deferred.
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute(f"PRAGMA wal_autocheckpoint = {self.BACKSTOP_PAGES}")
            info[self._ADOPTED] = True

    def committed(self) -> None:
        """Note a commit: the WAL grew. Starts the thread if it is not running."""
        with self._lock:
            self._dirty = True
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="otel-bridge-checkpoint", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Stop the thread (waiting for a checkpoint under way); later commits start none."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        try:
            # A connection of the thread's own, out of the pool: it needs no pool slot, and it stays
            # on the file it opened should the engine be disposed before the store is closed.
            raw = self._engine.raw_connection()
            connection = raw.driver_connection
            raw.detach()
        except Exception:  # the next commit starts another thread, which tries again
            logger.warning("cannot connect to checkpoint the WAL", exc_info=True)
            with self._lock:
                self._thread = None
            return
        try:
            while not self._stop.wait(self._interval):
                with self._lock:
                    if not self._dirty:
                        self._thread = None
                        return
                    self._dirty = False
                self._checkpoint(connection)
        finally:
            raw.close()

    def _checkpoint(self, connection: Any) -> None:
        try:
            # The connect hook put the connection in autocommit: no transaction of its pins the WAL.
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception:  # the next interval tries again, and the backstop bounds the WAL meanwhile
            logger.warning("WAL checkpoint failed", exc_info=True)
        else:
            self.checkpoints += 1


# -- dialects ------------------------------------------------------------------------------------


class _Dialect(abc.ABC):
    """What differs between the databases. Rows come by shape (``codec.shape_rows``)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, tuple[int, ...]], Any] = {}

    def lock(  # noqa: B027 -- deliberately a no-op by default
        self, conn: sa.Connection, project_id: str, kind: str, ids: Sequence[str]
    ) -> None:
        """Serialize writers on these traces or sessions until the transaction ends. Nothing to do by
        default: SQLite's ``BEGIN IMMEDIATE`` already serializes whole write transactions."""

    @abc.abstractmethod
    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        """Whether a JSON-array text column holds ``value``."""

    def keyed_in(self, column: sa.Column[Any]) -> sa.ColumnElement[bool]:
        """Rows of the project (parameter ``project_id``) whose ``column`` is one of the list
        ``keys`` (a batch's trace or session ids)."""
        # One expanding parameter holding the list: ``in_(values)`` would coerce every value (a
        # batch's 64 trace ids, per statement) into an element of its own.
        keys = sa.bindparam("keys", expanding=True, type_=column.type)
        return sa.and_(column.table.c.project_id == _P, column.in_(keys))

    @abc.abstractmethod
    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        """Insert rows, replacing every column of those whose primary key exists (a column a row's
        shape leaves out becomes NULL)."""

    @abc.abstractmethod
    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        """Insert observation rows whose keys are not stored (an existing one is an error)."""

    @abc.abstractmethod
    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        """Insert contents not stored yet (a hash names its text, so existing ones are left alone)."""

    def _cached(self, kind: str, table: sa.Table, shape: tuple[int, ...], make: Callable[[], Any]) -> Any:
        """What ``make`` builds (statement text, COPY types) for ``kind`` of rows of ``shape``, once."""
        key = (kind, table.name, shape)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = make()
        return found


def _names(table: sa.Table, shape: tuple[int, ...]) -> list[str]:
    columns = table.columns.values()
    return [columns[i].name for i in shape]


def _on_conflict_update(table: sa.Table) -> str:
    """Every column but the key, from the row that conflicted: a column the row left out becomes NULL."""
    keys_ = [c.name for c in table.primary_key.columns]
    updates = ", ".join(f"{c.name} = excluded.{c.name}" for c in table.columns if c.name not in keys_)
    return f"ON CONFLICT ({', '.join(keys_)}) DO UPDATE SET {updates}"


class _SqliteDialect(_Dialect):
    @staticmethod
    def configure(engine: sa.Engine) -> None:
        """Pragmas on every new connection, and explicit BEGINs (pysqlite's own transaction handling
        would defer BEGIN past our first read; see SQLAlchemy's "Serializable isolation" recipe)."""

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode = WAL",
                "synchronous = NORMAL",
                # 4 KiB pages x 20,000: checkpoint every ~80 MiB of WAL rather than every 4 MiB,
                # so that index pages rewritten by many batches reach the database file once. A
                # SqlStore raises it on its writing connections and checkpoints from a thread.
                "wal_autocheckpoint = 20000",
                "cache_size = -65536",
                "temp_store = MEMORY",
                "mmap_size = 268435456",
                "busy_timeout = 30000",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            write = conn.get_execution_options().get(_WRITE_OPTION, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        elements = sa.func.json_each(column).table_valued("value")
        return sa.exists(sa.select(sa.literal(1)).select_from(elements).where(elements.c.value == value))

    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT", table, groups, _on_conflict_update(table))

    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT", observations, groups)

    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        self._insert(conn, "INSERT OR IGNORE", contents, groups)

    def _insert(
        self, conn: sa.Connection, verb: str, table: sa.Table, groups: Sequence[ShapedRows], tail: str = ""
    ) -> None:
        for shape, rows in groups:

            def make(shape: tuple[int, ...] = shape) -> str:
                names = _names(table, shape)
                # UTF-8 bytes are bound as a blob (a copy) and made text again by CAST (no conversion).
                values = ", ".join(
                    "CAST(? AS TEXT)" if (table.name, name) in _UTF8_COLUMNS else "?" for name in names
                )
                return f"{verb} INTO {table.name} ({', '.join(names)}) VALUES ({values}) {tail}"

            conn.exec_driver_sql(self._cached(verb + tail, table, shape, make), rows)


class _PostgresDialect(_Dialect):
    @staticmethod
    def configure(engine: sa.Engine) -> None:
        """Plan every statement for its actual parameters. psycopg prepares a statement after a few
        executions, and PostgreSQL may then settle on a generic plan made while the tables were
        small (a sequential scan), which stays in use as they grow: span lookups of a growing trace
        table then scan it whole, every batch."""

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET plan_cache_mode = force_custom_plan")
            dbapi_connection.commit()

    def lock(self, conn: sa.Connection, project_id: str, kind: str, ids: Sequence[str]) -> None:
        if ids:
            # unnest yields the sorted keys in order, so every writer locks in the same order.
            conn.exec_driver_sql(
                "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k",
                (_lock_keys(project_id, kind, ids),),
            )

    def keyed_in(self, column: sa.Column[Any]) -> sa.ColumnElement[bool]:
        # As (project_id, key) IN (SELECT project, unnest(keys)): planned as one index probe per key.
        # Written as project_id = … AND key IN (…), PostgreSQL, before autovacuum has analyzed a
        # young table, takes project_id for selective and scans the whole project by another index.
        keys = sa.select(_P, sa.func.unnest(sa.bindparam("keys", type_=ARRAY(sa.Text))))
        return sa.tuple_(column.table.c.project_id, column).in_(keys)

    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        return sa.cast(column, JSONB).op("@>")(sa.cast(sa.literal(dumps([value])), JSONB))

    def insert_contents(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        if not groups:
            return
        self._copy(conn, contents, groups)
        # In hash order: two writers inserting the same contents wait for each other in one order.
        conn.exec_driver_sql(
            "INSERT INTO contents (project_id, hash, format, body) SELECT project_id, hash, format, body "
            "FROM _stage_contents ORDER BY hash ON CONFLICT DO NOTHING"
        )

    def upsert(self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows]) -> None:
        # COPY, then one statement: for traces and sessions too, a few dozen rows per batch, this is
        # cheaper than as many pipelined INSERTs.
        if not groups:
            return
        self._copy(conn, table, groups)
        columns = ", ".join(c.name for c in table.columns)
        sql = self._cached(
            "upsert",
            table,
            (),
            lambda: (
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM _stage_{table.name} "
                + _on_conflict_update(table)
            ),
        )
        conn.exec_driver_sql(sql)

    def insert_observations(self, conn: sa.Connection, groups: Sequence[ShapedRows]) -> None:
        # Straight into the table: no staging copy, and none of ON CONFLICT's speculative insertion.
        if groups:
            self._copy(conn, observations, groups, stage=False)

    def _copy(
        self, conn: sa.Connection, table: sa.Table, groups: Sequence[ShapedRows], *, stage: bool = True
    ) -> None:
        """Binary COPY of the rows into ``_stage_<table>``, a temporary table emptied at commit (or,
        not ``stage``, into the table itself), one COPY a shape."""
        target = f"_stage_{table.name}" if stage else table.name
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            if stage:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table.name} INCLUDING DEFAULTS) "
                    "ON COMMIT DELETE ROWS"
                )
            for shape, rows in groups:

                def make(shape: tuple[int, ...] = shape) -> tuple[str, list[str]]:
                    names = _names(table, shape)
                    column = table.columns
                    # UTF-8 bytes go as they are: a text value's binary COPY format is its UTF-8.
                    types = [
                        "bytea" if (table.name, name) in _UTF8_COLUMNS else _PG_TYPES[type(column[name].type)]
                        for name in names
                    ]
                    return ", ".join(names), types

                names, types = self._cached("copy", table, shape, make)
                with cursor.copy(f"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(types)
                    for row in rows:
                        copy.write_row(row)


_PG_TYPES: Mapping[type, str] = {
    sa.String: "text",
    sa.Text: "text",
    sa.BigInteger: "int8",
    sa.Integer: "int4",
    sa.Boolean: "bool",
}


def _implements_store(store: SqlStore) -> Store:
    """Never called: mypy checks here that ``SqlStore`` implements the ``Store`` protocol."""
    return store
