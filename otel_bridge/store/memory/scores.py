"""The in-memory store's scores: one dict per project, filtered by ``ScoreFilter`` with the SQL
store's rules (``otel_bridge.store.sql.scores``): trace fields select scores of stored traces only."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from otel_bridge.model import Score, datetime_to_nanos, nanos_to_datetime
from otel_bridge.store import ListedScore, ScoreFilter, ScoreTrace, given_filters
from otel_bridge.store.memory.prepare import StoredTrace

#: ``ScoreFilter.value_operator`` → the comparison.
OPERATORS: Mapping[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    ">": operator.gt,
}


def _ns(moment: Any) -> int:
    return datetime_to_nanos(moment)


#: ``ScoreFilter``'s fields (``value`` goes with ``value_operator``); the trace is None when not stored.
SCORE_TESTS: Mapping[str, Callable[[Any, Score, ScoreTrace | None], bool]] = {
    "score_ids": lambda ids, s, _t: s.id in ids,
    "trace_ids": lambda ids, s, _t: s.trace_id in ids,
    "observation_ids": lambda ids, s, _t: s.observation_id in ids,
    "session_ids": lambda ids, s, _t: s.session_id in ids,
    "name": lambda name, s, _t: s.name == name,
    "source": lambda source, s, _t: s.source is source,
    "data_type": lambda data_type, s, _t: s.data_type is data_type,
    "environments": lambda environments, s, _t: s.environment in environments,
    "from_timestamp": lambda moment, s, _t: _ns(s.timestamp) >= _ns(moment),
    "to_timestamp": lambda moment, s, _t: _ns(s.timestamp) < _ns(moment),
    "config_id": lambda config_id, s, _t: s.config_id == config_id,
    "queue_id": lambda queue_id, s, _t: s.queue_id == queue_id,
    "dataset_run_id": lambda run_id, s, _t: s.dataset_run_id == run_id,
    "user_id": lambda user_id, _s, t: t is not None and t.user_id == user_id,
    "trace_tags": lambda tags, _s, t: t is not None and set(tags).issubset(t.tags),
    "string_value": lambda text, s, _t: s.string_value == text,
    "value": lambda _value, _s, _t: True,  # with value_operator, below
    "value_min": lambda bound, s, _t: s.value >= bound,
    "value_max": lambda bound, s, _t: s.value <= bound,
}


def stored_score(score: Score, before: Score | None) -> Score:
    """``score`` as kept: times at the SQL store's precision, the first ``created_at`` of its id."""
    created = before.created_at if before is not None else score.created_at
    return replace(
        score,
        timestamp=nanos_to_datetime(_ns(score.timestamp)),
        created_at=nanos_to_datetime(_ns(created)),
        updated_at=nanos_to_datetime(_ns(score.updated_at)),
    )


def score_trace(stored: StoredTrace | None) -> ScoreTrace | None:
    """What a listing shows of a stored trace."""
    if stored is None:
        return None
    trace = stored.resolved.trace
    return ScoreTrace(trace.user_id, tuple(trace.tags), trace.environment, trace.session_id)


def scores_matching(
    filter: ScoreFilter, scores: Iterable[Score], traces: Mapping[str, StoredTrace]
) -> list[ListedScore]:
    """The scores ``filter`` selects, newest timestamp first, ties by id."""
    given = given_filters(filter)
    compare = OPERATORS[filter.value_operator] if filter.value_operator and filter.value is not None else None
    found = []
    for score in scores:
        trace = score_trace(traces.get(score.trace_id)) if score.trace_id is not None else None
        if not all(
            SCORE_TESTS[name](value, score, trace) for name, value in given.items() if name in SCORE_TESTS
        ):
            continue
        if compare is not None and (filter.value is None or not compare(score.value, filter.value)):
            continue
        found.append(ListedScore(score, trace))
    found.sort(key=lambda listed: (_ns(listed.score.timestamp), listed.score.id), reverse=True)
    return found


__all__ = ["SCORE_TESTS", "score_trace", "scores_matching", "stored_score"]
