"""The ``Store`` contract (docs/architecture.md, "Storage and grouping semantics"), on every store:
in memory, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
from datetime import datetime

import pytest

from otel_bridge.errors import NotFound
from otel_bridge.model import Observation, ObservationLevel, ObservationType, nanos_to_datetime
from otel_bridge.store import ObservationFilter, SessionFilter, Store, TraceFilter
from otel_bridge.translate import Translation
from tests.support.spans import SECOND, T0, generation, record, span_id, trace_id, translate
from tests.support.state import dump_state


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``, as a datetime."""
    return nanos_to_datetime(T0 + int(seconds * SECOND))


def datetime_of_bucket(moment: datetime, bucket_seconds: int) -> datetime:
    """The start of the bucket (counted from the epoch) that holds ``moment``."""
    nanos = int(moment.timestamp()) // bucket_seconds * bucket_seconds * SECOND
    return nanos_to_datetime(nanos)


def without_cost(observation: Observation) -> Observation:
    """Costs are stored as integer nano-dollars: compare them apart, approximately."""
    return dataclasses.replace(observation, cost=None)


def chat_trace(
    n: int, session: str | None, *, start: float, user: str = "u1", **root_attrs: object
) -> list[Translation]:
    """A two-span trace: a root carrying the trace claims and a generation."""
    attrs = {"user.id": user, "input.value": f"question {n}", "output.value": f"answer {n}", **root_attrs}
    if session is not None:
        attrs["session.id"] = session
    return translate(
        record(n, n * 100, name=f"turn-{n}", start=start, end=start + 10, attrs=attrs),
        generation(
            n, n * 100 + 1, n * 100, start=start + 1, end=start + 9, input_tokens=100 * n, output_tokens=n
        ),
    )


class TestRoundTrip:
    def test_observation_reads_back_as_written(self, store: Store, project_id: str) -> None:
        """An observation reads back field for field, inputs, outputs and metadata included."""
        translations = translate(
            record(
                1,
                1,
                start=0,
                end=3,
                attrs={
                    "session.id": "s",
                    "input.value": '{"question": "why?", "n": [1, 2.5, null]}',
                    "input.mime_type": "application/json",
                    "output.value": "because 한글",
                    "app.custom": [1, 2, 3],
                },
            ),
            generation(1, 2, 1, start=1, end=2, input_tokens=1234, output_tokens=56),
        )
        store.write_batch(project_id, translations)
        for t in translations:
            stored = store.get_observation(project_id, t.observation.id)
            assert without_cost(stored) == without_cost(t.observation)
            if t.observation.cost is None:
                assert stored.cost is None
            else:
                assert stored.cost is not None
                assert stored.cost.total == pytest.approx(t.observation.cost.total, abs=1e-9)
                assert stored.cost.computed == t.observation.cost.computed

    def test_trace_is_resolved_from_its_spans(self, store: Store, project_id: str) -> None:
        """The trace takes its name, input and output from the root and its claims by rule 3."""
        store.write_batch(
            project_id, chat_trace(1, "s1", start=0, user="u1", **{"langfuse.trace.tags": ["b", "a"]})
        )
        detail = store.get_trace(project_id, trace_id(1))
        trace = detail.summary.trace
        assert (trace.name, trace.input, trace.output) == ("turn-1", "question 1", "answer 1")
        assert (trace.session_id, trace.user_id, trace.tags) == ("s1", "u1", ("a", "b"))
        assert trace.root_observation_id == span_id(100)
        assert (trace.timestamp, trace.end_time) == (at(0), at(10))
        assert [o.id for o in detail.observations] == [span_id(100), span_id(101)]
        assert detail.summary.observation_count == 2
        assert (detail.summary.input_tokens, detail.summary.output_tokens) == (100, 1)
        assert detail.summary.total_tokens == 101
        assert detail.summary.error_count == 0

    def test_missing_objects_raise_not_found(self, store: Store, project_id: str) -> None:
        """Reads of objects that do not exist raise NotFound."""
        with pytest.raises(NotFound):
            store.get_trace(project_id, trace_id(9))
        with pytest.raises(NotFound):
            store.get_session(project_id, "nope")
        with pytest.raises(NotFound):
            store.get_observation(project_id, span_id(9))
        with pytest.raises(NotFound):
            store.get_project("nope")

    def test_empty_batch_is_a_no_op(self, store: Store, project_id: str) -> None:
        """Writing nothing stores nothing."""
        store.write_batch(project_id, [])
        assert store.list_traces(project_id).total == 0


