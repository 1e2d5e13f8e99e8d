"""Where each trace-level claim and each simple observation field is read from, in order.

This is the one place the translator documents field precedence (DESIGN.md rule 2,
shared/reference/conventions.md §0 and §1.5). The first present, non-empty key wins. Langfuse's own
order comes first, then the conventions Langfuse does not read (OpenLLMetry association properties,
the Vercel AI SDK, MLflow, Google ADK), so otel-bridge agrees with Langfuse wherever Langfuse has an
answer and answers where it has none. Resource attributes are consulted only where noted.
"""

from __future__ import annotations

SESSION_ID_KEYS = (
    "langfuse.session.id",
    "session.id",
    "gen_ai.conversation.id",
    "langfuse.trace.metadata.langfuse_session_id",
    "langfuse.observation.metadata.langfuse_session_id",
    "traceloop.association.properties.session_id",
    "ai.telemetry.metadata.sessionId",
    "mlflow.trace.session",
    "gcp.vertex.agent.session_id",
)

USER_ID_KEYS = (
    "langfuse.user.id",
    "user.id",
    "langfuse.trace.metadata.langfuse_user_id",
    "langfuse.observation.metadata.langfuse_user_id",
    "traceloop.association.properties.user_id",
    "ai.telemetry.metadata.userId",
    "mlflow.trace.user",
)

#: Tags: an array, a JSON array string, a comma-separated string or a single string.
TAGS_KEYS = (
    "langfuse.trace.tags",
    "langfuse.tags",
    "langfuse.observation.metadata.langfuse_tags",
    "langfuse.trace.metadata.langfuse_tags",
    "ai.telemetry.metadata.tags",
    "tag.tags",
    "logfire.tags",
)

PUBLIC_KEYS = ("langfuse.trace.public", "langfuse.public")

#: Release: span attribute, then the same key on the resource.
RELEASE_KEYS = ("langfuse.release",)

#: Version: span attribute, then resource ``service.version``.
VERSION_KEYS = ("langfuse.version",)
RESOURCE_VERSION_KEYS = ("langfuse.version", "service.version")

#: Environment: for each key, the span attribute, then the resource attribute.
ENVIRONMENT_KEYS = ("langfuse.environment", "deployment.environment.name", "deployment.environment")

#: Explicit trace name (then MLflow's JSON-encoded ``mlflow.traceName``); otherwise the root span's
#: observation name.
TRACE_NAME_KEYS = ("langfuse.trace.name",)
TRACE_INPUT_KEY = "langfuse.trace.input"
TRACE_OUTPUT_KEY = "langfuse.trace.output"

#: Model: the response model beats the request model.
MODEL_KEYS = (
    "langfuse.observation.model.name",
    "gen_ai.response.model",
    "llm.response.model_name",
    "llm.response.model",
    "ai.response.model",
    "ai.model.id",
    "gen_ai.request.model",
    "llm.request.model_name",
    "llm.request.model",
    "llm.model_name",
    "embedding.model_name",
    "reranker.model_name",
    "model",
)

#: Observation name overrides, before the span name.
NAME_KEYS = ("gen_ai.tool.name", "genkit:name", "logfire.msg", "ai.toolCall.name")

#: Root markers besides a missing parent (Langfuse SDK internals).
AS_ROOT_KEY = "langfuse.internal.as_root"
