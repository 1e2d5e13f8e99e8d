"""Traces: ``GET /api/public/traces`` (``Traces``: ``TraceWithDetails`` items) and
``GET /api/public/traces/{traceId}`` (``TraceWithFullDetails``), and the ``Trace`` serializer that the
session detail reuses.

Beyond the spec's ``Trace`` fields, items carry ``projectId``, ``bookmarked`` (always false: nothing
here bookmarks) and ``updatedAt``, as Langfuse's own responses do. ``scores`` are the trace's own
(``api/scores.py``).

``fields`` (Langfuse's field groups): ``core`` is always included; without ``io`` the input, output
and metadata are null; without ``observations`` or ``scores`` those are empty lists; without
``metrics`` ``latency`` and ``totalCost`` are -1. Without ``fields`` every group is included.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, html_path, json_response
from otel_bridge.api.observations import serialize_observation
from otel_bridge.api.params import FilterColumn, InvalidQuery, Query, apply_conditions
from otel_bridge.api.scores import serialize_score_v1
from otel_bridge.errors import NotFound
from otel_bridge.model import Trace
from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.store import (
    ObservationFilter,
    Project,
    ScoreFilter,
    Store,
    TraceFilter,
    TraceOrder,
    TraceSummary,
)
from otel_bridge.translate.payloads import resolve_payload

#: Langfuse's ``fields`` groups.
FIELD_GROUPS = ("core", "io", "scores", "observations", "metrics")

#: Langfuse's ``orderBy`` fields → the store's sort keys. ``bookmarked`` is the same for every trace
#: here (false), so ordering by it leaves the store's tie order: by id.
ORDER_FIELDS: dict[str, TraceOrder] = {
    "id": "id",
    "timestamp": "timestamp",
    "name": "name",
    "userId": "user_id",
    "release": "release",
    "version": "version",
    "public": "public",
    "bookmarked": "id",
    "sessionId": "session_id",
}

#: ``filter`` columns of ``GET /api/public/traces`` and the ``TraceFilter`` fields they set.
FILTER_COLUMNS = {
    "userId": FilterColumn("one", "user_id"),
    "name": FilterColumn("one", "name"),
    "sessionId": FilterColumn("one", "session_id"),
    "environment": FilterColumn("any", "environments"),
    "version": FilterColumn("one", "version"),
    "release": FilterColumn("one", "release"),
    "tags": FilterColumn("all", "tags"),
    "timestamp": FilterColumn("time", "from_timestamp", "to_timestamp"),
}

#: The query parameters each route accepts: Langfuse's, in its spec's order.
LIST_PARAMETERS = (
    "page",
    "limit",
    "userId",
    "name",
    "sessionId",
    "fromTimestamp",
    "toTimestamp",
    "orderBy",
    "tags",
    "version",
    "release",
    "environment",
    "fields",
    "filter",
)
DETAIL_PARAMETERS = ("fields",)

#: How many observation ids of one trace a trace listing reads (a guard against huge traces).
MAX_OBSERVATION_IDS = 10_000
#: How many scores a trace response reads, for a page of traces or one trace.
MAX_SCORES = 10_000


def serialize_trace(summary: TraceSummary, project_id: str, *, io: bool = True) -> dict[str, Any]:
    """A ``Trace`` (plus ``projectId``, ``bookmarked`` and ``updatedAt``)."""
    trace: Trace = summary.trace
    return {
        "id": trace.id,
        "timestamp": iso(trace.timestamp),
        "name": trace.name,
        "input": resolve_payload(trace.input) if io else None,
        "output": resolve_payload(trace.output) if io else None,
        "sessionId": trace.session_id,
        "release": trace.release,
        "version": trace.version,
        "userId": trace.user_id,
        "metadata": dict(trace.metadata) if io else None,
        "tags": list(trace.tags),
        "public": trace.public,
        "environment": trace.environment,
        "projectId": project_id,
        "bookmarked": False,
        "updatedAt": iso(summary.updated_at),
    }


def _metrics(summary: TraceSummary, included: bool) -> dict[str, Any]:
    if not included:
        return {"latency": -1, "totalCost": -1}
    return {
        "latency": summary.trace.latency_seconds,
        # Langfuse sums the costs of the observations: 0 when none has one.
        "totalCost": summary.total_cost or 0.0,
    }


def field_groups(query: Query) -> frozenset[str]:
    """The ``fields`` groups asked for (all of them when absent)."""
    text = query.string("fields")
    if text is None:
        return frozenset(FIELD_GROUPS)
    groups = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(groups - set(FIELD_GROUPS))
    if unknown:
        raise InvalidQuery(
            f"fields must be a comma-separated list of {', '.join(FIELD_GROUPS)}; got {unknown}"
        )
    return frozenset(groups | {"core"})


def order(query: Query) -> tuple[TraceOrder, bool]:
    """``orderBy`` (``[field].[asc|desc]``) → the store's key and whether it is descending."""
    text = query.string("orderBy")
    if text is None:
        return "timestamp", True
    field, _, direction = text.strip().rpartition(".")
    key = ORDER_FIELDS.get(field)
    if key is None or direction not in ("asc", "desc"):
        raise InvalidQuery(
            f"orderBy must be [field].[asc|desc] with a field among {', '.join(ORDER_FIELDS)}, "
            f"e.g. timestamp.desc; got {text!r}"
        )
    return key, direction == "desc"


