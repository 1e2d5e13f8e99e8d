"""The UI's routes: ``/`` → ``/sessions``, the Sessions view, a session, a trace, and the static
stylesheet (public: it holds no data, and a browser fetches it before it has asked for keys)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from otel_bridge.api.http import authenticated
from otel_bridge.api.params import Query
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project
from otel_bridge.ui.listing import SESSIONS_PATH, SessionListing
from otel_bridge.ui.pages import session_context, sessions_context, trace_context
from otel_bridge.ui.rendering import error_page, render_page

STATIC_DIRECTORY = Path(__file__).parent / "static"


def routes(context: AppContext) -> list[BaseRoute]:
    """Every UI route; ``otel_bridge.server`` mounts them."""
    store = context.store

    async def home(request: Request) -> Response:
        return RedirectResponse(SESSIONS_PATH, status_code=302)

    async def sessions(request: Request, project: Project) -> Response:
        listing = SessionListing.parse(request.query_params)
        return await render_page(
            "sessions.html", sessions_context, store, project, listing, str(request.base_url)
        )

    async def session(request: Request, project: Project) -> Response:
        page = Query(request.query_params, ("page",)).integer("page", default=1, minimum=1)
        session_id = request.path_params["session_id"]
        return await render_page("session.html", session_context, store, project, session_id, page)

    async def trace(request: Request, project: Project) -> Response:
        trace_id = request.path_params["trace_id"]
        Query(request.query_params, ())  # none accepted: refuses any
        return await render_page("trace.html", trace_context, store, project, trace_id)

    return [
        Route("/", home, methods=["GET"]),
        Route(SESSIONS_PATH, authenticated(context, sessions, error_page), methods=["GET"]),
        Route("/sessions/{session_id:path}", authenticated(context, session, error_page), methods=["GET"]),
        Route("/traces/{trace_id:path}", authenticated(context, trace, error_page), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
    ]


__all__ = ["STATIC_DIRECTORY", "routes"]
