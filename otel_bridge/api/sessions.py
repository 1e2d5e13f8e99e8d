"""Sessions: ``GET /api/public/sessions`` (``PaginatedSessions``) and
``GET /api/public/sessions/{sessionId}`` (``SessionWithTraces``).

Langfuse's ``Session`` has four fields: ``id``, ``createdAt`` (when the session was first seen: here its
first activity, the timestamp of its first trace), ``projectId`` and ``environment`` (Langfuse keeps
the first trace's; here, with several, the alphabetically first; ``environments`` lists them all).
Both endpoints add otel-bridge's aggregates, maintained at write time (docs/architecture.md, "Storage and
grouping semantics"): ``traceCount``, ``observationCount``, ``userIds``, ``tags``, ``environments``,
``inputTokens``, ``outputTokens``, ``totalTokens``, ``totalCost`` (USD), ``errorCount``,
``durationSeconds``, ``firstActivity`` and ``lastActivity``.

The session's ``traces`` are in timestamp order, oldest first, and not paginated (as in Langfuse);
as an extension, ``page`` and/or ``limit`` on the detail return one page of them with a ``meta``.

``fromTimestamp``/``toTimestamp`` select by ``createdAt`` in ``[from, to)``, as Langfuse does.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.api.params import Query
from otel_bridge.api.traces import serialize_trace
from otel_bridge.errors import NotFound
from otel_bridge.model import Session
from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project, SessionDetail, SessionFilter, Store, TraceSummary

#: Traces per store call when a session's traces are read whole.
TRACE_BATCH = 500

#: The query parameters each route accepts (Langfuse's, plus the detail's paging extension).
LIST_PARAMETERS = ("page", "limit", "fromTimestamp", "toTimestamp", "environment")
DETAIL_PARAMETERS = ("page", "limit")


def serialize_session(session: Session, project_id: str) -> dict[str, Any]:
    """A ``Session`` with otel-bridge's aggregates."""
    return {
        "id": session.id,
        "createdAt": iso(session.first_activity),
        "projectId": project_id,
        "environment": session.environments[0] if session.environments else "default",
        "traceCount": session.trace_count,
        "observationCount": session.observation_count,
        "userIds": list(session.user_ids),
        "tags": list(session.tags),
        "environments": list(session.environments),
        "inputTokens": session.input_tokens,
        "outputTokens": session.output_tokens,
        "totalTokens": session.total_tokens,
        "totalCost": session.total_cost,
        "errorCount": session.error_count,
        "durationSeconds": session.duration_seconds,
        "firstActivity": iso(session.first_activity),
        "lastActivity": iso(session.last_activity),
    }


def all_traces(store: Store, project_id: str, session_id: str) -> tuple[Session, list[TraceSummary]]:
    """A session and every one of its traces, oldest first (the store pages them)."""
    detail: SessionDetail = store.get_session(project_id, session_id, offset=0, limit=TRACE_BATCH)
    traces = list(detail.traces.items)
    while len(detail.traces.items) == TRACE_BATCH and len(traces) < detail.traces.total:
        detail = store.get_session(project_id, session_id, offset=len(traces), limit=TRACE_BATCH)
        traces.extend(detail.traces.items)
    return detail.session, traces


def routes(context: AppContext) -> list[BaseRoute]:
    """The session routes."""
    store = context.store

    async def list_sessions(request: Request, project: Project) -> Response:
        query = Query(request.query_params, LIST_PARAMETERS)
        window = query.pagination()
        where = SessionFilter(
            created_from=query.datetime("fromTimestamp"),
            created_to=query.datetime("toTimestamp"),
            environments=query.strings("environment"),
        )
        page = await blocking(
            store.list_sessions,
            project.id,
            where,
            order_by="created",
            descending=True,
            offset=window.offset,
            limit=window.limit,
        )
        return json_response(
            {
                "data": [serialize_session(s, project.id) for s in page.items],
                "meta": window.meta(page.total),
            }
        )

    async def get_session(request: Request, project: Project) -> Response:
        session_id = request.path_params["session_id"]
        query = Query(request.query_params, DETAIL_PARAMETERS)
        paged = "page" in query or "limit" in query
        window = query.pagination()
        try:
            if paged:
                detail = await blocking(
                    store.get_session, project.id, session_id, offset=window.offset, limit=window.limit
                )
                session, traces = detail.session, list(detail.traces.items)
            else:
                session, traces = await blocking(all_traces, store, project.id, session_id)
        except NotFound:
            raise NotFound(f"Session {session_id} not found within authorized project") from None
        body = serialize_session(session, project.id)
        body["traces"] = [serialize_trace(t, project.id) for t in traces]
        if paged:
            body["meta"] = window.meta(session.trace_count)
        return json_response(body)

    return [
        Route("/api/public/sessions", authenticated(context, list_sessions), methods=["GET"]),
        Route("/api/public/sessions/{session_id:path}", authenticated(context, get_session), methods=["GET"]),
    ]


__all__ = ["DETAIL_PARAMETERS", "LIST_PARAMETERS", "TRACE_BATCH", "all_traces", "routes", "serialize_session"]
