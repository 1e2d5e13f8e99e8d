"""The resource serializers: Langfuse's field names and shapes from model values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from starlette.datastructures import QueryParams

from otel_bridge.api.observations import serialize_observation
from otel_bridge.api.params import InvalidQuery, Query
from otel_bridge.api.sessions import all_traces, serialize_session
from otel_bridge.api.traces import DETAIL_PARAMETERS, LIST_PARAMETERS, field_groups, order, serialize_trace
from otel_bridge.model import Cost, Observation, ObservationType, Payload, Session, Trace, Usage
from otel_bridge.model.langfuse_wire import cost_details, usage_details
from otel_bridge.store import Page, SessionDetail, TraceSummary

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def observation(**fields: object) -> Observation:
    base: dict[str, object] = dict(
        id="o",
        trace_id="t",
        parent_observation_id=None,
        type=ObservationType.GENERATION,
        name="llm",
        start_time=T0,
        end_time=T0 + timedelta(seconds=2),
    )
    base.update(fields)
    return Observation(**base)  # type: ignore[arg-type]


def summary(trace_id: str = "t", **fields: object) -> TraceSummary:
    trace = Trace(
        id=trace_id, timestamp=T0, end_time=T0 + timedelta(seconds=3), name="n", root_observation_id="o"
    )
    return TraceSummary(trace, 1, 0, 0, 0, None, 0, T0)


class TestObservationView:
    def test_usage_and_cost_maps(self) -> None:
        """usageDetails names cached and reasoning tokens as Langfuse does; costDetails lists known parts."""
        o = observation(
            usage=Usage(input=10, output=5, total=15, cached=4, reasoning=2, details={"audio": 1}),
            cost=Cost(input=0.1, output=None, total=0.3),
        )
        assert usage_details(o.usage) == {
            "input": 10,
            "output": 5,
            "total": 15,
            "input_cached_tokens": 4,
            "output_reasoning_tokens": 2,
            "audio": 1,
        }
        assert cost_details(o.cost) == {"input": 0.1, "total": 0.3}
        view = serialize_observation(o)
        assert view["usage"] == {
            "input": 10,
            "output": 5,
            "total": 15,
            "unit": "TOKENS",
            "inputCost": 0.1,
            "outputCost": None,
            "totalCost": 0.3,
        }
        assert view["calculatedTotalCost"] == 0.3 and view["latency"] == 2.0

    def test_no_usage(self) -> None:
        """Without usage: empty maps, a null unit, and null time to first token."""
        view = serialize_observation(observation())
        assert view["usageDetails"] == {} and view["costDetails"] == {}
        assert view["usage"]["unit"] is None and view["timeToFirstToken"] is None

    def test_payloads_are_resolved(self) -> None:
        """Inputs kept as JSON text are served parsed."""
        view = serialize_observation(
            observation(input=Payload('{"a": [1]}'), completion_start_time=T0 + timedelta(seconds=1))
        )
        assert view["input"] == {"a": [1]} and view["timeToFirstToken"] == 1.0


class TestSessionView:
    def test_fields(self) -> None:
        """Langfuse's four fields plus the aggregates, camelCase."""
        session = Session(
            "s", T0, T0 + timedelta(seconds=90), trace_count=2, user_ids=("u",), environments=("dev", "prod")
        )
        view = serialize_session(session, "p")
        assert (view["id"], view["createdAt"], view["projectId"], view["environment"]) == (
            "s",
            "2025-01-01T00:00:00.000000Z",
            "p",
            "dev",
        )
        assert view["durationSeconds"] == 90.0 and view["traceCount"] == 2 and view["userIds"] == ["u"]

    def test_all_traces_reads_every_page(self) -> None:
        """A session's traces are read page by page until all are there."""

        class Paged:
            def __init__(self) -> None:
                self.calls: list[int] = []

            def get_session(
                self, project_id: str, session_id: str, *, offset: int, limit: int
            ) -> SessionDetail:
                self.calls.append(offset)
                items = tuple(summary(f"t{i}") for i in range(offset, min(offset + limit, 1200)))
                return SessionDetail(Session("s", T0, T0, trace_count=1200), Page(items, 1200))

        store = Paged()
        session, traces = all_traces(store, "p", "s")  # type: ignore[arg-type]
        assert len(traces) == 1200 and store.calls == [0, 500, 1000]
        assert traces[0].trace.id == "t0" and session.id == "s"


class TestTraceView:
    def test_io_excluded(self) -> None:
        """Without the io group, input, output and metadata are null."""
        view = serialize_trace(summary(), "p", io=False)
        assert view["input"] is None and view["metadata"] is None and view["tags"] == []

    def test_fields_parameter(self) -> None:
        """``fields`` always includes core and refuses unknown groups."""
        assert field_groups(Query(QueryParams("fields=io"), DETAIL_PARAMETERS)) == {"core", "io"}
        assert "observations" in field_groups(Query(QueryParams(""), DETAIL_PARAMETERS))
        with pytest.raises(InvalidQuery, match="fields must be"):
            field_groups(Query(QueryParams("fields=io,cost"), DETAIL_PARAMETERS))

    def test_order_by(self) -> None:
        """``orderBy`` is ``field.direction`` over Langfuse's fields."""
        assert order(Query(QueryParams("orderBy=userId.asc"), LIST_PARAMETERS)) == ("user_id", False)
        assert order(Query(QueryParams(""), LIST_PARAMETERS)) == ("timestamp", True)
        with pytest.raises(InvalidQuery, match="orderBy must be"):
            order(Query(QueryParams("orderBy=timestamp"), LIST_PARAMETERS))
