"""Scores in the ``scores`` table: written whole (a stored id is replaced, keeping its creation time)
and listed with their trace (a left join: a score may name a trace that is not stored)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from otel_bridge.errors import NotFound
from otel_bridge.model import Score, ScoreDataType, ScoreSource, datetime_to_nanos, nanos_to_datetime
from otel_bridge.store import ListedScore, Page, ScoreFilter, ScoreTrace
from otel_bridge.store.json_text import to_json
from otel_bridge.store.sql.dialects import Dialect
from otel_bridge.store.sql.engine import Connections
from otel_bridge.store.sql.schema import scores, traces

_S = scores.c
_T = traces.c
_FROM = scores.outerjoin(traces, sa.and_(_T.project_id == _S.project_id, _T.id == _S.trace_id))
_TRACE_COLUMNS = (
    _T.id.label("t_id"),
    _T.user_id.label("t_user_id"),
    _T.tags.label("t_tags"),
    _T.environment.label("t_environment"),
    _T.session_id.label("t_session_id"),
)
_OPERATORS = {
    "<": lambda c, v: c < v,
    "<=": lambda c, v: c <= v,
    "=": lambda c, v: c == v,
    "!=": lambda c, v: c != v,
    ">=": lambda c, v: c >= v,
    ">": lambda c, v: c > v,
}


def _row(project_id: str, score: Score, created_ns: int) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "id": score.id,
        "name": score.name,
        "data_type": score.data_type.value,
        "value": score.value,
        "string_value": score.string_value,
        "trace_id": score.trace_id,
        "observation_id": score.observation_id,
        "session_id": score.session_id,
        "dataset_run_id": score.dataset_run_id,
        "source": score.source.value,
        "timestamp_ns": datetime_to_nanos(score.timestamp),
        "created_ns": created_ns,
        "updated_ns": datetime_to_nanos(score.updated_at),
        "comment": score.comment,
        "metadata": None if score.metadata is None else to_json(score.metadata),
        "config_id": score.config_id,
        "queue_id": score.queue_id,
        "environment": score.environment,
    }


def decode_score(row: Mapping[Any, Any]) -> Score:
    """A ``scores`` row as a ``Score``."""
    return Score(
        id=row["id"],
        name=row["name"],
        data_type=ScoreDataType(row["data_type"]),
        value=float(row["value"]),
        string_value=row["string_value"],
        timestamp=nanos_to_datetime(row["timestamp_ns"]),
        created_at=nanos_to_datetime(row["created_ns"]),
        updated_at=nanos_to_datetime(row["updated_ns"]),
        trace_id=row["trace_id"],
        observation_id=row["observation_id"],
        session_id=row["session_id"],
        dataset_run_id=row["dataset_run_id"],
        source=ScoreSource(row["source"]),
        comment=row["comment"],
        metadata=None if row["metadata"] is None else json.loads(row["metadata"]),
        config_id=row["config_id"],
        queue_id=row["queue_id"],
        environment=row["environment"],
    )


def write_scores(db: Connections, project_id: str, given: Sequence[Score]) -> None:
    """Store scores in one transaction; a stored id keeps its ``created_ns``."""
    latest = {score.id: score for score in given}  # of one id given twice, the last wins
    if not latest:
        return
    ids = sorted(latest)
    where = sa.and_(_S.project_id == project_id, _S.id.in_(ids))
    with db.write() as conn:
        created = {row[0]: row[1] for row in conn.execute(sa.select(_S.id, _S.created_ns).where(where))}
        conn.execute(scores.delete().where(where))
        conn.execute(
            scores.insert(),
            [
                _row(project_id, latest[i], created.get(i, datetime_to_nanos(latest[i].created_at)))
                for i in ids
            ],
        )


def _conditions(dialect: Dialect, project_id: str, f: ScoreFilter) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = [_S.project_id == project_id]
    for values, column in (
        (f.score_ids, _S.id),
        (f.trace_ids, _S.trace_id),
        (f.observation_ids, _S.observation_id),
        (f.session_ids, _S.session_id),
        (f.environments, _S.environment),
    ):
        if values:
            clauses.append(column.in_(values))
    for value, column in (
        (f.name, _S.name),
        (f.source.value if f.source else None, _S.source),
        (f.data_type.value if f.data_type else None, _S.data_type),
        (f.config_id, _S.config_id),
        (f.queue_id, _S.queue_id),
        (f.dataset_run_id, _S.dataset_run_id),
        (f.user_id, _T.user_id),
        (f.string_value, _S.string_value),
    ):
        if value is not None:
            clauses.append(column == value)
    if f.from_timestamp is not None:
        clauses.append(_S.timestamp_ns >= datetime_to_nanos(f.from_timestamp))
    if f.to_timestamp is not None:
        clauses.append(_S.timestamp_ns < datetime_to_nanos(f.to_timestamp))
    if f.trace_tags:
        clauses.append(_T.id.is_not(None))
        clauses.extend(dialect.json_array_contains(_T.tags, tag) for tag in f.trace_tags)
    if f.value_operator is not None and f.value is not None:
        clauses.append(_OPERATORS[f.value_operator](_S.value, f.value))
    if f.value_min is not None:
        clauses.append(_S.value >= f.value_min)
    if f.value_max is not None:
        clauses.append(_S.value <= f.value_max)
    return clauses


def list_scores(
    db: Connections, dialect: Dialect, project_id: str, f: ScoreFilter, *, offset: int, limit: int
) -> Page[ListedScore]:
    """Scores, newest timestamp first (ties by id), with their stored traces."""
    where = sa.and_(*_conditions(dialect, project_id, f))
    page = (
        sa.select(scores, *_TRACE_COLUMNS)
        .select_from(_FROM)
        .where(where)
        .order_by(_S.timestamp_ns.desc(), _S.id.desc())
        .offset(offset)
        .limit(limit)
    )
    count = sa.select(sa.func.count()).select_from(_FROM).where(where)
    with db.read() as conn:
        rows = conn.execute(page).mappings().all()
        total = int(conn.execute(count).scalar_one())
    items = tuple(
        ListedScore(
            decode_score(row),
            None
            if row["t_id"] is None
            else ScoreTrace(
                row["t_user_id"], tuple(json.loads(row["t_tags"])), row["t_environment"], row["t_session_id"]
            ),
        )
        for row in rows
    )
    return Page(items, total)


def get_score(db: Connections, project_id: str, score_id: str) -> Score:
    """One score by its id."""
    with db.read() as conn:
        row = (
            conn.execute(sa.select(scores).where(_S.project_id == project_id, _S.id == score_id))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound(f"no score {score_id}")
    return decode_score(row)


def delete_score(db: Connections, project_id: str, score_id: str) -> None:
    """Delete one score; ``NotFound`` when there is none."""
    with db.write() as conn:
        deleted = conn.execute(scores.delete().where(_S.project_id == project_id, _S.id == score_id)).rowcount
    if not deleted:
        raise NotFound(f"no score {score_id}")


__all__ = ["decode_score", "delete_score", "get_score", "list_scores", "write_scores"]
