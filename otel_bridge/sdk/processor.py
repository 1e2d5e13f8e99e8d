"""``SessionSpanProcessor``: stamps the current ``session()`` onto every span that starts inside it.

Every span, not only the ones ``@observe`` makes: spans of third-party instrumentations (OpenAI,
LangChain, HTTP clients) started inside ``session()`` carry the session too, so a trace lands in the
session whichever of its spans reaches the server, in whatever order (docs/architecture.md rules 2 and 3).
"""

from __future__ import annotations

import logging

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import Span, SpanProcessor
from opentelemetry.util.types import AttributeValue

from otel_bridge.sdk import keys
from otel_bridge.sdk.context import current_session
from otel_bridge.sdk.serialize import merged_metadata

__all__ = ["SessionSpanProcessor"]

_logger = logging.getLogger("otel_bridge.sdk")


class SessionSpanProcessor(SpanProcessor):
    """On start, sets ``session.id``, ``user.id``, ``langfuse.trace.tags`` and
    ``langfuse.trace.metadata`` from the innermost ``session()``.

    A key the span already carries (its instrumentation set it at creation) is left alone, and
    metadata keys it already has are kept: the span's own value is more specific than the ambient
    one. Never raises into the application.
    """

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        """Stamp the session onto ``span``."""
        try:
            # The span's parent context first (a span started with an explicit ``context=``), then
            # the caller's: an extracted remote context does not carry the local session.
            current = current_session(parent_context) or current_session()
            if current is None:
                return
            existing = span.attributes or {}
            attributes: dict[str, AttributeValue] = {keys.SESSION_ID: current.session_id}
            if current.user_id is not None:
                attributes[keys.USER_ID] = current.user_id
            if current.tags:
                attributes[keys.TRACE_TAGS] = list(current.tags)
            attributes = {key: value for key, value in attributes.items() if key not in existing}
            if current.metadata:
                attributes[keys.TRACE_METADATA] = merged_metadata(
                    existing.get(keys.TRACE_METADATA), current.metadata, replace=False
                )
            span.set_attributes(attributes)
        except Exception:
            _logger.warning("otel-bridge: could not stamp the session onto a span", exc_info=True)