class TestIdempotence:
    def test_resending_changes_nothing(self, store: Store, project_id: str) -> None:
        """A re-sent batch (an OTLP retry) leaves the stored state as it was."""
        batch = chat_trace(1, "s1", start=0) + chat_trace(2, "s1", start=20)
        store.write_batch(project_id, batch)
        before = dump_state(store, project_id)
        updated = store.get_trace(project_id, trace_id(1)).summary.updated_at
        store.write_batch(project_id, batch)
        store.write_batch(project_id, batch + batch)
        assert dump_state(store, project_id) == before
        assert store.get_trace(project_id, trace_id(1)).summary.updated_at == updated

    def test_new_content_for_a_span_replaces_the_old(self, store: Store, project_id: str) -> None:
        """The same (traceId, spanId) with new content replaces the old: last received wins."""
        store.write_batch(project_id, translate(record(1, 1, name="first", start=0, end=1, session__id="a")))
        store.write_batch(project_id, translate(record(1, 1, name="second", start=0, end=2, session__id="b")))
        detail = store.get_trace(project_id, trace_id(1))
        assert [o.name for o in detail.observations] == ["second"]
        assert detail.summary.trace.session_id == "b"
        assert [s.id for s in store.list_sessions(project_id).items] == ["b"]

    def test_duplicates_within_a_batch_count_once(self, store: Store, project_id: str) -> None:
        """A span repeated inside one batch is one observation; the last copy wins."""
        first = translate(record(1, 1, name="old", start=0, end=1))
        last = translate(record(1, 1, name="new", start=0, end=1))
        store.write_batch(project_id, first + last)
        detail = store.get_trace(project_id, trace_id(1))
        assert [o.name for o in detail.observations] == ["new"]
        assert detail.summary.observation_count == 1


class TestOrderFreeGrouping:
    def test_late_root_moves_the_trace_into_its_session(self, store: Store, project_id: str) -> None:
        """Children claim one session; the root, ending last and arriving last, claims another and wins."""
        store.write_batch(
            project_id,
            translate(
                record(1, 2, 1, start=1, end=2, session__id="child-session"),
                record(1, 3, 2, start=1.5, end=1.8),
            ),
        )
        assert store.get_session(project_id, "child-session").session.trace_count == 1
        store.write_batch(
            project_id, translate(record(1, 1, name="root", start=0, end=3, session__id="root-session"))
        )
        trace = store.get_trace(project_id, trace_id(1)).summary.trace
        assert (trace.session_id, trace.name) == ("root-session", "root")
        assert [s.id for s in store.list_sessions(project_id).items] == ["root-session"]
        with pytest.raises(NotFound):
            store.get_session(project_id, "child-session")
        session = store.get_session(project_id, "root-session").session
        assert (session.trace_count, session.observation_count) == (1, 3)

    def test_session_on_a_late_grandchild_groups_the_trace(self, store: Store, project_id: str) -> None:
        """A trace without a session joins one when a grandchild claiming it arrives later."""
        store.write_batch(
            project_id, translate(record(1, 1, start=0, end=5), record(1, 2, 1, start=1, end=4))
        )
        assert store.list_sessions(project_id).total == 0
        store.write_batch(
            project_id, translate(record(1, 3, 2, start=2, end=3, langfuse__session__id="late"))
        )
        assert store.get_trace(project_id, trace_id(1)).summary.trace.session_id == "late"
        session = store.get_session(project_id, "late").session
        assert (session.trace_count, session.observation_count) == (1, 3)
        assert (session.first_activity, session.last_activity) == (at(0), at(5))

    def test_old_session_totals_are_corrected(self, store: Store, project_id: str) -> None:
        """When a trace leaves a session, the session it leaves loses its totals."""
        store.write_batch(project_id, chat_trace(1, "a", start=0) + chat_trace(2, "a", start=100))
        assert store.get_session(project_id, "a").session.trace_count == 2
        # A later update of trace 2's root (ends later) moves it to session b.
        store.write_batch(project_id, translate(record(2, 299, 200, start=100, end=200, session__id="b")))
        a = store.get_session(project_id, "a").session
        b = store.get_session(project_id, "b").session
        assert (a.trace_count, a.observation_count, a.input_tokens) == (1, 2, 100)
        assert (a.first_activity, a.last_activity) == (at(0), at(10))
        assert (b.trace_count, b.observation_count, b.input_tokens) == (1, 3, 200)

    def test_missing_root_uses_the_earliest_span(self, store: Store, project_id: str) -> None:
        """A trace whose root never arrives is shown with its earliest span as stand-in root."""
        store.write_batch(
            project_id,
            translate(
                record(1, 3, 1, name="later", start=2, end=3),
                record(1, 2, 1, name="earliest", start=1, end=4),
            ),
        )
        trace = store.get_trace(project_id, trace_id(1)).summary.trace
        assert (trace.name, trace.root_observation_id) == ("earliest", span_id(2))

    def test_any_arrival_order_gives_the_same_state(self, store: Store) -> None:
        """Spans written in reverse, one by one, equal the same spans written at once."""
        spans = (
            chat_trace(1, "s", start=0)
            + chat_trace(2, "s", start=30, user="u2")
            + translate(record(1, 150, 100, start=2, end=3, session__id="other"))
        )
        at_once = store.create_project("a").project.id
        one_by_one = store.create_project("b").project.id
        store.write_batch(at_once, spans)
        for span in reversed(spans):
            store.write_batch(one_by_one, [span])
        assert dump_state(store, at_once) == dump_state(store, one_by_one)


