"""Trace resolution: claims from any span, the same Trace whatever the arrival order."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from otel_bridge.model import SpanRecord, Trace
from otel_bridge.translate import resolve_trace, translate_spans
from otel_bridge.translate.precedence import SESSION_ID_KEYS, USER_ID_KEYS
from tests.support.spans import record

TRACE = "0af7651916cd43dd8448eb211c80319c"


def span(
    span_id: str, parent: str | None, start: int, end: int, trace_id: str = TRACE, /, **attributes: object
) -> SpanRecord:
    """A span named after its id's last two digits, times in seconds since the epoch, with
    ``attributes``; every parameter before them is positional, so that no attribute name can bind to one."""
    name = f"span-{span_id[-2:]}"
    return record(trace_id, span_id, parent, name=name, start=start, end=end, origin=0, attrs=attributes)


def resolve(records: list[SpanRecord]) -> Trace:
    return resolve_trace(t.claims for t in translate_spans(records))


class TestResolveTrace:
    def test_session_on_grandchild_only_groups_whole_trace(self) -> None:
        """A session id present only on a grandchild span puts the whole trace in that session."""
        records = [
            span("00000000000000a1", None, 0, 10),
            span("00000000000000b1", "00000000000000a1", 1, 9),
            span("00000000000000c1", "00000000000000b1", 2, 3, **{"session.id": "chat-42"}),
        ]
        for order in (records, records[::-1], [records[2], records[0], records[1]]):
            trace = resolve(list(order))
            assert trace.session_id == "chat-42"
            assert trace.root_observation_id == "00000000000000a1"
            assert trace.name == "span-a1"

    def test_conflicting_sessions_last_ended_wins(self) -> None:
        """Spans disagreeing on the session: the span that ended last wins, in every order."""
        records = [
            span("00000000000000a1", None, 0, 10, **{"session.id": "from-root"}),
            span("00000000000000b1", "00000000000000a1", 1, 9, **{"session.id": "from-child"}),
            span("00000000000000c1", "00000000000000b1", 2, 3, **{"gen_ai.conversation.id": "from-leaf"}),
        ]
        for _ in range(10):
            random.shuffle(records)
            assert resolve(records).session_id == "from-root"

    def test_equal_end_times_larger_span_id_wins(self) -> None:
        """Ties on end time are broken by the larger span id."""
        records = [
            span("00000000000000a1", None, 0, 10),
            span("00000000000000b1", "00000000000000a1", 1, 5, **{"user.id": "u-small"}),
            span("00000000000000b2", "00000000000000a1", 1, 5, **{"user.id": "u-large"}),
        ]
        assert resolve(records).user_id == "u-large"
        assert resolve(records[::-1]).user_id == "u-large"

    def test_missing_root_uses_earliest_span(self) -> None:
        """A trace whose root never arrived takes its earliest span as stand-in root."""
        records = [
            span("00000000000000b1", "00000000000000a1", 3, 9),
            span("00000000000000b2", "00000000000000a1", 1, 4),
        ]
        trace = resolve(records)
        assert trace.root_observation_id == "00000000000000b2"
        assert trace.name == "span-b2"
        assert trace.timestamp.timestamp() == 1

    def test_explicit_trace_name_beats_root_name(self) -> None:
        """``langfuse.trace.name`` on any span beats the root span's name."""
        records = [
            span("00000000000000a1", None, 0, 10),
            span("00000000000000b1", "00000000000000a1", 1, 2, **{"langfuse.trace.name": "checkout"}),
        ]
        assert resolve(records).name == "checkout"

    def test_tags_are_the_union_of_all_spans(self) -> None:
        """Tags from every span are merged and sorted."""
        records = [
            span("00000000000000a1", None, 0, 10, **{"langfuse.trace.tags": ["b", "a"]}),
            span("00000000000000b1", "00000000000000a1", 1, 2, **{"tag.tags": ["c", "a"]}),
        ]
        assert resolve(records).tags == ("a", "b", "c")

    def test_trace_times_span_all_spans(self) -> None:
        """The trace starts at its earliest span and ends at its latest."""
        records = [span("00000000000000a1", None, 5, 10), span("00000000000000b1", "00000000000000a1", 2, 30)]
        trace = resolve(records)
        assert (trace.timestamp.timestamp(), trace.end_time.timestamp()) == (2, 30)


@st.composite
def traces(draw: st.DrawFn) -> list[SpanRecord]:
    """Random traces: random trees, session and user claims under random keys on random spans,
    roots sometimes missing."""
    records: list[SpanRecord] = []
    for t in range(draw(st.integers(1, 3))):
        trace_id = f"{t + 1:032x}"
        count = draw(st.integers(1, 7))
        ids = [f"{t + 1:08x}{i + 1:08x}" for i in range(count)]
        drop_root = draw(st.booleans())
        for i, span_id in enumerate(ids):
            if i == 0 and drop_root and count > 1:
                continue
            parent = None if i == 0 else ids[draw(st.integers(0, i - 1))]
            start = draw(st.integers(0, 50))
            end = start + draw(st.integers(0, 5))  # equal end times happen: ties must resolve too
            attributes: dict[str, object] = {}
            if draw(st.booleans()):
                attributes[draw(st.sampled_from(SESSION_ID_KEYS))] = draw(st.sampled_from(["s1", "s2", "s3"]))
            if draw(st.booleans()):
                attributes[draw(st.sampled_from(USER_ID_KEYS))] = draw(st.sampled_from(["u1", "u2"]))
            if draw(st.booleans()):
                attributes["langfuse.trace.tags"] = draw(st.lists(st.sampled_from("xyz"), max_size=2))
            records.append(span(span_id, parent, start, end, trace_id, **attributes))
    return records


def resolve_all(batches: list[list[SpanRecord]]) -> dict[str, Trace]:
    """Translate each batch on its own, as separate exports would be, then resolve per trace."""
    claims = defaultdict(list)
    for batch in batches:
        for translation in translate_spans(batch):
            claims[translation.claims.trace_id].append(translation.claims)
    return {trace_id: resolve_trace(c) for trace_id, c in claims.items()}


class TestResolutionIsOrderFree:
    @settings(max_examples=200, deadline=None)
    @given(records=traces(), data=st.data())
    def test_permutation_duplication_and_split(self, records: list[SpanRecord], data: st.DataObject) -> None:
        """Every permutation, duplication and batch split of the spans resolves to identical traces."""
        expected = resolve_all([sorted(records, key=lambda r: (r.trace_id, r.span_id))])
        arrived = records + data.draw(st.lists(st.sampled_from(records), max_size=len(records)))
        arrived = data.draw(st.permutations(arrived))
        cuts = sorted(data.draw(st.lists(st.integers(0, len(arrived)), max_size=3)))
        bounds = [0, *cuts, len(arrived)]
        batches = [arrived[a:b] for a, b in itertools.pairwise(bounds)]
        assert resolve_all(batches) == expected
