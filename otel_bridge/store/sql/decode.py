"""Stored rows → model values: projects, observations, traces with their aggregates, sessions.

Rows come as mappings (column name → value); the contents they reference come from a
``ContentReader`` that fetched them with the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from otel_bridge.model import (
    Cost,
    Observation,
    ObservationLevel,
    ObservationType,
    Session,
    Trace,
    Usage,
    nanos_to_datetime,
)
from otel_bridge.store import Project, TraceSummary
from otel_bridge.store.aggregates import NANOS_PER_USD, nanos_to_usd
from otel_bridge.store.sql.content import ContentReader


def decode_project(row: Mapping[Any, Any]) -> Project:
    """A ``Project`` from a ``projects`` row."""
    return Project(
        id=row["id"],
        name=row["name"],
        public_key=row["public_key"],
        created_at=nanos_to_datetime(row["created_ns"]),
    )


def _cost(row: Mapping[Any, Any]) -> Cost | None:
    """An observation's cost; a null ``cost_computed`` is no cost at all."""
    computed = row["cost_computed"]
    if computed is None:
        return None
    return Cost(
        input=nanos_to_usd(row["cost_input_nanos"]),
        output=nanos_to_usd(row["cost_output_nanos"]),
        total=nanos_to_usd(row["cost_total_nanos"]),
        computed=bool(computed),
        price_date=row["price_date"],
    )


def _json_or(text: str | None, empty: Any) -> Any:
    """Stored JSON, where NULL stands for an empty value."""
    return json.loads(text) if text else empty


def decode_observation(row: Mapping[Any, Any], reader: ContentReader) -> Observation:
    """An ``Observation`` from an ``observations`` row; ``reader`` holds the contents it references."""
    metadata: dict[str, Any] = _json_or(row["metadata"], {})
    resource = reader.load(row["resource_hash"])
    if resource:
        metadata.update(resource)
    completion = row["completion_start_ns"]
    return Observation(
        id=row["id"],
        trace_id=row["trace_id"],
        parent_observation_id=row["parent_id"],
        type=ObservationType(row["type"]),
        name=row["name"],
        start_time=nanos_to_datetime(row["start_ns"]),
        end_time=nanos_to_datetime(row["end_ns"]),
        completion_start_time=None if completion is None else nanos_to_datetime(completion),
        model=row["model"],
        model_parameters=_json_or(row["model_parameters"], {}),
        input=reader.load(row["input_hash"]),
        output=reader.load(row["output_hash"]),
        usage=Usage(
            input=row["input_tokens"],
            output=row["output_tokens"],
            total=row["total_tokens"],
            cached=row["cached_tokens"],
            reasoning=row["reasoning_tokens"],
            details=_json_or(row["usage_details"], {}),
        ),
        cost=_cost(row),
        level=ObservationLevel(row["level"]),
        status_message=row["status_message"],
        version=row["version"],
        environment=row["environment"],
        metadata=metadata,
        prompt_name=row["prompt_name"],
        prompt_version=row["prompt_version"],
    )


def decode_trace(row: Mapping[Any, Any], reader: ContentReader) -> Trace:
    """A ``Trace`` from a ``traces`` row; ``reader`` holds the contents it references."""
    return Trace(
        id=row["id"],
        timestamp=nanos_to_datetime(row["timestamp_ns"]),
        end_time=nanos_to_datetime(row["end_ns"]),
        name=row["name"],
        root_observation_id=row["root_observation_id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        tags=tuple(json.loads(row["tags"])),
        release=row["release"],
        version=row["version"],
        environment=row["environment"],
        public=bool(row["public"]),
        input=reader.load(row["input_hash"]),
        output=reader.load(row["output_hash"]),
        metadata=json.loads(row["metadata"]),
    )


def decode_trace_summary(row: Mapping[Any, Any], reader: ContentReader) -> TraceSummary:
    """A ``TraceSummary`` from a ``traces`` row; ``reader`` holds the contents it references."""
    return TraceSummary(
        trace=decode_trace(row, reader),
        observation_count=row["observation_count"],
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        total_tokens=row["total_tokens"],
        total_cost=nanos_to_usd(row["total_cost_nanos"]),
        error_count=row["error_count"],
        updated_at=nanos_to_datetime(row["updated_ns"]),
    )


def decode_session(row: Mapping[Any, Any]) -> Session:
    """A ``Session`` from a ``sessions`` row."""
    return Session(
        id=row["id"],
        first_activity=nanos_to_datetime(row["first_activity_ns"]),
        last_activity=nanos_to_datetime(row["last_activity_ns"]),
        trace_count=row["trace_count"],
        observation_count=row["observation_count"],
        user_ids=tuple(json.loads(row["user_ids"])),
        tags=tuple(json.loads(row["tags"])),
        environments=tuple(json.loads(row["environments"])),
        input_tokens=row["input_tokens"],
        output_tokens=row["output_tokens"],
        total_tokens=row["total_tokens"],
        total_cost=row["total_cost_nanos"] / NANOS_PER_USD,
        error_count=row["error_count"],
    )


__all__ = ["decode_observation", "decode_project", "decode_session", "decode_trace", "decode_trace_summary"]
