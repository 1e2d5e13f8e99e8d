"""``SqlStore``: the ``Store`` on SQLAlchemy Core, for SQLite (embedded default) and PostgreSQL.

This is the only module that knows which database it talks to. The differences, all in the two
``_Dialect`` classes below:

- SQLite: WAL journal, ``synchronous=NORMAL`` (a committed transaction survives a killed process;
  only a power loss can take the last ones back), a larger WAL auto-checkpoint so that checkpoints
  do not interrupt every few batches, and ``BEGIN IMMEDIATE`` for writes, which takes the database's
  single write lock up front so that a writer's reads and writes see one consistent database.
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
"""

from __future__ import annotations

import abc
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from otel_bridge.errors import NotFound, StoreUnavailable
from otel_bridge.model import Observation, Session, nanos_to_datetime
from otel_bridge.store import (
    TRACE_CLAIMS_ID,
    ObservationFilter,
    Page,
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
)
from otel_bridge.store import projects as keys
from otel_bridge.store.codec import (
    FACT_COLUMNS,
    OBSERVATION_CONTENT_COLUMNS,
    TRACE_CONTENT_COLUMNS,
    TRACE_SESSION_INDEX,
    TRACE_STATE_COLUMNS,
    ContentReader,
    ContentSink,
    SessionTotals,
    SpanFacts,
    decode_observation,
    decode_session,
    decode_trace,
    dumps,
    encode_span,
    facts_from_row,
    nanos_to_usd,
    to_nanos,
    trace_row,
    usd_to_nanos,
)
from otel_bridge.store.schema import contents, observations, projects, sessions, traces
from otel_bridge.translate import Translation

