"""Typed reading of a Langfuse ingestion event's body: every accessor returns None for an absent or
null field and raises ``EventError`` naming the field and its rule for a wrong one; plus the usage
and cost a body states, in the translator's terms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otel_bridge.errors import EventError
from otel_bridge.model import Cost, ObservationLevel, ObservationType
from otel_bridge.model.langfuse_wire import (
    CACHED_TOKENS_DETAIL,
    COST_PARTS,
    MAX_ID_LENGTH,
    REASONING_TOKENS_DETAIL,
    normalized_environment,
    parse_timestamp,
)
from otel_bridge.translate.conventions.langfuse import USAGE_NAMES


class EventBody:
    """Typed, validating access to an event body; errors name the field."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.raw = body

    def has(self, name: str) -> bool:
        """Whether the field is present with a non-null value (what an update merges)."""
        return self.raw.get(name) is not None

    def string(self, name: str) -> str | None:
        """A string field; a number is taken as its text."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # versions and releases are often sent as numbers
        if not isinstance(value, str):
            raise EventError(f"body.{name} must be a string, got {type(value).__name__}")
        return value

    def identifier(self, name: str) -> str | None:
        """An id field, by Langfuse's id rule."""
        value = self.string(name)
        if value is None:
            return None
        if not value or len(value) > MAX_ID_LENGTH or "\r" in value:
            raise EventError(f"body.{name} must be 1-{MAX_ID_LENGTH} characters without carriage returns")
        return value

    def datetime(self, name: str) -> datetime | None:
        """An ISO 8601 date-time field, as an aware UTC datetime."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise EventError(f"body.{name} must be an ISO 8601 date-time string")
        try:
            return parse_timestamp(f"body.{name}", value)
        except ValueError as error:
            raise EventError(str(error)) from None

    def integer(self, name: str) -> int | None:
        """An integer field (a float without a fraction counts)."""
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise EventError(f"body.{name} must be an integer")
        return int(value)

    def boolean(self, name: str) -> bool | None:
        """A boolean field."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise EventError(f"body.{name} must be a boolean")
        return value

    def mapping(self, name: str) -> dict[str, Any] | None:
        """An object field."""
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise EventError(f"body.{name} must be an object")
        return value

    def metadata(self) -> dict[str, Any] | None:
        """Metadata: an object as is; any other value under a ``metadata`` key (Langfuse accepts any)."""
        value = self.raw.get("metadata")
        if value is None:
            return None
        return value if isinstance(value, dict) else {"metadata": value}

    def tags(self) -> tuple[str, ...] | None:
        """The sorted, distinct, non-empty tags."""
        value = self.raw.get("tags")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise EventError("body.tags must be an array of strings")
        return tuple(sorted({tag for tag in value if tag}))

    def level(self) -> ObservationLevel | None:
        """The observation level, in any case."""
        value = self.string("level")
        if value is None:
            return None
        try:
            return ObservationLevel(value.upper())
        except ValueError:
            allowed = ", ".join(level.value for level in ObservationLevel)
            raise EventError(f"body.level must be one of {allowed}, got {value!r}") from None

    def observation_type(self) -> ObservationType:
        """The observation type ``body.type`` names (required: an ``observation-*`` event's type)."""
        value = self.string("type")
        if value is None:
            raise EventError("body.type is required for observation events")
        try:
            return ObservationType(value.upper())
        except ValueError:
            allowed = ", ".join(t.value for t in ObservationType)
            raise EventError(f"body.type must be one of {allowed}, got {value!r}") from None

    def environment(self) -> str | None:
        """The environment, normalized as for OTLP spans (``langfuse_wire.normalized_environment``)."""
        value = self.string("environment")
        return None if value is None else normalized_environment(value)


def merge_metadata(stored: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge: nested objects merge key by key, anything else is replaced."""
    merged = dict(stored)
    for key, value in update.items():
        before = merged.get(key)
        if isinstance(before, dict) and isinstance(value, dict):
            merged[key] = merge_metadata(before, value)
        else:
            merged[key] = value
    return merged


# -- usage and cost ------------------------------------------------------------------------------


def _count(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or value < 0:
        raise EventError(f"{where} must be a non-negative integer")
    return int(value)


#: OpenAI's nested detail objects → the prefix Langfuse gives their keys.
_DETAIL_OBJECTS = {
    "prompt_tokens_details": "input",
    "input_tokens_details": "input",
    "completion_tokens_details": "output",
    "output_tokens_details": "output",
}
#: Detail keys (after the prefix) that are the normalized cache-read and reasoning counts.
_NORMALIZED_DETAILS = {CACHED_TOKENS_DETAIL: "cached", REASONING_TOKENS_DETAIL: "reasoning"}
#: The older ``usage`` object's counts → normalized names.
_USAGE_COUNTS = {
    "input": "input",
    "output": "output",
    "total": "total",
    "promptTokens": "input",
    "completionTokens": "output",
    "totalTokens": "total",
}


def usage_counts(body: EventBody) -> dict[str, int] | None:
    """Normalized token counts (``input``, ``output``, ``total``, ``cached``, ``reasoning``, others by
    name) from ``usageDetails`` (a map of counts, or OpenAI's completion or response usage) or the
    older ``usage`` (``input/output/total`` or ``promptTokens/completionTokens/totalTokens``)."""
    details = body.raw.get("usageDetails")
    if details is not None:
        if not isinstance(details, dict):
            raise EventError("body.usageDetails must be an object of token counts")
        return _detail_counts(details)
    usage = body.raw.get("usage")
    if usage is None:
        return None
    if not isinstance(usage, dict):
        raise EventError("body.usage must be an object")
    counts: dict[str, int] = {}
    for key, target in _USAGE_COUNTS.items():
        value = usage.get(key)
        if value is not None:
            counts.setdefault(target, _count(f"body.usage.{key}", value))
    return counts


def _detail_counts(details: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, value in details.items():
        if value is None:
            continue
        prefix = _DETAIL_OBJECTS.get(key)
        if prefix is None:
            counts.setdefault(USAGE_NAMES.get(key) or key, _count(f"body.usageDetails.{key}", value))
            continue
        if not isinstance(value, dict):
            raise EventError(f"body.usageDetails.{key} must be an object")
        for name, count in value.items():
            if count is not None:
                full = f"{prefix}_{name}"
                target = _NORMALIZED_DETAILS.get(full, full)
                counts[target] = counts.get(target, 0) + _count(f"body.usageDetails.{key}.{name}", count)
    return counts


def explicit_cost(body: EventBody) -> Cost | None:
    """The cost the event states: ``costDetails`` (USD by part), else the ``usage`` costs."""
    details = body.raw.get("costDetails")
    source = "costDetails"
    if details is None:
        usage = body.raw.get("usage")
        if isinstance(usage, dict):
            source = "usage"
            details = {
                part: usage.get(f"{part}Cost") for part in COST_PARTS if usage.get(f"{part}Cost") is not None
            }
    if details is None:
        return None
    if not isinstance(details, dict):
        raise EventError("body.costDetails must be an object of USD amounts")
    parts: dict[str, float] = {}
    for part in COST_PARTS:
        value = details.get(part)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EventError(f"body.{source}.{part} must be a number")
        parts[part] = float(value)
    if not parts:
        return None
    total = parts.get("total")
    if total is None:
        total = parts.get("input", 0.0) + parts.get("output", 0.0)
    return Cost(input=parts.get("input"), output=parts.get("output"), total=total)


__all__ = ["EventBody", "explicit_cost", "merge_metadata", "usage_counts"]
