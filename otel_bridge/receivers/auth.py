"""Credentials on every ingest and read route: parsing, verification, and a short-lived cache.

Accepted forms (docs/architecture.md, "Data flow"; Langfuse's own):

- ``Authorization: Basic base64(public_key:secret_key)``, what the Langfuse SDK and an
  ``OTEL_EXPORTER_OTLP_HEADERS=Authorization=Basic%20…`` exporter send;
- ``Authorization: Bearer <secret_key>``;
- on gRPC, the ``authorization`` metadata entry with either form.

Verifying a secret runs scrypt on purpose (tens of milliseconds, ``store/keys.py``), and every
export request authenticates, so ``Authenticator`` remembers a verified header for ``ttl`` seconds,
keyed by a SHA-256 digest of the header: the secret is never kept in clear. A failed header is
remembered only for ``failure_ttl`` seconds (a few): enough to keep a misconfigured client that
retries in a loop from burning a core on scrypt, short enough that a key created a moment later
works. Concurrent requests with the same unknown header share one verification.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from otel_bridge.errors import Unauthenticated
from otel_bridge.store import Project

#: How many verified headers are remembered; past that the oldest half is forgotten.
CACHE_SIZE = 4096

_MISSING = (
    "missing credentials: send 'Authorization: Basic base64(<public key>:<secret key>)' or "
    "'Authorization: Bearer <secret key>' (gRPC: the 'authorization' metadata entry)"
)


class CanAuthenticate(Protocol):
    """The part of ``otel_bridge.store.Store`` that checks keys (blocking; may be slow)."""

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        """The project of this key pair, or None."""
        ...

    def authenticate_secret(self, secret_key: str) -> Project | None:
        """The project of this secret key alone, or None."""
        ...


@dataclass(frozen=True, slots=True)
class Credentials:
    """Keys parsed from an ``Authorization`` value; ``public_key`` is None for a Bearer token."""

    public_key: str | None
    secret_key: str


def parse_authorization(value: str | None) -> Credentials:
    """The credentials of an ``Authorization`` value; ``Unauthenticated`` naming what is wrong."""
    if value is None or not value.strip():
        raise Unauthenticated(_MISSING)
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    scheme = scheme.lower()
    if scheme == "bearer":
        if not token:
            raise Unauthenticated("empty Bearer token: send 'Authorization: Bearer <secret key>'")
        return Credentials(None, token)
    if scheme == "basic":
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise Unauthenticated(
                "Basic credentials are not valid base64 of '<public key>:<secret key>'"
            ) from None
        public_key, colon, secret_key = decoded.partition(":")
        if not colon or not public_key or not secret_key:
            raise Unauthenticated("Basic credentials must be base64 of '<public key>:<secret key>'")
        return Credentials(public_key, secret_key)
    raise Unauthenticated(f"unsupported authorization scheme {scheme!r}: use Basic or Bearer")


class Authenticator:
    """Turns an ``Authorization`` value into a ``Project`` or raises ``Unauthenticated``.

    ``store`` calls run in the default thread pool (they block on the database and scrypt). Use it
    from one event loop.
    """

    def __init__(
        self,
        store: CanAuthenticate,
        *,
        ttl: float = 60.0,
        failure_ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._failure_ttl = failure_ttl
        self._clock = clock
        # digest of the header → (project or None for a failure, expiry)
        self._cache: dict[bytes, tuple[Project | None, float]] = {}
        self._verifying: dict[bytes, asyncio.Future[Project | None]] = {}

    async def authenticate(self, authorization: str | None) -> Project:
        """The project whose keys ``authorization`` carries."""
        credentials = parse_authorization(authorization)
        assert authorization is not None
        digest = hashlib.sha256(authorization.strip().encode()).digest()
        cached = self._cache.get(digest)
        if cached is not None:
            project, expiry = cached
            if expiry > self._clock():
                return _allowed(project)
            del self._cache[digest]
        waiting = self._verifying.get(digest)
        if waiting is not None:
            return _allowed(await asyncio.shield(waiting))
        future: asyncio.Future[Project | None] = asyncio.get_running_loop().create_future()
        self._verifying[digest] = future
        try:
            project = await asyncio.to_thread(self._verify, credentials)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved here, for waiters that may not exist
            raise
        finally:
            del self._verifying[digest]
        future.set_result(project)
        self._remember(digest, project)
        return _allowed(project)

    def forget(self) -> None:
        """Drop every remembered result (after keys changed)."""
        self._cache.clear()

    def _verify(self, credentials: Credentials) -> Project | None:
        if credentials.public_key is None:
            return self._store.authenticate_secret(credentials.secret_key)
        return self._store.authenticate(credentials.public_key, credentials.secret_key)

    def _remember(self, digest: bytes, project: Project | None) -> None:
        ttl = self._ttl if project is not None else self._failure_ttl
        if ttl <= 0:
            return
        if len(self._cache) >= CACHE_SIZE:
            # dicts keep insertion order: forget the older half rather than everything at once.
            for key in list(self._cache)[: CACHE_SIZE // 2]:
                del self._cache[key]
        self._cache[digest] = (project, self._clock() + ttl)


def _allowed(project: Project | None) -> Project:
    if project is None:
        raise Unauthenticated(
            "invalid credentials: unknown public key, or a secret key that does not match it"
        )
    return project


__all__ = ["CACHE_SIZE", "Authenticator", "CanAuthenticate", "Credentials", "parse_authorization"]
