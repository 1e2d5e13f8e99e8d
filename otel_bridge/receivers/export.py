"""The one export path every OTLP transport shares (the collector's ``internal/trace/otlp.go``):
admit → decode → translate → commit, and the ``ExportTraceServiceResponse`` that reports it.

The receivers only parse their transport (credentials, content type, compression, size) and call
``TraceExportHandler.export`` with the decompressed body; its outcome, or the exception it raises,
is turned into a response by ``status.py``'s table.

Decoding and translating are pure Python and hold the GIL (about 25 µs a span), so they run in a
thread of their own: the event loop stays free to read other requests, refuse them when the queue is
full, and answer health checks while a 512-span request is decoded.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTracePartialSuccess,
    ExportTraceServiceResponse,
)

from otel_bridge.ingest import Ingestor
from otel_bridge.model import Rejected
from otel_bridge.otlp import DecodeResult, decode_json, decode_protobuf
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.translate import Translation, translate_spans

Encoding = Literal["protobuf", "json"]

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


def decode_and_translate(body: bytes, encoding: Encoding) -> tuple[list[Translation], tuple[Rejected, ...]]:
    """Decode an OTLP body and translate its spans; raises ``DecodeError`` for an undecodable body."""
    result: DecodeResult = decode_protobuf(body) if encoding == "protobuf" else decode_json(body)
    return translate_spans(result.records), result.rejected


class TraceExportHandler:
    """Admits, decodes, translates and commits OTLP trace export requests for every transport."""

    def __init__(self, ingestor: Ingestor, metrics: Metrics, *, decode_threads: int = 1) -> None:
        self.ingestor = ingestor
        self.metrics = metrics
        self._executor = ThreadPoolExecutor(
            max_workers=decode_threads, thread_name_prefix="otel-bridge-decode"
        )

    async def export(self, project_id: str, body: bytes, encoding: Encoding, transport: str) -> ExportOutcome:
        """Store the spans of one decompressed request body; returns once they are committed.

        Raises ``QueueFull`` (before any decoding) when the queue has no room for ``len(body)`` bytes,
        ``DecodeError`` for an undecodable body, ``StoreUnavailable`` when the commit failed.
        """
        if not body:
            return ExportOutcome(0)  # an empty message is a valid, empty request in both encodings' protobuf
        async with self.ingestor.reserve(len(body)) as reservation:
            loop = asyncio.get_running_loop()
            translations, rejected = await loop.run_in_executor(
                self._executor, decode_and_translate, body, encoding
            )
            await reservation.commit(project_id, translations)
        self.metrics.count_spans(transport, len(translations), rejected)
        return ExportOutcome(len(translations), rejected)

    def close(self) -> None:
        """Stop the decode thread (after the receivers stopped)."""
        self._executor.shutdown(wait=False, cancel_futures=True)


__all__ = [
    "MAX_LISTED_REASONS",
    "Encoding",
    "ExportOutcome",
    "TraceExportHandler",
    "decode_and_translate",
    "summarize_rejections",
]
