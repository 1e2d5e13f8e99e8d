"""Abuse limits through the server's own app: truncated values, too many spans, long ids, per-project
rate limits (429 + ``Retry-After``), each counted in ``/metrics``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from otel_bridge.ingest.limits import TRUNCATION_MARKER, IngestLimits
from otel_bridge.receivers.ratelimit import RateLimits
from otel_bridge.testing import build_export_request, make_span, request_to_json
from tests.api.client import ServedApi, served_api
from tests.support.spans import T0

LIMITS = IngestLimits(
    max_attribute_value_length=64, max_attributes_per_span=8, max_spans_per_request=5, max_id_length=32
)


def otlp(api: ServedApi, *spans: Any, authorization: str | None = None) -> Any:
    """POST the spans as OTLP/JSON; the response."""
    body = json.dumps(request_to_json(build_export_request(list(spans)))).encode()
    client = api.client if authorization is None else api.client.with_auth(authorization)
    return client.request("POST", "/v1/traces", body=body, content_type="application/json")


def span(n: int, **attributes: Any) -> Any:
    return make_span(
        f"span-{n}",
        trace_id=f"{n:032x}",
        span_id=f"{n:016x}",
        start_time_unix_nano=T0,
        end_time_unix_nano=T0 + 1_000_000,
        attributes=attributes,
    )


def limit_hits(api: ServedApi) -> dict[str, int]:
    """``otel_bridge_limit_hits_total`` by limit, from ``/metrics``."""
    text = api.client.with_auth(None).get("/metrics").body.decode()
    hits: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("otel_bridge_limit_hits_total{"):
            label, value = line.split("} ")
            hits[label.split('"')[1]] = int(value)
    return hits


def test_long_attribute_is_stored_truncated_with_a_marker(tmp_path: Path) -> None:
    """A 10,000-character value is stored as its first 64 characters and a marker."""
    with served_api(tmp_path, limits=LIMITS) as api:
        response = otlp(api, span(1, prompt="p" * 10_000))
        assert response.status == 200, response.body
        assert "partialSuccess" not in response.json()
        stored = api.client.get(f"/api/public/observations/{1:016x}")
        text = json.dumps(stored.json(), ensure_ascii=False)
        assert "p" * 64 + TRUNCATION_MARKER + "9936 characters]" in text
        assert "p" * 65 not in text
        assert limit_hits(api)["attribute_value_truncated"] == 1


def test_too_many_spans_is_413_and_nothing_stored(tmp_path: Path) -> None:
    """Six spans where five are allowed: 413 naming the limit, no trace stored."""
    with served_api(tmp_path, limits=LIMITS) as api:
        response = otlp(api, *(span(n) for n in range(1, 7)))
        assert response.status == 413
        assert "max_spans_per_request" in response.json()["message"]
        assert api.client.get("/api/public/traces").json()["data"] == []
        assert limit_hits(api)["spans_per_request"] == 1


def test_too_many_attributes_and_long_ids_reject_only_their_spans(tmp_path: Path) -> None:
    """Partial success naming each rule; the span within the limits is stored."""
    with served_api(tmp_path, limits=LIMITS) as api:
        crowded = span(1, **{f"k{i}": i for i in range(9)})
        long_session = span(2, **{"session.id": "s" * 33})
        fine = span(3, **{"session.id": "s" * 32})
        response = otlp(api, crowded, long_session, fine)
        assert response.status == 200
        partial = response.json()["partialSuccess"]
        assert partial["rejectedSpans"] == "2"
        assert "attributes: the span has 9 attributes, the limit is 8" in partial["errorMessage"]
        assert "session_id: 33 characters, the limit is 32" in partial["errorMessage"]
        traces = api.client.get("/api/public/traces").json()["data"]
        assert [t["id"] for t in traces] == [f"{3:032x}"]
        hits = limit_hits(api)
        assert hits["attributes_per_span"] == 1
        assert hits["id_length"] == 1


def test_langfuse_batch_limits(tmp_path: Path) -> None:
    """Batch ingestion: too many events is 413; a trace with a long user id fails its events only."""
    with served_api(tmp_path, limits=LIMITS) as api:

        def trace_create(n: int, user: str) -> dict[str, Any]:
            return {
                "id": f"e{n}",
                "type": "trace-create",
                "timestamp": "2025-01-01T00:00:00Z",
                "body": {"id": f"t{n}", "name": "turn", "userId": user},
            }

        too_many = api.client.post(
            "/api/public/ingestion", {"batch": [trace_create(n, "u") for n in range(6)]}
        )
        assert too_many.status == 413
        assert "max_spans_per_request" in too_many.json()["message"]
        response = api.client.post(
            "/api/public/ingestion", {"batch": [trace_create(1, "u" * 33), trace_create(2, "u")]}
        )
        assert response.status == 207
        body = response.json()
        assert [s["id"] for s in body["successes"]] == ["e2"]
        assert body["errors"][0]["id"] == "e1"
        assert "user_id: 33 characters, the limit is 32" in body["errors"][0]["message"]
        assert [t["id"] for t in api.client.get("/api/public/traces").json()["data"]] == ["t2"]


def test_rate_limits_answer_429_with_retry_after_per_project(tmp_path: Path) -> None:
    """Over its ingest or read rate a project gets 429 + Retry-After; another project is unaffected."""
    rates = RateLimits(ingest_per_second=0.5, read_per_second=0.5, burst_seconds=2)
    with served_api(tmp_path, rate_limits=rates) as api:
        assert otlp(api, span(1)).status == 200
        refused = otlp(api, span(2))
        assert refused.status == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "rate limit" in refused.json()["message"]
        assert "OTEL_BRIDGE_INGEST_RATE_LIMIT" in refused.json()["message"]
        batch = api.client.post("/api/public/ingestion", {"batch": []})
        assert batch.status == 429
        assert "retry-after" in batch.headers
        # The other project has its own buckets.
        assert otlp(api, span(3), authorization=api.other_authorization).status == 200

        assert api.client.get("/api/public/traces").status == 200
        read = api.client.get("/api/public/sessions")
        assert read.status == 429
        assert "OTEL_BRIDGE_READ_RATE_LIMIT" in read.json()["message"]
        assert int(read.headers["retry-after"]) >= 1
        page = api.client.get("/sessions")  # the UI is a read too
        assert page.status == 429
        hits = limit_hits(api)
        assert hits["rate_ingest"] == 2
        assert hits["rate_read"] == 2
