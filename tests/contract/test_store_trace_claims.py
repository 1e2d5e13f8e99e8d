"""Claims rows (``TRACE_CLAIMS_ID``: a trace's own claims without an observation, as Langfuse's
``trace-create`` sends them), ``get_translation``, and Langfuse's UUID ids, on every store."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from typing import Any

import pytest

from otel_bridge.errors import NotFound
from otel_bridge.model import Observation, ObservationType, Payload, TraceClaims, nanos_to_datetime
from otel_bridge.store import TRACE_CLAIMS_ID, ObservationFilter, SessionFilter, Store
from otel_bridge.translate import Translation
from tests.support.spans import SECOND, T0, generation, record, trace_id, translate
from tests.support.state import dump_state


def claims_row(trace: str, *, at: float = 0.0, **claims: object) -> Translation:
    """A trace's claims row, stamped ``at`` seconds after ``T0``."""
    nanos = T0 + int(at * SECOND)
    moment = nanos_to_datetime(nanos)
    return Translation(
        Observation(
            id=TRACE_CLAIMS_ID,
            trace_id=trace,
            parent_observation_id=None,
            type=ObservationType.SPAN,
            name="",
            start_time=moment,
            end_time=moment,
        ),
        TraceClaims(
            trace_id=trace,
            span_id=TRACE_CLAIMS_ID,
            start_time_unix_nano=nanos,
            end_time_unix_nano=nanos,
            is_root=False,
            span_name="",
            **claims,  # type: ignore[arg-type]
        ),
    )


class TestClaimsRow:
    def test_claims_row_is_no_observation(self, store: Store, project_id: str) -> None:
        """A claims row shapes its trace but is never listed, fetched or counted as an observation."""
        trace = trace_id(1)
        store.write_batch(
            project_id,
            [
                claims_row(trace, session_id="s1", user_id="u", explicit_name="named", at=-1),
                *translate(generation(1, 2, None, start=0, end=2)),
            ],
        )
        detail = store.get_trace(project_id, trace)
        assert [o.id for o in detail.observations] == [f"{2:016x}"]
        assert detail.summary.observation_count == 1
        assert detail.summary.trace.name == "named" and detail.summary.trace.session_id == "s1"
        # The trace starts at the trace-create's timestamp, and ends with its last observation.
        assert detail.summary.trace.timestamp == nanos_to_datetime(T0 - SECOND)
        assert detail.summary.trace.end_time == nanos_to_datetime(T0 + 2 * SECOND)
        listed = store.list_observations(project_id)
        assert [o.id for o in listed.items] == [f"{2:016x}"] and listed.total == 1
        assert store.list_observations(project_id, ObservationFilter(trace_id=trace)).total == 1
        with pytest.raises(NotFound):
            store.get_observation(project_id, TRACE_CLAIMS_ID)
        session = store.list_sessions(project_id, SessionFilter()).items[0]
        assert (session.id, session.trace_count, session.observation_count) == ("s1", 1, 1)

    def test_claims_row_beats_span_claims(self, store: Store, project_id: str) -> None:
        """The claims row's explicit claims win over what any span says, though spans end later."""
        trace = trace_id(1)
        store.write_batch(
            project_id,
            [
                claims_row(trace, session_id="from-trace-create", explicit_input={"q": 1}),
                *translate(
                    record(1, 1, start=0, end=5, attrs={"session.id": "from-span", "input.value": "x"})
                ),
            ],
        )
        resolved = store.get_trace(project_id, trace).summary.trace
        assert resolved.session_id == "from-trace-create"
        assert resolved.input == {"q": 1}
        assert resolved.name == "span-1"  # no explicit name: the root span's

    def test_claims_only_trace(self, store: Store, project_id: str) -> None:
        """A trace with a claims row and no observation yet is listed with no observations."""
        trace = str(uuid.uuid4())
        store.write_batch(project_id, [claims_row(trace, session_id="s", explicit_name="t")])
        detail = store.get_trace(project_id, trace)
        assert detail.observations == () and detail.summary.observation_count == 0
        assert detail.summary.trace.name == "t"

    def test_order_free(self, store: Store, project_id: str) -> None:
        """A claims row and spans give one state whatever their arrival order and batching."""
        trace = trace_id(7)
        items = [
            claims_row(trace, session_id="s", tags=("a",), metadata={"k": 1}, at=0),
            *translate(
                record(7, 1, start=0, end=4, attrs={"user.id": "u"}), generation(7, 2, 1, start=1, end=3)
            ),
        ]
        states: list[dict[str, list[tuple[Any, ...]]]] = []
        for order in itertools.permutations(items):
            other = store.create_project(f"p{len(states)}").project.id
            for item in order:
                store.write_batch(other, [item])
            states.append(dump_state(store, other))
        assert all(state == states[0] for state in states[1:])


