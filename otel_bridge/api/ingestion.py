"""``POST /api/public/ingestion``: Langfuse's batch ingestion (``IngestionResponse``), written through the
same ingestor as OTLP exports (``otel_bridge.translate.langfuse_ingestion`` turns events into
translations).

- Body ``{batch: [event, …], metadata?}``; anything else is 400 ``{"message": "Invalid request data",
  "errors": [...]}`` and nothing is stored.
- Otherwise 207 ``{successes: [{id, status: 201}], errors: [{id, status, message}]}``, one entry per
  event (by the envelope's id), answered only after the batch's translations are committed
  (read-your-writes, docs/architecture.md "Durability and backpressure"). A full queue is 503 with
  ``Retry-After`` for the whole request, which the Langfuse SDKs retry.
- Merging (``*-update``, a repeated ``trace-create``) reads the stored state, so two requests of one
  project must not interleave between that read and their commit: they are serialized per project
  in this process. Replicas sharing one database do not coordinate this; a Langfuse SDK sends one
  trace's events to one server, in order, so the race needs two clients updating one observation.
- ``score-create`` events become scores (``Store.write_scores``), written after the spans commit.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from otel_bridge.api.http import authenticated, blocking, json_response
from otel_bridge.errors import DecodeError, PayloadTooLarge
from otel_bridge.ingest.limits import LimitHits, check_span_count, limit_translations
from otel_bridge.model import Rejected
from otel_bridge.model.langfuse_wire import INGESTION_PATH
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.http import HttpLimits, read_body
from otel_bridge.store import Project
from otel_bridge.translate.langfuse_ingestion import BatchConverter, EventOutcome, convert_batch

#: Body limits: Langfuse documents 3.5 MB batches and its server parses up to 4.5 MB; these are the
#: OTLP receiver's defaults, so the SDK's batches fit with room to spare.
LIMITS = HttpLimits(max_request_bytes=8 * 1024 * 1024, max_decompressed_bytes=16 * 1024 * 1024)


class InvalidBatch(DecodeError):
    """A body that is not ``{batch: [...]}`` (400 through the status table), with the problems found."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("Invalid request data")
        self.errors = errors


def parse_batch(data: bytes) -> list[Any]:
    """The ``batch`` list of a request body; ``InvalidBatch`` otherwise."""
    try:
        document = json.loads(data)
    except ValueError as error:
        raise InvalidBatch([{"path": [], "message": f"body is not valid JSON: {error}"}]) from None
    except RecursionError:  # found by fuzzing: json.loads recurses once per nesting level
        raise InvalidBatch([{"path": [], "message": "body is nested too deeply"}]) from None
    if not isinstance(document, dict):
        raise InvalidBatch([{"path": [], "message": "body must be an object {batch: [...], metadata?}"}])
    batch = document.get("batch")
    if not isinstance(batch, list):
        raise InvalidBatch(
            [{"path": ["batch"], "message": "batch is required and must be an array of events"}]
        )
    return batch


def refuse(outcomes: list[EventOutcome], refused: Sequence[Rejected]) -> list[EventOutcome]:
    """The outcomes once the store has refused the spans of some traces for good: every event that
    wrote to one of those traces failed (400, with the store's reason), the others stand."""
    reasons = {item.trace_id: item.reason for item in refused}
    return [
        EventOutcome(o.id, 400, reasons[o.trace_id]) if o.status < 300 and o.trace_id in reasons else o
        for o in outcomes
    ]


def response_body(outcomes: list[EventOutcome]) -> dict[str, Any]:
    """``IngestionResponse``."""
    return {
        "successes": [{"id": o.id, "status": o.status} for o in outcomes if o.status < 300],
        "errors": [
            {"id": o.id, "status": o.status, "message": o.message} for o in outcomes if o.status >= 300
        ],
    }


def routes(context: AppContext) -> list[BaseRoute]:
    """The ingestion route."""
    store = context.store
    ingestor = context.ingestor
    limits = context.limits
    locks: dict[str, asyncio.Lock] = {}

    async def ingest(request: Request, project: Project) -> Response:
        body = await read_body(request, LIMITS)
        batch = parse_batch(body)
        try:
            check_span_count(len(batch), limits, "events")
        except PayloadTooLarge as error:
            context.metrics.count_limit(error.limit or "spans_per_request")
            raise
        # Reserve before the work, as the OTLP receivers do: a full queue is refused cheaply.
        async with ingestor.reserve(max(1, len(body))) as reservation:
            lock = locks.setdefault(project.id, asyncio.Lock())
            async with lock:
                converter = BatchConverter(store, project.id)
                outcomes, translations = await blocking(convert_batch, converter, batch)
                hits: LimitHits = LimitHits()
                translations, long_ids = limit_translations(translations, limits, hits)
                for limit, count in hits.items():
                    context.metrics.count_limit(limit, count)
                if long_ids:
                    # Their events fail, so none of a refused trace's writes may land either.
                    refused_traces = {item.trace_id for item in long_ids}
                    translations = [t for t in translations if t.observation.trace_id not in refused_traces]
                    outcomes = refuse(outcomes, long_ids)
                if translations:
                    refused = await reservation.commit(project.id, translations)
                    outcomes = refuse(outcomes, refused)
                if converter.scores:  # after the spans: a failure here is a 503 the SDK retries
                    await blocking(store.write_scores, project.id, converter.scores)
        return json_response(response_body(outcomes), 207)

    return [Route(INGESTION_PATH, authenticated(context, ingest, kind="ingest"), methods=["POST"])]


__all__ = ["LIMITS", "InvalidBatch", "parse_batch", "refuse", "response_body", "routes"]
