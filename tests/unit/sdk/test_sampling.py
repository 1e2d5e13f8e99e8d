"""Whole-session sampling: ``session_kept``, ``SessionSampler`` as a provider's sampler, and
``SessionSamplingProcessor`` deciding at a trace's end, in threads and under asyncio."""

from __future__ import annotations

import asyncio
import threading

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from otel_bridge.sdk import (
    SessionSampler,
    SessionSamplingProcessor,
    SessionSpanProcessor,
    session,
    session_kept,
    update_current_trace,
)
from otel_bridge.sdk.sampling import span_session_id

SESSIONS = [f"session-{n}" for n in range(400)]


class TestSessionKept:
    def test_deterministic_and_near_the_rate(self) -> None:
        kept = [s for s in SESSIONS if session_kept(s, 0.5)]
        assert kept == [s for s in SESSIONS if session_kept(s, 0.5)]
        assert 160 <= len(kept) <= 240  # 400 draws at 0.5: far outside 4 standard deviations otherwise

    def test_kept_at_a_rate_is_kept_at_every_higher_rate(self) -> None:
        for low, high in [(0.1, 0.3), (0.3, 0.9)]:
            assert {s for s in SESSIONS if session_kept(s, low)} <= {
                s for s in SESSIONS if session_kept(s, high)
            }

    def test_extremes(self) -> None:
        assert all(session_kept(s, 1.0) for s in SESSIONS)
        assert not any(session_kept(s, 0.0) for s in SESSIONS)

    def test_rate_is_checked(self) -> None:
        with pytest.raises(ValueError, match="between 0 and 1"):
            SessionSampler(1.5)


def _provider(sampler: SessionSampler) -> tuple[TracerProvider, InMemorySpanExporter]:
    provider = TracerProvider(sampler=sampler)
    spans = InMemorySpanExporter()
    provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return provider, spans


def _turn(provider: TracerProvider, session_id: str) -> None:
    tracer = provider.get_tracer("tests")
    with session(session_id), tracer.start_as_current_span("turn"), tracer.start_as_current_span("llm"):
        pass


class TestSampler:
    def test_whole_sessions_at_start(self) -> None:
        """Inside ``session()``, every trace of a kept session is recorded, every span of it; a dropped
        session records nothing."""
        provider, spans = _provider(SessionSampler(0.5))
        for session_id in SESSIONS[:40]:
            for _ in range(3):
                _turn(provider, session_id)
        by_session: dict[str, int] = {}
        for span in spans.get_finished_spans():
            key = str((span.attributes or {})["session.id"])
            by_session[key] = by_session.get(key, 0) + 1
        expected = {s for s in SESSIONS[:40] if session_kept(s, 0.5)}
        assert set(by_session) == expected
        assert set(by_session.values()) == {6}  # three turns of two spans each

    def test_session_attribute_at_creation(self) -> None:
        provider, spans = _provider(SessionSampler(0.5))
        dropped = next(s for s in SESSIONS if not session_kept(s, 0.5))
        kept = next(s for s in SESSIONS if session_kept(s, 0.5))
        tracer = provider.get_tracer("tests")
        for session_id in (dropped, kept):
            tracer.start_span("root", attributes={"langfuse.session.id": session_id}).end()
        assert [span_session_id(s.attributes) for s in spans.get_finished_spans()] == [kept]

    def test_without_session_falls_back_to_trace_id_ratio(self) -> None:
        provider, spans = _provider(SessionSampler(0.5))
        for _ in range(400):
            provider.get_tracer("tests").start_span("no-session").end()
        assert 160 <= len(spans.get_finished_spans()) <= 240

    def test_deferred_records_everything_without_a_session(self) -> None:
        provider, spans = _provider(SessionSampler(0.0, defer_without_session=True))
        provider.get_tracer("tests").start_span("no-session").end()
        assert len(spans.get_finished_spans()) == 1


def _deferred(rate: float) -> tuple[TracerProvider, InMemorySpanExporter]:
    """A provider as ``configure(sample_rate=rate)`` builds it."""
    provider = TracerProvider(sampler=SessionSampler(rate, defer_without_session=True))
    spans = InMemorySpanExporter()
    provider.add_span_processor(SessionSpanProcessor())
    provider.add_span_processor(SessionSamplingProcessor(SimpleSpanProcessor(spans), rate))
    return provider, spans


