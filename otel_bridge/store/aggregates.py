"""The arithmetic of a write, shared by the stores: a trace resolved from its spans with the
aggregates of its observations, and a session's totals over its traces.

Nothing here is accumulated by deltas: a trace is recomputed from all its spans, a session from all
its traces, so the result is a function of the set of spans (order-freedom). Costs are integer
nano-dollars, whose sums do not depend on the order they are added in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from otel_bridge.model import Session, Trace, TraceClaims, nanos_to_datetime
from otel_bridge.store import TRACE_CLAIMS_ID
from otel_bridge.translate import resolve_trace

NANOS_PER_USD = 1_000_000_000


def usd_to_nanos(usd: float | None) -> int | None:
    """Integer nano-dollars: exact to a billionth of a dollar, and summable in any order."""
    return None if usd is None else round(usd * NANOS_PER_USD)


def nanos_to_usd(nanos: int | None) -> float | None:
    """USD from integer nano-dollars."""
    return None if nanos is None else nanos / NANOS_PER_USD


def effective_cost_nanos(total: int | None, input_: int | None, output: int | None) -> int | None:
    """An observation's cost for aggregates: its total, else the sum of the parts it has."""
    if total is not None:
        return total
    if input_ is None and output is None:
        return None
    return (input_ or 0) + (output or 0)


class SpanFacts(NamedTuple):
    """What trace resolution and trace aggregates need of one span (a tuple: built for every span).

    ``claims`` may name inputs and outputs by a store's own reference (the SQL store's content
    hashes) rather than by value: resolution only picks which span's wins, and never looks inside.
    """

    claims: TraceClaims
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_nanos: int | None
    is_error: bool


class ResolvedTrace(NamedTuple):
    """A trace as its spans resolve it, and the aggregates of its observations.

    ``trace.timestamp`` and ``trace.end_time`` are ``start_ns`` and ``end_ns`` as datetimes (which lose
    the nanoseconds). ``cost_nanos`` is None when no observation has a cost.
    """

    trace: Trace
    start_ns: int
    end_ns: int
    observation_count: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_nanos: int | None
    error_count: int


def resolve_with_aggregates(spans: Iterable[SpanFacts]) -> ResolvedTrace:
    """The trace all ``spans`` (at least one, one per span id) describe, by
    docs/architecture.md rule 3, with its aggregates recomputed from the same spans.

    A claims row (``TRACE_CLAIMS_ID``) takes part in resolution as the span that ended last, so its
    explicit trace-level claims beat every span's, and in the trace's start (a ``trace-create``
    timestamp); it counts as no observation and does not extend the trace's end.
    """
    # One pass over the spans for every aggregate (this runs for each trace a batch touches).
    claims: list[TraceClaims] = []
    start = end = observed_end = None
    count = n_in = n_out = n_total = errors = 0
    cost: int | None = None
    has_claims_row = False
    for c, span_in, span_out, span_total, span_cost, is_error in spans:
        claims.append(c)
        span_start, span_end = c.start_time_unix_nano, c.end_time_unix_nano
        if start is None or span_start < start:
            start = span_start
        if end is None or span_end > end:
            end = span_end
        if c.span_id == TRACE_CLAIMS_ID:
            has_claims_row = True
            continue
        if observed_end is None or span_end > observed_end:
            observed_end = span_end
        count += 1
        n_in += span_in
        n_out += span_out
        n_total += span_total
        if span_cost is not None:
            cost = span_cost if cost is None else cost + span_cost
        errors += is_error
    if start is None or end is None:
        raise ValueError("a trace of no spans")
    trace_end = end if observed_end is None else observed_end
    if not has_claims_row:
        trace = resolve_trace(claims)
    else:
        last = end + 1
        # ``replace`` keeps the claim values themselves (a store may know them by identity).
        claims = [replace(c, end_time_unix_nano=last) if c.span_id == TRACE_CLAIMS_ID else c for c in claims]
        trace = replace(resolve_trace(claims), end_time=nanos_to_datetime(trace_end))
    return ResolvedTrace(trace, start, trace_end, count, n_in, n_out, n_total, cost, errors)


#: The sums ``SessionTotals.add`` takes, in this order.
SESSION_SUMS = (
    "trace_count",
    "observation_count",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "total_cost_nanos",
    "error_count",
)


@dataclass(slots=True)
class SessionTotals:
    """A session's aggregates, summed over its traces (``add``) in any order and grouping."""

    first_activity_ns: int = 0
    last_activity_ns: int = 0
    trace_count: int = 0
    observation_count: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    total_cost_nanos: int = 0
    error_count: int = 0
    user_ids: set[str] = field(default_factory=set)
    tags: set[str] = field(default_factory=set)
    environments: set[str] = field(default_factory=set)

    @property
    def duration_ns(self) -> int:
        """From the first activity to the last."""
        return self.last_activity_ns - self.first_activity_ns

    def add(self, first_ns: int, last_ns: int, sums: Sequence[int | None]) -> None:
        """Add traces active from ``first_ns`` to ``last_ns`` with the ``sums`` (in the order of
        ``SESSION_SUMS``) of their counts, tokens, cost (None: none had one) and errors; their users,
        tags and environments are added apart (``add_labels``). Called once per trace or group of
        traces (the SQL store's), so it takes a plain sequence."""
        traces, observations, input_tokens, output_tokens, total_tokens, cost_nanos, errors = sums
        if self.trace_count == 0:
            self.first_activity_ns, self.last_activity_ns = first_ns, last_ns
        else:
            self.first_activity_ns = min(self.first_activity_ns, first_ns)
            self.last_activity_ns = max(self.last_activity_ns, last_ns)
        self.trace_count += traces or 0
        self.observation_count += observations or 0
        self.input_tokens += input_tokens or 0
        self.output_tokens += output_tokens or 0
        self.total_tokens += total_tokens or 0
        self.total_cost_nanos += cost_nanos or 0
        self.error_count += errors or 0

    def add_labels(self, user_id: str | None, environment: str, tags: Iterable[str]) -> None:
        """The user (if any), environment and tags of traces added."""
        if user_id:
            self.user_ids.add(user_id)
        self.environments.add(environment)
        self.tags.update(tags)

    def add_trace(self, trace: ResolvedTrace) -> None:
        """``add`` and ``add_labels`` for one trace."""
        sums = (
            1,
            trace.observation_count,
            trace.input_tokens,
            trace.output_tokens,
            trace.total_tokens,
            trace.cost_nanos,
            trace.error_count,
        )
        self.add(trace.start_ns, trace.end_ns, sums)
        self.add_labels(trace.trace.user_id, trace.trace.environment, trace.trace.tags)

    def session(self, session_id: str) -> Session:
        """The ``Session`` of these totals."""
        return Session(
            id=session_id,
            first_activity=nanos_to_datetime(self.first_activity_ns),
            last_activity=nanos_to_datetime(self.last_activity_ns),
            trace_count=self.trace_count,
            observation_count=self.observation_count,
            user_ids=tuple(sorted(self.user_ids)),
            tags=tuple(sorted(self.tags)),
            environments=tuple(sorted(self.environments)),
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            total_tokens=self.total_tokens,
            total_cost=self.total_cost_nanos / NANOS_PER_USD,
            error_count=self.error_count,
        )


__all__ = [
    "NANOS_PER_USD",
    "SESSION_SUMS",
    "ResolvedTrace",
    "SessionTotals",
    "SpanFacts",
    "effective_cost_nanos",
    "nanos_to_usd",
    "resolve_with_aggregates",
    "usd_to_nanos",
]
