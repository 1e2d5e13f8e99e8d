"""The UI's routes: ``/`` → ``/sessions``, sign-in and sign-out, the Sessions and Traces views, a
session, its download and bookmark, a trace, and the static files (public: they hold no data, and a
browser fetches them before it signed in). Every other page is behind ``signin.Gate``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from otel_bridge.api.http import blocking
from otel_bridge.api.params import Query
from otel_bridge.errors import Unauthenticated
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project
from otel_bridge.ui.conversation import IDLE_GAP_SECONDS
from otel_bridge.ui.downloads import session_download
from otel_bridge.ui.forms import check_same_origin, form_fields, local_path
from otel_bridge.ui.links import BOOKMARK_PATH, DOWNLOAD_PATH, SESSIONS_PATH, TRACES_PATH, session_url
from otel_bridge.ui.listing import SessionListing
from otel_bridge.ui.pages import session_context, sessions_context, trace_context, traces_context
from otel_bridge.ui.rendering import error_page, html_page, render, render_page
from otel_bridge.ui.signin import SIGN_IN_PATH, SIGN_OUT_PATH, Gate, clear_cookie
from otel_bridge.ui.trace_listing import TraceListing

STATIC_DIRECTORY = Path(__file__).parent / "static"


def _sign_in_page(message: str | None, public_key: str, next_path: str, status: int) -> HTMLResponse:
    context = {"project": None, "message": message, "public_key": public_key, "next": next_path}
    return html_page(render("signin.html", context), status)


def routes(context: AppContext) -> list[BaseRoute]:
    """Every UI route; ``otel_bridge.server`` mounts them."""
    store = context.store
    gate = Gate(context)

    async def home(request: Request) -> Response:
        return RedirectResponse(SESSIONS_PATH, status_code=302)

    async def sign_in_form(request: Request) -> Response:
        next_path = local_path(Query(request.query_params, ("next",)).string("next"), SESSIONS_PATH)
        return _sign_in_page(None, "", next_path, 200)

    async def sign_in(request: Request) -> Response:
        try:
            check_same_origin(request)
            fields = await form_fields(request)
        except Exception as error:
            return error_page(error)
        public_key, secret_key = fields.get("public_key", "").strip(), fields.get("secret_key", "").strip()
        next_path = local_path(fields.get("next"), SESSIONS_PATH)
        if not public_key or not secret_key:
            return _sign_in_page("Give both keys.", public_key, next_path, 400)
        try:
            project = await gate.check_keys(public_key, secret_key)
        except Unauthenticated:
            # No WWW-Authenticate here: the browser would open its Basic dialog over the form.
            return _sign_in_page("Wrong public or secret key.", public_key, next_path, 401)
        except Exception as error:
            return error_page(error)
        response = RedirectResponse(next_path, status_code=303)
        gate.cookie(response, project, secure=request.url.scheme == "https")
        return response

    async def sign_out(request: Request) -> Response:
        try:
            check_same_origin(request)
        except Exception as error:
            return error_page(error)
        response = RedirectResponse(SIGN_IN_PATH, status_code=303)
        clear_cookie(response)
        return response

    async def sessions(request: Request, project: Project) -> Response:
        listing = SessionListing.parse(request.query_params)
        now = datetime.now(timezone.utc)
        base_url = str(request.base_url)
        return await render_page(
            "sessions.html", sessions_context, store, project, listing, base_url, now, request=request
        )

    async def session(request: Request, project: Project) -> Response:
        query = Query(request.query_params, ("page", "idle"))
        page = query.integer("page", default=1, minimum=1)
        idle = query.integer("idle", default=IDLE_GAP_SECONDS // 60, minimum=0, maximum=7 * 24 * 60)
        session_id = request.path_params["session_id"]
        return await render_page(
            "session.html", session_context, store, project, session_id, page, idle, request=request
        )

    async def download(request: Request, project: Project) -> Response:
        Query(request.query_params, ())  # none accepted: refuses any
        return await blocking(session_download, store, project, request.path_params["session_id"])

    async def bookmark(request: Request, project: Project) -> Response:
        check_same_origin(request)
        session_id = request.path_params["session_id"]
        fields = await form_fields(request)
        await blocking(store.set_bookmark, project.id, session_id, fields.get("bookmarked") != "no")
        target = local_path(fields.get("next"), session_url(session_id))
        return RedirectResponse(target, status_code=303)

    async def traces(request: Request, project: Project) -> Response:
        listing = TraceListing.parse(request.query_params)
        now = datetime.now(timezone.utc)
        return await render_page("traces.html", traces_context, store, project, listing, now, request=request)

    async def trace(request: Request, project: Project) -> Response:
        trace_id = request.path_params["trace_id"]
        selected = Query(request.query_params, ("observation",)).string("observation")
        return await render_page(
            "trace.html", trace_context, store, project, trace_id, selected, request=request
        )

    return [
        Route("/", home, methods=["GET"]),
        Route(SIGN_IN_PATH, sign_in_form, methods=["GET"]),
        Route(SIGN_IN_PATH, sign_in, methods=["POST"]),
        Route(SIGN_OUT_PATH, sign_out, methods=["POST"]),
        Route(SESSIONS_PATH, gate.page(sessions, error_page), methods=["GET"]),
        Route(f"{SESSIONS_PATH}/{{session_id:path}}", gate.page(session, error_page), methods=["GET"]),
        Route(f"{DOWNLOAD_PATH}/{{session_id:path}}", gate.page(download, error_page), methods=["GET"]),
        Route(f"{BOOKMARK_PATH}/{{session_id:path}}", gate.page(bookmark, error_page), methods=["POST"]),
        Route(TRACES_PATH, gate.page(traces, error_page), methods=["GET"]),
        Route(f"{TRACES_PATH}/{{trace_id:path}}", gate.page(trace, error_page), methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),
    ]


__all__ = ["STATIC_DIRECTORY", "routes"]
