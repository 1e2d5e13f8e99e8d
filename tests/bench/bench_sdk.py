"""Benchmark: what the in-process library costs the application's thread, per span, as ratios to a plain
OpenTelemetry SDK span measured in the same run (the machine is shared, so only ratios are compared).

- plain: ``tracer.start_as_current_span`` around a small function, on an SDK provider whose one
  processor hands each ended span to a discarding exporter (``SimpleSpanProcessor``);
- processor: the same, plus ``SessionSpanProcessor`` on the provider and the call inside ``session()``;
- observe: the same function decorated with ``@observe`` (input and output captured as JSON) on the
  provider with the session processor, inside ``session()``.

Targets: processor ≤ 1.10 × plain, observe ≤ 2 × plain. Each variant runs ``ROUNDS`` times interleaved,
timed in this thread's CPU time, and the fastest round counts (the one least disturbed by other
processes).

Run: ``.venv/bin/python -m tests.bench.bench_sdk``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

from otel_bridge.sdk import SessionSpanProcessor, session
from otel_bridge.sdk.observe import observe

CALLS = 2_000
ROUNDS = 60
PROCESSOR_TARGET = 1.10
OBSERVE_TARGET = 2.0


class _Discard(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _provider(with_session_processor: bool) -> TracerProvider:
    provider = TracerProvider()
    if with_session_processor:
        provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(_Discard()))
    return provider


def _work(question: str, history: list[str]) -> str:
    return f"answer to {question} after {len(history)} turns"


def _per_call(loop: Callable[[int], None]) -> float:
    # CPU time of this thread: time the scheduler gave to other sessions' processes is not counted.
    started = time.thread_time()
    loop(CALLS)
    return (time.thread_time() - started) / CALLS


def run() -> list[str]:
    """Measure and report the three variants and the two ratios against their targets."""
    plain_tracer = _provider(False).get_tracer("bench")
    session_provider = _provider(True)
    session_tracer = session_provider.get_tracer("bench")
    history = ["hello", "hi"]

    def plain(n: int) -> None:
        for _ in range(n):
            with plain_tracer.start_as_current_span("call"):
                _work("weather?", history)

    def processor(n: int) -> None:
        with session("bench-session", user_id="u1"):
            for _ in range(n):
                with session_tracer.start_as_current_span("call"):
                    _work("weather?", history)

    # ``observe`` records through the global provider: give it the session provider for this variant.
    from opentelemetry import trace

    trace.set_tracer_provider(session_provider)
    observed = observe(_work)

    def decorated(n: int) -> None:
        with session("bench-session", user_id="u1"):
            for _ in range(n):
                observed("weather?", history)

    variants: dict[str, Callable[[int], None]] = {
        "plain": plain,
        "processor": processor,
        "observe": decorated,
    }
    for loop in variants.values():
        loop(1000)  # warm up
    best: dict[str, float] = {name: float("inf") for name in variants}
    for _ in range(ROUNDS):
        for name, loop in variants.items():
            best[name] = min(best[name], _per_call(loop))
    processor_ratio = best["processor"] / best["plain"]
    observe_ratio = best["observe"] / best["plain"]
    lines: list[Any] = [
        f"plain SDK span               {best['plain'] * 1e6:7.2f} µs/call",
        f"+ SessionSpanProcessor       {best['processor'] * 1e6:7.2f} µs/call   "
        f"ratio {processor_ratio:.3f} (target ≤ {PROCESSOR_TARGET:.2f}: "
        f"{'met' if processor_ratio <= PROCESSOR_TARGET else 'MISSED'})",
        f"@observe (input+output)      {best['observe'] * 1e6:7.2f} µs/call   "
        f"ratio {observe_ratio:.3f} (target ≤ {OBSERVE_TARGET:.2f}: "
        f"{'met' if observe_ratio <= OBSERVE_TARGET else 'MISSED'})",
    ]
    return [str(line) for line in lines]


if __name__ == "__main__":
    for line in run():
        print(line)
