"""The span attribute keys the library writes: the Langfuse SDK's own (``langfuse.*``), which the
translator reads first, and the generic OTel ``session.id`` / ``user.id`` that ``session()`` stamps.

Each is the translator's constant for that key (``translate/conventions/langfuse.py`` and
``translate/conventions/otel.py``), so what the library writes is what the translator reads, in the
order ``translate/precedence.py`` gives.
"""

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
    RELEASE,
    STATUS_MESSAGE,
    TRACE_INPUT,
    TRACE_METADATA,
    TRACE_NAME,
    TRACE_OUTPUT,
    TRACE_PUBLIC,
    TRACE_TAGS,
    USAGE_DETAILS,
    VERSION,
)
from otel_bridge.translate.conventions.langfuse import OBSERVATION_MODEL as MODEL
from otel_bridge.translate.conventions.langfuse import SESSION_ID as TRACE_SESSION_ID
from otel_bridge.translate.conventions.langfuse import USER_ID as TRACE_USER_ID

# Stamped by ``SessionSpanProcessor`` on every span: the generic keys (second in the session and
# user precedence), so that an explicit ``langfuse.session.id`` on a span (``TRACE_SESSION_ID``,
# first, which ``update_current_trace`` writes) outranks the ambient session on that span.
from otel_bridge.translate.conventions.otel import SESSION_ID, USER_ID

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
