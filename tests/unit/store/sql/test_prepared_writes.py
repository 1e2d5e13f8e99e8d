"""``preparer.prepare`` then ``write_prepared``: the two halves of ``write_batch``, which ingest runs in
two processes. A prepared write that went through pickle stores exactly the rows ``write_batch``
stores, alone or with others in one transaction (ingest's group commit), on SQLite and PostgreSQL."""

from __future__ import annotations

import pickle
import secrets

from hypothesis import given, settings

from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.prepare import SqlPreparedWrite
from otel_bridge.translate import Translation
from tests.contract.test_store_properties import STORE_EXAMPLES, an_arrival
from tests.support.spans import generation, record, translate
from tests.support.state import dump_state


def pickled(prepared: SqlPreparedWrite) -> SqlPreparedWrite:
    """``prepared`` as a writer process receives it."""
    loaded: SqlPreparedWrite = pickle.loads(pickle.dumps(prepared, protocol=5))
    return loaded


@settings(STORE_EXAMPLES, max_examples=50)
@given(case=an_arrival())
def test_pickled_prepared_writes_store_what_write_batch_stores(
    sql_store: SqlStore, case: tuple[list[Translation], list[list[Translation]]]
) -> None:
    """Random traces in random batches (spans repeated, traces split across batches): written through
    ``write_batch``, through pickled prepared writes one by one, and all in one ``write_prepared``."""
    _, batches = case
    prepare = sql_store.preparer.prepare
    direct, one_by_one, grouped = (secrets.token_hex(8) for _ in range(3))
    for batch in batches:
        sql_store.write_batch(direct, batch)
        sql_store.write_prepared([pickled(prepare(one_by_one, batch))])
    sql_store.write_prepared([pickled(prepare(grouped, batch)) for batch in batches])
    expected = dump_state(sql_store, direct)
    assert dump_state(sql_store, one_by_one) == expected
    assert dump_state(sql_store, grouped) == expected


def test_group_commit_of_several_projects_keeps_them_apart(sql_store: SqlStore) -> None:
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
    a, b, a_alone, b_alone = (sql_store.create_project(name).project.id for name in "ab12")
    prepare = sql_store.preparer.prepare
    sql_store.write_prepared(
        [
            pickled(prepare(a, first)),
            pickled(prepare(b, second)),
            pickled(prepare(a, second)),
            pickled(prepare(b, first)),
        ]
    )
    sql_store.write_batch(a_alone, first)
    sql_store.write_batch(a_alone, second)
    sql_store.write_batch(b_alone, second)
    sql_store.write_batch(b_alone, first)
    assert dump_state(sql_store, a) == dump_state(sql_store, a_alone)
    assert dump_state(sql_store, b) == dump_state(sql_store, b_alone)
    assert sql_store.get_observation(a, f"{11:016x}").usage.input == 99
    assert sql_store.get_observation(b, f"{11:016x}").usage.input == 10


def test_nothing_to_write_is_a_no_op(sql_store: SqlStore) -> None:
    project_id = sql_store.create_project("p").project.id
    sql_store.write_prepared([])
    sql_store.write_prepared([sql_store.preparer.prepare(project_id, [])])
    assert sql_store.list_traces(project_id).total == 0
