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
PATH_VALUES = {
    "sessionId": SESSION,
    "traceId": TRACE_1,
    "observationId": GENERATION_1,
    "scoreId": "score-that-is-not-there",
}

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
    "traceName": "agent turn",
    "source": "API",
    "scoreIds": "score-1",
    "configId": "config-1",
    "datasetRunId": "run-1",
    "queueId": "queue-1",
    "dataType": "NUMERIC",
    "id": "score-1",
    "authorUserId": "author-1",
    "experimentId": "experiment-1",
    "expandMetadata": "key",
    "isRootObservation": "true",
    "cursor": "eyJvZmZzZXQiOiAwfQ",  # {"offset": 0}, the first page's cursor
    "observationId": GENERATION_1,
    "parseIoAsJson": "true",
    "range": "day",
    "tag": "beta",
    "env": "default",
    "q": "chat",
    "min": "1",
    "errors": "no",
    "bookmarked": "yes",
    "refresh": "30",
    "idle": "10",
    "session": SESSION,
    "observation": GENERATION_1,
}

METRICS_QUERY = (
    '{"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}], '
    '"fromTimestamp": "2020-01-01T00:00:00Z", "toTimestamp": "2100-01-01T00:00:00Z"}'
)
#: Where a parameter needs a route-specific value or its companions: (path, name) → the query sent.
ROUTE_VALUES: dict[tuple[str, str], dict[str, str]] = {
    ("/api/public/metrics", "query"): {"query": METRICS_QUERY},
    ("/api/public/v2/metrics", "query"): {"query": METRICS_QUERY.replace('"traces"', '"observations"')},
    ("/api/public/v2/observations", "fields"): {"fields": "core,basic"},
    **{
        (scores, name): params
        for scores in ("/api/public/v2/scores", "/api/public/scores")  # the v1 path is an alias
        for name, params in (
            ("fields", {"fields": "score"}),
            ("operator", {"operator": ">=", "value": "0"}),
            ("value", {"operator": ">=", "value": "0"}),
            ("userId", {"userId": "u1", "fields": "score,trace"}),
            ("traceTags", {"traceTags": "beta", "fields": "score,trace"}),
        )
    },
    ("/api/public/v3/scores", "fields"): {"fields": "details"},
    ("/api/public/v3/scores", "observationId"): {"observationId": GENERATION_1, "traceId": TRACE_1},
    ("/api/public/v3/scores", "valueMin"): {"valueMin": "0", "dataType": "NUMERIC"},
    ("/api/public/v3/scores", "valueMax"): {"valueMax": "1", "dataType": "NUMERIC"},
    ("/api/public/v3/scores", "value"): {"value": "1", "dataType": "NUMERIC"},
}
for view in ("/sessions", "/traces"):  # the UI's views: from/to go with range=custom
    for name in ("from", "to"):
        ROUTE_VALUES[(view, name)] = {
            "range": "custom",
            "from": "2020-01-01T00:00:00Z",
            "to": "2100-01-01T00:00:00Z",
        }
ROUTE_VALUES[("/traces", "sort")] = {"sort": "timestamp"}
ROUTE_VALUES[("/traces", "level")] = {"level": "ok"}

#: Documented by Langfuse, refused here with a 400 that names the parameter and says why.
REFUSED = {
    ("/api/public/v2/scores", "filter"),  # scores filter by their own parameters
    ("/api/public/scores", "filter"),
    ("/api/public/v2/observations", "parseIoAsJson"),  # deprecated by Langfuse: input/output are text
}

ACCEPTS = re.compile(r"unknown query parameter '([^']+)'; this route accepts: ([^<\"]*)")


def _concrete(template: str) -> str:
    """A documented path with its parameters filled in from ``PATH_VALUES``."""
    return re.sub(r"\{(\w+)\}", lambda match: PATH_VALUES[match.group(1)], template)


def read_operations() -> Iterator[tuple[str, list[str]]]:
    """(a concrete path, its documented query parameters) of every authenticated GET operation."""
    for template, methods in load_document()["paths"].items():
        operation: dict[str, Any] | None = methods.get("get")
        if operation is None or operation.get("security") == []:
            continue
        path = _concrete(template)
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
    template = next(t for t in load_document()["paths"] if _concrete(t) == path)
    for name in documented:
        params = ROUTE_VALUES.get((template, name)) or {name: VALID_VALUES[name]}
        response = seeded_api.client.get(path, params)
        if (template, name) in REFUSED:
            assert response.status == 400 and name in response.json()["message"], (name, response.body[:300])
        else:
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
