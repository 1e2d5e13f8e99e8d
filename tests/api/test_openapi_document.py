"""``/openapi.json``: the shipped document is what ``build_document`` makes of Langfuse's spec, it is
served as is, it describes exactly the API's routes, and every schema in it is a valid JSON Schema
once converted."""

from __future__ import annotations

from starlette.routing import Mount

from otel_bridge.api import openapi
from otel_bridge.api.openapi import OPERATIONS, load_document
from tests.api.client import ServedApi
from tests.api.generate_openapi import SHIPPED, expected_text
from tests.api.openapi_schemas import component_validator


class TestShippedDocument:
    def test_in_sync_with_the_spec(self) -> None:
        """The packaged openapi.json equals a fresh build (python -m tests.api.generate_openapi)."""
        assert SHIPPED.read_text("utf-8") == expected_text()

    def test_small(self) -> None:
        """Only the referenced schemas ship, not Langfuse's whole 500 KB spec."""
        assert len(SHIPPED.read_bytes()) < 250_000

    def test_every_schema_compiles(self) -> None:
        """Every component converts to a valid Draft 2020-12 schema, strict or not."""
        document = load_document()
        for name in document["components"]["schemas"]:
            component_validator(document, name)
            component_validator(document, name, strict=True)

    def test_sessions_carry_the_aggregates(self) -> None:
        """Session items are documented with otel-bridge's aggregate fields."""
        schemas = load_document()["components"]["schemas"]
        assert set(schemas["SessionAggregates"]["required"]) == set(openapi.SESSION_AGGREGATES)
        items = schemas["PaginatedSessions"]["properties"]["data"]["items"]
        assert items == {"$ref": "#/components/schemas/SessionWithAggregates"}


class TestServedDocument:
    def test_served_with_our_version(self, seeded_api: ServedApi) -> None:
        """``GET /openapi.json`` needs no credentials and names this version of otel-bridge."""
        response = seeded_api.client.with_auth(None).get("/openapi.json")
        assert response.status == 200
        body = response.json()
        from otel_bridge import __version__

        assert body["info"]["version"] == __version__
        assert body == load_document()

    def test_documents_every_route_the_server_answers(self, seeded_api: ServedApi) -> None:
        """The document's operations are the server app's routes, no more and no fewer: the
        Langfuse API, the OTLP/HTTP receivers, ``/healthz``, ``/metrics`` and the UI."""
        served = set()
        for route in seeded_api.client.app.routes:
            path = getattr(route, "path", "")
            if isinstance(route, Mount):
                served.add((_template(path) + "/{path}", "get"))
                continue
            for method in getattr(route, "methods", ()) or ():
                if method != "HEAD":
                    served.add((_template(path), method.lower()))
        documented = {
            (path, method) for path, methods in load_document()["paths"].items() for method in methods
        }
        assert served == documented
        assert set(OPERATIONS) < documented
        assert {("/v1/traces", "post"), ("/api/public/otel/v1/traces", "post")} < documented
        assert {("/metrics", "get"), ("/healthz", "get")} < documented


def _template(path: str) -> str:
    """A Starlette route path in the spec's spelling (``{trace_id:path}`` → ``{traceId}``)."""
    names = {
        "session_id": "sessionId",
        "trace_id": "traceId",
        "observation_id": "observationId",
        "score_id": "scoreId",
    }
    for ours, theirs in names.items():
        path = path.replace("{" + ours + ":path}", "{" + theirs + "}")
    return path
