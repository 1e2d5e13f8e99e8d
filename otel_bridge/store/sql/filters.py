"""The filters of the listings as WHERE clauses: one table per listing, filter field → clause.

A field left at its default (None, or an empty tuple) selects everything; every other field adds
its clause, and all must hold (``otel_bridge.store.given_filters``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sqlalchemy as sa

from otel_bridge.model import datetime_to_nanos
from otel_bridge.store import ObservationFilter, SessionFilter, TraceFilter, given_filters
from otel_bridge.store.aggregates import usd_to_nanos
from otel_bridge.store.sql.dialects import Dialect, PostgresDialect
from otel_bridge.store.sql.schema import bookmarks, observations, sessions, traces


class Scope(NamedTuple):
    """What a clause may need besides the filter's value."""

    project_id: str
    dialect: Dialect


Clause = Callable[[Any, Scope], sa.ColumnElement[bool]]
AnyFilter = SessionFilter | TraceFilter | ObservationFilter
Column = sa.Column[Any]


def _equals(column: Column) -> Clause:
    return lambda value, _: column == value


def _enum_equals(column: Column) -> Clause:
    return lambda member, _: column == member.value


def _one_of(column: Column) -> Clause:
    return lambda values, _: column.in_(values)


def _at_least(column: Column) -> Clause:
    return lambda value, _: column >= value


def _time_from(column: Column) -> Clause:
    return lambda moment, _: column >= datetime_to_nanos(moment)


def _time_before(column: Column) -> Clause:
    return lambda moment, _: column < datetime_to_nanos(moment)


def _usd_at_least(column: Column) -> Clause:
    return lambda usd, _: column >= usd_to_nanos(usd)


def _usd_at_most(column: Column) -> Clause:
    return lambda usd, _: column <= usd_to_nanos(usd)


def _prefix(column: Column) -> Clause:
    # substr, not LIKE: SQLite's LIKE ignores ASCII case, and collations make ranges inexact.
    return lambda prefix, _: sa.func.substr(column, 1, len(prefix)) == prefix


def _contains(column: Column) -> Clause:
    # instr/strpos, not LIKE: exact and case-sensitive on both databases, no wildcards to escape.
    def clause(part: str, scope: Scope) -> sa.ColumnElement[bool]:
        find = sa.func.strpos if isinstance(scope.dialect, PostgresDialect) else sa.func.instr
        return find(column, part) > 0

    return clause


def _positive_if(column: Column) -> Clause:
    """``column > 0`` when the value is True, ``column = 0`` when False."""
    return lambda wanted, _: column > 0 if wanted else column == 0


def _bookmarked(column: Column) -> Clause:
    """A session the project bookmarked (True) or did not (False)."""

    def clause(wanted: bool, scope: Scope) -> sa.ColumnElement[bool]:
        marked = sa.select(bookmarks.c.session_id).where(bookmarks.c.project_id == scope.project_id)
        return column.in_(marked) if wanted else column.not_in(marked)

    return clause


def _holds(column: Column) -> Clause:
    """A JSON array column that holds the value."""
    return lambda value, scope: scope.dialect.json_array_contains(column, value)


def _holds_any(column: Column) -> Clause:
    return lambda values, scope: sa.or_(*(scope.dialect.json_array_contains(column, v) for v in values))


def _holds_all(column: Column) -> Clause:
    return lambda values, scope: sa.and_(*(scope.dialect.json_array_contains(column, v) for v in values))


def _of_traces_where(column: Column, trace_column: Column) -> Clause:
    """An observation whose trace's ``trace_column`` (its user, its session) is the value."""

    def clause(value: str, scope: Scope) -> sa.ColumnElement[bool]:
        matching = sa.select(traces.c.id).where(
            traces.c.project_id == scope.project_id, trace_column == value
        )
        return column.in_(matching)

    return clause


def _is_null(column: Column) -> Clause:
    return lambda wanted, _: column.is_(None) if wanted else column.is_not(None)


_s, _t, _o = sessions.c, traces.c, observations.c

#: ``SessionFilter``'s fields.
SESSION_CLAUSES: Mapping[str, Clause] = {
    "from_time": _time_from(_s.last_activity_ns),
    "to_time": _time_before(_s.first_activity_ns),
    "created_from": _time_from(_s.first_activity_ns),
    "created_to": _time_before(_s.first_activity_ns),
    "user_id": _holds(_s.user_ids),
    "environments": _holds_any(_s.environments),
    "tag": _holds(_s.tags),
    "id_prefix": _prefix(_s.id),
    "min_trace_count": _at_least(_s.trace_count),
    "min_cost": _usd_at_least(_s.total_cost_nanos),
    "max_cost": _usd_at_most(_s.total_cost_nanos),
    "id_contains": _contains(_s.id),
    "has_errors": _positive_if(_s.error_count),
    "bookmarked": _bookmarked(_s.id),
}
#: ``TraceFilter``'s fields.
TRACE_CLAUSES: Mapping[str, Clause] = {
    "session_id": _equals(_t.session_id),
    "user_id": _equals(_t.user_id),
    "name": _equals(_t.name),
    "tags": _holds_all(_t.tags),
    "from_timestamp": _time_from(_t.timestamp_ns),
    "to_timestamp": _time_before(_t.timestamp_ns),
    "environments": _one_of(_t.environment),
    "release": _equals(_t.release),
    "version": _equals(_t.version),
    "ids": _one_of(_t.id),
    "has_errors": _positive_if(_t.error_count),
}
#: ``ObservationFilter``'s fields.
OBSERVATION_CLAUSES: Mapping[str, Clause] = {
    "trace_id": _equals(_o.trace_id),
    "type": _enum_equals(_o.type),
    "name": _equals(_o.name),
    "level": _enum_equals(_o.level),
    "parent_observation_id": _equals(_o.parent_id),
    "user_id": _of_traces_where(_o.trace_id, _t.user_id),
    "environments": _one_of(_o.environment),
    "from_start_time": _time_from(_o.start_ns),
    "to_start_time": _time_before(_o.start_ns),
    "version": _equals(_o.version),
    "session_id": _of_traces_where(_o.trace_id, _t.session_id),
    "is_root": _is_null(_o.parent_id),
}


def where(clauses: Mapping[str, Clause], filter: AnyFilter, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """The clauses of the fields ``filter`` gives."""
    return [clauses[field](value, scope) for field, value in given_filters(filter).items()]


__all__ = ["OBSERVATION_CLAUSES", "SESSION_CLAUSES", "TRACE_CLAUSES", "AnyFilter", "Clause", "Scope", "where"]
