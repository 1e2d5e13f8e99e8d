"""``GET /api/public/metrics/daily`` (``DailyMetrics``): per UTC day, the traces, their observations,
their cost, and the usage by model.

Langfuse served this route (fern ``metrics.yml``, ``metrics_daily``) before its spec of 2026-08
dropped it; its shape is kept in otel-bridge's ``/openapi.json``: ``data`` is one
``DailyMetricsDetails`` per day with traces (``date`` ``YYYY-MM-DD``, ``countTraces``,
``countObservations``, ``totalCost`` USD, ``usage``: one ``UsageByModel`` per model, ``model`` null
for usage without one), newest day first, paginated with ``page``/``limit`` and ``meta``.

Filters: ``traceName``, ``userId``, ``tags`` (the trace has all), ``environment`` (any of),
``fromTimestamp``/``toTimestamp`` on the trace's timestamp. A day is the trace's; its observations
are counted with it, and per model those with a model or a usage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api import metrics_rows
from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.openapi import query_parameters
from otel_bridge.api.params import Query
from otel_bridge.model import Observation
from otel_bridge.receivers import AppContext
from otel_bridge.store import ObservationFilter, Project, Store, TraceFilter


@dataclass(slots=True)
class _ModelUsage:
    input: int = 0
    output: int = 0
    total: int = 0
    traces: set[str] = field(default_factory=set)
    observations: int = 0
    cost: float = 0.0


@dataclass(slots=True)
class _Day:
    traces: int = 0
    observations: int = 0
    cost: float = 0.0
    models: dict[str | None, _ModelUsage] = field(default_factory=lambda: defaultdict(_ModelUsage))


def _cost(o: Observation) -> float:
    """An observation's cost: its total, else the sum of its parts (as the store's aggregates)."""
    if o.cost is None:
        return 0.0
    if o.cost.total is not None:
        return o.cost.total
    return (o.cost.input or 0.0) + (o.cost.output or 0.0)


#: Up to this many traces, their observations are read trace by trace; beyond, in one scan.
PER_TRACE_READS = 50


def observations_of(
    store: Store, project_id: str, day_of: Mapping[str, str], starts: list[datetime]
) -> list[Observation]:
    """The observations of the traces of ``day_of``: by trace for a few traces, else from one scan
    of the observations started since the earliest of them (a trace's spans start at or after its
    timestamp), kept when their trace is one of these."""
    if len(day_of) <= PER_TRACE_READS:
        return [
            o
            for trace_id in day_of
            for o in store.list_observations(
                project_id, ObservationFilter(trace_id=trace_id), limit=metrics_rows.MAX_ROWS
            ).items
        ]
    since = ObservationFilter(from_start_time=min(starts))
    return [o for o in metrics_rows.bare_observations(store, project_id, since) if o.trace_id in day_of]


def daily(store: Store, project_id: str, where: TraceFilter) -> list[dict[str, Any]]:
    """Every day's ``DailyMetricsDetails``, newest first."""
    days: dict[str, _Day] = defaultdict(_Day)
    day_of: dict[str, str] = {}
    starts: list[datetime] = []
    for summary in metrics_rows.traces(store, project_id, where):
        day = summary.trace.timestamp.date().isoformat()
        day_of[summary.trace.id] = day
        starts.append(summary.trace.timestamp)
        entry = days[day]
        entry.traces += 1
        entry.observations += summary.observation_count
        entry.cost += summary.total_cost or 0.0
    for o in observations_of(store, project_id, day_of, starts):
        trace_id = o.trace_id
        day = day_of[trace_id]
        if o.model is None and not o.usage:
            continue
        usage = days[day].models[o.model]
        usage.input += o.usage.input
        usage.output += o.usage.output
        usage.total += o.usage.total or (o.usage.input + o.usage.output)
        usage.traces.add(trace_id)
        usage.observations += 1
        usage.cost += _cost(o)
    return [
        {
            "date": day,
            "countTraces": entry.traces,
            "countObservations": entry.observations,
            "totalCost": entry.cost,
            "usage": [
                {
                    "model": model,
                    "inputUsage": usage.input,
                    "outputUsage": usage.output,
                    "totalUsage": usage.total,
                    "countTraces": len(usage.traces),
                    "countObservations": usage.observations,
                    "totalCost": usage.cost,
                }
                for model, usage in sorted(
                    entry.models.items(), key=lambda item: (item[0] is None, item[0] or "")
                )
            ],
        }
        for day, entry in sorted(days.items(), reverse=True)
    ]


def routes(context: AppContext) -> list[BaseRoute]:
    """The daily metrics route."""
    store = context.store

    async def get_daily(request: Request, project: Project) -> Response:
        query = Query(request.query_params, query_parameters("/api/public/metrics/daily"))
        window = query.pagination()
        where = TraceFilter(
            name=query.string("traceName"),
            user_id=query.string("userId"),
            tags=query.strings("tags"),
            environments=query.strings("environment"),
            from_timestamp=query.datetime("fromTimestamp"),
            to_timestamp=query.datetime("toTimestamp"),
        )
        days = await blocking(daily, store, project.id, where)
        page = days[window.offset : window.offset + window.limit]
        return json_response({"data": page, "meta": window.meta(len(days))})

    return [Route("/api/public/metrics/daily", authenticated(context, get_daily), methods=["GET"])]


__all__ = ["daily", "routes"]
