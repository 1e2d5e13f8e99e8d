"""Benchmark: ingest throughput of one, two and three ``otel-bridge serve`` replicas on one PostgreSQL,
and of one replica on PostgreSQL against one on SQLite, as ratios measured in one run.

Run from the repository root: ``.venv/bin/python -m tests.bench bench_replicas`` (or ``make bench``);
the PostgreSQL runs need ``OTEL_BRIDGE_TEST_POSTGRES_DSN`` (``eval "$(.ci/start-postgres)"``).

``OTEL_BRIDGE_BENCH_REPLICAS_SPANS`` LLM-sized spans (default 30,000; ``bench_e2e``'s 512-span
requests, new traces and sessions in each) are sent over OTLP/gRPC by ``SENDERS`` concurrent clients,
request *i* to replica *i mod N*, timed from the first send to the last acknowledgement (after the
commit). Each configuration gets a fresh database (a new PostgreSQL schema, or a new SQLite file) and
replicas with default settings.

Where the time goes, measured during each run: CPU seconds of the replicas (with their decode
processes) and of this process's senders, from ``/proc``; CPU seconds of the PostgreSQL backends
that served the replicas (found by ``application_name`` in ``pg_stat_activity``), also from
``/proc``; and the share of samples (every 20 ms) in which such a backend waited for a lock. The
verdict names the bottleneck: the machine's cores when they were more than 90% busy (``/proc/stat``,
every process, so other users of a shared machine show as such); locks when backends mostly wait
for each other; otherwise PostgreSQL or the replicas, whichever burns more CPU.
"""

from __future__ import annotations

import functools
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from otel_bridge.store.sql.engine import make_engine
from tests.bench.bench_e2e import make_bodies
from tests.e2e.scale.replicas import Cluster, Route, cluster, send_all
from tests.e2e.server import process_tree
from tests.support.databases import POSTGRES_DSN_ENV, postgres_schema

SPANS_ENV = "OTEL_BRIDGE_BENCH_REPLICAS_SPANS"
SENDERS = 6
APPLICATION_NAME = "otel-bridge-bench-replicas"
SAMPLE_INTERVAL = 0.02
CORES = os.cpu_count() or 1
#: Clock ticks per second of /proc/<pid>/stat's CPU times.
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    """One configuration's figures."""

    label: str
    spans_per_second: float
    seconds: float
    replica_cpu: float
    database_cpu: float
    sender_cpu: float
    lock_wait_share: float
    #: Share of the machine's CPU time in use during the run, by every process (other users too).
    machine_busy: float

    def busy_cores(self) -> float:
        """Cores kept busy on average by replicas, database and senders together."""
        return (self.replica_cpu + self.database_cpu + self.sender_cpu) / self.seconds

    def bottleneck(self) -> str:
        """Where the time went, in words."""
        if self.lock_wait_share > 0.3:
            return f"locks: PostgreSQL backends waited for a lock in {self.lock_wait_share:.0%} of samples"
        parts = (
            f"replicas {self.replica_cpu / self.seconds:.2f} cores, PostgreSQL "
            f"{self.database_cpu / self.seconds:.2f}, senders {self.sender_cpu / self.seconds:.2f}; "
            f"lock waits {self.lock_wait_share:.0%} of active backend samples"
        )
        if self.machine_busy > 0.9:
            others = max(0.0, self.machine_busy * CORES - self.busy_cores())
            return (
                f"the machine's {CORES} cores, {self.machine_busy:.0%} busy "
                f"({parts}, other processes {others:.2f})"
            )
        heavier = "PostgreSQL" if self.database_cpu > self.replica_cpu else "the replicas' CPU"
        return f"{heavier} ({parts})"


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot, from ``/proc/stat``."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` and of its children (0 once it is gone)."""
    total = 0.0
    for one in process_tree(pid):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


class BackendSampler(threading.Thread):
    """Samples the PostgreSQL backends of the replicas: their pids (for CPU) and whether they wait
    for a lock."""

    def __init__(self, dsn: str) -> None:
        super().__init__(daemon=True)
        self._engine = make_engine(dsn)
        self._stopped = threading.Event()
        self.pids: set[int] = set()
        self.samples = 0
        self.waiting = 0
        self.start_cpu: dict[int, float] = {}

    def run(self) -> None:
        query = sa.text(
            "SELECT pid, state, wait_event_type FROM pg_stat_activity WHERE application_name = :name"
        )
        with self._engine.connect() as conn:
            while not self._stopped.is_set():
                for pid, state, wait_type in conn.execute(query, {"name": APPLICATION_NAME}):
                    if pid not in self.pids:
                        self.pids.add(pid)
                        self.start_cpu[pid] = process_cpu(pid)
                    if state == "active":
                        self.samples += 1
                        self.waiting += wait_type == "Lock"
                conn.rollback()
                self._stopped.wait(SAMPLE_INTERVAL)

    def stop(self) -> tuple[float, float]:
        """Stop; (CPU seconds the backends used meanwhile, share of active samples waiting on a lock)."""
        self._stopped.set()
        self.join()
        self._engine.dispose()
        cpu = sum(max(0.0, process_cpu(pid) - self.start_cpu[pid]) for pid in self.pids)
        return cpu, self.waiting / self.samples if self.samples else 0.0