class TestSessionAggregates:
    def test_aggregates_cover_every_trace(self, store: Store, project_id: str) -> None:
        """Activity, counts, users, tags, environments, tokens, cost and errors sum over the traces."""
        spans = translate(
            record(1, 1, start=0, end=10, session__id="s", user__id="alice", langfuse__trace__tags=["x"]),
            generation(1, 2, 1, start=1, end=2, input_tokens=100, output_tokens=10, cost=0.25),
            record(2, 3, start=50, end=70, session__id="s", user__id="bob", langfuse__environment="staging"),
            generation(2, 4, 3, start=51, end=60, input_tokens=7, output_tokens=3, cost=0.5, error=True),
            record(3, 5, start=5, end=6, user__id="carol"),  # no session
        )
        store.write_batch(project_id, spans)
        session = store.get_session(project_id, "s").session
        assert (session.first_activity, session.last_activity) == (at(0), at(70))
        assert session.duration_seconds == 70
        assert (session.trace_count, session.observation_count) == (2, 4)
        assert session.user_ids == ("alice", "bob")
        assert session.tags == ("x",)
        assert session.environments == ("default", "staging")
        assert (session.input_tokens, session.output_tokens, session.total_tokens) == (107, 13, 120)
        assert session.total_cost == pytest.approx(0.75)
        assert session.error_count == 1
        assert store.list_sessions(project_id).total == 1

    def test_get_session_pages_traces_in_timestamp_order(self, store: Store, project_id: str) -> None:
        """A session's traces come oldest first, paginated, with the session's trace count as total."""
        for n, start in ((1, 30), (2, 10), (3, 20), (4, 40)):
            store.write_batch(project_id, chat_trace(n, "s", start=start))
        detail = store.get_session(project_id, "s", offset=1, limit=2)
        assert [t.trace.id for t in detail.traces.items] == [trace_id(3), trace_id(1)]
        assert detail.traces.total == 4
        assert detail.traces.items[0].trace.input == "question 3"


