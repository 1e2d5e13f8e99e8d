"""The ingestor: bounded byte queue, group commit, failures, shutdown."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence

import pytest

from otel_bridge.errors import QueueFull, StoreUnavailable
from otel_bridge.ingest import Histogram, Ingestor
from otel_bridge.store import PreparedBatch
from otel_bridge.store.prepared import observation_ids
from otel_bridge.translate import Translation
from tests.support.spans import record, span_id, translate


def spans(n: int, first: int = 1) -> list[Translation]:
    return translate(*(record(first + i, first + i) for i in range(n)))


class FakeStore:
    """Records every ``write_prepared`` as (project, span ids) per project, in order; can block (until
    released), fail, or fail on a poison span."""

    def __init__(self) -> None:
        self.batches: list[tuple[str, list[str]]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()
        self.failure: Exception | None = None
        self.poison: str | None = None

    def write_prepared(self, batches: Sequence[PreparedBatch]) -> None:
        self.entered.set()
        assert self.gate.wait(10)
        if self.failure is not None:
            raise self.failure
        by_project: dict[str, list[str]] = {}
        for batch in batches:
            by_project.setdefault(batch["project_id"], []).extend(observation_ids(batch))
        if any(self.poison in ids for ids in by_project.values()):
            raise ValueError("poison span")
        self.batches += [(project_id, sorted(ids)) for project_id, ids in by_project.items()]


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


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

    def test_projects_commit_separately(self) -> None:
        """Requests of two projects queued together become one write per project."""
        store = FakeStore()

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            tasks = [
                asyncio.create_task(ingestor.submit(project, spans(1, n), 10))
                for n, project in enumerate(("a", "b", "a"), start=1)
            ]
            await asyncio.sleep(0.05)
            store.gate.set()
            await asyncio.gather(*tasks)
            assert sorted(store.batches) == [
                ("a", [span_id(1)]),
                ("a", [span_id(3)]),
                ("b", [span_id(2)]),
            ] or (sorted(store.batches) == [("a", [span_id(1), span_id(3)]), ("b", [span_id(2)])])
            await ingestor.close(5)

        run(scenario())

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

    def test_poison_request_does_not_fail_its_neighbours(self) -> None:
        """When a group commit fails for a bad request, the others are committed one by one."""
        store = FakeStore()
        store.poison = span_id(2)

        async def scenario() -> None:
            ingestor = Ingestor(store, queue_bytes=10_000)
            await ingestor.start()
            store.gate.clear()
            tasks = [asyncio.create_task(ingestor.submit("p", spans(1, n), 10)) for n in (1, 2, 3)]
            await asyncio.sleep(0.05)
            store.gate.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            failed = [n for n, result in zip((1, 2, 3), results, strict=True) if result is not None]
            assert 2 in failed and 3 not in failed
            assert isinstance(results[1], StoreUnavailable)
            committed = {i for _, ids in store.batches for i in ids}
            assert span_id(3) in committed and span_id(2) not in committed
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
