"""Scores through the API: ``POST /api/public/scores`` (one score, or the array the Langfuse SDK 5.x
sends), ``GET /api/public/v2/scores`` (and its v1 path), ``GET``/``DELETE /api/public/scores/{id}``,
scores in trace responses and ``score-create`` ingestion events; every response validated against
Langfuse's spec and, strictly, against ``/openapi.json``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.client import ServedApi, served_api
from tests.api.conftest import GENERATION_1, SESSION, TRACE_1, TRACE_2, seed
from tests.api.openapi_schemas import langfuse_spec, response_validator
from tests.api.test_api_schema import assert_valid, ours

SCORES = "/api/public/scores"
LIST = "/api/public/v2/scores"
BY_ID = "/api/public/v2/scores/{scoreId}"

#: One score of each data type on each kind of target.
WRITTEN: list[dict[str, Any]] = [
    {
        "id": "s-num",
        "name": "accuracy",
        "value": 0.9,
        "traceId": TRACE_1,
        "comment": "close",
        "metadata": {"by": "judge"},
    },
    {"id": "s-cat", "name": "tone", "value": "friendly", "traceId": TRACE_1, "observationId": GENERATION_1},
    {"id": "s-bool", "name": "thumbs", "value": 1, "dataType": "BOOLEAN", "sessionId": SESSION},
    {"id": "s-run", "name": "accuracy", "value": 0.2, "traceId": TRACE_2, "environment": "Production"},
]


@pytest.fixture
def scored(tmp_path: Path) -> Iterator[ServedApi]:
    """The seeded API with ``WRITTEN`` posted one by one."""
    with served_api(tmp_path) as api:
        seed(api)
        for body in WRITTEN:
            response = api.client.post(SCORES, body)
            assert response.status == 200, response.body
            response_validator(langfuse_spec(), SCORES, "post", "200").validate(response.json())
            assert response.json() == {"id": body["id"]}
        yield api


def listed(api: ServedApi, **params: Any) -> list[str]:
    body = assert_valid(api.client.get(LIST, params), LIST, "get", "200")
    return [item["id"] for item in body["data"]]


class TestCreateAndRead:
    def test_every_type_reads_back(self, scored: ServedApi) -> None:
        body = assert_valid(scored.client.get(LIST), LIST, "get", "200")
        items = {item["id"]: item for item in body["data"]}
        assert body["meta"] == {"page": 1, "limit": 50, "totalItems": 4, "totalPages": 1}
        num, cat, boolean = items["s-num"], items["s-cat"], items["s-bool"]
        assert (num["dataType"], num["value"], num["comment"], num["metadata"]) == (
            "NUMERIC",
            0.9,
            "close",
            {"by": "judge"},
        )
        assert "stringValue" not in num
        assert (cat["dataType"], cat["value"], cat["stringValue"], cat["observationId"]) == (
            "CATEGORICAL",
            0.0,
            "friendly",
            GENERATION_1,
        )
        assert (boolean["dataType"], boolean["value"], boolean["stringValue"]) == ("BOOLEAN", 1.0, "True")
        assert (boolean["sessionId"], boolean["traceId"], boolean["trace"]) == (SESSION, None, None)
        assert num["trace"] == {
            "userId": "u1",
            "tags": ["beta", "chat"],
            "environment": "production",
            "sessionId": SESSION,
        }
        assert items["s-run"]["environment"] == "production"
        assert {item["source"] for item in items.values()} == {"API"}

    def test_get_by_id_on_both_paths(self, scored: ServedApi) -> None:
        body = assert_valid(scored.client.get("/api/public/v2/scores/s-bool"), BY_ID, "get", "200")
        assert body["sessionId"] == SESSION
        assert scored.client.get("/api/public/scores/s-bool").json() == body
        assert scored.client.get(SCORES).json() == scored.client.get(LIST).json()

    def test_filters(self, scored: ServedApi) -> None:
        assert listed(scored, sessionId=SESSION) == ["s-bool"]
        assert set(listed(scored, traceId=TRACE_1)) == {"s-num", "s-cat"}
        assert listed(scored, observationId=f"{GENERATION_1},other") == ["s-cat"]
        assert set(listed(scored, name="accuracy")) == {"s-num", "s-run"}
        assert listed(scored, dataType="CATEGORICAL") == ["s-cat"]
        assert listed(scored, operator=">", value="0.5", name="accuracy") == ["s-num"]
        assert set(listed(scored, scoreIds="s-num,s-bool")) == {"s-num", "s-bool"}
        assert listed(scored, environment=["production"]) == ["s-run"]
        assert set(listed(scored, userId="u1", traceTags=["beta"])) == {"s-num", "s-cat"}
        assert listed(scored, userId="nobody") == []
        body = assert_valid(scored.client.get(LIST, {"fields": "score"}), LIST, "get", "200")
        assert all("trace" not in item for item in body["data"])
        page = scored.client.get(LIST, {"page": 2, "limit": 3}).json()
        assert (len(page["data"]), page["meta"]["totalPages"]) == (1, 2)

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"fields": "score", "userId": "u1"}, "trace"),
            ({"operator": ">"}, "operator and value"),
            ({"operator": "~", "value": "1"}, "operator must be one of"),
            ({"value": "high", "operator": ">"}, "value must be a number"),
            ({"fields": "score,everything"}, "fields"),
            ({"dataType": "TEXTUAL"}, "dataType"),
            ({"filter": "[]"}, "filter"),
        ],
    )
    def test_bad_queries_are_400_naming_the_rule(
        self, scored: ServedApi, params: dict[str, str], named: str
    ) -> None:
        response = scored.client.get(LIST, params)
        assert response.status == 400
        assert named in response.json()["message"]

    def test_trace_responses_carry_their_scores(self, scored: ServedApi) -> None:
        detail = assert_valid(
            scored.client.get(f"/api/public/traces/{TRACE_1}"), "/api/public/traces/{traceId}", "get", "200"
        )
        assert {s["id"] for s in detail["scores"]} == {"s-num", "s-cat"}
        assert all(s["traceId"] == TRACE_1 for s in detail["scores"])
        listing = assert_valid(scored.client.get("/api/public/traces"), "/api/public/traces", "get", "200")
        by_trace = {t["id"]: set(t["scores"]) for t in listing["data"]}
        assert by_trace[TRACE_1] == {"s-num", "s-cat"}
        assert by_trace[TRACE_2] == {"s-run"}
        without = scored.client.get(f"/api/public/traces/{TRACE_1}", {"fields": "core"}).json()
        assert without["scores"] == []

    def test_rewriting_an_id_updates_the_score(self, scored: ServedApi) -> None:
        assert scored.client.post(SCORES, {**WRITTEN[0], "value": 0.1}).status == 200
        assert scored.client.get("/api/public/v2/scores/s-num").json()["value"] == 0.1
        assert scored.client.get(LIST).json()["meta"]["totalItems"] == 4


class TestDelete:
    def test_delete_then_not_found(self, scored: ServedApi) -> None:
        response = scored.client.request("DELETE", "/api/public/scores/s-cat")
        assert (response.status, response.body) == (204, b"")
        missing = scored.client.get("/api/public/v2/scores/s-cat")
        assert missing.status == 404
        assert "not found within authorized project" in missing.json()["message"]
        assert scored.client.request("DELETE", "/api/public/scores/s-cat").status == 404

    def test_another_project_neither_sees_nor_deletes(self, scored: ServedApi) -> None:
        other = scored.as_other()
        assert other.get(LIST).json()["data"] == []
        assert other.get("/api/public/v2/scores/s-num").status == 404
        assert other.request("DELETE", "/api/public/scores/s-num").status == 404
        assert scored.client.get("/api/public/v2/scores/s-num").status == 200


class TestRefusals:
    @pytest.mark.parametrize(
        ("body", "named"),
        [
            ({"value": 1, "traceId": "t"}, "body.name"),
            ({"name": "x", "traceId": "t"}, "body.value"),
            ({"name": "x", "value": 2, "dataType": "BOOLEAN", "traceId": "t"}, "1 (true) or 0 (false)"),
            ({"name": "x", "value": 3, "dataType": "CATEGORICAL", "traceId": "t"}, "non-empty string"),
            ({"name": "x", "value": "high", "dataType": "NUMERIC", "traceId": "t"}, "finite number"),
            (
                {"name": "x", "value": "y", "dataType": "TEXT", "traceId": "t"},
                "NUMERIC, CATEGORICAL or BOOLEAN",
            ),
            ({"name": "x", "value": 1, "observationId": "o"}, "body.observationId needs body.traceId"),
            ({"name": "x", "value": 1}, "body.traceId, body.sessionId or body.datasetRunId"),
            ({"name": "x", "value": 1, "traceId": "t", "source": "ROBOT"}, "body.source"),
            ({"name": "x", "value": 1, "traceId": "t", "timestamp": "yesterday"}, "body.timestamp"),
            ("just text", "must be an object"),
        ],
    )
    def test_bad_score_is_400_naming_the_rule(self, fresh_api: ServedApi, body: Any, named: str) -> None:
        response = fresh_api.client.post(SCORES, body)
        assert response.status == 400, response.body
        assert named in response.json()["message"]
        response_validator(ours(), SCORES, "post", "400", strict=True).validate(response.json())
        assert fresh_api.client.get(LIST).json()["data"] == []

    def test_invalid_json_is_400(self, fresh_api: ServedApi) -> None:
        response = fresh_api.client.post(SCORES, None, raw=b"{not json")
        assert response.status == 400
        assert "not valid JSON" in response.json()["message"]


class TestBatches:
    """The Langfuse SDK 5.x posts a JSON array of scores."""

    def test_all_accepted_is_202(self, fresh_api: ServedApi) -> None:
        response = fresh_api.client.post(SCORES, WRITTEN)
        assert response.status == 202
        assert response.json() == {"message": "Accepted"}
        response_validator(ours(), SCORES, "post", "202", strict=True).validate(response.json())
        assert fresh_api.client.get(LIST).json()["meta"]["totalItems"] == len(WRITTEN)

    def test_some_refused_is_207_and_the_rest_stored(self, fresh_api: ServedApi) -> None:
        response = fresh_api.client.post(SCORES, [WRITTEN[0], {"name": "bad"}, WRITTEN[2]])
        assert response.status == 207
        body = response.json()
        response_validator(ours(), SCORES, "post", "207", strict=True).validate(body)
        assert (body["accepted"], body["rejected"]) == (2, 1)
        assert body["errors"][0]["message"].startswith("scores[1]: body.value")
        assert set(listed(fresh_api)) == {"s-num", "s-bool"}


class TestIngestionEvents:
    def test_score_create_events_are_stored(self, fresh_api: ServedApi) -> None:
        events = [
            {"id": "e1", "type": "score-create", "timestamp": "2025-01-01T00:00:00Z", "body": WRITTEN[2]},
            {
                "id": "e2",
                "type": "score-create",
                "timestamp": "2025-01-01T00:00:01Z",
                "body": {"name": "x", "value": 5, "dataType": "BOOLEAN", "traceId": "t"},
            },
        ]
        response = fresh_api.client.post("/api/public/ingestion", {"batch": events})
        assert response.status == 207
        body = response.json()
        assert [s["id"] for s in body["successes"]] == ["e1"]
        assert [(e["id"], e["status"]) for e in body["errors"]] == [("e2", 400)]
        assert "1 (true) or 0 (false)" in body["errors"][0]["message"]
        stored = fresh_api.client.get("/api/public/v2/scores/s-bool").json()
        assert (stored["sessionId"], stored["stringValue"], stored["timestamp"]) == (
            SESSION,
            "True",
            "2025-01-01T00:00:00.000000Z",
        )


V3 = "/api/public/v3/scores"


def v3(api: ServedApi, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = assert_valid(api.client.get(V3, params), V3, "get", "200")
    return body


class TestV3:
    """``GET /api/public/v3/scores``, which the Langfuse SDK 5.x's ``api.scores.get_many()`` reads."""

    def test_typed_values_and_field_groups(self, scored: ServedApi) -> None:
        core = {item["id"]: item for item in v3(scored)["data"]}
        assert (core["s-num"]["value"], core["s-cat"]["value"], core["s-bool"]["value"]) == (
            0.9,
            "friendly",
            True,
        )
        assert "subject" not in core["s-num"] and "comment" not in core["s-num"]
        full = {item["id"]: item for item in v3(scored, fields="details,subject,annotation")["data"]}
        assert full["s-num"]["comment"] == "close" and full["s-num"]["metadata"] == {"by": "judge"}
        assert full["s-cat"]["subject"] == {"kind": "observation", "id": GENERATION_1, "traceId": TRACE_1}
        assert full["s-bool"]["subject"] == {"kind": "session", "id": SESSION}
        assert full["s-num"]["subject"] == {"kind": "trace", "id": TRACE_1}
        assert full["s-num"]["authorUserId"] is None

    def test_cursor_walks_every_score_once(self, scored: ServedApi) -> None:
        seen, cursor = [], None
        for _ in range(10):
            body = v3(scored, limit=1, **({"cursor": cursor} if cursor else {}))
            assert body["meta"]["limit"] == 1
            seen += [item["id"] for item in body["data"]]
            cursor = body["meta"].get("cursor")
            if cursor is None:
                break
        assert seen == [item["id"] for item in v3(scored)["data"]] and len(seen) == 4

    def test_filters(self, scored: ServedApi) -> None:
        def ids(**params: Any) -> set[str]:
            return {item["id"] for item in v3(scored, **params)["data"]}

        assert ids(traceId=f"{TRACE_1},{TRACE_2}") == {"s-num", "s-cat", "s-run"}
        assert ids(traceId=TRACE_1, observationId=GENERATION_1) == {"s-cat"}
        assert ids(sessionId=SESSION) == {"s-bool"}
        assert ids(id="s-num,s-bool") == {"s-num", "s-bool"}
        assert ids(dataType="numeric", valueMin="0.5") == {"s-num"}
        assert ids(dataType="BOOLEAN", value="true") == {"s-bool"}
        assert ids(dataType="CATEGORICAL", value="friendly") == {"s-cat"}
        assert ids(name="accuracy", environment="production") == {"s-run"}
        assert ids(authorUserId="someone") == set()

    @pytest.mark.parametrize(
        ("params", "named"),
        [
            ({"traceId": "t", "sessionId": "s"}, "excludes"),
            ({"observationId": "o"}, "needs traceId"),
            ({"valueMin": "1"}, "dataType=NUMERIC"),
            ({"value": "1"}, "value needs one dataType"),
            ({"name": "a,b"}, "one value"),
            ({"fields": "everything"}, "fields"),
            ({"limit": "101"}, "limit"),
            ({"cursor": "nope"}, "cursor"),
        ],
    )
    def test_bad_queries_are_400(self, scored: ServedApi, params: dict[str, str], named: str) -> None:
        response = scored.client.get(V3, params)
        assert response.status == 400
        assert named in response.json()["message"]
