"""The one table from errors to transport codes, for every receiver and the API.

Like the collector's ``receiver/otlpreceiver/internal/errors``: each ``OtelBridgeError`` subclass maps
to one HTTP status and one gRPC code; retryable errors carry a delay that becomes ``Retry-After``
(HTTP) and a ``google.rpc.RetryInfo`` (gRPC). Anything else is a bug: 500 / ``INTERNAL``, which
clients do not retry (the OTLP exporters retry 429/502/503/504 and the retryable gRPC codes only).

gRPC codes are ``google.rpc.Code`` numbers, so that this module does not import grpc; the gRPC
receiver turns them into ``grpc.StatusCode``.

Error bodies (OTLP/HTTP specification, "Failures"): a ``google.rpc.Status`` whose ``message`` says
what was wrong, encoded like the request (protobuf or JSON).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from google.protobuf import json_format
from google.protobuf.any_pb2 import Any as AnyMessage
from google.protobuf.duration_pb2 import Duration

# googleapis-common-protos ships no typing marker; these are generated message classes.
from google.rpc import code_pb2, error_details_pb2, status_pb2

from otel_bridge.errors import (
    CommandError,
    ConfigError,
    DecodeError,
    EventError,
    Forbidden,
    ForwardBacklogFull,
    NotFound,
    OtelBridgeError,
    PayloadTooLarge,
    QueueFull,
    RateLimited,
    StoreUnavailable,
    Unauthenticated,
    UnsupportedMediaType,
    WriteRejected,
)

#: The delay a ``StoreUnavailable`` asks for: the database may be back in a moment.
STORE_RETRY_AFTER = 1.0

#: error class → (HTTP status, google.rpc.Code). Looked up along the class's MRO. Every class of
#: ``otel_bridge.errors`` has a row but ``OtelBridgeError``, which is only a base: raised bare it is a
#: bug, 500 / ``INTERNAL`` like any other.
STATUS_TABLE: dict[type[BaseException], tuple[int, int]] = {
    DecodeError: (400, code_pb2.INVALID_ARGUMENT),
    UnsupportedMediaType: (415, code_pb2.INVALID_ARGUMENT),
    PayloadTooLarge: (413, code_pb2.RESOURCE_EXHAUSTED),
    Unauthenticated: (401, code_pb2.UNAUTHENTICATED),
    Forbidden: (403, code_pb2.PERMISSION_DENIED),
    NotFound: (404, code_pb2.NOT_FOUND),
    EventError: (400, code_pb2.INVALID_ARGUMENT),
    WriteRejected: (400, code_pb2.INVALID_ARGUMENT),
    QueueFull: (503, code_pb2.UNAVAILABLE),
    ForwardBacklogFull: (503, code_pb2.UNAVAILABLE),
    # 429 and RESOURCE_EXHAUSTED with a RetryInfo: what OTLP exporters and the Langfuse SDK retry later.
    RateLimited: (429, code_pb2.RESOURCE_EXHAUSTED),
    StoreUnavailable: (503, code_pb2.UNAVAILABLE),
    # Raised at startup and by commands, never for a request: reaching a client is a bug, told as is.
    ConfigError: (500, code_pb2.INTERNAL),
    CommandError: (500, code_pb2.INTERNAL),
}
_INTERNAL = (500, code_pb2.INTERNAL)

#: ``WWW-Authenticate`` on every 401 (RFC 7235): tells clients that Basic auth is expected.
WWW_AUTHENTICATE = 'Basic realm="otel-bridge"'


@dataclass(frozen=True, slots=True)
class ErrorStatus:
    """How one error is reported: HTTP status, gRPC code (``google.rpc.Code``), message, and the
    seconds a client should wait before retrying (None: do not retry as is)."""

    http_status: int
    rpc_code: int
    message: str
    retry_after: float | None = None

    def http_headers(self) -> dict[str, str]:
        """``Retry-After`` (whole seconds, RFC 9110) for retryable errors, ``WWW-Authenticate`` for 401."""
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(max(1, math.ceil(self.retry_after)))
        if self.http_status == 401:
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        return headers

    def rpc_status(self) -> status_pb2.Status:
        """The ``google.rpc.Status``, with a ``RetryInfo`` detail for retryable errors."""
        status = status_pb2.Status(code=self.rpc_code, message=self.message)
        retry_info = self.retry_info()
        if retry_info is not None:
            detail = AnyMessage()
            detail.Pack(retry_info)
            status.details.append(detail)
        return status

    def retry_info(self) -> error_details_pb2.RetryInfo | None:
        """``google.rpc.RetryInfo`` for retryable errors, else None."""
        if self.retry_after is None:
            return None
        seconds = max(1, math.ceil(self.retry_after))
        return error_details_pb2.RetryInfo(retry_delay=Duration(seconds=seconds))

    def body(self, encoding: str) -> bytes:
        """The ``google.rpc.Status`` body in ``encoding`` (``protobuf`` or ``json``)."""
        status = self.rpc_status()
        if encoding == "protobuf":
            data: bytes = status.SerializeToString()
            return data
        text: str = json_format.MessageToJson(status, indent=None)
        return text.encode()


def error_status(error: BaseException) -> ErrorStatus:
    """The transport status of ``error``: the table above, or 500 / ``INTERNAL`` for anything else."""
    for cls in type(error).__mro__:
        codes = STATUS_TABLE.get(cls)
        if codes is not None:
            break
    else:
        return ErrorStatus(*_INTERNAL, f"internal error: {type(error).__name__}")
    message = error.message if isinstance(error, OtelBridgeError) else str(error)
    retry_after: float | None = None
    if isinstance(error, (QueueFull, RateLimited)):
        retry_after = error.retry_after
    elif isinstance(error, OtelBridgeError) and error.retryable:
        retry_after = STORE_RETRY_AFTER
    return ErrorStatus(codes[0], codes[1], message, retry_after)


__all__ = ["STATUS_TABLE", "STORE_RETRY_AFTER", "WWW_AUTHENTICATE", "ErrorStatus", "error_status"]
