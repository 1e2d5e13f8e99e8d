"""The library never gets in the application's way: throttled warnings, bounded queues, ``flush()`` and
``shutdown()`` within their timeouts against a server that never answers, the latest explicit
``update_current_trace`` winning over the ambient session, and ``@observe``d generators that are
closed or never iterated ending their spans."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import socket
import threading
from collections.abc import AsyncIterator, Generator, Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider

from otel_bridge.sdk import configure, flush, observe, session, shutdown, update_current_trace
from otel_bridge.sdk.throttle import ThrottledLogger
from tests.unit.sdk.sdk_helpers import GlobalPipeline

#: The module behind ``configure()`` (its name is shadowed by the function in ``otel_bridge.sdk``).
WIRING = importlib.import_module("otel_bridge.sdk.configure")


class TestThrottle:
    def test_once_per_kind_then_counted(self, caplog: pytest.LogCaptureFixture) -> None:
        log = ThrottledLogger(logging.getLogger("tests.throttle"), interval=3600)
        with caplog.at_level(logging.WARNING, "tests.throttle"):
            for _ in range(50):
                log.report("down", "server down")
            log.report("other", "another problem")
        assert [r.getMessage() for r in caplog.records] == ["server down", "another problem"]

    def test_after_the_interval_says_how_many_were_held(self, caplog: pytest.LogCaptureFixture) -> None:
        log = ThrottledLogger(logging.getLogger("tests.throttle"), interval=0)
        log._last["down"] = -1.0  # logged "long ago"
        log._held["down"] = 7
        with caplog.at_level(logging.WARNING, "tests.throttle"):
            log.report("down", "server down")
        assert caplog.records[0].getMessage().startswith("server down (7 more like this")

    def test_failing_exports_log_once(self, caplog: pytest.LogCaptureFixture) -> None:
        """Every export to a closed port fails; the application's log gets one line, not one per span."""
        from otel_bridge.sdk.throttle import sdk_log

        sdk_log.reset()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]  # closed once the block ends: connections are refused
        provider = TracerProvider()
        configure(url=f"http://127.0.0.1:{port}", public_key="pk", secret_key="sk", tracer_provider=provider)
        try:
            from otel_bridge.sdk.ingestion import RetryPolicy

            for wiring in WIRING._configured:
                wiring.exporter.sink.retry = RetryPolicy(attempts=1)
            with caplog.at_level(logging.WARNING, "otel_bridge.sdk"):
                for _ in range(5):
                    provider.get_tracer("t").start_span("s").end()
                    flush()
            failures = [r for r in caplog.records if "failed" in r.getMessage()]
            assert len(failures) == 1
        finally:
            shutdown()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A host that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for connection in accepted:
        connection.close()
    listener.close()


def _within(call: object, limit: float = 60.0) -> object:
    """Run ``call`` in a thread; the test fails (instead of hanging) when it has not returned by ``limit``
    seconds, a bound far above the timeouts under test."""
    results: list[object] = []
    thread = threading.Thread(target=lambda: results.append(call()), daemon=True)  # type: ignore[operator]
    thread.start()
    thread.join(limit)
    assert not thread.is_alive(), "the call did not return"
    return results[0]


def _one_span_for(host: str) -> TracerProvider:
    """A provider configured for ``host`` (with a request timeout far beyond the test's), one span
    ended on it."""
    provider = TracerProvider()
    configure(url=host, public_key="pk", secret_key="sk", tracer_provider=provider, export_timeout=3600)
    provider.get_tracer("t").start_span("s").end()
    return provider


class TestTimeouts:
    def test_flush_returns_false_when_the_server_does_not_answer(self, silent_server: str) -> None:
        """The batch processor would block the caller for the whole request (and its retries);
        ``flush(timeout)`` returns False at its timeout instead."""
        _one_span_for(silent_server)
        try:
            assert _within(lambda: flush(timeout_millis=200)) is False
        finally:
            _within(lambda: shutdown(timeout_millis=200))

    def test_shutdown_returns_and_stops_retrying(self, silent_server: str) -> None:
        _one_span_for(silent_server)
        wirings = list(WIRING._configured)
        _within(lambda: shutdown(timeout_millis=200))
        assert all(w.exporter.sink._closed.is_set() for w in wirings)

    def test_queue_is_bounded(self) -> None:
        provider = TracerProvider()
        configure(
            url="http://127.0.0.1:9",
            public_key="pk",
            secret_key="sk",
            tracer_provider=provider,
            max_queue_size=8,
        )
        try:
            (wiring,) = WIRING._configured
            assert wiring.exporting._batch_processor._max_queue_size == 8
        finally:
            _within(lambda: shutdown(timeout_millis=200))


