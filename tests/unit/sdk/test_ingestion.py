"""``IngestionSink`` against a scripted local ingestion endpoint: success, 207 errors, retries, giving up."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

from otel_bridge.model import SpanRecord
from otel_bridge.sdk import IngestionSink, RetryPolicy
from otel_bridge.sdk.ingestion import parse_retry_after
from otel_bridge.translate import Translation, translate_spans
from tests.unit.sdk.sdk_helpers import IngestionEndpoint, Reply

PUBLIC = "pk-lf-test"
SECRET = "sk-lf-test"
#: Retries without real waiting, unless a test says otherwise.
FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05, deadline=5.0)


def translations(count: int = 2, trace_id: str = "4bf92f3577b34da6a3ce929d0e0e4736") -> list[Translation]:
    records = [
        SpanRecord(
            trace_id=trace_id,
            span_id=f"{index + 1:016x}",
            parent_span_id=None if index == 0 else "0000000000000001",
            name=f"span-{index}",
            start_time_unix_nano=1_700_000_000_000_000_000 + index,
            end_time_unix_nano=1_700_000_001_000_000_000,
            attributes={"session.id": "s-1", "langfuse.observation.input": '"' + "x" * 100 + '"'},
        )
        for index in range(count)
    ]
    return translate_spans(records)


def sink(endpoint: IngestionEndpoint, **options: object) -> IngestionSink:
    return IngestionSink(endpoint.host, PUBLIC, SECRET, **{"retry": FAST, **options})  # type: ignore[arg-type]


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestIngestionSink:
    def test_posts_a_batch(self, endpoint: IngestionEndpoint) -> None:
        """One POST to ``/api/public/ingestion`` with Basic auth and a JSON batch: delivered."""
        result = sink(endpoint).send(translations())
        assert result.ok, result.errors
        (request,) = endpoint.received
        assert request.path == "/api/public/ingestion"
        assert request.credentials == f"{PUBLIC}:{SECRET}"
        assert request.headers["content-type"] == "application/json"
        body = request.document
        assert [event["type"] for event in body["batch"]] == ["trace-create", "span-create", "span-create"]
        assert body["metadata"]["sdk_name"] == "otel-bridge"

    def test_host_with_trailing_slash(self, endpoint: IngestionEndpoint) -> None:
        """A host given with a trailing slash still posts to the ingestion path."""
        assert IngestionSink(endpoint.host + "/", PUBLIC, SECRET).send(translations(1)).ok
        assert endpoint.received[0].path == "/api/public/ingestion"

    def test_207_errors_are_reported(self, endpoint: IngestionEndpoint) -> None:
        """Per-event errors of a 207 are reported with the event's type and the server's message, and
        are not retried (the same events would fail again)."""

        def reject_first(events: list[dict[str, Any]]) -> dict[str, Any]:
            first, *rest = events
            return {
                "successes": [{"id": e["id"], "status": 201} for e in rest],
                "errors": [{"id": first["id"], "status": 400, "message": "body.sessionId is too long"}],
            }

        endpoint.replies.append(Reply(207, body=reject_first))
        result = sink(endpoint).send(translations(1))
        rejected = endpoint.events()[0]["id"]
        assert result.errors == (f"trace-create {rejected} rejected (400): body.sessionId is too long",)
        assert len(endpoint.received) == 1

    @pytest.mark.parametrize("status", [429, 502, 503, 504])
    def test_retries_what_says_later(self, endpoint: IngestionEndpoint, status: int) -> None:
        """429, 502, 503 and 504 are retried, then the 207 delivers."""
        endpoint.replies += [Reply(status, body={"message": "later"}), Reply(status, body={})]
        assert sink(endpoint).send(translations()).ok
        assert len(endpoint.received) == 3

    @pytest.mark.parametrize("status", [500, 501])
    def test_server_errors_are_not_retried(self, endpoint: IngestionEndpoint, status: int) -> None:
        """A 500 or 501 is the server failing on this request: reported at once, not sent again."""
        endpoint.replies.append(Reply(status, body={"message": "oops"}))
        result = sink(endpoint).send(translations())
        assert len(endpoint.received) == 1
        assert f"answered {status}" in result.errors[0] and "oops" in result.errors[0]

    def test_honors_retry_after(self, endpoint: IngestionEndpoint) -> None:
        """A 429 with ``Retry-After: 1`` is retried after a second, not after the short backoff."""
        endpoint.replies.append(Reply(429, {"Retry-After": "1"}, {"message": "slow down"}))
        started = time.monotonic()
        assert sink(endpoint).send(translations()).ok
        assert time.monotonic() - started >= 0.95
        assert len(endpoint.received) == 2

    def test_gives_up_when_retry_after_passes_the_deadline(self, endpoint: IngestionEndpoint) -> None:
        """A ``Retry-After`` beyond the deadline gives up at once with the server's answer."""
        endpoint.replies.append(Reply(503, {"Retry-After": "3600"}, {"message": "queue full"}))
        started = time.monotonic()
        result = sink(endpoint).send(translations())
        assert time.monotonic() - started < 2
        assert len(result.errors) == 1
        assert "answered 503" in result.errors[0] and "queue full" in result.errors[0]
        assert "gave up after 1 attempts" in result.errors[0]

    def test_bounded_attempts(self, endpoint: IngestionEndpoint) -> None:
        """A server that keeps failing gets ``attempts`` requests, then the sink reports failure."""
        endpoint.replies += [Reply(503, body={})] * 5
        result = sink(endpoint).send(translations())
        assert not result.ok
        assert len(endpoint.received) == FAST.attempts

    def test_permanent_errors_are_not_retried(self, endpoint: IngestionEndpoint) -> None:
        """A 401 is reported at once, with the server's message."""
        endpoint.replies.append(Reply(401, body={"message": "invalid credentials"}))
        result = sink(endpoint).send(translations())
        assert len(endpoint.received) == 1
        assert "answered 401" in result.errors[0] and "invalid credentials" in result.errors[0]

    def test_dead_server(self) -> None:
        """Nothing listening: every attempt fails fast, the sink reports it and returns."""
        target = IngestionSink(f"http://127.0.0.1:{closed_port()}", PUBLIC, SECRET, retry=FAST, timeout=2)
        started = time.monotonic()
        result = target.send(translations())
        assert time.monotonic() - started < 5
        assert "failed" in result.errors[0] and "gave up after 3 attempts" in result.errors[0]

    def test_close_interrupts_a_retry_wait(self, endpoint: IngestionEndpoint) -> None:
        """``close()`` ends a long wait for a retry at once; later sends fail without a request."""
        endpoint.replies.append(Reply(503, {"Retry-After": "20"}, {}))
        target = sink(endpoint, retry=RetryPolicy(attempts=2, deadline=60))
        timer = threading.Timer(0.3, target.close)
        timer.start()
        started = time.monotonic()
        result = target.send(translations())
        timer.join()
        assert time.monotonic() - started < 5
        assert "closed while waiting to retry" in result.errors[0]
        assert not target.send(translations()).ok
        assert len(endpoint.received) == 1

    def test_large_batches_are_split(self, endpoint: IngestionEndpoint) -> None:
        """Events beyond ``max_batch_bytes`` go in further requests; every event arrives once."""
        sent = translations(12)
        assert sink(endpoint, max_batch_bytes=2_000).send(sent).ok
        assert len(endpoint.received) > 1
        assert all(len(request.body) <= 2_000 for request in endpoint.received)
        ids = [event["body"]["id"] for event in endpoint.events() if event["type"] == "span-create"]
        assert sorted(ids) == sorted(t.observation.id for t in sent)


