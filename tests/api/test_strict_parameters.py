"""Strict query parameters, checked against ``/openapi.json``: every authenticated read route (the API's
and the UI's pages) refuses a parameter it does not document with a 400 that names it and lists exactly
the documented ones, and accepts each documented (Langfuse) name with a valid value."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from otel_bridge.api.openapi import load_document
from tests.api.client import ServedApi
from tests.api.conftest import GENERATION_1, SESSION, TRACE_1

#: Path parameters of the documented templates → a seeded object.
PATH_VALUES = {"sessionId": SESSION, "traceId": TRACE_1, "observationId": GENERATION_1}

#: A valid value for each documented query parameter; a new documented one must be added here.
VALID_VALUES = {
    "page": "1",
    "limit": "10",
    "fromTimestamp": "2020-01-01T00:00:00Z",
    "toTimestamp": "2100-01-01T00:00:00Z",
    "fromStartTime": "2020-01-01T00:00:00Z",
    "toStartTime": "2100-01-01T00:00:00Z",
    "environment": "default",
    "userId": "u1",
    "name": "agent turn",
    "sessionId": SESSION,
    "orderBy": "timestamp.asc",
    "tags": "beta",
    "version": "v1",
    "release": "r1",
    "fields": "core",
    "filter": "[]",
    "type": "GENERATION",
    "traceId": TRACE_1,
    "level": "DEFAULT",
    "parentObservationId": "0000000000000001",
    "user": "u1",
    "prefix": "chat",
    "sort": "last_activity",
    "order": "asc",
}

ACCEPTS = re.compile(r"unknown query parameter '([^']+)'; this route accepts: ([^<\"]*)")


def read_operations() -> Iterator[tuple[str, list[str]]]:
    """(a concrete path, its documented query parameters) of every authenticated GET operation."""
    for template, methods in load_document()["paths"].items():
        operation: dict[str, Any] | None = methods.get("get")
        if operation is None or operation.get("security") == []:
            continue
        path = re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES[match.group(1)], template)
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        yield path, names


OPERATIONS = sorted(read_operations())


def test_every_read_route_of_the_api_is_checked() -> None:
    """Every ``/api/public`` read but the unauthenticated health check, and the UI's pages."""
    paths = {path for path, _ in OPERATIONS}
    assert {
        "/api/public/sessions",
        f"/api/public/sessions/{SESSION}",
        "/api/public/traces",
        f"/api/public/traces/{TRACE_1}",
        "/api/public/observations",
        f"/api/public/observations/{GENERATION_1}",
        "/sessions",
        f"/sessions/{SESSION}",
        f"/traces/{TRACE_1}",
    } <= paths


@pytest.mark.parametrize(("path", "documented"), OPERATIONS, ids=[path for path, _ in OPERATIONS])
def test_an_unknown_parameter_is_a_400_listing_the_documented_ones(
    seeded_api: ServedApi, path: str, documented: list[str]
) -> None:
    response = seeded_api.client.get(path, {"notAParameter": "1"})
    assert response.status == 400
    match = ACCEPTS.search(html.unescape(response.body.decode()))
    assert match is not None, response.body[:300]
    assert match.group(1) == "notAParameter"
    listed = match.group(2).strip()
    assert (listed.split(", ") if listed != "none" else []) == documented


@pytest.mark.parametrize(("path", "documented"), OPERATIONS, ids=[path for path, _ in OPERATIONS])
def test_each_documented_parameter_is_accepted(
    seeded_api: ServedApi, path: str, documented: list[str]
) -> None:
    for name in documented:
        response = seeded_api.client.get(path, {name: VALID_VALUES[name]})
        assert response.status == 200, (name, response.body[:300])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/public/observations", {"sessionId": SESSION}),
        ("/api/public/observations", {"fromTimestamp": "2020-01-01T00:00:00Z"}),
        ("/api/public/sessions", {"userId": "u1"}),
    ],
)
def test_the_cases_of_the_issue(seeded_api: ServedApi, path: str, params: dict[str, str]) -> None:
    """The parameters a user tried that used to return everything (issue 15)."""
    response = seeded_api.client.get(path, params)
    assert response.status == 400
    (name,) = params
    assert response.json()["message"].startswith(f"unknown query parameter '{name}'; this route accepts: ")
