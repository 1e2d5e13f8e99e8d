"""``GET /api/public/v2/observations``: field groups, cursor pagination and filters, each response
validated against Langfuse's spec and, strictly, against ``/openapi.json``."""

from __future__ import annotations

from typing import Any

import pytest

from otel_bridge.api.observations_v2 import GROUPS
from tests.api.client import ServedApi
from tests.api.conftest import GENERATION_1, SESSION, TRACE_1, TRACE_2, TRACE_3
from tests.api.test_api_schema import assert_valid
from tests.support.spans import record, translate

V2 = "/api/public/v2/observations"


def get_v2(api: ServedApi, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = assert_valid(api.client.get(V2, params), V2, "get", "200")
    return body


def walk(api: ServedApi, **params: Any) -> list[str]:
    """Every observation id, page by page through ``meta.cursor``."""
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        body = get_v2(api, **params, **({"cursor": cursor} if cursor else {}))
        seen += [item["id"] for item in body["data"]]
        cursor = body["meta"].get("cursor")
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ended")


class TestFieldGroups:
    def test_default_is_core_and_basic(self, seeded_api: ServedApi) -> None:
        body = get_v2(seeded_api, traceId=TRACE_1)
        first = body["data"][0]
        assert first["projectId"] == seeded_api.project_id
        assert (first["sessionId"], first["userId"], first["isRootObservation"]) == (SESSION, "u1", True)
        assert "input" not in first and "usageDetails" not in first and "latency" not in first

    def test_every_group(self, seeded_api: ServedApi) -> None:
        body = get_v2(seeded_api, traceId=TRACE_1, fields=",".join(GROUPS))
        generation = next(item for item in body["data"] if item["id"] == GENERATION_1)
        assert generation["type"] == "GENERATION"
        assert generation["usageDetails"] == {"input": 12, "output": 7, "total": 19}
        assert generation["totalCost"] == pytest.approx(0.002)
        assert generation["latency"] == pytest.approx(1.5)
        assert generation["tags"] == ["beta", "chat"]
        assert generation["traceName"] == "agent turn"

    def test_io_is_text(self, fresh_api: ServedApi) -> None:
        """Inputs and outputs come back as text, structured ones as their JSON (Langfuse v4)."""
        attrs = {
            "input.value": '{"question": "hello?"}',
            "input.mime_type": "application/json",
            "output.value": "hi",
        }
        fresh_api.store.write_batch(fresh_api.project_id, translate(record(1, 1, name="io", attrs=attrs)))
        v1 = fresh_api.client.get("/api/public/observations").json()["data"][0]
        assert v1["input"] == {"question": "hello?"}
        item = get_v2(fresh_api, fields="io")["data"][0]
        assert (item["input"], item["output"]) == ('{"question":"hello?"}', "hi")

    def test_core_only(self, seeded_api: ServedApi) -> None:
        body = get_v2(seeded_api, fields="core")
        assert set(body["data"][0]) == {
            "id",
            "traceId",
            "startTime",
            "endTime",
            "projectId",
            "parentObservationId",
            "type",
            "modelId",
            "inputPrice",
            "outputPrice",
            "totalPrice",
        }

    def test_long_metadata_is_cut_unless_expanded(self, fresh_api: ServedApi) -> None:
        long = "x" * 300
        fresh_api.store.write_batch(
            fresh_api.project_id, translate(record(1, 1, name="long", attrs={"app.note": long}))
        )
        metadata = fresh_api.client.get("/api/public/observations").json()["data"][0]["metadata"]
        assert metadata["attributes"]["app.note"] == long
        cut = get_v2(fresh_api, fields="metadata")["data"][0]["metadata"]
        assert cut["attributes"]["app.note"] == long[:200]
        full = get_v2(fresh_api, fields="metadata", expandMetadata="other,attributes")["data"][0]["metadata"]
        assert full["attributes"]["app.note"] == long


class TestCursor:
    def test_pages_cover_the_listing_once(self, seeded_api: ServedApi) -> None:
        everything = [
            o["id"] for o in seeded_api.client.get("/api/public/observations", {"limit": 100}).json()["data"]
        ]
        assert len(everything) > 3
        assert walk(seeded_api, limit=2) == everything
        assert walk(seeded_api, limit=1000) == everything

    def test_last_page_has_no_cursor(self, seeded_api: ServedApi) -> None:
        assert get_v2(seeded_api, limit=1000)["meta"] == {}
        assert "cursor" in get_v2(seeded_api, limit=1)["meta"]

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"cursor": "not-a-cursor"}, "cursor"),
            ({"limit": "1001"}, "limit"),
            ({"fields": "core,everything"}, "fields"),
            ({"parseIoAsJson": "true"}, "parseIoAsJson"),
            ({"isRootObservation": "maybe"}, "isRootObservation"),
        ],
    )
    def test_bad_parameters_are_400(self, seeded_api: ServedApi, params: dict[str, str], named: str) -> None:
        response = seeded_api.client.get(V2, params)
        assert response.status == 400
        assert named in response.json()["message"]


class TestFilters:
    def test_session_and_roots(self, seeded_api: ServedApi) -> None:
        in_session = get_v2(seeded_api, sessionId=SESSION, limit=100)["data"]
        assert {o["traceId"] for o in in_session} == {TRACE_1, TRACE_2}
        roots = get_v2(seeded_api, isRootObservation="true", limit=100)["data"]
        assert all(o["parentObservationId"] is None for o in roots)
        assert {TRACE_1, TRACE_2, TRACE_3} <= {o["traceId"] for o in roots}
        assert get_v2(seeded_api, parentObservationId="", limit=100)["data"] == roots
        children = get_v2(seeded_api, isRootObservation="false", limit=100)["data"]
        assert children and all(o["parentObservationId"] is not None for o in children)

    def test_filter_parameter_takes_precedence(self, seeded_api: ServedApi) -> None:
        condition = '[{"type": "string", "column": "sessionId", "operator": "=", "value": "chat-1"}]'
        body = get_v2(seeded_api, filter=condition, traceId="nothing", limit=100)
        assert {o["traceId"] for o in body["data"]} == {TRACE_1, TRACE_2}
