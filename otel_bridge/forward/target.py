"""One forwarding target: a Langfuse server's URL, a project's keys, the protocol it speaks, and what
its answers mean.

Every answer is one of three ``Outcome``s: accepted, worth retrying (429, 408, 5xx, a connection that
failed or timed out; after the server's ``Retry-After`` when it gives one), or refused for good (any
other 4xx: bad keys, a payload the server rejects; retrying the same request cannot succeed). Standard
library only (``urllib``): the in-process exporter uses this module without the server extra.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from otel_bridge import __version__
from otel_bridge.model.langfuse_wire import INGESTION_PATH, basic_authorization
from otel_bridge.sdk.ingestion import parse_retry_after

__all__ = [
    "INGESTION_VERSION_HEADER",
    "OTEL_TRACES_PATH",
    "Outcome",
    "Protocol",
    "Response",
    "Target",
    "outcome_of",
    "retry_after_seconds",
]

logger = logging.getLogger("otel_bridge.forward")

#: The path of Langfuse's OTel endpoint (``POST``, OTLP/HTTP protobuf).
OTEL_TRACES_PATH = "/api/public/otel/v1/traces"
#: ``4``: Langfuse writes the spans straight into its events table, visible at once (without it, "up
#: to ~10 minutes of delay"; docs/reference/langfuse-api.md, OTel endpoint).
INGESTION_VERSION_HEADER = "x-langfuse-ingestion-version"
#: Statuses worth retrying: the server is busy, rate limiting, or failing for a while.
_RETRYABLE = frozenset({408, 425, 429, 500, 502, 503, 504})


class Protocol(str, enum.Enum):
    """How to deliver: Langfuse's OTel endpoint, its batch ingestion, or whichever the target has."""

    OTEL = "otel"
    INGESTION = "ingestion"
    AUTO = "auto"


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP answer, read whole; status 0: no answer (connection refused, reset, timed out)."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def message(self) -> str:
        """The server's message: ``{"message"|"error": …}`` of a JSON body, else its text (cut)."""
        text = self.body.decode("utf-8", errors="replace").strip()
        try:
            document = json.loads(text)
        except ValueError:
            return text[:500]
        if isinstance(document, dict):
            for key in ("message", "error"):
                if isinstance(document.get(key), str):
                    return str(document[key])[:500]
        return text[:500]


class Outcome(enum.Enum):
    """What an answer means for the data sent."""

    ACCEPTED = "accepted"
    RETRY = "retry"
    REFUSED = "refused"


def outcome_of(status: int) -> Outcome:
    """The ``Outcome`` of an HTTP status (0: no answer, retried)."""
    if 200 <= status < 300:
        return Outcome.ACCEPTED
    if status == 0 or status in _RETRYABLE:
        return Outcome.RETRY
    return Outcome.REFUSED


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now (RFC 9110: delay seconds or an HTTP date); None if absent
    or unreadable."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    return parse_retry_after(value, now)


@dataclass(frozen=True)
class Target:
    """A Langfuse server (or an ``otel-bridge serve``) and a project's keys on it."""

    url: str
    public_key: str
    secret_key: str
    timeout: float = 30.0

    @property
    def base(self) -> str:
        """The URL without a trailing slash."""
        return self.url.rstrip("/")

    def post(
        self, path: str, body: bytes, content_type: str, headers: Mapping[str, str] | None = None
    ) -> Response:
        """POST ``body``; never raises for a transport failure (status 0 instead)."""
        sent = {
            "Content-Type": content_type,
            "Authorization": basic_authorization(self.public_key, self.secret_key),
            "User-Agent": f"otel-bridge/{__version__}",
            **(headers or {}),
        }
        request = urllib.request.Request(self.base + path, data=body, headers=sent, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return Response(answer.status, dict(answer.headers.items()), answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, dict(error.headers.items()), error.read())
        except (OSError, ValueError) as error:  # refused, reset, timed out, bad URL
            return Response(0, {}, str(error).encode())

    def post_spans(self, request: ExportTraceServiceRequest) -> Response:
        """POST OTLP/HTTP protobuf to the OTel endpoint, asking for Langfuse's direct (v4) write."""
        return self.post(
            OTEL_TRACES_PATH,
            request.SerializeToString(),
            "application/x-protobuf",
            {INGESTION_VERSION_HEADER: "4"},
        )

    def post_events(self, body: bytes) -> Response:
        """POST a batch-ingestion body (``{"batch": [...]}``, JSON)."""
        return self.post(INGESTION_PATH, body, "application/json")

    def detect(self) -> Protocol | None:
        """Which protocol the target speaks: an empty export to the OTel endpoint is accepted by a
        server that has it and answered 404/405 by one that has only batch ingestion. None when it
        cannot tell (no answer, keys refused, anything else)."""
        started = time.monotonic()
        # A short wait: a target that does not answer is detected again before the first delivery.
        probe = dataclasses.replace(self, timeout=min(self.timeout, 5.0))
        answer = probe.post_spans(ExportTraceServiceRequest())
        logger.debug("protocol probe answered %d in %.2f s", answer.status, time.monotonic() - started)
        if 200 <= answer.status < 300:
            return Protocol.OTEL
        if answer.status in (404, 405):
            return Protocol.INGESTION
        return None
