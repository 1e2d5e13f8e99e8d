"""The span attribute keys the library writes: the Langfuse SDK's own (``langfuse.*``), which the
translator reads first (``translate/conventions/langfuse.py``, ``translate/precedence.py``), and the
generic OTel ``session.id`` / ``user.id`` that ``session()`` stamps."""

from __future__ import annotations

from otel_bridge.translate.conventions.langfuse import (
    COMPLETION_START_TIME,
    COST_DETAILS,
    LEVEL,
    MODEL_PARAMETERS,
    OBSERVATION_INPUT,
    OBSERVATION_METADATA,
    OBSERVATION_OUTPUT,
    OBSERVATION_TYPE,
    STATUS_MESSAGE,
    TRACE_INPUT,
    TRACE_METADATA,
    TRACE_OUTPUT,
    USAGE_DETAILS,
)

#: Stamped by ``SessionSpanProcessor`` on every span: the generic keys (second in the session and
#: user precedence), so that an explicit ``langfuse.session.id`` on a span, or an
#: ``update_current_trace`` call, outranks the ambient session on that span.
SESSION_ID = "session.id"
USER_ID = "user.id"

#: ``update_current_trace``: first in their precedence lists.
TRACE_SESSION_ID = "langfuse.session.id"
TRACE_USER_ID = "langfuse.user.id"
TRACE_NAME = "langfuse.trace.name"
TRACE_TAGS = "langfuse.trace.tags"
TRACE_PUBLIC = "langfuse.trace.public"
RELEASE = "langfuse.release"
VERSION = "langfuse.version"

#: ``update_current_observation``.
MODEL = "langfuse.observation.model.name"

__all__ = [
    "COMPLETION_START_TIME",
    "COST_DETAILS",
    "LEVEL",
    "MODEL",
    "MODEL_PARAMETERS",
    "OBSERVATION_INPUT",
    "OBSERVATION_METADATA",
    "OBSERVATION_OUTPUT",
    "OBSERVATION_TYPE",
    "RELEASE",
    "SESSION_ID",
    "STATUS_MESSAGE",
    "TRACE_INPUT",
    "TRACE_METADATA",
    "TRACE_NAME",
    "TRACE_OUTPUT",
    "TRACE_PUBLIC",
    "TRACE_SESSION_ID",
    "TRACE_TAGS",
    "TRACE_USER_ID",
    "USAGE_DETAILS",
    "USER_ID",
    "VERSION",
]
