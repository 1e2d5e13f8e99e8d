"""The in-process forwarder: an OTel ``SpanExporter`` that sends an application's spans to a Langfuse
server the way ``otel-bridge serve --forward`` does, without the server extra.

    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from otel_bridge.forward.exporter import LangfuseExporter

    provider.add_span_processor(BatchSpanProcessor(LangfuseExporter()))  # LANGFUSE_HOST, _*_KEY

Spans are translated as they are exported (``sdk.exporter.BridgeSpanExporter``) and held per trace
in memory (``TraceBuffer``) until the trace's root ended and no span came for ``quiet_seconds``, or
for ``timeout_seconds`` without a root; then the trace is resolved from all its spans and delivered
(``delivery.py``) by a thread of the buffer's. The application is never blocked nor broken: export
returns at once, a full buffer drops the new spans (counted, logged once), and a target that fails
is retried with backoff while its traces stay within the buffer's bound. A late span re-sends what
changed, as the server does: the recently delivered traces are kept (bounded) to resolve it with.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from otel_bridge.config import ClientSettings
from otel_bridge.forward.backoff import Backoff
from otel_bridge.forward.delivery import Item, deliver
from otel_bridge.forward.spans import claims_digest
from otel_bridge.forward.target import Outcome, Protocol, Target
from otel_bridge.sdk.exporter import BridgeSpanExporter
from otel_bridge.sdk.sinks import SendResult
from otel_bridge.translate import Translation, resolve_trace

__all__ = ["LangfuseExporter", "TraceBuffer"]

logger = logging.getLogger("otel_bridge.forward")


@dataclass
class _Trace:
    spans: dict[str, Translation] = field(default_factory=dict)
    has_root: bool = False
    first_ns: int = 0
    last_ns: int = 0
    next_attempt_ns: int = 0
    attempts: int = 0
    #: What was delivered: the claims digest and the span ids (empty: nothing yet).
    digest: str | None = None
    delivered: set[str] = field(default_factory=set)
    dirty: bool = True


class TraceBuffer:
    """A ``CanSendTranslations`` that buffers per trace and delivers resolved traces (see the module
    docstring). ``max_spans`` bounds the spans held, ``keep_traces`` the delivered traces kept for
    late spans."""

    def __init__(
        self,
        target: Target,
        protocol: Protocol = Protocol.OTEL,
        *,
        quiet_seconds: float = 1.0,
        timeout_seconds: float = 30.0,
        max_spans: int = 10_000,
        keep_traces: int = 1_000,
        batch_bytes: int = 3_500_000,
        backoff: Backoff | None = None,
        poll_seconds: float = 0.1,
    ) -> None:
        self.target = target
        self.protocol = protocol
        self.quiet_ns = int(quiet_seconds * 1e9)
        self.timeout_ns = int(timeout_seconds * 1e9)
        self.max_spans = max_spans
        self.keep_traces = keep_traces
        self.batch_bytes = batch_bytes
        self.backoff = backoff or Backoff()
        self.poll_seconds = poll_seconds
        self.dropped_spans = 0
        self.refused_traces = 0
        self.delivered_traces = 0
        self._traces: OrderedDict[str, _Trace] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._idle = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._run, name="otel-bridge-forward-exporter", daemon=True)
        self._thread.start()

    # -- CanSendTranslations ------------------------------------------------------------------------

    def send(self, translations: Sequence[Translation]) -> SendResult:
        """Hold ``translations`` for delivery; never blocks on the target."""
        if self._closed.is_set():
            return SendResult(("the exporter is shut down",))
        now = time.monotonic_ns()
        dropped = 0
        with self._lock:
            for translation in translations:
                trace_id = translation.observation.trace_id
                entry = self._traces.get(trace_id)
                span_id = translation.observation.id
                new_span = entry is None or span_id not in entry.spans
                if new_span and self._held >= self.max_spans:
                    self._forget_delivered(keep=0)  # delivered traces make room first
                    if self._held >= self.max_spans:
                        dropped += 1
                        continue
                if entry is None:
                    entry = self._traces[trace_id] = _Trace(first_ns=now)
                if new_span:
                    self._held += 1
                entry.spans[span_id] = translation
                entry.has_root = entry.has_root or translation.claims.is_root
                entry.last_ns = now
                entry.dirty = True
                self._traces.move_to_end(trace_id)
            self.dropped_spans += dropped
        if dropped:
            if self.dropped_spans == dropped:
                logger.warning(
                    "otel-bridge forwarding buffer full (%d spans): new spans dropped", self.max_spans
                )
            return SendResult((f"{dropped} spans dropped: the forwarding buffer is full",))
        return SendResult()

    def close(self) -> None:
        """Deliver what is held (one attempt each), then stop."""
        self.flush(timeout=self.target.timeout)
        self._closed.set()
        self._wake.set()
        self._thread.join(self.target.timeout)

    # -- delivery -------------------------------------------------------------------------------

    def flush(self, timeout: float = 30.0) -> bool:
        """Deliver every held trace now, waiting for the quiet period no longer; True when nothing is
        left to deliver within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self._deliver(force=True) and time.monotonic() < deadline:
            with self._lock:
                if not any(entry.dirty for entry in self._traces.values()):
                    return True
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))  # a failing target: not a busy loop
        with self._lock:
            return not any(entry.dirty for entry in self._traces.values())

    def _run(self) -> None:
        while not self._closed.is_set():
            try:
                busy = self._deliver(force=False)
            except Exception:  # never let the thread die: the application keeps running
                logger.warning("otel-bridge forwarding failed", exc_info=True)
                busy = False
            if not busy:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def _due(self, force: bool) -> list[str]:
        now = time.monotonic_ns()
        with self._lock:
            return [
                trace_id
                for trace_id, entry in self._traces.items()
                if entry.dirty
                and (force or entry.next_attempt_ns <= now)
                and (
                    force
                    or (entry.has_root and now - entry.last_ns >= self.quiet_ns)
                    or now - entry.first_ns >= self.timeout_ns
                )
            ]

    def _deliver(self, *, force: bool) -> bool:
        """One round; True when something was due."""
        due = self._due(force)
        if not due:
            return False
        items: dict[str, Item] = {}
        digests: dict[str, str] = {}
        sent_ids: dict[str, list[str]] = {}
        with self._lock:
            for trace_id in due:
                entry = self._traces[trace_id]
                translations = list(entry.spans.values())
                trace = resolve_trace(t.claims for t in translations)
                digest = digests[trace_id] = claims_digest(trace)
                observations = [t.observation for t in translations]
                if digest == entry.digest:
                    observations = [o for o in observations if o.id not in entry.delivered]
                items[trace_id] = Item(trace, observations)
                sent_ids[trace_id] = [o.id for o in observations]
                entry.dirty = False  # a span arriving during the delivery sets it again
        results = deliver(
            self.target, self.protocol, items, batch_bytes=self.batch_bytes, backoff=self.backoff
        )
        now = time.monotonic_ns()
        with self._lock:
            for trace_id, result in results.items():
                entry = self._traces[trace_id]
                if result.outcome is Outcome.ACCEPTED:
                    entry.digest = digests[trace_id]
                    entry.delivered.update(sent_ids[trace_id])
                    entry.attempts = 0
                    self.delivered_traces += 1
                elif result.outcome is Outcome.RETRY:
                    entry.dirty = True
                    entry.attempts += 1
                    entry.next_attempt_ns = now + int(
                        self.backoff.delay(entry.attempts, result.retry_after) * 1e9
                    )
                else:
                    self.refused_traces += 1
                    entry.digest = entry.digest or "refused"  # not retried; forgotten like a delivered one
                    if self.refused_traces == 1:
                        logger.error(
                            "%s refused a trace for good: HTTP %d %s",
                            self.target.base,
                            result.status,
                            result.message,
                        )
            self._forget_delivered(self.keep_traces)
        return True

    def _forget_delivered(self, keep: int) -> None:
        """Keep at most ``keep`` delivered traces (the oldest go first) for late spans; under the lock."""
        delivered = [t for t, entry in self._traces.items() if not entry.dirty and entry.digest is not None]
        for trace_id in delivered[: max(0, len(delivered) - keep)]:
            self._held -= len(self._traces.pop(trace_id).spans)


class LangfuseExporter(BridgeSpanExporter):
    """The ``SpanExporter`` of the module docstring: the target from the arguments, else
    ``OTEL_BRIDGE_URL``/``_PUBLIC_KEY``/``_SECRET_KEY``, else ``LANGFUSE_*``."""

    def __init__(
        self,
        host: str | None = None,
        public_key: str | None = None,
        secret_key: str | None = None,
        *,
        protocol: Protocol | str = Protocol.OTEL,
        quiet_seconds: float = 1.0,
        timeout_seconds: float = 30.0,
        max_spans: int = 10_000,
    ) -> None:
        settings = ClientSettings.load(url=host, public_key=public_key, secret_key=secret_key)
        target = Target(settings.url, settings.public_key, settings.secret_key, timeout=10.0)
        chosen = Protocol(protocol)
        if chosen is Protocol.AUTO:
            chosen = target.detect() or Protocol.OTEL
        self.buffer = TraceBuffer(
            target, chosen, quiet_seconds=quiet_seconds, timeout_seconds=timeout_seconds, max_spans=max_spans
        )
        super().__init__(self.buffer)

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Deliver every buffered trace now."""
        return self.buffer.flush(timeout_millis / 1000)
