"""The filters and orders of the in-memory store's listings: one table per listing, filter field →
test (and order → key), with the SQL store's units (exact nanoseconds, nano-dollars) and its order
of NULLs (first when ascending, as SQLite sorts them)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from functools import partial
from typing import Any, NamedTuple

from otel_bridge.model import datetime_to_nanos
from otel_bridge.store import TRACE_CLAIMS_ID, ObservationFilter, SessionFilter, TraceFilter, given_filters
from otel_bridge.store.aggregates import ResolvedTrace, SessionTotals, usd_to_nanos
from otel_bridge.store.json_text import to_json
from otel_bridge.store.memory.prepare import StoredSpan, StoredTrace


class SessionEntry(NamedTuple):
    """A session in a listing: its id and totals."""

    id: str
    totals: SessionTotals
    bookmarked: bool = False


def _nanos(moment: Any) -> int:
    return datetime_to_nanos(moment)


def _usd(value: Any) -> int:
    nanos = usd_to_nanos(value)
    assert nanos is not None
    return nanos


#: ``SessionFilter``'s fields.
SESSION_TESTS: Mapping[str, Callable[[Any, SessionEntry], bool]] = {
    "from_time": lambda moment, s: s.totals.last_activity_ns >= _nanos(moment),
    "to_time": lambda moment, s: s.totals.first_activity_ns < _nanos(moment),
    "created_from": lambda moment, s: s.totals.first_activity_ns >= _nanos(moment),
    "created_to": lambda moment, s: s.totals.first_activity_ns < _nanos(moment),
    "user_id": lambda user_id, s: user_id in s.totals.user_ids,
    "environments": lambda environments, s: not s.totals.environments.isdisjoint(environments),
    "tag": lambda tag, s: tag in s.totals.tags,
    "id_prefix": lambda prefix, s: s.id.startswith(prefix),
    "min_trace_count": lambda count, s: s.totals.trace_count >= count,
    "min_cost": lambda usd, s: s.totals.total_cost_nanos >= _usd(usd),
    "max_cost": lambda usd, s: s.totals.total_cost_nanos <= _usd(usd),
    "id_contains": lambda part, s: part in s.id,
    "has_errors": lambda errors, s: (s.totals.error_count > 0) == errors,
    "bookmarked": lambda wanted, s: s.bookmarked == wanted,
}
#: ``TraceFilter``'s fields.
TRACE_TESTS: Mapping[str, Callable[[Any, ResolvedTrace], bool]] = {
    "session_id": lambda session_id, t: t.trace.session_id == session_id,
    "user_id": lambda user_id, t: t.trace.user_id == user_id,
    "name": lambda name, t: t.trace.name == name,
    "tags": lambda tags, t: set(tags).issubset(t.trace.tags),
    "from_timestamp": lambda moment, t: t.start_ns >= _nanos(moment),
    "to_timestamp": lambda moment, t: t.start_ns < _nanos(moment),
    "environments": lambda environments, t: t.trace.environment in environments,
    "release": lambda release, t: t.trace.release == release,
    "version": lambda version, t: t.trace.version == version,
    "ids": lambda ids, t: t.trace.id in ids,
    "has_errors": lambda errors, t: (t.error_count > 0) == errors,
}


class _SpanOfTrace(NamedTuple):
    span: StoredSpan
    trace: ResolvedTrace | None


#: ``ObservationFilter``'s fields.
OBSERVATION_TESTS: Mapping[str, Callable[[Any, _SpanOfTrace], bool]] = {
    "trace_id": lambda trace_id, s: s.span.observation.trace_id == trace_id,
    "type": lambda type, s: s.span.observation.type == type,
    "name": lambda name, s: s.span.observation.name == name,
    "level": lambda level, s: s.span.observation.level == level,
    "parent_observation_id": lambda parent, s: s.span.observation.parent_observation_id == parent,
    "user_id": lambda user_id, s: s.trace is not None and s.trace.trace.user_id == user_id,
    "environments": lambda environments, s: s.span.observation.environment in environments,
    "from_start_time": lambda moment, s: s.span.facts.claims.start_time_unix_nano >= _nanos(moment),
    "to_start_time": lambda moment, s: s.span.facts.claims.start_time_unix_nano < _nanos(moment),
    "version": lambda version, s: s.span.observation.version == version,
    "session_id": lambda session_id, s: s.trace is not None and s.trace.trace.session_id == session_id,
    "is_root": lambda wanted, s: (s.span.observation.parent_observation_id is None) == wanted,
}


def _tests_of(
    tests: Mapping[str, Callable[[Any, Any], bool]], filter: SessionFilter | TraceFilter | ObservationFilter
) -> list[Callable[[Any], bool]]:
    """One test per field ``filter`` gives, each bound to the field's value."""
    return [partial(tests[field], value) for field, value in given_filters(filter).items()]


