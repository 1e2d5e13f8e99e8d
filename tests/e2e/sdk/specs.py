"""The pinned client virtualenvs of the SDK end-to-end tests (``venvs.py`` builds and caches them)."""

from __future__ import annotations

from tests.e2e.sdk.venvs import VenvSpec

OTEL_SDK = (
    "opentelemetry-api==1.45.2",
    "opentelemetry-sdk==1.45.2",
    "opentelemetry-exporter-otlp-proto-http==1.45.2",
)

#: The current, OTel-based SDK: writes OTLP/HTTP to /api/public/otel/v1/traces.
LANGFUSE_V5 = VenvSpec("langfuse-v5", ("langfuse==5.0.4", "openai==2.54.0", *OTEL_SDK))
#: The newest 5.x, for the API surface beyond tracing (``test_langfuse_v5_api.py`` runs both 5.x pins).
LANGFUSE_V5_LATEST = VenvSpec("langfuse-v5-latest", ("langfuse==5.2.0", *OTEL_SDK))
#: The last major whose generated API client still reads sessions and traces.
LANGFUSE_V4 = VenvSpec("langfuse-v4", ("langfuse==4.18.0", *OTEL_SDK))
#: The pre-OTel SDK: decorators, POST /api/public/ingestion; its OpenAI drop-in wants openai 1.x.
LANGFUSE_V2 = VenvSpec("langfuse-v2", ("langfuse==2.60.10", "openai==1.109.1"))

ALL = (LANGFUSE_V5, LANGFUSE_V5_LATEST, LANGFUSE_V4, LANGFUSE_V2)
