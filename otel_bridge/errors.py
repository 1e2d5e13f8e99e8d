"""The exception tree of otel-bridge.

Every error knows whether retrying the same request can succeed (``retryable``); that single
classification decides the transport code (see ``receivers/status.py``)::

    OtelBridgeError                 retryable?
    ├── ConfigError                 no   bad settings, raised at startup
    ├── CommandError                no   a command the user can correct (its message says how; exit 2 or 1)
    ├── DecodeError                 no   a body that cannot be parsed at all (HTTP 400 / INVALID_ARGUMENT)
    ├── UnsupportedMediaType        no   a content type we do not speak (HTTP 415)
    ├── PayloadTooLarge             no   a body over the size limits (HTTP 413 / RESOURCE_EXHAUSTED)
    ├── RateLimited                 yes  a project over its request rate (HTTP 429 + Retry-After /
    │                                    RESOURCE_EXHAUSTED + RetryInfo)
    ├── Unauthenticated             no   missing or wrong credentials (HTTP 401 / UNAUTHENTICATED)
    ├── Forbidden                   no   known credentials, refused request (a cross-site form; HTTP 403)
    ├── NotFound                    no   no such object in this project (HTTP 404)
    ├── EventError                  no   one Langfuse ingestion event that cannot be applied (its 207 entry)
    ├── WriteRejected               no   the database refused these spans for good (a data error: reported
    │                                    as rejected spans, never retried; HTTP 400 / INVALID_ARGUMENT)
    ├── QueueFull                   yes  backpressure (HTTP 503 + Retry-After / UNAVAILABLE + RetryInfo)
    │   └── ForwardBacklogFull      yes  the spans not yet forwarded are at their bound (the same codes)
    └── StoreUnavailable            yes  the database cannot be reached (HTTP 503 / UNAVAILABLE)

Problems with a single span are values, not exceptions: see ``otel_bridge.model.Rejected``.
"""

from __future__ import annotations


class OtelBridgeError(Exception):
    """Base of every error otel-bridge raises on purpose."""

    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(OtelBridgeError):
    """A setting is missing, malformed, or contradicts another one."""


class CommandError(OtelBridgeError):
    """A command that cannot do what it was asked, for a reason the user can fix: ``message`` says what
    is wrong and what to do; ``exit_status`` is 2 for a usage mistake, 1 otherwise."""

    def __init__(self, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.exit_status = exit_status


class DecodeError(OtelBridgeError):
    """A request body that cannot be decoded at all; nothing of it is stored."""


class UnsupportedMediaType(OtelBridgeError):
    """A request whose content type otel-bridge does not accept."""


class PayloadTooLarge(OtelBridgeError):
    """A request larger than the configured limit, compressed or decompressed, or carrying more spans
    than allowed; ``limit`` names an abuse limit (``ingest/limits.py``) for ``/metrics``."""

    def __init__(self, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


class RateLimited(OtelBridgeError):
    """A project sent more requests of one kind (ingest, read) than its rate allows; the client should
    retry after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthenticated(OtelBridgeError):
    """Missing or wrong credentials."""


class Forbidden(OtelBridgeError):
    """A request the caller's credentials do not allow (the UI's forms refuse other sites' posts)."""


class NotFound(OtelBridgeError):
    """The object does not exist in the caller's project."""


class EventError(OtelBridgeError):
    """One event of a Langfuse ingestion batch that cannot be applied: reported in the batch's 207
    answer with ``status`` (400: the event is wrong; 404: it refers to something that does not exist)
    and a message naming the field and the rule; the batch's other events are applied."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class WriteRejected(OtelBridgeError):
    """The store refused a write for a reason that retrying the same spans cannot fix (a value the
    database will not store, a constraint, a bug): the spans are rejected, not retried forever."""


class QueueFull(OtelBridgeError):
    """The ingest queue is at its byte limit; the client should retry after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ForwardBacklogFull(QueueFull):
    """Forwarding is on and the traces not yet delivered to the target are at their configured bound:
    new spans are refused (retryably) rather than stored past it, so the exporters upstream keep them."""


class StoreUnavailable(OtelBridgeError):
    """The store cannot be reached or refused the write; retrying later may succeed."""

    retryable = True


__all__ = [
    "CommandError",
    "ConfigError",
    "DecodeError",
    "EventError",
    "Forbidden",
    "ForwardBacklogFull",
    "NotFound",
    "OtelBridgeError",
    "PayloadTooLarge",
    "QueueFull",
    "RateLimited",
    "StoreUnavailable",
    "Unauthenticated",
    "UnsupportedMediaType",
    "WriteRejected",
]
