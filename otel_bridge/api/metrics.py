"""The metrics query API: ``GET /api/public/v2/metrics`` (``MetricsV2Response``) and its v1,
``GET /api/public/metrics`` (``legacyMetricsResponse``), answering Langfuse's ``query`` JSON
(``view``, ``dimensions``, ``metrics``, ``filters``, ``timeDimension``, ``fromTimestamp``,
``toTimestamp``, ``orderBy``, ``config.row_limit``) over the views of ``metrics_views.py``.

- Each row holds its dimensions by field name, ``time_dimension`` (the bucket's start, ISO) with a
  ``timeDimension``, and each metric as ``<aggregation>_<measure>`` (``count_count``,
  ``sum_totalCost``), as Langfuse names them. Aggregations: ``sum, avg, count, max, min, p50, p75,
  p90, p95, p99`` (``histogram`` is a 400 here); rows without a value for a measure are left out of
  it (null when none has one; ``count`` counts the rows with a value).
- Granularities: ``minute, hour, day, week`` (from Monday), ``month``, and ``auto`` (the one giving
  closest to 50 buckets over the range); empty buckets are not returned.
- Filters: on any column of the view (and its time column, ``datetime``): ``string`` (``=``,
  ``contains``, ``does not contain``, ``starts with``, ``ends with``), ``stringOptions`` /
  ``categoryOptions`` (``any of``, ``none of``), ``arrayOptions`` on ``tags`` (``any of``,
  ``none of``, ``all of``), ``number`` (``=, >, <, >=, <=``), ``null`` (``is null``, ``is not
  null``), ``datetime`` (``>, <, >=, <=``). Anything else is a 400 naming it.
- v2 refuses the ``traces`` view and high-cardinality dimensions (ids, users, sessions), as Langfuse
  does: filter by them instead. ``row_limit`` is 1-1000 (default 100).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.metrics_views import VIEWS, View
from otel_bridge.api.openapi import query_parameters
from otel_bridge.api.params import InvalidQuery, Query, parse_datetime
from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project, Store

DEFAULT_ROW_LIMIT, MAX_ROW_LIMIT = 100, 1000
PERCENTILES = {"p50": 0.5, "p75": 0.75, "p90": 0.9, "p95": 0.95, "p99": 0.99}
AGGREGATIONS = ("sum", "avg", "count", "max", "min", *PERCENTILES)
GRANULARITIES: Mapping[str, timedelta] = {
    "minute": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}
_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}
_TEXT: Mapping[str, Callable[[str, str], bool]] = {
    "=": operator.eq,
    "contains": lambda a, b: b in a,
    "does not contain": lambda a, b: b not in a,
    "starts with": str.startswith,
    "ends with": str.endswith,
}
Test = Callable[[Any], bool]


def _percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (ClickHouse's ``quantile`` family estimates it)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def aggregate(aggregation: str, values: list[Any]) -> Any:
    """One metric over a group's values (None values already left out)."""
    if aggregation == "count":
        return len(values)
    if not values:
        return None
    if aggregation == "sum":
        return sum(values)
    if aggregation == "avg":
        return sum(values) / len(values)
    if aggregation == "max":
        return max(values)
    if aggregation == "min":
        return min(values)
    return _percentile([float(v) for v in values], PERCENTILES[aggregation])


def bucket(moment: datetime, granularity: str) -> datetime:
    """The start of the time bucket ``moment`` falls in."""
    moment = moment.astimezone(timezone.utc)
    if granularity == "minute":
        return moment.replace(second=0, microsecond=0)
    if granularity == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def auto_granularity(start: datetime, end: datetime) -> str:
    """The granularity giving closest to 50 buckets over ``[start, end)``."""
    span = max(end - start, timedelta(seconds=1))
    return min(GRANULARITIES, key=lambda name: abs(span / GRANULARITIES[name] - 50))


def _list(document: Mapping[str, Any], name: str) -> list[Any]:
    value = document.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidQuery(f"query.{name} must be an array")
    return value


def _field(item: Any, where: str, key: str = "field") -> str:
    if not isinstance(item, dict) or not isinstance(item.get(key), str):
        raise InvalidQuery(f"{where} must be an object with a string {key!r}")
    return str(item[key])


