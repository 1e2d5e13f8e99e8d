"""Links between the pages (to a session, a trace, a session's download) and where one page sits in
a listing.

Ids are whatever clients sent, so they are percent-encoded as one path segment each (``/``, ``?``,
``#`` and spaces included); the routes take the rest of the path as the id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import quote, urlencode

SESSIONS_PATH = "/sessions"
TRACES_PATH = "/traces"
#: A session as a JSON file (``/download/sessions/{id}``): a path of its own, since an id may end
#: in anything, ``.json`` included.
DOWNLOAD_PATH = "/download/sessions"
#: Where a session's bookmark is set (POST ``bookmarked=yes|no``).
BOOKMARK_PATH = "/bookmarks/sessions"


def session_url(session_id: str, page: int = 1, idle: int | None = None) -> str:
    """The page of a session (and of its traces, ``page``; ``idle``: the idle-gap threshold in
    minutes, when not the default)."""
    url = f"{SESSIONS_PATH}/{quote(session_id, safe='')}"
    pairs = [(name, str(value)) for name, value in (("page", page), ("idle", idle)) if value is not None]
    query = urlencode([(name, value) for name, value in pairs if (name, value) != ("page", "1")])
    return f"{url}?{query}" if query else url


def trace_url(trace_id: str, observation_id: str | None = None) -> str:
    """The page of a trace, with one observation's details open when given."""
    url = f"{TRACES_PATH}/{quote(trace_id, safe='')}"
    return url if observation_id is None else f"{url}?{urlencode({'observation': observation_id})}"


def download_url(session_id: str) -> str:
    """The session as JSON, its traces with their observations."""
    return f"{DOWNLOAD_PATH}/{quote(session_id, safe='')}"


def bookmark_url(session_id: str) -> str:
    """Where the session's bookmark form posts."""
    return f"{BOOKMARK_PATH}/{quote(session_id, safe='')}"


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


__all__ = [
    "BOOKMARK_PATH",
    "DOWNLOAD_PATH",
    "SESSIONS_PATH",
    "TRACES_PATH",
    "Pager",
    "bookmark_url",
    "download_url",
    "session_url",
    "trace_url",
]
