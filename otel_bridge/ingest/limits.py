"""Abuse limits on what one request may store: the size of one attribute value, attributes per span,
spans (or Langfuse events) per request, and the length of the ids and names a session listing is
built from (session id, user id, trace name).

Why each limit answers the way it does:

- an attribute value over ``max_attribute_value_length`` characters is *truncated*, not refused:
  the span's other content is worth keeping, and a prompt pasted whole is a mistake, not an attack.
  The stored value ends with ``TRUNCATION_MARKER`` and the number of characters cut, so that a reader
  sees it was cut (``truncate_value``);
- a span with more than ``max_attributes_per_span`` attributes is *rejected* (OTLP
  ``partial_success``, the reason naming the limit): dropping arbitrary attributes would silently
  change what the span means;
- a request with more than ``max_spans_per_request`` spans is refused whole (413): nothing of it is
  stored, and the message says how to split it;
- a session id, user id or trace name longer than ``max_id_length`` is rejected with its span:
  truncating it could merge two sessions into one.

The functions run where the spans are decoded (a decode worker process), so what they count
travels back to the server as a plain ``Counter`` (``LimitHits``) for ``/metrics``.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from otel_bridge.errors import PayloadTooLarge
from otel_bridge.model import Rejected, SpanRecord
from otel_bridge.model.spans import Attributes, AttributeValue
from otel_bridge.translate import Translation

#: What ends a truncated value, followed by how many characters were cut and ``]``.
TRUNCATION_MARKER = "…[truncated "

#: The name of each limit in ``/metrics`` (``otel_bridge_limit_hits_total{limit=…}``).
ATTRIBUTE_TRUNCATED = "attribute_value_truncated"
TOO_MANY_ATTRIBUTES = "attributes_per_span"
TOO_MANY_SPANS = "spans_per_request"
ID_TOO_LONG = "id_length"

#: Counts of limit hits by name.
LimitHits = Counter[str]


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """The per-request limits (``otel_bridge.config.Settings`` holds the configured values)."""

    max_attribute_value_length: int = 256 * 1024
    max_attributes_per_span: int = 1024
    max_spans_per_request: int = 50_000
    max_id_length: int = 800


DEFAULT_LIMITS = IngestLimits()


def check_span_count(count: int, limits: IngestLimits, what: str = "spans") -> None:
    """``PayloadTooLarge`` when one request carries more than ``max_spans_per_request`` items."""
    if count > limits.max_spans_per_request:
        raise PayloadTooLarge(
            f"max_spans_per_request: the request has {count} {what}, the limit is "
            f"{limits.max_spans_per_request} (OTEL_BRIDGE_MAX_SPANS_PER_REQUEST); send smaller batches",
            TOO_MANY_SPANS,
        )


def truncate_value(value: str, limit: int) -> str:
    """``value`` cut to ``limit`` characters and marked, or ``value`` when it fits."""
    if len(value) <= limit:
        return value
    return f"{value[:limit]}{TRUNCATION_MARKER}{len(value) - limit} characters]"


def _truncated(value: AttributeValue, limit: int, hits: LimitHits) -> AttributeValue:
    if isinstance(value, str):
        if len(value) > limit:
            hits[ATTRIBUTE_TRUNCATED] += 1
            return truncate_value(value, limit)
        return value
    if isinstance(value, bytes):
        if len(value) > limit:
            hits[ATTRIBUTE_TRUNCATED] += 1
            # Bytes are shown as hex downstream: the kept ones as hex, then the marker.
            return f"{value[:limit].hex()}{TRUNCATION_MARKER}{len(value) - limit} bytes]"
        return value
    if isinstance(value, list):
        return [_truncated(item, limit, hits) for item in value]
    if isinstance(value, dict):
        return {key: _truncated(item, limit, hits) for key, item in value.items()}
    return value


def _needs_truncation(value: AttributeValue, limit: int) -> bool:
    if isinstance(value, (str, bytes)):
        return len(value) > limit
    if isinstance(value, list):
        return any(_needs_truncation(item, limit) for item in value)
    if isinstance(value, dict):
        return any(_needs_truncation(item, limit) for item in value.values())
    return False


def _any_long(attributes: Attributes, limit: int) -> bool:
    return any(_needs_truncation(value, limit) for value in attributes.values())


def _limited_attributes(attributes: Attributes, limit: int, hits: LimitHits) -> Attributes:
    """The attributes with every value longer than ``limit`` truncated."""
    return {key: _truncated(value, limit, hits) for key, value in attributes.items()}


def limit_records(
    records: Sequence[SpanRecord], limits: IngestLimits
) -> tuple[list[SpanRecord], list[Rejected], LimitHits]:
    """The records within the limits (long values truncated), the rejected ones, and what was hit."""
    hits: LimitHits = Counter()
    kept: list[SpanRecord] = []
    rejected: list[Rejected] = []
    value_limit = limits.max_attribute_value_length
    resources: dict[int, Attributes | None] = {}
    for record in records:
        if len(record.attributes) > limits.max_attributes_per_span:
            hits[TOO_MANY_ATTRIBUTES] += 1
            rejected.append(
                Rejected(
                    record.trace_id,
                    record.span_id,
                    f"attributes: the span has {len(record.attributes)} attributes, the limit is "
                    f"{limits.max_attributes_per_span} (OTEL_BRIDGE_MAX_ATTRIBUTES_PER_SPAN)",
                )
            )
            continue
        changes: dict[str, Any] = {}
        # The common case, nothing too long, keeps the decoded span as it is, without a copy.
        if _any_long(record.attributes, value_limit):
            changes["attributes"] = _limited_attributes(record.attributes, value_limit, hits)
        # Spans of one resource share its attributes object: check (and count) it once.
        key = id(record.resource_attributes)
        if key not in resources:
            long = _any_long(record.resource_attributes, value_limit)
            resources[key] = (
                _limited_attributes(record.resource_attributes, value_limit, hits) if long else None
            )
        limited = resources[key]
        if limited is not None:
            changes["resource_attributes"] = limited
        if any(_any_long(event.attributes, value_limit) for event in record.events):
            changes["events"] = tuple(
                dataclasses.replace(
                    event, attributes=_limited_attributes(event.attributes, value_limit, hits)
                )
                if _any_long(event.attributes, value_limit)
                else event
                for event in record.events
            )
        if len(record.name) > value_limit:
            hits[ATTRIBUTE_TRUNCATED] += 1
            changes["name"] = truncate_value(record.name, value_limit)
        kept.append(dataclasses.replace(record, **changes) if changes else record)
    return kept, rejected, hits


def _id_problem(translation: Translation, limit: int) -> str | None:
    claims = translation.claims
    for field, value in (
        ("session_id", claims.session_id),
        ("user_id", claims.user_id),
        ("trace_name", claims.explicit_name),
        ("trace_name", claims.span_name if claims.is_root else None),
    ):
        if value is not None and len(value) > limit:
            return f"{field}: {len(value)} characters, the limit is {limit} (OTEL_BRIDGE_MAX_ID_LENGTH)"
    return None


def limit_translations(
    translations: Sequence[Translation], limits: IngestLimits, hits: LimitHits | None = None
) -> tuple[list[Translation], list[Rejected]]:
    """The translations whose session id, user id and trace name fit ``max_id_length``, and the
    rejected others; hits are added to ``hits``."""
    kept: list[Translation] = []
    rejected: list[Rejected] = []
    for translation in translations:
        problem = _id_problem(translation, limits.max_id_length)
        if problem is None:
            kept.append(translation)
            continue
        if hits is not None:
            hits[ID_TOO_LONG] += 1
        observation = translation.observation
        rejected.append(Rejected(observation.trace_id, observation.id, problem))
    return kept, rejected


__all__ = [
    "ATTRIBUTE_TRUNCATED",
    "DEFAULT_LIMITS",
    "ID_TOO_LONG",
    "TOO_MANY_ATTRIBUTES",
    "TOO_MANY_SPANS",
    "TRUNCATION_MARKER",
    "IngestLimits",
    "LimitHits",
    "check_span_count",
    "limit_records",
    "limit_translations",
    "truncate_value",
]
