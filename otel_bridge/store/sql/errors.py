"""Which failures of a write are worth retrying: ``StoreUnavailable`` (the database's state: down,
busy, full, not migrated) or ``WriteRejected`` (the data: a value the database will not store).

The distinction decides what a client is told. A retryable failure is a 503 / ``UNAVAILABLE``: the
OTel exporters and collectors keep the spans and send them again, which is right while the database
is away and wrong for spans that will fail every time: those would be retried by every exporter
until it gives up, blocking its queue meanwhile. So only errors about the data are permanent, and
everything else (the database itself being broken included) keeps the data at the clients.
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

from otel_bridge.errors import OtelBridgeError, StoreUnavailable, WriteRejected

#: SQLite primary result codes (https://www.sqlite.org/rescode.html) that are about the data:
#: SQLITE_TOOBIG, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE.
_SQLITE_DATA_CODES = frozenset({18, 19, 20, 25})
#: SQLITE_ERROR is generic (a missing table is one too, which a migration fixes); these messages of
#: it are about the values written.
_SQLITE_DATA_MESSAGES = ("integer overflow", "string or blob too big", "error binding parameter")
#: PostgreSQL SQLSTATE classes about the data: data exception (22: NUL in text, out of range),
#: integrity constraint violation (23), program limit exceeded (54: an index row too large).
_POSTGRES_DATA_CLASSES = frozenset({"22", "23", "54"})


def classify_write_failure(error: BaseException) -> OtelBridgeError:
    """The error to report for a write that raised ``error``: already classified errors as they are,
    database errors by their code, and anything else (a value a driver cannot bind, a bug) as
    ``WriteRejected``, since writing the same spans again would raise it again."""
    if isinstance(error, OtelBridgeError):
        return error
    if isinstance(error, sa.exc.DBAPIError):
        original = error.orig
        if error.connection_invalidated or not _is_about_the_data(error):
            return StoreUnavailable(f"the store refused the write: {original}")
        return WriteRejected(f"the database refused these spans: {original}")
    if isinstance(error, sa.exc.SQLAlchemyError):  # pool timeouts and the like: no data involved
        return StoreUnavailable(f"the store refused the write: {error}")
    return WriteRejected(f"these spans cannot be stored: {type(error).__name__}: {error}")


def _is_about_the_data(error: sa.exc.DBAPIError) -> bool:
    # PEP 249's own classes, whichever driver: a value refused (psycopg checks NUL in text before
    # sending) or a constraint.
    if isinstance(error, (sa.exc.DataError, sa.exc.IntegrityError)):
        return True
    original = error.orig
    if isinstance(original, sqlite3.Error):
        code = getattr(original, "sqlite_errorcode", None)  # Python 3.11+
        if code is not None and code & 0xFF in _SQLITE_DATA_CODES:
            return True
        message = str(original).lower()
        return any(text in message for text in _SQLITE_DATA_MESSAGES)
    sqlstate = getattr(original, "sqlstate", None)  # psycopg
    return isinstance(sqlstate, str) and sqlstate[:2] in _POSTGRES_DATA_CLASSES


__all__ = ["classify_write_failure"]