#: Execution option that makes the SQLite ``begin`` hook take the write lock at once.
_WRITE_OPTION = "otel_bridge_write"
#: How long a successful key verification is trusted without running scrypt again.
_AUTH_CACHE_SECONDS = 300.0
_AUTH_CACHE_SIZE = 4096

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
    (``otel_bridge.store.migrations.upgrade``). Thread-safe: every call takes its own connection."""

    def __init__(self, engine: sa.Engine | str, *, clock: Callable[[], int] = time.time_ns) -> None:
        self.engine = make_engine(engine) if isinstance(engine, str) else engine
        backend = self.engine.dialect.name
        self._dialect: _Dialect = _PostgresDialect() if backend == "postgresql" else _SqliteDialect()
        self._clock = clock
        self._auth_cache: dict[tuple[str, str], tuple[Project, float]] = {}

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()

    # -- connections ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_WRITE_OPTION: True})
                with conn.begin():
                    yield conn
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
            raise StoreUnavailable(f"the store refused the write: {error.orig}") from error

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
        self._auth_cache.clear()

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
        # Every request authenticates, and scrypt takes tens of milliseconds by design: a verified
        # pair is remembered (by a digest of the secret, never the secret) for a few minutes.
        cache_key = (public_key, hashlib.sha256(secret_key.encode()).hexdigest())
        cached = self._auth_cache.get(cache_key)
        now = time.monotonic()
        if cached is not None and cached[1] > now:
            return cached[0]
        with self._read() as conn:
            row = conn.execute(sa.select(projects).where(where)).mappings().first()
        if row is None or not keys.verify_secret(secret_key, row["secret_hash"]):
            return None
        project = _project(row)
        if len(self._auth_cache) >= _AUTH_CACHE_SIZE:
            self._auth_cache.clear()
        self._auth_cache[cache_key] = (project, now + _AUTH_CACHE_SECONDS)
        return project

    # -- writes -----------------------------------------------------------------------------------

    def write_batch(self, project_id: str, translations: Sequence[Translation]) -> None:
        """Store spans, resolve their traces, and recompute the touched traces' and sessions'
        aggregates, in one transaction (see the module docstring)."""
        if not translations:
            return
        # A span sent twice in one batch: the last one received wins, as across batches.
        latest: dict[tuple[str, str], Translation] = {}
        for translation in translations:
            latest[(translation.observation.trace_id, translation.observation.id)] = translation
        sink = ContentSink()
        rows: list[tuple[Any, ...]] = []
        batch: dict[str, dict[str, SpanFacts]] = {}
        for translation in latest.values():
            row, facts = encode_span(project_id, translation, sink)
            rows.append(row)
            batch.setdefault(row[1], {})[row[2]] = facts
        trace_ids = sorted(batch)
        dialect = self._dialect
        with self._write() as conn:
            now = self._clock()
            dialect.lock(conn, project_id, "trace", trace_ids)
            stored_traces = self._trace_states(conn, project_id, trace_ids)
            stored_spans = self._span_facts(conn, project_id, trace_ids)
            dialect.insert_contents(conn, project_id, sink.bodies)
            # Which spans are stored already is known exactly: every writer of a trace's spans holds
            # that trace's lock (SQLite: the database's) from before reading them until its commit.
            # New spans, nearly all of them, are inserted plainly, without conflict handling.
            new: list[tuple[Any, ...]] = []
            resent: list[tuple[Any, ...]] = []
            for row in rows:
                stored = stored_spans.get(row[1])
                (resent if stored is not None and row[2] in stored else new).append(row)
            dialect.insert_observations(conn, new)
            dialect.upsert(conn, observations, resent)

            changed: list[tuple[Any, ...]] = []
            touched_sessions: set[str] = set()
            for trace_id in trace_ids:
                spans = stored_spans.get(trace_id, {})
                spans.update(batch[trace_id])
                state = trace_row(project_id, spans.values(), sink)
                before = stored_traces.get(trace_id)
                if state == before:
                    continue  # a re-sent span: nothing to do, and the session stays as it is
                changed.append((*state, now))
                if before is not None and before[TRACE_SESSION_INDEX] is not None:
                    touched_sessions.add(before[TRACE_SESSION_INDEX])
                if state[TRACE_SESSION_INDEX] is not None:
                    touched_sessions.add(state[TRACE_SESSION_INDEX])
            dialect.upsert(conn, traces, changed)
            if touched_sessions:
                session_ids = sorted(touched_sessions)
                dialect.lock(conn, project_id, "session", session_ids)
                self._recompute_sessions(conn, project_id, session_ids, now)

    def _trace_states(
        self, conn: sa.Connection, project_id: str, trace_ids: list[str]
    ) -> dict[str, tuple[Any, ...]]:
        columns = [traces.c[name] for name in TRACE_STATE_COLUMNS]
        query = sa.select(*columns).where(self._dialect.keyed_in(traces.c.id, project_id, trace_ids))
        return {row[1]: tuple(row) for row in conn.execute(query)}

    def _span_facts(
        self, conn: sa.Connection, project_id: str, trace_ids: list[str]
    ) -> dict[str, dict[str, SpanFacts]]:
        columns = [observations.c[name] for name in FACT_COLUMNS]
        query = sa.select(*columns).where(
            self._dialect.keyed_in(observations.c.trace_id, project_id, trace_ids)
        )
        stored: dict[str, dict[str, SpanFacts]] = {}
        for row in conn.execute(query):
            stored.setdefault(row[0], {})[row[1]] = facts_from_row(row)
        return stored

    def _recompute_sessions(
        self, conn: sa.Connection, project_id: str, session_ids: list[str], now: int
    ) -> None:
        t = traces.c
        scope = self._dialect.keyed_in(t.session_id, project_id, session_ids)
        # One scan: aggregates per distinct (session, user, environment, tag set), few per session,
        # combined here; integer sums, minima and maxima do not depend on how they are grouped.
        aggregates = (
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
            .where(scope)
            .group_by(t.session_id, t.user_id, t.environment, t.tags)
        )
        found: dict[str, SessionTotals] = {}
        for sid, user_id, environment, tags, first, last, *sums in conn.execute(aggregates):
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
            totals.tags.update(_loads_list(tags))
        rows = [found[sid].row(project_id, sid, now) for sid in session_ids if sid in found]
        self._dialect.upsert(conn, sessions, rows)
        # A session whose last trace moved away no longer exists.
        gone = [sid for sid in session_ids if sid not in found]
        if gone:
            conn.execute(sessions.delete().where(self._dialect.keyed_in(sessions.c.id, project_id, gone)))

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


# -- dialects ------------------------------------------------------------------------------------


class _Dialect(abc.ABC):
    """What differs between the databases."""

    placeholder: ClassVar[str]

    def __init__(self) -> None:
        self._sql_cache: dict[str, str] = {}

    def lock(  # noqa: B027 -- deliberately a no-op by default
        self, conn: sa.Connection, project_id: str, kind: str, ids: Sequence[str]
    ) -> None:
        """Serialize writers on these traces or sessions until the transaction ends. Nothing to do by
        default: SQLite's ``BEGIN IMMEDIATE`` already serializes whole write transactions."""

    @abc.abstractmethod
    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        """Whether a JSON-array text column holds ``value``."""

    def keyed_in(
        self, column: sa.Column[Any], project_id: str, values: Sequence[str]
    ) -> sa.ColumnElement[bool]:
        """Rows of the project whose ``column`` is one of ``values`` (a batch's trace or session ids)."""
        project = column.table.c.project_id
        # One expanding parameter holding the list: ``in_(values)`` would coerce every value (a
        # batch's 64 trace ids, per statement) into an element of its own.
        keys = sa.bindparam(None, list(values), expanding=True, type_=column.type)
        return sa.and_(project == project_id, column.in_(keys))

    def upsert(self, conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert rows (in column order), replacing those whose primary key exists."""
        if rows:
            conn.exec_driver_sql(self._upsert_sql(table), list(rows))

    def insert_observations(self, conn: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert observation rows whose keys are not stored (an existing one is an error)."""
        if rows:
            names = [c.name for c in observations.columns]
            values = ", ".join([self.placeholder] * len(names))
            conn.exec_driver_sql(
                f"INSERT INTO observations ({', '.join(names)}) VALUES ({values})", list(rows)
            )

    @abc.abstractmethod
    def insert_contents(
        self, conn: sa.Connection, project_id: str, bodies: Mapping[str, tuple[str | None, str]]
    ) -> None:
        """Insert contents not stored yet (a hash names its text, so existing ones are left alone)."""

    def _upsert_sql(self, table: sa.Table) -> str:
        cache = self._sql_cache
        sql = cache.get(table.name)
        if sql is None:
            names = [c.name for c in table.columns]
            keys_ = [c.name for c in table.primary_key.columns]
            updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys_)
            values = ", ".join([self.placeholder] * len(names))
            sql = cache[table.name] = (
                f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({values}) "
                f"ON CONFLICT ({', '.join(keys_)}) DO UPDATE SET {updates}"
            )
        return sql


