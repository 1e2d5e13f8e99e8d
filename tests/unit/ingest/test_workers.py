"""Decode workers: the same prepared batches in a process as in this one, errors carried back, and a
pool that survives a dead worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from otel_bridge.errors import DecodeError, StoreUnavailable
from otel_bridge.ingest import DecodePool, prepare_export
from otel_bridge.otlp import decode_protobuf
from otel_bridge.store.sql.prepare import SqlWritePreparer
from otel_bridge.testing import build_export_request, make_span
from otel_bridge.translate import translate_spans

TRACE = bytes.fromhex("0af7651916cd43dd8448eb211c80319c")
#: The server's preparer: the SQL store's.
PREPARER = SqlWritePreparer()


def body(n: int = 3, *, bad: int = 0) -> bytes:
    spans = [
        make_span(
            f"span {i}",
            trace_id=TRACE,
            span_id=(i + 1).to_bytes(8, "big"),
            attributes={"session.id": "s-1", "gen_ai.request.model": "gpt-4o"},
        )
        for i in range(n)
    ]
    spans += [make_span("bad", trace_id=bytes(16), span_id=(100 + i).to_bytes(8, "big")) for i in range(bad)]
    return build_export_request(spans).SerializeToString()


class TestPrepareExport:
    def test_matches_decode_translate_prepare(self) -> None:
        """``prepare_export`` is decode → translate → ``preparer.prepare``, with rejections counted apart."""
        data = body(3, bad=1)
        prepared = prepare_export(PREPARER, "p1", data, "protobuf")
        expected = PREPARER.prepare("p1", translate_spans(decode_protobuf(data).records))
        assert prepared.accepted == 3
        assert [r.reason for r in prepared.rejected] == ["trace_id must not be all zeros"]
        assert prepared.batch == expected

    def test_no_accepted_span_has_no_batch(self) -> None:
        """A request whose every span was rejected prepares nothing to write."""
        prepared = prepare_export(PREPARER, "p1", body(0, bad=2), "protobuf")
        assert (prepared.batch, prepared.accepted, len(prepared.rejected)) == (None, 0, 2)


class TestDecodePool:
    @pytest.mark.parametrize("processes", [0, 1])
    def test_prepares_in_worker(self, processes: int) -> None:
        """A worker process (or the thread) returns what ``prepare_export`` returns here."""

        data = body(4)

        async def scenario() -> None:
            pool = DecodePool(PREPARER, processes)
            await pool.start()
            try:
                prepared = await pool.prepare("p1", data, "protobuf")
            finally:
                pool.close()
            assert prepared == prepare_export(PREPARER, "p1", data, "protobuf")

        asyncio.run(scenario())

    def test_decode_error_crosses_the_process_boundary(self) -> None:
        """An undecodable body raises ``DecodeError`` with the decoder's message in the caller."""

        async def scenario() -> None:
            pool = DecodePool(PREPARER, 1)
            await pool.start()
            try:
                with pytest.raises(DecodeError, match="could not be parsed"):
                    await pool.prepare("p1", b"\xff\xff\xff", "protobuf")
            finally:
                pool.close()

        asyncio.run(scenario())

    def test_dead_worker_is_retryable_and_replaced(self) -> None:
        """A killed worker fails its request with a retryable error; the next request gets a new worker."""

        async def scenario() -> None:
            pool = DecodePool(PREPARER, 1)
            await pool.start()
            try:
                executor = pool._executor
                assert executor is not None
                for pid in list(executor._processes):  # type: ignore[attr-defined]
                    os.kill(pid, signal.SIGKILL)
                with pytest.raises(StoreUnavailable):
                    await pool.prepare("p1", body(1), "protobuf")
                prepared = await pool.prepare("p1", body(2), "protobuf")
                assert prepared.accepted == 2
            finally:
                pool.close()

        asyncio.run(scenario())


class TestOrphanedWorker:
    def test_worker_exits_when_its_server_is_killed(self) -> None:
        """A worker whose parent was killed with SIGKILL exits by itself within seconds."""
        script = (
            "import asyncio, os, sys\n"
            "from otel_bridge.ingest import DecodePool\n"
            "from otel_bridge.store.sql.prepare import SqlWritePreparer\n"
            "async def main():\n"
            "    pool = DecodePool(SqlWritePreparer(), 1)\n"
            "    await pool.start()\n"
            "    print(*pool._executor._processes, flush=True)\n"
            "    await asyncio.sleep(60)\n"
            "asyncio.run(main())\n"
        )
        with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as parent:
            assert parent.stdout is not None
            worker = int(parent.stdout.readline().split()[0])
            parent.kill()
            parent.wait(10)
        deadline = time.monotonic() + 10
        while _alive(worker):
            assert time.monotonic() < deadline, "the orphaned worker is still running"
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not reaped by its new parent yet) counts as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"