class TestListSessions:
    @pytest.fixture
    def sessions(self, store: Store, project_id: str) -> None:
        spans = (
            chat_trace(1, "alpha", start=0, user="ann")
            + chat_trace(2, "alpha", start=100, user="ben", **{"langfuse.trace.tags": ["vip"]})
            + chat_trace(7, "beta", start=50, user="ann", **{"langfuse.environment": "prod"})
            + chat_trace(4, "gamma", start=200, user="cid")
            + chat_trace(5, "gamma", start=210, user="cid")
            + chat_trace(6, "gamma", start=220, user="cid")
        )
        store.write_batch(project_id, spans)

    def ids(
        self, store: Store, project_id: str, filter: SessionFilter | None = None, **kw: object
    ) -> list[str]:
        return [s.id for s in store.list_sessions(project_id, filter or SessionFilter(), **kw).items]  # type: ignore[arg-type]

    @pytest.mark.usefixtures("sessions")
    def test_sorts(self, store: Store, project_id: str) -> None:
        """Sessions sort by last activity (default, newest first), creation, trace count, duration,
        tokens and cost."""
        assert self.ids(store, project_id) == ["gamma", "alpha", "beta"]
        assert self.ids(store, project_id, descending=False) == ["beta", "alpha", "gamma"]
        assert self.ids(store, project_id, order_by="created") == ["gamma", "beta", "alpha"]
        assert self.ids(store, project_id, order_by="trace_count") == ["gamma", "alpha", "beta"]
        assert self.ids(store, project_id, order_by="duration") == ["alpha", "gamma", "beta"]
        assert self.ids(store, project_id, order_by="tokens") == ["gamma", "beta", "alpha"]
        assert self.ids(store, project_id, order_by="cost") == ["gamma", "beta", "alpha"]

    @pytest.mark.usefixtures("sessions")
    def test_filters(self, store: Store, project_id: str) -> None:
        """Filters by time range, user, environment, tag, id prefix, trace count and cost combine."""
        assert self.ids(store, project_id, SessionFilter(user_id="ann")) == ["alpha", "beta"]
        assert self.ids(store, project_id, SessionFilter(environments=("prod",))) == ["beta"]
        assert self.ids(store, project_id, SessionFilter(environments=("prod", "default"))) == [
            "gamma",
            "alpha",
            "beta",
        ]
        assert self.ids(store, project_id, SessionFilter(tag="vip")) == ["alpha"]
        assert self.ids(store, project_id, SessionFilter(id_prefix="g")) == ["gamma"]
        assert self.ids(store, project_id, SessionFilter(id_prefix="G")) == []
        assert self.ids(store, project_id, SessionFilter(min_trace_count=2)) == ["gamma", "alpha"]
        assert self.ids(store, project_id, SessionFilter(from_time=at(105))) == ["gamma", "alpha"]
        assert self.ids(store, project_id, SessionFilter(to_time=at(50))) == ["alpha"]
        assert self.ids(store, project_id, SessionFilter(from_time=at(61), to_time=at(150))) == ["alpha"]
        costs = {s.id: s.total_cost for s in store.list_sessions(project_id).items}
        assert costs["gamma"] > costs["beta"] > costs["alpha"] > 0
        assert self.ids(store, project_id, SessionFilter(min_cost=costs["beta"])) == ["gamma", "beta"]
        assert self.ids(store, project_id, SessionFilter(max_cost=costs["beta"])) == ["alpha", "beta"]
        assert self.ids(store, project_id, SessionFilter(user_id="ann", min_trace_count=2)) == ["alpha"]

    @pytest.mark.usefixtures("sessions")
    def test_sorts_by_every_column(self, store: Store, project_id: str) -> None:
        """The Sessions view's other columns sort too: label lists by their sorted JSON text (so
        ``["ann","ben"]`` before ``["ann"]``, unlike tuples), ids by code point."""
        assert self.ids(store, project_id, order_by="id", descending=False) == ["alpha", "beta", "gamma"]
        assert self.ids(store, project_id, order_by="observation_count") == ["gamma", "alpha", "beta"]
        assert self.ids(store, project_id, order_by="input_tokens") == ["gamma", "beta", "alpha"]
        assert self.ids(store, project_id, order_by="output_tokens", descending=False) == [
            "alpha",
            "beta",
            "gamma",
        ]
        assert self.ids(store, project_id, order_by="user_ids", descending=False) == [
            "alpha",
            "beta",
            "gamma",
        ]
        assert self.ids(store, project_id, order_by="environments", descending=False) == [
            "alpha",
            "gamma",
            "beta",
        ]
        assert self.ids(store, project_id, order_by="tags") == ["gamma", "beta", "alpha"]
        store.write_batch(
            project_id, translate(record(9, 900, start=5, end=6, session__id="Zeta", error=True))
        )
        assert self.ids(store, project_id, order_by="error_count")[0] == "Zeta"
        assert self.ids(store, project_id, order_by="id", descending=False)[0] == "Zeta"

    @pytest.mark.usefixtures("sessions")
    def test_filters_by_substring_and_errors(self, store: Store, project_id: str) -> None:
        """``id_contains`` is a case-sensitive substring; ``has_errors`` splits by the error count."""
        store.write_batch(
            project_id, translate(record(9, 900, start=5, end=6, session__id="a%_b", error=True))
        )
        assert self.ids(store, project_id, SessionFilter(id_contains="amm")) == ["gamma"]
        assert self.ids(store, project_id, SessionFilter(id_contains="a")) == [
            "gamma",
            "alpha",
            "beta",
            "a%_b",
        ]
        assert self.ids(store, project_id, SessionFilter(id_contains="AMM")) == []
        assert self.ids(store, project_id, SessionFilter(id_contains="%_")) == ["a%_b"]
        assert self.ids(store, project_id, SessionFilter(has_errors=True)) == ["a%_b"]
        assert self.ids(store, project_id, SessionFilter(has_errors=False)) == ["gamma", "alpha", "beta"]
        assert self.ids(store, project_id, SessionFilter(has_errors=True, id_contains="z")) == []

    @pytest.mark.usefixtures("sessions")
    def test_activity_buckets_sum_the_filtered_sessions(self, store: Store, project_id: str) -> None:
        """Buckets of first activity, oldest first, each with its sessions' traces, tokens and cost;
        empty buckets are left out; the filter applies."""
        costs = {s.id: s.total_cost for s in store.list_sessions(project_id).items}
        buckets = store.session_activity(project_id, bucket_seconds=100)
        origin = datetime_of_bucket(at(0), 100)
        assert [(b.start - origin).total_seconds() for b in buckets] == [0, 200]
        first, last = buckets
        assert (first.sessions, first.traces, first.input_tokens, first.output_tokens) == (2, 3, 1000, 10)
        assert first.total_tokens == 1010
        assert first.total_cost == pytest.approx(costs["alpha"] + costs["beta"], abs=1e-9)
        assert (last.sessions, last.traces, last.total_tokens) == (1, 3, 1515)
        one = store.session_activity(project_id, SessionFilter(user_id="cid"), bucket_seconds=86400)
        assert [(b.sessions, b.traces) for b in one] == [(1, 3)]
        assert store.session_activity(project_id, SessionFilter(user_id="nobody")) == ()

    @pytest.mark.usefixtures("sessions")
    def test_bookmarks(self, store: Store, project_id: str) -> None:
        """A bookmark is set and removed idempotently, filters the listing, is the project's own,
        and needs the session to exist."""
        store.set_bookmark(project_id, "beta", True)
        store.set_bookmark(project_id, "beta", True)
        store.set_bookmark(project_id, "gamma", True)
        assert store.bookmarked_sessions(project_id, ["alpha", "beta", "gamma", "x"]) == {"beta", "gamma"}
        assert self.ids(store, project_id, SessionFilter(bookmarked=True)) == ["gamma", "beta"]
        assert self.ids(store, project_id, SessionFilter(bookmarked=False)) == ["alpha"]
        marked = store.session_activity(project_id, SessionFilter(bookmarked=True), bucket_seconds=100)
        assert [b.sessions for b in marked] == [1, 1]
        store.set_bookmark(project_id, "gamma", False)
        store.set_bookmark(project_id, "gamma", False)
        assert store.bookmarked_sessions(project_id, ["gamma", "beta"]) == {"beta"}
        assert store.bookmarked_sessions(project_id, []) == frozenset()
        other = store.create_project("other").project.id
        assert store.bookmarked_sessions(other, ["beta"]) == frozenset()
        assert store.list_sessions(other, SessionFilter(bookmarked=True)).total == 0
        with pytest.raises(NotFound):
            store.set_bookmark(other, "beta", True)
        with pytest.raises(NotFound):
            store.set_bookmark(project_id, "nope", True)

    @pytest.mark.usefixtures("sessions")
    def test_paginates_with_total(self, store: Store, project_id: str) -> None:
        """Offset pagination reports the total of the whole listing on every page."""
        first = store.list_sessions(project_id, limit=2)
        second = store.list_sessions(project_id, offset=2, limit=2)
        beyond = store.list_sessions(project_id, offset=5, limit=2)
        assert ([s.id for s in first.items], first.total) == (["gamma", "alpha"], 3)
        assert ([s.id for s in second.items], second.total) == (["beta"], 3)
        assert (beyond.items, beyond.total) == ((), 3)
        assert store.list_sessions(project_id, SessionFilter(user_id="nobody")).total == 0


