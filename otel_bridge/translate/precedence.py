"""Where each trace-level claim and each simple observation field is read from, in order.

This is the one place the translator states field precedence (docs/architecture.md rule 2,
docs/reference/conventions.md §0 and §1.5); the keys themselves are the constants of the
convention modules that own them (``conventions/``). The first present, non-empty key wins.
Langfuse's own order comes first, then the conventions Langfuse does not read (OpenLLMetry
association properties, the Vercel AI SDK, MLflow, Google ADK), so otel-bridge agrees with Langfuse
wherever Langfuse has an answer and answers where it has none. Resource attributes are consulted
only where noted.
"""

from __future__ import annotations

from otel_bridge.translate.conventions import (
    genai,
    genai_usage,
    generic,
    genkit,
    google_adk,
    langfuse,
    mlflow,
    openinference,
    otel,
    pydantic_ai,
    traceloop,
    vercel_ai,
)

# docs/architecture.md rule 2: the session and user lists are Langfuse's ``extractSessionId`` /
# ``extractUserId`` order (trace metadata before observation metadata, where Langfuse reads the
# observation's first), then the keys Langfuse does not read. README.md ("How spans become
# sessions") lists SESSION_ID_KEYS in this order; a test keeps the two in step.
SESSION_ID_KEYS = (
    langfuse.SESSION_ID,
    otel.SESSION_ID,
    genai.CONVERSATION_ID,
    langfuse.TRACE_METADATA_SESSION_ID,
    langfuse.OBSERVATION_METADATA_SESSION_ID,
    traceloop.ASSOCIATION_SESSION_ID,
    vercel_ai.METADATA_SESSION_ID,
    mlflow.TRACE_SESSION,
    google_adk.SESSION_ID,
)

USER_ID_KEYS = (
    langfuse.USER_ID,
    otel.USER_ID,
    langfuse.TRACE_METADATA_USER_ID,
    langfuse.OBSERVATION_METADATA_USER_ID,
    traceloop.ASSOCIATION_USER_ID,
    vercel_ai.METADATA_USER_ID,
    mlflow.TRACE_USER,
)

#: Tags: an array, a JSON array string, a comma-separated string or a single string.
TAGS_KEYS = (
    langfuse.TRACE_TAGS,
    langfuse.TAGS,
    langfuse.OBSERVATION_METADATA_TAGS,
    langfuse.TRACE_METADATA_TAGS,
    vercel_ai.METADATA_TAGS,
    openinference.TAG_TAGS,
    pydantic_ai.LOGFIRE_TAGS,
)

PUBLIC_KEYS = (langfuse.TRACE_PUBLIC, langfuse.PUBLIC)

#: Release: span attribute, then the same key on the resource.
RELEASE_KEYS = (langfuse.RELEASE,)

#: Version: span attribute, then resource ``service.version``.
VERSION_KEYS = (langfuse.VERSION,)
RESOURCE_VERSION_KEYS = (langfuse.VERSION, otel.SERVICE_VERSION)

#: Environment: for each key, the span attribute, then the resource attribute.
ENVIRONMENT_KEYS = (langfuse.ENVIRONMENT, otel.DEPLOYMENT_ENVIRONMENT_NAME, otel.DEPLOYMENT_ENVIRONMENT)

#: Explicit trace name (then MLflow's JSON-encoded ``mlflow.traceName``, which the MLflow convention
#: offers); otherwise the root span's observation name. The trace's explicit input and output are
#: ``langfuse.trace.input`` / ``output``, which the Langfuse convention reads.
TRACE_NAME_KEYS = (langfuse.TRACE_NAME,)

#: Model: the response model beats the request model.
MODEL_KEYS = (
    langfuse.OBSERVATION_MODEL,
    genai.RESPONSE_MODEL,
    openinference.RESPONSE_MODEL_NAME,
    traceloop.LEGACY_RESPONSE_MODEL,
    vercel_ai.RESPONSE_MODEL,
    vercel_ai.MODEL_ID,
    genai_usage.REQUEST_MODEL,
    openinference.REQUEST_MODEL_NAME,
    traceloop.LEGACY_REQUEST_MODEL,
    openinference.MODEL_NAME,
    openinference.EMBEDDING_MODEL_NAME,
    openinference.RERANKER_MODEL_NAME,
    generic.MODEL,
)

#: Observation name overrides, before the span name.
NAME_KEYS = (genai.TOOL_NAME, genkit.NAME, pydantic_ai.LOGFIRE_MSG, vercel_ai.TOOL_CALL_NAME)

#: Root markers besides a missing parent (Langfuse SDK internals).
AS_ROOT_KEY = langfuse.AS_ROOT

__all__ = [
    "AS_ROOT_KEY",
    "ENVIRONMENT_KEYS",
    "MODEL_KEYS",
    "NAME_KEYS",
    "PUBLIC_KEYS",
    "RELEASE_KEYS",
    "RESOURCE_VERSION_KEYS",
    "SESSION_ID_KEYS",
    "TAGS_KEYS",
    "TRACE_NAME_KEYS",
    "USER_ID_KEYS",
    "VERSION_KEYS",
]
