"""``prepare_batch`` then ``write_prepared``: the two halves of ``write_batch``, which ingest runs in
two processes. A prepared batch that went through pickle stores exactly what ``write_batch`` stores,
alone or with others in one transaction (ingest's group commit), on SQLite and PostgreSQL."""

from __future__ import annotations

import pickle
import secrets

from hypothesis import given, settings

from otel_bridge.store import PreparedBatch, prepare_batch
from otel_bridge.store.sql import SqlStore
from otel_bridge.translate import Translation
from tests.contract.test_store_properties import STORE_EXAMPLES, an_arrival
from tests.support.spans import generation, record, translate
from tests.support.state import dump_state


def pickled(prepared: PreparedBatch) -> PreparedBatch:
    """``prepared`` as a writer process receives it."""
    loaded: PreparedBatch = pickle.loads(pickle.dumps(prepared, protocol=5))
    return loaded


@settings(STORE_EXAMPLES, max_examples=50)
@given(case=an_arrival())
def test_pickled_prepared_batches_store_what_write_batch_stores(
    store: SqlStore, case: tuple[list[Translation], list[list[Translation]]]
) -> None:
    """Random traces in random batches (spans repeated, traces split across batches): written through
    ``write_batch``, through pickled prepared batches one by one, and all in one ``write_prepared``."""
    _, batches = case
    direct, one_by_one, grouped = (secrets.token_hex(8) for _ in range(3))
    for batch in batches:
        store.write_batch(direct, batch)
        store.write_prepared(pickled(prepare_batch(one_by_one, batch)))
    store.write_prepared([pickled(prepare_batch(grouped, batch)) for batch in batches])
    expected = dump_state(store.engine, direct)
    assert dump_state(store.engine, one_by_one) == expected
    assert dump_state(store.engine, grouped) == expected


def test_group_commit_of_several_projects_keeps_them_apart(store: SqlStore) -> None:
    """Batches of two projects, interleaved in one ``write_prepared``, store what each project's
    batches written alone store; a span sent again with new content in a later batch wins."""
    first = translate(
        record(1, 10, name="root", start=0, end=5, session__id="s1", user__id="u1"),
        generation(1, 11, 10, start=1, end=2),
    )
    second = translate(
        record(2, 20, name="other", start=3, end=4, session__id="s2"),
        generation(1, 11, 10, start=1, end=3, input_tokens=99),  # span 11 again, new content
    )
    a, b, a_alone, b_alone = (store.create_project(name).project.id for name in "ab12")
    store.write_prepared(
        [
            pickled(prepare_batch(a, first)),
            pickled(prepare_batch(b, second)),
            pickled(prepare_batch(a, second)),
            pickled(prepare_batch(b, first)),
        ]
    )
    store.write_batch(a_alone, first)
    store.write_batch(a_alone, second)
    store.write_batch(b_alone, second)
    store.write_batch(b_alone, first)
    assert dump_state(store.engine, a) == dump_state(store.engine, a_alone)
    assert dump_state(store.engine, b) == dump_state(store.engine, b_alone)
    assert store.get_observation(a, f"{11:016x}").usage.input == 99
    assert store.get_observation(b, f"{11:016x}").usage.input == 10


def test_nothing_to_write_is_a_no_op(store: SqlStore, project_id: str) -> None:
    store.write_prepared([])
    store.write_prepared(prepare_batch(project_id, []))
    assert store.list_traces(project_id).total == 0
