"""The gRPC receiver on an in-process ``grpc.aio`` server (loopback, port chosen by the kernel)."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2
from grpc import aio
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from otel_bridge.ingest import Ingestor
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.grpc import GrpcTraceReceiver, create_server
from otel_bridge.receivers.metrics import Metrics
from tests.unit.receivers.test_http import AUTH, RecordingStore, request_body

METHOD = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"


def with_server(scenario: Any, *, queue_bytes: int = 1 << 20) -> RecordingStore:
    store = RecordingStore()

    async def main() -> None:
        metrics = Metrics()
        ingestor = Ingestor(store, queue_bytes=queue_bytes)
        await ingestor.start()
        handler = TraceExportHandler(ingestor, metrics)
        server = create_server(
            GrpcTraceReceiver(handler, Authenticator(store), metrics), max_message_bytes=64 * 1024
        )
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                await scenario(channel.unary_unary(METHOD), ingestor)
        finally:
            await server.stop(None)
            await ingestor.close(5)
            handler.close()

    asyncio.run(main())
    return store


class TestGrpcReceiver:
    def test_export_is_committed(self) -> None:
        """An authenticated Export returns an empty response after its spans are written."""
        body, span_ids = request_body(3)

        async def scenario(export: Any, _ingestor: Ingestor) -> None:
            response = await export(body, metadata=(("authorization", AUTH),), timeout=30)
            assert ExportTraceServiceResponse.FromString(response) == ExportTraceServiceResponse()

        assert with_server(scenario).written == span_ids

    def test_partial_success(self) -> None:
        """Rejected spans are reported in partial_success."""
        body, _ = request_body(1, bad=2)

        async def scenario(export: Any, _ingestor: Ingestor) -> None:
            response = ExportTraceServiceResponse.FromString(
                await export(body, metadata=(("authorization", AUTH),), timeout=30)
            )
            assert response.partial_success.rejected_spans == 2

        assert len(with_server(scenario).written) == 1

    def test_full_queue_is_unavailable_with_retry_info(self) -> None:
        """A full queue is UNAVAILABLE with RetryInfo in both trailers the clients read."""
        body, _ = request_body(2)

        async def scenario(export: Any, ingestor: Ingestor) -> None:
            held = ingestor.reserve(ingestor.queue_bytes - 10)
            try:
                await export(body, metadata=(("authorization", AUTH),), timeout=30)
            except aio.AioRpcError as error:
                assert error.code() == grpc.StatusCode.UNAVAILABLE
                trailers = dict(error.trailing_metadata() or ())
                info = error_details_pb2.RetryInfo.FromString(trailers["google.rpc.retryinfo-bin"])
                assert info.retry_delay.seconds >= 1
                status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
                assert status.code == 14 and "queue full" in status.message
            else:
                raise AssertionError("the export was accepted")
            finally:
                held.release()

        assert with_server(scenario).written == []

    def test_unauthenticated_and_oversized(self) -> None:
        """No credentials → UNAUTHENTICATED; a message over the limit → RESOURCE_EXHAUSTED."""
        body, _ = request_body(1)

        async def scenario(export: Any, _ingestor: Ingestor) -> None:
            for arguments, code in (
                ({"request": body}, grpc.StatusCode.UNAUTHENTICATED),
                (
                    {"request": b"\0" * (100 * 1024), "metadata": (("authorization", AUTH),)},
                    grpc.StatusCode.RESOURCE_EXHAUSTED,
                ),
            ):
                try:
                    await export(timeout=30, **arguments)
                except aio.AioRpcError as error:
                    assert error.code() == code, error.details()
                else:
                    raise AssertionError(f"expected {code}")

        assert with_server(scenario).written == []
