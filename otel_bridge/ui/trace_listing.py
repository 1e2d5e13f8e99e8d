"""The Traces view's query string: filters by session, user, name, tag, level and time, sort, page.

=============  ===========================================================================
parameter      meaning
=============  ===========================================================================
``session``    the trace's session id
``user``       the trace's user id
``name``       the trace's name
``tag``        a tag the trace has
``level``      ``error`` (traces with an error) or ``ok`` (without)
``range``      ``hour``, ``day``, ``week`` or ``custom`` with ``from``/``to``, by the trace's start
``sort``       a ``TraceOrder`` key (default ``timestamp``); ``order``: ``asc``/``desc``
``page``       and ``limit``: the API's rules
=============  ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, get_args
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from otel_bridge.api.params import DEFAULT_LIMIT, InvalidQuery, Query
from otel_bridge.model import langfuse_wire
from otel_bridge.store import TraceFilter, TraceOrder
from otel_bridge.ui.links import TRACES_PATH, Pager
from otel_bridge.ui.listing import choice, time_range, window

TRACE_SORT_KEYS: tuple[TraceOrder, ...] = get_args(TraceOrder)
LEVELS = ("error", "ok")
#: Every query parameter of the Traces view, in the order ``/openapi.json`` documents them.
PARAMETERS = (
    "session",
    "user",
    "name",
    "tag",
    "level",
    "range",
    "from",
    "to",
    "sort",
    "order",
    "page",
    "limit",
)
FILTER_FIELDS = ("session", "user", "name", "tag", "level", "range", "since", "until")


@dataclass(frozen=True, slots=True)
class TraceListing:
    """What the Traces view shows."""

    session: str | None = None
    user: str | None = None
    name: str | None = None
    tag: str | None = None
    level: str | None = None
    range: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sort: TraceOrder = "timestamp"
    descending: bool = True
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(cls, params: QueryParams) -> TraceListing:
        """The listing a query string asks for; ``InvalidQuery`` naming a bad parameter."""
        query = Query(params, PARAMETERS)
        sort = query.string("sort") or "timestamp"
        if sort not in TRACE_SORT_KEYS:
            raise InvalidQuery(f"sort must be one of {', '.join(TRACE_SORT_KEYS)}, got {sort!r}")
        name, since, until = time_range(query)
        pages = query.pagination()
        return cls(
            session=query.string("session"),
            user=query.string("user"),
            name=query.string("name"),
            tag=query.string("tag"),
            level=choice(query, "level", LEVELS),
            range=name,
            since=since,
            until=until,
            sort=sort,
            descending=(choice(query, "order", ("asc", "desc")) or "desc") == "desc",
            page=pages.page,
            limit=pages.limit,
        )

    def filter(self, now: datetime) -> TraceFilter:
        """The store filter, as of ``now``."""
        start, end = window(self.range, self.since, self.until, now)
        return TraceFilter(
            session_id=self.session,
            user_id=self.user,
            name=self.name,
            tags=(self.tag,) if self.tag else (),
            from_timestamp=start,
            to_timestamp=end,
            has_errors=None if self.level is None else self.level == "error",
        )

    @property
    def filtered(self) -> bool:
        """Whether any filter is set."""
        return any(getattr(self, field) is not None for field in FILTER_FIELDS)

    def pager(self, total: int) -> Pager:
        """This page within ``total`` traces."""
        return Pager(self.page, self.limit, total)

    def url(self, **changes: Any) -> str:
        """The link to this listing with ``changes``."""
        listing = replace(self, **changes)
        pairs = [
            ("session", listing.session),
            ("user", listing.user),
            ("name", listing.name),
            ("tag", listing.tag),
            ("level", listing.level),
            ("range", listing.range),
            ("from", None if listing.since is None else langfuse_wire.iso(listing.since)),
            ("to", None if listing.until is None else langfuse_wire.iso(listing.until)),
            ("sort", None if listing.sort == "timestamp" else listing.sort),
            ("order", None if listing.descending else "asc"),
            ("page", None if listing.page == 1 else str(listing.page)),
            ("limit", None if listing.limit == DEFAULT_LIMIT else str(listing.limit)),
        ]
        query = urlencode([(key, value) for key, value in pairs if value is not None])
        return f"{TRACES_PATH}?{query}" if query else TRACES_PATH

    def clear_url(self) -> str:
        """This listing without filters."""
        cleared: dict[str, Any] = dict.fromkeys(FILTER_FIELDS)
        return self.url(**cleared, page=1)

    def sort_url(self, key: TraceOrder) -> str:
        """The link that sorts by ``key`` (flipping the direction when already sorted by it)."""
        descending = not self.descending if key == self.sort else True
        return self.url(sort=key, descending=descending, page=1)


__all__ = ["LEVELS", "TRACE_SORT_KEYS", "TraceListing"]
