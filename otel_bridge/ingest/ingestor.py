"""``Ingestor``: the bounded byte queue in front of the store, and the group-commit writer behind it.

docs/architecture.md, "Durability and backpressure": an export is acknowledged only after its spans are
committed, and concurrent requests share one transaction. So a receiver *reserves* room for its
request (``reserve``, which raises ``QueueFull`` at once when the queue is at its byte limit: the
cheap refusal comes before the expensive decode), then hands over its spans — prepared by a decode
worker (``Reservation.commit_prepared``, see ``workers.py``) or as translations (``commit``, the
Langfuse ingestion API) — and awaits their commit. One writer task takes everything queued, up to
``max_batch_spans``, calls ``Store.write_prepared`` once for all of it in a dedicated thread (the
store is blocking; SQLite has one writer anyway), then wakes every request of the batch; while it
writes, the next batch accumulates.

Reserved bytes are released only when the request's fate is settled (committed or failed), so the
limit bounds everything between admission and acknowledgement: the decoded spans of a request are
about four times its body, and a 32 MiB queue holds about 130 MB of them.

A commit that fails because of the database's state (``StoreUnavailable``: down, locked, full) fails
its requests with that retryable error (503 / ``UNAVAILABLE``): nothing is acknowledged that was not
committed, and the clients send the spans again. A commit that fails because of the data
(``WriteRejected``, or any other error: writing the same spans again would fail again) must not be
retried by the clients forever, so the writer finds the spans at fault instead: a group commit is
retried one request at a time, and a request that fails alone is split by trace and written in
halves until the refused traces are found (``isolation.py``). Their spans are *rejected* (reported
to the client as OTLP ``partial_success``, which exporters do not retry, with the database's
message); everything else is committed.

All queue state lives on the event loop; only the write runs in the writer thread.

Why the writer is a thread of the server process and the decoders are processes: a child process
running ``write_batch`` on pickled translations was measured (``tests/bench/bench_e2e.py``, 30,720
LLM-sized spans, 4 clients, this 2-core machine) at 0.6-0.8x the thread's throughput, because
pickling a ``Translation`` costs about 40 µs a span on each side. What the store's ``WritePreparer``
makes (the SQL store's: builtins only) costs a few µs, so the work before the write moved to the
decode workers instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import math
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from otel_bridge.errors import OtelBridgeError, QueueFull, StoreUnavailable
from otel_bridge.ingest.isolation import classified, refused_spans
from otel_bridge.ingest.stats import IngestStats
from otel_bridge.model import Rejected
from otel_bridge.store import PreparedWrite, WritePreparer
from otel_bridge.translate import Translation

logger = logging.getLogger("otel_bridge.ingest")

#: Retry-After bounds, seconds: never ask a client to come back at once, nor to wait for ages.
MIN_RETRY_AFTER = 1.0
MAX_RETRY_AFTER = 30.0


#: The writer thread's name as the kernel knows it (``top -H``, ``/proc/<pid>/task/*/comm``; 15 bytes at
#: most): ``make bench`` reports its CPU apart from the receiver's.
WRITER_THREAD_NAME = "otel-bridge-wri"
_PR_SET_NAME = 15  # prctl(2)


def name_native_thread(name: str = WRITER_THREAD_NAME) -> None:
    """Give the calling thread ``name`` at the kernel level (Linux; elsewhere nothing): Python 3.11's
    thread names are Python-only, so per-thread CPU in ``/proc`` would not say which thread writes."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_NAME, name.encode()[:15], 0, 0, 0)


class CanWritePrepared(Protocol):
    """The part of ``otel_bridge.store.Store`` the ingestor needs."""

    @property
    def preparer(self) -> WritePreparer:
        """What prepares the store's writes."""
        ...

    def write_prepared(self, batches: Sequence[PreparedWrite]) -> None:
        """Store the batches in one transaction, in order; committed when this returns."""
        ...


