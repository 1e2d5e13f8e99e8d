"""The OTLP entry points: gRPC (``grpc.py``) and HTTP (``http.py``), the export path they share
(``export.py``), credentials (``auth.py``), the one error → status table (``status.py``) and the
server's own metrics (``metrics.py``).

Server-side only: these modules import grpc and Starlette, so ``import otel_bridge`` never imports
them; ``otel_bridge.server`` composes them. ``AppContext`` is the seam through which the API and UI
packages get what they need to build their routes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from otel_bridge.ingest import Ingestor
from otel_bridge.ingest.limits import DEFAULT_LIMITS, IngestLimits
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.ratelimit import RateLimiter, RateLimits
from otel_bridge.store import Store


@dataclass(frozen=True)
class AppContext:
    """What the server gives ``otel_bridge.api`` and ``otel_bridge.ui`` to build their routes:

    - ``store``: reads (scoped by project) and, through ``ingestor``, writes;
    - ``ingestor``: ``await ingestor.submit(project_id, translations, size)`` commits spans with
      the same backpressure and durability as OTLP (``QueueFull`` → 503);
    - ``authenticator``: ``await authenticator.authenticate(request.headers.get("authorization"))``
      → the caller's ``Project`` or ``Unauthenticated`` (401 via ``status.error_status``);
    - ``metrics``: the request counters (the server already counts every HTTP route);
    - ``ui_cookie_key`` and ``ui_session_seconds``: what signs the UI's sign-in cookies, and how long
      one lasts (``otel_bridge.ui.signin``).
    - ``rate_limiter``: ``rate_limiter.check(project.id, "read")`` after authenticating (429);
    - ``limits``: what one request may store (``ingest/limits.py``).
    """

    store: Store
    ingestor: Ingestor
    authenticator: Authenticator
    metrics: Metrics
    ui_cookie_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    ui_session_seconds: float = 12 * 3600.0
    rate_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(RateLimits()))
    limits: IngestLimits = DEFAULT_LIMITS


__all__ = ["AppContext"]
