"""What a convention writer is: the span names and attributes one instrumentation library writes
for a planned session, and what the writers share.

=============  ================================================  ===========================================
convention     session id key                                    messages and usage
=============  ================================================  ===========================================
genai          ``gen_ai.conversation.id``                        ``gen_ai.input.messages``, ``gen_ai.usage``
openinference  ``session.id``                                    ``llm.input_messages``, ``llm.token_count``
openllmetry    ``traceloop.association.properties.session_id``   ``gen_ai.prompt.N``, ``gen_ai.usage``
langfuse       ``langfuse.session.id``                           ``langfuse.observation.*``
vercel-ai      ``ai.telemetry.metadata.sessionId``               ``ai.prompt.messages``, ``ai.usage``
=============  ================================================  ===========================================

The first three are instrumentation libraries (``instrumentation_writers``), the last two vendors'
SDKs (``sdk_writers``).
"""

from __future__ import annotations

from typing import Protocol

from opentelemetry.util.types import AttributeValue

from otel_bridge.demo.planner import Generation, SessionPlan, ToolCall, Turn

Attributes = dict[str, AttributeValue]


class ConventionWriter(Protocol):
    """The attributes one instrumentation library writes."""

    scope: str
    session_key: str

    def root(self, plan: SessionPlan, turn: Turn) -> tuple[str, Attributes]:
        """Name and attributes of a turn's agent span."""

    def generation(self, plan: SessionPlan, call: Generation) -> tuple[str, Attributes]:
        """Name and attributes of a model call."""

    def tool(self, plan: SessionPlan, call: ToolCall) -> tuple[str, Attributes]:
        """Name and attributes of a tool execution."""

    def session(self, plan: SessionPlan) -> Attributes:
        """The session (and user) attributes stamped on the spans that carry the session."""


def finish_reason(call: Generation) -> str:
    """The OpenAI-style finish reason of a call: ``stop``, ``tool_calls``, or ``error`` when it failed."""
    if call.output is None:
        return "error"
    return "tool_calls" if call.output.tool_name is not None else "stop"


__all__ = ["Attributes", "ConventionWriter", "finish_reason"]
