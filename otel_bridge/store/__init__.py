"""The store: where translated spans become traces, observations and sessions
(docs/architecture.md, "Storage and grouping semantics").

This module holds only the seam: the ``Store`` protocol, the value types its reads return, the
filters they take, and the two opaque types of ingest's fast path (``WritePreparer``,
``PreparedWrite``). It speaks the model: translations in, traces, sessions and observations out.
``SqlStore`` (``otel_bridge.store.sql``) implements it on SQLite and PostgreSQL, ``InMemoryStore``
(``otel_bridge.store.memory``) in a process's memory; everything above the store (ingest, api, ui)
depends on this module only.

Every method takes the caller's project id and never sees rows of another project. Times are aware UTC
datetimes; costs are USD floats (stored exactly, as integer nano-dollars); pagination is offset/limit
and every listing reports its total count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from otel_bridge.model import (
    Observation,
    ObservationLevel,
    ObservationType,
    Score,
    ScoreDataType,
    ScoreSource,
    Session,
    Trace,
)
from otel_bridge.model.langfuse_wire import TRACE_CLAIMS_ID
from otel_bridge.translate import Translation

T = TypeVar("T")

#: Sort keys of ``list_sessions``: ``created`` is the session's first activity (as in Langfuse, where a
#: session is created by its first trace), ``tokens`` its total tokens. ``user_ids``, ``environments``
#: and ``tags`` sort by the sorted list's JSON text (so by its first value, in code-point order), as
#: ``id`` does by the id.
SessionOrder = Literal[
    "last_activity",
    "created",
    "trace_count",
    "duration",
    "tokens",
    "cost",
    "id",
    "observation_count",
    "input_tokens",
    "output_tokens",
    "error_count",
    "user_ids",
    "environments",
    "tags",
]

#: Sort keys of ``list_traces``: Langfuse's ``orderBy`` fields (``bookmarked`` is not stored, so not here).
TraceOrder = Literal["timestamp", "id", "name", "user_id", "release", "version", "public", "session_id"]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the number of items in the whole listing."""

    items: tuple[T, ...]
    total: int


@dataclass(frozen=True, slots=True)
class Project:
    """A tenant: every stored row belongs to exactly one project."""

    id: str
    name: str
    public_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ProjectKeys:
    """A newly created project and its key pair; the secret is shown once and only its hashes are kept."""

    project: Project
    public_key: str
    secret_key: str


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """A trace with the aggregates of its observations, maintained at write time.

    ``total_cost`` is None when no observation of the trace has a cost.
    """

    trace: Trace
    observation_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float | None
    error_count: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class TraceDetail:
    """A trace, its aggregates and all its observations in start-time order."""

    summary: TraceSummary
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """A session's aggregates and one page of its traces in timestamp order (oldest first)."""

    session: Session
    traces: Page[TraceSummary]


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """Filters of ``list_sessions``; every given one must hold.

    The time range selects sessions active in ``[from_time, to_time)``: their last activity is at or
    after ``from_time`` and their first activity before ``to_time``. ``created_from``/``created_to``
    select by the first activity alone, in ``[created_from, created_to)`` (Langfuse's ``createdAt``
    range). ``environments`` matches a session having any of them. Costs are USD, inclusive.
    ``id_contains`` is a case-sensitive substring of the id; ``has_errors`` selects sessions with
    (True) or without (False) an observation at level ERROR; ``bookmarked`` sessions bookmarked
    (True) or not (False, see ``Store.set_bookmark``).
    """

    from_time: datetime | None = None
    to_time: datetime | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    user_id: str | None = None
    environments: tuple[str, ...] = ()
    tag: str | None = None
    id_prefix: str | None = None
    min_trace_count: int | None = None
    min_cost: float | None = None
    max_cost: float | None = None
    id_contains: str | None = None
    has_errors: bool | None = None
    bookmarked: bool | None = None


@dataclass(frozen=True, slots=True)
class ActivityBucket:
    """The sessions that started in one time bucket ``[start, start + bucket)`` and their totals:
    ``session_activity``'s unit, which the Sessions view's charts draw."""

    start: datetime
    sessions: int
    traces: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    total_cost: float


@dataclass(frozen=True, slots=True)
class TraceFilter:
    """Langfuse's ``GET /api/public/traces`` filters; every given one must hold.

    ``tags``: the trace has all of them. ``environments``: any of them. The timestamp range is
    ``[from_timestamp, to_timestamp)``, as Langfuse defines it. ``ids``: any of these trace ids.
    ``has_errors`` (the UI's level filter): traces with (True) or without (False) an observation at
    level ERROR.
    """

    session_id: str | None = None
    user_id: str | None = None
    name: str | None = None
    tags: tuple[str, ...] = ()
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    environments: tuple[str, ...] = ()
    release: str | None = None
    version: str | None = None
    ids: tuple[str, ...] = ()
    has_errors: bool | None = None


