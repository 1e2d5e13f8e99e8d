"""Project keys: generation and hashing. Pure functions, shared by the stores, which keep what they
return.

A secret key is kept as two digests, never in clear:

- ``secret_hash``: scrypt with a random per-key salt, the verifier. Slow and salted, so a copy of the
  database does not give an attacker a cheap way to test guesses, even for a weak, user-chosen secret.
- ``secret_lookup``: SHA-256 of the secret under a fixed domain-separation prefix, the index that finds
  the project for ``Authorization: Bearer <secret>``, where no public key tells which row (and
  therefore which salt) to use. A per-key salt cannot be indexed, and a per-installation pepper would
  have to live next to the database it is meant to protect, so the lookup digest is plain: it is
  only as strong as the secret's entropy. Generated secrets carry 192 random bits, beyond any guessing;
  a found row is still verified against ``secret_hash``, so the lookup digest never authenticates alone.

Verification compares digests with ``hmac.compare_digest`` (constant time).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PUBLIC_KEY_PREFIX = "pk-lf-"
SECRET_KEY_PREFIX = "sk-lf-"

# scrypt cost: 2**14 x 8 x 1 (16 MiB, tens of milliseconds), the parameters Python's docs and OWASP
# give for interactive logins; the receivers cache successful verifications, so requests do not pay it.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_LEN = 32
_LOOKUP_PREFIX = b"otel-bridge secret lookup v1\x00"


def generate_public_key() -> str:
    """A new public key, ``pk-lf-`` and 128 random bits (Langfuse's shape)."""
    return PUBLIC_KEY_PREFIX + secrets.token_hex(16)


def generate_secret_key() -> str:
    """A new secret key, ``sk-lf-`` and 192 random bits."""
    return SECRET_KEY_PREFIX + secrets.token_hex(24)


#: The public key a revoked pair is replaced with starts so: no client holds it or its secret, and
#: ``otel-bridge keys list`` shows the project as revoked.
REVOKED_PREFIX = "revoked-"


def generate_revoked_public_key() -> str:
    """A public key that marks a revoked pair (unique, as every public key is)."""
    return REVOKED_PREFIX + secrets.token_hex(16)


def is_revoked(public_key: str) -> bool:
    """Whether this public key marks a revoked pair."""
    return public_key.startswith(REVOKED_PREFIX)


def generate_project_id() -> str:
    """A new project id: 64 random bits, hex."""
    return secrets.token_hex(8)


def secret_lookup(secret_key: str) -> str:
    """The indexable digest of a secret key (see the module docstring for why it is unsalted)."""
    return hashlib.sha256(_LOOKUP_PREFIX + secret_key.encode()).hexdigest()


def hash_secret(secret_key: str) -> str:
    """The salted scrypt hash of a secret key, self-describing: ``scrypt$n$r$p$salt$digest``."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret_key, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(("scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)))


def verify_secret(secret_key: str, secret_hash: str) -> bool:
    """Whether ``secret_key`` matches ``secret_hash`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = secret_hash.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = _scrypt(secret_key, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(secret_key: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        secret_key.encode(), salt=salt, n=n, r=r, p=p, dklen=_SCRYPT_LEN, maxmem=64 * 1024 * 1024
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


__all__ = [
    "PUBLIC_KEY_PREFIX",
    "SECRET_KEY_PREFIX",
    "generate_project_id",
    "generate_public_key",
    "generate_secret_key",
    "hash_secret",
    "secret_lookup",
    "verify_secret",
]
