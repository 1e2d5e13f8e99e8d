"""Spans for tests, built as ``SpanRecord``s by one builder (``record``) and translated by the real
translator: traces of several spans for store and API tests, one span a test for translator tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from otel_bridge.model import (
    InstrumentationScope,
    Observation,
    SpanEvent,
    SpanKind,
    SpanLink,
    SpanRecord,
    SpanStatus,
    StatusCode,
)
from otel_bridge.translate import Translation, translate_span, translate_spans

__all__ = [
    "SECOND",
    "T0",
    "event",
    "generation",
    "observe",
    "record",
    "span_id",
    "trace_id",
    "translate",
    "translated",
    "unmapped",
]

#: 2025-01-01T00:00:00Z, in nanoseconds: a base for readable test times.
T0 = 1_735_689_600_000_000_000
SECOND = 1_000_000_000


def trace_id(n: int) -> str:
    """A trace id from a small number."""
    return f"{n:032x}"


def span_id(n: int) -> str:
    """A span id from a small number."""
    return f"{n:016x}"


def record(
    trace: int | str = 1,
    span: int | str = 1,
    parent: int | str | None = None,
    *,
    name: str | None = None,
    start: float = 0.0,
    end: float = 1.0,
    origin: int = T0,
    attrs: Mapping[str, Any] | None = None,
    resource: Mapping[str, Any] | None = None,
    scope: InstrumentationScope | str = "",
    kind: SpanKind = SpanKind.INTERNAL,
    error: bool | str = False,
    events: Sequence[SpanEvent] = (),
    links: Sequence[SpanLink] = (),
    **attributes: Any,
) -> SpanRecord:
    """A span of trace ``trace``, with parent ``parent`` (None: a root).

    - Ids are small numbers (``trace_id``/``span_id`` make them hex) or hex strings taken as they are.
    - ``name`` defaults to ``span-<span>``; ``start`` and ``end`` are seconds after ``origin`` (nanoseconds
      since the epoch, ``T0`` unless given).
    - Attributes come as a dict (``attrs``), as keyword arguments whose ``__`` stands for a dot
      (``session__id="s1"``), or both (the keywords win); ``resource`` holds the resource's attributes.
    - ``scope`` is the instrumentation scope, or just its name; ``error`` makes the status ERROR with
      the message given (``True``: "boom"); ``events`` and ``links`` are the span's own.
    """
    attributes = {**(attrs or {}), **{key.replace("__", "."): value for key, value in attributes.items()}}
    return SpanRecord(
        trace_id=trace if isinstance(trace, str) else trace_id(trace),
        span_id=span if isinstance(span, str) else span_id(span),
        parent_span_id=parent if parent is None or isinstance(parent, str) else span_id(parent),
        name=name or f"span-{span}",
        start_time_unix_nano=origin + int(start * SECOND),
        end_time_unix_nano=origin + int(end * SECOND),
        attributes=attributes,
        resource_attributes=dict(resource or {}),
        scope=InstrumentationScope(name=scope) if isinstance(scope, str) else scope,
        kind=kind,
        status=SpanStatus(StatusCode.ERROR, "boom" if error is True else error) if error else SpanStatus(),
        events=tuple(events),
        links=tuple(links),
    )


def event(
    name: str, attributes: Mapping[str, Any] | None = None, *, at: float = 0.5, origin: int = T0
) -> SpanEvent:
    """An event ``name`` at ``at`` seconds after ``origin`` (as ``record``'s times)."""
    return SpanEvent(name, origin + int(at * SECOND), dict(attributes or {}))


def translate(*records: SpanRecord) -> list[Translation]:
    """The translations of ``records``, in order."""
    return translate_spans(records)


def translated(attrs: Mapping[str, Any] | None = None, /, **span: Any) -> Translation:
    """The translation of one span with attributes ``attrs``, the rest of it as ``record(**span)``."""
    return translate_span(record(attrs=attrs, **span))


def observe(attrs: Mapping[str, Any] | None = None, /, **span: Any) -> Observation:
    """The observation of ``translated(attrs, **span)``."""
    return translated(attrs, **span).observation


def unmapped(observation: Observation) -> dict[str, Any]:
    """The span attributes no convention mapped: the observation's ``metadata.attributes`` (empty when
    every key was mapped)."""
    return dict(observation.metadata.get("attributes", {}))


def generation(
    trace: int,
    span: int,
    parent: int | None,
    *,
    start: float,
    end: float,
    input_tokens: int = 10,
    output_tokens: int = 5,
    cost: float | None = None,
    **attributes: Any,
) -> SpanRecord:
    """A chat span with a model, token usage and optionally an explicit total cost."""
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }
    if cost is not None:
        attrs["langfuse.observation.cost_details"] = f'{{"total": {cost}}}'
    return record(trace, span, parent, name="chat", start=start, end=end, attrs=attrs, **attributes)
