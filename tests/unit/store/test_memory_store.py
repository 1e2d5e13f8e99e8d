"""``InMemoryStore`` beside the SQL store: the same spans read back as the same values, whatever the
values (the contract suite checks both against expectations; this checks them against each other),
and the filter tables of both stores cover every field of every filter."""

from __future__ import annotations

import dataclasses

import pytest

from otel_bridge.model import Payload
from otel_bridge.store import ObservationFilter, SessionFilter, TraceFilter
from otel_bridge.store.memory import InMemoryStore
from otel_bridge.store.memory.filters import OBSERVATION_TESTS, SESSION_TESTS, TRACE_TESTS
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.filters import OBSERVATION_CLAUSES, SESSION_CLAUSES, TRACE_CLAUSES
from otel_bridge.translate import Translation
from tests.bench.bench_store import LlmTraffic
from tests.support.spans import generation, record, translate
from tests.support.state import read_state


def unusual_values() -> list[Translation]:
    """Values that storing changes: bytes, tuples, sets, an empty mapping, a nested payload, a lone
    surrogate, a cost in fractions of a nano-dollar."""
    [root, child] = translate(
        record(
            1,
            1,
            start=0,
            end=3,
            attrs={
                "session.id": "s",
                "app.bytes": b"\x00\xff",
                "app.list": ("a", 1, 2.5),
                "input.value": "caf\udce9",
                "output.value": '{"a": [1, 2], "b": "caf\udce9"}',
                "output.mime_type": "application/json",
            },
        ),
        generation(1, 2, 1, start=1, end=2, input_tokens=7, output_tokens=3, cost=0.1234567891234),
    )
    child = dataclasses.replace(
        child,
        observation=dataclasses.replace(
            child.observation,
            metadata={
                **child.observation.metadata,
                "nested": Payload('{"x": 1}'),
                "set": frozenset({"b", "a"}),
            },
            model_parameters={},
        ),
    )
    return [root, child]


def test_reads_back_what_the_sql_store_reads_back(sql_store: SqlStore) -> None:
    """LLM traffic (payloads, resource metadata, costs, errors, sessions) and unusual values read back
    from the in-memory store as they do from the SQL store."""
    memory = InMemoryStore()
    traffic = LlmTraffic(n_sessions=4, traces_per_session=3)
    batches = [*traffic.batches(300), unusual_values()]
    for store in (sql_store, memory):
        for batch in batches:
            store.write_batch("p", batch)
    assert read_state(memory, "p") == read_state(sql_store, "p")


@pytest.mark.parametrize(
    ("filter_type", "tables"),
    [
        (SessionFilter, (SESSION_CLAUSES, SESSION_TESTS)),
        (TraceFilter, (TRACE_CLAUSES, TRACE_TESTS)),
        (ObservationFilter, (OBSERVATION_CLAUSES, OBSERVATION_TESTS)),
    ],
)
def test_every_filter_field_has_a_clause_and_a_test(
    filter_type: type, tables: tuple[dict[str, object], ...]
) -> None:
    """No filter field is silently ignored by either store."""
    fields = {field.name for field in dataclasses.fields(filter_type)}
    for table in tables:
        assert set(table) == fields