class TestListTraces:
    @pytest.fixture
    def traces(self, store: Store, project_id: str) -> None:
        store.write_batch(
            project_id,
            chat_trace(
                1, "s1", start=0, user="ann", **{"langfuse.trace.tags": ["a", "b"], "langfuse.release": "r1"}
            )
            + chat_trace(
                2, "s1", start=10, user="ben", **{"langfuse.trace.tags": ["a"], "langfuse.version": "v2"}
            )
            + chat_trace(3, "s2", start=20, user="ann", **{"langfuse.environment": "prod"})
            + chat_trace(4, None, start=30, user="cid", **{"langfuse.trace.name": "special"}),
        )

    def ids(
        self, store: Store, project_id: str, filter: TraceFilter | None = None, **kw: object
    ) -> list[int]:
        page = store.list_traces(project_id, filter or TraceFilter(), **kw)  # type: ignore[arg-type]
        return [int(t.trace.id, 16) for t in page.items]

    @pytest.mark.usefixtures("traces")
    def test_langfuse_filters(self, store: Store, project_id: str) -> None:
        """sessionId, userId, name, tags (all must match), time range, environment, release, version."""
        assert self.ids(store, project_id) == [4, 3, 2, 1]
        assert self.ids(store, project_id, TraceFilter(session_id="s1")) == [2, 1]
        assert self.ids(store, project_id, TraceFilter(user_id="ann")) == [3, 1]
        assert self.ids(store, project_id, TraceFilter(name="special")) == [4]
        assert self.ids(store, project_id, TraceFilter(tags=("a",))) == [2, 1]
        assert self.ids(store, project_id, TraceFilter(tags=("a", "b"))) == [1]
        assert self.ids(store, project_id, TraceFilter(tags=("b", "c"))) == []
        assert self.ids(store, project_id, TraceFilter(from_timestamp=at(10), to_timestamp=at(30))) == [3, 2]
        assert self.ids(store, project_id, TraceFilter(environments=("prod",))) == [3]
        assert self.ids(store, project_id, TraceFilter(release="r1")) == [1]
        assert self.ids(store, project_id, TraceFilter(version="v2")) == [2]
        assert self.ids(store, project_id, TraceFilter(user_id="ann", session_id="s2")) == [3]
        assert self.ids(store, project_id, TraceFilter(ids=(trace_id(1), trace_id(4), "none"))) == [4, 1]

    @pytest.mark.usefixtures("traces")
    def test_error_filter(self, store: Store, project_id: str) -> None:
        """``has_errors`` splits traces by whether an observation is at level ERROR."""
        store.write_batch(project_id, translate(record(5, 500, start=40, end=41, error=True)))
        assert self.ids(store, project_id, TraceFilter(has_errors=True)) == [5]
        assert self.ids(store, project_id, TraceFilter(has_errors=False)) == [4, 3, 2, 1]
        assert self.ids(store, project_id, TraceFilter(has_errors=True, user_id="ann")) == []

    @pytest.mark.usefixtures("traces")
    def test_order_by_and_pages(self, store: Store, project_id: str) -> None:
        """orderBy picks the field and direction; pages carry the total."""
        assert self.ids(store, project_id, descending=False) == [1, 2, 3, 4]
        assert self.ids(store, project_id, order_by="user_id", descending=False) == [1, 3, 2, 4]
        assert self.ids(store, project_id, order_by="name", descending=False) == [4, 1, 2, 3]
        page = store.list_traces(project_id, offset=1, limit=2)
        assert ([int(t.trace.id, 16) for t in page.items], page.total) == ([3, 2], 4)
        summary = store.list_traces(project_id, TraceFilter(user_id="cid")).items[0]
        assert summary.trace.name == "special"
        assert summary.trace.input == "question 4"
        assert summary.observation_count == 2
        assert summary.total_cost is not None and summary.total_cost > 0


