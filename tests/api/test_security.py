"""The security review, one test per finding (docs/reliability.md, "Security review").

- SQL is built with bound parameters only: every query parameter of every read operation, ``orderBy``
  and ``filter`` included, is sent injection attempts; each is answered below 500, no statement the
  database ran contains the attempt's text (it travelled as a bound value), and the stored data is
  unchanged (on SQLite, and PostgreSQL when available);
- every read route walked with another project's keys answers 404 (by-id routes) or shows none of
  the other project's data (lists);
- secrets appear neither in the logs (DEBUG, every logger) nor in ``/metrics``, whatever the
  request; the database keeps no secret in clear;
- UI and API responses carry CSP, ``X-Content-Type-Options``, anti-framing and ``Referrer-Policy``.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from otel_bridge.receivers.security_headers import SECURITY_HEADERS
from otel_bridge.ui.rendering import PAGE_HEADERS
from tests.api.client import ServedApi, basic, served_api
from tests.api.conftest import (
    GENERATION_1,
    OTHER_SESSION,
    OTHER_SPAN,
    OTHER_TRACE,
    SESSION,
    TRACE_1,
    seed,
)
from tests.support.databases import dialect_params, postgres_schema

OPENAPI_PATH = "/openapi.json"
#: Each attempt carries this marker, so that the statements the database ran can be searched for it.
MARKER = "zqinj"
ATTEMPTS = [
    f"' OR '1'='1' -- {MARKER}",
    f'"; DROP TABLE observations; -- {MARKER}',
    f"1) UNION SELECT secret_hash FROM projects -- {MARKER}",
    f"timestamp.asc; DELETE FROM traces; -- {MARKER}",
    f"(SELECT secret_hash FROM projects).desc {MARKER}",
    f"timestamp.asc, {MARKER}.desc",
    f'[{{"type":"string","column":"name","operator":"=","value":"x\' OR 1=1 -- {MARKER}"}}]',
    f'[{{"type":"string","column":"name; DROP TABLE traces --{MARKER}","operator":"=","value":"x"}}]',
    f'[{{"type":"string","column":"name","operator":"= \'\' OR 1=1 --{MARKER}","value":"x"}}]',
]


@pytest.fixture(params=dialect_params())
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServedApi]:
    """The seeded API on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        with served_api(tmp_path) as served:
            seed(served)
            yield served
        return
    with postgres_schema() as url, served_api(tmp_path, url=url) as served:
        seed(served)
        yield served


def read_operations(api: ServedApi) -> list[tuple[str, list[str]]]:
    """Every GET path of the server's own OpenAPI document with its query parameters."""
    document = api.client.get(OPENAPI_PATH).json()
    operations = []
    for path, methods in document["paths"].items():
        get = methods.get("get")
        if get is None or path == OPENAPI_PATH:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        operations.append((path, names))
    return operations


def concrete(path: str) -> str:
    """A path template with seeded ids in place."""
    return (
        path.replace("{sessionId}", SESSION)
        .replace("{traceId}", TRACE_1)
        .replace("{observationId}", GENERATION_1)
    )


def stored_counts(api: ServedApi) -> dict[str, int]:
    engine = api.store.engine
    with engine.connect() as conn:
        return {
            table: conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("projects", "traces", "observations", "sessions")
        }


