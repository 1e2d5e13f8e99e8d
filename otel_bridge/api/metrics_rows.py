"""The rows the metrics endpoints aggregate, read through the ``Store`` protocol: traces, observations
(with their traces) and scores of a time range, page by page.

The store keeps per-trace and per-session aggregates, not time series, so a metrics query reads the
rows of its range and aggregates them in Python. ``MAX_ROWS`` bounds that work: a query whose range
holds more rows is a 400 asking for a narrower range, rather than a slow answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from otel_bridge.api.params import InvalidQuery
from otel_bridge.model import Observation
from otel_bridge.store import (
    ListedScore,
    ObservationFilter,
    Page,
    ScoreFilter,
    Store,
    TraceFilter,
    TraceSummary,
)

T = TypeVar("T")

#: Rows one metrics query may read.
MAX_ROWS = 100_000
#: Rows per store call.
BATCH = 1000


class ObservationRow(NamedTuple):
    """An observation and its trace (None when the trace is not stored yet)."""

    observation: Observation
    trace: TraceSummary | None


def _too_many(kind: str) -> InvalidQuery:
    return InvalidQuery(
        f"the time range holds more than {MAX_ROWS} {kind}: narrow fromTimestamp/toTimestamp or add filters"
    )


def _every(fetch: Callable[[int], Page[T]], kind: str) -> list[T]:
    """Every item of a listing, ``BATCH`` at a time (``fetch(offset)``)."""
    found: list[T] = []
    while True:
        page = fetch(len(found))
        if page.total > MAX_ROWS:
            raise _too_many(kind)
        found.extend(page.items)
        if not page.items or len(found) >= page.total:
            return found


def traces(store: Store, project_id: str, where: TraceFilter) -> list[TraceSummary]:
    """Every trace ``where`` selects, newest first."""
    return _every(lambda offset: store.list_traces(project_id, where, offset=offset, limit=BATCH), "traces")


def traces_by_id(store: Store, project_id: str, ids: set[str]) -> dict[str, TraceSummary]:
    """The stored traces among ``ids``."""
    found: dict[str, TraceSummary] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        chunk = tuple(ordered[start : start + BATCH])
        page = store.list_traces(project_id, TraceFilter(ids=chunk), limit=len(chunk))
        found.update((summary.trace.id, summary) for summary in page.items)
    return found


def bare_observations(store: Store, project_id: str, where: ObservationFilter) -> list[Observation]:
    """Every observation ``where`` selects."""
    return _every(
        lambda offset: store.list_observations(project_id, where, offset=offset, limit=BATCH), "observations"
    )


def observations(store: Store, project_id: str, where: ObservationFilter) -> list[ObservationRow]:
    """Every observation ``where`` selects, with its trace."""
    found = bare_observations(store, project_id, where)
    by_id = traces_by_id(store, project_id, {o.trace_id for o in found})
    return [ObservationRow(o, by_id.get(o.trace_id)) for o in found]


def scores(store: Store, project_id: str, where: ScoreFilter) -> list[ListedScore]:
    """Every score ``where`` selects."""
    return _every(lambda offset: store.list_scores(project_id, where, offset=offset, limit=BATCH), "scores")


__all__ = [
    "BATCH",
    "MAX_ROWS",
    "ObservationRow",
    "bare_observations",
    "observations",
    "scores",
    "traces",
    "traces_by_id",
]
