"""The metrics endpoints: ``GET /api/public/metrics/daily`` (validated strictly against
``/openapi.json``: Langfuse's current spec no longer lists it) and the query API,
``GET /api/public/v2/metrics`` and ``GET /api/public/metrics`` (validated against Langfuse's spec
and ours), over the seeded spans and scores. Expected figures are computed from the v1 read API, so
the aggregation is checked against the rows, not against numbers written here."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from otel_bridge.api import metrics_daily
from tests.api.client import ServedApi, served_api
from tests.api.conftest import SESSION, seed
from tests.api.openapi_schemas import langfuse_spec, response_validator
from tests.api.test_api_schema import assert_valid, ours
from tests.support.spans import record, translate

DAILY = "/api/public/metrics/daily"
V2 = "/api/public/v2/metrics"
V1 = "/api/public/metrics"
RANGE = {"fromTimestamp": "2024-12-31T00:00:00Z", "toTimestamp": "2025-01-10T00:00:00Z"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    """The seeded API, one more trace two days later, and scores."""
    with served_api(tmp_path_factory.mktemp("metrics")) as served:
        seed(served)
        later = 2 * 86400
        served.store.write_batch(
            served.project_id, translate(record(5, 8, name="later", start=later, end=later + 2))
        )
        scores = [
            {"name": "accuracy", "value": 0.2, "traceId": f"{1:032x}", "timestamp": "2025-01-01T00:00:00Z"},
            {"name": "accuracy", "value": 0.6, "traceId": f"{2:032x}", "timestamp": "2025-01-01T00:01:00Z"},
            {
                "name": "helpful",
                "value": True,
                "dataType": "BOOLEAN",
                "sessionId": SESSION,
                "timestamp": "2025-01-01T00:02:00Z",
            },
            {"name": "tone", "value": "warm", "sessionId": SESSION, "timestamp": "2025-01-01T00:02:00Z"},
        ]
        assert served.client.post("/api/public/scores", scores).status == 202
        yield served


def observations(api: ServedApi) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.client.get("/api/public/observations", {"limit": 100}).json()["data"]
    return items


def traces(api: ServedApi) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.client.get("/api/public/traces", {"limit": 100}).json()["data"]
    return items


def query(api: ServedApi, route: str, **document: Any) -> list[dict[str, Any]]:
    response = api.client.get(route, {"query": json.dumps({**RANGE, **document})})
    body = assert_valid(response, route, "get", "200")
    rows: list[dict[str, Any]] = body["data"]
    return rows


class TestDaily:
    def test_days_newest_first_with_usage_by_model(self, api: ServedApi) -> None:
        response = api.client.get(DAILY)
        assert response.status == 200
        body = response.json()
        response_validator(ours(), DAILY, "get", "200", strict=True).validate(body)
        assert [day["date"] for day in body["data"]] == ["2025-01-03", "2025-01-01"]
        first = body["data"][1]
        on_day = [t for t in traces(api) if t["timestamp"].startswith("2025-01-01")]
        assert first["countTraces"] == len(on_day) == 4
        assert first["totalCost"] == pytest.approx(sum(t["totalCost"] for t in on_day))
        generations = [o for o in observations(api) if o["model"] == "gpt-4o"]
        (usage,) = first["usage"]
        assert usage["model"] == "gpt-4o"
        assert usage["inputUsage"] == sum(o["usageDetails"]["input"] for o in generations)
        assert usage["outputUsage"] == sum(o["usageDetails"]["output"] for o in generations)
        assert (usage["countObservations"], usage["countTraces"]) == (len(generations), 2)
        assert body["meta"] == {"page": 1, "limit": 50, "totalItems": 2, "totalPages": 1}

    def test_one_scan_gives_what_per_trace_reads_give(
        self, api: ServedApi, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Beyond ``PER_TRACE_READS`` traces the observations come from one scan: the same days."""
        by_trace = api.client.get(DAILY, {"tags": ["beta"]}).json()
        everything = api.client.get(DAILY).json()
        monkeypatch.setattr(metrics_daily, "PER_TRACE_READS", 0)
        assert api.client.get(DAILY, {"tags": ["beta"]}).json() == by_trace
        assert api.client.get(DAILY).json() == everything
        assert everything["data"][1]["usage"], "the scan found the generations"

    def test_filters_and_pages(self, api: ServedApi) -> None:
        named = api.client.get(DAILY, {"traceName": "agent turn"}).json()["data"]
        assert [(d["date"], d["countTraces"]) for d in named] == [("2025-01-01", 1)]
        assert api.client.get(DAILY, {"userId": "u2"}).json()["data"][0]["countTraces"] == 1
        assert api.client.get(DAILY, {"tags": ["beta", "chat"]}).json()["data"][0]["countTraces"] == 1
        window = api.client.get(DAILY, {"fromTimestamp": "2025-01-02T00:00:00Z"}).json()["data"]
        assert [d["date"] for d in window] == ["2025-01-03"]
        page = api.client.get(DAILY, {"page": 2, "limit": 1}).json()
        assert [d["date"] for d in page["data"]] == ["2025-01-01"]


