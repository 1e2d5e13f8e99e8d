"""The one export path every OTLP transport shares (the collector's ``internal/trace/otlp.go``):
admit → decode → translate → commit, and the ``ExportTraceServiceResponse`` that reports it.

The receivers only parse their transport (credentials, content type, compression, size) and call
``TraceExportHandler.export`` with the decompressed body; its outcome, or the exception it raises,
is turned into a response by ``status.py``'s table.

Decoding, translating and encoding rows are pure Python that holds the GIL (about 90 µs a span), so
they run in decode worker processes (``ingest.DecodePool``): the event loop stays free to read other
requests, refuse them when the queue is full and answer health checks, and the writer keeps its own
core.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from otel_bridge.errors import PayloadTooLarge
from otel_bridge.ingest import DecodePool, Encoding, Ingestor
from otel_bridge.model import Rejected
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.ratelimit import RateLimiter, RateLimits

#: At most this many distinct reasons are listed in ``partial_success.error_message``.
MAX_LISTED_REASONS = 10


@dataclass(frozen=True, slots=True)
class ExportOutcome:
    """What happened to one committed export request: how many spans were stored, which were not."""

    accepted: int
    rejected: tuple[Rejected, ...] = ()

    def error_message(self) -> str:
        """The ``partial_success.error_message``: each broken rule once, with its count."""
        return summarize_rejections(self.rejected)

    def response(self) -> ExportTraceServiceResponse:
        """The ``ExportTraceServiceResponse``; ``partial_success`` is set only when spans were rejected
        (OTLP: an empty partial_success means full success)."""
        if not self.rejected:
            return ExportTraceServiceResponse()
        return ExportTraceServiceResponse(
            partial_success=ExportTracePartialSuccess(
                rejected_spans=len(self.rejected), error_message=self.error_message()
            )
        )

    def encode(self, encoding: Encoding) -> bytes:
        """The response body in the request's encoding."""
        response = self.response()
        if encoding == "protobuf":
            return response.SerializeToString()
        return json_format.MessageToJson(response, indent=None).encode()


def summarize_rejections(rejected: Sequence[Rejected]) -> str:
    """``"3 spans rejected: trace_id must not be all zeros (x2); span_id ... (x1)"``, or ``""``."""
    if not rejected:
        return ""
    counts = Counter(item.reason for item in rejected)
    listed = [f"{reason} (x{count})" for reason, count in counts.most_common(MAX_LISTED_REASONS)]
    if len(counts) > MAX_LISTED_REASONS:
        listed.append(f"and {len(counts) - MAX_LISTED_REASONS} other reasons")
    noun = "span" if len(rejected) == 1 else "spans"
    return f"{len(rejected)} {noun} rejected: " + "; ".join(listed)


class TraceExportHandler:
    """Admits, decodes, translates and commits OTLP trace export requests for every transport."""

    def __init__(
        self,
        ingestor: Ingestor,
        metrics: Metrics,
        decoders: DecodePool | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.ingestor = ingestor
        self.metrics = metrics
        self.rate_limiter = rate_limiter or RateLimiter(RateLimits(), metrics)
        # Without a pool given (tests), decoding runs in one thread of this process.
        self.decoders = decoders if decoders is not None else DecodePool(ingestor.preparer, 0)

    async def export(self, project_id: str, body: bytes, encoding: Encoding, transport: str) -> ExportOutcome:
        """Store the spans of one decompressed request body; returns once they are committed.

        Raises ``RateLimited`` when the project is over its ingest rate, ``QueueFull`` (before any
        decoding) when the queue has no room for ``len(body)`` bytes, ``DecodeError`` for an
        undecodable body, ``PayloadTooLarge`` for too many spans, ``StoreUnavailable`` when the commit
        failed. Spans the database refused for good are in the outcome's ``rejected``, beside those
        the decoder and the abuse limits refused.
        """
        self.rate_limiter.check(project_id, "ingest")
        if not body:
            return ExportOutcome(0)  # an empty message is a valid, empty request in both encodings' protobuf
        async with self.ingestor.reserve(len(body)) as reservation:
            try:
                prepared = await self.decoders.prepare(project_id, body, encoding)
            except PayloadTooLarge as error:
                if error.limit is not None:
                    self.metrics.count_limit(error.limit)
                raise
            for limit, hits in prepared.limit_hits.items():
                self.metrics.count_limit(limit, hits)
            refused = await reservation.commit_prepared(prepared.batch, prepared.accepted)
        rejected = (*prepared.rejected, *refused)
        accepted = prepared.accepted - len(refused)
        self.metrics.count_spans(transport, accepted, rejected)
        return ExportOutcome(accepted, rejected)

    def close(self) -> None:
        """Stop the decode workers (after the receivers stopped)."""
        self.decoders.close()


__all__ = [
    "MAX_LISTED_REASONS",
    "Encoding",
    "ExportOutcome",
    "TraceExportHandler",
    "summarize_rejections",
]
