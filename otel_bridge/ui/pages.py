"""What each page shows, read through the ``Store`` protocol and shaped by ``views.py``: one
function per page, returning its template context. They block (the store does); ``routes.py`` runs
them off the event loop.

A missing id and an id of another project are the same 404: the store is scoped by project, and
the message names only what the caller asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from otel_bridge.errors import NotFound
from otel_bridge.store import Project, Store
from otel_bridge.ui.charts import DAY, HOUR, activity_charts, bucket_seconds
from otel_bridge.ui.links import Pager, session_url
from otel_bridge.ui.listing import SessionListing
from otel_bridge.ui.views import json_view, observation_tree, payload_view, turn

#: Traces per page of a session: each shows its whole input and output.
TRACES_PER_PAGE = 20


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
    seconds = bucket_seconds(start, end)
    buckets = store.session_activity(project.id, where, bucket_seconds=seconds) if page.total else ()
    if start is None and seconds == DAY and len(buckets) <= 2:
        # All of it fits in two days: hours tell more.
        seconds = HOUR
        buckets = store.session_activity(project.id, where, bucket_seconds=seconds)
    ids = [session.id for session in page.items]
    return {
        "project": project,
        "listing": listing,
        "sessions": page.items,
        "bookmarked": store.bookmarked_sessions(project.id, ids),
        "charts": activity_charts(buckets, seconds, start, end),
        "pager": listing.pager(page.total),
        "page_url": lambda number: listing.url(page=number),
        "base_url": base_url.rstrip("/"),
        "refresh_seconds": listing.refresh,
    }


def session_context(store: Store, project: Project, session_id: str, page: int) -> dict[str, Any]:
    """A session: its aggregates and one page of its traces, oldest first, as a conversation."""
    try:
        detail = store.get_session(
            project.id, session_id, offset=(page - 1) * TRACES_PER_PAGE, limit=TRACES_PER_PAGE
        )
    except NotFound:
        raise NotFound(f"Session {session_id} not found in this project") from None
    return {
        "project": project,
        "session": detail.session,
        "turns": [turn(summary) for summary in detail.traces.items],
        "pager": Pager(page, TRACES_PER_PAGE, detail.traces.total),
        "page_url": lambda number: session_url(session_id, number),
    }


def trace_context(store: Store, project: Project, trace_id: str, selected: str | None) -> dict[str, Any]:
    """A trace: its aggregates, input, output and metadata, and its observations as a tree."""
    try:
        detail = store.get_trace(project.id, trace_id)
    except NotFound:
        raise NotFound(f"Trace {trace_id} not found in this project") from None
    trace = detail.summary.trace
    return {
        "project": project,
        "summary": detail.summary,
        "trace": trace,
        "input": payload_view(trace.input),
        "output": payload_view(trace.output),
        "metadata": json_view(trace.metadata),
        "rows": observation_tree(detail.observations, trace.timestamp),
    }


__all__ = ["TRACES_PER_PAGE", "session_context", "sessions_context", "trace_context"]
