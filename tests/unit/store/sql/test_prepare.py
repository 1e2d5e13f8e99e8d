"""The SQL store's ``WritePreparer``, ``merge_prepared`` and row shapes: the pure half of a write (no
database)."""

from __future__ import annotations

import pickle
from dataclasses import fields
from typing import Any

import pytest

from otel_bridge.store import TRACE_CLAIMS_ID
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.store.sql import schema
from otel_bridge.store.sql.columns import OBS, TRACE_STATE
from otel_bridge.store.sql.content import ContentSink
from otel_bridge.store.sql.dialects import shape_getter, shape_rows
from otel_bridge.store.sql.prepare import SqlPreparedWrite, SqlWritePreparer, merge_prepared
from tests.bench.bench_store import LlmTraffic
from tests.contract.test_store_trace_claims import claims_row
from tests.support.spans import generation, record, trace_id, translate

BUILTINS = (dict, list, tuple, str, int, float, bool, type(None), bytes)
COLUMNS = tuple(range(len(schema.observations.columns)))
PREPARER = SqlWritePreparer()


def prepare(project_id: str, translations: Any) -> SqlPreparedWrite:
    return PREPARER.prepare(project_id, translations)


def llm_batch(n_spans: int = 96) -> SqlPreparedWrite:
    """Bench traffic: chat, tool and chain spans with costs, events, errors and JSON payloads."""
    traffic = LlmTraffic(n_sessions=3, traces_per_session=2)
    translations = [t for batch in traffic.batches(n_spans) for t in batch]
    return prepare("project", translations)


def non_builtins(value: Any, path: str = "batch") -> list[str]:
    """Where ``value`` holds anything but exact builtins (a subclass of one counts as foreign)."""
    if type(value) not in BUILTINS:
        return [f"{path}: {type(value).__name__}"]
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            for found in non_builtins(key, f"{path} key") + non_builtins(item, f"{path}[{key!r}]")
        ]
    if isinstance(value, (list, tuple)):
        return [found for i, item in enumerate(value) for found in non_builtins(item, f"{path}[{i}]")]
    return []


class TestPrepare:
    def test_holds_builtins_only(self) -> None:
        """No dataclass, enum, datetime or ``str`` subclass inside: pickling stays cheap."""
        prepared = llm_batch()
        assert [
            found for f in fields(prepared) for found in non_builtins(getattr(prepared, f.name), f.name)
        ] == []

    def test_survives_pickle(self) -> None:
        prepared = llm_batch()
        assert pickle.loads(pickle.dumps(prepared, protocol=5)) == prepared

    def test_keeps_the_last_of_a_span_sent_twice(self) -> None:
        old, new = translate(
            record(1, 10, name="before", start=0, end=1), record(1, 10, name="after", start=0, end=1)
        )
        prepared = prepare("p", [old, new])
        rows = observation_rows(prepared)
        assert [row[OBS.name] for row in rows] == ["after"]
        assert PREPARER.span_ids(prepared) == [(trace_id(1), f"{10:016x}")]
        assert prepared.trace_ids == [trace_id(1)]
        # The trace's name, resolved from the batch.
        assert prepared.traces[trace_id(1)][TRACE_STATE.name] == "after"

    def test_empty(self) -> None:
        assert prepare("p", []) == SqlPreparedWrite(
            project_id="p", trace_ids=[], observations=[], contents=[], traces={}
        )

    def test_span_ids_leave_claims_rows_out(self) -> None:
        prepared = prepare("p", [claims_row(trace_id(1)), *translate(record(1, 10))])
        assert PREPARER.span_ids(prepared) == [(trace_id(1), f"{10:016x}")]
        assert sorted(row[OBS.id] for row in observation_rows(prepared)) == [TRACE_CLAIMS_ID, f"{10:016x}"]

    def test_refuses_what_another_store_prepared(self) -> None:
        other = InMemoryStore().preparer.prepare("p", translate(record(1, 10)))
        with pytest.raises(TypeError, match="its own preparer"):
            PREPARER.split(other)


