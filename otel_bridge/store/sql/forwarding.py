"""The store as the forwarder's spool: the ``forwarding`` table (``schema.py``, migration 0004).

While forwarding is on, the write transaction that changes a trace also marks its row pending
(``mark_changed``, called by ``writes.py``): an acknowledged span is therefore always either
delivered or in the backlog, across a crash, a SIGKILL or a target down for hours. The forwarder
(``otel_bridge.forward.worker``) asks for what is due, reads the traces through the store's reads, and
settles the rows of a round in one transaction (``apply``): delivered (``sent``), to be retried
later (``retry``) or refused for good (``failed``). A delivery settles a row only if no write changed
the trace meanwhile (its ``changed_ns`` is still the one read), so a span that arrives during a
delivery is delivered next.

One forwarder per database: two replicas forwarding the same database would both deliver (the
receiver upserts by id, so the result is the same, sent twice).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from otel_bridge.store.sql.engine import Connections
from otel_bridge.store.sql.schema import forwarding, observations, traces

__all__ = ["Backlog", "Due", "ForwardingLedger", "ForwardingStatus", "Settlement", "mark_changed"]

_MARK = sa.text(
    "INSERT INTO forwarding (project_id, trace_id, pending, changed_ns, pending_since_ns, "
    "next_attempt_ns, attempts, failed) "
    "VALUES (:project_id, :trace_id, :yes, :now, :now, 0, 0, :no) "
    "ON CONFLICT (project_id, trace_id) DO UPDATE SET "
    "changed_ns = excluded.changed_ns, "
    "pending_since_ns = CASE WHEN forwarding.pending THEN forwarding.pending_since_ns "
    "ELSE excluded.changed_ns END, "
    "next_attempt_ns = CASE WHEN forwarding.pending THEN forwarding.next_attempt_ns ELSE 0 END, "
    "attempts = CASE WHEN forwarding.pending THEN forwarding.attempts ELSE 0 END, "
    "pending = excluded.pending, failed = excluded.failed"
)


def mark_changed(conn: sa.Connection, project_id: str, trace_ids: Sequence[str], now: int) -> None:
    """In the write transaction: these traces changed, so they are (again) to be forwarded."""
    if trace_ids:
        conn.execute(
            _MARK,
            [
                {"project_id": project_id, "trace_id": t, "now": now, "yes": True, "no": False}
                for t in trace_ids
            ],
        )


@dataclass(frozen=True, slots=True)
class Due:
    """A trace to forward now, and what was delivered of it before."""

    project_id: str
    trace_id: str
    changed_ns: int
    attempts: int
    forwarded_claims: str | None
    forwarded_spans: frozenset[str]


@dataclass(frozen=True, slots=True)
class Settlement:
    """How one delivery settles its row (``ForwardingLedger.apply`` writes many in one transaction)."""

    due: Due
    values: dict[str, object]
    done: bool


@dataclass(frozen=True, slots=True)
class Backlog:
    """Traces not delivered yet (refused ones left out) and when the oldest of them first changed."""

    traces: int
    oldest_pending_ns: int | None


@dataclass(frozen=True, slots=True)
class ForwardingStatus:
    """What the UI shows of one trace: whether and when it was delivered, and the last error."""

    pending: bool
    failed: bool
    forwarded_ns: int | None
    attempts: int
    last_error: str | None


class ForwardingLedger:
    """Reads and settles the ``forwarding`` rows of one database (see the module docstring)."""

    def __init__(self, db: Connections) -> None:
        self._db = db
        f, t, o = forwarding.c, traces.c, observations.c
        root_arrived = (
            sa.select(o.id)
            .where(o.project_id == t.project_id, o.trace_id == t.id, o.id == t.root_observation_id)
            .where(o.claim_root.is_(True))
            .exists()
        )
        self._due = (
            sa.select(
                f.project_id, f.trace_id, f.changed_ns, f.attempts, f.forwarded_claims, f.forwarded_spans
            )
            .select_from(forwarding.join(traces, (t.project_id == f.project_id) & (t.id == f.trace_id)))
            .where(f.pending.is_(True), f.failed.is_(False), f.next_attempt_ns <= sa.bindparam("now"))
            .where(
                sa.or_(
                    sa.and_(f.changed_ns <= sa.bindparam("quiet_before"), root_arrived),
                    f.pending_since_ns <= sa.bindparam("timeout_before"),
                )
            )
            .order_by(f.changed_ns)
            .limit(sa.bindparam("limit"))
        )

    def due(self, now: int, *, quiet_ns: int, timeout_ns: int, limit: int) -> list[Due]:
        """Traces to forward now, oldest change first: their root arrived and nothing came for
        ``quiet_ns``, or they have waited ``timeout_ns`` without a root; retries once their time came."""
        params = {
            "now": now,
            "quiet_before": now - quiet_ns,
            "timeout_before": now - timeout_ns,
            "limit": limit,
        }
        with self._db.read() as conn:
            rows = conn.execute(self._due, params).all()
        return [
            Due(
                project_id=row.project_id,
                trace_id=row.trace_id,
                changed_ns=row.changed_ns,
                attempts=row.attempts,
                forwarded_claims=row.forwarded_claims,
                forwarded_spans=frozenset(json.loads(row.forwarded_spans) if row.forwarded_spans else ()),
            )
            for row in rows
        ]

    def apply(self, settlements: Sequence[Settlement]) -> None:
        """Write ``settlements`` (made by ``sent``, ``retry``, ``failed``) in one transaction, one
        executemany per kind of settlement."""
        groups: dict[tuple[tuple[str, ...], bool], list[dict[str, object]]] = {}
        for settlement in settlements:
            due = settlement.due
            row = {f"v_{k}": v for k, v in settlement.values.items()}
            row.update(k_project=due.project_id, k_trace=due.trace_id, k_changed=due.changed_ns)
            groups.setdefault((tuple(sorted(settlement.values)), settlement.done), []).append(row)
        if not groups:
            return
        f = forwarding.c
        with self._db.write() as conn:
            for (names, done), rows in groups.items():
                values: dict[str, object] = {name: sa.bindparam(f"v_{name}") for name in names}
                if done:
                    # Still pending when a write changed the trace after it was read as due.
                    values["pending"] = sa.case(
                        (f.changed_ns == sa.bindparam("k_changed"), False), else_=True
                    )
                statement = (
                    sa.update(forwarding)
                    .where(f.project_id == sa.bindparam("k_project"), f.trace_id == sa.bindparam("k_trace"))
                    .values(values)
                )
                conn.execute(statement, rows)

    @staticmethod
    def sent(due: Due, claims: str, span_ids: Sequence[str], now: int) -> Settlement:
        """Delivered: what was sent is recorded, and the row is settled unless the trace changed."""
        spans = sorted(due.forwarded_spans.union(span_ids))
        values = {
            "forwarded_ns": now,
            "forwarded_claims": claims,
            "forwarded_spans": json.dumps(spans, separators=(",", ":")),
            "attempts": 0,
            "next_attempt_ns": 0,
            "failed": False,
            "last_error": None,
        }
        return Settlement(due, values, done=True)

    @staticmethod
    def retry(due: Due, next_attempt_ns: int, error: str) -> Settlement:
        """Not delivered, worth trying again at ``next_attempt_ns``."""
        values = {"attempts": due.attempts + 1, "next_attempt_ns": next_attempt_ns, "last_error": error}
        return Settlement(due, values, done=False)

    @staticmethod
    def failed(due: Due, error: str) -> Settlement:
        """Refused for good: not retried until the trace changes again."""
        return Settlement(due, {"failed": True, "attempts": due.attempts + 1, "last_error": error}, done=True)

    def prune(self, forwarded_before_ns: int, limit: int = 1_000) -> int:
        """Delete up to ``limit`` traces (their observations, trace row and spool row) delivered before
        ``forwarded_before_ns`` and unchanged since, oldest delivery first; the number deleted.

        For ``otel-bridge relay``, where the store is only the spool: what the target confirmed goes,
        what it has not is never touched. Content rows (deduplicated texts, shared by hash) and the
        session aggregates stay; a span arriving after its trace was pruned is forwarded as a trace of
        its own, so the retention should exceed how late spans come.
        """
        f, o, t = forwarding.c, observations.c, traces.c
        old = (
            sa.select(f.project_id, f.trace_id)
            .where(f.pending.is_(False), f.failed.is_(False), f.forwarded_ns < forwarded_before_ns)
            .order_by(f.forwarded_ns)
            .limit(limit)
        )
        with self._db.write() as conn:
            keys = [(row.project_id, row.trace_id) for row in conn.execute(old)]
            if not keys:
                return 0
            rows = [{"p": project_id, "t": trace_id} for project_id, trace_id in keys]
            for table, project, trace in (
                (observations, o.project_id, o.trace_id),
                (traces, t.project_id, t.id),
                (forwarding, f.project_id, f.trace_id),
            ):
                statement = sa.delete(table).where(project == sa.bindparam("p"), trace == sa.bindparam("t"))
                conn.execute(statement, rows)
        return len(keys)

    def backlog(self) -> Backlog:
        """The traces waiting to be forwarded, over every project."""
        f = forwarding.c
        query = sa.select(sa.func.count(), sa.func.min(f.pending_since_ns)).where(
            f.pending.is_(True), f.failed.is_(False)
        )
        with self._db.read() as conn:
            count, oldest = conn.execute(query).one()
        return Backlog(int(count), None if oldest is None else int(oldest))

    def status(self, project_id: str, trace_id: str) -> ForwardingStatus | None:
        """The forwarding state of one trace; None when it was written with forwarding off."""
        f = forwarding.c
        query = sa.select(f.pending, f.failed, f.forwarded_ns, f.attempts, f.last_error).where(
            f.project_id == project_id, f.trace_id == trace_id
        )
        with self._db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return ForwardingStatus(
            bool(row.pending), bool(row.failed), row.forwarded_ns, row.attempts, row.last_error
        )