def _filter_test(index: int, item: Any, view: View, view_name: str) -> tuple[str, Test]:
    where = f"query.filters[{index}]"
    column = _field(item, where, "column")
    kind, op, value = item.get("type"), str(item.get("operator", "")).strip().lower(), item.get("value")
    if kind == "datetime":
        if op not in _COMPARE or op == "=" or not isinstance(value, str):
            raise InvalidQuery(f"{where}: a datetime filter takes >, <, >= or <= and an ISO 8601 value")
        moment, compare = parse_datetime(f"{where}.value", value), _COMPARE[op]
        return "time", lambda row: compare(view.time(row), moment)
    if column not in view.columns:
        names = ", ".join(sorted(view.columns))
        raise InvalidQuery(f"{where}: column {column!r} is not in the {view_name} view; columns: {names}")
    get = view.columns[column]
    if kind == "null" and op in ("is null", "is not null"):
        wanted = op == "is null"
        return column, lambda row: (get(row) in (None, [])) == wanted
    if kind == "string" and op in _TEXT and isinstance(value, str):
        text = _TEXT[op]
        return column, lambda row: isinstance(get(row), str) and text(get(row), value)
    if (
        kind in ("stringOptions", "categoryOptions")
        and op in ("any of", "none of")
        and isinstance(value, list)
    ):
        options, wanted = set(value), op == "any of"
        return column, lambda row: (get(row) in options) == wanted
    if kind == "arrayOptions" and op in ("any of", "none of", "all of") and isinstance(value, list):
        options = set(value)
        if op == "all of":
            return column, lambda row: options <= set(get(row) or ())
        wanted = op == "any of"
        return column, lambda row: bool(options & set(get(row) or ())) == wanted
    if (
        kind == "number"
        and op in _COMPARE
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
    ):
        compare = _COMPARE[op]
        return column, lambda row: get(row) is not None and compare(get(row), value)
    raise InvalidQuery(
        f"{where} {{type {kind!r}, operator {op!r}}} is not supported: see the operators of each type in "
        "the endpoint's description"
    )