class TestListObservations:
    def test_filters_and_order(self, store: Store, project_id: str) -> None:
        """Observations filter by trace, type, name, level, time and user; newest first, trace order
        when filtered by trace."""
        store.write_batch(
            project_id,
            chat_trace(1, "s", start=0, user="ann")
            + chat_trace(2, "s", start=100, user="ben")
            + translate(record(2, 250, 200, name="oops", start=105, end=106, error=True)),
        )
        page = store.list_observations(project_id)
        assert page.total == 5
        assert [o.start_time for o in page.items] == sorted((o.start_time for o in page.items), reverse=True)
        by_trace = store.list_observations(project_id, ObservationFilter(trace_id=trace_id(2)))
        assert [o.id for o in by_trace.items] == [span_id(200), span_id(201), span_id(250)]
        generations = store.list_observations(project_id, ObservationFilter(type=ObservationType.GENERATION))
        assert {o.id for o in generations.items} == {span_id(101), span_id(201)}
        assert store.list_observations(project_id, ObservationFilter(name="oops")).items[0].id == span_id(250)
        errors = store.list_observations(project_id, ObservationFilter(level=ObservationLevel.ERROR))
        assert [o.id for o in errors.items] == [span_id(250)]
        window = ObservationFilter(from_start_time=at(1), to_start_time=at(101))
        assert [o.id for o in store.list_observations(project_id, window).items] == [
            span_id(200),
            span_id(101),
        ]
        anns = store.list_observations(project_id, ObservationFilter(user_id="ann"))
        assert {o.trace_id for o in anns.items} == {trace_id(1)}
        children = store.list_observations(project_id, ObservationFilter(parent_observation_id=span_id(200)))
        assert {o.id for o in children.items} == {span_id(201), span_id(250)}
        paged = store.list_observations(project_id, offset=4, limit=2)
        assert (len(paged.items), paged.total) == (1, 5)
        store.write_batch(project_id, chat_trace(3, "other", start=200))
        in_session = store.list_observations(project_id, ObservationFilter(session_id="s"))
        assert {o.trace_id for o in in_session.items} == {trace_id(1), trace_id(2)}
        roots = store.list_observations(project_id, ObservationFilter(is_root=True, session_id="s"))
        assert [o.id for o in roots.items] == [span_id(200), span_id(100)]
        not_roots = store.list_observations(
            project_id, ObservationFilter(is_root=False, trace_id=trace_id(2))
        )
        assert [o.id for o in not_roots.items] == [span_id(201), span_id(250)]
        assert store.get_trace(project_id, trace_id(2)).summary.error_count == 1


