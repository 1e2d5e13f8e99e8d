"""``configure()``: the library's composition root; its target comes from ``config.ClientSettings``.

It wires ``SessionSpanProcessor`` and a ``BatchSpanProcessor(BridgeSpanExporter(IngestionSink))``
into a tracer provider: the one given, else the global one when it is already an SDK provider (the
application's own exporters keep working), else a new one that it makes global. ``flush()`` and
``shutdown()`` act on what ``configure()`` set up.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from otel_bridge.config import ClientSettings
from otel_bridge.sdk.exporter import BridgeSpanExporter
from otel_bridge.sdk.ingestion import IngestionSink
from otel_bridge.sdk.processor import SessionSpanProcessor

__all__ = ["configure", "flush", "shutdown"]

_logger = logging.getLogger("otel_bridge.sdk")


@dataclass(frozen=True, slots=True)
class _Wiring:
    provider: TracerProvider
    batch: BatchSpanProcessor


_lock = threading.Lock()
_configured: list[_Wiring] = []


def configure(
    *,
    url: str | None = None,
    public_key: str | None = None,
    secret_key: str | None = None,
    service_name: str | None = None,
    tracer_provider: TracerProvider | None = None,
) -> TracerProvider:
    """Send this process's spans, translated, to an otel-bridge (or Langfuse) server; returns the
    provider the processors were added to.

    Each setting is the argument, else a variable: ``url`` from ``OTEL_BRIDGE_URL``, else
    ``LANGFUSE_BASE_URL`` or ``LANGFUSE_HOST``; the keys from ``OTEL_BRIDGE_PUBLIC_KEY`` /
    ``OTEL_BRIDGE_SECRET_KEY``, else the ``LANGFUSE_*`` ones. A missing one raises ``ConfigError``
    naming the variables.
    ``service_name`` names a provider created here (an existing provider keeps its resource).
    Configuring the same provider twice adds nothing the second time. A ``tracer_provider`` passed
    in is not made global, and ``@observe`` records through the global provider: pass the one the
    application sets as global.
    """
    target = ClientSettings.load(url=url, public_key=public_key, secret_key=secret_key)
    sink = IngestionSink(target.url, target.public_key, target.secret_key)
    with _lock:
        provider = tracer_provider or _global_sdk_provider()
        if provider is None:
            resource = Resource.create({SERVICE_NAME: service_name} if service_name else {})
            provider = TracerProvider(resource=resource)
            trace.set_tracer_provider(provider)
        elif service_name:
            _logger.warning("otel-bridge: service_name ignored: the tracer provider already has a resource")
        if any(wiring.provider is provider for wiring in _configured):
            _logger.warning("otel-bridge: configure() was already called for this tracer provider")
            return provider
        # Stamping happens in ``on_start``, before any processor's ``on_end`` exports the span, so
        # processors the provider already has export the session too.
        provider.add_span_processor(SessionSpanProcessor())
        batch = BatchSpanProcessor(BridgeSpanExporter(sink))
        provider.add_span_processor(batch)
        _configured.append(_Wiring(provider, batch))
    return provider


def _global_sdk_provider() -> TracerProvider | None:
    provider = trace.get_tracer_provider()
    return provider if isinstance(provider, TracerProvider) else None


def flush(timeout_millis: int = 30_000) -> bool:
    """Export every span ended so far; True when all were exported in time."""
    with _lock:
        wirings = list(_configured)
    return all(wiring.batch.force_flush(timeout_millis) for wiring in wirings)


def shutdown() -> None:
    """Flush and stop what ``configure()`` added (the providers themselves stay, with any other
    processors they have); spans ended afterwards are not sent."""
    with _lock:
        wirings = list(_configured)
        _configured.clear()
    for wiring in wirings:
        wiring.batch.shutdown()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated
