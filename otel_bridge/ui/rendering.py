"""Pages as HTML responses: the Jinja2 environment, the headers every page carries, the error page,
and the authentication in front of every page.

Autoescaping is on for every template: session ids, span names and message contents are whatever
clients sent, so they are text, never markup. The pages' Content-Security-Policy (which takes the
place of the stricter one ``receivers/security_headers.py`` gives every other response) allows
scripts and styles from this server's files only (``static/``: no inline script, style or event
handler), so that even a templating mistake could not run injected code, and no other site may frame
the pages.

Authentication is ``signin.py``'s (a sign-in cookie, else the API's keys); a failure is the status
table's verdict (``receivers/status.py``) as an HTML page, and a 401 carries ``WWW-Authenticate:
Basic``, for scripts and for browsers that keep Basic credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from otel_bridge.api.http import blocking
from otel_bridge.receivers.status import error_status
from otel_bridge.ui.formatting import FILTERS
from otel_bridge.ui.links import bookmark_url, download_url, session_url, trace_url
from otel_bridge.ui.listing import REFRESH_SECONDS
from otel_bridge.ui.views import MAX_CHARS

logger = logging.getLogger("otel_bridge.ui")

#: Sent with every page. ``no-store``: pages show a project's data to whoever holds its keys, and a
#: shared machine's cache must not keep them.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    # frame-ancestors says it to current browsers; X-Frame-Options to those before CSP level 2.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("otel_bridge.ui", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(FILTERS)
    environment.globals.update(
        session_url=session_url,
        trace_url=trace_url,
        download_url=download_url,
        bookmark_url=bookmark_url,
        max_chars=MAX_CHARS,
        refresh_choices=REFRESH_SECONDS,
        # What base.html reads; pages that have them set them in their context.
        refresh_seconds=None,
        signed_in=False,
    )
    return environment


TEMPLATES = _environment()


def render(template: str, context: Mapping[str, Any]) -> str:
    """``template`` rendered with ``context``."""
    return TEMPLATES.get_template(template).render(context)


def html_page(body: str, status: int = 200, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    """An HTML response with ``PAGE_HEADERS``."""
    return HTMLResponse(body, status, headers={**PAGE_HEADERS, **(headers or {})})


async def render_page(
    template: str, build: Callable[..., Mapping[str, Any]], *args: Any, request: Request | None = None
) -> HTMLResponse:
    """``build(*args)`` (it reads the store) and the rendering, both off the event loop: the store
    blocks, and resolving and rendering large payloads takes CPU time the loop should not wait on.
    ``request``: the page's, whose ``state.signed_in`` (set by ``signin.Gate``) shows "Sign out"."""
    signed_in = request is not None and getattr(request.state, "signed_in", False)
    body = await blocking(lambda: render(template, {**build(*args), "signed_in": signed_in}))
    return html_page(body)


def error_page(error: BaseException) -> HTMLResponse:
    """The page for ``error``: its status and message from the status table, with its headers."""
    status = error_status(error)
    if status.http_status >= 500 and status.retry_after is None:
        logger.error("UI request failed", exc_info=error)
    body = render("error.html", {"status": status.http_status, "message": status.message, "project": None})
    return html_page(body, status.http_status, status.http_headers())


__all__ = [
    "PAGE_HEADERS",
    "TEMPLATES",
    "error_page",
    "html_page",
    "render",
    "render_page",
]
