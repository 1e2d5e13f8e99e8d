"""Credential parsing and the authentication cache."""

from __future__ import annotations

import asyncio
import base64
import threading
from datetime import datetime, timezone

import pytest

from otel_bridge.errors import Unauthenticated
from otel_bridge.receivers.auth import Authenticator, Credentials, parse_authorization
from otel_bridge.store import Project

PROJECT = Project("p1", "default", "pk-lf-1", datetime(2025, 1, 1, tzinfo=timezone.utc))


def basic(public: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{public}:{secret}".encode()).decode()


class FakeKeys:
    """A store that knows one key pair and counts verifications."""

    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()
        self.gate = threading.Event()
        self.gate.set()

    def authenticate(self, public_key: str, secret_key: str) -> Project | None:
        with self.lock:
            self.calls += 1
        self.gate.wait(5)
        return PROJECT if (public_key, secret_key) == ("pk-lf-1", "sk-lf-1") else None

    def authenticate_secret(self, secret_key: str) -> Project | None:
        with self.lock:
            self.calls += 1
        return PROJECT if secret_key == "sk-lf-1" else None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class TestParseAuthorization:
    def test_basic(self) -> None:
        """Basic carries ``public:secret`` in base64; the secret may contain colons."""
        assert parse_authorization(basic("pk-1", "sk:1")) == Credentials("pk-1", "sk:1")

    def test_bearer(self) -> None:
        """Bearer carries the secret alone; the scheme is case-insensitive."""
        assert parse_authorization("bearer sk-1") == Credentials(None, "sk-1")

    @pytest.mark.parametrize(
        ("value", "fragment"),
        [
            (None, "missing credentials"),
            ("", "missing credentials"),
            ("Bearer ", "empty Bearer"),
            ("Basic !!!", "not valid base64"),
            ("Basic " + base64.b64encode(b"no-colon").decode(), "must be base64"),
            ("Digest abc", "unsupported authorization scheme 'digest'"),
        ],
    )
    def test_malformed(self, value: str | None, fragment: str) -> None:
        """Missing or malformed credentials raise Unauthenticated saying what is wrong."""
        with pytest.raises(Unauthenticated, match=fragment):
            parse_authorization(value)


class TestAuthenticator:
    def test_success_is_cached(self) -> None:
        """A verified header is not verified again within the TTL, and is after it."""
        keys, clock = FakeKeys(), Clock()
        authenticator = Authenticator(keys, ttl=60, clock=clock)

        async def scenario() -> None:
            assert await authenticator.authenticate(basic("pk-lf-1", "sk-lf-1")) == PROJECT
            assert await authenticator.authenticate(basic("pk-lf-1", "sk-lf-1")) == PROJECT
            assert keys.calls == 1
            clock.now += 61
            await authenticator.authenticate(basic("pk-lf-1", "sk-lf-1"))
            assert keys.calls == 2

        asyncio.run(scenario())

    def test_failure_is_cached_briefly(self) -> None:
        """A wrong header is refused from the cache for a few seconds only."""
        keys, clock = FakeKeys(), Clock()
        authenticator = Authenticator(keys, failure_ttl=2, clock=clock)

        async def scenario() -> None:
            for _ in range(3):
                with pytest.raises(Unauthenticated, match="invalid credentials"):
                    await authenticator.authenticate(basic("pk-lf-1", "wrong"))
            assert keys.calls == 1
            clock.now += 3
            with pytest.raises(Unauthenticated):
                await authenticator.authenticate(basic("pk-lf-1", "wrong"))
            assert keys.calls == 2

        asyncio.run(scenario())

    def test_bearer_uses_the_secret_lookup(self) -> None:
        """A Bearer secret is checked with ``authenticate_secret``."""
        authenticator = Authenticator(FakeKeys())
        assert asyncio.run(authenticator.authenticate("Bearer sk-lf-1")) == PROJECT

    def test_concurrent_requests_share_one_verification(self) -> None:
        """Simultaneous requests with the same new header cause one slow verification."""
        keys = FakeKeys()
        keys.gate.clear()
        authenticator = Authenticator(keys)

        async def scenario() -> None:
            tasks = [
                asyncio.create_task(authenticator.authenticate(basic("pk-lf-1", "sk-lf-1"))) for _ in range(5)
            ]
            await asyncio.sleep(0.05)
            keys.gate.set()
            assert await asyncio.gather(*tasks) == [PROJECT] * 5
            assert keys.calls == 1

        asyncio.run(scenario())

    def test_cache_keeps_no_secret(self) -> None:
        """The cache is keyed by a digest: no secret appears in it."""
        authenticator = Authenticator(FakeKeys())
        asyncio.run(authenticator.authenticate(basic("pk-lf-1", "sk-lf-1")))
        assert all(b"sk-lf-1" not in key and len(key) == 32 for key in authenticator._cache)