class TestQuery:
    def test_observations_by_type(self, api: ServedApi) -> None:
        rows = query(
            api,
            V2,
            view="observations",
            dimensions=[{"field": "type"}],
            metrics=[{"measure": "count", "aggregation": "count"}],
        )
        expected = Counter(o["type"] for o in observations(api))
        assert {r["type"]: r["count_count"] for r in rows} == dict(expected)

    def test_tokens_and_latency_by_model(self, api: ServedApi) -> None:
        rows = query(
            api,
            V2,
            view="observations",
            dimensions=[{"field": "providedModelName"}],
            metrics=[
                {"measure": "inputTokens", "aggregation": "sum"},
                {"measure": "latency", "aggregation": "max"},
                {"measure": "totalCost", "aggregation": "sum"},
            ],
            filters=[
                {"column": "type", "operator": "any of", "value": ["GENERATION"], "type": "stringOptions"}
            ],
        )
        generations = [o for o in observations(api) if o["type"] == "GENERATION"]
        (row,) = rows
        assert row["providedModelName"] == "gpt-4o"
        assert row["sum_inputTokens"] == sum(o["usageDetails"]["input"] for o in generations)
        assert row["max_latency"] == pytest.approx(max(o["latency"] for o in generations) * 1000)
        assert row["sum_totalCost"] == pytest.approx(sum(o["calculatedTotalCost"] for o in generations))

    def test_time_dimension_and_order(self, api: ServedApi) -> None:
        rows = query(
            api,
            V2,
            view="observations",
            metrics=[{"measure": "count", "aggregation": "count"}],
            timeDimension={"granularity": "day"},
            orderBy=[{"field": "time_dimension", "direction": "desc"}],
        )
        assert [r["time_dimension"] for r in rows] == [
            "2025-01-03T00:00:00.000000Z",
            "2025-01-01T00:00:00.000000Z",
        ]
        assert sum(r["count_count"] for r in rows) == len(observations(api))

    def test_scores(self, api: ServedApi) -> None:
        numeric = query(
            api,
            V2,
            view="scores-numeric",
            dimensions=[{"field": "name"}],
            metrics=[
                {"measure": "value", "aggregation": "avg"},
                {"measure": "count", "aggregation": "count"},
            ],
            orderBy=[{"field": "name"}],
        )
        assert [(r["name"], r["count_count"]) for r in numeric] == [("accuracy", 2), ("helpful", 1)]
        assert numeric[0]["avg_value"] == pytest.approx(0.4)
        categorical = query(
            api,
            V2,
            view="scores-categorical",
            dimensions=[{"field": "stringValue"}],
            metrics=[{"measure": "count", "aggregation": "count"}],
        )
        assert categorical == [{"stringValue": "warm", "count_count": 1}]
        boolean = query(api, V2, view="scores-boolean", metrics=[{"measure": "value", "aggregation": "sum"}])
        assert boolean == [{"sum_value": 1.0}]

    def test_v1_traces_view(self, api: ServedApi) -> None:
        rows = query(
            api,
            V1,
            view="traces",
            dimensions=[{"field": "sessionId"}],
            metrics=[
                {"measure": "count", "aggregation": "count"},
                {"measure": "totalTokens", "aggregation": "sum"},
            ],
        )
        by_session = {r["sessionId"]: r for r in rows}
        in_session = [t for t in traces(api) if t["sessionId"] == SESSION]
        assert by_session[SESSION]["count_count"] == len(in_session) == 2
        assert by_session[SESSION]["sum_totalTokens"] == 12 + 7 + 30 + 9

    def test_filters_on_high_cardinality_columns(self, api: ServedApi) -> None:
        rows = query(
            api,
            V2,
            view="observations",
            metrics=[{"measure": "count", "aggregation": "count"}],
            filters=[{"column": "sessionId", "operator": "=", "value": SESSION, "type": "string"}],
        )
        assert rows == [
            {"count_count": len([o for o in observations(api) if o["traceId"] in {f"{1:032x}", f"{2:032x}"}])}
        ]

    @pytest.mark.parametrize(
        ("document", "named"),
        [
            ({"view": "traces", "metrics": [{"measure": "count", "aggregation": "count"}]}, "query.view"),
            ({"view": "observations", "metrics": []}, "at least one"),
            (
                {"view": "observations", "metrics": [{"measure": "joy", "aggregation": "sum"}]},
                "measure 'joy'",
            ),
            (
                {"view": "observations", "metrics": [{"measure": "count", "aggregation": "histogram"}]},
                "aggregation",
            ),
            (
                {
                    "view": "observations",
                    "dimensions": [{"field": "traceId"}],
                    "metrics": [{"measure": "count", "aggregation": "count"}],
                },
                "filter by it",
            ),
            (
                {
                    "view": "observations",
                    "metrics": [{"measure": "count", "aggregation": "count"}],
                    "filters": [{"column": "name", "operator": "~", "value": "x", "type": "string"}],
                },
                "query.filters[0]",
            ),
            (
                {
                    "view": "observations",
                    "metrics": [{"measure": "count", "aggregation": "count"}],
                    "config": {"row_limit": 5000},
                },
                "row_limit",
            ),
            (
                {
                    "view": "observations",
                    "metrics": [{"measure": "count", "aggregation": "count"}],
                    "toTimestamp": "2020-01-01T00:00:00Z",
                },
                "after",
            ),
        ],
    )
    def test_bad_queries_are_400(self, api: ServedApi, document: dict[str, Any], named: str) -> None:
        response = api.client.get(V2, {"query": json.dumps({**RANGE, **document})})
        assert response.status == 400
        assert named in response.json()["message"]

    def test_missing_query_is_400(self, api: ServedApi) -> None:
        response = api.client.get(V2)
        assert response.status == 400
        assert "query is required" in response.json()["message"]
        response_validator(langfuse_spec(), V2, "get", "200")  # the route is the spec's