def sessions_matching(
    filter: SessionFilter, sessions: Mapping[str, SessionTotals], bookmarks: Collection[str] = ()
) -> list[SessionEntry]:
    """The sessions ``filter`` selects (``bookmarks``: the ids bookmarked)."""
    tests = _tests_of(SESSION_TESTS, filter)
    entries = (
        SessionEntry(session_id, totals, session_id in bookmarks) for session_id, totals in sessions.items()
    )
    return [entry for entry in entries if all(test(entry) for test in tests)]


def traces_matching(filter: TraceFilter, traces: Iterable[StoredTrace]) -> list[StoredTrace]:
    """The traces ``filter`` selects."""
    tests = _tests_of(TRACE_TESTS, filter)
    return [trace for trace in traces if all(test(trace.resolved) for test in tests)]


def observations_matching(
    filter: ObservationFilter,
    spans: Mapping[str, Mapping[str, StoredSpan]],
    traces: Mapping[str, StoredTrace],
) -> list[StoredSpan]:
    """The observations ``filter`` selects (a trace's claims row is none)."""
    tests = _tests_of(OBSERVATION_TESTS, filter)
    found: list[StoredSpan] = []
    for trace_id, by_id in spans.items():
        stored = traces.get(trace_id)
        trace = None if stored is None else stored.resolved
        for span_id, span in by_id.items():
            item = _SpanOfTrace(span, trace)
            if span_id != TRACE_CLAIMS_ID and all(test(item) for test in tests):
                found.append(span)
    return found


def _json_list(values: Iterable[str]) -> str:
    """A label set as the SQL store keeps it (the sorted list's JSON text), which is what it sorts."""
    return to_json(sorted(values))


_SESSION_ORDER: Mapping[str, Callable[[SessionEntry], Any]] = {
    "last_activity": lambda s: s.totals.last_activity_ns,
    "created": lambda s: s.totals.first_activity_ns,
    "trace_count": lambda s: s.totals.trace_count,
    "duration": lambda s: s.totals.duration_ns,
    "tokens": lambda s: s.totals.total_tokens,
    "cost": lambda s: s.totals.total_cost_nanos,
    "id": lambda s: s.id,
    "observation_count": lambda s: s.totals.observation_count,
    "input_tokens": lambda s: s.totals.input_tokens,
    "output_tokens": lambda s: s.totals.output_tokens,
    "error_count": lambda s: s.totals.error_count,
    "user_ids": lambda s: _json_list(s.totals.user_ids),
    "environments": lambda s: _json_list(s.totals.environments),
    "tags": lambda s: _json_list(s.totals.tags),
}


def session_sort_key(order_by: str) -> Callable[[SessionEntry], tuple[Any, str]]:
    """The sort key of ``list_sessions`` by ``order_by``, ties broken by session id."""
    key = _SESSION_ORDER[order_by]
    return lambda entry: (key(entry), entry.id)


def _nulls_first(value: Any) -> tuple[bool, Any]:
    """A sort key that puts None before every value, without comparing it with one."""
    return (value is not None, value)


_TRACE_ORDER: Mapping[str, Callable[[ResolvedTrace], Any]] = {
    "timestamp": lambda t: t.start_ns,
    "id": lambda t: t.trace.id,
    "name": lambda t: _nulls_first(t.trace.name),
    "user_id": lambda t: _nulls_first(t.trace.user_id),
    "release": lambda t: _nulls_first(t.trace.release),
    "version": lambda t: _nulls_first(t.trace.version),
    "public": lambda t: t.trace.public,
    "session_id": lambda t: _nulls_first(t.trace.session_id),
}


def trace_sort_key(order_by: str) -> Callable[[StoredTrace], tuple[Any, str]]:
    """The sort key of ``list_traces`` by ``order_by``, ties broken by trace id."""
    key = _TRACE_ORDER[order_by]
    return lambda stored: (key(stored.resolved), stored.resolved.trace.id)


__all__ = [
    "OBSERVATION_TESTS",
    "SESSION_TESTS",
    "TRACE_TESTS",
    "SessionEntry",
    "observations_matching",
    "session_sort_key",
    "sessions_matching",
    "trace_sort_key",
    "traces_matching",
]
