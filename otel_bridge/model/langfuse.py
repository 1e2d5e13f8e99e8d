"""Langfuse's data model: observations, traces and sessions. Langfuse vocabulary lives here and above."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class ObservationType(str, enum.Enum):
    """Langfuse's ten observation types."""

    SPAN = "SPAN"
    GENERATION = "GENERATION"
    EVENT = "EVENT"
    AGENT = "AGENT"
    TOOL = "TOOL"
    CHAIN = "CHAIN"
    RETRIEVER = "RETRIEVER"
    EVALUATOR = "EVALUATOR"
    EMBEDDING = "EMBEDDING"
    GUARDRAIL = "GUARDRAIL"


class ObservationLevel(str, enum.Enum):
    """Langfuse's observation levels."""

    DEBUG = "DEBUG"
    DEFAULT = "DEFAULT"
    WARNING = "WARNING"
    ERROR = "ERROR"


@dataclass(frozen=True)
class Usage:
    """Token usage, normalized across conventions.

    ``input`` counts every input token, cached ones included (as the OTel GenAI conventions define
    ``gen_ai.usage.input_tokens``); ``cached`` is the part of it read from a cache. ``output`` likewise
    includes ``reasoning``. ``details`` keeps any further counts a convention reports (cache writes,
    audio, ...) under their own names.
    """

    input: int = 0
    output: int = 0
    total: int = 0
    cached: int = 0
    reasoning: int = 0
    details: Mapping[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.input or self.output or self.total or self.cached or self.reasoning or self.details)


@dataclass(frozen=True)
class Cost:
    """Cost in USD. ``computed`` is true when otel-bridge derived it from its price table rather than
    reading it from the span; ``price_date`` then names the table's date."""

    input: float | None = None
    output: float | None = None
    total: float | None = None
    computed: bool = False
    price_date: str | None = None


@dataclass(frozen=True)
class Observation:
    """One span, translated: Langfuse's observation."""

    id: str
    trace_id: str
    parent_observation_id: str | None
    type: ObservationType
    name: str
    start_time: datetime
    end_time: datetime
    completion_start_time: datetime | None = None
    model: str | None = None
    model_parameters: Mapping[str, Any] = field(default_factory=dict)
    input: Any = None
    output: Any = None
    usage: Usage = field(default_factory=Usage)
    cost: Cost | None = None
    level: ObservationLevel = ObservationLevel.DEFAULT
    status_message: str | None = None
    version: str | None = None
    environment: str = "default"
    metadata: Mapping[str, Any] = field(default_factory=dict)
    prompt_name: str | None = None
    prompt_version: int | None = None


@dataclass(frozen=True)
class TraceClaims:
    """What one span says about its trace. Any span may carry any claim; ``resolve_trace`` turns the
    claims of all of a trace's spans into one ``Trace`` (docs/architecture.md, translation rule 3).

    ``explicit_*`` are trace-level attributes (``langfuse.trace.name/input/output``); ``span_name``,
    ``span_input`` and ``span_output`` are the span's own, used when the span is (or stands in for)
    the root.
    """

    trace_id: str
    span_id: str
    start_time_unix_nano: int
    end_time_unix_nano: int
    is_root: bool
    span_name: str
    session_id: str | None = None
    user_id: str | None = None
    tags: tuple[str, ...] = ()
    release: str | None = None
    version: str | None = None
    environment: str | None = None
    public: bool | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    explicit_name: str | None = None
    explicit_input: Any = None
    explicit_output: Any = None
    span_input: Any = None
    span_output: Any = None


@dataclass(frozen=True, slots=True)
class Trace:
    """A trace resolved from the claims of all its spans."""

    id: str
    timestamp: datetime
    end_time: datetime
    name: str | None
    root_observation_id: str
    session_id: str | None = None
    user_id: str | None = None
    tags: tuple[str, ...] = ()
    release: str | None = None
    version: str | None = None
    environment: str = "default"
    public: bool = False
    input: Any = None
    output: Any = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def latency_seconds(self) -> float:
        """From the first span's start to the last span's end."""
        return (self.end_time - self.timestamp).total_seconds()


@dataclass(frozen=True, slots=True)
class Session:
    """Every trace that shares one session id, with aggregates maintained at write time."""

    id: str
    first_activity: datetime
    last_activity: datetime
    trace_count: int = 0
    observation_count: int = 0
    user_ids: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    total_cost: float = 0.0
    error_count: int = 0

    @property
    def duration_seconds(self) -> float:
        """From the first trace's start to the last activity."""
        return (self.last_activity - self.first_activity).total_seconds()


@dataclass(frozen=True)
class Payload:
    """An input or output kept as the text it arrived in, with the name of the normalizer that turns
    it into its readable form (``json``: the parsed document; ``genai.messages``: normalized chat
    messages; see ``otel_bridge.translate.payloads``).

    Parsing and normalizing a 1.5 KB message list costs more than decoding the whole span, and the
    store keeps text anyway, so large payloads are normalized when read, not when ingested. The
    normalized value is a pure function of ``text`` and ``format``.
    """

    text: str
    format: str = "json"
