"""The spans of the scale-out tests: from a seed, a few sessions of LLM traces, cut into OTLP export
requests so that every trace and every session is spread over many requests.

Each trace has a root, one or two middle spans and one or two chat generations with token usage
(cost from the price table, or an explicit one). The session id sits on a middle span only, so
a replica that stores the root alone cannot know the session; on about one trace in four the root
claims another session of the seed, which moves the trace there when the root arrives after the
middle span (the root ends last, so its claim wins). User ids sit on a random span, errors on a
random middle span. The spans of all traces are shuffled, cut into requests of 1 to 6 spans, and
some requests are repeated (an exporter's retry after a lost acknowledgement).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.trace.v1.trace_pb2 import Span

from otel_bridge.model import StatusCode
from otel_bridge.testing import build_export_request, make_span

__all__ = ["Workload", "make_workload"]

SECOND = 1_000_000_000
#: 2025-03-01T00:00:00Z: the workload's times are fixed by the seed, never the clock.
ORIGIN = 1_740_787_200 * SECOND
RESOURCE = {"service.name": "scale-out-test", "deployment.environment.name": "scale"}
USERS = ("ada", "grace", "linus")
#: The share of requests sent twice.
REPEATED = 0.15


@dataclass(frozen=True)
class Workload:
    """What one seed sends: request bodies (protobuf) and the facts to check the result by."""

    bodies: tuple[bytes, ...] = field(repr=False)
    span_count: int
    #: Session id → the number of traces that end up in it.
    trace_counts: dict[str, int]
    #: Session id → input + output tokens of its traces.
    tokens: dict[str, int]


def make_workload(seed: int, *, sessions: int = 2, traces_per_session: int = 8) -> Workload:
    """The workload of ``seed``: the same seed gives the same bodies."""
    rng = random.Random(seed)
    session_ids = [f"s{seed}-{number}" for number in range(sessions)]
    spans: list[Span] = []
    trace_counts: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    for number in range(sessions * traces_per_session):
        start = ORIGIN + seed * 3600 * SECOND + number * 20 * SECOND + rng.randrange(5 * SECOND)
        session = session_ids[number % sessions]
        mover = rng.choice(session_ids) if rng.random() < 0.25 else None
        trace_spans, trace_tokens = _trace(rng, start, session, mover)
        spans += trace_spans
        final = mover or session
        trace_counts[final] += 1
        tokens[final] += trace_tokens
    rng.shuffle(spans)
    span_count = len(spans)
    bodies: list[bytes] = []
    while spans:
        size = rng.randint(1, 6)
        bodies.append(build_export_request(spans[:size], resource_attributes=RESOURCE).SerializeToString())
        del spans[:size]
    bodies += [body for body in bodies if rng.random() < REPEATED]
    rng.shuffle(bodies)
    return Workload(tuple(bodies), span_count, dict(trace_counts), dict(tokens))


def _trace(rng: random.Random, start: int, session: str, mover: str | None) -> tuple[list[Span], int]:
    """One trace's spans (the root last) and its tokens."""
    trace_id = rng.randbytes(16)
    root_id = rng.randbytes(8)
    duration = rng.randrange(2 * SECOND, 10 * SECOND)
    children: list[dict[str, Any]] = []
    tokens = 0
    for index in range(rng.randint(1, 2)):
        children.append({"name": f"step-{index}", "attributes": {}})
    for _ in range(rng.randint(1, 2)):
        usage_in, usage_out = rng.randrange(10, 2000), rng.randrange(1, 500)
        tokens += usage_in + usage_out
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": usage_in,
            "gen_ai.usage.output_tokens": usage_out,
        }
        if rng.random() < 0.5:
            attributes["langfuse.observation.cost_details"] = (
                f'{{"total": {rng.randrange(1, 10**6) / 10**6}}}'
            )
        children.append({"name": "chat gpt-4o", "attributes": attributes})
    middle = [child for child in children if child["name"].startswith("step")]
    rng.choice(middle)["attributes"]["session.id"] = session
    if rng.random() < 0.3:
        rng.choice(middle)["status_code"] = StatusCode.ERROR
    root: dict[str, Any] = {"name": "turn", "attributes": {}}
    if mover is not None:
        root["attributes"]["session.id"] = mover
    if rng.random() < 0.8:
        rng.choice([root, *children])["attributes"]["user.id"] = rng.choice(USERS)
    spans = []
    for child in children:
        child_start = start + rng.randrange(duration // 2)
        child_end = child_start + rng.randrange(1, duration // 2)
        spans.append(
            make_span(
                child["name"],
                trace_id=trace_id,
                span_id=rng.randbytes(8),
                parent_span_id=root_id,
                start_time_unix_nano=child_start,
                end_time_unix_nano=child_end,
                attributes=child["attributes"],
                status_code=child.get("status_code", StatusCode.UNSET),
            )
        )
    spans.append(
        make_span(
            "turn",
            trace_id=trace_id,
            span_id=root_id,
            start_time_unix_nano=start,
            end_time_unix_nano=start + duration,
            attributes=root["attributes"],
        )
    )
    return spans, tokens
