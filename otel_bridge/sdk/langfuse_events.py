"""``Translation``s → Langfuse batch-ingestion events (``trace-create``, ``<type>-create``), the body of
``POST /api/public/ingestion`` on a Langfuse server or an ``otel-bridge serve`` one.

The events carry everything the translator produced, in the fields Langfuse's ingestion API defines,
so that ``otel_bridge.translate.langfuse_ingestion`` (the server side) turns them back into the same
observations and traces:

- one ``<type>-create`` per observation (``span-create``, ``generation-create``, ``agent-create``,
  ...), with its id (the span id), trace, parent, times, model and parameters, usage, cost, level,
  status message, version, environment, metadata, prompt, and input/output as their readable value;
  a cost the translator computed from its price table is left out, because the receiving server
  computes it the same way (and marks it computed);
- environments by the one rule (``langfuse_wire.normalized_environment``), left out when that is the
  default: the receiving server defaults an absent one to the same value, and an absent one does not
  pin a trace's environment (a repeated ``trace-create`` keeps the first);
- one ``trace-create`` per trace of the batch, with the trace-level claims its spans make, resolved
  as docs/architecture.md rule 3 says. The name, input and output are sent only when the batch holds the root
  span or an explicit trace-level value, so that a batch of children does not name the trace after
  one of them. Claims no span made are left out (ingestion merges non-null fields, so an absent
  one never erases what an earlier batch said).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from otel_bridge.model import Observation, TraceClaims
from otel_bridge.model.langfuse_wire import (
    DEFAULT_ENVIRONMENT,
    TRACE_CREATE,
    cost_details,
    create_event_type,
    iso,
    normalized_environment,
    usage_details,
)
from otel_bridge.sdk.serialize import to_jsonable
from otel_bridge.translate import Translation, resolve_trace
from otel_bridge.translate.payloads import resolve_payload

__all__ = ["ingestion_events", "observation_body", "trace_body"]


def ingestion_events(
    translations: Sequence[Translation],
    *,
    now: datetime | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> list[dict[str, Any]]:
    """The events for ``translations``: per trace, its ``trace-create`` then its observations.

    Every event gets the same envelope timestamp: ingestion applies a batch in timestamp order
    (stable), so the events are applied in the order given here.
    """
    stamp = iso(now or datetime.now(timezone.utc))
    by_trace: dict[str, list[Translation]] = {}
    for translation in translations:
        by_trace.setdefault(translation.observation.trace_id, []).append(translation)
    events: list[dict[str, Any]] = []
    for group in by_trace.values():
        events.append(_envelope(new_id(), stamp, TRACE_CREATE, trace_body([t.claims for t in group])))
        for translation in group:
            observation = translation.observation
            events.append(
                _envelope(new_id(), stamp, create_event_type(observation.type), observation_body(observation))
            )
    return events


def _envelope(event_id: str, timestamp: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "timestamp": timestamp, "type": kind, "body": body}


def _environment(value: str | None) -> str | None:
    environment = None if value is None else normalized_environment(value)
    return None if environment == DEFAULT_ENVIRONMENT else environment


def trace_body(claims: Sequence[TraceClaims]) -> dict[str, Any]:
    """The ``trace-create`` body for the claims of one trace's spans (at least one)."""
    trace = resolve_trace(claims)
    body: dict[str, Any] = {"id": trace.id, "timestamp": iso(trace.timestamp)}
    has_root = any(c.is_root for c in claims)
    if has_root or any(c.explicit_name for c in claims):
        body["name"] = trace.name
    if trace.input is not None and (has_root or any(c.explicit_input is not None for c in claims)):
        body["input"] = to_jsonable(resolve_payload(trace.input))
    if trace.output is not None and (has_root or any(c.explicit_output is not None for c in claims)):
        body["output"] = to_jsonable(resolve_payload(trace.output))
    for name, value in (
        ("sessionId", trace.session_id),
        ("userId", trace.user_id),
        ("release", trace.release),
        ("version", trace.version),
    ):
        if value is not None:
            body[name] = value
    environment = _environment(trace.environment) if any(c.environment for c in claims) else None
    if environment is not None:
        body["environment"] = environment
    if any(c.public is not None for c in claims):
        body["public"] = trace.public
    if trace.tags:
        body["tags"] = list(trace.tags)
    if trace.metadata:
        body["metadata"] = to_jsonable(trace.metadata)
    return body


def observation_body(o: Observation) -> dict[str, Any]:
    """The ``<type>-create`` body of one observation."""
    body: dict[str, Any] = {
        "id": o.id,
        "traceId": o.trace_id,
        "name": o.name,
        "startTime": iso(o.start_time),
        "endTime": iso(o.end_time),
        "level": o.level.value,
    }
    optional: tuple[tuple[str, Any], ...] = (
        ("parentObservationId", o.parent_observation_id),
        ("completionStartTime", iso(o.completion_start_time) if o.completion_start_time else None),
        ("model", o.model),
        ("modelParameters", to_jsonable(o.model_parameters) if o.model_parameters else None),
        ("input", to_jsonable(resolve_payload(o.input))),
        ("output", to_jsonable(resolve_payload(o.output))),
        ("usageDetails", usage_details(o.usage) or None),
        ("costDetails", _cost_details(o)),
        ("statusMessage", o.status_message),
        ("version", o.version),
        ("environment", _environment(o.environment)),
        ("metadata", to_jsonable(o.metadata) if o.metadata else None),
        ("promptName", o.prompt_name),
        ("promptVersion", o.prompt_version),
    )
    body.update((name, value) for name, value in optional if value is not None)
    return body


def _cost_details(o: Observation) -> dict[str, float] | None:
    if o.cost is None or o.cost.computed:
        return None
    return cost_details(o.cost) or None
