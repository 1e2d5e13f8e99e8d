"""Secret keys: a slow, salted hash, compared in constant time (security review findings)."""

from __future__ import annotations

import hmac

import pytest

from otel_bridge.store import keys


def test_hash_is_scrypt_salted_and_slow() -> None:
    """scrypt with a per-key salt and at least OWASP's interactive cost (N=2**14, r=8)."""
    first = keys.hash_secret("sk-lf-same")
    second = keys.hash_secret("sk-lf-same")
    scheme, n, r, p, salt, _digest = first.split("$")
    assert scheme == "scrypt"
    assert int(n) >= 2**14 and int(r) >= 8 and int(p) >= 1
    assert len(salt) >= 20  # 16 bytes, base64
    assert first != second  # salted: equal secrets give different hashes
    assert "sk-lf-same" not in first
    assert keys.verify_secret("sk-lf-same", first) and keys.verify_secret("sk-lf-same", second)
    assert not keys.verify_secret("sk-lf-other", first)


def test_verification_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The digests go through ``hmac.compare_digest``, never ``==``, for a match and a mismatch."""
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    stored = keys.hash_secret("sk-lf-x")
    assert keys.verify_secret("sk-lf-x", stored)
    assert not keys.verify_secret("sk-lf-y", stored)
    assert len(calls) == 2
    assert all(isinstance(a, bytes) and len(a) == len(b) == 32 for a, b in calls)


@pytest.mark.parametrize("broken", ["", "md5$1$2$3$4$5", "scrypt$x$8$1$abc$def", "scrypt$16384$8$1$!!$!!"])
def test_a_malformed_hash_never_verifies(broken: str) -> None:
    """A damaged or foreign hash is a mismatch, not an exception."""
    assert not keys.verify_secret("sk-lf-x", broken)


def test_lookup_digest_is_not_the_secret() -> None:
    """The Bearer lookup index is a domain-separated SHA-256, not the secret."""
    digest = keys.secret_lookup("sk-lf-abc")
    assert len(digest) == 64 and "sk-lf-abc" not in digest
    assert digest != keys.secret_lookup("sk-lf-abd")