def _late_turn(provider: TracerProvider, session_id: str) -> None:
    """The decorator flow: the session is set in a nested span, after the root started; a sibling
    ends before the session is known."""
    tracer = provider.get_tracer("tests")
    with tracer.start_as_current_span("root"):
        with tracer.start_as_current_span("before"):
            pass
        with tracer.start_as_current_span("nested"):
            update_current_trace(session_id=session_id)
            with tracer.start_as_current_span("http"):
                pass


class TestProcessor:
    def test_session_set_late_keeps_or_drops_the_whole_trace(self) -> None:
        provider, spans = _deferred(0.5)
        for session_id in SESSIONS[:30]:
            _late_turn(provider, session_id)
        names_by_trace: dict[int, list[str]] = {}
        sessions_by_trace: dict[int, set[str]] = {}
        for span in spans.get_finished_spans():
            assert span.context is not None
            names_by_trace.setdefault(span.context.trace_id, []).append(span.name)
            if found := span_session_id(span.attributes):
                sessions_by_trace.setdefault(span.context.trace_id, set()).add(found)
        assert all(sorted(names) == ["before", "http", "nested", "root"] for names in names_by_trace.values())
        kept = {next(iter(s)) for s in sessions_by_trace.values()}
        assert kept == {s for s in SESSIONS[:30] if session_kept(s, 0.5)}

    def test_nested_update_beats_the_ambient_session(self) -> None:
        """Inside ``session(kept)``, a nested ``update_current_trace(session_id=dropped)`` moves the
        trace to the dropped session, and the processor drops it whole."""
        provider, spans = _deferred(0.5)
        kept = next(s for s in SESSIONS if session_kept(s, 0.5))
        dropped = next(s for s in SESSIONS if not session_kept(s, 0.5))
        with session(kept):
            _late_turn(provider, dropped)
        assert spans.get_finished_spans() == ()
        with session(dropped):  # and the other way round: dropped at the start by the sampler
            _late_turn(provider, kept)
        assert spans.get_finished_spans() == ()

    def test_held_spans_are_bounded(self) -> None:
        provider = TracerProvider(sampler=SessionSampler(1.0))
        spans = InMemorySpanExporter()
        provider.add_span_processor(
            SessionSamplingProcessor(SimpleSpanProcessor(spans), 0.999, max_held_spans=5)
        )
        tracer = provider.get_tracer("tests")
        with tracer.start_as_current_span("long-root"):
            for _ in range(20):
                tracer.start_span("child").end()
            # The root is still open: only the bound made the processor decide early.
            assert 15 <= len(spans.get_finished_spans()) <= 20

    def test_threads_and_asyncio(self) -> None:
        provider, spans = _deferred(0.5)

        def worker(offset: int) -> None:
            for session_id in SESSIONS[offset : offset + 20]:
                _late_turn(provider, session_id)

        threads = [threading.Thread(target=worker, args=(n * 20,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        async def turn(session_id: str) -> None:
            tracer = provider.get_tracer("tests")
            with tracer.start_as_current_span("root"):
                await asyncio.sleep(0)
                with tracer.start_as_current_span("nested"):
                    update_current_trace(session_id=session_id)
                    await asyncio.sleep(0)

        async def main() -> None:
            await asyncio.gather(*(turn(s) for s in SESSIONS[80:120]))

        asyncio.run(main())
        claimed = {span_session_id(s.attributes) for s in spans.get_finished_spans()} - {None}
        assert claimed == {s for s in SESSIONS[:120] if session_kept(s, 0.5)}
        assert len(spans.get_finished_spans()) == sum(
            (4 if n < 80 else 2) for n, s in enumerate(SESSIONS[:120]) if session_kept(s, 0.5)
        )


def test_configure_checks_the_rate() -> None:
    """``configure(sample_rate=...)`` rejects a rate outside 0..1, naming it."""
    from otel_bridge.sdk import configure

    with pytest.raises(ValueError, match="sample_rate"):
        configure(url="http://127.0.0.1:9", public_key="pk", secret_key="sk", sample_rate=2)