@dataclass(eq=False)
class _Pending:
    project_id: str
    #: Prepared by a decode worker, or None: ``translations`` are prepared by the writer.
    batch: PreparedWrite | None
    translations: Sequence[Translation]
    spans: int
    size: int
    done: asyncio.Future[tuple[Rejected, ...]]
    settled: bool = False

    def prepared(self, preparer: WritePreparer) -> PreparedWrite:
        if self.batch is not None:
            return self.batch
        return preparer.prepare(self.project_id, self.translations)


@dataclass(eq=False)
class Reservation:
    """Room for one request in the queue. ``commit`` it, or ``release`` it when the request fails
    before that (``release`` is idempotent, and ``async with`` releases on the way out)."""

    ingestor: Ingestor
    size: int
    released: bool = field(default=False)
    committing: bool = field(default=False)

    async def commit(self, project_id: str, translations: Sequence[Translation]) -> tuple[Rejected, ...]:
        """Queue the spans and return once they are committed, with the spans the database refused
        for good (see the module docstring; the rest are committed). Raises ``StoreUnavailable``
        (retryable) when the commit failed or the server shut down first. The reservation is
        released either way."""
        self._begin()
        return await self.ingestor._commit(self, project_id, None, translations, len(translations))

    async def commit_prepared(self, batch: PreparedWrite | None, spans: int) -> tuple[Rejected, ...]:
        """``commit`` for spans a decode worker prepared with ``Ingestor.preparer`` (``batch`` None:
        there were none)."""
        self._begin()
        project_id = "" if batch is None else batch.project_id
        return await self.ingestor._commit(self, project_id, batch, (), spans if batch is not None else 0)

    def _begin(self) -> None:
        if self.released or self.committing:
            raise RuntimeError("a reservation is committed at most once, and not after release")
        self.committing = True

    def release(self) -> None:
        """Give the reserved bytes back (after the request's fate is settled)."""
        if not self.released:
            self.released = True
            self.ingestor._release(self.size)

    async def __aenter__(self) -> Reservation:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        if not self.committing:
            self.release()


