"""Deliver resolved traces to a target in one protocol, and say per trace what happened: the one
sending path of the server's forwarder and of the in-process exporter.

- OTel endpoint: traces are packed into export requests of at most ``batch_bytes``; an answer holds
  for every trace of its request (the endpoint takes or refuses a request whole).
- Batch ingestion: the traces' events are packed into batches of at most ``batch_bytes``; a 207
  answer lists the events that failed, and only those are sent again (a few times, backing off),
  while a trace with an event refused for good (a 4xx entry) is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge.forward.backoff import Backoff
from otel_bridge.forward.events import batches, failed_events, trace_events
from otel_bridge.forward.spans import encode_spans
from otel_bridge.forward.target import Outcome, Protocol, Response, Target, outcome_of, retry_after_seconds
from otel_bridge.model import Observation, Trace

__all__ = ["Item", "Result", "deliver"]

K = TypeVar("K", bound=Hashable)

#: Re-sends of the events a 207 reported as failed (retryable), within one delivery.
EVENT_RETRIES = 2


@dataclass(frozen=True, slots=True)
class Item:
    """A trace to deliver and the observations of it to send (all, or the late ones)."""

    trace: Trace
    observations: Sequence[Observation]


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one trace: its outcome, the target's status and message, and the delay the
    target asked for (``Retry-After``)."""

    outcome: Outcome
    status: int = 0
    message: str = ""
    retry_after: float | None = None
    requests: int = 1

    @classmethod
    def of(cls, response: Response) -> Result:
        """The result an HTTP answer gives every trace it covers."""
        outcome = outcome_of(response.status)
        message = "" if outcome is Outcome.ACCEPTED else response.message() or f"HTTP {response.status}"
        if response.status == 0:
            message = f"no answer: {response.body.decode(errors='replace')}"
        return cls(outcome, response.status, message, retry_after_seconds(response.headers))


def deliver(
    target: Target,
    protocol: Protocol,
    items: dict[K, Item],
    *,
    batch_bytes: int,
    backoff: Backoff | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> dict[K, Result]:
    """Send ``items`` in ``protocol`` (OTEL or INGESTION); a ``Result`` per key."""
    if protocol is Protocol.INGESTION:
        return _deliver_events(target, items, batch_bytes, backoff or Backoff(), sleep)
    return _deliver_spans(target, items, batch_bytes)


def _deliver_spans(target: Target, items: dict[K, Item], batch_bytes: int) -> dict[K, Result]:
    results: dict[K, Result] = {}
    group: list[K] = []
    request = ExportTraceServiceRequest()
    size = 0

    def flush() -> None:
        if group:
            result = Result.of(target.post_spans(request))
            results.update((k, result) for k in group)

    for key, item in items.items():
        # Each trace encoded once: its size decides the request it joins.
        encoded = encode_spans([(item.trace, item.observations)])
        item_size = encoded.ByteSize()
        if group and size + item_size > batch_bytes:
            flush()
            group, request, size = [], ExportTraceServiceRequest(), 0
        group.append(key)
        request.resource_spans.extend(encoded.resource_spans)
        size += item_size
    flush()
    return results


def _deliver_events(
    target: Target,
    items: dict[K, Item],
    batch_bytes: int,
    backoff: Backoff,
    sleep: Callable[[float], object],
) -> dict[K, Result]:
    keys = {str(n): key for n, key in enumerate(items)}
    pending: list[tuple[str, dict[str, Any]]] = [
        (n, event)
        for n, key in keys.items()
        for event in trace_events(items[key].trace, items[key].observations)
    ]
    results: dict[K, Result] = {}
    for attempt in range(EVENT_RETRIES + 1):
        retry: list[tuple[str, dict[str, Any]]] = []
        by_id = {str(event["id"]): (n, event) for n, event in pending}
        for batch in batches(pending, batch_bytes):
            response = target.post_events(batch.body)
            whole = Result.of(response)
            if whole.outcome is not Outcome.ACCEPTED:
                for n in set(batch.traces_by_event.values()):
                    results.setdefault(keys[n], whole)
                continue
            for event_id, status, message in failed_events(response.body):
                owner = batch.traces_by_event.get(event_id)
                if owner is None:
                    continue
                if outcome_of(status) is Outcome.RETRY and attempt < EVENT_RETRIES:
                    retry.append(by_id[event_id])
                else:
                    results.setdefault(
                        keys[owner], Result(outcome_of(status), status, message or f"event {status}")
                    )
        pending = [(n, event) for n, event in retry if keys[n] not in results]
        if not pending:
            break
        sleep(backoff.delay(attempt + 1))
    accepted = Result(Outcome.ACCEPTED, 207)
    return {key: results.get(key, accepted) for key in keys.values()}
