"""OTLP/gRPC trace receiver: ``opentelemetry.proto.collector.trace.v1.TraceService/Export`` on
``grpc.aio``.

The method is registered as a generic handler that receives the raw request bytes (no
deserializer), so the request is parsed once, by ``decode_protobuf``, like an OTLP/HTTP protobuf
body; its length is what the request reserves in the ingest queue. gRPC handles ``grpc-encoding:
gzip`` itself, and refuses a message larger than ``grpc.max_receive_message_length`` (set to the
decompressed-size limit) with ``RESOURCE_EXHAUSTED`` before it reaches us.

Errors go through ``status.py``'s table; retryable ones carry a ``google.rpc.RetryInfo`` twice: in
the standard ``grpc-status-details-bin`` trailer (a ``google.rpc.Status``), and as
``google.rpc.retryinfo-bin``, which is where the OpenTelemetry Python exporter looks for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import grpc
from grpc import aio

from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.status import error_status

logger = logging.getLogger("otel_bridge.receivers.grpc")

SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
METHOD = "Export"
ROUTE = f"{SERVICE.rsplit('.', 1)[-1]}/{METHOD}"

_CODES: dict[int, grpc.StatusCode] = {code.value[0]: code for code in grpc.StatusCode}


class GrpcTraceReceiver:
    """The ``TraceService/Export`` method."""

    def __init__(self, handler: TraceExportHandler, authenticator: Authenticator, metrics: Metrics) -> None:
        self._handler = handler
        self._authenticator = authenticator
        self._metrics = metrics

    def generic_handler(self) -> grpc.GenericRpcHandler:
        """The handler to register on a ``grpc.aio`` server; requests and responses stay bytes."""
        return grpc.method_handlers_generic_handler(
            SERVICE,
            {METHOD: grpc.unary_unary_rpc_method_handler(self.export)},
        )

    async def export(self, request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
        """Handle one ``Export`` call: an ``ExportTraceServiceRequest`` in, a response out."""
        try:
            authorization = _metadata_value(context.invocation_metadata(), "authorization")
            project = await self._authenticator.authenticate(authorization)
            outcome = await self._handler.export(project.id, request, "protobuf", "grpc")
        except Exception as error:
            status = error_status(error)
            if status.rpc_code == grpc.StatusCode.INTERNAL.value[0]:
                logger.error("export failed", exc_info=error)
            trailing: list[tuple[str, bytes]] = []
            retry_info = status.retry_info()
            if retry_info is not None:
                trailing.append(("grpc-status-details-bin", status.rpc_status().SerializeToString()))
                trailing.append(("google.rpc.retryinfo-bin", retry_info.SerializeToString()))
            self._metrics.count_request("grpc", ROUTE, status.rpc_code)
            await context.abort(_CODES[status.rpc_code], status.message, trailing_metadata=tuple(trailing))
        self._metrics.count_request("grpc", ROUTE, grpc.StatusCode.OK.value[0])
        return outcome.encode("protobuf")


def _metadata_value(metadata: Iterable[tuple[str, str | bytes]] | None, key: str) -> str | None:
    for name, value in metadata or ():
        if name == key:
            return value.decode() if isinstance(value, bytes) else value
    return None


def create_server(receiver: GrpcTraceReceiver, *, max_message_bytes: int) -> aio.Server:
    """A ``grpc.aio`` server with the receiver registered; add a port and start it."""
    server = aio.server(
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            # Responses are tiny; errors are short messages.
            ("grpc.max_send_message_length", 4 * 1024 * 1024),
            # gRPC sets SO_REUSEPORT by default on Linux, so a second server on the same port would start
            # and silently take half the traffic; refuse instead, like the HTTP listener.
            ("grpc.so_reuseport", 0),
        ],
    )
    server.add_generic_rpc_handlers((receiver.generic_handler(),))
    return server


__all__ = ["METHOD", "ROUTE", "SERVICE", "GrpcTraceReceiver", "create_server"]