class TestProjects:
    def test_every_read_is_scoped_by_project(self, store: Store, project_id: str) -> None:
        """A project never sees another project's traces, sessions or observations."""
        other = store.create_project("other").project.id
        store.write_batch(project_id, chat_trace(1, "s", start=0))
        assert store.list_traces(other).total == 0
        assert store.list_sessions(other).total == 0
        assert store.list_observations(other).total == 0
        with pytest.raises(NotFound):
            store.get_trace(other, trace_id(1))
        with pytest.raises(NotFound):
            store.get_observation(other, span_id(100))
        store.write_batch(other, chat_trace(1, "s", start=5))
        assert store.get_trace(project_id, trace_id(1)).summary.trace.timestamp == at(0)
        assert store.get_trace(other, trace_id(1)).summary.trace.timestamp == at(5)

    def test_key_pairs_authenticate(self, store: Store) -> None:
        """A key pair, or the secret alone (bearer), finds its project; anything else does not."""
        keys = store.create_project("p")
        assert keys.public_key.startswith("pk-lf-") and keys.secret_key.startswith("sk-lf-")
        assert store.authenticate(keys.public_key, keys.secret_key) == keys.project
        assert store.authenticate_secret(keys.secret_key) == keys.project
        assert store.authenticate(keys.public_key, keys.secret_key + "x") is None
        assert store.authenticate("pk-lf-unknown", keys.secret_key) is None
        assert store.authenticate_secret("sk-lf-unknown") is None
        assert store.get_project(keys.project.id) == keys.project
        assert store.find_project("p") == keys.project

    def test_keys_are_unique_and_replaceable(self, store: Store) -> None:
        """A key in use cannot be given to a second project; a project's keys can be replaced."""
        keys = store.create_project("p", public_key="pk-lf-1", secret_key="sk-lf-1")
        with pytest.raises(ValueError):
            store.create_project("q", public_key="pk-lf-1")
        store.set_project_keys(keys.project.id, "pk-lf-2", "sk-lf-2")
        assert store.authenticate("pk-lf-1", "sk-lf-1") is None
        assert store.authenticate("pk-lf-2", "sk-lf-2") is not None
        with pytest.raises(NotFound):
            store.set_project_keys("nope", "pk-lf-3", "sk-lf-3")

    def test_projects_are_listed_oldest_first(self, store: Store) -> None:
        """``list_projects`` gives every project with its current public key, oldest first."""
        before = list(store.list_projects())  # the fixture's own project, if any
        first = store.create_project("first")
        second = store.create_project("second")
        store.set_project_keys(first.project.id, "pk-lf-new", "sk-lf-new")
        listed = list(store.list_projects())
        assert listed[: len(before)] == before
        assert [(p.name, p.public_key) for p in listed[len(before) :]] == [
            ("first", "pk-lf-new"),
            ("second", second.public_key),
        ]