@dataclass(frozen=True, slots=True)
class ObservationFilter:
    """Langfuse's ``GET /api/public/observations`` filters; every given one must hold.

    The start-time range is ``[from_start_time, to_start_time)``. ``user_id`` and ``session_id`` are
    those of the observation's trace. ``is_root``: whether the observation has no parent.
    """

    trace_id: str | None = None
    type: ObservationType | None = None
    name: str | None = None
    level: ObservationLevel | None = None
    parent_observation_id: str | None = None
    user_id: str | None = None
    environments: tuple[str, ...] = ()
    from_start_time: datetime | None = None
    to_start_time: datetime | None = None
    version: str | None = None
    session_id: str | None = None
    is_root: bool | None = None


#: Comparisons of ``ScoreFilter.value_operator`` (Langfuse's ``operator`` parameter of the score list).
ScoreOperator = Literal["<", "<=", "=", "!=", ">=", ">"]


@dataclass(frozen=True, slots=True)
class ScoreFilter:
    """Langfuse's score list filters; every given one must hold. A tuple matches any of its values,
    except ``trace_tags``: the score's trace has all of them (``user_id`` and ``trace_tags`` are the
    scored trace's, so they select trace scores only). The timestamp range is
    ``[from_timestamp, to_timestamp)``; ``value_operator`` compares ``value`` with the score's number;
    ``value_min`` and ``value_max`` bound it, inclusive.
    """

    score_ids: tuple[str, ...] = ()
    trace_ids: tuple[str, ...] = ()
    observation_ids: tuple[str, ...] = ()
    session_ids: tuple[str, ...] = ()
    name: str | None = None
    source: ScoreSource | None = None
    data_type: ScoreDataType | None = None
    environments: tuple[str, ...] = ()
    from_timestamp: datetime | None = None
    to_timestamp: datetime | None = None
    config_id: str | None = None
    queue_id: str | None = None
    dataset_run_id: str | None = None
    user_id: str | None = None
    trace_tags: tuple[str, ...] = ()
    string_value: str | None = None
    value_operator: ScoreOperator | None = None
    value: float | None = None
    value_min: float | None = None
    value_max: float | None = None


@dataclass(frozen=True, slots=True)
class ScoreTrace:
    """What a score listing shows of the scored trace (Langfuse's ``GetScoresResponseTraceData``)."""

    user_id: str | None
    tags: tuple[str, ...]
    environment: str
    session_id: str | None


@dataclass(frozen=True, slots=True)
class ListedScore:
    """A score of a listing, with its trace when it scores a stored trace."""

    score: Score
    trace: ScoreTrace | None


def given_filters(filter: SessionFilter | TraceFilter | ObservationFilter | ScoreFilter) -> dict[str, Any]:
    """The fields of ``filter`` that are given (neither None nor an empty tuple): those that must hold."""
    given: dict[str, Any] = {}
    for field in fields(filter):
        value = getattr(filter, field.name)
        if value is not None and value != ():
            given[field.name] = value
    return given


class PreparedWrite(Protocol):
    """A write made ready by its store's ``WritePreparer``, possibly in another process (it pickles
    cheaply). Opaque: only the store whose preparer made it looks inside."""

    @property
    def project_id(self) -> str:
        """The project the spans are written into."""
        ...

    @property
    def trace_ids(self) -> Sequence[str]:
        """The traces the write touches, sorted."""
        ...


class WritePreparer(Protocol):
    """The part of a store's write that needs no store: pure, stateless and picklable, so that ingest
    can run it in decode worker processes beside the writer (``otel_bridge.ingest.DecodePool``)."""

    def prepare(self, project_id: str, translations: Sequence[Translation]) -> PreparedWrite:
        """The write of ``translations`` into ``project_id``; a span given twice: the last one wins."""
        ...

    def split(self, prepared: PreparedWrite) -> list[PreparedWrite]:
        """``prepared`` as one write per trace (writing them all is writing ``prepared``): for finding
        the trace a database refuses among a request's, so that the others are kept."""
        ...

    def span_ids(self, prepared: PreparedWrite) -> list[tuple[str, str]]:
        """The (trace id, span id) of every observation ``prepared`` holds (claims rows left out)."""
        ...


