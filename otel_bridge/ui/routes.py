"""The UI's routes: ``/`` → ``/sessions``, the Sessions view, a session, its download and bookmark, a
trace, and the static files (public: they hold no data, and a browser fetches them before it signed
in)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from otel_bridge.api.http import authenticated, blocking
from otel_bridge.api.params import Query
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project
from otel_bridge.ui.conversation import IDLE_GAP_SECONDS
from otel_bridge.ui.downloads import session_download
from otel_bridge.ui.forms import check_same_origin, form_fields, local_path
from otel_bridge.ui.links import BOOKMARK_PATH, DOWNLOAD_PATH, SESSIONS_PATH, session_url
from otel_bridge.ui.listing import SessionListing
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
        now = datetime.now(timezone.utc)
        return await render_page(
            "sessions.html", sessions_context, store, project, listing, str(request.base_url), now
        )

    async def session(request: Request, project: Project) -> Response:
        query = Query(request.query_params)
        page = query.integer("page", default=1, minimum=1)
        idle = query.integer("idle", default=IDLE_GAP_SECONDS // 60, minimum=0, maximum=7 * 24 * 60)
        session_id = request.path_params["session_id"]
        return await render_page("session.html", session_context, store, project, session_id, page, idle)

    async def download(request: Request, project: Project) -> Response:
        return await blocking(session_download, store, project, request.path_params["session_id"])

    async def bookmark(request: Request, project: Project) -> Response:
        check_same_origin(request)
        session_id = request.path_params["session_id"]
        fields = await form_fields(request)
        await blocking(store.set_bookmark, project.id, session_id, fields.get("bookmarked") != "no")
        target = local_path(fields.get("next"), session_url(session_id))
        return RedirectResponse(target, status_code=303)

    async def trace(request: Request, project: Project) -> Response:
        trace_id = request.path_params["trace_id"]
        selected = Query(request.query_params).string("observation")
        return await render_page("trace.html", trace_context, store, project, trace_id, selected)

    return [
        Route("/", home, methods=["GET"]),
        Route(SESSIONS_PATH, authenticated(context, sessions, error_page), methods=["GET"]),
        Route("/sessions/{session_id:path}", authenticated(context, session, error_page), methods=["GET"]),
        Route(
            f"{DOWNLOAD_PATH}/{{session_id:path}}",
            authenticated(context, download, error_page),
            methods=["GET"],
        ),
        Route(
            f"{BOOKMARK_PATH}/{{session_id:path}}",
            authenticated(context, bookmark, error_page),
            methods=["POST"],
        ),
        Route("/traces/{trace_id:path}", authenticated(context, trace, error_page), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
    ]


__all__ = ["STATIC_DIRECTORY", "routes"]