class _SqliteDialect(_Dialect):
    placeholder = "?"

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
                # so that index pages rewritten by many batches reach the database file once.
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

    def insert_contents(
        self, conn: sa.Connection, project_id: str, bodies: Mapping[str, tuple[str | None, str]]
    ) -> None:
        if bodies:
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO contents (project_id, hash, format, body) VALUES (?, ?, ?, ?)",
                [(project_id, digest, *bodies[digest]) for digest in sorted(bodies)],
            )


class _PostgresDialect(_Dialect):
    placeholder = "%s"

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

    def keyed_in(
        self, column: sa.Column[Any], project_id: str, values: Sequence[str]
    ) -> sa.ColumnElement[bool]:
        # As (project_id, key) IN (SELECT project, unnest(keys)): planned as one index probe per key.
        # Written as project_id = … AND key IN (…), PostgreSQL, before autovacuum has analyzed a
        # young table, takes project_id for selective and scans the whole project by another index.
        project = column.table.c.project_id
        keys = sa.select(
            sa.literal(project_id, sa.String),
            sa.func.unnest(sa.bindparam("keys", list(values), type_=ARRAY(sa.Text))),
        )
        return sa.tuple_(project, column).in_(keys)

    def json_array_contains(self, column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
        return sa.cast(column, JSONB).op("@>")(sa.cast(sa.literal(dumps([value])), JSONB))

    def insert_contents(
        self, conn: sa.Connection, project_id: str, bodies: Mapping[str, tuple[str | None, str]]
    ) -> None:
        if not bodies:
            return
        rows = [(project_id, digest, *bodies[digest]) for digest in sorted(bodies)]
        self._copy(conn, contents, rows)
        # In hash order: two writers inserting the same contents wait for each other in one order.
        conn.exec_driver_sql(
            "INSERT INTO contents (project_id, hash, format, body) SELECT project_id, hash, format, body "
            "FROM _stage_contents ORDER BY hash ON CONFLICT DO NOTHING"
        )

    def upsert(self, conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]]) -> None:
        # COPY, then one statement: for traces and sessions too, a few dozen rows per batch, this is
        # cheaper than as many pipelined INSERTs.
        if not rows:
            return
        self._copy(conn, table, rows)
        conn.exec_driver_sql(self._upsert_from_stage_sql(table))

    def _upsert_from_stage_sql(self, table: sa.Table) -> str:
        cache = self._sql_cache
        sql = cache.get(table.name)
        if sql is None:
            names = [c.name for c in table.columns]
            keys_ = [c.name for c in table.primary_key.columns]
            updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys_)
            columns = ", ".join(names)
            sql = cache[table.name] = (
                f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM _stage_{table.name} "
                f"ON CONFLICT ({', '.join(keys_)}) DO UPDATE SET {updates}"
            )
        return sql

    def insert_observations(self, conn: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        # Straight into the table: no staging copy, and none of ON CONFLICT's speculative insertion.
        if rows:
            self._copy(conn, observations, rows, stage=False)

    def _copy(
        self, conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[Any, ...]], *, stage: bool = True
    ) -> None:
        """Binary COPY of ``rows`` into ``_stage_<table>``, a temporary table emptied at commit (or,
        not ``stage``, into the table itself)."""
        target = f"_stage_{table.name}" if stage else table.name
        raw = conn.connection.driver_connection
        assert raw is not None
        names = [c.name for c in table.columns]
        types = [_PG_TYPES[type(c.type)] for c in table.columns]
        with raw.cursor() as cursor:
            if stage:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {target} (LIKE {table.name} INCLUDING DEFAULTS) "
                    "ON COMMIT DELETE ROWS"
                )
            with cursor.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
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
