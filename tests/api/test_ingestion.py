"""``POST /api/public/ingestion`` end to end (ASGI, real SQLite store): 207 answers valid against the
spec, what the events become when read back through the API, merge semantics, order-freedom,
read-your-writes, errors and backpressure."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from tests.api.client import ApiClient, ServedApi, served_api
from tests.api.openapi_schemas import component_validator, langfuse_spec, response_validator

INGESTION = "/api/public/ingestion"
T = "2025-01-01T00:00:0{}Z"


def event(kind: str, body: dict[str, Any], second: int = 0) -> dict[str, Any]:
    """One envelope, ``second`` seconds after 2025-01-01T00:00:00Z."""
    return {"id": str(uuid.uuid4()), "type": kind, "timestamp": T.format(second), "body": body}


def ingest(client: ApiClient, *events: dict[str, Any]) -> dict[str, Any]:
    """Post a batch; the 207 body, after checking it against the spec (and strictly against ours)."""
    for item in events:
        component_validator(langfuse_spec(), "IngestionEvent").validate(item)  # realistic requests
    response = client.post(INGESTION, {"batch": list(events), "metadata": {"sdk_name": "test"}})
    assert response.status == 207, response.body
    body: dict[str, Any] = response.json()
    response_validator(langfuse_spec(), INGESTION, "post", "207").validate(body)
    from otel_bridge.api.openapi import load_document

    response_validator(load_document(), INGESTION, "post", "207", strict=True).validate(body)
    return body


def chat(trace: str, root: str, llm: str) -> list[dict[str, Any]]:
    """A Langfuse SDK v2 style conversation turn: trace, span, generation, and their updates."""
    return [
        event(
            "trace-create",
            {
                "id": trace,
                "timestamp": T.format(0),
                "name": "chat turn",
                "userId": "user-1",
                "sessionId": "conversation-1",
                "input": {"question": "hi?"},
                "output": "hello!",
                "tags": ["prod"],
                "release": "1.2",
                "metadata": {"team": {"name": "search"}},
                "environment": "production",
            },
        ),
        event("span-create", {"id": root, "traceId": trace, "name": "agent", "startTime": T.format(0)}),
        event(
            "generation-create",
            {
                "id": llm,
                "traceId": trace,
                "parentObservationId": root,
                "name": "llm",
                "startTime": T.format(1),
                "model": "gpt-4o",
                "modelParameters": {"temperature": 0.2},
                "input": [{"role": "user", "content": "hi?"}],
                "usageDetails": {"input": 100, "output": 20, "input_cached_tokens": 40},
                "costDetails": {"input": 0.001, "output": 0.002},
                "promptName": "greeting",
                "promptVersion": 3,
            },
            1,
        ),
        event(
            "generation-update",
            {
                "id": llm,
                "traceId": trace,
                "endTime": T.format(3),
                "completionStartTime": T.format(2),
                "output": {"role": "assistant", "content": "hello!"},
                "level": "WARNING",
                "statusMessage": "slow",
            },
            3,
        ),
        event("span-update", {"id": root, "traceId": trace, "endTime": T.format(4)}, 4),
    ]


def ids() -> tuple[str, str, str]:
    """A trace id and two observation ids, as the Langfuse SDK makes them."""
    return str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


class TestIngestion:
    def test_turn_reads_back(self, fresh_api: ServedApi) -> None:
        """A turn's events become a trace with its claims and two observations, readable at once."""
        trace, root, llm = ids()
        result = ingest(fresh_api.client, *chat(trace, root, llm))
        assert len(result["successes"]) == 5 and result["errors"] == []
        assert all(s["status"] == 201 for s in result["successes"])

        body = fresh_api.client.get(f"/api/public/traces/{trace}").json()
        assert (body["name"], body["userId"], body["sessionId"], body["release"]) == (
            "chat turn",
            "user-1",
            "conversation-1",
            "1.2",
        )
        assert body["input"] == {"question": "hi?"} and body["output"] == "hello!"
        assert body["tags"] == ["prod"] and body["environment"] == "production"
        assert body["metadata"] == {"team": {"name": "search"}}
        assert body["timestamp"] == "2025-01-01T00:00:00.000000Z" and body["latency"] == 4.0
        assert [o["id"] for o in body["observations"]] == [root, llm]
        generation = body["observations"][1]
        assert generation["type"] == "GENERATION" and generation["parentObservationId"] == root
        assert generation["usageDetails"] == {
            "input": 100,
            "output": 20,
            "total": 120,
            "input_cached_tokens": 40,
        }
        assert generation["costDetails"] == {"input": 0.001, "output": 0.002, "total": 0.003}
        assert generation["modelParameters"] == {"temperature": 0.2}
        assert (generation["level"], generation["statusMessage"]) == ("WARNING", "slow")
        assert generation["output"] == {"role": "assistant", "content": "hello!"}
        assert (generation["timeToFirstToken"], generation["latency"]) == (1.0, 2.0)
        assert (generation["promptName"], generation["promptVersion"]) == ("greeting", 3)
        assert body["totalCost"] == pytest.approx(0.003)

        session = fresh_api.client.get("/api/public/sessions/conversation-1").json()
        assert session["traceCount"] == 1 and session["observationCount"] == 2
        assert session["userIds"] == ["user-1"] and session["totalTokens"] == 120

    def test_order_free(self, tmp_path: Any) -> None:
        """Observations before their trace-create, updates before creates, one batch or many: the
        trace reads back the same."""
        trace, root, llm = ids()
        events = chat(trace, root, llm)
        results = []
        orders = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]]
        for index, order in enumerate(orders):
            with served_api(tmp_path / str(index)) as api:
                for position in order:
                    ingest(api.client, events[position])
                body = api.client.get(f"/api/public/traces/{trace}").json()
                for item in (body, *body["observations"]):
                    item.pop("updatedAt", None)
                    item.pop("projectId", None)
                    item.pop("htmlPath", None)
                results.append(body)
        assert all(result == results[0] for result in results[1:])

    def test_repeated_trace_create_merges(self, fresh_api: ServedApi) -> None:
        """A second trace-create merges: non-null fields replace, tags union, metadata deep-merges,
        timestamp and environment keep their first value."""
        trace = str(uuid.uuid4())
        first: dict[str, Any] = {
            "id": trace,
            "timestamp": T.format(1),
            "name": "first",
            "userId": "u",
            "tags": ["a"],
        }
        first |= {"metadata": {"x": {"y": 1}}, "environment": "staging"}
        second: dict[str, Any] = {
            "id": trace,
            "timestamp": T.format(5),
            "name": "second",
            "tags": ["b"],
            "public": True,
        }
        second |= {"metadata": {"x": {"z": 2}}, "environment": "production"}
        ingest(fresh_api.client, event("trace-create", first, 1))
        ingest(fresh_api.client, event("trace-create", second, 5))
        body = fresh_api.client.get(f"/api/public/traces/{trace}").json()
        assert (body["name"], body["userId"], body["tags"], body["public"]) == (
            "second",
            "u",
            ["a", "b"],
            True,
        )
        assert body["metadata"] == {"x": {"y": 1, "z": 2}}
        assert (body["timestamp"], body["environment"]) == ("2025-01-01T00:00:01.000000Z", "staging")
        assert body["observations"] == []

    def test_update_merges_into_stored_observation(self, fresh_api: ServedApi) -> None:
        """An update in a later request changes only the fields it carries."""
        trace, root, _ = ids()
        create = {"id": root, "traceId": trace, "name": "step", "input": "in", "metadata": {"a": 1}}
        ingest(fresh_api.client, event("span-create", create))
        ingest(fresh_api.client, event("span-update", {"id": root, "output": "out", "metadata": {"b": 2}}, 2))
        observation = fresh_api.client.get(f"/api/public/observations/{root}").json()
        assert (observation["name"], observation["input"], observation["output"]) == ("step", "in", "out")
        assert observation["metadata"] == {"a": 1, "b": 2} and observation["traceId"] == trace

    @pytest.mark.parametrize(
        ("kind", "expected"),
        [
            ("agent-create", "AGENT"),
            ("tool-create", "TOOL"),
            ("chain-create", "CHAIN"),
            ("retriever-create", "RETRIEVER"),
            ("evaluator-create", "EVALUATOR"),
            ("embedding-create", "EMBEDDING"),
            ("guardrail-create", "GUARDRAIL"),
            ("event-create", "EVENT"),
        ],
    )
    def test_typed_creates(self, fresh_api: ServedApi, kind: str, expected: str) -> None:
        """Each typed create makes an observation of its type."""
        trace, observation, _ = ids()
        body = {"id": observation, "traceId": trace, "name": kind, "startTime": T.format(0)}
        response = fresh_api.client.post(INGESTION, {"batch": [event(kind, body)]})
        assert response.status == 207 and response.json()["errors"] == []
        assert fresh_api.client.get(f"/api/public/observations/{observation}").json()["type"] == expected

    def test_observation_create_takes_the_body_type(self, fresh_api: ServedApi) -> None:
        """``observation-create`` reads its type from the body; OpenAI usage maps onto usage details."""
        trace, observation, _ = ids()
        body: dict[str, Any] = {"id": observation, "traceId": trace, "type": "GENERATION", "model": "gpt-4o"}
        body["usage"] = {"input": 10, "output": 5, "total": 15, "unit": "TOKENS"}
        ingest(fresh_api.client, event("observation-create", body))
        read = fresh_api.client.get(f"/api/public/observations/{observation}").json()
        assert read["type"] == "GENERATION" and read["usage"]["total"] == 15
        # No stated cost: priced from the shipped table, as OTLP spans are.
        assert read["costDetails"]["total"] > 0

    def test_openai_usage_details(self, fresh_api: ServedApi) -> None:
        """OpenAI's completion usage (with nested details) maps onto Langfuse's usage keys."""
        trace, observation, _ = ids()
        usage = {
            "prompt_tokens": 50,
            "completion_tokens": 30,
            "total_tokens": 80,
            "prompt_tokens_details": {"cached_tokens": 10},
            "completion_tokens_details": {"reasoning_tokens": 12},
        }
        body = {"id": observation, "traceId": trace, "usageDetails": usage}
        ingest(fresh_api.client, event("generation-create", body))
        read = fresh_api.client.get(f"/api/public/observations/{observation}").json()
        assert read["usageDetails"] == {
            "input": 50,
            "output": 30,
            "total": 80,
            "input_cached_tokens": 10,
            "output_reasoning_tokens": 12,
        }


