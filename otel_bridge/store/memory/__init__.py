"""``InMemoryStore``: the whole ``Store`` in this process's memory, for tests of code built on
otel-bridge (shipped through ``otel_bridge.testing``, as OpenTelemetry ships
``InMemorySpanExporter``) and for otel-bridge's own contract suite, which it passes like the SQL
store.

The semantics are the SQL store's: every write resolves its traces again from all their stored
spans (``aggregates.resolve_with_aggregates``) and recomputes their sessions from their traces, so
the state is a function of the set of spans; a span re-sent replaces the old; a session that loses
its last trace is gone; a trace's claims row (``TRACE_CLAIMS_ID``) shapes its trace but is no
observation. Values come back as the SQL store gives them back (``prepare.py``). One lock
makes it thread-safe; it imports no database library.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from otel_bridge.errors import NotFound
from otel_bridge.model import Observation, Score, Session, nanos_to_datetime
from otel_bridge.store import (
    TRACE_CLAIMS_ID,
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
from otel_bridge.store import keys as project_keys
from otel_bridge.store.aggregates import NANOS_PER_USD, SessionTotals, nanos_to_usd, resolve_with_aggregates
from otel_bridge.store.memory.filters import (
    observations_matching,
    session_sort_key,
    sessions_matching,
    trace_sort_key,
    traces_matching,
)
from otel_bridge.store.memory.prepare import (
    MemoryPreparedWrite,
    MemoryWritePreparer,
    StoredSpan,
    StoredTrace,
    memory_prepared,
)
from otel_bridge.store.memory.scores import scores_matching, stored_score
from otel_bridge.translate import Translation


@dataclass(slots=True)
class _Credentials:
    """A project and the digests of its secret key (never the key itself)."""

    project: Project
    created_ns: int
    secret_lookup: str
    secret_hash: str


@dataclass(slots=True)
class _Tenant:
    """Everything one project id has stored."""

    spans: dict[str, dict[str, StoredSpan]] = field(default_factory=dict)
    traces: dict[str, StoredTrace] = field(default_factory=dict)
    sessions: dict[str, SessionTotals] = field(default_factory=dict)
    scores: dict[str, Score] = field(default_factory=dict)
    bookmarks: set[str] = field(default_factory=set)


class InMemoryStore:
    """The ``Store`` in memory (see the module docstring); ``clock`` gives nanoseconds since the epoch."""

    def __init__(self, *, clock: Callable[[], int] = time.time_ns) -> None:
        #: The store's ``WritePreparer``.
        self.preparer = MemoryWritePreparer()
        self._clock = clock
        self._lock = threading.Lock()
        self._projects: dict[str, _Credentials] = {}
        self._tenants: dict[str, _Tenant] = {}

    def close(self) -> None:
        """Nothing to release: the store lives as long as the object."""

    # -- projects ---------------------------------------------------------------------------------

    def create_project(
        self, name: str, *, public_key: str | None = None, secret_key: str | None = None
    ) -> ProjectKeys:
        """A new project; keys not given are generated. Raises ``ValueError`` for a key in use."""
        public_key = public_key or project_keys.generate_public_key()
        secret_key = secret_key or project_keys.generate_secret_key()
        lookup, verifier = project_keys.secret_lookup(secret_key), project_keys.hash_secret(secret_key)
        with self._lock:
            self._refuse_keys_in_use(None, public_key, lookup)
            now = self._clock()
            project = Project(project_keys.generate_project_id(), name, public_key, nanos_to_datetime(now))
            self._projects[project.id] = _Credentials(project, now, lookup, verifier)
        return ProjectKeys(project, public_key, secret_key)

    def set_project_keys(self, project_id: str, public_key: str, secret_key: str) -> None:
        """Replace a project's key pair (for keys fixed by configuration)."""
        lookup, verifier = project_keys.secret_lookup(secret_key), project_keys.hash_secret(secret_key)
        with self._lock:
            found = self._projects.get(project_id)
            if found is None:
                raise NotFound(f"no project {project_id}")
            self._refuse_keys_in_use(project_id, public_key, lookup)
            project = Project(project_id, found.project.name, public_key, found.project.created_at)
            self._projects[project_id] = _Credentials(project, found.created_ns, lookup, verifier)

    def _refuse_keys_in_use(self, project_id: str | None, public_key: str, lookup: str) -> None:
        for other in self._projects.values():
            if other.project.id != project_id and (
                other.project.public_key == public_key or other.secret_lookup == lookup
            ):
                raise ValueError("this public or secret key belongs to another project")

    def get_project(self, project_id: str) -> Project:
        """The project with this id."""
        with self._lock:
            found = self._projects.get(project_id)
        if found is None:
            raise NotFound(f"no project {project_id}")
        return found.project

    def find_project(self, name: str) -> Project | None:
        """The oldest project with this name, if any."""
        with self._lock:
            named = [c for c in self._projects.values() if c.project.name == name]
        oldest = min(named, key=lambda c: (c.created_ns, c.project.id), default=None)
        return None if oldest is None else oldest.project

    def list_projects(self) -> Sequence[Project]:
        """Every project, oldest first."""
        with self._lock:
            found = sorted(self._projects.values(), key=lambda c: (c.created_ns, c.project.id))
        return [c.project for c in found]

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        """The project of this key pair, or None when either key is wrong."""
        return self._verified(lambda c: c.project.public_key == public_key, secret_key)

    def authenticate_secret(self, secret_key: str) -> Project | None:
        """The project of this secret key alone (``Authorization: Bearer``), or None."""
        lookup = project_keys.secret_lookup(secret_key)
        return self._verified(lambda c: c.secret_lookup == lookup, secret_key)

    def _verified(self, match: Callable[[_Credentials], bool], secret_key: str) -> Project | None:
        with self._lock:
            found = next((c for c in self._projects.values() if match(c)), None)
        if found is None or not project_keys.verify_secret(secret_key, found.secret_hash):
            return None
        return found.project

    # -- writes -----------------------------------------------------------------------------------

    def write_batch(self, project_id: str, translations: Sequence[Translation]) -> None:
        """Store spans, resolve their traces, and recompute the touched traces' and sessions'
        aggregates, at once."""
        self.write_prepared([self.preparer.prepare(project_id, translations)])

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        """``write_batch`` of what ``preparer`` made; several batches at once, as if one after another."""
        mine = [memory_prepared(batch) for batch in batches]
        with self._lock:
            now = self._clock()
            for batch in mine:
                if batch.trace_ids:
                    self._write(self._tenants.setdefault(batch.project_id, _Tenant()), batch, now)

    def _write(self, tenant: _Tenant, batch: MemoryPreparedWrite, now: int) -> None:
        for span in batch.spans:
            tenant.spans.setdefault(span.observation.trace_id, {})[span.observation.id] = span
        touched_sessions: set[str] = set()
        for trace_id in batch.trace_ids:
            resolved = resolve_with_aggregates(span.facts for span in tenant.spans[trace_id].values())
            before = tenant.traces.get(trace_id)
            if before is not None and before.resolved == resolved:
                continue  # a re-sent span: nothing to do, and the session stays as it is
            tenant.traces[trace_id] = StoredTrace(resolved, now)
            for version in (before.resolved if before else None, resolved):
                if version is not None and version.trace.session_id is not None:
                    touched_sessions.add(version.trace.session_id)
        for session_id in touched_sessions:
            totals = SessionTotals()
            for trace in tenant.traces.values():
                if trace.resolved.trace.session_id == session_id:
                    totals.add_trace(trace.resolved)
            if totals.trace_count:
                tenant.sessions[session_id] = totals
            else:  # its last trace moved away
                tenant.sessions.pop(session_id, None)

    # -- reads ------------------------------------------------------------------------------------

    def _tenant(self, project_id: str) -> _Tenant:
        return self._tenants.get(project_id) or _Tenant()

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
        """Sessions with their aggregates."""
        with self._lock:
            tenant = self._tenant(project_id)
            found = sessions_matching(filter, tenant.sessions, tenant.bookmarks)
        found.sort(key=session_sort_key(order_by), reverse=descending)
        page = found[offset : offset + limit]
        return Page(tuple(entry.totals.session(entry.id) for entry in page), len(found))

    def get_session(
        self, project_id: str, session_id: str, *, offset: int = 0, limit: int = 100
    ) -> SessionDetail:
        """A session's aggregates and a page of its traces in timestamp order."""
        with self._lock:
            tenant = self._tenant(project_id)
            totals = tenant.sessions.get(session_id)
            if totals is None:
                raise NotFound(f"no session {session_id}")
            traces = [t for t in tenant.traces.values() if t.resolved.trace.session_id == session_id]
        traces.sort(key=lambda t: (t.resolved.start_ns, t.resolved.trace.id))
        items = tuple(_summary(t) for t in traces[offset : offset + limit])
        return SessionDetail(totals.session(session_id), Page(items, totals.trace_count))

    def session_activity(
        self,
        project_id: str,
        filter: SessionFilter = SessionFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        bucket_seconds: int = 3600,
    ) -> tuple[ActivityBucket, ...]:
        """The filtered sessions by bucket of their first activity, oldest first."""
        bucket_ns = bucket_seconds * 1_000_000_000
        with self._lock:
            tenant = self._tenant(project_id)
            found = sessions_matching(filter, tenant.sessions, tenant.bookmarks)
        # Per bucket: sessions, traces, input, output and total tokens, cost in nano-dollars.
        buckets: dict[int, list[int]] = {}
        for entry in found:
            t = entry.totals
            sums = buckets.setdefault(t.first_activity_ns // bucket_ns, [0] * 6)
            for position, value in enumerate(
                (1, t.trace_count, t.input_tokens, t.output_tokens, t.total_tokens, t.total_cost_nanos)
            ):
                sums[position] += value
        return tuple(
            ActivityBucket(
                start=nanos_to_datetime(index * bucket_ns),
                sessions=count,
                traces=traces,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                total_tokens=total_tokens,
                total_cost=cost / NANOS_PER_USD,
            )
            for index, (count, traces, input_tokens, output_tokens, total_tokens, cost) in sorted(
                buckets.items()
            )
        )

    def set_bookmark(self, project_id: str, session_id: str, bookmarked: bool) -> None:
        """Bookmark a session (``NotFound`` when there is none) or remove its bookmark."""
        with self._lock:
            tenant = self._tenants.setdefault(project_id, _Tenant())
            if not bookmarked:
                tenant.bookmarks.discard(session_id)
                return
            if session_id not in tenant.sessions:
                raise NotFound(f"no session {session_id}")
            tenant.bookmarks.add(session_id)

    def bookmarked_sessions(self, project_id: str, session_ids: Sequence[str]) -> frozenset[str]:
        """Which of ``session_ids`` are bookmarked."""
        with self._lock:
            return frozenset(self._tenant(project_id).bookmarks.intersection(session_ids))

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
        with self._lock:
            found = traces_matching(filter, self._tenant(project_id).traces.values())
        found.sort(key=trace_sort_key(order_by), reverse=descending)
        return Page(tuple(_summary(t) for t in found[offset : offset + limit]), len(found))

    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """A trace with its aggregates and observations in start-time order."""
        with self._lock:
            tenant = self._tenant(project_id)
            trace = tenant.traces.get(trace_id)
            if trace is None:
                raise NotFound(f"no trace {trace_id}")
            spans = _in_trace_order(tenant.spans.get(trace_id, {}).values())
        return TraceDetail(_summary(trace), tuple(span.observation for span in spans))

    def list_observations(
        self,
        project_id: str,
        filter: ObservationFilter = ObservationFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Observation]:
        """Observations, newest start first; in trace order (oldest first) when filtered by trace."""
        with self._lock:
            tenant = self._tenant(project_id)
            found = observations_matching(filter, tenant.spans, tenant.traces)
        if filter.trace_id is not None:
            found = _in_trace_order(found)
        else:
            found.sort(
                key=lambda s: (s.facts.claims.start_time_unix_nano, s.observation.trace_id, s.observation.id)
            )
            found.reverse()
        return Page(tuple(span.observation for span in found[offset : offset + limit]), len(found))

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by its id (the span id); of several traces, the one of the first trace id."""
        if observation_id == TRACE_CLAIMS_ID:
            raise NotFound("no observation with an empty id")
        with self._lock:
            spans = self._tenant(project_id).spans
            trace_ids = sorted(trace_id for trace_id, by_id in spans.items() if observation_id in by_id)
            if not trace_ids:
                raise NotFound(f"no observation {observation_id}")
            return spans[trace_ids[0]][observation_id].observation

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of one span (or a trace's claims row), or None."""
        with self._lock:
            span = self._tenant(project_id).spans.get(trace_id, {}).get(observation_id)
        return None if span is None else Translation(span.observation, span.facts.claims)

    # -- scores -----------------------------------------------------------------------------------

    def write_scores(self, project_id: str, scores: Sequence[Score]) -> None:
        """Store scores; a stored id is replaced, keeping its ``created_at``."""
        with self._lock:
            kept = self._tenants.setdefault(project_id, _Tenant()).scores
            for score in scores:
                kept[score.id] = stored_score(score, kept.get(score.id))

    def list_scores(
        self,
        project_id: str,
        filter: ScoreFilter = ScoreFilter(),  # noqa: B008 - a frozen value, safe as a default
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[ListedScore]:
        """Scores, newest timestamp first (ties by id), each with its stored trace."""
        with self._lock:
            tenant = self._tenant(project_id)
            found = scores_matching(filter, tenant.scores.values(), tenant.traces)
        return Page(tuple(found[offset : offset + limit]), len(found))

    def get_score(self, project_id: str, score_id: str) -> Score:
        """One score by its id."""
        with self._lock:
            score = self._tenant(project_id).scores.get(score_id)
        if score is None:
            raise NotFound(f"no score {score_id}")
        return score

    def delete_score(self, project_id: str, score_id: str) -> None:
        """Delete one score."""
        with self._lock:
            if self._tenant(project_id).scores.pop(score_id, None) is None:
                raise NotFound(f"no score {score_id}")


def _summary(stored: StoredTrace) -> TraceSummary:
    resolved = stored.resolved
    return TraceSummary(
        trace=resolved.trace,
        observation_count=resolved.observation_count,
        input_tokens=resolved.input_tokens,
        output_tokens=resolved.output_tokens,
        total_tokens=resolved.total_tokens,
        total_cost=nanos_to_usd(resolved.cost_nanos),
        error_count=resolved.error_count,
        updated_at=nanos_to_datetime(stored.updated_ns),
    )


def _in_trace_order(spans: Iterable[StoredSpan]) -> list[StoredSpan]:
    """A trace's observations (its claims row left out) by start time, ties by span id."""
    observed = [span for span in spans if span.observation.id != TRACE_CLAIMS_ID]
    return sorted(observed, key=lambda s: (s.facts.claims.start_time_unix_nano, s.observation.id))


def _implements_store(store: InMemoryStore) -> Store:
    """Never called: mypy checks here that ``InMemoryStore`` implements the ``Store`` protocol."""
    return store


__all__ = ["InMemoryStore"]
