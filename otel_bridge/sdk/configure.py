"""``configure()``: the library's composition root; its target comes from ``config.ClientSettings``.

It wires ``SessionSpanProcessor`` and a ``BatchSpanProcessor(BridgeSpanExporter(sink))`` into a
tracer provider: the one given, else the global one when it is already an SDK provider (the
application's own exporters keep working), else a new one that it makes global. The sink is an
``IngestionSink`` for an ``http(s)://`` URL, or a ``StoreSink`` writing straight into a local store
for a database URL (``sqlite:///…``). ``flush()`` and ``shutdown()`` act on what ``configure()``
set up, and return within their timeouts whatever the server does.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from otel_bridge.config import ClientSettings
from otel_bridge.sdk.exporter import BridgeSpanExporter
from otel_bridge.sdk.ingestion import IngestionSink
from otel_bridge.sdk.processor import SessionSpanProcessor
from otel_bridge.sdk.sampling import SessionSampler, SessionSamplingProcessor
from otel_bridge.sdk.sinks import CanSendTranslations
from otel_bridge.translate.masking import Mask, mask_secrets

__all__ = ["configure", "flush", "shutdown"]

_logger = logging.getLogger("otel_bridge.sdk")

#: Database URL schemes ``configure(url=...)`` writes to directly (the ``server`` extra's store).
_STORE_SCHEMES = ("sqlite:", "postgresql:", "postgresql+")


@dataclass(frozen=True, slots=True)
class _Wiring:
    provider: TracerProvider
    exporting: SpanProcessor
    exporter: BridgeSpanExporter


_lock = threading.Lock()
_configured: list[_Wiring] = []


def configure(
    *,
    url: str | None = None,
    public_key: str | None = None,
    secret_key: str | None = None,
    service_name: str | None = None,
    tracer_provider: TracerProvider | None = None,
    mask: Mask | None = mask_secrets,
    sample_rate: float = 1.0,
    max_queue_size: int = 2048,
    export_timeout: float = 10.0,
) -> TracerProvider:
    """Send this process's spans, translated, to an otel-bridge (or Langfuse) server, or into a local
    store; returns the provider the processors were added to.

    Each setting is the argument, else a variable: ``url`` from ``OTEL_BRIDGE_URL``, else
    ``LANGFUSE_BASE_URL`` or ``LANGFUSE_HOST``; the keys from ``OTEL_BRIDGE_PUBLIC_KEY`` /
    ``OTEL_BRIDGE_SECRET_KEY``, else the ``LANGFUSE_*`` ones. A missing one raises ``ConfigError``
    naming the variables. A ``url`` argument that is a database URL (``sqlite:///traces.db``,
    ``postgresql+psycopg://…``; needs the ``server`` extra)
    writes into that store, in its default project, with no server running (keys are not needed).

    ``mask`` is applied to every string attribute (captured inputs and outputs included) before
    anything leaves the process: the default ``mask_secrets`` replaces API keys, bearer tokens and
    credential-named values; pass your own ``value -> value`` function, or None for no masking.
    ``sample_rate`` keeps that fraction of sessions, each whole (``sdk.sampling``; it installs the
    provider's sampler only on a provider made here). ``max_queue_size`` bounds the spans waiting
    for export (the rest are dropped, never blocking the application); ``export_timeout`` bounds
    one request to the server.

    ``service_name`` names a provider created here (an existing provider keeps its resource).
    Configuring the same provider twice adds nothing the second time. A ``tracer_provider`` passed
    in is not made global, and ``@observe`` records through the global provider: pass the one the
    application sets as global.
    """
    if not 0.0 <= sample_rate <= 1.0:
        raise ValueError(f"sample_rate must be between 0 and 1, got {sample_rate!r}")
    sink = _sink(url, public_key, secret_key, export_timeout)
    with _lock:
        provider = tracer_provider or _global_sdk_provider()
        if provider is None:
            resource = Resource.create({SERVICE_NAME: service_name} if service_name else {})
            sampler = SessionSampler(sample_rate, defer_without_session=True) if sample_rate < 1.0 else None
            provider = TracerProvider(resource=resource, sampler=sampler)
            trace.set_tracer_provider(provider)
        elif service_name:
            _logger.warning("otel-bridge: service_name ignored: the tracer provider already has a resource")
        if any(wiring.provider is provider for wiring in _configured):
            _logger.warning("otel-bridge: configure() was already called for this tracer provider")
            sink.close()
            return provider
        # Stamping happens in ``on_start``, before any processor's ``on_end`` exports the span, so
        # processors the provider already has export the session too.
        provider.add_span_processor(SessionSpanProcessor())
        exporter = BridgeSpanExporter(sink, mask=mask)
        exporting: SpanProcessor = BatchSpanProcessor(
            exporter,
            max_queue_size=max_queue_size,
            max_export_batch_size=min(512, max_queue_size),
        )
        if sample_rate < 1.0:
            exporting = SessionSamplingProcessor(exporting, sample_rate)
        provider.add_span_processor(exporting)
        _configured.append(_Wiring(provider, exporting, exporter))
    return provider


def _sink(
    url: str | None, public_key: str | None, secret_key: str | None, timeout: float
) -> CanSendTranslations:
    if url is not None and url.startswith(_STORE_SCHEMES):
        from otel_bridge.sdk.store_sink import StoreSink  # noqa: PLC0415 - server extra, loaded on use

        return StoreSink.open(url, public_key, secret_key)
    target = ClientSettings.load(url=url, public_key=public_key, secret_key=secret_key)
    return IngestionSink(target.url, target.public_key, target.secret_key, timeout=timeout)


def _global_sdk_provider() -> TracerProvider | None:
    provider = trace.get_tracer_provider()
    return provider if isinstance(provider, TracerProvider) else None


def flush(timeout_millis: int = 30_000) -> bool:
    """Export every span ended so far; True when all were exported within ``timeout_millis`` (the
    caller waits no longer, even when the server does not answer: the export goes on in the
    background)."""
    with _lock:
        wirings = list(_configured)
    if not wirings:
        return True
    results: list[bool] = []

    def run() -> None:
        results.extend(wiring.exporting.force_flush(timeout_millis) for wiring in wirings)

    # The SDK's batch processor exports on the calling thread and ignores the timeout.
    worker = threading.Thread(target=run, name="otel-bridge-flush", daemon=True)
    worker.start()
    worker.join(max(0, timeout_millis) / 1000)
    return not worker.is_alive() and all(results)


def shutdown(timeout_millis: int = 30_000) -> None:
    """Flush and stop what ``configure()`` added, within ``timeout_millis`` (the providers themselves
    stay, with any other processors they have); spans ended afterwards are not sent."""
    with _lock:
        wirings = list(_configured)
        _configured.clear()

    def run() -> None:
        for wiring in wirings:
            wiring.exporting.shutdown()

    worker = threading.Thread(target=run, name="otel-bridge-shutdown", daemon=True)
    worker.start()
    worker.join(max(0, timeout_millis) / 1000)
    if worker.is_alive():
        # Stop the sinks' retries and refuse further exports: the worker then ends by itself.
        for wiring in wirings:
            wiring.exporter.shutdown()
        _logger.warning(
            "otel-bridge: shutdown did not finish within %d ms; spans may be lost", timeout_millis
        )
