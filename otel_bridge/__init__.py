"""otel-bridge: OpenTelemetry spans of LLM applications as session-grouped traces.

The in-process library's names are importable from here (``from otel_bridge import configure,
session, observe``); they are loaded from ``otel_bridge.sdk`` on first use, so ``import otel_bridge``
alone (as the server and the translator's users do) stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the definitions, for type checkers; at run time ``__getattr__`` loads them
    from otel_bridge.sdk.configure import configure, flush, shutdown
    from otel_bridge.sdk.context import SessionContext, SessionScope, current_session, session
    from otel_bridge.sdk.exporter import BridgeSpanExporter
    from otel_bridge.sdk.ingestion import IngestionSink, RetryPolicy
    from otel_bridge.sdk.observe import ObservationKind, observe
    from otel_bridge.sdk.processor import SessionSpanProcessor
    from otel_bridge.sdk.records import span_to_record, spans_to_records
    from otel_bridge.sdk.sampling import SessionSampler, SessionSamplingProcessor, session_kept
    from otel_bridge.sdk.sinks import CanSendTranslations, InMemorySink, SendResult
    from otel_bridge.sdk.update import update_current_observation, update_current_trace
    from otel_bridge.translate.masking import mask_secrets

__all__ = [
    "BridgeSpanExporter",
    "CanSendTranslations",
    "InMemorySink",
    "IngestionSink",
    "ObservationKind",
    "RetryPolicy",
    "SendResult",
    "SessionContext",
    "SessionSampler",
    "SessionSamplingProcessor",
    "SessionScope",
    "SessionSpanProcessor",
    "configure",
    "current_session",
    "flush",
    "mask_secrets",
    "observe",
    "session",
    "session_kept",
    "shutdown",
    "span_to_record",
    "spans_to_records",
    "update_current_observation",
    "update_current_trace",
]

#: The names forwarded to ``otel_bridge.sdk`` (all of ``__all__``).
_SDK_NAMES = frozenset(__all__)


def __getattr__(name: str) -> Any:
    """Load ``otel_bridge.sdk`` when one of its names is first asked for (PEP 562)."""
    if name in _SDK_NAMES:
        value = getattr(importlib.import_module("otel_bridge.sdk"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'otel_bridge' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_SDK_NAMES})
