"""The ``Store`` contract for scores (``write_scores``, ``list_scores``, ``get_score``,
``delete_score``), on every store: in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from otel_bridge.errors import NotFound
from otel_bridge.model import Score, ScoreDataType, ScoreSource
from otel_bridge.store import ScoreFilter, ScoreTrace, Store
from tests.support.spans import record, trace_id, translate

T = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)


def score(score_id: str, *, minutes: int = 0, **fields: object) -> Score:
    """A numeric score on trace 1 at ``T`` plus ``minutes``, with ``fields`` replaced."""
    base = Score(
        id=score_id,
        name="quality",
        data_type=ScoreDataType.NUMERIC,
        value=0.5,
        string_value=None,
        timestamp=T + timedelta(minutes=minutes),
        created_at=T,
        updated_at=T,
        trace_id=trace_id(1),
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def ids(store: Store, project_id: str, where: ScoreFilter | None = None) -> list[str]:
    where = where or ScoreFilter()
    return [listed.score.id for listed in store.list_scores(project_id, where, limit=100).items]


class TestScores:
    def test_round_trip_of_every_type(self, store: Store, project_id: str) -> None:
        """Every field reads back as written, for numeric, categorical and boolean scores on a trace,
        an observation and a session."""
        written = [
            score(
                "n",
                comment="good",
                metadata={"judge": "gpt", "n": [1, 2]},
                environment="production",
                source=ScoreSource.EVAL,
                config_id="c1",
                queue_id="q1",
            ),
            score(
                "c",
                data_type=ScoreDataType.CATEGORICAL,
                value=0.0,
                string_value="helpful",
                observation_id="obs-1",
            ),
            score(
                "b",
                data_type=ScoreDataType.BOOLEAN,
                value=1.0,
                string_value="True",
                trace_id=None,
                session_id="chat-1",
                metadata="plain text",
            ),
        ]
        store.write_scores(project_id, written)
        for expected in written:
            assert store.get_score(project_id, expected.id) == expected

    def test_rewriting_an_id_replaces_it_and_keeps_its_creation(self, store: Store, project_id: str) -> None:
        store.write_scores(project_id, [score("s", value=0.1)])
        later = T + timedelta(hours=1)
        store.write_scores(project_id, [score("s", value=0.9, created_at=later, updated_at=later)])
        stored = store.get_score(project_id, "s")
        assert (stored.value, stored.created_at, stored.updated_at) == (0.9, T, later)
        store.write_scores(project_id, [score("d", value=1.0), score("d", value=2.0)])
        assert store.get_score(project_id, "d").value == 2.0
        assert store.list_scores(project_id).total == 2

    def test_delete_and_not_found(self, store: Store, project_id: str) -> None:
        store.write_scores(project_id, [score("s")])
        store.delete_score(project_id, "s")
        with pytest.raises(NotFound):
            store.get_score(project_id, "s")
        with pytest.raises(NotFound):
            store.delete_score(project_id, "s")

    def test_scoped_by_project(self, store: Store, project_id: str) -> None:
        other = store.create_project("other").project.id
        store.write_scores(project_id, [score("s")])
        assert store.list_scores(other).total == 0
        with pytest.raises(NotFound):
            store.get_score(other, "s")
        with pytest.raises(NotFound):
            store.delete_score(other, "s")
        assert store.get_score(project_id, "s").id == "s"

    def test_listing_order_pages_and_trace(self, store: Store, project_id: str) -> None:
        """Newest first, ties by id (descending); the stored trace comes along, None when not stored."""
        store.write_batch(
            project_id,
            translate(
                record(
                    1,
                    1,
                    name="turn",
                    attrs={"session.id": "chat-1", "user.id": "u1", "langfuse.trace.tags": ["a", "b"]},
                )
            ),
        )
        store.write_scores(
            project_id,
            [
                score("a", minutes=1),
                score("b", minutes=1),
                score("c", minutes=2),
                score("x", trace_id=trace_id(7)),
            ],
        )
        assert ids(store, project_id) == ["c", "b", "a", "x"]
        page = store.list_scores(project_id, offset=1, limit=2)
        assert ([s.score.id for s in page.items], page.total) == (["b", "a"], 4)
        listed = {s.score.id: s.trace for s in store.list_scores(project_id).items}
        assert listed["a"] == ScoreTrace("u1", ("a", "b"), "default", "chat-1")
        assert listed["x"] is None

    def test_filters(self, store: Store, project_id: str) -> None:
        store.write_batch(
            project_id,
            translate(record(1, 1, name="turn", attrs={"user.id": "u1", "langfuse.trace.tags": ["a", "b"]})),
        )
        store.write_scores(
            project_id,
            [
                score("n1", value=0.2, environment="production", config_id="c"),
                score("n2", minutes=5, value=0.8, observation_id="o1", source=ScoreSource.ANNOTATION),
                score(
                    "b1",
                    minutes=10,
                    name="thumbs",
                    data_type=ScoreDataType.BOOLEAN,
                    value=1.0,
                    string_value="True",
                    trace_id=None,
                    session_id="chat-9",
                    queue_id="q",
                ),
                score("r1", trace_id=None, dataset_run_id="run-1"),
            ],
        )
        cases = {
            ScoreFilter(score_ids=("n1", "b1")): ["b1", "n1"],
            ScoreFilter(trace_ids=(trace_id(1),)): ["n2", "n1"],
            ScoreFilter(observation_ids=("o1", "o2")): ["n2"],
            ScoreFilter(session_ids=("chat-9",)): ["b1"],
            ScoreFilter(name="thumbs"): ["b1"],
            ScoreFilter(source=ScoreSource.ANNOTATION): ["n2"],
            ScoreFilter(data_type=ScoreDataType.BOOLEAN): ["b1"],
            ScoreFilter(environments=("production", "x")): ["n1"],
            ScoreFilter(from_timestamp=T + timedelta(minutes=5)): ["b1", "n2"],
            ScoreFilter(to_timestamp=T + timedelta(minutes=5)): ["r1", "n1"],
            ScoreFilter(config_id="c"): ["n1"],
            ScoreFilter(queue_id="q"): ["b1"],
            ScoreFilter(dataset_run_id="run-1"): ["r1"],
            ScoreFilter(user_id="u1"): ["n2", "n1"],
            ScoreFilter(user_id="u2"): [],
            ScoreFilter(trace_tags=("a", "b")): ["n2", "n1"],
            ScoreFilter(trace_tags=("a", "c")): [],
            ScoreFilter(value_operator=">=", value=0.8): ["b1", "n2"],
            ScoreFilter(value_operator="<", value=0.5): ["n1"],
            ScoreFilter(value_operator="!=", value=0.5): ["b1", "n2", "n1"],
            ScoreFilter(value_min=0.5, value_max=0.8): ["n2", "r1"],
            ScoreFilter(value_min=0.9): ["b1"],
            ScoreFilter(string_value="True"): ["b1"],
            ScoreFilter(trace_ids=(trace_id(1),), value_operator=">", value=0.5): ["n2"],
        }
        for where, expected in cases.items():
            assert ids(store, project_id, where) == expected, where
            assert store.list_scores(project_id, where).total == len(expected), where
