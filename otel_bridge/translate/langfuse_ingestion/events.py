"""The envelopes of a Langfuse ingestion batch: ``{id, timestamp, type, body, metadata?}`` read and
validated into ``Event``s, and what happened to each (``EventOutcome``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from otel_bridge.errors import EventError
from otel_bridge.model.langfuse_wire import parse_timestamp


@dataclass(frozen=True, slots=True)
class Event:
    """One envelope of the batch, validated; ``position`` is its index in the batch."""

    id: str
    type: str
    timestamp: datetime
    body: Mapping[str, Any]
    position: int


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What happened to one event: status 201, or an error status with its message."""

    id: str
    status: int
    message: str | None = None
    #: The trace an applied event wrote to (None for an event that failed or wrote nothing).
    trace_id: str | None = None


def parse_event(item: Any, position: int) -> Event:
    """One envelope, validated; ``EventError`` names the broken field."""
    if not isinstance(item, dict):
        raise EventError("an event must be an object with id, timestamp, type and body")
    event_id = item.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise EventError("id is required and must be a non-empty string")
    event_type = item.get("type")
    if not isinstance(event_type, str):
        raise EventError("type is required and must be a string")
    body = item.get("body")
    if not isinstance(body, dict):
        raise EventError("body is required and must be an object")
    timestamp_text = item.get("timestamp")
    if not isinstance(timestamp_text, str):
        raise EventError("timestamp is required and must be an ISO 8601 date-time string")
    try:
        timestamp = parse_timestamp("timestamp", timestamp_text)
    except ValueError as error:
        raise EventError(str(error)) from None
    return Event(event_id, event_type, timestamp, body, position)


def event_id_of(item: Any) -> str:
    """The envelope's id for reporting, even when the envelope is broken."""
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return str(item["id"])
    return ""


__all__ = ["Event", "EventOutcome", "event_id_of", "parse_event"]
