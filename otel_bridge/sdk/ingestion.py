"""``IngestionSink``: POSTs translated spans as Langfuse batch-ingestion events to
``{url}/api/public/ingestion`` (an ``otel-bridge serve`` server or a Langfuse server), with the
standard library only.

Outcomes (``SendResult``, never an exception):

- 2xx: delivered; a 207's per-event ``errors`` are reported (they are permanent: the same events
  would fail again, so they are not retried);
- 429, 502, 503, 504 and network errors: retried a few times, with exponential backoff and jitter,
  or after the server's ``Retry-After`` (both RFC 9110 forms) when it sends one, within a deadline;
  ``close()`` interrupts the wait;
- any other status (401, 400, 413, and 500 or 501: the server failed on this request, and would
  fail again): reported at once.

A batch larger than ``max_batch_bytes`` is split into several requests (Langfuse documents 3.5 MB).
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from otel_bridge import __version__
from otel_bridge.model.langfuse_wire import INGESTION_PATH, basic_authorization
from otel_bridge.sdk.langfuse_events import ingestion_events
from otel_bridge.sdk.sinks import SendResult
from otel_bridge.sdk.throttle import sdk_log
from otel_bridge.translate import Translation

__all__ = ["RETRYABLE_STATUSES", "IngestionSink", "RetryPolicy", "parse_retry_after"]

#: The statuses that say "later" rather than "never" (the set the OTLP/HTTP exporters retry): too many
#: requests, and a gateway or server that is overloaded or not there yet. A 500 or 501 is the
#: server failing on this very request, which a retry would repeat.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
#: How much of an error body goes into a message.
_SNIPPET = 300

_logger = logging.getLogger("otel_bridge.sdk")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How ``IngestionSink`` retries a request: at most ``attempts`` tries, waiting ``backoff * 2**n``
    seconds (±20 %, at most ``max_backoff``) or the server's ``Retry-After``, and never past
    ``deadline`` seconds after the first try."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    deadline: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """The wait before try ``attempt + 1`` (``attempt`` counts from 0)."""
        if retry_after is not None:
            return retry_after
        return min(self.backoff * 2.0**attempt, self.max_backoff) * random.uniform(0.8, 1.2)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    headers: Mapping[str, str]  # names lowercase
    body: bytes


class IngestionSink:
    """Sends translations to a Langfuse-compatible ingestion endpoint with Basic auth
    ``public_key:secret_key``. Thread-safe; each ``send`` blocks until delivered or given up."""

    def __init__(
        self,
        url: str,
        public_key: str,
        secret_key: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        max_batch_bytes: int = 3_000_000,
    ) -> None:
        self.endpoint = url.rstrip("/") + INGESTION_PATH
        self._headers = {
            "Authorization": basic_authorization(public_key, secret_key),
            "Content-Type": "application/json",
            "User-Agent": f"otel-bridge/{__version__}",
        }
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_batch_bytes = max_batch_bytes
        self._closed = threading.Event()
        self._opener = urllib.request.build_opener()

    def send(self, translations: Sequence[Translation]) -> SendResult:
        """POST the translations' events, split into requests of at most ``max_batch_bytes``."""
        if self._closed.is_set():
            return SendResult(("the sink is closed",))
        try:
            events = ingestion_events(translations)
            kinds = {event["id"]: event["type"] for event in events}
            errors: list[str] = []
            for body in _request_bodies(events, self.max_batch_bytes):
                errors.extend(self._post(body, kinds))
            return SendResult(tuple(errors))
        except Exception as error:  # a bug here must not reach the application
            sdk_log.report("send-error", "otel-bridge: sending to %s failed", self.endpoint, exc_info=True)
            return SendResult((f"sending failed: {type(error).__name__}: {error}",))

    def close(self) -> None:
        """Stop retrying; later sends fail."""
        self._closed.set()

    def _post(self, body: bytes, kinds: Mapping[str, str]) -> list[str]:
        """One request body, retried as the policy says; the problems left (empty: delivered)."""
        policy = self.retry
        deadline = time.monotonic() + policy.deadline
        for attempt in range(policy.attempts):
            retry_after: float | None = None
            try:
                response = self._request(body)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out
                problem = f"POST {self.endpoint} failed: {error}"
            else:
                if 200 <= response.status < 300:
                    return _event_errors(response.body, kinds)
                problem = f"POST {self.endpoint} answered {response.status}: {_snippet(response.body)}"
                if response.status not in RETRYABLE_STATUSES:
                    return [problem]
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            delay = policy.delay(attempt, retry_after)
            if attempt + 1 >= policy.attempts or time.monotonic() + delay > deadline:
                return [f"{problem} (gave up after {attempt + 1} attempts)"]
            _logger.info("otel-bridge: %s; retrying in %.1f s", problem, delay)
            if self._closed.wait(delay):
                return [f"{problem} (closed while waiting to retry)"]
        return ["no attempt was made (RetryPolicy.attempts < 1)"]

    def _request(self, body: bytes) -> _Response:
        request = urllib.request.Request(self.endpoint, data=body, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return _Response(response.status, _lowercase(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:  # urllib raises for every status outside 2xx
            with error:
                return _Response(error.code, _lowercase(error.headers.items()), error.read())


def _lowercase(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers}


def _request_bodies(events: Sequence[Mapping[str, Any]], limit: int) -> Iterator[bytes]:
    """``{"batch": [...], "metadata": {...}}`` bodies of at most ``limit`` bytes (an event larger than
    that alone goes in a request of its own)."""
    prefix = b'{"batch":['
    suffix = (
        b'],"metadata":' + json.dumps({"sdk_name": "otel-bridge", "sdk_version": __version__}).encode() + b"}"
    )
    chunk: list[bytes] = []
    size = len(prefix) + len(suffix)
    for event in events:
        encoded = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if chunk and size + len(encoded) + 1 > limit:
            yield prefix + b",".join(chunk) + suffix
            chunk, size = [], len(prefix) + len(suffix)
        chunk.append(encoded)
        size += len(encoded) + 1
    if chunk:
        yield prefix + b",".join(chunk) + suffix


def _event_errors(body: bytes, kinds: Mapping[str, str]) -> list[str]:
    """The per-event errors of an ``IngestionResponse`` (a 207); a body without any is success."""
    try:
        document = json.loads(body) if body else {}
    except ValueError:
        return []
    errors = document.get("errors") if isinstance(document, dict) else None
    if not isinstance(errors, list):
        return []
    problems = []
    for error in errors:
        if not isinstance(error, dict):
            continue
        event_id = str(error.get("id", ""))
        kind = kinds.get(event_id, "event")
        problems.append(f"{kind} {event_id} rejected ({error.get('status')}): {error.get('message')}")
    return problems


def _snippet(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"
