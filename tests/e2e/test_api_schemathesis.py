"""Schemathesis against the server's own ``/openapi.json``: every operation, authenticated, over a
real socket to ``otel-bridge serve``, with valid (positive) and invalid (negative) requests generated
from the document. No response is a 5xx, and every response conforms to the document: a documented
status code, content type and headers, and a body valid against the response schema.

The server is seeded with a session of OTLP spans first, and each by-id operation is also called
with a seeded id, so that the schemas of full objects (not just of 404 bodies) are checked. Reads
are not rate-limited here (``OTEL_BRIDGE_READ_RATE_LIMIT=0``): the generated requests arrive
faster than the default read rate, and 429 is tested on its own (``tests/api/test_abuse_limits.py``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from otel_bridge.testing import build_export_request, make_span, request_to_json
from tests.e2e.conftest import post
from tests.e2e.server import ServerProcess, start_server
from tests.support.spans import T0

#: Examples per operation and generation mode (positive, negative).
EXAMPLES = 60
SESSION = "schema-session"
TRACE = f"{0x5C4E:032x}"
ROOT = f"{0x5C01:016x}"
CHILD = f"{0x5C02:016x}"

CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = start_server(
        tmp_path_factory.mktemp("schemathesis"),
        {"OTEL_BRIDGE_READ_RATE_LIMIT": "0", "OTEL_BRIDGE_DECODE_PROCESSES": "0"},
    )
    try:
        spans = [
            make_span(
                "agent turn",
                trace_id=TRACE,
                span_id=ROOT,
                start_time_unix_nano=T0,
                end_time_unix_nano=T0 + 3_000_000_000,
                attributes={"session.id": SESSION, "user.id": "u1", "input.value": '{"q": "hi"}'},
            ),
            make_span(
                "chat",
                trace_id=TRACE,
                span_id=CHILD,
                parent_span_id=ROOT,
                start_time_unix_nano=T0 + 1_000_000_000,
                end_time_unix_nano=T0 + 2_000_000_000,
                attributes={
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 12,
                    "gen_ai.usage.output_tokens": 5,
                },
            ),
        ]
        body = json.dumps(request_to_json(build_export_request(spans))).encode()
        assert post(server, body, content_type="application/json").status == 200
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def schema(served: ServerProcess) -> Any:
    """The document the server serves. Loaded with ``from_dict`` rather than ``from_url``, which
    leaves the document's own operation (``GET /openapi.json``) out."""
    with urllib.request.urlopen(f"{served.base_url}/openapi.json", timeout=30) as response:
        return schemathesis.openapi.from_dict(json.load(response))


def operation_labels(*, with_inputs: bool = False, authenticated: bool = False) -> list[str]:
    """Every operation of the shipped document (the served one is the same file) but the UI's;
    ``with_inputs``: only those taking parameters or a body (the others have no invalid request to
    generate); ``authenticated``: only those that need keys.

    The UI's operations (tag ``UI``: HTML pages and form posts for browsers) are documented so that
    the document lists every route, but are not generated against here: their parameters are walked
    by ``tests/api/test_strict_parameters.py``, their pages by ``tests/unit/ui`` and a real browser
    (``tests/browser``), their scoping by ``tests/api/test_security.py``."""
    from otel_bridge.api.openapi import load_document

    document = load_document()
    return [
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if "UI" not in operation.get("tags", ())
        and (not with_inputs or operation.get("parameters") or operation.get("requestBody"))
        and (not authenticated or operation.get("security") != [])
    ]


CASES = [
    *(pytest.param(label, GenerationMode.POSITIVE, id=f"{label}-valid") for label in operation_labels()),
    *(
        pytest.param(label, GenerationMode.NEGATIVE, id=f"{label}-invalid")
        for label in operation_labels(with_inputs=True)
    ),
]


def find(schema: Any, label: str) -> Any:
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label == label:
            return operation
    raise AssertionError(f"{label} is not in the served /openapi.json")


@pytest.mark.parametrize(("label", "mode"), CASES)
def test_every_operation_conforms(
    schema: Any, served: ServerProcess, label: str, mode: GenerationMode
) -> None:
    """Generated requests: no 5xx, and each response is what the document says."""
    operation = find(schema, label)
    headers = {"Authorization": served.authorization}
    calls = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        nonlocal calls
        response = case.call(base_url=served.base_url, headers=headers, timeout=60)
        calls += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()
    assert calls > 0


@pytest.mark.parametrize(
    ("label", "parameters"),
    [
        ("GET /api/public/sessions/{sessionId}", {"sessionId": SESSION}),
        ("GET /api/public/traces/{traceId}", {"traceId": TRACE}),
        ("GET /api/public/observations/{observationId}", {"observationId": CHILD}),
    ],
)
def test_seeded_objects_conform(
    schema: Any, served: ServerProcess, label: str, parameters: dict[str, str]
) -> None:
    """The by-id operations on stored objects: 200, and the full object valid against its schema."""
    operation = find(schema, label)
    case = operation.Case(path_parameters=parameters)
    headers = {"Authorization": served.authorization}
    response = case.call(base_url=served.base_url, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    case.validate_response(response, checks=CHECKS, headers=headers)


def test_unauthenticated_is_documented_401(schema: Any, served: ServerProcess) -> None:
    """Without keys every authenticated operation answers its documented 401."""
    for label in operation_labels(authenticated=True):
        if label in ("GET /api/public/health", "GET /openapi.json"):
            continue
        operation = find(schema, label)
        case = operation.Case(
            path_parameters={
                name: "x" for name in ("sessionId", "traceId", "observationId", "scoreId") if name in label
            },
            **({"body": {"batch": []}, "media_type": "application/json"} if label.startswith("POST") else {}),
        )
        response = case.call(base_url=served.base_url, timeout=60)
        assert response.status_code == 401, (label, response.text)
        case.validate_response(response, checks=CHECKS)
