"""Inputs that once made the API fail, kept as regression cases (docs/reliability.md): each was found
by schemathesis or the hypothesis fuzzers, and each is answered as the rule says, never with a 500."""

from __future__ import annotations

import pytest

from otel_bridge.model.langfuse_wire import parse_timestamp
from tests.api.client import ServedApi


@pytest.mark.parametrize(
    ("path", "query", "status", "rule"),
    [
        # schemathesis: year 70 is below what 64-bit nanoseconds since 1970 reach (OverflowError in SQLite).
        (
            "/api/public/sessions",
            {"toTimestamp": "0070-01-25T18:34:39-08:47"},
            400,
            "toTimestamp must be between",
        ),
        ("/api/public/traces", {"fromTimestamp": "9999-12-31T23:59:59-01:00"}, 400, "must be between"),
        ("/api/public/observations", {"fromStartTime": "0001-01-01T00:00:00+05:00"}, 400, "must be between"),
        # schemathesis: a newline in a path id matched no route, and the 404 was text/plain.
        ("/api/public/sessions/a\nb", {}, 404, "no such route or id"),
        ("/api/public/traces/x\ny", {}, 404, "no such route or id"),
    ],
)
def test_found_inputs(fresh_api: ServedApi, path: str, query: dict[str, str], status: int, rule: str) -> None:
    response = fresh_api.client.get(path, query)
    assert response.status == status, response.body
    assert response.headers["content-type"].startswith("application/json")
    assert rule in response.json()["message"]


@pytest.mark.parametrize(
    "text", ["0070-01-25T18:34:39-08:47", "1677-09-21T00:00:00Z", "2262-04-12T00:00:00Z"]
)
def test_timestamps_beyond_the_store_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be between 1677-09-22 and 2262-04-10"):
        parse_timestamp("t", text)


def test_timestamps_inside_the_range_parse() -> None:
    assert parse_timestamp("t", "1677-09-22T00:00:00Z").year == 1677
    assert parse_timestamp("t", "2262-04-10T00:00:00Z").year == 2262
