"""The Sessions view's query string: its filters, sort and page, and the links that change them.

The filters live in the URL, so a view can be shared and bookmarked; links carry only the values that
differ from the defaults, so the plain ``/sessions`` is the default view.

==============  ===========================================================================
parameter       meaning
==============  ===========================================================================
``range``       ``hour``, ``day``, ``week`` (active within the last one) or ``custom``
``from``        with ``custom``: active at or after (ISO 8601; ``datetime-local`` is UTC)
``to``          with ``custom``: active before
``user``        a user id of the session
``env``         an environment of the session
``tag``         a tag of the session
``q``           a substring of the session id (case-sensitive)
``prefix``      the start of the session id
``min``         at least this many traces
``errors``      ``yes`` (sessions with errors) or ``no`` (without)
``bookmarked``  ``yes``: bookmarked sessions only
``sort``        a ``SessionOrder`` key (default ``last_activity``); ``order``: ``asc``/``desc``
``page``        and ``limit``: the API's rules (``page`` ≥ 1, ``limit`` 1-100, default 50)
``refresh``     reload the page every 10, 30 or 60 seconds (``static/otel-bridge.js``)
==============  ===========================================================================

A bad value is a 400 page naming the parameter (``InvalidQuery``, parsed by the API's ``Query``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, get_args
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from otel_bridge.api.params import DEFAULT_LIMIT, InvalidQuery, Query
from otel_bridge.model import langfuse_wire
from otel_bridge.store import SessionFilter, SessionOrder
from otel_bridge.ui.links import SESSIONS_PATH, Pager

SORT_KEYS: tuple[SessionOrder, ...] = get_args(SessionOrder)
DEFAULT_SORT: SessionOrder = "last_activity"
#: ``range`` → how far back from now.
RANGES = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
REFRESH_SECONDS = (10, 30, 60)
YES_NO = ("yes", "no")
#: The filters' fields, which ``clear_url`` unsets (``bookmarked`` apart: a flag).
FILTER_FIELDS = ("range", "since", "until", "user", "env", "tag", "q", "prefix", "min_traces", "errors")
#: Every query parameter of the Sessions view, in the order ``/openapi.json`` documents them
#: (``api/openapi_extras.py``); any other is a 400 listing these.
PARAMETERS = (
    "range",
    "from",
    "to",
    "user",
    "env",
    "tag",
    "q",
    "prefix",
    "min",
    "errors",
    "bookmarked",
    "sort",
    "order",
    "page",
    "limit",
    "refresh",
)


def choice(query: Query, name: str, allowed: tuple[str, ...]) -> str | None:
    """A parameter that is one of ``allowed`` (or absent)."""
    value = query.string(name)
    if value is not None and value not in allowed:
        raise InvalidQuery(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def time_range(query: Query) -> tuple[str | None, datetime | None, datetime | None]:
    """``range``, ``from`` and ``to``, checked together."""
    name = choice(query, "range", (*RANGES, "custom"))
    since, until = query.datetime("from"), query.datetime("to")
    if (since or until) and name != "custom":
        raise InvalidQuery("from and to need range=custom")
    if since and until and since >= until:
        raise InvalidQuery(f"from must be before to, got {query.string('from')} and {query.string('to')}")
    return name, since, until


def window(
    name: str | None, since: datetime | None, until: datetime | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The time range a ``range`` selects as of ``now``: (from, to), either open."""
    if name in RANGES:
        return now - RANGES[name], None
    if name == "custom":
        return since, until
    return None, None


