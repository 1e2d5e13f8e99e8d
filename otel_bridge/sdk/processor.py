"""``SessionSpanProcessor``: stamps the current ``session()`` onto every span that starts inside it.

Every span, not only the ones ``@observe`` makes: spans of third-party instrumentations (OpenAI,
LangChain, HTTP clients) started inside ``session()`` carry the session too, so a trace lands in the
session whichever of its spans reaches the server, in whatever order (docs/architecture.md rules 2 and 3).
"""

from __future__ import annotations

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor

from otel_bridge.sdk import keys
from otel_bridge.sdk.context import current_session
from otel_bridge.sdk.serialize import merged_metadata
from otel_bridge.sdk.throttle import sdk_log

__all__ = ["SessionSpanProcessor", "open_local_root"]

# The open local root span of each trace this process is recording (a span without a parent, or with
# a remote one), so that ``update_current_trace`` deep inside a trace can put its claims on the span
# that ends last. Plain dict operations, atomic under the GIL: no lock on the span hot path.
_open_roots: dict[int, Span] = {}


_NO_ATTRIBUTES: dict[str, object] = {}


def open_local_root(trace_id: int) -> Span | None:
    """The local root span of ``trace_id`` while it is open, else None."""
    return _open_roots.get(trace_id)


class SessionSpanProcessor(SpanProcessor):
    """On start, sets ``session.id``, ``user.id``, ``langfuse.trace.tags`` and
    ``langfuse.trace.metadata`` from the innermost ``session()``.

    A key the span already carries (its instrumentation set it at creation) is left alone, and
    metadata keys it already has are kept: the span's own value is more specific than the ambient
    one. Never raises into the application.
    """

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        """Stamp the session onto ``span``; remember it while it is open when it is a local root."""
        # On every span of the application: kept to a few dictionary operations (``make bench``).
        try:
            # The span's parent context first (a span started with an explicit ``context=``), then
            # the caller's: an extracted remote context does not carry the local session.
            current = current_session(parent_context)
            if current is None and parent_context is not None:
                current = current_session()
            if current is None:
                return
            # Only inside ``session()`` is the root stamped with a session a nested
            # ``update_current_trace`` must outrank, so only there are roots tracked.
            parent = span.parent
            if parent is None or parent.is_remote:
                _open_roots[span.context.trace_id] = span
            existing = span.attributes or _NO_ATTRIBUTES
            # One ``set_attribute`` per key: the SDK's ``set_attributes`` costs more than two of them.
            for key, value in current.stamp:
                if key not in existing:
                    span.set_attribute(key, value)
            if current.metadata:
                span.set_attribute(
                    keys.TRACE_METADATA,
                    merged_metadata(existing.get(keys.TRACE_METADATA), current.metadata, replace=False),
                )
        except Exception:
            sdk_log.report("stamp", "otel-bridge: could not stamp the session onto a span", exc_info=True)

    def on_end(self, span: ReadableSpan) -> None:
        """Forget a local root once it ended (``span`` is the SDK's read-only copy: compare ids)."""
        if not _open_roots:
            return
        context = span.context
        if context is None:
            return
        root = _open_roots.get(context.trace_id)
        if root is not None and root.context.span_id == context.span_id:
            del _open_roots[context.trace_id]
