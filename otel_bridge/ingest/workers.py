"""Decode workers: an OTLP body becomes a ``PreparedWrite`` in a worker process, beside the writer.

Why processes: decoding, translating and encoding the rows of a span is about 90 µs of Python that
holds the GIL, and the writer's share (its Python and SQLite) is about as much again. In one
process the two take turns on the GIL, so the server used one core at a time; with the Python
before the write running in worker processes, the writer's process and the workers each keep a
core busy. What crosses between them is the store's ``WritePreparer`` and the body (bytes) one way
and a ``PreparedWrite`` (the SQL store's: builtins only, a few µs a span to pickle) the other.

Workers are spawned, not forked: the server process runs gRPC's threads and the writer thread,
which a fork would copy mid-flight. A spawned worker imports only what decoding and the preparer
need: no web stack, but SQLAlchemy's Core, since the SQL preparer's row layout is derived from the
schema; about 50 MB each (SQLAlchemy about 20 of them). A worker whose server is gone (``kill -9``)
exits within a second instead of lingering with the server's stdout and stderr open:
``_watch_parent``.

``processes=0`` runs the same function in one thread of this process instead (tests, one-core
machines).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Literal

from otel_bridge.errors import StoreUnavailable
from otel_bridge.ingest.limits import (
    DEFAULT_LIMITS,
    IngestLimits,
    LimitHits,
    check_span_count,
    limit_records,
    limit_translations,
)
from otel_bridge.model import Rejected
from otel_bridge.otlp import decode_json, decode_protobuf, decoders
from otel_bridge.store import PreparedWrite, WritePreparer
from otel_bridge.translate import translate_spans
from otel_bridge.translate.masking import mask_records, mask_secrets

logger = logging.getLogger("otel_bridge.ingest")

Encoding = Literal["protobuf", "json"]


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """One export request, decoded, translated and encoded: what the writer needs, and what the
    client is told (``accepted`` spans, and the ``rejected`` ones with the rule each broke)."""

    batch: PreparedWrite | None  # None when no span was accepted
    accepted: int
    rejected: tuple[Rejected, ...]
    #: The abuse limits hit (``ingest/limits.py``), for ``/metrics``.
    limit_hits: dict[str, int]


def prepare_export(
    preparer: WritePreparer,
    project_id: str,
    body: bytes,
    encoding: Encoding,
    *,
    limits: IngestLimits = DEFAULT_LIMITS,
    mask: bool = False,
) -> PreparedExport:
    """Decode, apply ``limits``, (``mask``: mask secrets in,) translate and prepare (with ``preparer``)
    one request body (already decompressed); raises ``DecodeError`` for an undecodable body,
    ``PayloadTooLarge`` for one with too many spans. Runs in a worker process."""
    result = decode_protobuf(body) if encoding == "protobuf" else decode_json(body)
    check_span_count(len(result.records) + len(result.rejected), limits)
    hits: LimitHits
    records, over_limits, hits = limit_records(result.records, limits)
    if mask:
        records = mask_records(records, mask_secrets)
    translations, long_ids = limit_translations(translate_spans(records), limits, hits)
    batch = preparer.prepare(project_id, translations) if translations else None
    rejected = (*result.rejected, *over_limits, *long_ids)
    return PreparedExport(batch, len(translations), rejected, dict(hits))


#: How often a worker checks that its server is still alive, seconds.
PARENT_CHECK_SECONDS = 0.5


#: The youngest generation's threshold once tuned (CPython's default is 700 allocations).
GC_YOUNG_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector cheap for the ingest path; call once everything is imported.

    A request allocates some 100 objects a span, which are freed by reference counting (records,
    translations and rows hold no cycles), yet every 700 allocations start a collection, and every
    hundredth one traverses every object alive: SQLAlchemy's, the translator's tables, gRPC's. So
    ``gc.freeze()`` moves what start-up made into a generation that is never traversed, and the
    young threshold rises to ``GC_YOUNG_THRESHOLD``: cycles are still collected, 70 times less
    often. Measured on ``prepare_export`` of bench_e2e's requests (``tests/bench/bench_instructions``,
    callgrind): 411k instructions a span with the defaults, 374k tuned (−9 %); CPU time on the shared
    machine said −10 to −25 %, and ``gc.disable()`` was no better than this.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 50, 1000)


def _start_worker(decoder: str) -> None:
    """Worker initializer: the decoder the server chose, the parent watch, the tuned collector."""
    decoders.use(decoder)
    _watch_parent()
    tune_garbage_collector()


def _watch_parent() -> None:
    """A daemon thread that ends the worker once its parent process is gone (a worker blocked
    waiting for work would not notice otherwise, and would hold the server's output pipes open)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="otel-bridge-parent-watch", daemon=True).start()


class DecodePool:
    """``prepare_export`` with ``preparer`` (the store's, picklable) in ``processes`` spawned worker
    processes (or one thread when 0); ``mask`` masks secrets in every span first.

    ``start()`` spawns the workers and waits until they have imported everything, so the first
    request does not pay for it. A worker that dies (killed, out of memory) breaks the pool: its
    requests fail with a retryable error and the next request gets a new pool.
    """

    def __init__(
        self,
        preparer: WritePreparer,
        processes: int,
        limits: IngestLimits = DEFAULT_LIMITS,
        *,
        mask: bool = False,
        decoder: str = "auto",
    ) -> None:
        if processes < 0:
            raise ValueError("processes must be 0 or more")
        self.preparer = preparer
        self.processes = processes
        self.mask = mask
        self.limits = limits
        #: ``otlp.decoders.use``'s name, for the workers (a thread uses this process's choice).
        self.decoder = decoder
        self._executor: Executor | None = None

    def _new_executor(self) -> Executor:
        if self.processes == 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="otel-bridge-decode")
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.decoder,),
        )

    async def start(self) -> None:
        """Create the executor and warm every worker up (imports, caches)."""
        executor = self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        # One empty request per worker: each import happens before the first real request.
        await asyncio.gather(
            *(
                loop.run_in_executor(executor, prepare_export, self.preparer, "", b"", "protobuf")
                for _ in range(max(1, self.processes))
            )
        )

    async def prepare(self, project_id: str, body: bytes, encoding: Encoding) -> PreparedExport:
        """``prepare_export`` in a worker; ``StoreUnavailable`` (retryable) when the worker died."""
        executor = self._executor
        if executor is None:
            executor = self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                executor,
                functools.partial(prepare_export, limits=self.limits, mask=self.mask),
                self.preparer,
                project_id,
                body,
                encoding,
            )
        except BrokenProcessPool:
            logger.error("a decode worker died; starting new ones")
            if self._executor is executor:
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise StoreUnavailable("a decode worker stopped while handling this request; retry") from None

    def close(self) -> None:
        """Stop the workers (after the receivers stopped); requests still decoding are cancelled."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


__all__ = ["DecodePool", "Encoding", "PreparedExport", "prepare_export", "tune_garbage_collector"]
