"""Benchmark: ``SqlStore.write_batch`` throughput and read latency, on SQLite and PostgreSQL.

Run from the repository root: ``.venv/bin/python -m tests.bench.bench_store`` (or ``make bench``).

- Throughput: LLM-sized spans (about 1.5 KB of text each, like ``bench_decode``'s) translated
  beforehand, written in 512-span batches (one ``write_batch`` call, one transaction each) into a
  fresh database, with traces and session aggregates maintained; spans per second on one thread.
  Then its two halves apart, into another fresh database: ``preparer.prepare`` (the part ingest can
  run in a worker process), the pickle round trip of its result (what handing it over costs), and
  ``write_prepared`` (the part the writer runs); for SQLite also the writer's floor, the prepared
  rows inserted with no reads, trace resolution or session aggregates.
- Reads: after loading ``OTEL_BRIDGE_BENCH_SPANS`` spans (default 1,000,000) in one fiftieth as many
  sessions (20,000), through ``write_batch`` like any ingest, the median latency of the first page
  of ``list_sessions`` by last activity, of ``get_session`` of random sessions, and of ``get_trace`` of
  a 500-observation trace (issue 16's targets: 20, 20 and 100 ms).

PostgreSQL is measured when ``OTEL_BRIDGE_TEST_POSTGRES_DSN`` is set (``eval "$(.ci/start-postgres)"``),
in a schema of its own that is dropped afterwards. ``OTEL_BRIDGE_BENCH_DATABASES=sqlite`` limits the
run to one database.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from otel_bridge.model import (
    InstrumentationScope,
    Payload,
    SpanEvent,
    SpanKind,
    SpanRecord,
    SpanStatus,
    StatusCode,
)
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.dialects import WRITE_OPTION, SqliteDialect
from otel_bridge.store.sql.engine import make_engine
from otel_bridge.store.sql.migrations import upgrade
from otel_bridge.store.sql.prepare import SqlPreparedWrite
from otel_bridge.translate import Translation, translate_spans

BATCH = 512
SPANS_ENV = "OTEL_BRIDGE_BENCH_SPANS"
DATABASES_ENV = "OTEL_BRIDGE_BENCH_DATABASES"
POSTGRES_DSN_ENV = "OTEL_BRIDGE_TEST_POSTGRES_DSN"
SPANS_PER_SESSION = 50
BIG_TRACE_SPANS = 500
_SCOPE = InstrumentationScope("opentelemetry.instrumentation.openai_v2", "2.4b0")
_START = 1_795_545_060_000_000_000

# The span generator mirrors bench_decode's (same trace shape, attributes and sizes); it is copied,
# not imported, so that the two benchmarks can evolve separately.

#: The spans of one trace, in the order (name, kind, parent index); index 0 is the root.
_TRACE_SHAPE: tuple[tuple[str, str, int], ...] = (
    ("agent-turn", "agent", -1),
    ("plan", "chain", 0),
    ("chat gpt-4o-mini", "chat", 1),
    ("retrieve documents", "retriever", 0),
    ("tool get_weather", "tool", 0),
    ("chat gpt-4o", "chat", 0),
    ("summarize", "chain", 0),
    ("chat gpt-4o", "chat", 6),
)
_VOCABULARY = (
    "the quick brown fox jumps over lazy dog session model token context window answer question "
    "history summary weather Seoul forecast tomorrow rain umbrella retrieval document chunk vector "
    "embedding latency cost invoice customer support refund policy order shipping 한글 세종대왕 날씨"
)
_WORDS: tuple[str, ...] = tuple(_VOCABULARY.split())
_RESOURCE_ATTRIBUTES: dict[str, Any] = {
    "service.name": "support-agent",
    "service.version": "2.14.0",
    "service.instance.id": "5b1f0e4e-1c7a-4c1b-9a51-0f6f5d1e6c2a",
    "deployment.environment": "production",
    "telemetry.sdk.language": "python",
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.version": "1.45.2",
    "host.name": "worker-7f9c",
    "process.pid": 4242,
    "process.runtime.name": "cpython",
}


def _corpus(n_chars: int = 1 << 20, seed: int = 5) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(n_chars // 6))


_CORPUS = _corpus()


def _text(rng: random.Random, n_chars: int) -> str:
    """``n_chars`` of text from a random offset of a 1 MB corpus: distinct for (nearly) every span,
    as real inputs are, so that content-addressed storage gets no unrealistic sharing."""
    start = rng.randrange(len(_CORPUS) - n_chars)
    return _CORPUS[start : start + n_chars]


def _messages(rng: random.Random, n_chars: int, roles: tuple[str, ...]) -> str:
    share = n_chars // len(roles)
    return json.dumps(
        [{"role": role, "parts": [{"type": "text", "content": _text(rng, share)}]} for role in roles],
        ensure_ascii=False,
    )


def _attributes(rng: random.Random, role: str, session: str, user: str) -> dict[str, Any]:
    common: dict[str, Any] = {
        "session.id": session,
        "user.id": user,
        "app.request.id": f"req-{rng.getrandbits(48):x}",
    }
    if role == "chat":
        model = rng.choice(("gpt-4o", "gpt-4o-mini", "claude-sonnet-4"))
        input_tokens = rng.randint(200, 4000)
        output_tokens = rng.randint(20, 600)
        return {
            "gen_ai.operation.name": "chat",
            "gen_ai.provider.name": "openai",
            "gen_ai.request.model": model,
            "gen_ai.response.model": f"{model}-2024-08-06",
            "gen_ai.response.id": f"chatcmpl-{rng.getrandbits(64):x}",
            "gen_ai.request.temperature": 0.2,
            "gen_ai.request.max_tokens": 1024,
            "gen_ai.response.finish_reasons": ["stop"],
            "gen_ai.usage.input_tokens": input_tokens,
            "gen_ai.usage.output_tokens": output_tokens,
            "gen_ai.input.messages": _messages(rng, 760, ("system", "user", "assistant", "user")),
            "gen_ai.output.messages": _messages(rng, 300, ("assistant",)),
            "server.address": "api.openai.com",
            "server.port": 443,
            **common,
        }
    if role == "tool":
        return {
            "gen_ai.operation.name": "execute_tool",
            "gen_ai.tool.name": "get_weather",
            "gen_ai.tool.call.id": f"call_{rng.getrandbits(64):x}",
            "gen_ai.tool.call.arguments": json.dumps({"city": "Seoul", "days": 2, "note": _text(rng, 300)}),
            "gen_ai.tool.call.result": json.dumps({"forecast": _text(rng, 600)}, ensure_ascii=False),
            "tool.duration_ms": rng.random() * 300,
            "tool.tags": ["weather", "external"],
            "http.response.status_code": 200,
            **common,
        }
    return {
        "openinference.span.kind": role.upper(),
        "input.value": json.dumps({"question": _text(rng, 600)}, ensure_ascii=False),
        "input.mime_type": "application/json",
        "output.value": _text(rng, 600),
        "output.mime_type": "text/plain",
        "metadata": json.dumps({"ls_provider": "openai", "ls_run_depth": rng.randint(0, 3)}),
        "langfuse.trace.tags": ["support", "ko"],
        "langfuse.trace.name": "support-turn",
        "langfuse.environment": "production",
        "langfuse.release": "2.14.0",
        **common,
    }


class LlmTraffic:
    """Traces of ``bench_decode``'s agent-turn shape (8 spans), consecutive traces sharing a session."""

    def __init__(self, n_sessions: int, traces_per_session: float, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.n_sessions = n_sessions
        self.traces_per_session = traces_per_session
        self.trace_no = 0

    def trace(self, n_spans: int | None = None) -> list[SpanRecord]:
        """The spans of the next trace (``n_spans`` of them: the shape repeated, one root)."""
        rng = self.rng
        number = self.trace_no
        self.trace_no += 1
        session = f"session-{int(number / self.traces_per_session) % self.n_sessions:06d}"
        user = f"user-{number % 97:03d}"
        trace_id = f"{rng.getrandbits(128):032x}"
        shape = _TRACE_SHAPE
        count = n_spans or len(shape)
        span_ids = [f"{rng.getrandbits(64):016x}" for _ in range(count)]
        base = _START + number * 5_000_000_000
        spans = []
        for index in range(count):
            name, role, parent = shape[index % len(shape)] if index < len(shape) else shape[1 + index % 7]
            parent_index = parent if index < len(shape) else 0
            start = base + index * 10_000_000
            end = base + 3_000_000_000 - index * 1_000_000
            failed = role == "tool" and number % 10 == 3
            events: tuple[SpanEvent, ...] = ()
            if role == "chat":
                events = (
                    SpanEvent("gen_ai.content.prompt", start + 1_000, {"gen_ai.prompt": _text(rng, 60)}),
                )
            if failed:
                events += (
                    SpanEvent(
                        "exception",
                        end - 500,
                        {"exception.type": "TimeoutError", "exception.message": "timeout"},
                    ),
                )
            spans.append(
                SpanRecord(
                    trace_id=trace_id,
                    span_id=span_ids[index],
                    parent_span_id=span_ids[parent_index] if parent_index >= 0 else None,
                    name=name,
                    start_time_unix_nano=start,
                    end_time_unix_nano=end,
                    attributes=_attributes(rng, role, session, user),
                    resource_attributes=_RESOURCE_ATTRIBUTES,
                    scope=_SCOPE,
                    kind=SpanKind.CLIENT if role == "chat" else SpanKind.INTERNAL,
                    status=SpanStatus(StatusCode.ERROR, "timeout") if failed else SpanStatus(),
                    events=events,
                )
            )
        return spans

    def batches(self, n_spans: int) -> Iterator[list[Translation]]:
        """``n_spans`` translated spans in 512-span batches (whole traces, so a batch may run over)."""
        pending: list[SpanRecord] = []
        produced = 0
        while produced < n_spans:
            pending.extend(self.trace())
            if len(pending) >= BATCH:
                batch, pending = pending[:BATCH], pending[BATCH:]
                produced += len(batch)
                yield translate_spans(batch)
        if pending:
            yield translate_spans(pending)


@contextmanager
def _database(kind: str) -> Iterator[SqlStore]:
    """A migrated, empty database of ``kind``, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
            engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
            upgrade(engine)
            store = SqlStore(engine)
            try:
                yield store
            finally:
                store.close()  # its checkpoint thread too
        return
    dsn = os.environ[POSTGRES_DSN_ENV]
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(dsn)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(dsn, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade(engine)
        yield SqlStore(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def _median_ms(function: Callable[[], object], runs: int) -> float:
    function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def _chars(value: object) -> int:
    return len(value.text) if isinstance(value, Payload) else len(str(value)) if value is not None else 0


def measure_throughput(kind: str, n_spans: int = 40 * BATCH) -> list[str]:
    """Spans per second of ``write_batch`` into a fresh database (translation not timed), then its
    halves apart (see the module docstring)."""
    traffic = LlmTraffic(n_sessions=max(1, n_spans // SPANS_PER_SESSION), traces_per_session=6.25)
    batches = list(traffic.batches(n_spans))
    text = sum(_chars(t.observation.input) + _chars(t.observation.output) for t in batches[0]) / len(
        batches[0]
    )
    written = sum(len(batch) for batch in batches[1:])
    with _database(kind) as store:
        project = store.create_project("bench").project.id
        store.write_batch(project, batches[0])  # warm-up: connections, statement caches
        elapsed = cpu = 0.0
        for batch in batches[1:]:
            started, started_cpu = time.perf_counter(), time.process_time()
            store.write_batch(project, batch)
            elapsed += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
    lines = [
        f"  write_batch into {kind:<10} {written / elapsed:>8,.0f} spans/s  "
        f"({elapsed * 1e6 / written:.0f} µs/span wall, {cpu * 1e6 / written:.0f} µs/span CPU of this "
        f"process; ~{text:.0f} chars of input/output per span)"
    ]
    with _database(kind) as store:
        project = store.create_project("bench").project.id
        store.write_batch(project, batches[0])
        started = time.perf_counter()
        prepared = [store.preparer.prepare(project, batch) for batch in batches[1:]]
        lines.append(f"    preparer.prepare alone       {_per_span(started, written):6.1f} µs/span")
        size = sum(len(pickle.dumps(one, protocol=5)) for one in prepared)
        rounds = []
        for _ in range(3):  # the best of three: short, and the machine is shared
            started = time.perf_counter()
            for one in prepared:
                pickle.loads(pickle.dumps(one, protocol=5))
            rounds.append(_per_span(started, written))
        lines.append(
            f"    pickle round trip of it      {min(rounds):6.1f} µs/span  ({size / written:,.0f} bytes/span)"
        )
        elapsed = cpu = 0.0
        for one in prepared:
            started, started_cpu = time.perf_counter(), time.process_time()
            store.write_prepared([one])
            elapsed += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
        lines.append(
            f"    write_prepared alone         {elapsed * 1e6 / written:6.1f} µs/span  "
            f"({written / elapsed:,.0f} spans/s; {cpu * 1e6 / written:.1f} µs/span CPU)"
        )
    if kind == "sqlite":
        lines.append(_sqlite_floor(project, prepared))
    return lines


def _per_span(started: float, spans: int) -> float:
    return (time.perf_counter() - started) * 1e6 / spans


def _sqlite_floor(project: str, prepared: list[SqlPreparedWrite]) -> str:
    """The prepared batches' observation and content rows inserted as ``write_prepared`` inserts them:
    what it costs without reading stored spans, resolving traces and maintaining sessions."""
    dialect = SqliteDialect()
    with tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'floor.db'}")
        upgrade(engine)
        elapsed = 0.0
        written = 0
        try:
            with engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                for one in prepared:
                    started = time.perf_counter()
                    with conn.begin():
                        dialect.insert_contents(conn, one.contents)
                        dialect.insert_observations(conn, one.observations)
                    elapsed += time.perf_counter() - started
                    written += sum(len(rows) for _, rows in one.observations)
        finally:
            engine.dispose()
    return (
        f"  floor: insert prepared rows   {written / elapsed:>8,.0f} spans/s  "
        f"({elapsed * 1e6 / written:.0f} µs/span; SQLite, no reads, trace resolution or aggregates)"
    )


def measure_reads(kind: str, n_spans: int, runs: int = 200) -> list[str]:
    """Load ``n_spans`` spans, then median latencies of the UI's and API's main reads."""
    n_sessions = max(1, n_spans // SPANS_PER_SESSION)
    traces = n_spans / len(_TRACE_SHAPE)
    traffic = LlmTraffic(n_sessions=n_sessions, traces_per_session=traces / n_sessions)
    lines = []
    with _database(kind) as store:
        project = store.create_project("bench").project.id
        started = time.perf_counter()
        loaded = 0
        for batch in traffic.batches(n_spans - BIG_TRACE_SPANS):
            store.write_batch(project, batch)
            loaded += len(batch)
        big = translate_spans(traffic.trace(BIG_TRACE_SPANS))
        store.write_batch(project, big)
        loaded += len(big)
        load_seconds = time.perf_counter() - started
        if kind == "postgresql":
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        sessions = store.list_sessions(project, limit=1).total
        lines.append(
            f"  {kind}: loaded {loaded:,} spans in {sessions:,} sessions in {load_seconds:.0f} s "
            f"({loaded / load_seconds:,.0f} spans/s including translation)"
        )
        session_ids = [f"session-{random.Random(3).randrange(n_sessions):06d}" for _ in range(runs)]
        ids = iter(session_ids * 2)
        big_trace = big[0].observation.trace_id
        assert len(store.get_trace(project, big_trace).observations) == BIG_TRACE_SPANS
        for label, function, target in (
            ("list_sessions, first page by last activity", lambda: store.list_sessions(project), 20),
            ("get_session", lambda: store.get_session(project, next(ids)), 20),
            (f"get_trace, {BIG_TRACE_SPANS} observations", lambda: store.get_trace(project, big_trace), 100),
        ):
            median = _median_ms(function, runs)
            lines.append(f"    {label:<45} median {median:6.2f} ms  (target ≤ {target} ms)")
    return lines


def database_kinds() -> list[str]:
    """The databases a bench measures: SQLite, PostgreSQL when its DSN is set, narrowed by
    ``DATABASES_ENV`` (e.g. ``sqlite``)."""
    kinds = ["sqlite"]
    if os.environ.get(POSTGRES_DSN_ENV):
        kinds.append("postgresql")
    wanted = os.environ.get(DATABASES_ENV)
    return [kind for kind in kinds if kind in wanted.split(",")] if wanted else kinds


def postgres_note() -> list[str]:
    """The line saying PostgreSQL was left out, when it was."""
    if POSTGRES_DSN_ENV in os.environ:
        return []
    return [f'  (PostgreSQL skipped: set {POSTGRES_DSN_ENV}, e.g. eval "$(.ci/start-postgres)")']


def run() -> list[str]:
    """Measure, on SQLite and (when configured) PostgreSQL; return printable lines."""
    n_spans = int(os.environ.get(SPANS_ENV, "1000000"))
    kinds = database_kinds()
    lines = [f"store bench: {BATCH}-span batches, LLM-sized spans, one writer thread"]
    lines.extend(postgres_note())
    for kind in kinds:
        lines.extend(measure_throughput(kind))
    for kind in kinds:
        lines.extend(measure_reads(kind, n_spans))
    return lines


if __name__ == "__main__":
    print("\n".join(run()))


__all__ = ["LlmTraffic", "measure_reads", "measure_throughput", "run"]
