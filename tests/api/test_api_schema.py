"""Every API endpoint's real responses, validated against Langfuse's published OpenAPI spec
(``tests/contracts/langfuse-openapi.yml``) and, strictly (no undocumented field), against the
document otel-bridge serves at ``/openapi.json``.

The responses come from the server's app (``build_app``) over a real SQLite ``SqlStore``
holding translated OTLP spans (``conftest.py``).
"""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest

from tests.api.client import ApiClient, ServedApi
from tests.api.conftest import (
    ERROR_SPAN,
    GENERATION_1,
    OTHER_SESSION,
    OTHER_SPAN,
    OTHER_TRACE,
    SESSION,
    TRACE_1,
    TRACE_2,
)
from tests.api.openapi_schemas import langfuse_spec, response_validator
from tests.support.asgi import Response

#: (our route, the spec's path template, method, success status, query parameters)
READS: list[tuple[str, str, dict[str, Any]]] = [
    ("/api/public/sessions", "/api/public/sessions", {}),
    ("/api/public/sessions", "/api/public/sessions", {"page": 2, "limit": 1}),
    ("/api/public/sessions", "/api/public/sessions", {"environment": ["production"]}),
    (f"/api/public/sessions/{SESSION}", "/api/public/sessions/{sessionId}", {}),
    (f"/api/public/sessions/{SESSION}", "/api/public/sessions/{sessionId}", {"page": 1, "limit": 1}),
    ("/api/public/traces", "/api/public/traces", {}),
    ("/api/public/traces", "/api/public/traces", {"sessionId": SESSION, "orderBy": "timestamp.asc"}),
    ("/api/public/traces", "/api/public/traces", {"fields": "core"}),
    ("/api/public/traces", "/api/public/traces", {"tags": ["beta", "chat"], "userId": "u1"}),
    (
        "/api/public/traces",
        "/api/public/traces",
        {"filter": '[{"type": "string", "column": "sessionId", "operator": "=", "value": "chat-1"}]'},
    ),
    (f"/api/public/traces/{TRACE_1}", "/api/public/traces/{traceId}", {}),
    (f"/api/public/traces/{TRACE_1}", "/api/public/traces/{traceId}", {"fields": "core,io"}),
    ("/api/public/observations", "/api/public/observations", {}),
    ("/api/public/observations", "/api/public/observations", {"traceId": TRACE_1}),
    ("/api/public/observations", "/api/public/observations", {"type": "GENERATION", "limit": 100}),
    ("/api/public/observations", "/api/public/observations", {"version": "none", "level": "ERROR"}),
    (f"/api/public/observations/{GENERATION_1}", "/api/public/observations/{observationId}", {}),
    (f"/api/public/observations/{ERROR_SPAN}", "/api/public/observations/{observationId}", {}),
    ("/api/public/health", "/api/public/health", {}),
    ("/api/public/projects", "/api/public/projects", {}),
]


def ours() -> dict[str, Any]:
    """The document otel-bridge serves (read from the package, as the route does)."""
    from otel_bridge.api.openapi import load_document

    return load_document()


def assert_valid(response: Response, template: str, method: str, status: str) -> Any:
    """The response's JSON, after checking it against Langfuse's schema and strictly against ours."""
    assert response.status == int(status), response.body
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    response_validator(langfuse_spec(), template, method, status).validate(body)
    response_validator(ours(), template, method, status, strict=True).validate(body)
    return body


