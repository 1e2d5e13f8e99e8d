"""The views of the metrics query API: for each, its rows, its time column, the columns it groups and
filters by, and its measures (Langfuse's ``view``, ``dimensions``, ``filters`` and ``measure`` names).

- ``traces`` (v1 only): traces by their timestamp.
- ``observations``: observations by start time, with their trace's fields.
- ``scores-numeric`` (numeric and boolean scores, as the spec of 2026-08 has it), ``scores-boolean``
  (the Langfuse SDK 5.x names it) and ``scores-categorical``: scores by timestamp.

Latencies are milliseconds and costs USD, as in Langfuse. ``HIGH_CARDINALITY`` columns filter but do
not group in the v2 API (Langfuse refuses them there too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otel_bridge.api import metrics_rows
from otel_bridge.api.metrics_rows import ObservationRow
from otel_bridge.model import Observation, ScoreDataType
from otel_bridge.store import ListedScore, ObservationFilter, ScoreFilter, Store, TraceFilter, TraceSummary

Getter = Callable[[Any], Any]
Rows = Callable[[Store, str, datetime, datetime], list[Any]]


@dataclass(frozen=True)
class View:
    """One view: where its rows come from and what can be asked of them."""

    rows: Rows
    time: Getter
    columns: Mapping[str, Getter]
    measures: Mapping[str, Getter]
    high_cardinality: frozenset[str]
    v2: bool


def _ms(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else (end - start).total_seconds() * 1000


def _per_second(count: int, start: datetime | None, end: datetime | None) -> float | None:
    milliseconds = _ms(start, end)
    return None if not milliseconds else count / (milliseconds / 1000)


def _cost(o: Observation, part: str) -> float | None:
    if o.cost is None:
        return None
    if part == "total" and o.cost.total is None and (o.cost.input is not None or o.cost.output is not None):
        return (o.cost.input or 0.0) + (o.cost.output or 0.0)
    value: float | None = getattr(o.cost, part)
    return value


def _trace(row: ObservationRow) -> Any:
    return row.trace.trace if row.trace is not None else None


def _of_trace(name: str) -> Getter:
    return lambda row: getattr(_trace(row), name, None)


def _trace_rows(store: Store, project_id: str, start: datetime, end: datetime) -> list[Any]:
    return list(metrics_rows.traces(store, project_id, TraceFilter(from_timestamp=start, to_timestamp=end)))


def _observation_rows(store: Store, project_id: str, start: datetime, end: datetime) -> list[Any]:
    where = ObservationFilter(from_start_time=start, to_start_time=end)
    return metrics_rows.observations(store, project_id, where)


def _score_rows(*types: ScoreDataType) -> Rows:
    def rows(store: Store, project_id: str, start: datetime, end: datetime) -> list[Any]:
        found = metrics_rows.scores(store, project_id, ScoreFilter(from_timestamp=start, to_timestamp=end))
        return [listed for listed in found if listed.score.data_type in types]

    return rows


def _t(summary: TraceSummary) -> Any:
    return summary.trace


TRACES = View(
    rows=_trace_rows,
    time=lambda s: _t(s).timestamp,
    columns={
        "id": lambda s: _t(s).id,
        "name": lambda s: _t(s).name,
        "userId": lambda s: _t(s).user_id,
        "sessionId": lambda s: _t(s).session_id,
        "environment": lambda s: _t(s).environment,
        "release": lambda s: _t(s).release,
        "version": lambda s: _t(s).version,
        "tags": lambda s: list(_t(s).tags),
    },
    measures={
        "count": lambda _s: 1,
        "latency": lambda s: _ms(_t(s).timestamp, _t(s).end_time),
        "observationsCount": lambda s: s.observation_count,
        "inputTokens": lambda s: s.input_tokens,
        "outputTokens": lambda s: s.output_tokens,
        "totalTokens": lambda s: s.total_tokens,
        "totalCost": lambda s: s.total_cost,
        "errorCount": lambda s: s.error_count,
    },
    high_cardinality=frozenset({"id", "userId", "sessionId"}),
    v2=False,
)


def _o(row: ObservationRow) -> Observation:
    return row.observation


OBSERVATIONS = View(
    rows=_observation_rows,
    time=lambda r: _o(r).start_time,
    columns={
        "id": lambda r: _o(r).id,
        "traceId": lambda r: _o(r).trace_id,
        "parentObservationId": lambda r: _o(r).parent_observation_id,
        "userId": _of_trace("user_id"),
        "sessionId": _of_trace("session_id"),
        "environment": lambda r: _o(r).environment,
        "type": lambda r: _o(r).type.value,
        "name": lambda r: _o(r).name,
        "level": lambda r: _o(r).level.value,
        "version": lambda r: _o(r).version,
        "tags": lambda r: list(getattr(_trace(r), "tags", ())),
        "release": _of_trace("release"),
        "traceName": _of_trace("name"),
        "traceRelease": _of_trace("release"),
        "traceVersion": _of_trace("version"),
        "providedModelName": lambda r: _o(r).model,
        "promptName": lambda r: _o(r).prompt_name,
        "promptVersion": lambda r: _o(r).prompt_version,
        "startTimeMonth": lambda r: _o(r).start_time.strftime("%Y-%m"),
        "isRootObservation": lambda r: _o(r).parent_observation_id is None,
    },
    measures={
        "count": lambda _r: 1,
        "latency": lambda r: _ms(_o(r).start_time, _o(r).end_time),
        "streamingLatency": lambda r: _ms(_o(r).completion_start_time, _o(r).end_time),
        "timeToFirstToken": lambda r: _ms(_o(r).start_time, _o(r).completion_start_time),
        "inputTokens": lambda r: _o(r).usage.input,
        "outputTokens": lambda r: _o(r).usage.output,
        "totalTokens": lambda r: _o(r).usage.total or _o(r).usage.input + _o(r).usage.output,
        "outputTokensPerSecond": lambda r: _per_second(_o(r).usage.output, _o(r).start_time, _o(r).end_time),
        "tokensPerSecond": lambda r: _per_second(_o(r).usage.total, _o(r).start_time, _o(r).end_time),
        "inputCost": lambda r: _cost(_o(r), "input"),
        "outputCost": lambda r: _cost(_o(r), "output"),
        "totalCost": lambda r: _cost(_o(r), "total"),
    },
    high_cardinality=frozenset({"id", "traceId", "userId", "sessionId", "parentObservationId"}),
    v2=True,
)


def _s(listed: ListedScore) -> Any:
    return listed.score


_SCORE_COLUMNS: Mapping[str, Getter] = {
    "id": lambda r: _s(r).id,
    "traceId": lambda r: _s(r).trace_id,
    "observationId": lambda r: _s(r).observation_id,
    "sessionId": lambda r: _s(r).session_id,
    "userId": lambda r: r.trace.user_id if r.trace is not None else None,
    "environment": lambda r: _s(r).environment,
    "name": lambda r: _s(r).name,
    "source": lambda r: _s(r).source.value,
    "dataType": lambda r: _s(r).data_type.value,
    "configId": lambda r: _s(r).config_id,
    "tags": lambda r: list(r.trace.tags) if r.trace is not None else [],
    "timestampMonth": lambda r: _s(r).timestamp.strftime("%Y-%m"),
    "timestampDay": lambda r: _s(r).timestamp.strftime("%Y-%m-%d"),
}
_SCORE_HIGH = frozenset({"id", "traceId", "observationId", "sessionId", "userId"})

SCORES_NUMERIC = View(
    rows=_score_rows(ScoreDataType.NUMERIC, ScoreDataType.BOOLEAN),
    time=lambda r: _s(r).timestamp,
    columns={**_SCORE_COLUMNS, "value": lambda r: _s(r).value},
    measures={"count": lambda _r: 1, "value": lambda r: _s(r).value},
    high_cardinality=_SCORE_HIGH,
    v2=True,
)
SCORES_BOOLEAN = View(
    rows=_score_rows(ScoreDataType.BOOLEAN),
    time=lambda r: _s(r).timestamp,
    columns={**_SCORE_COLUMNS, "value": lambda r: _s(r).value, "stringValue": lambda r: _s(r).string_value},
    measures={"count": lambda _r: 1, "value": lambda r: _s(r).value},
    high_cardinality=_SCORE_HIGH,
    v2=True,
)
SCORES_CATEGORICAL = View(
    rows=_score_rows(ScoreDataType.CATEGORICAL),
    time=lambda r: _s(r).timestamp,
    columns={**_SCORE_COLUMNS, "stringValue": lambda r: _s(r).string_value},
    measures={"count": lambda _r: 1},
    high_cardinality=_SCORE_HIGH,
    v2=True,
)

VIEWS: Mapping[str, View] = {
    "traces": TRACES,
    "observations": OBSERVATIONS,
    "scores-numeric": SCORES_NUMERIC,
    "scores-boolean": SCORES_BOOLEAN,
    "scores-categorical": SCORES_CATEGORICAL,
}

__all__ = ["VIEWS", "View"]