class TestIngestionErrors:
    def test_bad_events_are_reported_and_the_rest_stored(self, fresh_api: ServedApi) -> None:
        """Unknown types and invalid fields are 400 entries naming the problem; SDK logs are accepted
        and dropped; valid events (a score among them) are stored."""
        trace, ok, bad = ids()
        events = [
            event("span-create", {"id": ok, "traceId": trace, "name": "fine"}),
            event("span-create", {"id": bad, "traceId": trace, "level": "LOUD"}),
            event("generation-create", {"id": bad, "traceId": trace, "startTime": "soon"}),
            {"id": "weird", "type": "dataset-run-item-create", "timestamp": T.format(0), "body": {}},
            event("score-create", {"name": "quality", "value": 1, "traceId": trace}),
            event("sdk-log", {"log": "hello"}),
            {"id": "no-body", "type": "span-create", "timestamp": T.format(0)},
        ]
        response = fresh_api.client.post(INGESTION, {"batch": events})
        assert response.status == 207
        body = response.json()
        response_validator(langfuse_spec(), INGESTION, "post", "207").validate(body)
        errors = {e["id"]: e for e in body["errors"]}
        assert set(errors) == {events[1]["id"], events[2]["id"], "weird", "no-body"}
        assert all(e["status"] == 400 for e in errors.values())
        assert "body.level" in errors[events[1]["id"]]["message"]
        assert "body.startTime" in errors[events[2]["id"]]["message"]
        assert "dataset-run-item-create" in errors["weird"]["message"]
        assert "body is required" in errors["no-body"]["message"]
        assert len(body["successes"]) == 3
        assert fresh_api.client.get(f"/api/public/observations/{ok}").status == 200
        assert fresh_api.client.get(f"/api/public/observations/{bad}").status == 404

    def test_a_trace_the_store_refuses_fails_its_events_only(self, fresh_api: ServedApi) -> None:
        """A trace the database refuses for good (here a token count past 64 bits, which SQLite
        cannot store) fails every event that wrote to it, with the store's reason, as 400s that the
        SDKs do not retry; the batch's other trace is stored."""
        refused, llm, span = ids()
        kept = str(uuid.uuid4())
        events = [
            event("trace-create", {"id": refused, "name": "refused"}),
            event(
                "generation-create",
                {"id": llm, "traceId": refused, "usageDetails": {"input": 2**63 - 1, "output": 1}},
            ),
            event("span-create", {"id": span, "traceId": kept, "name": "kept"}),
        ]
        body = ingest(fresh_api.client, *events)
        errors = {e["id"]: e for e in body["errors"]}
        assert set(errors) == {events[0]["id"], events[1]["id"]}
        assert all(e["status"] == 400 and "refused" in e["message"] for e in errors.values())
        assert [s["id"] for s in body["successes"]] == [events[2]["id"]]
        assert fresh_api.client.get(f"/api/public/traces/{kept}").status == 200
        assert fresh_api.client.get(f"/api/public/traces/{refused}").status == 404

    @pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"batch": {}}', b"{}"])
    def test_invalid_body_is_400(self, fresh_api: ServedApi, raw: bytes) -> None:
        """A body that is not ``{batch: [...]}`` is 400 "Invalid request data" listing the problem."""
        response = fresh_api.client.post(INGESTION, None, raw=raw)
        assert response.status == 400
        body = response.json()
        assert body["message"] == "Invalid request data" and body["errors"]

    def test_credentials(self, fresh_api: ServedApi) -> None:
        """No credentials: 401; a Bearer secret works like Basic."""
        trace, observation, _ = ids()
        batch = {"batch": [event("span-create", {"id": observation, "traceId": trace})]}
        assert fresh_api.client.with_auth(None).post(INGESTION, batch).status == 401
        bearer = fresh_api.client.with_auth(f"Bearer {fresh_api.secret_key}")
        assert bearer.post(INGESTION, batch).status == 207
        assert bearer.get(f"/api/public/observations/{observation}").status == 200

    def test_projects_do_not_mix(self, fresh_api: ServedApi) -> None:
        """Events ingested with one project's keys are invisible to another's."""
        trace, root, llm = ids()
        ingest(fresh_api.as_other(), *chat(trace, root, llm))
        assert fresh_api.client.get(f"/api/public/traces/{trace}").status == 404
        assert fresh_api.as_other().get(f"/api/public/traces/{trace}").status == 200

    def test_full_queue_is_503_with_retry_after(self, tmp_path: Any) -> None:
        """A request that does not fit the ingest queue is refused whole with 503 and Retry-After."""
        with served_api(tmp_path, queue_bytes=64) as api:
            trace, observation, _ = ids()
            batch = {
                "batch": [event("span-create", {"id": observation, "traceId": trace, "input": "x" * 100})]
            }
            response = api.client.post(INGESTION, batch)
            assert response.status == 503 and int(response.headers["retry-after"]) >= 1
            assert response.json()["message"]


class TestEveryEventShape:
    def test_all_event_type_permutations_of_a_trace(self, tmp_path: Any) -> None:
        """Every arrival order of a trace-create and two observations ends in the same state."""
        trace, root, child = ids()
        events = [
            event("trace-create", {"id": trace, "name": "t", "sessionId": "s", "timestamp": T.format(0)}),
            event(
                "span-create",
                {"id": root, "traceId": trace, "startTime": T.format(1), "endTime": T.format(5)},
            ),
            event(
                "span-create",
                {"id": child, "traceId": trace, "parentObservationId": root, "startTime": T.format(2)},
                2,
            ),
        ]
        seen = []
        with served_api(tmp_path) as api:
            for index, order in enumerate(itertools.permutations(events)):
                other = api.store.create_project(
                    f"p{index}", public_key=f"pk-{index}", secret_key=f"sk-{index}"
                )
                client = api.client.with_auth(f"Bearer sk-{index}")
                for item in order:
                    ingest(client, item)
                body = client.get("/api/public/sessions/s").json()
                for item in (body, *body["traces"]):
                    item.pop("projectId")
                    item.pop("updatedAt", None)
                seen.append(body)
                assert other.project.id
        assert all(body == seen[0] for body in seen[1:])