class TestReadResponses:
    @pytest.mark.parametrize(("route", "template", "params"), READS, ids=str)
    def test_matches_the_spec(self, seeded_api: ServedApi, route: str, template: str, params: Any) -> None:
        """Each read endpoint's response satisfies Langfuse's schema and, strictly, ours."""
        assert_valid(seeded_api.client.get(route, params), template, "get", "200")

    def test_responses_are_not_empty(self, seeded_api: ServedApi) -> None:
        """The validated listings hold items, so item schemas were exercised, not just empty arrays."""
        client = seeded_api.client
        for route in ("/api/public/sessions", "/api/public/traces", "/api/public/observations"):
            assert client.get(route).json()["data"], route
        detail = client.get(f"/api/public/traces/{TRACE_1}").json()
        assert len(detail["observations"]) == 3

    def test_session_detail_lists_traces_oldest_first(self, seeded_api: ServedApi) -> None:
        """A session's traces are in timestamp order and carry Langfuse's ``Trace`` fields."""
        body = seeded_api.client.get(f"/api/public/sessions/{SESSION}").json()
        assert [t["id"] for t in body["traces"]] == [TRACE_1, TRACE_2]
        assert body["traceCount"] == 2 and body["userIds"] == ["u1", "u2"]
        assert "meta" not in body

    def test_filters_apply(self, seeded_api: ServedApi) -> None:
        """Langfuse's query parameters select what they say (sessions by ``createdAt``)."""
        client = seeded_api.client
        later = client.get("/api/public/sessions", {"fromTimestamp": "2025-01-01T00:00:05Z"}).json()
        assert [s["id"] for s in later["data"]] == ["chat-2"]
        condition = '[{"type":"string","column":"sessionId","operator":"=","value":"chat-1"}]'
        traces = client.get("/api/public/traces", {"filter": condition, "orderBy": "timestamp.asc"}).json()
        assert [t["id"] for t in traces["data"]] == [TRACE_1, TRACE_2]
        assert traces["meta"] == {"page": 1, "limit": 50, "totalItems": 2, "totalPages": 1}
        errors = client.get("/api/public/observations", {"level": "ERROR"}).json()["data"]
        assert [o["id"] for o in errors] == [ERROR_SPAN]

    def test_resolved_payloads(self, seeded_api: ServedApi) -> None:
        """Inputs kept as JSON text are returned as their parsed value."""
        trace = seeded_api.client.get(f"/api/public/traces/{TRACE_1}").json()
        assert trace["input"] == {"question": "hello?"}
        assert trace["output"] == "hi"


class TestErrorResponses:
    @pytest.mark.parametrize(
        ("route", "template", "params", "status"),
        [
            ("/api/public/traces", "/api/public/traces", {"limit": 101}, "400"),
            ("/api/public/traces", "/api/public/traces", {"orderBy": "cost.desc"}, "400"),
            ("/api/public/observations", "/api/public/observations", {"fromStartTime": "yesterday"}, "400"),
            ("/api/public/sessions", "/api/public/sessions", {"page": 0}, "400"),
            ("/api/public/traces/nope", "/api/public/traces/{traceId}", {}, "404"),
            (f"/api/public/sessions/{OTHER_SESSION}", "/api/public/sessions/{sessionId}", {}, "404"),
        ],
    )
    def test_errors_match_our_document(
        self, seeded_api: ServedApi, route: str, template: str, params: Any, status: str
    ) -> None:
        """Errors are ``{"message"}`` bodies as ``/openapi.json`` documents them."""
        response = seeded_api.client.get(route, params)
        assert response.status == int(status)
        response_validator(ours(), template, "get", status, strict=True).validate(response.json())

    def test_unauthenticated_matches_our_document(self, seeded_api: ServedApi) -> None:
        """A request without credentials is a documented 401."""
        response = seeded_api.client.with_auth(None).get("/api/public/sessions")
        assert response.status == 401
        response_validator(ours(), "/api/public/sessions", "get", "401", strict=True).validate(
            response.json()
        )


