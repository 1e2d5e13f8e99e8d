"""The server's forwarder: a thread that delivers the store's backlog to the target.

Each round (``run_once``) asks the spool (``otel_bridge.store.sql.forwarding``) for the traces due —
their root arrived and no span came for ``quiet`` seconds, or they waited ``timeout`` seconds
without a root, or their retry time came — reads each through the store's reads (the trace as
resolved from all its spans), and delivers them (``delivery.py``). What is sent:

- the first time, every span of the trace;
- after a late span, only the spans not delivered before, unless the trace-level values every span
  carries (session, user, name, tags, environment, …) changed: then every span again, so that the
  target, which upserts by id, converges on the new values.

A trace whose delivery failed for a while is retried with backoff (``backoff.py``), after the
target's ``Retry-After`` if it gave one, for as long as it takes: the data stays in the store. A
trace the target refuses for good (a 4xx) is not retried until it changes again; the refusal is
logged once per distinct message and counted.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol as TypingProtocol

from otel_bridge.errors import ForwardBacklogFull, NotFound, OtelBridgeError
from otel_bridge.forward.backoff import Backoff
from otel_bridge.forward.delivery import Item, Result, deliver
from otel_bridge.forward.spans import claims_digest
from otel_bridge.forward.stats import ForwardStats
from otel_bridge.forward.target import Outcome, Protocol, Target
from otel_bridge.store import TraceDetail
from otel_bridge.store.sql.forwarding import Due, ForwardingLedger, Settlement

__all__ = ["ForwardOptions", "Forwarder", "describe_protocol"]

logger = logging.getLogger("otel_bridge.forward")


class _Reads(TypingProtocol):
    def get_trace(self, project_id: str, trace_id: str) -> TraceDetail: ...


@dataclass(frozen=True)
class ForwardOptions:
    """How the forwarder waits, batches and bounds its backlog."""

    quiet_seconds: float = 3.0
    timeout_seconds: float = 180.0
    batch_bytes: int = 3_500_000
    max_backlog_traces: int = 100_000
    poll_seconds: float = 0.25
    traces_per_round: int = 200
    backoff: Backoff = field(default_factory=Backoff)
    #: Delete delivered traces this long after their delivery (``relay``: the store is only the
    #: spool); None keeps them (``serve``: the store is the product).
    retention_seconds: float | None = None


class Forwarder:
    """Delivers the backlog of one store to one target (see the module docstring)."""

    def __init__(
        self,
        reads: _Reads,
        ledger: ForwardingLedger,
        target: Target,
        protocol: Protocol,
        options: ForwardOptions = ForwardOptions(),
        *,
        clock: Callable[[], int] = time.time_ns,
        stats: ForwardStats | None = None,
    ) -> None:
        self._reads = reads
        self._ledger = ledger
        self.target = target
        self.protocol = protocol
        self.options = options
        self._clock = clock
        self.stats = stats or ForwardStats(target=target.base, protocol=protocol.value)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._logged: set[tuple[int, str]] = set()

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Run rounds on a thread of its own until ``stop``."""
        self.refresh_backlog()
        self._thread = threading.Thread(target=self._run, name="otel-bridge-forwarder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the round in progress (within ``timeout``) and stop; the rest stays in the store."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.run_once()
            except OtelBridgeError as error:  # the store is down: try again later
                logger.warning("forwarding paused: %s", error.message)
                handled = 0
            except Exception:
                logger.exception("forwarding round failed; retrying")
                handled = 0
            if not handled:
                self._stop.wait(self.options.poll_seconds)

    # -- backpressure ---------------------------------------------------------------------------

    def refresh_backlog(self) -> None:
        """Read the backlog's size and age into ``stats`` (once a round)."""
        backlog = self._ledger.backlog()
        self.stats.backlog_traces = backlog.traces
        self.stats.oldest_pending_ns = backlog.oldest_pending_ns

    def admit(self) -> None:
        """Raise ``ForwardBacklogFull`` when the unforwarded backlog is at its bound: ingestion then
        answers 503 / ``UNAVAILABLE`` and the exporters upstream keep the data."""
        if self.stats.backlog_traces >= self.options.max_backlog_traces:
            self.stats.backlog_refusals += 1
            raise ForwardBacklogFull(
                f"forwarding backlog full ({self.stats.backlog_traces} traces not yet delivered to "
                f"{self.target.base}, limit {self.options.max_backlog_traces}); retry later",
                retry_after=5.0,
            )

    # -- one round ------------------------------------------------------------------------------

    def detect_protocol(self) -> Protocol:
        """With ``auto``, ask the target which protocol it speaks (once it answers); the protocol."""
        if self.protocol is Protocol.AUTO:
            detected = self.target.detect()
            if detected is not None:
                self.protocol = detected
                self.stats.protocol = detected.value
                logger.info("%s speaks %s", self.target.base, _PROTOCOL_NAMES[detected])
        return self.protocol

    def run_once(self) -> int:
        """Deliver what is due now; the number of traces handled."""
        if self.detect_protocol() is Protocol.AUTO:
            self.refresh_backlog()
            return 0  # the target does not answer yet: nothing can be sent anyway
        options = self.options
        now = self._clock()
        due = self._ledger.due(
            now,
            quiet_ns=int(options.quiet_seconds * 1e9),
            timeout_ns=int(options.timeout_seconds * 1e9),
            limit=options.traces_per_round,
        )
        if due:
            self._forward(due)
        elif options.retention_seconds is not None:
            self.stats.pruned_traces += self._ledger.prune(now - int(options.retention_seconds * 1e9))
        self.refresh_backlog()
        return len(due)

    def _forward(self, due: list[Due]) -> None:
        items: dict[Due, Item] = {}
        digests: dict[Due, str] = {}
        for entry in due:
            try:
                detail = self._reads.get_trace(entry.project_id, entry.trace_id)
            except NotFound:
                self._ledger.apply([self._ledger.sent(entry, "", (), self._clock())])  # pruned meanwhile
                continue
            trace = detail.summary.trace
            digest = digests[entry] = claims_digest(trace)
            observations = detail.observations
            if digest == entry.forwarded_claims:
                observations = tuple(o for o in observations if o.id not in entry.forwarded_spans)
            items[entry] = Item(trace, observations)
        results = deliver(
            self.target,
            self.protocol,
            items,
            batch_bytes=self.options.batch_bytes,
            backoff=self.options.backoff,
            sleep=self._stop.wait,
        )
        settlements = [
            self._settle(entry, items[entry], digests[entry], result) for entry, result in results.items()
        ]
        self._ledger.apply(settlements)

    def _settle(self, entry: Due, item: Item, digest: str, result: Result) -> Settlement:
        stats = self.stats
        ledger = self._ledger
        if result.outcome is Outcome.ACCEPTED:
            settlement = ledger.sent(entry, digest, [o.id for o in item.observations], self._clock())
            stats.traces_forwarded += 1
            stats.spans_forwarded += len(item.observations)
            if entry.forwarded_claims is not None:
                stats.traces_reforwarded += 1
            return settlement
        if result.outcome is Outcome.RETRY:
            delay = self.options.backoff.delay(entry.attempts + 1, result.retry_after)
            stats.retries[_reason(result)] += 1
            return ledger.retry(entry, self._clock() + int(delay * 1e9), _describe(result))
        stats.failures[_reason(result)] += 1
        key = (result.status, result.message)
        if key not in self._logged:
            self._logged.add(key)
            logger.error(
                "%s refused trace %s for good (%s); such traces are not retried until they change",
                self.target.base,
                entry.trace_id,
                _describe(result),
            )
        return ledger.failed(entry, _describe(result))


_PROTOCOL_NAMES = {
    Protocol.OTEL: "the OTel endpoint (/api/public/otel/v1/traces)",
    Protocol.INGESTION: "batch ingestion (/api/public/ingestion)",
    Protocol.AUTO: "a protocol to be detected when it answers",
}


def describe_protocol(protocol: Protocol) -> str:
    """What the start banner says of a protocol."""
    return _PROTOCOL_NAMES[protocol]


def _describe(result: Result) -> str:
    return f"HTTP {result.status}: {result.message}" if result.status else result.message


def _reason(result: Result) -> str:
    """A bounded label: the status (``429``, ``503``, ``401``…) or ``unreachable``."""
    return str(result.status) if result.status else "unreachable"