def test_injection_attempts_are_bound_parameters(api: ServedApi) -> None:
    """Every query parameter of every read operation gets every attempt: below 500, bound, harmless."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    before = stored_counts(api)
    operations = read_operations(api)
    assert len(operations) >= 6, operations
    sa.event.listen(api.store.engine, "before_cursor_execute", record)
    try:
        tried = 0
        for path, names in operations:
            for name in names:
                for attempt in ATTEMPTS:
                    response = api.client.get(concrete(path), {name: attempt})
                    assert response.status < 500, (path, name, attempt, response.body)
                    body = response.body.decode("utf-8", "replace")
                    # The attempt may be echoed in a refusal (a JSON message, or escaped in a page).
                    assert "secret_hash" not in body or html.escape(attempt) in body or attempt in body, body
                    assert "scrypt$" not in body
                    tried += 1
            for attempt in ATTEMPTS:  # the path parameter too
                if "{" in path:
                    response = api.client.get(path.split("{")[0] + attempt)
                    assert response.status < 500, (path, attempt, response.body)
        assert tried > 100
    finally:
        sa.event.remove(api.store.engine, "before_cursor_execute", record)
    assert statements, "no SQL ran: the listener is not attached"
    assert not [s for s in statements if MARKER in s]
    assert stored_counts(api) == before


def test_other_projects_reads_are_404_or_absent(tmp_path: Path) -> None:
    """Every read route, walked with the first project's keys on the other project's ids."""
    with served_api(tmp_path) as api:
        seed(api)
        created = api.as_other().post("/api/public/scores", {"traceId": OTHER_TRACE, "name": "x", "value": 1})
        assert created.status == 200, created.body
        other_score = created.json()["id"]
        by_id = {
            "/api/public/sessions/{sessionId}": f"/api/public/sessions/{OTHER_SESSION}",
            "/api/public/traces/{traceId}": f"/api/public/traces/{OTHER_TRACE}",
            "/api/public/observations/{observationId}": f"/api/public/observations/{OTHER_SPAN}",
            "/api/public/scores/{scoreId}": f"/api/public/scores/{other_score}",
            "/api/public/v2/scores/{scoreId}": f"/api/public/v2/scores/{other_score}",
        }
        for path, _ in read_operations(api):
            if not path.startswith("/api/public/"):
                continue  # the UI's pages: below
            if "{" in path:
                assert path in by_id, f"{path}: a new by-id read route; add it to this walk"
                response = api.client.get(by_id[path])
                assert response.status == 404, (path, response.body)
                assert "not found" in response.json()["message"]
            else:
                body = api.client.get(path).body.decode()
                for foreign in (OTHER_SESSION, OTHER_TRACE, OTHER_SPAN, "secret"):
                    assert foreign not in body, (path, foreign)
        for page in (
            f"/sessions/{OTHER_SESSION}",
            f"/traces/{OTHER_TRACE}",
            f"/download/sessions/{OTHER_SESSION}",
        ):
            assert api.client.get(page).status == 404, page
        assert OTHER_SESSION not in api.client.get("/sessions").body.decode()
        # And the other project does see its own: the 404s are about scope, not about the ids.
        assert api.as_other().get(by_id["/api/public/traces/{traceId}"]).status == 200


def test_no_secret_in_logs_or_metrics(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Good, wrong and malformed credentials, on every kind of route: the secret is never logged or
    counted, and the database holds it only as digests."""
    caplog.set_level(logging.DEBUG)
    with served_api(tmp_path) as api:
        seed(api)
        wrong = "sk-lf-wrong-secret-value"
        headers = [
            basic(api.public_key, api.secret_key),
            f"Bearer {api.secret_key}",
            basic(api.public_key, wrong),
            f"Bearer {wrong}",
            f"Basic {api.secret_key}",
            f"Digest {api.secret_key}",
        ]
        for header in headers:
            client = api.client.with_auth(header)
            client.get("/api/public/traces")
            client.get("/sessions")
            client.post("/api/public/ingestion", {"batch": [{"id": api.secret_key}]})
            client.request("POST", "/v1/traces", body=b"\x00junk", content_type="application/x-protobuf")
        metrics = api.client.with_auth(None).get("/metrics").body.decode()
        engine_url = str(api.store.engine.url)
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    for secret in (api.secret_key, wrong):
        assert secret not in logged
        assert secret not in metrics
    assert "otel_bridge_requests_total" in metrics  # the page is the real one
    database = Path(engine_url.removeprefix("sqlite:///")).read_bytes()
    assert api.secret_key.encode() not in database
    assert wrong.encode() not in database


@pytest.mark.parametrize(
    "path",
    [
        "/sessions",
        "/static/otel-bridge.css",
        "/api/public/traces",
        "/api/public/health",
        "/nowhere",
        "/metrics",
    ],
)
def test_security_headers_on_ui_and_api(fresh_api: ServedApi, path: str) -> None:
    """Pages, static files, API answers, errors and 404s all carry the headers."""
    response = fresh_api.client.get(path)
    expected = dict(SECURITY_HEADERS)
    if path == "/sessions":  # a page: the same policy, but for its one first-party script
        expected["content-security-policy"] = PAGE_HEADERS["Content-Security-Policy"]
        assert "script-src 'self'" in expected["content-security-policy"]
    for name, value in expected.items():
        assert response.headers.get(name) == value, (path, name, response.headers)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_security_headers_on_otlp_errors(fresh_api: ServedApi) -> None:
    """An OTLP/HTTP refusal carries them too."""
    response = fresh_api.client.request("POST", "/v1/traces", body=b"{", content_type="application/json")
    assert response.status == 400
    assert response.headers["x-content-type-options"] == "nosniff"
