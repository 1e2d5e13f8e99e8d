"""Backoff, ``Retry-After``, ingestion batches under the size limit, and the 207 answer: only the
events it reports as failed are sent again."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from otel_bridge.forward.backoff import Backoff
from otel_bridge.forward.delivery import Item, deliver
from otel_bridge.forward.events import batches, failed_events, trace_events
from otel_bridge.forward.target import Outcome, Protocol, Response, Target, outcome_of, retry_after_seconds
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.translate import translate_spans
from tests.support.spans import record


def test_backoff_grows_is_capped_and_honours_retry_after() -> None:
    backoff = Backoff(base=0.5, cap=8.0, rand=lambda: 1.0)
    assert [backoff.delay(n) for n in (1, 2, 3, 4, 5, 9)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert backoff.delay(1, retry_after=30.0) == 30.0
    assert Backoff(rand=lambda: 0.25).delay(3) == 0.5  # full jitter: a fraction of the bound


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    now = datetime(2015, 10, 21, 7, 28, 20, tzinfo=timezone.utc)
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:30 GMT"}, now) == 10.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_what_each_status_means() -> None:
    assert outcome_of(200) is Outcome.ACCEPTED and outcome_of(207) is Outcome.ACCEPTED
    assert {outcome_of(s) for s in (0, 408, 429, 500, 502, 503, 504)} == {Outcome.RETRY}
    assert {outcome_of(s) for s in (400, 401, 403, 404, 413, 422)} == {Outcome.REFUSED}


def _items(count: int) -> dict[int, Item]:
    store = InMemoryStore()
    project = store.create_project("p").project.id
    spans = [
        record(n, 1, name=f"root-{n}", attrs={"session.id": f"s{n}", "input.value": "x" * 300})
        for n in range(1, count + 1)
    ]
    store.write_batch(project, translate_spans(spans))
    items = {}
    for n in range(1, count + 1):
        detail = store.get_trace(project, f"{n:032x}")
        items[n] = Item(detail.summary.trace, detail.observations)
    return items


def test_batches_stay_under_the_limit_and_keep_every_event() -> None:
    events = [
        (str(n), e) for n, item in _items(20).items() for e in trace_events(item.trace, item.observations)
    ]
    made = batches(events, 4_000)
    assert len(made) > 1
    assert all(len(b.body) <= 4_000 for b in made)
    sent = [e for b in made for e in json.loads(b.body)["batch"]]
    assert sent == [e for _, e in events]


@dataclass(frozen=True)
class IngestionTarget(Target):
    """Answers each batch with a 207 whose errors come from ``fail`` (event type → statuses, one per
    attempt), and keeps the events of every request."""

    fail: dict[str, list[int]] = field(default_factory=dict)
    requests: list[list[dict[str, object]]] = field(default_factory=list)

    def post_events(self, body: bytes) -> Response:
        batch = json.loads(body)["batch"]
        self.requests.append(batch)
        errors = []
        for event in batch:
            statuses = self.fail.get(event["type"])
            if statuses:
                errors.append({"id": event["id"], "status": statuses.pop(0), "message": "nope"})
        successes = [
            {"id": e["id"], "status": 201} for e in batch if e["id"] not in {x["id"] for x in errors}
        ]
        return Response(207, {}, json.dumps({"successes": successes, "errors": errors}).encode())


def test_a_207_resends_only_the_failed_events() -> None:
    target = IngestionTarget("http://t.invalid", "pk", "sk", fail={"trace-create": [500, 503]})
    results = deliver(target, Protocol.INGESTION, _items(2), batch_bytes=1_000_000, sleep=lambda _s: None)
    assert {r.outcome for r in results.values()} == {Outcome.ACCEPTED}
    assert len(target.requests) == 2
    assert [e["type"] for e in target.requests[1]] == ["trace-create", "trace-create"]


def test_a_207_refusal_refuses_its_trace_only() -> None:
    target = IngestionTarget("http://t.invalid", "pk", "sk", fail={"span-create": [400]})
    items = _items(2)
    results = deliver(target, Protocol.INGESTION, items, batch_bytes=1_000_000, sleep=lambda _s: None)
    assert [results[n].outcome for n in (1, 2)] == [Outcome.REFUSED, Outcome.ACCEPTED]
    assert results[1].message == "nope"


def test_failed_events_reads_the_ingestion_response() -> None:
    body = (
        b'{"successes":[{"id":"a","status":201}],'
        b'"errors":[{"id":"b","status":400,"message":"bad"},{"id":"c"}]}'
    )
    assert failed_events(body) == [("b", 400, "bad"), ("c", 500, "")]
    assert failed_events(b"not json") == []


def _server(status: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(
    ("status", "protocol"), [(200, Protocol.OTEL), (404, Protocol.INGESTION), (401, None)]
)
def test_the_protocol_is_detected_from_an_empty_export(status: int, protocol: Protocol | None) -> None:
    server = _server(status)
    try:
        assert Target(f"http://127.0.0.1:{server.server_address[1]}", "pk", "sk").detect() is protocol
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_target_is_not_detected() -> None:
    assert Target("http://127.0.0.1:9", "pk", "sk").detect() is None
