"""One module per convention, each owning its keys as constants and exposing ``CONVENTION``; the
order below is the extraction order. ``otel`` (OTel's general and resource keys) and ``genkit`` hold
only keys that ``precedence`` reads, so they have no ``CONVENTION``; ``genai_usage`` is the usage and
model-parameter half of ``genai``.

Earlier conventions win where two offer the same field: explicit Langfuse keys first, then the
framework conventions identified by their scope (Vercel AI SDK, Google ADK), then the OpenTelemetry GenAI
conventions, then the older or narrower ones, and the generic ``input``/``output`` keys last.
"""

from __future__ import annotations

from otel_bridge.translate.conventions import (
    genai,
    generic,
    google_adk,
    langfuse,
    mlflow,
    openinference,
    pydantic_ai,
    traceloop,
    vercel_ai,
)
from otel_bridge.translate.registry import HAS_MODEL_RULE, Convention, ObservationTypeRegistry

CONVENTIONS: tuple[Convention, ...] = (
    langfuse.CONVENTION,
    vercel_ai.CONVENTION,
    # Before genai: ADK spans carry both, and ADK's own usage counts Gemini's thinking tokens.
    google_adk.CONVENTION,
    genai.CONVENTION,
    openinference.CONVENTION,
    traceloop.CONVENTION,
    pydantic_ai.CONVENTION,
    mlflow.CONVENTION,
    generic.CONVENTION,
)

TYPE_REGISTRY = ObservationTypeRegistry(
    [rule for convention in CONVENTIONS for rule in convention.type_rules] + [HAS_MODEL_RULE]
)
