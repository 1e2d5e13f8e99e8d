"""Order-freedom as a property: however spans arrive, the stored state is the same.

Hypothesis builds a few random traces (random parent trees, session and user claims on random spans,
roots late or missing), then writes them through ``write_batch`` in a random order, split into random
batches, with random spans repeated. The whole stored state (contents, observations, traces, session
aggregates) must equal that of writing the same spans once, sorted, in one batch; and it must agree
with the pure model (``resolve_trace``) and with session totals computed here from scratch.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otel_bridge.model import SpanRecord, SpanStatus, StatusCode
from otel_bridge.store import Store
from otel_bridge.translate import Translation, resolve_trace, translate_spans
from tests.support.spans import SECOND, T0
from tests.support.state import dump_state

SESSION_KEYS = ("session.id", "langfuse.session.id", "gen_ai.conversation.id")
USER_KEYS = ("user.id", "langfuse.user.id")


@st.composite
def a_trace(draw: st.DrawFn, number: int) -> list[SpanRecord]:
    """One trace of 1–6 spans in a random tree; its root may be missing."""
    n_spans = draw(st.integers(1, 6))
    trace_id = f"{number + 1:032x}"
    span_ids = draw(st.lists(st.integers(1, 2**63), min_size=n_spans, max_size=n_spans, unique=True))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_spans)]
    spans: list[SpanRecord] = []
    for index in range(n_spans):
        # Few distinct times, so that equal ends (ties broken by span id) happen.
        start = draw(st.integers(0, 6))
        end = start + draw(st.integers(0, 4))
        attributes: dict[str, Any] = {}
        if draw(st.booleans()):
            attributes[draw(st.sampled_from(SESSION_KEYS))] = draw(st.sampled_from(("s1", "s2", "s3")))
        if draw(st.booleans()):
            attributes[draw(st.sampled_from(USER_KEYS))] = draw(st.sampled_from(("u1", "u2")))
        if draw(st.integers(0, 3)) == 0:
            attributes["langfuse.trace.tags"] = draw(st.lists(st.sampled_from("abc"), max_size=2))
        if draw(st.integers(0, 3)) == 0:
            attributes["langfuse.environment"] = draw(st.sampled_from(("prod", "dev")))
        if draw(st.booleans()):
            attributes.update(
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.request.model": "gpt-4o",
                    "gen_ai.usage.input_tokens": draw(st.integers(0, 1000)),
                    "gen_ai.usage.output_tokens": draw(st.integers(0, 1000)),
                }
            )
        if draw(st.booleans()):
            attributes["input.value"] = draw(st.sampled_from(("hi", "hello", '{"q": 1}')))
        parent = parents[index]
        spans.append(
            SpanRecord(
                trace_id=trace_id,
                span_id=f"{span_ids[index]:016x}",
                parent_span_id=None if parent is None else f"{span_ids[parent]:016x}",
                name=f"span-{index}",
                start_time_unix_nano=T0 + start * SECOND,
                end_time_unix_nano=T0 + end * SECOND,
                attributes=attributes,
                status=SpanStatus(StatusCode.ERROR) if draw(st.integers(0, 4)) == 0 else SpanStatus(),
            )
        )
    if n_spans > 1 and draw(st.booleans()):
        spans = spans[1:]  # the root never arrives
    return spans


@st.composite
def an_arrival(draw: st.DrawFn) -> tuple[list[Translation], list[list[Translation]]]:
    """Random traces, and how their spans arrive: permuted, duplicated, cut into batches."""
    n_traces = draw(st.integers(1, 4))
    records = [span for number in range(n_traces) for span in draw(a_trace(number))]
    spans = translate_spans(records)
    arrival = list(draw(st.permutations(spans)))
    repeats = draw(st.lists(st.sampled_from(spans), max_size=len(spans)))
    for repeat in repeats:
        arrival.insert(draw(st.integers(0, len(arrival))), repeat)
    cuts = sorted(draw(st.lists(st.integers(1, len(arrival)), max_size=4)))
    batches = [arrival[a:b] for a, b in zip([0, *cuts], [*cuts, len(arrival)], strict=True) if a < b]
    return spans, batches


#: Hypothesis settings of store properties: one store per test (a function-scoped fixture; for the
#: SQL stores, one migrated database), each example writing into fresh projects of it.
STORE_EXAMPLES = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@STORE_EXAMPLES
@given(case=an_arrival())
def test_stored_state_is_independent_of_arrival(
    store: Store, case: tuple[list[Translation], list[list[Translation]]]
) -> None:
    """Any order, batching and duplication of the same spans stores the same state as one sorted batch."""
    spans, batches = case
    reference, shuffled = secrets.token_hex(8), secrets.token_hex(8)
    store.write_batch(reference, sorted(spans, key=lambda t: (t.observation.trace_id, t.observation.id)))
    for batch in batches:
        store.write_batch(shuffled, batch)
    assert dump_state(store, shuffled) == dump_state(store, reference)

    # And the state is the right one: traces as the pure model resolves them, sessions from scratch.
    by_trace: dict[str, list[Translation]] = defaultdict(list)
    for t in spans:
        by_trace[t.observation.trace_id].append(t)
    expected_sessions: dict[str, dict[str, Any]] = {}
    for trace_id, translations in by_trace.items():
        expected = resolve_trace(t.claims for t in translations)
        stored = store.get_trace(shuffled, trace_id)
        assert stored.summary.trace == expected
        assert stored.summary.observation_count == len(translations)
        assert stored.summary.total_tokens == sum(t.observation.usage.total for t in translations)
        if expected.session_id is not None:
            totals = expected_sessions.setdefault(
                expected.session_id, {"traces": 0, "observations": 0, "users": set(), "first": [], "last": []}
            )
            totals["traces"] += 1
            totals["observations"] += len(translations)
            totals["users"].update([expected.user_id] if expected.user_id else [])
            totals["first"].append(expected.timestamp)
            totals["last"].append(expected.end_time)
    sessions = {s.id: s for s in store.list_sessions(shuffled, limit=100).items}
    assert set(sessions) == set(expected_sessions)
    for session_id, totals in expected_sessions.items():
        session = sessions[session_id]
        assert session.trace_count == totals["traces"]
        assert session.observation_count == totals["observations"]
        assert set(session.user_ids) == totals["users"]
        assert (session.first_activity, session.last_activity) == (min(totals["first"]), max(totals["last"]))
