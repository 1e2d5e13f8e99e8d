"""What each page shows, read through the ``Store`` protocol and shaped by ``views.py``: one
function per page, returning its template context. They block (the store does); ``routes.py`` runs
them off the event loop.

A missing id and an id of another project are the same 404: the store is scoped by project, and
the message names only what the caller asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from otel_bridge.errors import NotFound
from otel_bridge.store import ActivityBucket, Project, Store
from otel_bridge.ui.charts import activity_charts, bucket_seconds, open_ended
from otel_bridge.ui.conversation import IDLE_GAP_SECONDS, latencies, turn, with_idle_gaps
from otel_bridge.ui.links import Pager, session_url
from otel_bridge.ui.listing import SessionListing
from otel_bridge.ui.scores import chips_by_session, chips_by_trace
from otel_bridge.ui.trace_listing import TraceListing
from otel_bridge.ui.views import json_view, observation_tree
from otel_bridge.ui.waterfall import details, waterfall

#: Traces per page of a session: each shows its whole input and output.
TRACES_PER_PAGE = 20
#: The latency chips of a session cover at most this many of its traces (its first ones).
LATENCY_TRACES = 1000


def sessions_context(
    store: Store, project: Project, listing: SessionListing, base_url: str, now: datetime
) -> dict[str, Any]:
    """The Sessions view as of ``now``: its charts and one page of sessions; ``base_url`` is where
    the empty state says to send spans."""
    where = listing.filter(now)
    page = store.list_sessions(
        project.id,
        where,
        order_by=listing.sort,
        descending=listing.descending,
        offset=(listing.page - 1) * listing.limit,
        limit=listing.limit,
    )
    start, end = listing.window(now)
    if start is not None and end is None:
        end = now

    def read(seconds: int) -> Sequence[ActivityBucket]:
        return store.session_activity(project.id, where, bucket_seconds=seconds) if page.total else ()

    if start is None:
        seconds, buckets = open_ended(read)
    else:
        seconds = bucket_seconds(start, end)
        buckets = read(seconds)
    ids = [session.id for session in page.items]
    return {
        "project": project,
        "listing": listing,
        "sessions": page.items,
        "session_scores": chips_by_session(store, project.id, ids),
        "bookmarked": store.bookmarked_sessions(project.id, ids),
        "charts": activity_charts(buckets, seconds, start, end),
        "pager": listing.pager(page.total),
        "page_url": lambda number: listing.url(page=number),
        "base_url": base_url.rstrip("/"),
        "refresh_seconds": listing.refresh,
    }


def session_context(
    store: Store, project: Project, session_id: str, page: int, idle_minutes: int
) -> dict[str, Any]:
    """A session: its aggregates, the latency of its traces, and one page of its traces, oldest first,
    as a conversation with idle-gap markers of at least ``idle_minutes`` (0: none)."""
    try:
        detail = store.get_session(
            project.id, session_id, offset=(page - 1) * TRACES_PER_PAGE, limit=TRACES_PER_PAGE
        )
    except NotFound:
        raise NotFound(f"Session {session_id} not found in this project") from None
    # A turn's messages may come from its generations, its errors from its observations: one read a
    # trace, at most a page's worth.
    turns = [turn(s, store.get_trace(project.id, s.trace.id).observations) for s in detail.traces.items]
    idle = None if idle_minutes == IDLE_GAP_SECONDS // 60 else idle_minutes
    everything = detail.traces.items
    if len(everything) < detail.session.trace_count:
        everything = store.get_session(project.id, session_id, offset=0, limit=LATENCY_TRACES).traces.items
    trace_scores, _ = chips_by_trace(store, project.id, (s.trace.id for s in detail.traces.items))
    return {
        "project": project,
        "session": detail.session,
        "scores": chips_by_session(store, project.id, [session_id]).get(session_id, []),
        "trace_scores": trace_scores,
        "turns": with_idle_gaps(turns, idle_minutes * 60),
        "idle_minutes": idle_minutes,
        "latency": latencies(everything),
        "bookmarked": session_id in store.bookmarked_sessions(project.id, [session_id]),
        "pager": Pager(page, TRACES_PER_PAGE, detail.traces.total),
        "page_url": lambda number: session_url(session_id, number, idle),
    }


def traces_context(store: Store, project: Project, listing: TraceListing, now: datetime) -> dict[str, Any]:
    """The Traces view as of ``now``: one page of traces."""
    page = store.list_traces(
        project.id,
        listing.filter(now),
        order_by=listing.sort,
        descending=listing.descending,
        offset=(listing.page - 1) * listing.limit,
        limit=listing.limit,
    )
    return {
        "project": project,
        "listing": listing,
        "traces": page.items,
        "pager": listing.pager(page.total),
        "page_url": lambda number: listing.url(page=number),
    }


def trace_context(store: Store, project: Project, trace_id: str, selected: str | None) -> dict[str, Any]:
    """A trace: its aggregates, input, output and metadata, its observations as a tree with a
    timeline, and the details of the ``selected`` observation (default: the first row)."""
    try:
        detail = store.get_trace(project.id, trace_id)
    except NotFound:
        raise NotFound(f"Trace {trace_id} not found in this project") from None
    trace = detail.summary.trace
    tree = observation_tree(detail.observations, trace.timestamp)
    rows, ticks = waterfall(trace.id, tree, trace.timestamp, trace.end_time)
    chosen = (
        tree[0]
        if tree and selected is None
        else next((r for r in tree if r.observation.id == selected), None)
    )
    if selected is not None and chosen is None:
        raise NotFound(f"Observation {selected} not found in trace {trace_id}")
    trace_scores, observation_scores = chips_by_trace(store, project.id, [trace_id])
    # Only a store that forwards (``SqlStore``, ``otel_bridge.store.sql.forwarding``) knows this.
    ledger = getattr(store, "forwarding", None)
    return {
        "project": project,
        "forwarding": None if ledger is None else ledger.status(project.id, trace_id),
        "scores": trace_scores.get(trace_id, []),
        "observation_scores": observation_scores,
        "summary": detail.summary,
        "trace": trace,
        "exchange": turn(detail.summary, detail.observations),
        "metadata": json_view(trace.metadata),
        "rows": rows,
        "ticks": ticks,
        "orphans": sum(row.orphan for row in tree),
        "selected": None if chosen is None else details(chosen),
    }


__all__ = ["TRACES_PER_PAGE", "session_context", "sessions_context", "trace_context", "traces_context"]
