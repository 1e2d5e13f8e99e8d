"""What each page shows, read through the ``Store`` protocol and shaped by ``views.py``: one
function per page, returning its template context. They block (the store does); ``routes.py`` runs
them off the event loop.

A missing id and an id of another project are the same 404: the store is scoped by project, and
the message names only what the caller asked for.
"""

from __future__ import annotations

from typing import Any

from otel_bridge.errors import NotFound
from otel_bridge.store import Project, Store
from otel_bridge.ui.listing import Pager, SessionListing, session_url
from otel_bridge.ui.scores import chips_by_session, chips_by_trace
from otel_bridge.ui.views import json_view, observation_tree, payload_view, turn

#: Traces per page of a session: each shows its whole input and output.
TRACES_PER_PAGE = 20


def sessions_context(
    store: Store, project: Project, listing: SessionListing, base_url: str
) -> dict[str, Any]:
    """The Sessions view: one page of sessions; ``base_url`` is where the empty state says to send."""
    page = store.list_sessions(
        project.id,
        listing.filter,
        order_by=listing.sort,
        descending=listing.descending,
        offset=(listing.page - 1) * listing.limit,
        limit=listing.limit,
    )
    return {
        "project": project,
        "listing": listing,
        "sessions": page.items,
        "session_scores": chips_by_session(store, project.id, (s.id for s in page.items)),
        "pager": listing.pager(page.total),
        "page_url": lambda number: listing.url(page=number),
        "base_url": base_url.rstrip("/"),
    }


def session_context(store: Store, project: Project, session_id: str, page: int) -> dict[str, Any]:
    """A session: its aggregates and one page of its traces, oldest first, as a conversation."""
    try:
        detail = store.get_session(
            project.id, session_id, offset=(page - 1) * TRACES_PER_PAGE, limit=TRACES_PER_PAGE
        )
    except NotFound:
        raise NotFound(f"Session {session_id} not found in this project") from None
    trace_scores, _ = chips_by_trace(store, project.id, (s.trace.id for s in detail.traces.items))
    return {
        "project": project,
        "session": detail.session,
        "scores": chips_by_session(store, project.id, [session_id]).get(session_id, []),
        "trace_scores": trace_scores,
        "turns": [turn(summary) for summary in detail.traces.items],
        "pager": Pager(page, TRACES_PER_PAGE, detail.traces.total),
        "page_url": lambda number: session_url(session_id, number),
    }


def trace_context(store: Store, project: Project, trace_id: str) -> dict[str, Any]:
    """A trace: its aggregates, input, output and metadata, and its observations as a tree."""
    try:
        detail = store.get_trace(project.id, trace_id)
    except NotFound:
        raise NotFound(f"Trace {trace_id} not found in this project") from None
    trace = detail.summary.trace
    trace_scores, observation_scores = chips_by_trace(store, project.id, [trace_id])
    # Only a store that forwards (``SqlStore``, ``otel_bridge.store.sql.forwarding``) knows this.
    ledger = getattr(store, "forwarding", None)
    return {
        "project": project,
        "forwarding": None if ledger is None else ledger.status(project.id, trace_id),
        "summary": detail.summary,
        "scores": trace_scores.get(trace_id, []),
        "observation_scores": observation_scores,
        "trace": trace,
        "input": payload_view(trace.input),
        "output": payload_view(trace.output),
        "metadata": json_view(trace.metadata),
        "rows": observation_tree(detail.observations, trace.timestamp),
    }


__all__ = ["TRACES_PER_PAGE", "session_context", "sessions_context", "trace_context"]