class MetricsQuery:
    """A parsed, validated ``query``."""

    def __init__(self, text: str | None, *, v2: bool) -> None:
        if text is None:
            raise InvalidQuery(
                "query is required: a JSON object with view, metrics, fromTimestamp, toTimestamp"
            )
        try:
            document = json.loads(text)
        except ValueError as error:
            raise InvalidQuery(f"query must be a JSON object: {error}") from None
        if not isinstance(document, dict):
            raise InvalidQuery("query must be a JSON object")
        views = [name for name, view in VIEWS.items() if view.v2 or not v2]
        name = document.get("view")
        if name not in views:
            raise InvalidQuery(f"query.view must be one of {', '.join(views)}, got {name!r}")
        self.view_name, self.view = str(name), VIEWS[str(name)]
        self.dimensions = [
            _field(d, f"query.dimensions[{i}]") for i, d in enumerate(_list(document, "dimensions"))
        ]
        for dimension in self.dimensions:
            if dimension not in self.view.columns:
                names = ", ".join(sorted(self.view.columns))
                raise InvalidQuery(f"dimension {dimension!r} is not in the {name} view; dimensions: {names}")
            if v2 and dimension in self.view.high_cardinality:
                raise InvalidQuery(f"dimension {dimension!r} has too many values to group by; filter by it")
        self.metrics = [self._metric(i, m) for i, m in enumerate(_list(document, "metrics"))]
        if not self.metrics:
            raise InvalidQuery("query.metrics must hold at least one {measure, aggregation}")
        self.start, self.end = self._time(document, "fromTimestamp"), self._time(document, "toTimestamp")
        if self.end <= self.start:
            raise InvalidQuery("query.toTimestamp must be after query.fromTimestamp")
        self.tests = [
            _filter_test(i, f, self.view, self.view_name)[1] for i, f in enumerate(_list(document, "filters"))
        ]
        self.granularity = self._granularity(document.get("timeDimension"))
        self.order = [self._order(i, o) for i, o in enumerate(_list(document, "orderBy"))]
        self.row_limit = self._row_limit(document.get("config"))

    def _metric(self, index: int, item: Any) -> tuple[str, str]:
        measure = _field(item, f"query.metrics[{index}]", "measure")
        aggregation = _field(item, f"query.metrics[{index}]", "aggregation")
        if measure not in self.view.measures:
            names = ", ".join(self.view.measures)
            raise InvalidQuery(f"measure {measure!r} is not in the {self.view_name} view; measures: {names}")
        if aggregation not in AGGREGATIONS:
            raise InvalidQuery(f"aggregation must be one of {', '.join(AGGREGATIONS)}, got {aggregation!r}")
        return measure, aggregation

    @staticmethod
    def _time(document: Mapping[str, Any], name: str) -> datetime:
        value = document.get(name)
        if not isinstance(value, str):
            raise InvalidQuery(f"query.{name} is required: an ISO 8601 date-time")
        return parse_datetime(f"query.{name}", value)

    def _granularity(self, item: Any) -> str | None:
        if item is None:
            return None
        granularity = _field(item, "query.timeDimension", "granularity")
        if granularity == "auto":
            return auto_granularity(self.start, self.end)
        if granularity not in GRANULARITIES:
            raise InvalidQuery(f"granularity must be auto or one of {', '.join(GRANULARITIES)}")
        return granularity

    def _order(self, index: int, item: Any) -> tuple[str, bool]:
        field = _field(item, f"query.orderBy[{index}]")
        known = {*self.dimensions, *self.aliases, "time_dimension"}
        if field not in known:
            raise InvalidQuery(f"query.orderBy[{index}].field must be one of {', '.join(sorted(known))}")
        direction = item.get("direction", "asc")
        if direction not in ("asc", "desc"):
            raise InvalidQuery(f"query.orderBy[{index}].direction must be asc or desc")
        return field, direction == "desc"

    @staticmethod
    def _row_limit(config: Any) -> int:
        if config is not None and not isinstance(config, dict):
            raise InvalidQuery("query.config must be an object")
        limit = (config or {}).get("row_limit", DEFAULT_ROW_LIMIT)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ROW_LIMIT:
            raise InvalidQuery(f"query.config.row_limit must be an integer from 1 to {MAX_ROW_LIMIT}")
        return limit

    @property
    def aliases(self) -> list[str]:
        """The result key of each metric."""
        return [f"{aggregation}_{measure}" for measure, aggregation in self.metrics]

    def run(self, store: Store, project_id: str) -> list[dict[str, Any]]:
        """The result rows."""
        rows = [
            row
            for row in self.view.rows(store, project_id, self.start, self.end)
            if all(t(row) for t in self.tests)
        ]
        groups: dict[str, tuple[dict[str, Any], list[Any]]] = {}
        for row in rows:
            key_fields = {d: self.view.columns[d](row) for d in self.dimensions}
            if self.granularity is not None:
                key_fields["time_dimension"] = iso(bucket(self.view.time(row), self.granularity))
            key = json.dumps(key_fields, sort_keys=True, default=str)
            groups.setdefault(key, (key_fields, []))[1].append(row)
        result = []
        for key_fields, members in groups.values():
            out = dict(key_fields)
            for (measure, aggregation), alias in zip(self.metrics, self.aliases, strict=True):
                get = self.view.measures[measure]
                out[alias] = aggregate(aggregation, [v for v in map(get, members) if v is not None])
            result.append(out)
        result.sort(
            key=lambda r: json.dumps([r.get(f) for f in ("time_dimension", *self.dimensions)], default=str)
        )
        for field, descending in reversed(self.order):  # stable sorts: the first orderBy wins
            result.sort(key=_sort_key(field), reverse=descending)
        return result[: self.row_limit]


def _sort_key(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    """Order by ``field``, nulls first; arrays by their JSON."""

    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        value = row.get(field)
        if isinstance(value, (list, dict)):
            value = json.dumps(value)
        return (value is not None, value)

    return key


def routes(context: AppContext) -> list[BaseRoute]:
    """The metrics query routes."""
    store = context.store

    def endpoint(v2: bool) -> Callable[[Request, Project], Any]:
        accepted = query_parameters("/api/public/v2/metrics" if v2 else "/api/public/metrics")

        async def metrics(request: Request, project: Project) -> Response:
            query = MetricsQuery(Query(request.query_params, accepted).string("query"), v2=v2)
            return json_response({"data": await blocking(query.run, store, project.id)})

        metrics.__name__ = "metrics_v2" if v2 else "metrics_v1"
        return metrics

    return [
        Route("/api/public/metrics", authenticated(context, endpoint(False)), methods=["GET"]),
        Route("/api/public/v2/metrics", authenticated(context, endpoint(True)), methods=["GET"]),
    ]


__all__ = [
    "AGGREGATIONS",
    "GRANULARITIES",
    "MetricsQuery",
    "aggregate",
    "auto_granularity",
    "bucket",
    "routes",
]
