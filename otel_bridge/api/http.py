"""What every API route shares: authentication, JSON rendering, datetimes, and the one API error
handler (errors are mapped in ``receivers/status.py`` and here only: docs/architecture.md, "Package
layout").

Langfuse's public API answers errors with ``{"message": …}`` bodies (401 for credentials, 404 "… not
found within authorized project", 400 for a bad query), so this module renders the status table's
verdict that way instead of the OTLP receivers' ``google.rpc.Status``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from otel_bridge.model.langfuse_wire import iso
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.ratelimit import Kind
from otel_bridge.receivers.status import error_status
from otel_bridge.store import Project

logger = logging.getLogger("otel_bridge.api")

T = TypeVar("T")

Endpoint = Callable[[Request], Awaitable[Response]]
#: A route body that runs once the caller's project is known.
ProjectEndpoint = Callable[[Request, Project], Awaitable[Response]]

JSON_MEDIA_TYPE = "application/json"


def _json_default(value: Any) -> Any:
    """JSON for what stored metadata may hold beyond JSON (the store keeps attribute values as given)."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities replaced by None: JSON has no spelling for them, and
    ``json.dumps`` would write ``NaN``, which strict clients refuse."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def render_json(content: Any) -> bytes:
    """Compact UTF-8 JSON of a response body."""
    try:
        text = json.dumps(
            content, ensure_ascii=False, separators=(",", ":"), default=_json_default, allow_nan=False
        )
    except ValueError:  # a NaN somewhere: rare, so only then pay for the walk
        text = json.dumps(_finite(content), ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return text.encode("utf-8", "replace")


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(render_json(content), status, headers=headers, media_type=JSON_MEDIA_TYPE)


def error_response(error: BaseException) -> Response:
    """The response for ``error``: its status from ``receivers/status.py``, a ``{"message"}`` body, and
    ``Retry-After`` / ``WWW-Authenticate`` where the status table asks for them."""
    status = error_status(error)
    if status.http_status >= 500 and status.retry_after is None:
        logger.error("API request failed", exc_info=error)
    body: dict[str, Any] = {"message": status.message}
    errors = getattr(error, "errors", None)
    if isinstance(errors, list):
        body["errors"] = errors
    return json_response(body, status.http_status, headers=status.http_headers())


async def blocking(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call in the default thread pool, off the event loop."""
    return await asyncio.to_thread(partial(function, *args, **kwargs))


def authenticated(
    context: AppContext,
    endpoint: ProjectEndpoint,
    render_error: Callable[[BaseException], Response] = error_response,
    kind: Kind = "read",
) -> Endpoint:
    """``endpoint`` behind ``Authorization`` (Basic ``public:secret`` or Bearer ``secret``) and the
    project's ``kind`` rate limit, with every error it raises rendered by ``render_error`` (JSON here;
    the UI renders pages)."""

    async def handle(request: Request) -> Response:
        try:
            project = await context.authenticator.authenticate(request.headers.get("authorization"))
            context.rate_limiter.check(project.id, kind)
            return await endpoint(request, project)
        except Exception as error:
            return render_error(error)

    handle.__name__ = handle.__qualname__ = getattr(endpoint, "__name__", "endpoint")
    return handle


async def route_error(request: Request, error: Exception) -> Response:
    """A request no route takes (Starlette's 404, 405): on the API's paths a ``{"message"}`` body as
    the document promises, elsewhere Starlette's plain text."""
    status = getattr(error, "status_code", 404)
    if not request.url.path.startswith("/api/"):
        return Response(getattr(error, "detail", "Not Found"), status, media_type="text/plain")
    reason = "method not allowed" if status == 405 else "no such route or id"
    return json_response({"message": f"{request.method} {request.url.path}: {reason}"}, status)


def html_path(trace_id: str) -> str:
    """Langfuse's ``htmlPath`` of a trace: where its page is, relative to the host; here the UI's
    trace page (``otel_bridge.ui.links.trace_url``, which the UI tests hold this to), the id one
    percent-encoded path segment."""
    return f"/traces/{quote(trace_id, safe='')}"


__all__ = [
    "JSON_MEDIA_TYPE",
    "Endpoint",
    "ProjectEndpoint",
    "authenticated",
    "blocking",
    "error_response",
    "html_path",
    "json_response",
    "render_json",
    "route_error",
]
