"""The forwarder over a real store (SQLite and PostgreSQL): what it sends when, and how it settles
the spool. The target is a recording stand-in at the HTTP seam (the end-to-end tests use a real
server); the clock is the test's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge.errors import ForwardBacklogFull
from otel_bridge.forward.backoff import Backoff
from otel_bridge.forward.target import Protocol, Response, Target
from otel_bridge.forward.worker import Forwarder, ForwardOptions
from otel_bridge.model import SpanRecord
from otel_bridge.otlp import decode_request
from otel_bridge.otlp.values import any_value
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.migrations import upgrade
from otel_bridge.translate import translate_spans
from tests.support.spans import record

SECOND = 1_000_000_000
TRACE = "a1" * 16


@dataclass(frozen=True)
class RecordingTarget(Target):
    """Answers from ``answers`` (then 200) and keeps every request it was sent; ``during`` holds
    what to do while the next requests are in flight."""

    answers: list[Response] = field(default_factory=list)
    sent: list[ExportTraceServiceRequest] = field(default_factory=list)
    during: list[Callable[[], None]] = field(default_factory=list)

    def post_spans(self, request: ExportTraceServiceRequest) -> Response:
        self.sent.append(request)
        if self.during:
            self.during.pop(0)()
        return self.answers.pop(0) if self.answers else Response(200, {}, b"{}")

    def sent_spans(self, index: int = -1) -> dict[str, dict[str, object]]:
        """Span id → attributes of request ``index``."""
        records = decode_request(self.sent[index]).records
        return {r.span_id: dict(r.attributes) for r in records}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000 * SECOND

    def __call__(self) -> int:
        return self.now


@pytest.fixture
def store(empty_engine: sa.Engine) -> SqlStore:
    upgrade(empty_engine)
    return SqlStore(empty_engine, forwarding=True, clock=_shared_clock)


_CLOCK = Clock()


def _shared_clock() -> int:
    return _CLOCK()


@pytest.fixture
def clock() -> Clock:
    _CLOCK.now = 1_000 * SECOND
    return _CLOCK


def _forwarder(
    store: SqlStore, target: RecordingTarget, clock: Callable[[], int], *, max_backlog_traces: int = 100
) -> Forwarder:
    settings = ForwardOptions(
        quiet_seconds=2,
        timeout_seconds=60,
        backoff=Backoff(rand=lambda: 1.0),
        max_backlog_traces=max_backlog_traces,
    )
    return Forwarder(store, store.forwarding, target, Protocol.OTEL, settings, clock=clock)


def _write(store: SqlStore, project: str, *spans: SpanRecord) -> None:
    store.write_batch(project, translate_spans(spans))


def _target() -> RecordingTarget:
    return RecordingTarget("http://target.invalid", "pk-lf-t", "sk-lf-t")


def test_waits_for_the_quiet_period_after_the_root(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="01" * 8, name="root"))
    assert forwarder.run_once() == 0  # not quiet yet
    clock.now += 3 * SECOND
    assert forwarder.run_once() == 1
    assert set(target.sent_spans()) == {"01" * 8}
    clock.now += 10 * SECOND
    assert forwarder.run_once() == 0  # delivered once
    assert forwarder.stats.backlog_traces == 0


def test_a_trace_without_root_goes_after_the_timeout(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="02" * 8, parent="01" * 8))
    clock.now += 30 * SECOND
    assert forwarder.run_once() == 0
    clock.now += 31 * SECOND
    assert forwarder.run_once() == 1


def test_a_late_span_alone_is_sent_unless_the_trace_values_change(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    forwarder = _forwarder(store, target, clock)
    root = record(trace=TRACE, span="01" * 8, name="root", end=10)
    _write(store, project, root, record(trace=TRACE, span="02" * 8, parent="01" * 8))
    clock.now += 3 * SECOND
    forwarder.run_once()
    _write(store, project, record(trace=TRACE, span="03" * 8, parent="01" * 8))
    clock.now += 3 * SECOND
    forwarder.run_once()
    assert set(target.sent_spans()) == {"03" * 8}
    late = record(trace=TRACE, span="04" * 8, parent="01" * 8, attrs={"session.id": "s9"})
    _write(store, project, late)
    clock.now += 3 * SECOND
    forwarder.run_once()
    resent = target.sent_spans()
    assert set(resent) == {"01" * 8, "02" * 8, "03" * 8, "04" * 8}
    assert {a["langfuse.session.id"] for a in resent.values()} == {"s9"}
    assert forwarder.stats.traces_reforwarded == 2


def test_retries_back_off_and_honour_retry_after(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    target.answers[:] = [Response(503, {"Retry-After": "30"}), Response(0, {}, b"refused")]
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="01" * 8))
    clock.now += 3 * SECOND
    assert forwarder.run_once() == 1
    clock.now += 29 * SECOND
    assert forwarder.run_once() == 0  # Retry-After: 30 s
    clock.now += 2 * SECOND
    assert forwarder.run_once() == 1  # no answer this time: backoff 0.5 * 2 = 1 s (rand = 1)
    clock.now += 1 * SECOND
    assert forwarder.run_once() == 1
    assert len(target.sent) == 3
    assert forwarder.stats.retries == {"503": 1, "unreachable": 1}
    assert forwarder.stats.traces_forwarded == 1


def test_a_refused_trace_is_not_retried_until_it_changes(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    target.answers[:] = [Response(400, {}, b'{"message":"bad span"}')]
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="01" * 8))
    clock.now += 3 * SECOND
    forwarder.run_once()
    clock.now += 600 * SECOND
    assert forwarder.run_once() == 0
    status = store.forwarding.status(project, TRACE)
    assert status is not None and status.failed and status.last_error == "HTTP 400: bad span"
    assert forwarder.stats.failures == {"400": 1}
    _write(store, project, record(trace=TRACE, span="02" * 8, parent="01" * 8))
    clock.now += 3 * SECOND
    assert forwarder.run_once() == 1


def test_a_span_written_during_a_delivery_is_delivered_next(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="01" * 8))
    clock.now += 3 * SECOND

    def write_meanwhile() -> None:
        clock.now += 1
        _write(store, project, record(TRACE, "02" * 8, "01" * 8))

    target.during.append(write_meanwhile)
    forwarder.run_once()
    clock.now += 3 * SECOND
    assert forwarder.run_once() == 1
    assert set(target.sent_spans()) == {"02" * 8}


def test_the_backlog_bound_refuses_ingestion(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    forwarder = _forwarder(store, _target(), clock, max_backlog_traces=2)
    _write(store, project, record(trace=TRACE, span="01" * 8))
    forwarder.refresh_backlog()
    forwarder.admit()
    _write(store, project, record(trace="b2" * 16, span="01" * 8))
    forwarder.refresh_backlog()
    with pytest.raises(ForwardBacklogFull, match="forwarding backlog full"):
        forwarder.admit()
    assert forwarder.stats.oldest_pending_ns == 1_000 * SECOND


def test_forwarding_off_writes_no_spool_rows(empty_engine: sa.Engine) -> None:
    upgrade(empty_engine)
    store = SqlStore(empty_engine)
    project = store.create_project("p").project.id
    _write(store, project, record(trace=TRACE, span="01" * 8))
    assert store.forwarding.backlog().traces == 0
    assert store.forwarding.status(project, TRACE) is None


def test_the_span_attributes_are_what_was_stored(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    forwarder = _forwarder(store, target, clock)
    _write(store, project, record(trace=TRACE, span="01" * 8, attrs={"app.flag": "x", "user.id": "u"}))
    clock.now += 3 * SECOND
    forwarder.run_once()
    sent = target.sent[-1].resource_spans[0].scope_spans[0].spans[0]
    attributes = {kv.key: any_value(kv.value) for kv in sent.attributes}
    assert attributes["app.flag"] == "x" and attributes["langfuse.user.id"] == "u"
    assert "user.id" not in attributes


def test_retention_prunes_delivered_traces_only(store: SqlStore, clock: Clock) -> None:
    project = store.create_project("p").project.id
    target = _target()
    settings = ForwardOptions(quiet_seconds=2, timeout_seconds=60, retention_seconds=100)
    forwarder = Forwarder(store, store.forwarding, target, Protocol.OTEL, settings, clock=clock)
    _write(store, project, record(TRACE, "01" * 8))
    clock.now += 3 * SECOND
    forwarder.run_once()
    other = "c3" * 16
    _write(store, project, record(other, "01" * 8, "09" * 8))  # no root: not delivered yet
    clock.now += 101 * SECOND
    forwarder.run_once()  # delivers the root-less trace (its timeout passed)
    forwarder.run_once()  # nothing due: prunes what was delivered over 100 s ago
    assert forwarder.stats.pruned_traces == 1
    assert [s.trace.id for s in store.list_traces(project).items] == [other]
    assert store.forwarding.status(project, TRACE) is None
