"""The in-memory store's ``WritePreparer``, and the records it keeps of spans and traces.

Preparing a span gives its values the round trip the SQL store gives them (``stored_translation``),
so that both stores read back the same values: JSON values through JSON (a tuple comes back as a
list, bytes as base64, an empty mapping as ``{}``), a ``Payload``'s text as UTF-8 stores it, costs as
integer nano-dollars, times from the span's exact nanoseconds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from otel_bridge.model import (
    Cost,
    Observation,
    ObservationLevel,
    Payload,
    datetime_to_nanos,
    nanos_to_datetime,
)
from otel_bridge.store import TRACE_CLAIMS_ID, PreparedWrite
from otel_bridge.store.aggregates import (
    ResolvedTrace,
    SpanFacts,
    effective_cost_nanos,
    nanos_to_usd,
    usd_to_nanos,
)
from otel_bridge.store.json_text import to_json, utf8
from otel_bridge.translate import Translation


class StoredSpan(NamedTuple):
    """A span as the in-memory store keeps it: its observation and its facts (claims included)."""

    observation: Observation
    facts: SpanFacts


class StoredTrace(NamedTuple):
    """A trace as the in-memory store keeps it: resolved, and when it last changed."""

    resolved: ResolvedTrace
    updated_ns: int


@dataclass(frozen=True, slots=True)
class MemoryPreparedWrite:
    """A write ready for ``InMemoryStore.write_prepared``; made by ``MemoryWritePreparer.prepare``."""

    project_id: str
    #: The traces the write touches, sorted.
    trace_ids: list[str]
    #: Its spans, one per span id (the last one given wins).
    spans: tuple[StoredSpan, ...]


def memory_prepared(prepared: PreparedWrite) -> MemoryPreparedWrite:
    """``prepared``, which must be the in-memory store's own."""
    if not isinstance(prepared, MemoryPreparedWrite):
        raise TypeError(
            f"the in-memory store writes what its own preparer made, not a {type(prepared).__name__}"
        )
    return prepared


class MemoryWritePreparer:
    """The ``WritePreparer`` of ``InMemoryStore``: stateless and picklable."""

    def prepare(self, project_id: str, translations: Sequence[Translation]) -> MemoryPreparedWrite:
        """The spans of ``translations`` as the store keeps them (see the module docstring)."""
        latest: dict[tuple[str, str], Translation] = {}
        for translation in translations:
            latest[(translation.observation.trace_id, translation.observation.id)] = translation
        spans = tuple(_stored_span(t) for t in latest.values())
        trace_ids = sorted({span.observation.trace_id for span in spans})
        return MemoryPreparedWrite(project_id, trace_ids, spans)

    def split(self, prepared: PreparedWrite) -> list[PreparedWrite]:
        """The write as one write per trace."""
        whole = memory_prepared(prepared)
        return [
            MemoryPreparedWrite(
                whole.project_id,
                [trace_id],
                tuple(span for span in whole.spans if span.observation.trace_id == trace_id),
            )
            for trace_id in whole.trace_ids
        ]

    def span_ids(self, prepared: PreparedWrite) -> list[tuple[str, str]]:
        """The (trace id, span id) of the write's observations, claims rows left out."""
        observations = (span.observation for span in memory_prepared(prepared).spans)
        return [(o.trace_id, o.id) for o in observations if o.id != TRACE_CLAIMS_ID]


def _stored_value(value: Any) -> Any:
    """An input or output as stored: a ``Payload``'s text as UTF-8, anything else through JSON."""
    if value is None:
        return None
    if isinstance(value, Payload):
        return Payload(utf8(value.text).decode("utf-8"), value.format)
    return json.loads(to_json(value))


def _stored_json(value: Mapping[str, Any]) -> Any:
    """A mapping as stored: JSON, where an empty one stands for none."""
    return json.loads(to_json(value)) if value else {}


def _stored_cost(cost: Cost | None) -> Cost | None:
    if cost is None:
        return None
    return Cost(
        input=nanos_to_usd(usd_to_nanos(cost.input)),
        output=nanos_to_usd(usd_to_nanos(cost.output)),
        total=nanos_to_usd(usd_to_nanos(cost.total)),
        computed=cost.computed,
        price_date=cost.price_date,
    )


def _stored_span(translation: Translation) -> StoredSpan:
    """A span as the store keeps it, and its facts."""
    o, c = translation.observation, translation.claims
    completion = o.completion_start_time
    observation = replace(
        o,
        start_time=nanos_to_datetime(c.start_time_unix_nano),
        end_time=nanos_to_datetime(c.end_time_unix_nano),
        completion_start_time=None
        if completion is None
        else nanos_to_datetime(datetime_to_nanos(completion)),
        model_parameters=_stored_json(o.model_parameters),
        input=_stored_value(o.input),
        output=_stored_value(o.output),
        usage=replace(o.usage, details=_stored_json(o.usage.details)),
        cost=_stored_cost(o.cost),
        metadata=_stored_json(o.metadata),
    )
    claims = replace(
        c,
        tags=tuple(json.loads(to_json(list(c.tags)))),
        metadata=_stored_json(c.metadata),
        explicit_input=_stored_value(c.explicit_input),
        explicit_output=_stored_value(c.explicit_output),
        span_input=_stored_value(c.span_input),
        span_output=_stored_value(c.span_output),
    )
    cost = o.cost
    cost_nanos = (
        None
        if cost is None
        else effective_cost_nanos(
            usd_to_nanos(cost.total), usd_to_nanos(cost.input), usd_to_nanos(cost.output)
        )
    )
    usage = o.usage
    is_error = o.level == ObservationLevel.ERROR
    return StoredSpan(
        observation, SpanFacts(claims, usage.input, usage.output, usage.total, cost_nanos, is_error)
    )


__all__ = ["MemoryPreparedWrite", "MemoryWritePreparer", "StoredSpan", "StoredTrace", "memory_prepared"]