class Store(Protocol):
    """Where translated spans are kept and read back, scoped by project.

    Writes are idempotent and order-free: the stored state is a function of the set of distinct spans
    written, whatever their order, batching or repetition (docs/architecture.md). Reads raise
    ``otel_bridge.errors.NotFound`` for a missing object and ``StoreUnavailable`` when the database
    cannot be reached.
    """

    def create_project(
        self, name: str, *, public_key: str | None = None, secret_key: str | None = None
    ) -> ProjectKeys:
        """A new project; keys not given are generated (``pk-lf-…``, ``sk-lf-…``)."""
        ...

    def set_project_keys(self, project_id: str, public_key: str, secret_key: str) -> None:
        """Replace a project's key pair (keys fixed by configuration)."""
        ...

    def find_project(self, name: str) -> Project | None:
        """The oldest project with this name, if any (the server's default project)."""
        ...

    def list_projects(self) -> Sequence[Project]:
        """Every project, oldest first (``otel-bridge keys list``)."""
        ...

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        """The project of this key pair, or None when either key is wrong."""
        ...

    def authenticate_secret(self, secret_key: str) -> Project | None:
        """The project of this secret key alone (``Authorization: Bearer <secret>``), or None."""
        ...

    def get_project(self, project_id: str) -> Project:
        """The project with this id."""
        ...

    @property
    def preparer(self) -> WritePreparer:
        """What prepares this store's writes (``write_prepared``), in any process."""
        ...

    def write_batch(self, project_id: str, translations: Sequence[Translation]) -> None:
        """Store the spans of ``translations`` in one transaction, then resolve their traces and the
        aggregates of their traces and sessions; committed when this returns. The same as
        ``write_prepared([preparer.prepare(project_id, translations)])``."""
        ...

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        """``write_batch`` of writes made by this store's ``preparer``: all of them, of any projects, in
        one transaction, as if one after another. Committed when this returns. Raises ``TypeError``
        for a write another kind of store prepared."""
        ...

    def list_sessions(
        self,
        project_id: str,
        filter: SessionFilter = SessionFilter(),
        *,
        order_by: SessionOrder = "last_activity",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Session]:
        """Sessions with their aggregates; never scans observations."""
        ...

    def get_session(
        self, project_id: str, session_id: str, *, offset: int = 0, limit: int = 100
    ) -> SessionDetail:
        """A session's aggregates and a page of its traces in timestamp order."""
        ...

    def session_activity(
        self, project_id: str, filter: SessionFilter = SessionFilter(), *, bucket_seconds: int = 3600
    ) -> tuple[ActivityBucket, ...]:
        """The sessions ``filter`` selects, grouped by the ``bucket_seconds`` bucket (counted from the
        epoch) of their first activity, oldest first; buckets without sessions are left out. From the
        sessions' aggregates: never scans traces."""
        ...

    def set_bookmark(self, project_id: str, session_id: str, bookmarked: bool) -> None:
        """Bookmark a session (or remove its bookmark); idempotent. ``NotFound`` for a session
        that does not exist when bookmarking; removing a bookmark never fails."""
        ...

    def bookmarked_sessions(self, project_id: str, session_ids: Sequence[str]) -> frozenset[str]:
        """Which of ``session_ids`` are bookmarked."""
        ...

    def list_traces(
        self,
        project_id: str,
        filter: TraceFilter = TraceFilter(),
        *,
        order_by: TraceOrder = "timestamp",
        descending: bool = True,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[TraceSummary]:
        """Traces with their aggregates (Langfuse's ``GET /api/public/traces``)."""
        ...

    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail:
        """A trace with its aggregates and observations."""
        ...

    def list_observations(
        self,
        project_id: str,
        filter: ObservationFilter = ObservationFilter(),
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Observation]:
        """Observations, newest start first (trace order, oldest first, when filtered by trace)."""
        ...

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by its id (the span id)."""
        ...

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of one span, or with ``TRACE_CLAIMS_ID`` of a trace's
        claims row; None when there is none. For merging updates into what is stored (Langfuse's
        ``*-update`` events): inputs and outputs come back as stored (``Payload``s stay text)."""
        ...

    def write_scores(self, project_id: str, scores: Sequence[Score]) -> None:
        """Store scores, in one transaction; a score whose id is stored replaces it (keeping its
        ``created_at``); of one id given twice, the last wins."""
        ...

    def list_scores(
        self, project_id: str, filter: ScoreFilter = ScoreFilter(), *, offset: int = 0, limit: int = 50
    ) -> Page[ListedScore]:
        """Scores, newest timestamp first (ties by id), each with its trace when that is stored."""
        ...

    def get_score(self, project_id: str, score_id: str) -> Score:
        """One score by its id."""
        ...

    def delete_score(self, project_id: str, score_id: str) -> None:
        """Delete one score (``NotFound`` when there is none)."""
        ...

    def close(self) -> None:
        """Release the store's connections."""
        ...


__all__ = [
    "TRACE_CLAIMS_ID",
    "ActivityBucket",
    "ListedScore",
    "ObservationFilter",
    "Page",
    "PreparedWrite",
    "Project",
    "ProjectKeys",
    "ScoreFilter",
    "ScoreOperator",
    "ScoreTrace",
    "SessionDetail",
    "SessionFilter",
    "SessionOrder",
    "Store",
    "TraceDetail",
    "TraceFilter",
    "TraceOrder",
    "TraceSummary",
    "WritePreparer",
    "given_filters",
]
