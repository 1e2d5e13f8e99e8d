"""Whole-session sampling: keep a fraction of the sessions, and every trace of each kept one.

The decision is a hash of the session id (``session_kept``), the same in every process and every run,
so the turns of one conversation handled by different workers are all kept or all dropped. A trace
without a session falls back to trace-id ratio sampling (``TraceIdRatioBased``), also consistent
across processes.

Two places decide, because the session is often set after the root span started:

- ``SessionSampler``, a ``TracerProvider`` sampler, decides at the start of a root span where the
  session is known then: inside ``session()``, or from a ``session.id``/``langfuse.session.id``
  attribute passed at creation. A dropped trace costs nothing more (its spans do not record).
  Children follow their parent's decision.
- ``SessionSamplingProcessor`` decides when the trace's local root span ends, from the session its
  spans carry by then (``update_current_trace(session_id=...)`` in a nested function, a LangChain
  callback's metadata): it holds the trace's ended spans until then and passes them to the exporting
  processor, or drops them. ``configure(sample_rate=...)`` installs both, the sampler set to defer
  traces without a known session to the processor.

So: a session known at the start decides at the start; a session set later decides at the end. A
trace dropped at the start (its ``session()`` was not kept) stays dropped even if a nested call
later moves it to a kept session: its spans were never recorded.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult, TraceIdRatioBased
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from otel_bridge.sdk.context import current_session
from otel_bridge.sdk.throttle import sdk_log
from otel_bridge.translate.precedence import SESSION_ID_KEYS

__all__ = ["SessionSampler", "SessionSamplingProcessor", "session_kept"]

_SCALE = float(1 << 64)


def _check_rate(rate: float) -> float:
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"sample rate must be between 0 and 1, got {rate!r}")
    return float(rate)


def session_kept(session_id: str, rate: float) -> bool:
    """Whether session ``session_id`` is kept at ``rate`` (0 to 1): the first 8 bytes of the SHA-256
    of its UTF-8 text, as a fraction of 2**64, below ``rate``. A session kept at one rate is kept at
    every higher rate."""
    if rate >= 1.0:
        return True
    digest = hashlib.sha256(session_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE < rate


def span_session_id(attributes: Mapping[str, Any] | None) -> str | None:
    """The session id a span's attributes claim, in the translator's precedence, or None."""
    if not attributes:
        return None
    for key in SESSION_ID_KEYS:
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


class SessionSampler(Sampler):
    """Samples whole sessions at ``rate``: a root span in a known session is kept when
    ``session_kept(session_id, rate)``; a root span without one by trace-id ratio, or, with
    ``defer_without_session=True``, recorded so that ``SessionSamplingProcessor`` decides at its end.
    A child span follows its parent (local or remote)."""

    def __init__(self, rate: float, *, defer_without_session: bool = False) -> None:
        self.rate = _check_rate(rate)
        self.defer_without_session = defer_without_session
        self._by_trace_id = TraceIdRatioBased(self.rate)

    def should_sample(  # noqa: PLR0917 - the OTel Sampler interface
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: trace.TraceState | None = None,
    ) -> SamplingResult:
        """Keep or drop a span about to start (the OTel ``Sampler`` interface)."""
        parent = trace.get_current_span(parent_context).get_span_context()
        if parent.is_valid:
            sampled = parent.trace_flags.sampled
            decision = Decision.RECORD_AND_SAMPLE if sampled else Decision.DROP
            return SamplingResult(decision, attributes if sampled else None, parent.trace_state)
        ambient = current_session(parent_context) or current_session()
        session_id = ambient.session_id if ambient is not None else span_session_id(attributes)
        if session_id is not None:
            kept = session_kept(session_id, self.rate)
            return SamplingResult(
                Decision.RECORD_AND_SAMPLE if kept else Decision.DROP, attributes if kept else None
            )
        if self.defer_without_session:
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)
        return self._by_trace_id.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        """The sampler's name and rate, as OTel samplers describe themselves."""
        return f"SessionSampler{{{self.rate}}}"


class SessionSamplingProcessor(SpanProcessor):
    """Passes ended spans to ``delegate`` (the exporting processor) only for kept traces: a trace's
    spans are held until its local root span ends, then kept when its session is
    (``session_kept``), or, without a session, by trace-id ratio.

    Bounded: at most ``max_held_spans`` are held; past that the oldest trace is decided with what it
    carries so far. Decisions are remembered for ``max_decisions`` traces, for spans that end after
    their root (a span handed to another thread).
    """

    def __init__(
        self,
        delegate: SpanProcessor,
        rate: float,
        *,
        max_held_spans: int = 10_000,
        max_decisions: int = 10_000,
    ) -> None:
        self.delegate = delegate
        self.rate = _check_rate(rate)
        self.max_held_spans = max_held_spans
        self.max_decisions = max_decisions
        self._lock = threading.Lock()
        self._held: OrderedDict[int, list[ReadableSpan]] = OrderedDict()
        self._held_count = 0
        self._decided: OrderedDict[int, bool] = OrderedDict()

    def on_start(self, span: Span, parent_context: otel_context.Context | None = None) -> None:
        """Passed on to the delegate."""
        self.delegate.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        """Hold ``span`` until its trace is decided; then pass on or drop the trace's spans."""
        context = span.get_span_context()
        if context is None:
            return
        trace_id = context.trace_id
        local_root = span.parent is None or span.parent.is_remote
        release: list[tuple[bool, list[ReadableSpan]]] = []
        with self._lock:
            decided = self._decided.get(trace_id)
            if decided is None:
                held = self._held.setdefault(trace_id, [])
                held.append(span)
                self._held_count += 1
                if local_root:
                    release.append(self._decide(trace_id))
                while self._held_count > self.max_held_spans and self._held:
                    oldest = next(iter(self._held))
                    sdk_log.report(
                        "sampling-overflow",
                        "otel-bridge: more than %d spans wait for their trace's sampling decision; "
                        "deciding the oldest trace early",
                        self.max_held_spans,
                    )
                    release.append(self._decide(oldest))
        if decided is not None:
            release.append((decided, [span]))
        for kept, spans in release:
            if kept:
                for ended in spans:
                    self.delegate.on_end(ended)

    def _decide(self, trace_id: int) -> tuple[bool, list[ReadableSpan]]:
        """Decide ``trace_id`` from its held spans (lock held): the last-ended span's session wins,
        as the translator resolves a trace; no session: trace-id ratio."""
        spans = self._held.pop(trace_id, [])
        self._held_count -= len(spans)
        session_id = next(
            (found for found in map(lambda s: span_session_id(s.attributes), reversed(spans)) if found), None
        )
        if session_id is not None:
            kept = session_kept(session_id, self.rate)
        else:
            kept = (trace_id & 0xFFFFFFFFFFFFFFFF) < round(self.rate * _SCALE)
        self._decided[trace_id] = kept
        while len(self._decided) > self.max_decisions:
            self._decided.popitem(last=False)
        return kept, spans

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """The delegate's flush (spans of unfinished traces are still held: their trace is not done)."""
        return self.delegate.force_flush(timeout_millis)

    def shutdown(self) -> None:
        """Decide every held trace with what it carries, pass the kept on, and shut the delegate down."""
        with self._lock:
            release = [self._decide(trace_id) for trace_id in list(self._held)]
        for kept, spans in release:
            if kept:
                for ended in spans:
                    self.delegate.on_end(ended)
        self.delegate.shutdown()
