"""Where ``BridgeSpanExporter`` sends translated spans: the ``CanSendTranslations`` seam (like an httpx
transport), its outcome value, and ``InMemorySink`` for tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from otel_bridge.model import Observation, Trace
from otel_bridge.translate import Translation, resolve_trace

__all__ = ["CanSendTranslations", "InMemorySink", "SendResult"]


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one ``send``: ``errors`` names what was not delivered (empty: all was)."""

    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Everything was delivered."""
        return not self.errors


class CanSendTranslations(Protocol):
    """A destination for translated spans. ``send`` reports problems in its result, never raises for
    a delivery problem, and may block (the exporter runs on the batch processor's worker thread)."""

    def send(self, translations: Sequence[Translation]) -> SendResult:
        """Deliver ``translations``."""
        ...

    def close(self) -> None:
        """Release resources and stop waiting (retries give up); later sends fail."""
        ...


class InMemorySink:
    """Keeps every translation it is sent, for tests (shipped to users, as ``InMemorySpanExporter``
    is in the OTel SDK)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._translations: list[Translation] = []

    def send(self, translations: Sequence[Translation]) -> SendResult:
        """Keep ``translations``."""
        with self._lock:
            self._translations.extend(translations)
        return SendResult()

    def close(self) -> None:
        """Nothing to release."""

    @property
    def translations(self) -> list[Translation]:
        """Everything sent so far, in order."""
        with self._lock:
            return list(self._translations)

    @property
    def observations(self) -> list[Observation]:
        """The observations sent so far, in order."""
        return [t.observation for t in self.translations]

    def traces(self) -> dict[str, Trace]:
        """Every trace sent so far by id, resolved from its spans' claims (docs/architecture.md rule 3)."""
        claims: dict[str, list[Translation]] = {}
        for translation in self.translations:
            claims.setdefault(translation.claims.trace_id, []).append(translation)
        return {trace_id: resolve_trace(t.claims for t in group) for trace_id, group in claims.items()}

    def clear(self) -> None:
        """Forget everything sent so far."""
        with self._lock:
            self._translations.clear()
