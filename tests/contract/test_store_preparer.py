"""The ``WritePreparer`` seam of every store: prepared writes survive pickling, ``split`` cuts a write
into traces that together store the whole, ``span_ids`` names its observations, and a store writes
only what its own preparer made."""

from __future__ import annotations

import pickle

import pytest

from otel_bridge.store import TRACE_CLAIMS_ID, PreparedWrite, Store, WritePreparer
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.store.sql.prepare import SqlWritePreparer
from otel_bridge.translate import Translation
from tests.contract.test_store_trace_claims import claims_row
from tests.support.spans import generation, record, span_id, trace_id, translate
from tests.support.state import dump_state


def spans() -> list[Translation]:
    """Three traces, one with a claims row, sharing one session."""
    return [
        claims_row(trace_id(2), session_id="s", explicit_name="named"),
        *translate(
            record(1, 10, start=0, end=5, session__id="s", attrs={"input.value": "first"}),
            generation(1, 11, 10, start=1, end=2),
            record(2, 20, start=3, end=4, attrs={"input.value": "second"}),
            record(3, 30, start=6, end=7, session__id="s"),
        ),
    ]


def test_split_writes_store_the_whole(store: Store) -> None:
    """The parts ``split`` makes (one per trace, pickled) store what the whole write stores."""
    whole, parts = (store.create_project(name).project.id for name in ("whole", "parts"))
    store.write_batch(whole, spans())
    pieces = store.preparer.split(store.preparer.prepare(parts, spans()))
    assert [list(piece.trace_ids) for piece in pieces] == [[trace_id(1)], [trace_id(2)], [trace_id(3)]]
    for piece in pieces:
        store.write_prepared([pickle.loads(pickle.dumps(piece))])
    assert dump_state(store, parts) == dump_state(store, whole)


def test_span_ids_name_the_observations(store: Store) -> None:
    """Every observation of a write, by trace and span id; a trace's claims row is none."""
    prepared = store.preparer.prepare("p", spans())
    assert prepared.project_id == "p"
    assert list(prepared.trace_ids) == [trace_id(1), trace_id(2), trace_id(3)]
    assert sorted(store.preparer.span_ids(prepared)) == [
        (trace_id(1), span_id(10)),
        (trace_id(1), span_id(11)),
        (trace_id(2), span_id(20)),
        (trace_id(3), span_id(30)),
    ]
    assert all(span != TRACE_CLAIMS_ID for _, span in store.preparer.span_ids(prepared))


def test_a_store_writes_only_what_its_own_preparer_made(store: Store, project_id: str) -> None:
    """A write prepared for another kind of store is refused, and nothing is written."""
    others: list[WritePreparer] = [InMemoryStore().preparer, SqlWritePreparer()]
    foreign: list[PreparedWrite] = [
        other.prepare(project_id, spans()) for other in others if type(other) is not type(store.preparer)
    ]
    with pytest.raises(TypeError):
        store.write_prepared(foreign)
    assert store.list_traces(project_id).total == 0
