"""The ingestor: bounded byte queue, group commit, failures, shutdown."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

from otel_bridge.errors import QueueFull, StoreUnavailable, WriteRejected
from otel_bridge.ingest import Histogram, Ingestor
from otel_bridge.model import Rejected
from otel_bridge.store import PreparedWrite, WritePreparer
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.engine import make_engine
from otel_bridge.store.sql.migrations import upgrade
from otel_bridge.translate import Translation
from tests.support.spans import generation, record, span_id, trace_id, translate

T = TypeVar("T")


def spans(n: int, first: int = 1) -> list[Translation]:
    return translate(*(record(first + i, first + i) for i in range(n)))


class FakeStore:
    """Records every ``write_prepared`` call as (its projects, its span ids), in order; can block
    (until released) or fail. Writes are prepared by the in-memory store's preparer."""

    def __init__(self) -> None:
        self.preparer: WritePreparer = InMemoryStore().preparer
        self.batches: list[tuple[str, list[str]]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.failure: Exception | None = None

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        self.entered.set()
        assert self.gate.wait(10)
        if self.failure is not None:
            raise self.failure
        projects = ",".join(sorted({batch.project_id for batch in batches}))
        span_ids = (span for batch in batches for _, span in self.preparer.span_ids(batch))
        self.batches.append((projects, sorted(span_ids)))


class GatedStore:
    """A real store behind a gate that counts writes; it refuses for good (``WriteRejected``, or
    ``error``) every write that holds the ``poison`` trace, and after ``unavailable_after`` writes
    answers ``StoreUnavailable``."""

    def __init__(self, store: SqlStore, poison: str | None = None, error: Exception | None = None) -> None:
        self.store = store
        self.preparer = store.preparer
        self.poison = poison
        self.error = error or WriteRejected("the database refused the poison trace")
        self.unavailable_after: int | None = None
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        self.entered.set()
        assert self.gate.wait(10)
        self.calls += 1
        if self.unavailable_after is not None and self.calls > self.unavailable_after:
            raise StoreUnavailable("database is gone")
        if any(self.poison in batch.trace_ids for batch in batches):
            raise self.error
        self.store.write_prepared(batches)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    store = SqlStore(url)
    yield store
    store.close()


def run(coroutine: Coroutine[object, object, T]) -> T:
    return asyncio.run(coroutine)


class TestIngestor:
    def test_submit_returns_after_commit(self) -> None:
        """``submit`` returns only once ``write_prepared`` has returned with the spans."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=1000)
            await ingestor.start()
            await ingestor.submit("p1", spans(2), 100)
            assert store.batches == [("p1", [span_id(1), span_id(2)])]
            assert ingestor.queued_bytes == 0
            assert ingestor.stats.committed_spans == 2
            await ingestor.close(5)

        run(scenario())

    def test_concurrent_requests_share_one_commit(self) -> None:
        """Requests queued while a commit runs are written together in the next single commit."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            first = asyncio.create_task(ingestor.submit("p", spans(1, 1), 10))
            await asyncio.to_thread(store.entered.wait, 5)
            rest = [asyncio.create_task(ingestor.submit("p", spans(1, n), 10)) for n in (2, 3, 4)]
            await asyncio.sleep(0.05)
            store.gate.set()
            await asyncio.gather(first, *rest)
            assert [ids for _, ids in store.batches] == [[span_id(1)], [span_id(2), span_id(3), span_id(4)]]
            await ingestor.close(5)

        run(scenario())

    def test_batches_are_capped_in_spans(self) -> None:
        """One commit takes at most ``max_batch_spans`` spans (but always at least one request)."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000, max_batch_spans=2)
            await ingestor.start()
            store.gate.clear()
            tasks = [asyncio.create_task(ingestor.submit("p", spans(1, n), 10)) for n in range(1, 6)]
            await asyncio.sleep(0.05)
            store.gate.set()
            await asyncio.gather(*tasks)
            assert all(len(ids) <= 2 for _, ids in store.batches)
            assert sum(len(ids) for _, ids in store.batches) == 5
            await ingestor.close(5)

        run(scenario())

    def test_projects_commit_separately(self, sqlite_store: SqlStore) -> None:
        """Requests of two projects queued together are committed in one group, each into its own
        project, even with the same trace and span ids."""
        store = GatedStore(sqlite_store)
        a = sqlite_store.create_project("a").project.id
        b = sqlite_store.create_project("b").project.id

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            first = asyncio.create_task(ingestor.submit(a, translate(record(9, 9, name="first")), 10))
            await asyncio.to_thread(store.entered.wait, 5)
            together = [
                asyncio.create_task(ingestor.submit(project, translate(record(1, 1, name=name)), 10))
                for project, name in ((a, "of a"), (b, "of b"))
            ]
            await asyncio.sleep(0.05)
            store.gate.set()
            await asyncio.gather(first, *together)
            assert store.calls == 2  # the two queued behind the first: one group commit
            await ingestor.close(5)

        run(scenario())
        assert [o.name for o in sqlite_store.get_trace(a, trace_id(1)).observations] == ["of a"]
        assert [o.name for o in sqlite_store.get_trace(b, trace_id(1)).observations] == ["of b"]
        assert (sqlite_store.list_traces(a).total, sqlite_store.list_traces(b).total) == (2, 1)

    def test_full_queue_refuses_with_retry_after(self) -> None:
        """A reservation past the byte limit raises ``QueueFull`` with a positive ``retry_after``."""

        async def scenario() -> None:
            ingestor = Ingestor(FakeStore(), queue_bytes=100)
            await ingestor.start()
            held = ingestor.reserve(80)
            with pytest.raises(QueueFull) as caught:
                ingestor.reserve(30)
            assert caught.value.retry_after >= 1
            assert "queue full" in caught.value.message
            assert ingestor.stats.queue_full == 1
            held.release()
            ingestor.reserve(30).release()
            assert ingestor.queued_bytes == 0
            await ingestor.close(5)

        run(scenario())

    def test_bytes_stay_reserved_until_commit(self) -> None:
        """Queued bytes count until the commit finishes, then return to zero."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=100)
            await ingestor.start()
            store.gate.clear()
            task = asyncio.create_task(ingestor.submit("p", spans(1), 60))
            await asyncio.to_thread(store.entered.wait, 5)
            assert ingestor.queued_bytes == 60
            with pytest.raises(QueueFull):
                ingestor.reserve(50)
            store.gate.set()
            await task
            assert ingestor.queued_bytes == 0
            await ingestor.close(5)

        run(scenario())

    def test_failed_commit_fails_requests_retryably(self) -> None:
        """A store error fails the waiting requests with a retryable ``StoreUnavailable``."""
        store = FakeStore()
        store.failure = StoreUnavailable("database is locked")

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=100)
            await ingestor.start()
            with pytest.raises(StoreUnavailable) as caught:
                await ingestor.submit("p", spans(1), 10)
            assert caught.value.retryable
            assert ingestor.queued_bytes == 0
            assert ingestor.stats.failed_commits == 1
            await ingestor.close(5)

        run(scenario())

    def test_refused_trace_is_rejected_and_the_rest_committed(self, sqlite_store: SqlStore) -> None:
        """A trace the database refuses for good (``WriteRejected``) is not retried: the spans of that
        trace come back as rejected, with the database's reason; its request's other traces and the
        requests committed in the same group are stored."""
        store = GatedStore(sqlite_store, poison=trace_id(2))
        project_id = sqlite_store.create_project("p").project.id

        async def scenario() -> list[tuple[Rejected, ...]]:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            requests = [
                translate(record(1, 1)),
                translate(record(2, 21), record(2, 22, 21), record(4, 4), record(5, 5)),
                translate(record(3, 3)),
            ]
            tasks = [asyncio.create_task(ingestor.submit(project_id, request, 10)) for request in requests]
            await asyncio.sleep(0.05)
            store.gate.set()
            outcomes = await asyncio.gather(*tasks)
            assert ingestor.stats.rejected_spans == 2
            assert ingestor.queued_bytes == 0
            await ingestor.close(5)
            return outcomes

        first, second, third = run(scenario())
        assert first == third == ()
        assert sorted((r.trace_id, r.span_id) for r in second) == [
            (trace_id(2), span_id(21)),
            (trace_id(2), span_id(22)),
        ]
        assert all("refused" in r.reason and "poison" in r.reason for r in second)
        stored = {t.trace.id for t in sqlite_store.list_traces(project_id).items}
        assert stored == {trace_id(n) for n in (1, 3, 4, 5)}

    def test_a_real_refusal_is_rejected(self, sqlite_store: SqlStore) -> None:
        """A value SQLite cannot store (a token count past 64 bits) fails its trace for good,
        classified by the store itself: rejected, not retried; the request's other trace is kept."""
        project_id = sqlite_store.create_project("p").project.id
        too_many = 2**63 - 1  # a valid OTLP int64, whose total with the output tokens is not

        async def scenario() -> tuple[Rejected, ...]:
            ingestor = Ingestor(sqlite_store, queue_bytes=10_000)
            await ingestor.start()
            request = translate(generation(1, 1, None, start=0, end=1, input_tokens=too_many), record(2, 2))
            outcome = await ingestor.submit(project_id, request, 10)
            await ingestor.close(5)
            return outcome

        rejected = run(scenario())
        assert [(r.trace_id, r.span_id) for r in rejected] == [(trace_id(1), span_id(1))]
        assert [t.trace.id for t in sqlite_store.list_traces(project_id).items] == [trace_id(2)]

    def test_unclassified_store_errors_are_permanent(self, sqlite_store: SqlStore) -> None:
        """An error the store does not classify (a bug: it would recur) rejects the spans rather than
        asking every client to retry them forever."""
        store = GatedStore(sqlite_store, poison=trace_id(1), error=ValueError("unexpected value"))
        project_id = sqlite_store.create_project("p").project.id

        async def scenario() -> tuple[Rejected, ...]:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            outcome = await ingestor.submit(project_id, translate(record(1, 1)), 10)
            await ingestor.close(5)
            return outcome

        (rejected,) = run(scenario())
        assert "ValueError: unexpected value" in rejected.reason

    def test_unavailable_store_while_isolating_fails_retryably(self, sqlite_store: SqlStore) -> None:
        """When the database goes away while the refused trace is looked for, the request fails
        retryably (its client sends it again), and nothing is reported as rejected."""
        store = GatedStore(sqlite_store, poison=trace_id(1))
        project_id = sqlite_store.create_project("p").project.id

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.unavailable_after = 1  # the group write is refused, then the database is gone
            with pytest.raises(StoreUnavailable):
                await ingestor.submit(project_id, translate(record(1, 1), record(2, 2)), 10)
            assert ingestor.stats.rejected_spans == 0
            await ingestor.close(5)

        run(scenario())

    def test_empty_request_needs_no_commit(self) -> None:
        """A request without spans returns at once and writes nothing."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=100)
            await ingestor.start()
            await ingestor.submit("p", [], 10)
            assert store.batches == []
            assert ingestor.queued_bytes == 0
            await ingestor.close(5)

        run(scenario())

    def test_close_drains_the_queue(self) -> None:
        """``close`` commits what was queued before it, then refuses new requests."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000, commit_delay=0.05)
            await ingestor.start()
            tasks = [asyncio.create_task(ingestor.submit("p", spans(1, n), 10)) for n in range(1, 4)]
            await asyncio.sleep(0)
            assert await ingestor.close(10) is True
            await asyncio.gather(*tasks)
            assert sum(len(ids) for _, ids in store.batches) == 3
            assert not ingestor.accepting
            with pytest.raises(QueueFull, match="shutting down"):
                ingestor.reserve(1)

        run(scenario())

    def test_admitted_request_commits_during_drain(self) -> None:
        """A request admitted before ``close`` (still decoding) is committed, not refused."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=100)
            await ingestor.start()
            reservation = ingestor.reserve(10)
            closing = asyncio.create_task(ingestor.close(5))
            await asyncio.sleep(0.05)
            assert not closing.done()  # waiting for the admitted request
            await reservation.commit("p", spans(1))
            assert await closing is True
            assert store.batches == [("p", [span_id(1)])]

        run(scenario())

    def test_abandoned_reservation_does_not_block_close(self) -> None:
        """A reservation released without commit (a failed decode) lets the drain finish."""

        async def scenario() -> None:
            ingestor = Ingestor(FakeStore(), queue_bytes=100)
            await ingestor.start()
            reservation = ingestor.reserve(10)
            closing = asyncio.create_task(ingestor.close(5))
            await asyncio.sleep(0.05)
            reservation.release()
            assert await closing is True

        run(scenario())

    def test_close_past_deadline_fails_the_rest(self) -> None:
        """Requests still queued at the drain deadline fail with ``StoreUnavailable``, never succeed."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            tasks = [asyncio.create_task(ingestor.submit("p", spans(1, n), 10)) for n in range(1, 4)]
            await asyncio.to_thread(store.entered.wait, 5)
            started = time.monotonic()
            assert await ingestor.close(0.2) is False
            assert time.monotonic() - started < 5
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(result, StoreUnavailable) for result in results)
            assert ingestor.queued_bytes == 0
            store.gate.set()

        run(scenario())

    def test_cancelled_request_keeps_its_bytes_until_settled(self) -> None:
        """A request cancelled while committing keeps its reservation until the writer settles it."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=100)
            await ingestor.start()
            store.gate.clear()
            task = asyncio.create_task(ingestor.submit("p", spans(1), 40))
            await asyncio.to_thread(store.entered.wait, 5)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert ingestor.queued_bytes == 40
            store.gate.set()
            await ingestor.close(5)
            assert ingestor.queued_bytes == 0
            assert store.batches == [("p", [span_id(1)])]

        run(scenario())


class TestHistogram:
    def test_cumulative_buckets(self) -> None:
        """Observations land in the first bucket whose bound is at or above them; +Inf counts all."""
        histogram = Histogram((0.1, 1.0))
        for value in (0.05, 0.1, 0.5, 3.0):
            histogram.observe(value)
        assert histogram.cumulative() == [2, 3, 4]
        assert histogram.count == 4
        assert histogram.total == pytest.approx(3.65)
