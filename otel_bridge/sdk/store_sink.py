"""``StoreSink``: translated spans written straight into a local store (``configure(url="sqlite:///…")``),
with no server running; ``otel-bridge serve --db`` on the same database shows them. Needs the
``server`` extra (SQLAlchemy, Alembic), imported only when this sink is used.

Spans go into the store's default project, the one ``otel-bridge serve`` prints keys for: created
here (with the keys given, else generated and logged once, as ``serve`` prints them) when the
database has none yet.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from otel_bridge.errors import ConfigError
from otel_bridge.sdk.sinks import SendResult
from otel_bridge.store.sql import SqlStore
from otel_bridge.translate import Translation

__all__ = ["DEFAULT_PROJECT", "StoreSink"]

_logger = logging.getLogger("otel_bridge.sdk")

#: The project ``otel-bridge serve`` creates and prints keys for (``admin.DEFAULT_PROJECT``; the sdk
#: may not import the admin layer).
DEFAULT_PROJECT = "default"


class StoreSink:
    """Writes every ``send`` in one store transaction into ``project_id``."""

    def __init__(self, store: SqlStore, project_id: str) -> None:
        self.store = store
        self.project_id = project_id
        self._closed = False

    @classmethod
    def open(cls, url: str, public_key: str | None = None, secret_key: str | None = None) -> StoreSink:
        """Migrate the database at ``url``, open it, and find (or create) its default project."""
        try:
            from otel_bridge.store.sql import migrations  # noqa: PLC0415 - Alembic, needed only here
        except ImportError as error:  # pragma: no cover - the server extra is missing
            raise ConfigError(
                f"a store URL needs the server extra (pip install 'otel-bridge[server]'): {error}"
            ) from None
        migrations.upgrade(url)
        store = SqlStore(url)
        project = store.find_project(DEFAULT_PROJECT)
        if project is None:
            try:
                created = store.create_project(DEFAULT_PROJECT, public_key=public_key, secret_key=secret_key)
            except ValueError:  # a server on the same database created it meanwhile
                project = store.find_project(DEFAULT_PROJECT)
                if project is None:
                    raise
            else:
                _logger.info(
                    "otel-bridge: created the default project of %s; its keys: %s / %s",
                    url,
                    created.public_key,
                    created.secret_key,
                )
                return cls(store, created.project.id)
        return cls(store, project.id)

    def send(self, translations: Sequence[Translation]) -> SendResult:
        """Store ``translations`` in one transaction."""
        if self._closed:
            return SendResult(("the sink is closed",))
        if not translations:
            return SendResult()
        try:
            self.store.write_batch(self.project_id, translations)
        except Exception as error:
            return SendResult((f"writing to the store failed: {type(error).__name__}: {error}",))
        return SendResult()

    def close(self) -> None:
        """Close the store; later sends fail."""
        if not self._closed:
            self._closed = True
            self.store.close()