class TestLatestExplicitSessionWins:
    def _ask(self, session_id: str) -> None:
        @observe
        def nested() -> str:
            update_current_trace(session_id=session_id, user_id="u-explicit")
            return "ok"

        @observe
        def outer() -> str:
            return nested()

        outer()

    def test_nested_update_inside_session_moves_the_trace(self, pipeline: GlobalPipeline) -> None:
        with session("ambient", user_id="u-ambient"):
            self._ask("explicit")
        (resolved,) = pipeline.sink.traces().values()
        assert (resolved.session_id, resolved.user_id) == ("explicit", "u-explicit")

    def test_the_latest_call_wins(self, pipeline: GlobalPipeline) -> None:
        @observe
        def first() -> None:
            update_current_trace(session_id="first")

        @observe
        def second() -> None:
            update_current_trace(session_id="second")

        @observe
        def root() -> None:
            first()
            second()

        with session("ambient"):
            root()
        (resolved,) = pipeline.sink.traces().values()
        assert resolved.session_id == "second"

    def test_in_threads_and_tasks(self, pipeline: GlobalPipeline) -> None:
        def in_thread(n: int) -> None:
            with session(f"ambient-{n}"):
                self._ask(f"thread-{n}")

        threads = [threading.Thread(target=in_thread, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        @observe
        async def nested(n: int) -> None:
            await asyncio.sleep(0)
            update_current_trace(session_id=f"task-{n}")

        @observe
        async def outer(n: int) -> None:
            async with session(f"ambient-task-{n}"):
                await nested(n)

        async def main() -> None:
            await asyncio.gather(*(outer(n) for n in range(4)))

        asyncio.run(main())
        sessions = sorted(str(t.session_id) for t in pipeline.sink.traces().values())
        assert sessions == sorted([*(f"thread-{n}" for n in range(4)), *(f"task-{n}" for n in range(4))])


class TestGenerators:
    def test_never_iterated_generator_ends_its_span(self, pipeline: GlobalPipeline) -> None:
        @observe
        def stream() -> Iterator[str]:
            yield "never"

        generator = stream()
        assert pipeline.spans.get_finished_spans() == ()
        del generator
        gc.collect()
        (span,) = pipeline.spans.get_finished_spans()
        assert span.name == "stream"

    def test_closed_before_the_first_item(self, pipeline: GlobalPipeline) -> None:
        @observe
        def stream() -> Generator[str, None, None]:
            yield "never"

        generator = stream()
        generator.close()
        del generator
        gc.collect()
        assert [s.name for s in pipeline.spans.get_finished_spans()] == ["stream"]

    def test_closed_midway_ends_once_with_what_was_yielded(self, pipeline: GlobalPipeline) -> None:
        @observe
        def stream() -> Generator[str, None, None]:
            yield "a"
            yield "b"

        generator = stream()
        assert next(generator) == "a"
        generator.close()
        del generator
        gc.collect()
        (span,) = pipeline.spans.get_finished_spans()
        assert (span.attributes or {})["langfuse.observation.output"] == '"a"'

    def test_async_generator_never_iterated(self, pipeline: GlobalPipeline) -> None:
        @observe
        async def stream() -> AsyncIterator[str]:
            yield "never"

        generator = stream()
        del generator
        gc.collect()
        assert [s.name for s in pipeline.spans.get_finished_spans()] == ["stream"]


def test_ended_roots_are_forgotten(pipeline: GlobalPipeline) -> None:
    """Inside ``session()`` the processor tracks open local roots (for ``update_current_trace``) and
    forgets each when it ends: a long-running application does not accumulate them."""
    from otel_bridge.sdk.processor import _open_roots

    before = len(_open_roots)

    @observe
    def root() -> int:
        return len(_open_roots)

    with session("s-roots"):
        assert [root() for _ in range(50)] == [before + 1] * 50
    assert len(_open_roots) == before