@dataclass(frozen=True, slots=True)
class SessionListing:
    """What the Sessions view shows: its filters, its order and its page."""

    range: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    user: str | None = None
    env: str | None = None
    tag: str | None = None
    q: str | None = None
    prefix: str | None = None
    min_traces: int | None = None
    errors: str | None = None
    bookmarked: bool = False
    sort: SessionOrder = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    limit: int = DEFAULT_LIMIT
    refresh: int | None = None

    @classmethod
    def parse(cls, params: QueryParams) -> SessionListing:
        """The listing a query string asks for; ``InvalidQuery`` naming a bad parameter."""
        query = Query(params, PARAMETERS)
        sort = query.string("sort") or DEFAULT_SORT
        if sort not in SORT_KEYS:
            raise InvalidQuery(f"sort must be one of {', '.join(SORT_KEYS)}, got {sort!r}")
        order = choice(query, "order", ("asc", "desc")) or "desc"
        name, since, until = time_range(query)
        min_traces = query.integer("min", default=0, minimum=0) or None
        refresh = query.integer("refresh", default=0, minimum=0) or None
        if refresh is not None and refresh not in REFRESH_SECONDS:
            raise InvalidQuery(
                f"refresh must be one of {', '.join(map(str, REFRESH_SECONDS))}, got {refresh}"
            )
        pages = query.pagination()
        return cls(
            range=name,
            since=since,
            until=until,
            user=query.string("user"),
            env=query.string("env"),
            tag=query.string("tag"),
            q=query.string("q"),
            prefix=query.string("prefix"),
            min_traces=min_traces,
            errors=choice(query, "errors", YES_NO),
            bookmarked=choice(query, "bookmarked", ("yes",)) == "yes",
            sort=sort,
            descending=order == "desc",
            page=pages.page,
            limit=pages.limit,
            refresh=refresh,
        )

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The time range the listing selects, as of ``now``: (from, to), either open."""
        return window(self.range, self.since, self.until, now)

    def filter(self, now: datetime) -> SessionFilter:
        """The store filter, as of ``now`` (relative ranges end now)."""
        start, end = self.window(now)
        return SessionFilter(
            from_time=start,
            to_time=end,
            user_id=self.user,
            environments=(self.env,) if self.env else (),
            tag=self.tag,
            id_prefix=self.prefix,
            id_contains=self.q,
            min_trace_count=self.min_traces,
            has_errors=None if self.errors is None else self.errors == "yes",
            bookmarked=True if self.bookmarked else None,
        )

    @property
    def filtered(self) -> bool:
        """Whether any filter is set (an empty result then means "no match", not "no data")."""
        return self.bookmarked or any(getattr(self, name) is not None for name in FILTER_FIELDS)

    def pager(self, total: int) -> Pager:
        """This page within ``total`` sessions."""
        return Pager(self.page, self.limit, total)

    def pairs(self) -> list[tuple[str, str]]:
        """The query string's parameters that differ from the defaults, in a fixed order."""
        pairs = [
            ("range", self.range),
            ("from", None if self.since is None else langfuse_wire.iso(self.since)),
            ("to", None if self.until is None else langfuse_wire.iso(self.until)),
            ("user", self.user),
            ("env", self.env),
            ("tag", self.tag),
            ("q", self.q),
            ("prefix", self.prefix),
            ("min", None if self.min_traces is None else str(self.min_traces)),
            ("errors", self.errors),
            ("bookmarked", "yes" if self.bookmarked else None),
            ("sort", None if self.sort == DEFAULT_SORT else self.sort),
            ("order", None if self.descending else "asc"),
            ("page", None if self.page == 1 else str(self.page)),
            ("limit", None if self.limit == DEFAULT_LIMIT else str(self.limit)),
            ("refresh", None if self.refresh is None else str(self.refresh)),
        ]
        return [(name, value) for name, value in pairs if value is not None]

    def url(self, **changes: Any) -> str:
        """The link to this listing with ``changes`` (field names of this class)."""
        query = urlencode(replace(self, **changes).pairs())
        return f"{SESSIONS_PATH}?{query}" if query else SESSIONS_PATH

    def clear_url(self) -> str:
        """This listing without its filters (order and page size kept), from the first page."""
        cleared: dict[str, Any] = dict.fromkeys(FILTER_FIELDS)
        return self.url(**cleared, bookmarked=False, page=1)

    def range_url(self, name: str | None) -> str:
        """This listing over another time range (relative or none), from the first page."""
        return self.url(range=name, since=None, until=None, page=1)

    def sort_url(self, key: SessionOrder) -> str:
        """The link that sorts by ``key``: flips the direction when already sorted by it, else
        descending (largest, latest first); back to the first page either way."""
        descending = not self.descending if key == self.sort else True
        return self.url(sort=key, descending=descending, page=1)


__all__ = [
    "DEFAULT_SORT",
    "PARAMETERS",
    "RANGES",
    "REFRESH_SECONDS",
    "SORT_KEYS",
    "SessionListing",
    "choice",
    "time_range",
    "window",
]
