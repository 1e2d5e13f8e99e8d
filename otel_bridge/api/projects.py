"""``GET /api/public/projects`` (``Projects``): the project of the caller's keys.

Langfuse answers a project-scoped key with a one-item list; its SDKs' ``auth_check()`` calls this route
and fails when the list is empty. otel-bridge has no organizations: each project is shown in one
organization named after the server (``ORGANIZATION``), and ``metadata`` is empty.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, json_response
from otel_bridge.api.params import Query
from otel_bridge.receivers import AppContext
from otel_bridge.store import Project

#: The one organization every project belongs to (Langfuse's ``Organization`` is required).
ORGANIZATION = {"id": "otel-bridge", "name": "otel-bridge"}


def serialize_project(project: Project) -> dict[str, Any]:
    """A Langfuse ``Project``."""
    return {"id": project.id, "name": project.name, "organization": dict(ORGANIZATION), "metadata": {}}


def routes(context: AppContext) -> list[BaseRoute]:
    """The projects route."""

    async def get_projects(request: Request, project: Project) -> Response:
        Query(request.query_params, ())  # none accepted: refuses any
        return json_response({"data": [serialize_project(project)]})

    return [Route("/api/public/projects", authenticated(context, get_projects), methods=["GET"])]


__all__ = ["ORGANIZATION", "routes", "serialize_project"]