class TestRetryAfter:
    def test_seconds(self) -> None:
        """Delay seconds are read as seconds; negative ones as zero."""
        assert (parse_retry_after("2"), parse_retry_after(" 0.5 "), parse_retry_after("-3")) == (
            2.0,
            0.5,
            0.0,
        )

    def test_http_date(self) -> None:
        """An HTTP date is the time left until then."""
        now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
        assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30.0

    def test_unreadable(self) -> None:
        """A missing or unreadable value is None (the backoff applies)."""
        assert (parse_retry_after(None), parse_retry_after(""), parse_retry_after("soon")) == (
            None,
            None,
            None,
        )


class TestRetryPolicy:
    @pytest.mark.parametrize("attempt", [0, 1, 2, 6])
    def test_exponential_backoff_with_jitter(self, attempt: int) -> None:
        """Without ``Retry-After`` the wait is ``backoff * 2**n`` ±20 %, at most ``max_backoff`` (+20 %)."""
        policy = RetryPolicy(backoff=0.5, max_backoff=8.0)
        base = min(0.5 * 2**attempt, 8.0)
        assert base * 0.8 <= policy.delay(attempt, None) <= base * 1.2

    def test_server_delay_wins(self) -> None:
        """The server's ``Retry-After`` is the wait."""
        assert RetryPolicy().delay(0, 7.0) == 7.0
