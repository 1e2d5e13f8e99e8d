"""A session as a JSON file: its aggregates and every trace with its observations, in the public
API's shapes (``GET /api/public/sessions/{id}`` and ``GET /api/public/traces/{id}``), so that what
a person downloads reads like what a script would fetch."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from otel_bridge.api.http import JSON_MEDIA_TYPE, html_path, render_json
from otel_bridge.api.observations import serialize_observation
from otel_bridge.api.sessions import all_traces, serialize_session
from otel_bridge.api.traces import serialize_trace
from otel_bridge.errors import NotFound
from otel_bridge.store import Project, Store


def session_download(store: Store, project: Project, session_id: str) -> Response:
    """The session as an attachment named after its id (blocking: it reads every trace)."""
    try:
        session, summaries = all_traces(store, project.id, session_id)
    except NotFound:
        raise NotFound(f"Session {session_id} not found in this project") from None
    traces = []
    for summary in summaries:
        observations = store.get_trace(project.id, summary.trace.id).observations
        traces.append(
            {
                **serialize_trace(summary, project.id),
                "htmlPath": html_path(summary.trace.id),
                "latency": summary.trace.latency_seconds,
                "totalCost": summary.total_cost,
                "observations": [serialize_observation(o) for o in observations],
            }
        )
    body = render_json({**serialize_session(session, project.id), "traces": traces})
    # The id is any text: the plain-ASCII name is a safe stand-in, the RFC 5987 one carries it whole.
    plain = "".join(c if (c.isascii() and c.isalnum()) or c in "-_." else "_" for c in session_id)[:100]
    encoded = quote(session_id, safe="")
    disposition = f"attachment; filename=\"session-{plain}.json\"; filename*=UTF-8''session-{encoded}.json"
    return Response(
        body,
        media_type=JSON_MEDIA_TYPE,
        headers={
            "Content-Disposition": disposition,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


__all__ = ["session_download"]