class TestSplit:
    def test_one_write_per_trace_with_the_contents_it_references(self) -> None:
        spans = translate(
            record(1, 10, start=0, end=2, attrs={"input.value": "only one"}),
            generation(1, 11, 10, start=0, end=1),
            record(2, 20, start=0, end=2, attrs={"input.value": "only two"}),
        )
        whole = prepare("p", spans)
        parts = [part for part in PREPARER.split(whole) if isinstance(part, SqlPreparedWrite)]
        assert [part.trace_ids for part in parts] == [[trace_id(1)], [trace_id(2)]]
        for part, alone in zip(parts, (spans[:2], spans[2:]), strict=True):
            expected = prepare("p", alone)
            assert part.traces == expected.traces
            assert rows_of(part.observations) == rows_of(expected.observations)
            assert rows_of(part.contents) == rows_of(expected.contents)


class TestMergePrepared:
    def test_batches_sharing_no_trace_are_joined(self) -> None:
        first = translate(record(1, 10, start=0, end=2), generation(1, 11, 10, start=0, end=1))
        second = translate(record(2, 20, start=0, end=2))
        merged = merge_prepared([prepare("p", first), prepare("p", second)])
        together = prepare("p", first + second)
        assert merged.trace_ids == together.trace_ids
        assert merged.traces == together.traces
        assert rows_of(merged.observations) == rows_of(together.observations)
        assert rows_of(merged.contents) == rows_of(together.contents)

    def test_a_shared_trace_is_left_to_the_writer_and_the_last_span_wins(self) -> None:
        first = translate(record(1, 10, name="old", start=0, end=2), record(2, 20, start=0, end=2))
        second = translate(record(1, 10, name="new", start=0, end=2), record(1, 11, 10, start=0, end=1))
        merged = merge_prepared([prepare("p", first), prepare("p", second)])
        assert merged.trace_ids == [trace_id(1), trace_id(2)]
        assert set(merged.traces) == {trace_id(2)}
        rows = observation_rows(merged)
        assert sorted((row[OBS.id], row[OBS.name]) for row in rows if row[OBS.trace_id] == trace_id(1)) == [
            (f"{10:016x}", "new"),
            (f"{11:016x}", "span-11"),
        ]

    def test_one_project_only(self) -> None:
        spans = translate(record(1, 10))
        with pytest.raises(ValueError, match="one project"):
            merge_prepared([prepare("a", spans), prepare("b", spans)])


class TestShapes:
    def test_rows_are_cut_to_their_values_and_put_back_whole(self) -> None:
        rows = [(1, None, "a", None), (2, None, "b", None), (3, 4, None, None), (None, None, None, None)]
        shaped = shape_rows(rows)
        assert shaped == [((0, 2), [(1, "a"), (2, "b")]), ((0, 1), [(3, 4)]), ((), [()])]
        everything = (0, 1, 2, 3)
        rebuilt = [shape_getter(shape, everything)((*row, None)) for shape, group in shaped for row in group]
        assert sorted(rebuilt, key=repr) == sorted(rows, key=repr)
        assert shape_getter((0, 2), (2,))(("x", "y", None)) == ("y",)

    def test_content_rows_follow_the_contents_table(self) -> None:
        assert [c.name for c in schema.contents.columns] == ["project_id", "hash", "format", "body"]
        sink = ContentSink()
        sink.put({"q": "한글"})
        shaped = sink.rows("p")
        assert [shape for shape, _ in shaped] == [(0, 1, 3)]
        (_, ((project, digest, body),)), *_ = shaped
        assert (project, body) == ("p", '{"q":"한글"}'.encode())
        assert digest in sink.bodies


def observation_rows(prepared: SqlPreparedWrite) -> list[tuple[Any, ...]]:
    """The batch's observation rows, whole again."""
    return [
        shape_getter(shape, COLUMNS)((*row, None)) for shape, rows in prepared.observations for row in rows
    ]


def rows_of(shaped: list[tuple[tuple[int, ...], list[tuple[Any, ...]]]]) -> list[tuple[Any, ...]]:
    """Rows by shape, as sorted (shape, row) pairs: the same rows whatever their grouping order."""
    return sorted(((shape, row) for shape, rows in shaped for row in rows), key=repr)
