"""``SqlStore``: the ``Store`` on SQLAlchemy Core, for SQLite (embedded default) and PostgreSQL.

This façade composes the package's modules, one job each:

- ``engine.py``: ``make_engine`` and the store's write and read transactions;
- ``dialects.py``: everything that differs between SQLite and PostgreSQL, and how rows are shaped
  for their drivers; ``checkpointer.py``: SQLite's WAL checkpoints on a thread of their own;
- ``prepare.py``: the ``WritePreparer`` (the half of a write that needs no database, run by ingest
  in decode workers) and ``writes.py``/``sessions.py``: the other half, the write transaction;
- ``rows.py`` (span → row), ``content.py`` (content addressing), ``decode.py`` (row → model),
  ``columns.py`` (named column positions) and ``schema.py`` (the tables; ``migrations/``);
- ``reads.py`` and ``filters.py``: the reads; ``activity.py``: the UI's chart buckets and bookmarks;
  ``projects.py``: projects and their keys; ``forwarding.py``: the forwarder's spool state;
  ``scores.py``: scores;
  ``errors.py``: which write failures are worth retrying.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from otel_bridge.model import Observation, Score, Session
from otel_bridge.store import (
    ActivityBucket,
    ListedScore,
    ObservationFilter,
    Page,
    PreparedWrite,
    Project,
    ProjectKeys,
    ScoreFilter,
    SessionDetail,
    SessionFilter,
    SessionOrder,
    Store,
    TraceDetail,
    TraceFilter,
    TraceOrder,
    TraceSummary,
)
from otel_bridge.store.sql import activity, projects, scores
from otel_bridge.store.sql.checkpointer import CHECKPOINT_INTERVAL
from otel_bridge.store.sql.dialects import Dialect
from otel_bridge.store.sql.engine import Connections, make_engine
from otel_bridge.store.sql.errors import classify_write_failure
from otel_bridge.store.sql.forwarding import ForwardingLedger
from otel_bridge.store.sql.prepare import SqlWritePreparer, sql_prepared
from otel_bridge.store.sql.reads import Reader
from otel_bridge.store.sql.writes import Writer
from otel_bridge.translate import Translation


class SqlStore:
    """The ``Store`` on one SQLAlchemy engine (SQLite or PostgreSQL); the schema must be migrated
    (``otel_bridge.store.sql.migrations.upgrade``). Thread-safe: every call takes its own connection.

    With ``forwarding``, every write marks the traces it changes for the forwarder, in the same
    transaction (``forwarding.py``).

    On an SQLite file, WAL checkpoints run on a thread of the store's every ``checkpoint_interval``
    seconds while writes come (None: in the commits, SQLite's default); ``close`` stops it.
    """

    def __init__(
        self,
        engine: sa.Engine | str,
        *,
        clock: Callable[[], int] = time.time_ns,
        checkpoint_interval: float | None = CHECKPOINT_INTERVAL,
        forwarding: bool = False,
    ) -> None:
        self.engine = make_engine(engine) if isinstance(engine, str) else engine
        #: The store's ``WritePreparer`` (``prepare.py``).
        self.preparer = SqlWritePreparer()
        dialect = Dialect.of(self.engine)
        self._clock = clock
        self._db = Connections(self.engine, checkpoint_interval)
        self._writer = Writer(dialect, forwarding=forwarding)
        self._reader = Reader(self._db, dialect)
        #: The forwarder's spool state (``forwarding.py``); rows are written only with ``forwarding``.
        self.forwarding = ForwardingLedger(self._db)
        self._dialect = dialect

    def close(self) -> None:
        """Stop the checkpoint thread, if any, and close the engine's pooled connections."""
        self._db.close()

    # -- projects ---------------------------------------------------------------------------------

    def create_project(
        self, name: str, *, public_key: str | None = None, secret_key: str | None = None
    ) -> ProjectKeys:
        """A new project; keys not given are generated. Raises ``ValueError`` for a key in use."""
        return projects.create_project(self._db, name, self._clock(), public_key, secret_key)

    def set_project_keys(self, project_id: str, public_key: str, secret_key: str) -> None:
        """Replace a project's key pair (for keys fixed by configuration)."""
        projects.set_project_keys(self._db, project_id, public_key, secret_key)

    def get_project(self, project_id: str) -> Project:
        """The project with this id."""
        return projects.get_project(self._db, project_id)

    def find_project(self, name: str) -> Project | None:
        """The oldest project with this name, if any."""
        return projects.find_project(self._db, name)

    def list_projects(self) -> Sequence[Project]:
        """Every project, oldest first."""
        return projects.list_projects(self._db)

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        """The project of this key pair, or None when either key is wrong."""
        return projects.authenticate(self._db, public_key, secret_key)

    def authenticate_secret(self, secret_key: str) -> Project | None:
        """The project of this secret key alone (``Authorization: Bearer``), or None."""
        return projects.authenticate_secret(self._db, secret_key)

    # -- writes -----------------------------------------------------------------------------------

    def write_batch(self, project_id: str, translations: Sequence[Translation]) -> None:
        """Store spans, resolve their traces, and recompute the touched traces' and sessions'
        aggregates, in one transaction (``writes.py``)."""
        self.write_prepared([self.preparer.prepare(project_id, translations)])

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        """``write_batch`` of what ``preparer`` made, maybe in another process. Several batches
        (ingest's group commit) are written in one transaction, as if one after another."""
        mine = [sql_prepared(batch) for batch in batches]
        if not any(batch.trace_ids for batch in mine):
            return
        try:
            with self._db.write() as conn:
                self._writer.write(conn, mine, self._clock())
        except Exception as error:
            raise classify_write_failure(error) from error

    # -- reads ------------------------------------------------------------------------------------

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
        return self._reader.list_sessions(
            project_id, filter, order_by=order_by, descending=descending, offset=offset, limit=limit
        )

    def get_session(
        self, project_id: str, session_id: str, *, offset: int = 0, limit: int = 100
    ) -> SessionDetail:
        """A session's aggregates and a page of its traces in timestamp order."""
        return self._reader.get_session(project_id, session_id, offset=offset, limit=limit)

    def session_activity(
        self,
        project_id: str,
        filter: SessionFilter = SessionFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        bucket_seconds: int = 3600,
    ) -> tuple[ActivityBucket, ...]:
        """The filtered sessions by bucket of first activity, from the sessions table alone."""
        conditions = self._reader.session_conditions(project_id, filter)
        return activity.session_activity(self._db, conditions, bucket_seconds)

    def set_bookmark(self, project_id: str, session_id: str, bookmarked: bool) -> None:
        """Bookmark a session or remove its bookmark."""
        activity.set_bookmark(self._db, project_id, session_id, bookmarked, self._clock())

    def bookmarked_sessions(self, project_id: str, session_ids: Sequence[str]) -> frozenset[str]:
        """Which of ``session_ids`` are bookmarked."""
        return activity.bookmarked_sessions(self._db, project_id, session_ids)

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
        return self._reader.list_traces(
            project_id, filter, order_by=order_by, descending=descending, offset=offset, limit=limit
        )

    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """A trace with its aggregates and observations in start-time order."""
        return self._reader.get_trace(project_id, trace_id)

    def list_observations(
        self,
        project_id: str,
        filter: ObservationFilter = ObservationFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Observation]:
        """Observations, newest start first; in trace order (oldest first) when filtered by trace."""
        return self._reader.list_observations(project_id, filter, offset=offset, limit=limit)

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by its id (the span id)."""
        return self._reader.get_observation(project_id, observation_id)

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of one span (or a trace's claims row), or None."""
        return self._reader.get_translation(project_id, trace_id, observation_id)

    # -- scores (``scores.py``) -------------------------------------------------------------------

    def write_scores(self, project_id: str, given: Sequence[Score]) -> None:
        """Store scores in one transaction; a stored id is replaced, keeping its ``created_at``."""
        try:
            scores.write_scores(self._db, project_id, given)
        except Exception as error:
            raise classify_write_failure(error) from error

    def list_scores(
        self,
        project_id: str,
        filter: ScoreFilter = ScoreFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[ListedScore]:
        """Scores, newest timestamp first (ties by id), each with its stored trace."""
        return scores.list_scores(self._db, self._dialect, project_id, filter, offset=offset, limit=limit)

    def get_score(self, project_id: str, score_id: str) -> Score:
        """One score by its id."""
        return scores.get_score(self._db, project_id, score_id)

    def delete_score(self, project_id: str, score_id: str) -> None:
        """Delete one score."""
        scores.delete_score(self._db, project_id, score_id)


def _implements_store(store: SqlStore) -> Store:
    """Never called: mypy checks here that ``SqlStore`` implements the ``Store`` protocol."""
    return store


__all__ = ["SqlStore"]
