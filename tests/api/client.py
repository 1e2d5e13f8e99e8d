"""A served API for tests: a real ``SqlStore`` (SQLite, migrated), a real ingestor and authenticator, and
the server's own ``build_app`` (OTLP receivers, the API and the UI), called as an ASGI app on one event
loop that the test drives (so the ingestor's writer runs on the loop that serves the requests, as in the
server), through ``tests.support.asgi``. Requests go through the whole Starlette stack without sockets;
the end-to-end tests cover sockets.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from otel_bridge.ingest import DecodePool, Ingestor
from otel_bridge.ingest.limits import DEFAULT_LIMITS, IngestLimits
from otel_bridge.model.langfuse_wire import basic_authorization
from otel_bridge.receivers import AppContext
from otel_bridge.receivers.auth import Authenticator
from otel_bridge.receivers.export import TraceExportHandler
from otel_bridge.receivers.http import HttpLimits
from otel_bridge.receivers.metrics import Metrics
from otel_bridge.receivers.ratelimit import RateLimiter, RateLimits
from otel_bridge.server import build_app
from otel_bridge.store.sql import SqlStore
from otel_bridge.store.sql.engine import make_engine
from otel_bridge.store.sql.migrations import upgrade
from tests.support.asgi import AsgiClient, Response

__all__ = ["ApiClient", "ServedApi", "basic", "served_api"]


def basic(public_key: str, secret_key: str) -> str:
    """An ``Authorization: Basic`` value."""
    return basic_authorization(public_key, secret_key)


class ApiClient:
    """Synchronous requests against the app, on the client's own event loop, with the client's
    credentials."""

    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop, authorization: str | None) -> None:
        self.app = app
        self.loop = loop
        self.authorization = authorization
        self._asgi = AsgiClient(app, loop)

    def with_auth(self, authorization: str | None) -> ApiClient:
        """The same app with other credentials (None: none)."""
        return ApiClient(self.app, self.loop, authorization)

    def get(self, path: str, params: dict[str, Any] | Sequence[tuple[str, Any]] | None = None) -> Response:
        """``GET path?params``; list values repeat the parameter."""
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any, *, raw: bytes | None = None) -> Response:
        """``POST path`` with a JSON body (or ``raw`` bytes)."""
        data = raw if raw is not None else json.dumps(body).encode()
        return self.request("POST", path, body=data, content_type="application/json")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | Sequence[tuple[str, Any]] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One request, run to completion on the client's loop (``headers``: more of them)."""
        pairs = list(params.items()) if isinstance(params, dict) else list(params or [])
        query = urlencode(
            [(k, v) for k, value in pairs for v in (value if isinstance(value, list) else [value])]
        )
        sent: dict[str, str] = {}
        if self.authorization is not None:
            sent["authorization"] = self.authorization
        if content_type is not None:
            sent["content-type"] = content_type
        sent.update(headers or {})
        return self._asgi.request(method, path, query=query, headers=sent, body=body)


@dataclass
class ServedApi:
    """The app, its store and the projects the tests use."""

    store: SqlStore
    ingestor: Ingestor
    client: ApiClient
    project_id: str
    other_project_id: str
    public_key: str
    secret_key: str
    other_authorization: str
    metrics: Metrics

    def as_other(self) -> ApiClient:
        """A client authenticated as the other project."""
        return self.client.with_auth(self.other_authorization)


@contextmanager
def served_api(
    directory: Path,
    *,
    queue_bytes: int = 32 * 1024 * 1024,
    limits: IngestLimits = DEFAULT_LIMITS,
    rate_limits: RateLimits | None = None,
    url: str | None = None,
) -> Iterator[ServedApi]:
    """An API over a fresh SQLite store in ``directory`` (or the database at ``url``), with two
    projects; ``limits`` and ``rate_limits`` as the server would configure them (default: no rate
    limit)."""
    directory.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url or f"sqlite:///{directory / 'api.db'}")
    upgrade(engine)
    store = SqlStore(engine)
    mine = store.create_project("api-test", public_key="pk-lf-api", secret_key="sk-lf-api")
    other = store.create_project("other", public_key="pk-lf-other", secret_key="sk-lf-other")
    loop = asyncio.new_event_loop()
    metrics = Metrics()
    ingestor = Ingestor(store, queue_bytes=queue_bytes)
    loop.run_until_complete(ingestor.start())
    authenticator = Authenticator(store)
    rate_limiter = RateLimiter(rate_limits or RateLimits(), metrics)
    context = AppContext(
        store=store,
        ingestor=ingestor,
        authenticator=authenticator,
        metrics=metrics,
        rate_limiter=rate_limiter,
        limits=limits,
    )
    handler = TraceExportHandler(ingestor, metrics, DecodePool(store.preparer, 0, limits), rate_limiter)
    app = build_app(context, handler, HttpLimits(1 << 20, 4 << 20))
    try:
        yield ServedApi(
            store=store,
            ingestor=ingestor,
            client=ApiClient(app, loop, basic("pk-lf-api", "sk-lf-api")),
            project_id=mine.project.id,
            other_project_id=other.project.id,
            public_key="pk-lf-api",
            secret_key="sk-lf-api",
            other_authorization=basic("pk-lf-other", "sk-lf-other"),
            metrics=metrics,
        )
    finally:
        loop.run_until_complete(ingestor.close(5))
        handler.close()
        loop.close()
        store.close()
