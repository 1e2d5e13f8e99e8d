"""Langfuse's wire format, in one place: what the ingestion API, the read API, the in-process
library's ingestion sink, the UI and the forwarder all write and read the same way.

Standard library only, like the rest of ``model``.
"""

from __future__ import annotations

import base64

#: The environment of everything that names none (Langfuse's default).
DEFAULT_ENVIRONMENT = "default"


def basic_authorization(public_key: str, secret_key: str) -> str:
    """The ``Authorization`` value for a Langfuse key pair: ``Basic base64(public:secret)``."""
    token = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
    return f"Basic {token}"


__all__ = ["DEFAULT_ENVIRONMENT", "basic_authorization"]
