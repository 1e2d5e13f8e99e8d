"""OpenTelemetry general and resource semantic conventions: the vendor-neutral keys read as trace
claims. Keys only: the translator reads them centrally (``precedence``), so this module has no
``CONVENTION``.

Sources: ``open-telemetry/semantic-conventions`` ``model/session/registry.yaml`` (``session.id``),
``model/user/registry.yaml`` (``user.id``), ``model/service/registry.yaml`` (``service.version``) and
``model/deployment/registry.yaml`` (``deployment.environment.name``; ``deployment.environment``,
deprecated since semconv 1.27, in ``model/deployment/deprecated/registry-deprecated.yaml``);
docs/reference/conventions.md §1.5 and §3.3.

Why here and not in ``openinference``: OpenInference's ``SpanAttributes.SESSION_ID`` / ``USER_ID``
take these same OTel registry keys, and so do the Langfuse Python SDK (``propagate_attributes``),
MLflow's OTLP export, the ``trace_attributes`` Strands Agents apps set, and otel-bridge's own
``sdk.session()``. They belong to no one vendor, so they live with the OTel conventions that define
them.
"""

from __future__ import annotations

#: The session a span belongs to (OTel session registry).
SESSION_ID = "session.id"
#: The user a span acts for (OTel user registry).
USER_ID = "user.id"
#: The version of the service (resource attribute).
SERVICE_VERSION = "service.version"
#: The deployment environment, e.g. ``production`` (resource attribute, semconv 1.27+).
DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name"
#: The deployment environment before semconv 1.27 renamed it (still sent by older SDKs).
DEPLOYMENT_ENVIRONMENT = "deployment.environment"

__all__ = [
    "DEPLOYMENT_ENVIRONMENT",
    "DEPLOYMENT_ENVIRONMENT_NAME",
    "SERVICE_VERSION",
    "SESSION_ID",
    "USER_ID",
]
