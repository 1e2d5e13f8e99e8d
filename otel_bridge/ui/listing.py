"""Links between the pages: to a session and a trace, and the Sessions view's query string
(filters, sort, page) with the links that change it.

Ids are whatever clients sent, so they are percent-encoded as one path segment each (``/``, ``?``,
``#`` and spaces included); the routes take the rest of the path as the id.


Parameters: ``user`` (a user id), ``prefix`` (a session id prefix), ``sort`` (one of the store's
``SessionOrder`` keys, default ``last_activity``), ``order`` (``asc``/``desc``, default ``desc``),
``page`` and ``limit`` (the API's rules: ``page`` ≥ 1, ``limit`` 1-100, default 50). A bad value is a
400 page naming the parameter (``InvalidQuery``, parsed by the API's ``Query``). Links carry only
the values that differ from the defaults, so the plain ``/sessions`` is the default view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, get_args
from urllib.parse import quote, urlencode

from starlette.datastructures import QueryParams

from otel_bridge.api.params import DEFAULT_LIMIT, InvalidQuery, Query
from otel_bridge.store import SessionFilter, SessionOrder

SESSIONS_PATH = "/sessions"
TRACES_PATH = "/traces"
SORT_KEYS: tuple[SessionOrder, ...] = get_args(SessionOrder)
DEFAULT_SORT: SessionOrder = "last_activity"
#: The Sessions view's query parameters; any other is a 400 page naming it.
PARAMETERS = ("user", "prefix", "sort", "order", "page", "limit")


def session_url(session_id: str, page: int = 1) -> str:
    """The page of a session (and of its traces, ``page``)."""
    url = f"{SESSIONS_PATH}/{quote(session_id, safe='')}"
    return url if page == 1 else f"{url}?page={page}"


def trace_url(trace_id: str) -> str:
    """The page of a trace."""
    return f"{TRACES_PATH}/{quote(trace_id, safe='')}"


@dataclass(frozen=True, slots=True)
class Pager:
    """Where one page sits in a listing of ``total`` items."""

    page: int
    limit: int
    total: int

    @property
    def offset(self) -> int:
        """Items before this page."""
        return (self.page - 1) * self.limit

    @property
    def first(self) -> int:
        """The 1-based position of the page's first item (0 for an empty page)."""
        return self.offset + 1 if self.offset < self.total else 0

    @property
    def last(self) -> int:
        """The 1-based position of the page's last item (0 for an empty page)."""
        return min(self.offset + self.limit, self.total) if self.first else 0

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least one, the empty one)."""
        return max(1, math.ceil(self.total / self.limit))

    @property
    def previous(self) -> int | None:
        """The previous page; past the end, the last page that has items."""
        return min(self.page - 1, self.pages) if self.page > 1 else None

    @property
    def next(self) -> int | None:
        """The next page, when there are items after this one."""
        return self.page + 1 if self.offset + self.limit < self.total else None


@dataclass(frozen=True, slots=True)
class SessionListing:
    """What the Sessions view shows: its filters, its order and its page."""

    user: str | None = None
    prefix: str | None = None
    sort: SessionOrder = DEFAULT_SORT
    descending: bool = True
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @classmethod
    def parse(cls, params: QueryParams) -> SessionListing:
        """The listing a query string asks for; ``InvalidQuery`` naming a bad parameter."""
        query = Query(params, PARAMETERS)
        sort = query.string("sort") or DEFAULT_SORT
        if sort not in SORT_KEYS:
            raise InvalidQuery(f"sort must be one of {', '.join(SORT_KEYS)}, got {sort!r}")
        order = query.string("order") or "desc"
        if order not in ("asc", "desc"):
            raise InvalidQuery(f"order must be asc or desc, got {order!r}")
        window = query.pagination()
        return cls(
            user=query.string("user"),
            prefix=query.string("prefix"),
            sort=sort,
            descending=order == "desc",
            page=window.page,
            limit=window.limit,
        )

    @property
    def filter(self) -> SessionFilter:
        """The store filter."""
        return SessionFilter(user_id=self.user, id_prefix=self.prefix)

    @property
    def filtered(self) -> bool:
        """Whether any filter is set (an empty result then means "no match", not "no data")."""
        return self.user is not None or self.prefix is not None

    def pager(self, total: int) -> Pager:
        """This page within ``total`` sessions."""
        return Pager(self.page, self.limit, total)

    def url(self, **changes: Any) -> str:
        """The link to this listing with ``changes`` (field names of this class)."""
        listing = replace(self, **changes)
        pairs = [
            ("user", listing.user),
            ("prefix", listing.prefix),
            ("sort", None if listing.sort == DEFAULT_SORT else listing.sort),
            ("order", None if listing.descending else "asc"),
            ("page", None if listing.page == 1 else str(listing.page)),
            ("limit", None if listing.limit == DEFAULT_LIMIT else str(listing.limit)),
        ]
        query = urlencode([(name, value) for name, value in pairs if value is not None])
        return f"{SESSIONS_PATH}?{query}" if query else SESSIONS_PATH

    def sort_url(self, key: SessionOrder) -> str:
        """The link that sorts by ``key``: flips the direction when already sorted by it, else
        descending (largest, latest first); back to the first page either way."""
        descending = not self.descending if key == self.sort else True
        return self.url(sort=key, descending=descending, page=1)


__all__ = [
    "DEFAULT_SORT",
    "PARAMETERS",
    "SESSIONS_PATH",
    "SORT_KEYS",
    "TRACES_PATH",
    "Pager",
    "SessionListing",
    "session_url",
    "trace_url",
]
