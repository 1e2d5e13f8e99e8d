"""Langfuse's scores: evaluations and user feedback attached to a trace, an observation of a trace,
a session or a dataset run. One score has one name and one value of one data type."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class ScoreDataType(str, enum.Enum):
    """The score data types otel-bridge keeps (Langfuse also has ``TEXT`` and ``CORRECTION``)."""

    NUMERIC = "NUMERIC"
    CATEGORICAL = "CATEGORICAL"
    BOOLEAN = "BOOLEAN"


class ScoreSource(str, enum.Enum):
    """Where a score came from: the API (SDKs, scripts), a human annotation, an evaluator."""

    API = "API"
    ANNOTATION = "ANNOTATION"
    EVAL = "EVAL"


@dataclass(frozen=True, slots=True)
class Score:
    """One score, as Langfuse defines it.

    ``value`` is the number (boolean: 1 or 0; categorical: 0, as in Langfuse without a score config);
    ``string_value`` is the category, or ``"True"``/``"False"`` for a boolean, None for a numeric
    score. At least one of ``trace_id``, ``session_id`` and ``dataset_run_id`` is set, and an
    ``observation_id`` comes with its ``trace_id``.
    """

    id: str
    name: str
    data_type: ScoreDataType
    value: float
    string_value: str | None
    timestamp: datetime
    created_at: datetime
    updated_at: datetime
    trace_id: str | None = None
    observation_id: str | None = None
    session_id: str | None = None
    dataset_run_id: str | None = None
    source: ScoreSource = ScoreSource.API
    comment: str | None = None
    metadata: Any = None
    config_id: str | None = None
    queue_id: str | None = None
    environment: str = "default"


__all__ = ["Score", "ScoreDataType", "ScoreSource"]