def drive(label: str, target: Cluster, bodies: list[bytes], dsn: str | None) -> Run:
    """Send ``bodies`` round-robin over the cluster's replicas and measure."""
    keys = target.project("bench")
    routes = [Route(number % len(target.replicas), "grpc") for number in range(len(bodies))]
    sampler = BackendSampler(dsn) if dsn else None
    if sampler is not None:
        sampler.start()
    replica_cpu = sum(process_cpu(server.pid) for server in target.replicas)
    sender_cpu = _self_cpu()
    machine_before = machine_cpu()
    started = time.perf_counter()
    send_all(target, bodies, routes, keys.authorization, senders=SENDERS)
    seconds = time.perf_counter() - started
    machine_after = machine_cpu()
    machine_busy = (machine_after[0] - machine_before[0]) / max(1, machine_after[1] - machine_before[1])
    replica_cpu = sum(process_cpu(server.pid) for server in target.replicas) - replica_cpu
    sender_cpu = _self_cpu() - sender_cpu
    database_cpu, lock_share = sampler.stop() if sampler is not None else (0.0, 0.0)
    spans = len(bodies) * 512
    return Run(
        label, spans / seconds, seconds, replica_cpu, database_cpu, sender_cpu, lock_share, machine_busy
    )


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def sqlite_cluster(directory: Path) -> Iterator[Cluster]:
    """One replica on a new SQLite file."""
    with cluster(f"sqlite:///{directory / 'bench.db'}", directory, environment={}) as target:
        target.start(1)
        yield target


@contextmanager
def postgres_cluster(directory: Path, replicas: int) -> Iterator[Cluster]:
    """``replicas`` replicas on a new PostgreSQL schema, their connections named for the sampler."""
    with postgres_schema() as url:
        named = (
            sa.make_url(url)
            .update_query_dict({"application_name": APPLICATION_NAME})
            .render_as_string(hide_password=False)
        )
        with cluster(named, directory, environment={}) as target:
            target.start(replicas)
            yield target


def measure(
    label: str, make: Callable[[Path], AbstractContextManager[Cluster]], bodies: list[bytes], dsn: str | None
) -> Run:
    """One configuration on a fresh database."""
    with (
        tempfile.TemporaryDirectory(prefix="otel-bridge-bench-") as directory,
        make(Path(directory)) as target,
    ):
        return drive(label, target, bodies, dsn)


def run() -> list[str]:
    """Every configuration; printable lines."""
    n_spans = int(os.environ.get(SPANS_ENV, "30000"))
    bodies = make_bodies(n_spans - n_spans % 512 or 512)
    dsn = os.environ.get(POSTGRES_DSN_ENV, "").strip() or None
    lines = [
        f"replicas: {len(bodies) * 512:,} spans in {len(bodies)} requests of 512 over OTLP/gRPC, "
        f"{SENDERS} concurrent senders, round-robin over the replicas, {CORES} cores, a fresh database each"
    ]
    runs = [measure("SQLite, 1 replica", sqlite_cluster, bodies, None)]
    if dsn is None:
        lines.append(
            f'  (PostgreSQL runs skipped: set {POSTGRES_DSN_ENV}, e.g. eval "$(.ci/start-postgres)")'
        )
    else:
        for count in (1, 2, 3):
            runs.append(
                measure(
                    f"PostgreSQL, {count} replica{'s' if count > 1 else ''}",
                    functools.partial(postgres_cluster, replicas=count),
                    bodies,
                    dsn,
                )
            )
    for one in runs:
        lines.append(
            f"  {one.label:<24} {one.spans_per_second:>8,.0f} spans/s  ({one.seconds:.1f} s; "
            f"bottleneck: {one.bottleneck()})"
        )
    if len(runs) == 4:
        sqlite, pg1, pg2, pg3 = runs
        lines.append(
            f"  ratios: 2 replicas / 1 = {pg2.spans_per_second / pg1.spans_per_second:.2f}, "
            f"3 / 1 = {pg3.spans_per_second / pg1.spans_per_second:.2f}, "
            f"PostgreSQL 1 replica / SQLite = {pg1.spans_per_second / sqlite.spans_per_second:.2f}"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
