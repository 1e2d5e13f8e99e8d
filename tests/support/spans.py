"""Spans for store tests, built as ``SpanRecord``s and translated by the real translator."""

from __future__ import annotations

from typing import Any

from otel_bridge.model import SpanEvent, SpanRecord, SpanStatus, StatusCode
from otel_bridge.translate import Translation, translate_spans

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
    trace: int,
    span: int,
    parent: int | None = None,
    *,
    name: str | None = None,
    start: float = 0.0,
    end: float = 1.0,
    error: bool = False,
    **attributes: Any,
) -> SpanRecord:
    """A span of trace ``trace``; times are seconds after ``T0``; attribute names use ``__`` for dots
    (``session__id="s1"``), or pass a dict as ``attrs``."""
    attrs: dict[str, Any] = dict(attributes.pop("attrs", {}))
    attrs.update({key.replace("__", "."): value for key, value in attributes.items()})
    return SpanRecord(
        trace_id=trace_id(trace),
        span_id=span_id(span),
        parent_span_id=None if parent is None else span_id(parent),
        name=name or f"span-{span}",
        start_time_unix_nano=T0 + int(start * SECOND),
        end_time_unix_nano=T0 + int(end * SECOND),
        attributes=attrs,
        status=SpanStatus(StatusCode.ERROR, "boom") if error else SpanStatus(),
        events=(),
    )


def translate(*records: SpanRecord) -> list[Translation]:
    """The translations of ``records``, in order."""
    return translate_spans(records)


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


def exception_event(at: int) -> SpanEvent:
    """An ``exception`` span event."""
    return SpanEvent("exception", at, {"exception.type": "ValueError", "exception.message": "bad"})
