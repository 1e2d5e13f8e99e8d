"""The Langfuse-compatible public REST API: what Langfuse's SDK clients and scripts written against
Langfuse's v1 API read from (and, for batch ingestion, write to) otel-bridge.

Routes (response shapes per Langfuse's published OpenAPI spec, field for field):

=============================================  ===========================  =======================
route                                          response schema              module
=============================================  ===========================  =======================
``GET /api/public/sessions``                   ``PaginatedSessions``        ``sessions.py``
``GET /api/public/sessions/{sessionId}``       ``SessionWithTraces``        ``sessions.py``
``GET /api/public/traces``                     ``Traces``                   ``traces.py``
``GET /api/public/traces/{traceId}``           ``TraceWithFullDetails``     ``traces.py``
``GET /api/public/observations``               ``legacyObservationsViews``  ``observations.py``
``GET /api/public/observations/{id}``          ``ObservationsViewSingle``   ``observations.py``
``GET /api/public/v2/observations``            ``ObservationsV2Response``   ``observations_v2.py``
``GET /api/public/health``                     ``HealthResponse``           ``health.py``
``GET /api/public/projects``                   ``Projects``                 ``projects.py``
``POST /api/public/ingestion``                 ``IngestionResponse`` (207)  ``ingestion.py``
``POST /api/public/scores``                    ``CreateScoreResponse``      ``scores.py``
``GET /api/public/v2/scores`` (and v1 path)    ``GetScoresResponse``        ``scores.py``
``GET /api/public/v2/scores/{id}`` (and v1)    ``Score``                    ``scores.py``
``DELETE /api/public/scores/{scoreId}``        (204)                        ``scores.py``
``GET /api/public/v3/scores``                  ``GetScoresV3Response``      ``scores_v3.py``
``GET /api/public/metrics/daily``              ``DailyMetrics``             ``metrics_daily.py``
``GET /api/public/v2/metrics``                 ``MetricsV2Response``        ``metrics.py``
``GET /api/public/metrics``                    ``legacyMetricsResponse``    ``metrics.py``
``GET /openapi.json``                          this API's OpenAPI 3 doc     ``openapi.py``
=============================================  ===========================  =======================

``/openapi.json`` also describes the routes that are not Langfuse's (OTLP/HTTP, ``/healthz``,
``/metrics``, the UI: ``openapi_extras.py``). Each read route names the query parameters it accepts
(``params.Query``): an unknown one is a 400 listing them.

Every route but health and ``/openapi.json`` authenticates (Basic ``public:secret`` or Bearer
``secret``) and sees only its project: another project's object is 404 "… not found within
authorized project". Reads go through the ``Store`` protocol only; errors are ``{"message": …}``
bodies with the status of ``receivers/status.py`` (``http.py``). Server-side only: imports Starlette.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute

from otel_bridge.api import (
    health,
    ingestion,
    metrics,
    metrics_daily,
    observations,
    observations_v2,
    openapi,
    projects,
    scores,
    scores_v3,
    sessions,
    traces,
)
from otel_bridge.receivers import AppContext


def routes(context: AppContext) -> Sequence[BaseRoute]:
    """Every API route; ``otel_bridge.server`` mounts them."""
    return [
        *health.routes(context),
        *projects.routes(context),
        *sessions.routes(context),
        *traces.routes(context),
        *observations.routes(context),
        *observations_v2.routes(context),
        *ingestion.routes(context),
        *scores.routes(context),
        *scores_v3.routes(context),
        *metrics_daily.routes(context),
        *metrics.routes(context),
        *openapi.routes(context),
    ]


__all__ = ["routes"]