class Ingestor:
    """Bounded byte queue + group-commit writer over a store (see the module docstring).

    ``start()`` on the event loop that serves requests, ``close()`` on the same loop to stop intake,
    drain to a deadline and stop the writer thread (the store itself is the caller's to close).
    ``commit_delay`` slows every commit by that many seconds: for tests of backpressure only.
    """

    def __init__(
        self,
        store: CanWritePrepared,
        *,
        queue_bytes: int,
        max_batch_spans: int = 4096,
        commit_delay: float = 0.0,
    ) -> None:
        if queue_bytes <= 0 or max_batch_spans <= 0:
            raise ValueError("queue_bytes and max_batch_spans must be positive")
        self._store = store
        self.queue_bytes = queue_bytes
        self.max_batch_spans = max_batch_spans
        self._commit_delay = commit_delay
        self.stats = IngestStats()
        self._queued_bytes = 0
        self._pending: deque[_Pending] = deque()
        self._inflight: list[_Pending] = []
        self._wakeup: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closing = False  # no new reservations
        self._stopped = False  # the writer is gone: admitted requests can no longer commit
        # Exponentially weighted drain rate in bytes/s, for an honest Retry-After.
        self._drain_rate = 0.0
        #: Called before every reservation; raises a ``QueueFull`` to refuse the request (the
        #: forwarder's bound on its backlog, ``otel_bridge.forward.worker.Forwarder.admit``).
        self.admission: Callable[[], None] | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the writer task and its thread on the running loop."""
        if self._writer is not None:
            raise RuntimeError("the ingestor is already started")
        self._wakeup = asyncio.Event()
        # One thread: SQLite has a single writer, and group commit already batches concurrent work.
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="otel-bridge-writer", initializer=name_native_thread
        )
        self._writer = asyncio.get_running_loop().create_task(self._run(), name="otel-bridge-writer")

    async def close(self, timeout: float) -> bool:
        """Stop intake, commit what is queued within ``timeout`` seconds, then fail the rest with
        ``StoreUnavailable`` and stop the writer. True when everything queued was committed."""
        self._closing = True
        drained = True
        if self._writer is not None and self._wakeup is not None:
            # The writer exits once every admitted request is settled, including those still being
            # decoded when intake stopped: they were admitted, so they get their commit.
            self._wakeup.set()
            done, _ = await asyncio.wait({self._writer}, timeout=timeout)
            if not done:
                drained = False
                self._writer.cancel()
                await asyncio.gather(self._writer, return_exceptions=True)
        self._stopped = True
        while self._inflight or self._pending:
            drained = False
            item = self._inflight.pop() if self._inflight else self._pending.popleft()
            self._settle(item, StoreUnavailable("otel-bridge shut down before these spans were committed"))
        if self._executor is not None:
            # A write already running in the thread finishes on its own (and commits or rolls back).
            self._executor.shutdown(wait=drained)
        return drained

    # -- intake ---------------------------------------------------------------------------------

    @property
    def preparer(self) -> WritePreparer:
        """The store's ``WritePreparer``: what decode workers prepare requests with."""
        return self._store.preparer

    @property
    def queued_bytes(self) -> int:
        """Bytes reserved and not yet settled."""
        return self._queued_bytes

    @property
    def accepting(self) -> bool:
        """False once ``close`` has begun."""
        return not self._closing

    def reserve(self, size: int) -> Reservation:
        """Room for a request of ``size`` bytes (its decompressed body), or ``QueueFull`` now."""
        if self._closing:
            self.stats.queue_full += 1
            raise QueueFull("otel-bridge is shutting down; retry against another instance or later", 5.0)
        if self.admission is not None:
            self.admission()
        if size > self.queue_bytes:
            # Settings.validate keeps request limits below the queue size; this guards direct use.
            raise QueueFull(
                f"a {size}-byte request can never fit in the {self.queue_bytes}-byte ingest queue"
            )
        if self._queued_bytes + size > self.queue_bytes:
            self.stats.queue_full += 1
            raise QueueFull(
                f"ingest queue full ({self._queued_bytes} of {self.queue_bytes} bytes waiting to be "
                "committed); retry later",
                self.retry_after(),
            )
        self._queued_bytes += size
        return Reservation(self, size)

    async def submit(
        self, project_id: str, translations: Sequence[Translation], size: int
    ) -> tuple[Rejected, ...]:
        """Reserve ``size`` bytes, queue ``translations`` and return once they are committed (with the
        spans refused for good). Raises ``QueueFull`` when there is no room, ``StoreUnavailable``
        when the commit failed."""
        return await self.reserve(size).commit(project_id, translations)

    def retry_after(self) -> float:
        """Seconds a refused client should wait: the time to drain the queue at the recent commit rate."""
        if self._drain_rate <= 0:
            return MIN_RETRY_AFTER
        return float(
            min(MAX_RETRY_AFTER, max(MIN_RETRY_AFTER, math.ceil(self._queued_bytes / self._drain_rate)))
        )

    def _release(self, size: int) -> None:
        self._queued_bytes -= size
        if self._closing and self._wakeup is not None:
            self._wakeup.set()  # the draining writer may be waiting for this last reservation

    async def _commit(
        self,
        reservation: Reservation,
        project_id: str,
        batch: PreparedWrite | None,
        translations: Sequence[Translation],
        spans: int,
    ) -> tuple[Rejected, ...]:
        if not spans:
            reservation.release()
            return ()
        if self._wakeup is None:
            reservation.release()
            raise RuntimeError("Ingestor.start() was not called")
        if self._stopped:
            reservation.release()
            raise StoreUnavailable("otel-bridge shut down before these spans were committed; retry later")
        done: asyncio.Future[tuple[Rejected, ...]] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieve)
        self._pending.append(_Pending(project_id, batch, translations, spans, reservation.size, done))
        self._wakeup.set()
        try:
            # shield: a client that disconnects cancels its handler, but the spans stay queued and their
            # bytes stay reserved until the writer has settled them.
            return await asyncio.shield(done)
        finally:
            if done.done():
                reservation.released = True  # the writer gave the bytes back when it settled the request

    # -- the writer -------------------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._wakeup is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                if self._closing and self._queued_bytes == 0:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._inflight = self._take_batch()
            await self._write(loop, self._inflight)
            self._inflight = []

    def _take_batch(self) -> list[_Pending]:
        batch = [self._pending.popleft()]
        spans = batch[0].spans
        while self._pending and spans + self._pending[0].spans <= self.max_batch_spans:
            item = self._pending.popleft()
            spans += item.spans
            batch.append(item)
        return batch

    async def _write(self, loop: asyncio.AbstractEventLoop, items: list[_Pending]) -> None:
        spans = sum(item.spans for item in items)
        started = time.perf_counter()
        try:
            await loop.run_in_executor(self._executor, self._write_blocking, items)
        except Exception as error:
            self.stats.failed_commits += 1
            failure = classified(error)
            if failure.retryable:
                self.stats.store_problem = failure.message
                logger.error("commit of %d spans failed: %s", spans, failure.message)
                for item in items:
                    self._settle(item, failure)
                return
            if len(items) > 1:
                logger.warning(
                    "group commit of %d requests failed (%s); writing each alone", len(items), failure.message
                )
                for item in items:
                    await self._write(loop, [item])
                return
            await self._isolate(loop, items[0], failure)
            return
        self._committed(items, spans, time.perf_counter() - started)
        for item in items:
            self._settle(item, None)

    def _committed(self, items: list[_Pending], spans: int, elapsed: float) -> None:
        stats = self.stats
        stats.store_problem = None
        stats.commits += 1
        stats.committed_spans += spans
        stats.committed_requests += len(items)
        stats.commit_seconds.observe(elapsed)
        size = sum(item.size for item in items)
        if elapsed > 0:
            rate = size / elapsed
            self._drain_rate = rate if self._drain_rate == 0 else 0.8 * self._drain_rate + 0.2 * rate

    async def _isolate(
        self, loop: asyncio.AbstractEventLoop, item: _Pending, failure: OtelBridgeError
    ) -> None:
        """Commit what can be of a request that the database refused, by trace, in halves; reject the
        spans of the traces it refuses alone. A retryable failure on the way fails the request (what
        was committed of it is idempotent: the client's retry rewrites it)."""
        logger.warning(
            "a request of %d spans was refused (%s); looking for the traces at fault",
            item.spans,
            failure.message,
        )
        preparer = self.preparer
        try:
            parts = preparer.split(item.prepared(preparer))
            rejected = await loop.run_in_executor(
                self._executor, refused_spans, self._store.write_prepared, preparer, parts, failure
            )
        except Exception as error:
            self._settle(item, classified(error))
            return
        self.stats.committed_spans += item.spans - len(rejected)
        self.stats.rejected_spans += len(rejected)
        logger.error("rejected %d spans the database refused: %s", len(rejected), failure.message)
        self._settle(item, None, tuple(rejected))

    def _write_blocking(self, items: list[_Pending]) -> None:
        if self._commit_delay:
            time.sleep(self._commit_delay)
        self._store.write_prepared([item.prepared(self.preparer) for item in items])

    def _settle(
        self, item: _Pending, error: BaseException | None, rejected: tuple[Rejected, ...] = ()
    ) -> None:
        if item.settled:
            return
        item.settled = True
        self._release(item.size)
        if item.done.done():
            return
        if error is None:
            item.done.set_result(rejected)
        else:
            item.done.set_exception(error)


def _retrieve(future: asyncio.Future[tuple[Rejected, ...]]) -> None:
    # The request may have been cancelled (client gone) while its spans were committing; reading the
    # outcome here keeps asyncio from reporting "exception was never retrieved".
    if not future.cancelled():
        future.exception()


__all__ = ["MAX_RETRY_AFTER", "MIN_RETRY_AFTER", "CanWritePrepared", "Ingestor", "Reservation"]
