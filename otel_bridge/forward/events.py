"""A resolved trace → Langfuse batch-ingestion events, in batches under the server's size limit, and
what a 207 answer says about each of them.

For servers without the OTel endpoint (older Langfuse, the one the ``langfuse`` v2 SDK talks to):
``trace-create`` with the resolved trace (its session, user, name, tags, environment, release, version,
input and output: the trace's own claims, which beat every span's), then one ``<type>-create`` per
observation, built by ``sdk/langfuse_events.observation_body`` as the in-process library builds them.
Entities are upserted by ``body.id``, so a trace sent again converges.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from otel_bridge.model import Observation, Trace
from otel_bridge.model.langfuse_wire import (
    DEFAULT_ENVIRONMENT,
    TRACE_CREATE,
    create_event_type,
    iso,
)
from otel_bridge.sdk.langfuse_events import observation_body
from otel_bridge.sdk.serialize import to_jsonable
from otel_bridge.translate.payloads import resolve_payload

__all__ = ["DEFAULT_BATCH_BYTES", "EventBatch", "batches", "failed_events", "trace_events"]

#: Langfuse's documented limit is 3.5 MB a batch ("Batch sizes are limited to 3.5 MB").
DEFAULT_BATCH_BYTES = 3_500_000
#: The envelope ``{"batch":[...]}`` around the events.
_ENVELOPE_BYTES = len(b'{"batch":[]}')


def _trace_create_body(trace: Trace) -> dict[str, Any]:
    body: dict[str, Any] = {"id": trace.id, "timestamp": iso(trace.timestamp)}
    optional: tuple[tuple[str, Any], ...] = (
        ("name", trace.name),
        ("sessionId", trace.session_id),
        ("userId", trace.user_id),
        ("release", trace.release),
        ("version", trace.version),
        ("input", to_jsonable(resolve_payload(trace.input))),
        ("output", to_jsonable(resolve_payload(trace.output))),
        ("metadata", to_jsonable(trace.metadata) if trace.metadata else None),
        ("tags", list(trace.tags) if trace.tags else None),
        ("environment", None if trace.environment == DEFAULT_ENVIRONMENT else trace.environment),
        ("public", True if trace.public else None),
    )
    body.update((name, value) for name, value in optional if value is not None)
    return body


def trace_events(
    trace: Trace,
    observations: Sequence[Observation],
    *,
    now: datetime | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[dict[str, Any]]:
    """``trace-create`` for ``trace``, then a create event per observation given."""
    stamp = iso(now or datetime.now(timezone.utc))
    events = [{"id": new_id(), "timestamp": stamp, "type": TRACE_CREATE, "body": _trace_create_body(trace)}]
    events.extend(
        {"id": new_id(), "timestamp": stamp, "type": create_event_type(o.type), "body": observation_body(o)}
        for o in observations
    )
    return events


@dataclass(frozen=True, slots=True)
class EventBatch:
    """One request's body and the trace of each of its events, by event id."""

    body: bytes
    traces_by_event: dict[str, str]


def batches(events: Iterable[tuple[str, dict[str, Any]]], max_bytes: int) -> list[EventBatch]:
    """``(trace id, event)`` pairs as request bodies of at most ``max_bytes`` each (an event larger
    than that alone goes in a batch of its own: the server says whether it takes it)."""
    result: list[EventBatch] = []
    parts: list[bytes] = []
    owners: dict[str, str] = {}
    size = _ENVELOPE_BYTES

    def close() -> None:
        if parts:
            result.append(EventBatch(b'{"batch":[' + b",".join(parts) + b"]}", dict(owners)))

    for trace_id, event in events:
        encoded = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        if parts and size + len(encoded) + 1 > max_bytes:
            close()
            parts, owners, size = [], {}, _ENVELOPE_BYTES
        parts.append(encoded)
        owners[str(event["id"])] = trace_id
        size += len(encoded) + 1
    close()
    return result


def failed_events(body: bytes) -> list[tuple[str, int, str]]:
    """``(event id, status, message)`` of each error a 207 ``IngestionResponse`` reports."""
    try:
        document = json.loads(body)
    except ValueError:
        return []
    errors = document.get("errors") if isinstance(document, dict) else None
    failed: list[tuple[str, int, str]] = []
    for error in errors if isinstance(errors, list) else ():
        if isinstance(error, dict) and "id" in error:
            status = error.get("status")
            message = error.get("message") or error.get("error") or ""
            failed.append((str(error["id"]), int(status) if isinstance(status, int) else 500, str(message)))
    return failed
