"""Shared API pieces: JSON rendering, the error handler."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from otel_bridge.api.http import error_response, render_json
from otel_bridge.api.params import InvalidQuery
from otel_bridge.errors import NotFound, QueueFull, Unauthenticated


class TestRenderJson:
    def test_non_finite_numbers_become_null(self) -> None:
        """NaN and infinities (possible in span attributes) render as null: valid JSON."""
        body = json.loads(render_json({"a": float("nan"), "b": [float("inf"), 1.5]}))
        assert body == {"a": None, "b": [None, 1.5]}

    def test_other_values(self) -> None:
        """Bytes, sets and datetimes in metadata render as JSON values."""
        body = json.loads(render_json({"b": b"\x01", "t": datetime(2025, 1, 1, tzinfo=timezone.utc)}))
        assert body == {"b": "01", "t": "2025-01-01T00:00:00.000000Z"}


class TestErrorResponse:
    def test_statuses_and_bodies(self) -> None:
        """Errors map through the status table to ``{"message"}`` bodies."""
        cases = [
            (InvalidQuery("limit must be …"), 400),
            (Unauthenticated("missing credentials"), 401),
            (NotFound("Trace x not found within authorized project"), 404),
        ]
        for error, status in cases:
            response = error_response(error)
            assert response.status_code == status
            assert json.loads(bytes(response.body)) == {"message": error.message}
        assert error_response(Unauthenticated("x")).headers["www-authenticate"].startswith("Basic")

    def test_retryable_errors_carry_retry_after(self) -> None:
        """A full queue is 503 with Retry-After."""
        response = error_response(QueueFull("full", 3.2))
        assert response.status_code == 503 and response.headers["retry-after"] == "4"

    def test_unexpected_errors_are_500(self) -> None:
        """Anything else is a 500 that names the error type, not its text."""
        response = error_response(RuntimeError("secret detail"))
        assert response.status_code == 500
        assert "secret detail" not in bytes(response.body).decode()
