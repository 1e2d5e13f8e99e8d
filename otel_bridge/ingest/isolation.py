"""Finding the spans at fault when the database refuses a write for good (``WriteRejected``).

Writing the same spans again would fail again, so a refused request is not retried by its client:
``refused_spans`` writes the request's traces in halves, down to single traces, and returns the
spans of the traces the database refuses alone (the ingestor reports them as OTLP
``partial_success``); every other trace is committed on the way. It runs in the writer's thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from otel_bridge.errors import OtelBridgeError, WriteRejected
from otel_bridge.model import Rejected
from otel_bridge.store import PreparedWrite, WritePreparer


def classified(error: BaseException) -> OtelBridgeError:
    """The store classifies what it raises (the SQL store: ``store/sql/errors.py``); anything else
    escaping a write is a fault that writing the same spans again would repeat."""
    if isinstance(error, OtelBridgeError):
        return error
    return WriteRejected(f"{type(error).__name__}: {error}")


def refused_spans(
    write: Callable[[Sequence[PreparedWrite]], None],
    preparer: WritePreparer,
    parts: list[PreparedWrite],
    failure: OtelBridgeError,
) -> list[Rejected]:
    """Write ``parts`` (one trace each, known to fail together with ``failure``) in halves; return
    the spans of the single traces that fail for good. A retryable failure on the way is raised:
    the client's retry rewrites what was committed, idempotently."""
    rejected: list[Rejected] = []
    _bisect(write, preparer, parts, failure, rejected)
    return rejected


def _bisect(
    write: Callable[[Sequence[PreparedWrite]], None],
    preparer: WritePreparer,
    parts: list[PreparedWrite],
    failure: OtelBridgeError,
    rejected: list[Rejected],
) -> None:
    if len(parts) == 1:
        (part,) = parts
        (trace_id,) = part.trace_ids or ("",)
        reason = f"store refused the spans of trace {trace_id} for good: {failure.message}"
        rejected.extend(
            Rejected(span_trace_id, span_id, reason) for span_trace_id, span_id in preparer.span_ids(part)
        )
        return
    middle = len(parts) // 2
    for half in (parts[:middle], parts[middle:]):
        try:
            write(half)
        except Exception as error:
            half_failure = classified(error)
            if half_failure.retryable:
                raise half_failure from error
            _bisect(write, preparer, half, half_failure, rejected)


__all__ = ["classified", "refused_spans"]