def trace_filter(query: Query) -> TraceFilter:
    """The filter of ``GET /api/public/traces``; ``filter`` takes precedence over the simple
    parameters, as in Langfuse."""
    conditions = query.conditions()
    if conditions is not None:
        return TraceFilter(**apply_conditions(conditions, FILTER_COLUMNS))
    return TraceFilter(
        session_id=query.string("sessionId"),
        user_id=query.string("userId"),
        name=query.string("name"),
        tags=query.strings("tags"),
        from_timestamp=query.datetime("fromTimestamp"),
        to_timestamp=query.datetime("toTimestamp"),
        environments=query.strings("environment"),
        release=query.string("release"),
        version=query.string("version"),
    )


def observation_ids(store: Store, project_id: str, trace_id: str) -> list[str]:
    """The ids of a trace's observations, in trace order."""
    page = store.list_observations(
        project_id, ObservationFilter(trace_id=trace_id), offset=0, limit=MAX_OBSERVATION_IDS
    )
    return [observation.id for observation in page.items]


def scores_by_trace(store: Store, project_id: str, trace_ids: tuple[str, ...]) -> dict[str, list[Any]]:
    """The scores of these traces (and of their observations), by trace id, newest first."""
    found: dict[str, list[Any]] = {trace_id: [] for trace_id in trace_ids}
    if trace_ids:
        page = store.list_scores(project_id, ScoreFilter(trace_ids=trace_ids), limit=MAX_SCORES)
        for listed in page.items:
            found[str(listed.score.trace_id)].append(listed.score)
    return found


def routes(context: AppContext) -> list[BaseRoute]:
    """The trace routes."""
    store = context.store

    async def list_traces(request: Request, project: Project) -> Response:
        query = Query(request.query_params, LIST_PARAMETERS)
        window = query.pagination()
        groups = field_groups(query)
        order_by, descending = order(query)
        where = trace_filter(query)
        page = await blocking(
            store.list_traces,
            project.id,
            where,
            order_by=order_by,
            descending=descending,
            offset=window.offset,
            limit=window.limit,
        )
        ids: list[list[str]] = [[] for _ in page.items]
        if "observations" in groups and page.items:
            ids = list(
                await asyncio.gather(
                    *(blocking(observation_ids, store, project.id, s.trace.id) for s in page.items)
                )
            )
        scores: dict[str, list[Any]] = {}
        if "scores" in groups:
            page_ids = tuple(s.trace.id for s in page.items)
            scores = await blocking(scores_by_trace, store, project.id, page_ids)
        data = [
            {
                **serialize_trace(summary, project.id, io="io" in groups),
                "htmlPath": html_path(summary.trace.id),
                **_metrics(summary, "metrics" in groups),
                "observations": observation_ids_of_trace,
                "scores": [score.id for score in scores.get(summary.trace.id, [])],
            }
            for summary, observation_ids_of_trace in zip(page.items, ids, strict=True)
        ]
        return json_response({"data": data, "meta": window.meta(page.total)})

    async def get_trace(request: Request, project: Project) -> Response:
        trace_id = request.path_params["trace_id"]
        groups = field_groups(Query(request.query_params, DETAIL_PARAMETERS))
        try:
            detail = await blocking(store.get_trace, project.id, trace_id)
        except NotFound:
            raise NotFound(f"Trace {trace_id} not found within authorized project") from None
        observations = (
            [serialize_observation(o) for o in detail.observations] if "observations" in groups else []
        )
        scores: dict[str, list[Any]] = {}
        if "scores" in groups:
            scores = await blocking(scores_by_trace, store, project.id, (trace_id,))
        return json_response(
            {
                **serialize_trace(detail.summary, project.id, io="io" in groups),
                "htmlPath": html_path(trace_id),
                **_metrics(detail.summary, "metrics" in groups),
                "observations": observations,
                "scores": [serialize_score_v1(score) for score in scores.get(trace_id, [])],
            }
        )

    return [
        Route("/api/public/traces", authenticated(context, list_traces), methods=["GET"]),
        Route("/api/public/traces/{trace_id:path}", authenticated(context, get_trace), methods=["GET"]),
    ]


__all__ = [
    "DETAIL_PARAMETERS",
    "FIELD_GROUPS",
    "FILTER_COLUMNS",
    "LIST_PARAMETERS",
    "ORDER_FIELDS",
    "field_groups",
    "observation_ids",
    "order",
    "routes",
    "scores_by_trace",
    "serialize_trace",
    "trace_filter",
]
