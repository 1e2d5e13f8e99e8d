"""A Langfuse score body → a ``Score``: ``POST /api/public/scores``' ``CreateScoreRequest`` and the
body of a batch's ``score-create`` event (``ScoreBody``) have the same fields and the same rules.

- ``name`` and ``value`` are required. ``dataType`` is ``NUMERIC``, ``CATEGORICAL`` or ``BOOLEAN``;
  without it a number is numeric and a string categorical, as in Langfuse. A numeric value is a finite
  number; a boolean is 1 or 0 (``true``/``false`` are taken as 1/0); a categorical value a non-empty
  string (its ``value`` is 0: there are no score configs here to map categories to numbers).
- The score belongs to a trace, a session or a dataset run: at least one of ``traceId``,
  ``sessionId``, ``datasetRunId``; an ``observationId`` needs its ``traceId``. Nothing checks that
  they exist: a score may arrive before the spans it scores, as with Langfuse's queues.
- ``id`` defaults to a new UUID (re-using an id replaces the score); ``timestamp`` to the time it was
  received; ``environment`` follows the rule spans follow (``normalized_environment``); ``source``
  is ``API`` or ``ANNOTATION`` (default ``API``).

Problems raise ``EventError`` naming the field and its rule.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from otel_bridge.errors import EventError
from otel_bridge.model import Score, ScoreDataType, ScoreSource
from otel_bridge.model.langfuse_wire import normalized_environment
from otel_bridge.translate.langfuse_ingestion.bodies import EventBody

#: Boolean scores are numbers: 1 is ``True``, 0 is ``False`` (``stringValue``).
BOOLEAN_STRINGS = {1.0: "True", 0.0: "False"}
_SOURCES = (ScoreSource.API, ScoreSource.ANNOTATION)


def _choice(body: EventBody, name: str, allowed: tuple[Any, ...]) -> Any:
    text = body.string(name)
    if text is None:
        return None
    for member in allowed:
        if member.value == text.strip().upper():
            return member
    names = ", ".join(member.value for member in allowed)
    raise EventError(f"body.{name} must be one of {names}, got {text!r}")


def _typed_value(data_type: ScoreDataType | None, value: Any) -> tuple[ScoreDataType, float, str | None]:
    if isinstance(value, bool):
        value = 1.0 if value else 0.0
    is_number = isinstance(value, (int, float))
    if not is_number and not isinstance(value, str):
        raise EventError("body.value is required and must be a number or a string")
    if data_type is None:
        data_type = ScoreDataType.NUMERIC if is_number else ScoreDataType.CATEGORICAL
    if data_type is ScoreDataType.CATEGORICAL:
        if not isinstance(value, str) or not value:
            raise EventError("body.value of a CATEGORICAL score must be a non-empty string")
        return data_type, 0.0, value
    if not is_number or not math.isfinite(float(value)):
        raise EventError(f"body.value of a {data_type.value} score must be a finite number")
    number = float(value)
    if data_type is ScoreDataType.BOOLEAN:
        if number not in BOOLEAN_STRINGS:
            raise EventError("body.value of a BOOLEAN score must be 1 (true) or 0 (false)")
        return data_type, number, BOOLEAN_STRINGS[number]
    return data_type, number, None


def parse_score(raw: Mapping[str, Any], *, timestamp: datetime, now: datetime) -> Score:
    """The score a body describes; ``timestamp`` when the body has none, ``now`` its creation time."""
    body = EventBody(raw)
    name = body.string("name")
    if not name:
        raise EventError("body.name is required and must be a non-empty string")
    if "value" not in raw or raw["value"] is None:
        raise EventError("body.value is required and must be a number or a string")
    text_type = body.string("dataType")
    if text_type is not None and text_type.strip().upper() in ("TEXT", "CORRECTION"):
        raise EventError(f"body.dataType {text_type} is not kept here; use NUMERIC, CATEGORICAL or BOOLEAN")
    data_type, value, string_value = _typed_value(
        _choice(body, "dataType", tuple(ScoreDataType)), raw["value"]
    )
    trace_id = body.identifier("traceId")
    session_id = body.identifier("sessionId")
    dataset_run_id = body.identifier("datasetRunId")
    observation_id = body.identifier("observationId")
    if observation_id is not None and trace_id is None:
        raise EventError("body.observationId needs body.traceId (the observation's trace)")
    if trace_id is None and session_id is None and dataset_run_id is None:
        raise EventError("a score needs one of body.traceId, body.sessionId or body.datasetRunId")
    environment = body.string("environment")
    return Score(
        id=body.identifier("id") or str(uuid.uuid4()),
        name=name,
        data_type=data_type,
        value=value,
        string_value=string_value,
        timestamp=body.datetime("timestamp") or timestamp,
        created_at=now,
        updated_at=now,
        trace_id=trace_id,
        observation_id=observation_id,
        session_id=session_id,
        dataset_run_id=dataset_run_id,
        source=_choice(body, "source", _SOURCES) or ScoreSource.API,
        comment=body.string("comment"),
        metadata=raw.get("metadata"),
        config_id=body.string("configId"),
        queue_id=body.string("queueId"),
        environment=normalized_environment(environment) if environment else "default",
    )


__all__ = ["BOOLEAN_STRINGS", "parse_score"]
