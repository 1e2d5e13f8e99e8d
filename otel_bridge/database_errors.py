"""What a command says when it cannot use its database: one line naming the database (password
hidden), what is wrong and what to do, instead of SQLAlchemy's traceback.

``database_errors(url)`` wraps whatever a command does with the database. A URL that cannot name a
database (unknown dialect, missing driver, malformed) is a ``ConfigError`` (exit status 2: fix
``--db``); a database that exists in the URL but cannot be opened or reached (a missing folder, a
refused connection, wrong credentials) is a ``CommandError`` with exit status 1; an unknown
migration revision is a ``CommandError`` with exit status 2.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError as AlembicCommandError

from otel_bridge.config import label
from otel_bridge.errors import CommandError, ConfigError

_URL_FORMS = "sqlite:///path.db or postgresql+psycopg://user:pass@host/db"


def redacted_url(url: str) -> str:
    """The database URL without its password, for printing (as given when it does not parse)."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return url


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Run the block, turning the database's failures into one-line ``ConfigError``/``CommandError``."""
    check_database_url(url)
    try:
        yield
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as error:
        raise ConfigError(
            f"{label('db')}={redacted_url(url)!r} is not a usable database URL: {error}; use {_URL_FORMS}"
        ) from None
    except ModuleNotFoundError as error:  # the URL's driver (postgresql:// means psycopg2, …)
        install = (
            "install the postgres extra (in a clone: pip install '.[postgres]')"
            if error.name == "psycopg"
            else f"use {_URL_FORMS}"
        )
        raise ConfigError(
            f"{label('db')}={redacted_url(url)!r} needs the Python module {error.name!r}, which is not "
            f"installed: {install}"
        ) from None
    except AlembicCommandError as error:
        raise CommandError(
            f"{error}; see the revisions with: otel-bridge db current", exit_status=2
        ) from None
    except sa.exc.DBAPIError as error:
        raise CommandError(_unreachable(url, error), exit_status=1) from error


def check_database_url(url: str) -> None:
    """``ConfigError`` unless ``url`` parses and names a database the store supports."""
    try:
        backend = sa.make_url(url).get_backend_name()
    except (sa.exc.ArgumentError, ValueError) as error:  # ValueError: a port that is not a number
        raise ConfigError(
            f"{label('db')}={url!r} is not a database URL ({error}); use {_URL_FORMS}"
        ) from None
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"{label('db')}={redacted_url(url)!r}: {backend!r} databases are not supported; use {_URL_FORMS}"
        )


def _unreachable(url: str, error: sa.exc.DBAPIError) -> str:
    """``cannot open the database …: <the driver's first line>; <what to check>``."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        folder = Path(parsed.database or ".").expanduser().resolve().parent
        hint = (
            f"the folder {folder} does not exist: create it or choose another path"
            if not folder.is_dir()
            else f"check that {folder} is writable and the file is an SQLite database"
        )
    else:
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
        hint = f"check that PostgreSQL is running at {where} and the URL's user, password and database"
    return f"cannot open the database {redacted_url(url)}: {reason}; {hint}"


__all__ = ["check_database_url", "database_errors", "redacted_url"]
