"""OTLP/HTTP trace receiver (``POST /v1/traces``, ``POST /api/public/otel/v1/traces``) and the
operational routes (``/healthz``, ``/metrics``), as Starlette routes.

This module only speaks HTTP: it negotiates the content type (protobuf or JSON, OTLP/HTTP
"Binary Protobuf Encoding" and "JSON Protobuf Encoding"), checks credentials, reads the body within
the size limits, and undoes ``Content-Encoding: gzip``; ``TraceExportHandler`` does the rest.
Responses use the request's encoding: an ``ExportTraceServiceResponse`` on success, a
``google.rpc.Status`` naming what was wrong on failure (OTLP/HTTP, "Failures"), with
``Retry-After`` on 503 and ``WWW-Authenticate`` on 401.

Bodies are checked against ``max_request_bytes`` as they arrive (``Content-Length`` first, so an
oversized request is refused before it is read), and gzip is inflated by a bounded decompressor that
stops at ``max_decompressed_bytes``: a gzip bomb costs that many bytes, then a 413.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from otel_bridge.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType
from otel_bridge.ingest import Ingestor
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import Encoding, TraceExportHandler
from otel_bridge.receivers.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.status import error_status

logger = logging.getLogger("otel_bridge.receivers.http")

#: The OTLP/HTTP trace paths: the specification's, and Langfuse's (for its SDK and docs).
TRACE_PATHS = ("/v1/traces", "/api/public/otel/v1/traces")

#: Accepted media types (parameters such as ``charset`` are ignored) → encoding.
MEDIA_TYPES: dict[str, Encoding] = {
    "application/x-protobuf": "protobuf",
    "application/protobuf": "protobuf",
    "application/json": "json",
}
RESPONSE_MEDIA_TYPES: dict[Encoding, str] = {"protobuf": "application/x-protobuf", "json": "application/json"}

_GZIP_WBITS = 16 + zlib.MAX_WBITS


@dataclass(frozen=True, slots=True)
class HttpLimits:
    """Size limits of an OTLP/HTTP body: as sent, and after decompression."""

    max_request_bytes: int
    max_decompressed_bytes: int


def negotiate(content_type: str | None) -> Encoding:
    """The encoding of a ``Content-Type`` value, or ``UnsupportedMediaType`` listing the accepted ones."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    encoding = MEDIA_TYPES.get(media_type)
    if encoding is None:
        shown = repr(media_type) if media_type else "missing"
        raise UnsupportedMediaType(
            f"Content-Type {shown} is not accepted: use application/x-protobuf (or application/protobuf) "
            "or application/json"
        )
    return encoding


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body (several members allowed) to at most ``limit`` bytes.

    Raises ``PayloadTooLarge`` past the limit, ``DecodeError`` for a body that is not valid gzip.
    """
    out: list[bytes] = []
    total = 0
    pending = data
    try:
        while pending:
            inflater = zlib.decompressobj(_GZIP_WBITS)
            chunk = pending
            while chunk:
                # max_length bounds each step's output, so a bomb never inflates past limit + 1 bytes.
                piece = inflater.decompress(chunk, limit + 1 - total)
                total += len(piece)
                if total > limit:
                    raise PayloadTooLarge(f"decompressed body exceeds the limit of {limit} bytes")
                out.append(piece)
                chunk = inflater.unconsumed_tail
            if not inflater.eof:
                raise DecodeError("gzip body is truncated")
            pending = inflater.unused_data
    except zlib.error as error:
        raise DecodeError(f"body is not valid gzip (Content-Encoding: gzip): {error}") from None
    return b"".join(out)


async def read_body(request: Request, limits: HttpLimits) -> bytes:
    """The request body, decompressed, within ``limits``."""
    content_encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if content_encoding not in ("gzip", "identity", ""):
        raise UnsupportedMediaType(f"Content-Encoding {content_encoding!r} is not accepted: use gzip or none")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_request_bytes:
        raise PayloadTooLarge(
            f"request body of {declared} bytes exceeds the limit of {limits.max_request_bytes} bytes"
        )
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limits.max_request_bytes:
            raise PayloadTooLarge(f"request body exceeds the limit of {limits.max_request_bytes} bytes")
    body = bytes(received)
    if content_encoding != "gzip":
        return body
    if len(body) > 256 * 1024:
        # Inflating a large body takes milliseconds; do it off the event loop.
        return await asyncio.to_thread(gunzip, body, limits.max_decompressed_bytes)
    return gunzip(body, limits.max_decompressed_bytes)


def otlp_routes(
    handler: TraceExportHandler, authenticator: Authenticator, limits: HttpLimits
) -> list[BaseRoute]:
    """``POST`` routes for every path of ``TRACE_PATHS``."""

    async def receive_traces(request: Request) -> Response:
        encoding: Encoding | None = None
        try:
            encoding = negotiate(request.headers.get("content-type"))
            project = await authenticator.authenticate(request.headers.get("authorization"))
            body = await read_body(request, limits)
            outcome = await handler.export(project.id, body, encoding, "http")
        except Exception as error:
            return error_response(error, encoding or "json")
        return Response(outcome.encode(encoding), 200, media_type=RESPONSE_MEDIA_TYPES[encoding])

    return [Route(path, receive_traces, methods=["POST"]) for path in TRACE_PATHS]


def error_response(error: BaseException, encoding: Encoding) -> Response:
    """The response for ``error``: status, headers and a ``google.rpc.Status`` body in ``encoding``."""
    status = error_status(error)
    if status.http_status >= 500 and status.retry_after is None:
        logger.error("request failed", exc_info=error)
    return Response(
        status.body(encoding),
        status.http_status,
        headers=status.http_headers(),
        media_type=RESPONSE_MEDIA_TYPES[encoding],
    )


def ops_routes(ingestor: Ingestor, metrics: Metrics) -> list[BaseRoute]:
    """``GET /healthz`` (200 while accepting spans, 503 once shutting down) and ``GET /metrics``.

    While the last commit failed for a retryable reason (the database down or full) health still
    answers 200, so that a balancer keeps sending the retries that will find the database back, but
    says why exports are refused: ``degraded: <reason>``."""

    async def healthz(_request: Request) -> Response:
        if not ingestor.accepting:
            return PlainTextResponse("shutting down\n", 503)
        problem = ingestor.stats.store_problem
        if problem is not None:
            return PlainTextResponse(f"degraded: exports are refused until the store is back: {problem}\n")
        return PlainTextResponse("ok\n")

    async def metrics_endpoint(_request: Request) -> Response:
        return Response(metrics.render(ingestor), media_type=METRICS_CONTENT_TYPE)

    return [Route("/healthz", healthz, methods=["GET"]), Route("/metrics", metrics_endpoint, methods=["GET"])]


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestMetricsMiddleware:
    """Counts every HTTP request by route template (``/api/public/traces/{trace_id}``, not the
    concrete path, so the label set stays bounded) and response status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.count_request("http", template, status)


__all__ = [
    "MEDIA_TYPES",
    "RESPONSE_MEDIA_TYPES",
    "TRACE_PATHS",
    "HttpLimits",
    "RequestMetricsMiddleware",
    "error_response",
    "gunzip",
    "negotiate",
    "ops_routes",
    "otlp_routes",
    "read_body",
]