class TestGetTranslation:
    def test_reads_back_what_was_written(self, store: Store, project_id: str) -> None:
        """Observation and claims read back as written, payloads as text and content by value."""
        [written] = translate(
            record(3, 4, start=0, end=1, attrs={"session.id": "s", "langfuse.observation.input": '{"a": 1}'})
        )
        store.write_batch(project_id, [written])
        found = store.get_translation(project_id, trace_id(3), f"{4:016x}")
        assert found is not None
        assert isinstance(found.observation.input, Payload)
        assert found.observation.input == written.observation.input
        assert found.claims == written.claims
        assert store.get_translation(project_id, trace_id(3), "nope") is None
        assert store.get_translation(project_id, trace_id(4), f"{4:016x}") is None

    def test_claims_row_round_trip(self, store: Store, project_id: str) -> None:
        """A claims row's claims, inputs included, read back equal."""
        row = claims_row(
            trace_id(5),
            session_id="s",
            explicit_input={"messages": [1, 2]},
            explicit_output="done",
            public=True,
        )
        store.write_batch(project_id, [row])
        found = store.get_translation(project_id, trace_id(5), TRACE_CLAIMS_ID)
        assert found is not None and found.claims == row.claims


class TestLangfuseIds:
    def test_uuid_ids_are_stored_as_given(self, store: Store, project_id: str) -> None:
        """36-character UUID trace and observation ids (Langfuse's SDK) round-trip unchanged."""
        trace, span, parent = (str(uuid.uuid4()) for _ in range(3))
        [root] = translate(record(1, 1, start=0, end=2))
        [child] = translate(record(1, 2, 1, start=0.5, end=1))
        rows = [
            Translation(
                replace(root.observation, id=parent, trace_id=trace),
                replace(root.claims, span_id=parent, trace_id=trace),
            ),
            Translation(
                replace(child.observation, id=span, trace_id=trace, parent_observation_id=parent),
                replace(child.claims, span_id=span, trace_id=trace),
            ),
        ]
        store.write_batch(project_id, rows)
        detail = store.get_trace(project_id, trace)
        assert detail.summary.trace.root_observation_id == parent
        assert [(o.id, o.parent_observation_id) for o in detail.observations] == [
            (parent, None),
            (span, parent),
        ]
        assert store.get_observation(project_id, span).trace_id == trace


class TestLangfuseFilters:
    def test_sessions_by_creation_time(self, store: Store, project_id: str) -> None:
        """``created_from``/``created_to`` compare the first activity alone, in ``[from, to)``."""
        store.write_batch(
            project_id,
            translate(
                record(1, 1, start=0, end=100, attrs={"session.id": "early"}),
                record(2, 2, start=50, end=60, attrs={"session.id": "late"}),
            ),
        )
        ten, fifty = (nanos_to_datetime(T0 + seconds * SECOND) for seconds in (10, 50))
        found = store.list_sessions(project_id, SessionFilter(created_from=ten)).items
        assert [s.id for s in found] == ["late"]
        found = store.list_sessions(project_id, SessionFilter(created_to=fifty)).items
        assert [s.id for s in found] == ["early"]
        # The activity range would include both: "early" is still active at 60.
        assert store.list_sessions(project_id, SessionFilter(from_time=ten)).total == 2

    def test_observations_by_version(self, store: Store, project_id: str) -> None:
        """``version`` selects observations of that version."""
        store.write_batch(
            project_id,
            translate(
                record(1, 1, start=0, end=1, attrs={"langfuse.version": "v2"}),
                record(1, 2, 1, start=0, end=1),
            ),
        )
        found = store.list_observations(project_id, ObservationFilter(version="v2"))
        assert [o.id for o in found.items] == [f"{1:016x}"] and found.total == 1
