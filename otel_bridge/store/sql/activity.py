"""The UI's reads and writes beside the listings: the Sessions view's chart buckets, summed over the
``sessions`` rows a filter selects, and sessions' bookmarks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from otel_bridge.errors import NotFound
from otel_bridge.model import nanos_to_datetime
from otel_bridge.store import ActivityBucket
from otel_bridge.store.aggregates import NANOS_PER_USD
from otel_bridge.store.sql.engine import Connections
from otel_bridge.store.sql.schema import bookmarks, sessions

_s, _b = sessions.c, bookmarks.c
_SESSION_EXISTS = sa.select(_s.id).where(
    _s.project_id == sa.bindparam("project_id"), _s.id == sa.bindparam("id")
)
_DELETE = bookmarks.delete().where(
    _b.project_id == sa.bindparam("project_id"), _b.session_id == sa.bindparam("id")
)
_BOOKMARKED = sa.select(_b.session_id).where(
    _b.project_id == sa.bindparam("project_id"), _b.session_id.in_(sa.bindparam("ids", expanding=True))
)


def _total(column: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    """SUM as an integer: PostgreSQL sums bigints into numeric, which would read back as Decimal."""
    return sa.cast(sa.func.sum(column), sa.BigInteger)


def session_activity(
    db: Connections, conditions: Sequence[sa.ColumnElement[bool]], bucket_seconds: int
) -> tuple[ActivityBucket, ...]:
    """One row per bucket of first activity among the sessions ``conditions`` select."""
    bucket_ns = bucket_seconds * 1_000_000_000
    # Integer division on both databases (bigint / bigint); times before 1970 are not expected.
    bucket = (_s.first_activity_ns // sa.literal(bucket_ns, sa.BigInteger)).label("bucket")
    query = (
        sa.select(
            bucket,
            sa.func.count(),
            _total(_s.trace_count),
            _total(_s.input_tokens),
            _total(_s.output_tokens),
            _total(_s.total_tokens),
            _total(_s.total_cost_nanos),
        )
        .where(*conditions)
        .group_by(bucket)
        .order_by(bucket)
    )
    with db.read() as conn:
        rows = conn.execute(query).all()
    return tuple(
        ActivityBucket(
            start=nanos_to_datetime(int(index) * bucket_ns),
            sessions=count,
            traces=traces,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=total_tokens,
            total_cost=cost / NANOS_PER_USD,
        )
        for index, count, traces, input_tokens, output_tokens, total_tokens, cost in rows
    )


def set_bookmark(db: Connections, project_id: str, session_id: str, bookmarked: bool, now: int) -> None:
    """Bookmark a session (``NotFound`` when it does not exist) or remove its bookmark."""
    key = {"project_id": project_id, "id": session_id}
    with db.write() as conn:
        if bookmarked and conn.execute(_SESSION_EXISTS, key).first() is None:
            raise NotFound(f"no session {session_id}")
        conn.execute(_DELETE, key)  # then insert: idempotent on both databases without an upsert
        if bookmarked:
            conn.execute(
                bookmarks.insert(), {"project_id": project_id, "session_id": session_id, "created_ns": now}
            )


def bookmarked_sessions(db: Connections, project_id: str, session_ids: Sequence[str]) -> frozenset[str]:
    """Which of ``session_ids`` are bookmarked."""
    if not session_ids:
        return frozenset()
    with db.read() as conn:
        rows = conn.execute(_BOOKMARKED, {"project_id": project_id, "ids": list(session_ids)})
        return frozenset(row[0] for row in rows)


__all__ = ["bookmarked_sessions", "session_activity", "set_bookmark"]
