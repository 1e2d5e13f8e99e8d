"""``GET /api/public/health`` (``HealthResponse``): ``{"status": "OK", "version": …}``.

Unauthenticated, like Langfuse's: load balancers and the Langfuse SDK's ``auth_check`` probe it without
keys. While the server shuts down (the ingestor no longer accepts work) it answers 503, so that a
balancer stops sending traffic before the process is gone.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge import __version__
from otel_bridge.api.http import json_response
from otel_bridge.receivers import AppContext

OK = "OK"


def routes(context: AppContext) -> list[BaseRoute]:
    """The health route."""

    async def health(_request: Request) -> Response:
        if context.ingestor.accepting:
            return json_response({"status": OK, "version": __version__})
        return json_response({"status": "shutting down", "version": __version__}, 503)

    return [Route("/api/public/health", health, methods=["GET"])]


__all__ = ["OK", "routes"]
