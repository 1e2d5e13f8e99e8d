"""Scale-out, proven: two and three ``otel-bridge serve`` replicas on one PostgreSQL store exactly
what one replica stores from the same spans, also when a replica is SIGKILLed mid-run.

For every seed, one workload (``workload.py``: a few sessions whose traces are spread over many
small requests, some of them sent twice) goes twice into one database, each time into a project of
its own: once one request after another into a single replica (the reference), once from several
concurrent senders to replicas and transports chosen at random per request, so that the spans of
one trace reach different replicas and the traces of one session are written by several replicas
at once. The two projects' whole stored state (``dump_state``: contents, observations, traces,
sessions with their trace counts, users, tokens, cost, first and last activity) must be equal, and
the sessions must hold the traces and tokens the workload put in them.

What makes it correct: PostgreSQL's default isolation, READ COMMITTED, plus transaction-scoped
advisory locks (``pg_advisory_xact_lock``) that every writer takes on the ids of the traces its batch
touches, before reading them, and then on the ids of the sessions whose traces changed, before
recomputing those sessions from their stored traces (``otel_bridge/store/sql/writes.py``). Two writers of
one trace or one session therefore run one after the other, and under READ COMMITTED each statement
of the second sees everything the first committed, so the second recomputes from a view that
includes the first's rows; nothing is accumulated by deltas, so a recomputation is never counted
twice. Row locks (``SELECT … FOR UPDATE``) could not do it: a new trace or session has no row to
lock yet, and two replicas would both insert it from their own partial view. SERIALIZABLE would
also be correct but would abort one of any two colliding writers, and every replica would then
have to retry whole group commits; locks in one order (traces, then sessions, each sorted) make
the collisions wait instead, without deadlocks. Skipping the session lock makes this test fail:
two replicas then each recompute a session from a view that misses the other's new trace.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.scale.replicas import Cluster, Keys, Route, cluster, send_all
from tests.e2e.scale.workload import Workload, make_workload
from tests.support.databases import postgres_schema
from tests.support.state import dump_state

pytestmark = pytest.mark.postgres

TRANSPORTS = ("http", "http+gzip", "grpc")
#: Concurrent senders: more than replicas, so that each replica serves several requests at once.
SENDERS = 6
#: Seeds per replica count: each seed is a new interleaving of new sessions.
SEEDS = 12
#: Seeds of the kill test: one replica killed in each.
KILL_SEEDS = 3


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Three replicas on one fresh schema; the two-replica runs use the first two."""
    with postgres_schema() as url, cluster(url, tmp_path_factory.mktemp("replicas")) as target:
        target.start(3)
        yield target


def test_replicas_started_together_share_one_database(replicas: Cluster) -> None:
    """The fixture starts its three replicas at once on an empty schema: each migrates it and makes
    sure the default project exists, and none trips over another (PostgreSQL serializes the
    migrations on an advisory lock; a replica that loses the race to create the project uses the
    winner's). All three serve, and there is one default project."""
    assert all(server.process.poll() is None for server in replicas.replicas)
    with replicas.store.engine.connect() as conn:
        names = conn.exec_driver_sql("SELECT name FROM projects").scalars().all()
    assert names.count("default") == 1


def routes_for(seed: int, workload: Workload, among: int) -> list[Route]:
    """A replica and a transport per request, at random."""
    rng = random.Random(seed * 7919)
    return [Route(rng.randrange(among), rng.choice(TRANSPORTS)) for _ in workload.bodies]


def reference(target: Cluster, seed: int, workload: Workload, replica: int = 0) -> Keys:
    """The workload sent one request after another into one replica, in a project of its own."""
    keys = target.project(f"reference-{seed}")
    routes = [Route(replica, "http")] * len(workload.bodies)
    send_all(target, workload.bodies, routes, keys.authorization, senders=1)
    return keys


def assert_same_as_reference(target: Cluster, spread: Keys, alone: Keys, workload: Workload) -> None:
    """The sessions hold what the workload put in them, on both projects, and the whole stored states
    are equal."""
    for keys in (alone, spread):
        sessions = target.store.list_sessions(keys.project_id, limit=100).items
        assert {s.id: s.trace_count for s in sessions} == workload.trace_counts
        assert {s.id: s.input_tokens + s.output_tokens for s in sessions} == workload.tokens
        observations = sum(s.observation_count for s in sessions)
        assert observations == workload.span_count, "observations stored, spans sent"
    expected = dump_state(target.store, alone.project_id)
    actual = dump_state(target.store, spread.project_id)
    for table in ("sessions", "traces", "observations", "contents"):
        assert actual["rows"][table] == expected["rows"][table], f"{table} rows differ from one replica's"
    assert actual["read"] == expected["read"], "what the store reads back differs from one replica's"


@pytest.mark.parametrize("among", [2, 3], ids=lambda n: f"{n}-replicas")
def test_replicas_store_exactly_what_one_replica_stores(replicas: Cluster, among: int) -> None:
    """Requests of the same sessions spread at random over ``among`` replicas from concurrent senders,
    seed after seed: the result is one replica's."""
    for seed in range(among * 1000, among * 1000 + SEEDS):
        workload = make_workload(seed)
        alone = reference(replicas, seed, workload)
        spread = replicas.project(f"spread-{among}-{seed}")
        routes = routes_for(seed, workload, among)
        failovers = send_all(
            replicas, workload.bodies, routes, spread.authorization, senders=SENDERS, among=among
        )
        assert not failovers, failovers
        assert_same_as_reference(replicas, spread, alone, workload)


def test_a_replica_killed_mid_run_loses_nothing_acknowledged(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A replica SIGKILLed a third of the way through a run; the requests it did not acknowledge are
    re-sent to another replica. Nothing acknowledged is missing and nothing re-sent is counted twice:
    the result is still one replica's. Each seed kills another replica, restarted afterwards."""
    with postgres_schema() as url, cluster(url, tmp_path_factory.mktemp("killed")) as target:
        target.start(3)
        for round_number in range(KILL_SEEDS):
            victim = round_number % 3
            kill_mid_run(target, 9000 + round_number, victim)
            target.restart(victim)


def kill_mid_run(target: Cluster, seed: int, victim: int) -> None:
    """One seed's workload over three replicas, replica ``victim`` SIGKILLed after a third of the
    requests were acknowledged; then the comparison with one replica's result."""
    workload = make_workload(seed, traces_per_session=10)
    alone = reference(target, seed, workload, replica=(victim + 1) % 3)
    spread = target.project(f"killed-{seed}")
    kill_after = len(workload.bodies) // 3
    acknowledged = itertools.count(1)
    reached = threading.Event()

    def count_acknowledgement() -> None:
        if next(acknowledged) >= kill_after:
            reached.set()

    def kill() -> None:
        reached.wait(120)
        target.replicas[victim].kill()

    killer = threading.Thread(target=kill)
    killer.start()
    failovers = send_all(
        target,
        workload.bodies,
        routes_for(seed, workload, 3),
        spread.authorization,
        senders=SENDERS,
        on_acknowledged=count_acknowledgement,
    )
    killer.join()
    assert failovers, "the kill cut off no request: the test did not test a failover"
    assert_same_as_reference(target, spread, alone, workload)
