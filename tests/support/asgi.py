"""A synchronous client over an ASGI app: tests call the app through the whole Starlette stack, without
sockets (the end-to-end tests cover sockets).

It is ``httpx.ASGITransport`` (httpx is a dev dependency, and the transport is kept with it) rather than
hand-written ``receive``/``send`` callables, because the transport gives every control these tests use:
raw request bytes, any header passed on untouched (``Content-Encoding: gzip`` is the app's business, and a
declared ``Content-Length`` is kept even when it lies), a body delivered in several ``http.request``
messages, and the response bytes as the app sent them (``aiter_raw``: nothing decoded). It also answers
``receive`` after the body as a server does: ``http.disconnect`` only once the response is complete. It
does not run the ASGI lifespan protocol, which none of the apps under test has (the server runs uvicorn
with ``lifespan="off"`` and starts its ingestor itself); a test that needed one would have to drive it.

Requests go to the transport directly, not through ``httpx.AsyncClient``, so that the app sees only the
caller's headers plus ``Host`` and ``Content-Length``: no default ``Accept``, ``Accept-Encoding`` or
``User-Agent``, no cookies kept between requests, no proxy taken from the environment.

Each request runs to completion on the event loop the client is given: the loop the app's ingestor was
started on, so that its writer makes progress while a request waits for a commit, as in the server.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from starlette.types import ASGIApp

__all__ = ["AsgiClient", "Response"]

#: The addresses the app sees: the OTLP/HTTP port, and a client port.
_SERVER = "127.0.0.1:4318"
_CLIENT = ("127.0.0.1", 1234)


@dataclass(frozen=True)
class Response:
    """One answered request; header names are lowercase."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class AsgiClient:
    """Synchronous requests to ``app``, each run to completion on ``loop``."""

    def __init__(self, app: ASGIApp, loop: asyncio.AbstractEventLoop) -> None:
        self.app = app
        self.loop = loop
        self._transport = httpx.ASGITransport(app, client=_CLIENT)

    def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        chunk_size: int | None = None,
    ) -> Response:
        """``method path?query``: ``path`` is the decoded path the app sees (it is percent-encoded on the
        way), ``query`` the raw query string. ``Content-Length`` is the body's unless ``headers`` declare
        one. With ``chunk_size`` the body arrives in messages of that many bytes."""
        sent = dict(headers or {})
        if not any(name.lower() == "content-length" for name in sent):
            sent["content-length"] = str(len(body))
        url = f"http://{_SERVER}{quote(path, safe='/')}" + (f"?{query}" if query else "")
        content = body if chunk_size is None else _chunks(body, chunk_size)
        return self.loop.run_until_complete(
            self._send(httpx.Request(method, url, headers=sent, content=content))
        )

    async def _send(self, request: httpx.Request) -> Response:
        response = await self._transport.handle_async_request(request)
        received = b"".join([part async for part in response.aiter_raw()])
        names = {name.decode().lower(): value.decode() for name, value in response.headers.raw}
        return Response(response.status_code, names, received)


async def _chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    """``body`` in pieces of ``size`` bytes."""
    for start in range(0, len(body), size):
        yield body[start : start + size]
