"""Fuzzing the ingest endpoints in-process, through the server's own ASGI app over a real SQLite store:
OTLP/HTTP protobuf and OTLP/JSON (``/v1/traces``) and Langfuse batch ingestion, more than 10,000
inputs each in CI (``harness.py``).

For every input: no 5xx; an error is a 4xx whose body names the rule (a ``google.rpc.Status``
message for OTLP, ``{"message"}`` for the API); a 200 that rejected spans says why. After all of
them, the data seeded before the first input (ids starting ``fe``, which the strategies never
generate) reads back exactly as before, in both projects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from google.rpc import status_pb2
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from tests.api.client import ServedApi, served_api
from tests.fuzz.conftest import MIN_INPUTS
from tests.fuzz.corpus import replay
from tests.fuzz.harness import fuzz
from tests.fuzz.strategies import ingestion_bodies, json_bodies, protobuf_bodies
from tests.support.spans import generation, record, translate

SEEDED_TRACE = "fe" * 16
SEEDED_SESSION = "fe-seeded-session"
#: The statuses a hostile body may get: accepted (whole or in part), or refused naming the rule.
ALLOWED = {200, 207, 400, 413, 415}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    with served_api(tmp_path_factory.mktemp("fuzz")) as served:
        for project in (served.project_id, served.other_project_id):
            served.store.write_batch(
                project,
                translate(
                    record(SEEDED_TRACE, "fe" * 8, name="seeded", attrs={"session.id": SEEDED_SESSION}),
                    generation(
                        int(SEEDED_TRACE, 16),
                        int("fe" * 7 + "01", 16),
                        int("fe" * 8, 16),
                        start=0.1,
                        end=0.5,
                        input_tokens=3,
                        output_tokens=4,
                    ),
                ),
            )
        yield served


def snapshot(api: ServedApi) -> list[Any]:
    """The seeded objects as the API shows them, in both projects."""
    views = []
    for client in (api.client, api.as_other()):
        for path in (f"/api/public/traces/{SEEDED_TRACE}", f"/api/public/sessions/{SEEDED_SESSION}"):
            response = client.get(path)
            assert response.status == 200, response.body
            views.append(response.json())
    return views


def otlp_check(api: ServedApi, content_type: str) -> Callable[[bytes], None]:
    encoding = "json" if content_type == "application/json" else "protobuf"

    def check(body: bytes) -> None:
        response = api.client.request("POST", "/v1/traces", body=body, content_type=content_type)
        assert response.status in ALLOWED, (response.status, response.body[:300])
        if response.status >= 400:
            if encoding == "json":
                message = json.loads(response.body)["message"]
            else:
                message = status_pb2.Status.FromString(response.body).message
            assert message.strip()
            return
        if encoding == "json":
            partial = json.loads(response.body).get("partialSuccess", {})
            rejected, why = int(partial.get("rejectedSpans", 0)), partial.get("errorMessage", "")
        else:
            answer = ExportTraceServiceResponse.FromString(response.body).partial_success
            rejected, why = answer.rejected_spans, answer.error_message
        assert not rejected or why.strip()

    return check


def ingestion_check(api: ServedApi) -> Callable[[bytes], None]:
    def check(body: bytes) -> None:
        response = api.client.request(
            "POST", "/api/public/ingestion", body=body, content_type="application/json"
        )
        assert response.status in ALLOWED, (response.status, response.body[:300])
        answer = response.json()
        if response.status >= 400:
            assert answer["message"].strip()
            return
        assert response.status == 207
        assert all(error["message"] and 400 <= error["status"] < 500 for error in answer["errors"])

    return check


TARGETS: dict[str, tuple[st.SearchStrategy[bytes], Callable[[ServedApi], Callable[[bytes], None]]]] = {
    "protobuf": (protobuf_bodies, lambda api: otlp_check(api, "application/x-protobuf")),
    "json": (json_bodies, lambda api: otlp_check(api, "application/json")),
    "ingestion": (ingestion_bodies, ingestion_check),
}


@pytest.mark.parametrize("target", list(TARGETS))
def test_endpoint(api: ServedApi, target: str) -> None:
    before = snapshot(api)
    bodies, make_check = TARGETS[target]
    checked = fuzz(f"endpoint-{target}", bodies, make_check(api))
    assert checked >= MIN_INPUTS
    assert snapshot(api) == before
    assert api.client.get("/api/public/health").status == 200


@pytest.mark.parametrize(("target", "body"), replay(*TARGETS))
def test_found_inputs(api: ServedApi, target: str, body: bytes, tmp_path: Path) -> None:
    """Every input a fuzzer once failed on, through its endpoint."""
    before = snapshot(api)
    TARGETS[target][1](api)(body)
    assert snapshot(api) == before