def test_times_keep_nanosecond_order(store: Store, project_id: str) -> None:
    """Rule 3 ties are broken on exact nanosecond ends, which datetimes would round away."""
    base = T0 + 5 * SECOND
    # Rounded to microseconds the ends would tie, and the larger span id (2) would win.
    exact = dataclasses.replace(
        record(1, 1, start=0, end=1, session__id="exact"), end_time_unix_nano=base + 2
    )
    rounded = dataclasses.replace(
        record(1, 2, 1, start=0, end=1, session__id="rounded"), end_time_unix_nano=base + 1
    )
    store.write_batch(project_id, translate(rounded))
    store.write_batch(project_id, translate(exact))
    assert store.get_trace(project_id, trace_id(1)).summary.trace.session_id == "exact"


class TestConcurrentWriters:
    def test_writers_sharing_traces_agree_with_one_writer(self, store: Store) -> None:
        """Two writers (replicas) storing spans of the same traces and sessions at once end in the
        state one writer would reach: trace and session recomputation is serialized per trace."""
        spans = []
        for n in range(1, 9):
            session = f"s{n % 3}"
            spans += translate(
                record(n, n * 10, name="root", start=n, end=n + 5, session__id=session, user__id=f"u{n}"),
                *(generation(n, n * 10 + k, n * 10, start=n + 1, end=n + 2) for k in range(1, 6)),
                record(n, n * 10 + 9, n * 10 + 1, start=n + 1, end=n + 1.5, session__id="late"),
            )
        reference = store.create_project("reference").project.id
        store.write_batch(reference, spans)
        shared = store.create_project("shared").project.id
        halves = [spans[0::2], spans[1::2]]
        errors: list[BaseException] = []

        def write(half: list[Translation]) -> None:
            try:
                for start in range(0, len(half), 3):
                    store.write_batch(shared, half[start : start + 3])
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        threads = [threading.Thread(target=write, args=(half,)) for half in halves]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert dump_state(store, shared) == dump_state(store, reference)