class TestValidatorCatchesMistakes:
    """The validation above would fail a wrong response: it is not vacuous."""

    def _trace(self, client: ApiClient) -> dict[str, Any]:
        body: dict[str, Any] = client.get(f"/api/public/traces/{TRACE_1}").json()
        return body

    @pytest.mark.parametrize("field", ["id", "timestamp", "sessionId", "htmlPath", "observations", "scores"])
    def test_missing_required_trace_field(self, seeded_api: ServedApi, field: str) -> None:
        """A trace without a required field fails Langfuse's schema."""
        body = self._trace(seeded_api.client)
        del body[field]
        validator = response_validator(langfuse_spec(), "/api/public/traces/{traceId}", "get", "200")
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(body)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("tags", "beta"), ("public", "false"), ("latency", "3"), ("timestamp", "2025-01-01 00:00:00")],
    )
    def test_wrong_trace_type(self, seeded_api: ServedApi, field: str, value: Any) -> None:
        """A trace field of the wrong type (or a malformed date-time) fails Langfuse's schema."""
        body = self._trace(seeded_api.client)
        body[field] = value
        validator = response_validator(langfuse_spec(), "/api/public/traces/{traceId}", "get", "200")
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(body)

    @pytest.mark.parametrize("field", ["usage", "usageDetails", "endTime", "promptId", "latency"])
    def test_missing_required_observation_field(self, seeded_api: ServedApi, field: str) -> None:
        """An observation without a required (possibly nullable) field fails Langfuse's schema."""
        body = seeded_api.client.get(f"/api/public/observations/{GENERATION_1}").json()
        del body[field]
        template = "/api/public/observations/{observationId}"
        with pytest.raises(jsonschema.ValidationError):
            response_validator(langfuse_spec(), template, "get", "200").validate(body)

    def test_nullable_means_null_is_allowed(self, seeded_api: ServedApi) -> None:
        """Required nullable fields accept null, and a non-nullable one does not."""
        body = seeded_api.client.get(f"/api/public/observations/{GENERATION_1}").json()
        template = "/api/public/observations/{observationId}"
        validator = response_validator(langfuse_spec(), template, "get", "200")
        validator.validate({**body, "endTime": None, "model": None, "level": "ERROR"})
        for field, value in (
            ("startTime", None),
            ("level", None),
            ("level", "LOUD"),
            ("usageDetails", {"x": 1.5}),
        ):
            with pytest.raises(jsonschema.ValidationError):
                validator.validate({**body, field: value})

    def test_nested_item_is_checked(self, seeded_api: ServedApi) -> None:
        """A broken observation inside a trace fails too: item schemas are followed through ``$ref``s."""
        body = self._trace(seeded_api.client)
        broken = copy.deepcopy(body)
        del broken["observations"][0]["traceId"]
        validator = response_validator(langfuse_spec(), "/api/public/traces/{traceId}", "get", "200")
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)

    def test_strict_refuses_undocumented_fields(self, seeded_api: ServedApi) -> None:
        """Our document lists every field we send: an unlisted one fails strict validation."""
        body = seeded_api.client.get("/api/public/sessions").json()
        body["data"][0]["tracecount"] = 1
        with pytest.raises(jsonschema.ValidationError):
            response_validator(ours(), "/api/public/sessions", "get", "200", strict=True).validate(body)


class TestProjectIsolation:
    def test_other_projects_objects_are_not_found(self, seeded_api: ServedApi) -> None:
        """Direct access to another project's session, trace or observation is 404 "… not found
        within authorized project"."""
        client = seeded_api.client
        for route, noun in (
            (f"/api/public/sessions/{OTHER_SESSION}", "Session"),
            (f"/api/public/traces/{OTHER_TRACE}", "Trace"),
            (f"/api/public/observations/{OTHER_SPAN}", "Observation"),
        ):
            response = client.get(route)
            assert response.status == 404, route
            message = response.json()["message"]
            assert message.startswith(noun) and message.endswith("not found within authorized project")

    def test_listings_hold_only_the_callers_data(self, seeded_api: ServedApi) -> None:
        """Each project's keys list its own sessions, traces and observations only."""
        mine, theirs = seeded_api.client, seeded_api.as_other()
        assert OTHER_SESSION not in {s["id"] for s in mine.get("/api/public/sessions").json()["data"]}
        assert [s["id"] for s in theirs.get("/api/public/sessions").json()["data"]] == [OTHER_SESSION]
        assert OTHER_TRACE not in {t["id"] for t in mine.get("/api/public/traces").json()["data"]}
        assert [t["id"] for t in theirs.get("/api/public/traces").json()["data"]] == [OTHER_TRACE]
        assert [o["id"] for o in theirs.get("/api/public/observations").json()["data"]] == [OTHER_SPAN]
        assert theirs.get(f"/api/public/traces/{TRACE_1}").status == 404
