"""Langfuse ingestion events → ``Translation``s: the same values the OTLP translator produces, so that a
batch posted to ``/api/public/ingestion`` is stored by the one write path (``Store.write_batch``).

What each event becomes (DESIGN.md, "Storage and grouping semantics"):

- ``trace-create``: the trace's own claims (name, user, session, tags, release, version, environment,
  public, metadata, input, output, timestamp), kept in the trace's claims row (an observation-less
  translation whose observation id is ``otel_bridge.store.TRACE_CLAIMS_ID``). Its claims are explicit
  trace-level claims: they beat what any span says. A repeated ``trace-create`` merges into the stored
  claims: non-null fields replace, tags are unioned, metadata is deep-merged, and ``timestamp`` and
  ``environment`` keep their first value, as in Langfuse.
- ``span-create``, ``generation-create``, ``event-create``, the typed creates (``agent-create``,
  ``tool-create``, ``chain-create``, ``retriever-create``, ``evaluator-create``, ``embedding-create``,
  ``guardrail-create``) and ``observation-create``: one observation each; a create of an id that
  exists merges like an update.
- ``span-update``, ``generation-update``, ``observation-update``: merge their non-null fields into
  the stored observation (or create it, when the create has not arrived: Langfuse upserts too).
- ``score-create`` and ``sdk-log``: accepted (201) and dropped: otel-bridge keeps no scores.

Ids are stored as given (Langfuse's SDKs send UUIDs, not OTel hex). Times default to the event's
timestamp: a create without ``startTime`` starts then; without ``endTime`` it ends when it starts
(a later update sets the end). An observation is the trace's root when it has no parent. Costs
are the explicit ones (``costDetails``, or the ``usage`` costs), else computed from the shipped price
table, exactly as for OTLP spans.

Events of one batch are applied in timestamp order (stable), each onto the state left by the ones
before, so a create and its update in one batch end as the update says. Problems with one event are
values (``EventError``), reported in the 207 response; the rest of the batch is stored.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Protocol

from otel_bridge.api.params import InvalidQuery, parse_datetime
from otel_bridge.errors import NotFound
from otel_bridge.model import Cost, Observation, ObservationLevel, ObservationType, TraceClaims, Usage
from otel_bridge.store import TRACE_CLAIMS_ID
from otel_bridge.translate import Translation
from otel_bridge.translate.conventions.langfuse import USAGE_NAMES
from otel_bridge.translate.pricing import PriceTable, default_price_table
from otel_bridge.translate.usage import build_usage

TRACE_CREATE = "trace-create"

#: Event types that create an observation → its type (None: the body's ``type``).
CREATE_TYPES: Mapping[str, ObservationType | None] = {
    "span-create": ObservationType.SPAN,
    "generation-create": ObservationType.GENERATION,
    "event-create": ObservationType.EVENT,
    "agent-create": ObservationType.AGENT,
    "tool-create": ObservationType.TOOL,
    "chain-create": ObservationType.CHAIN,
    "retriever-create": ObservationType.RETRIEVER,
    "evaluator-create": ObservationType.EVALUATOR,
    "embedding-create": ObservationType.EMBEDDING,
    "guardrail-create": ObservationType.GUARDRAIL,
    "observation-create": None,
}
#: Event types that update an observation → the type it gets when the update creates it.
UPDATE_TYPES: Mapping[str, ObservationType | None] = {
    "span-update": ObservationType.SPAN,
    "generation-update": ObservationType.GENERATION,
    "observation-update": None,
}
#: Accepted and dropped: otel-bridge keeps no scores, and SDK logs are the SDK's debugging aid.
IGNORED_TYPES = frozenset({"score-create", "sdk-log"})
SUPPORTED_TYPES = frozenset({TRACE_CREATE, *CREATE_TYPES, *UPDATE_TYPES, *IGNORED_TYPES})

#: Langfuse's id rule (``idSchema``): 1-800 characters, no carriage return.
MAX_ID_LENGTH = 800
#: Langfuse's environment rule: lowercase letters, digits, ``-`` and ``_``, at most 40, not ``langfuse…``.
_ENVIRONMENT = re.compile(r"^(?!langfuse)[a-z0-9_-]{1,40}$")
DEFAULT_ENVIRONMENT = "default"

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class EventError(Exception):
    """One event that cannot be applied: reported with its status (400: the event is wrong; 404: it
    refers to something that does not exist) and a message naming the field and the rule."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class CanReadStoredSpans(Protocol):
    """The reads the ingestion merge needs (part of ``otel_bridge.store.Store``)."""

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of ``(trace_id, observation_id)``, or None."""
        ...

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by id (``NotFound`` when absent)."""
        ...


@dataclass(frozen=True, slots=True)
class Event:
    """One envelope of the batch: ``{id, timestamp, type, body, metadata?}``."""

    id: str
    type: str
    timestamp: datetime
    body: Mapping[str, Any]
    position: int


@dataclass(frozen=True, slots=True)
class EventOutcome:
    """What happened to one event: status 201, or an error status with its message."""

    id: str
    status: int
    message: str | None = None
    #: The trace an applied event wrote to (None for an event that failed or wrote nothing).
    trace_id: str | None = None


def to_nanos(moment: datetime) -> int:
    """Nanoseconds since the epoch of an aware datetime."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


# -- reading bodies --------------------------------------------------------------------------------


class _Body:
    """Typed, validating access to an event body; errors name the field."""

    def __init__(self, body: Mapping[str, Any]) -> None:
        self.raw = body

    def has(self, name: str) -> bool:
        """Whether the field is present with a non-null value (what an update merges)."""
        return self.raw.get(name) is not None

    def string(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)  # versions and releases are often sent as numbers
        if not isinstance(value, str):
            raise EventError(f"body.{name} must be a string, got {type(value).__name__}")
        return value

    def identifier(self, name: str) -> str | None:
        value = self.string(name)
        if value is None:
            return None
        if not value or len(value) > MAX_ID_LENGTH or "\r" in value:
            raise EventError(f"body.{name} must be 1-{MAX_ID_LENGTH} characters without carriage returns")
        return value

    def datetime(self, name: str) -> datetime | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise EventError(f"body.{name} must be an ISO 8601 date-time string")
        try:
            return parse_datetime(f"body.{name}", value)
        except InvalidQuery as error:
            raise EventError(error.message) from None

    def integer(self, name: str) -> int | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise EventError(f"body.{name} must be an integer")
        return int(value)

    def boolean(self, name: str) -> bool | None:
        value = self.raw.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            raise EventError(f"body.{name} must be a boolean")
        return value

    def mapping(self, name: str) -> dict[str, Any] | None:
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
        value = self.raw.get("tags")
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise EventError("body.tags must be an array of strings")
        return tuple(sorted({tag for tag in value if tag}))

    def level(self) -> ObservationLevel | None:
        value = self.string("level")
        if value is None:
            return None
        try:
            return ObservationLevel(value.upper())
        except ValueError:
            allowed = ", ".join(level.value for level in ObservationLevel)
            raise EventError(f"body.level must be one of {allowed}, got {value!r}") from None

    def environment(self) -> str | None:
        value = self.string("environment")
        if value is None:
            return None
        if not _ENVIRONMENT.match(value):
            raise EventError(
                "body.environment must be 1-40 lowercase letters, digits, '-' or '_', and must not "
                f"start with 'langfuse'; got {value!r}"
            )
        return value


def _merge_metadata(stored: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge: nested objects merge key by key, anything else is replaced."""
    merged = dict(stored)
    for key, value in update.items():
        before = merged.get(key)
        if isinstance(before, dict) and isinstance(value, dict):
            merged[key] = _merge_metadata(before, value)
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
_NORMALIZED_DETAILS = {"input_cached_tokens": "cached", "output_reasoning_tokens": "reasoning"}


def usage_counts(body: _Body) -> dict[str, int] | None:
    """Normalized token counts (``input``, ``output``, ``total``, ``cached``, ``reasoning``, others by
    name) from ``usageDetails`` (a map of counts, or OpenAI's completion or response usage) or the
    older ``usage`` (``input/output/total`` or ``promptTokens/completionTokens/totalTokens``)."""
    details = body.raw.get("usageDetails")
    if details is not None:
        if not isinstance(details, dict):
            raise EventError("body.usageDetails must be an object of token counts")
        counts: dict[str, int] = {}
        for key, value in details.items():
            if value is None:
                continue
            prefix = _DETAIL_OBJECTS.get(key)
            if prefix is not None:
                if not isinstance(value, dict):
                    raise EventError(f"body.usageDetails.{key} must be an object")
                for name, count in value.items():
                    if count is not None:
                        full = f"{prefix}_{name}"
                        target = _NORMALIZED_DETAILS.get(full, full)
                        counts[target] = counts.get(target, 0) + _count(
                            f"body.usageDetails.{key}.{name}", count
                        )
                continue
            counts.setdefault(USAGE_NAMES.get(key) or key, _count(f"body.usageDetails.{key}", value))
        return counts
    usage = body.raw.get("usage")
    if usage is None:
        return None
    if not isinstance(usage, dict):
        raise EventError("body.usage must be an object")
    names = {
        "input": "input",
        "output": "output",
        "total": "total",
        "promptTokens": "input",
        "completionTokens": "output",
        "totalTokens": "total",
    }
    counts = {}
    for key, target in names.items():
        value = usage.get(key)
        if value is not None:
            counts.setdefault(target, _count(f"body.usage.{key}", value))
    return counts


def explicit_cost(body: _Body) -> Cost | None:
    """The cost the event states: ``costDetails`` (USD by kind), else the ``usage`` costs."""
    details = body.raw.get("costDetails")
    source = "costDetails"
    parts: dict[str, float] = {}
    if details is None:
        usage = body.raw.get("usage")
        if isinstance(usage, dict):
            source = "usage"
            details = {
                kind: usage.get(f"{kind}Cost")
                for kind in ("input", "output", "total")
                if usage.get(f"{kind}Cost") is not None
            }
    if details is None:
        return None
    if not isinstance(details, dict):
        raise EventError("body.costDetails must be an object of USD amounts")
    for kind in ("input", "output", "total"):
        value = details.get(kind)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise EventError(f"body.{source}.{kind} must be a number")
        parts[kind] = float(value)
    if not parts:
        return None
    total = parts.get("total")
    if total is None:
        total = parts.get("input", 0.0) + parts.get("output", 0.0)
    return Cost(input=parts.get("input"), output=parts.get("output"), total=total)


# -- the batch -------------------------------------------------------------------------------------


class BatchConverter:
    """Applies the events of one batch, in order, onto the stored state they touch, and collects the
    resulting translations (the latest state of every observation and trace claims row touched).

    ``store`` reads are blocking: run ``apply`` off the event loop.
    """

    def __init__(
        self,
        store: CanReadStoredSpans,
        project_id: str,
        *,
        prices: PriceTable | None = None,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._project_id = project_id
        self._prices = prices or default_price_table()
        self._new_id = new_id
        # (trace id, observation id) → current translation; insertion order is write order.
        self._state: dict[tuple[str, str], Translation] = {}
        # observation id → trace id, for updates that do not name their trace.
        self._trace_of: dict[str, str] = {}
        # keys whose cost came from the event (not the price table): an update keeps it.
        self._explicit_cost: set[tuple[str, str]] = set()

    @property
    def translations(self) -> list[Translation]:
        """What to write: one translation per observation or claims row the batch touched."""
        return list(self._state.values())

    def apply(self, event: Event) -> str | None:
        """Apply one event, and return the id of the trace it wrote to (None: it writes nothing);
        raises ``EventError`` for an event that cannot be applied (the state is then unchanged)."""
        body = _Body(event.body)
        if event.type == TRACE_CREATE:
            return self._trace_create(event, body)
        if event.type in CREATE_TYPES:
            return self._observation(event, body, CREATE_TYPES[event.type], create=True)
        if event.type in UPDATE_TYPES:
            return self._observation(event, body, UPDATE_TYPES[event.type], create=False)
        if event.type not in IGNORED_TYPES:
            raise EventError(
                f"unsupported event type {event.type!r}; supported: {', '.join(sorted(SUPPORTED_TYPES))}"
            )
        return None

    # -- traces

    def _stored(self, trace_id: str, observation_id: str) -> Translation | None:
        key = (trace_id, observation_id)
        found = self._state.get(key)
        if found is None:
            found = self._store.get_translation(self._project_id, trace_id, observation_id)
        return found

    def _trace_create(self, event: Event, body: _Body) -> str:
        trace_id = body.identifier("id") or self._new_id()
        timestamp = body.datetime("timestamp") or event.timestamp
        name = body.string("name")
        environment = body.environment()
        tags = body.tags()
        metadata = body.metadata()
        public = body.boolean("public")
        fields = {
            "session_id": body.identifier("sessionId"),
            "user_id": body.string("userId"),
            "release": body.string("release"),
            "version": body.string("version"),
        }
        stored = self._stored(trace_id, TRACE_CLAIMS_ID)
        if stored is None:
            start = to_nanos(timestamp)
            claims = TraceClaims(
                trace_id=trace_id,
                span_id=TRACE_CLAIMS_ID,
                start_time_unix_nano=start,
                end_time_unix_nano=start,
                is_root=False,
                span_name=name or "",
                environment=environment,
                public=public,
                tags=tags or (),
                metadata=metadata or {},
                explicit_name=name,
                explicit_input=body.raw.get("input"),
                explicit_output=body.raw.get("output"),
                **fields,
            )
        else:
            # Langfuse: timestamp and environment keep their first value; the rest merges.
            before = stored.claims
            claims = replace(
                before,
                span_name=name or before.span_name,
                environment=before.environment or environment,
                public=before.public if public is None else public,
                tags=tuple(sorted(set(before.tags) | set(tags or ()))),
                metadata=_merge_metadata(before.metadata, metadata or {}),
                explicit_name=name or before.explicit_name,
                explicit_input=_pick(body.raw.get("input"), before.explicit_input),
                explicit_output=_pick(body.raw.get("output"), before.explicit_output),
                **{key: _pick(value, getattr(before, key)) for key, value in fields.items()},
            )
        moment = _from_nanos(claims.start_time_unix_nano)
        # The claims row's observation is a placeholder that no read shows; it exists because every
        # stored row is a Translation.
        observation = Observation(
            id=TRACE_CLAIMS_ID,
            trace_id=trace_id,
            parent_observation_id=None,
            type=ObservationType.SPAN,
            name=claims.span_name,
            start_time=moment,
            end_time=moment,
            environment=claims.environment or DEFAULT_ENVIRONMENT,
        )
        self._put(Translation(observation, claims))
        return trace_id

    # -- observations

    def _locate(self, observation_id: str) -> str | None:
        """The trace of an observation known to this batch or the store."""
        known = self._trace_of.get(observation_id)
        if known is not None:
            return known
        try:
            return self._store.get_observation(self._project_id, observation_id).trace_id
        except NotFound:
            return None

    def _observation(
        self, event: Event, body: _Body, observation_type: ObservationType | None, *, create: bool
    ) -> str:
        observation_id = body.identifier("id")
        if observation_id is None:
            if not create:
                raise EventError("body.id is required: an update names the observation it updates")
            observation_id = self._new_id()
        trace_id = body.identifier("traceId") or self._locate(observation_id)
        if trace_id is None:
            # Langfuse creates a trace for an observation sent without one; its id is the
            # observation's, so that later updates of the observation find the same trace.
            trace_id = observation_id
        if observation_type is None:
            observation_type = _body_type(body)
        stored = self._stored(trace_id, observation_id)
        key = (trace_id, observation_id)
        if stored is None:
            observation = self._new_observation(event, body, trace_id, observation_id, observation_type)
        else:
            observation = self._merged(stored.observation, body, observation_type if create else None)
        observation, explicit = self._with_cost(key, observation, body)
        claims = _observation_claims(observation, stored.claims if stored is not None else None)
        self._put(Translation(observation, claims))
        self._trace_of[observation_id] = trace_id
        if explicit:
            self._explicit_cost.add(key)
        return trace_id

    def _new_observation(
        self,
        event: Event,
        body: _Body,
        trace_id: str,
        observation_id: str,
        observation_type: ObservationType,
    ) -> Observation:
        start = body.datetime("startTime") or event.timestamp
        end = body.datetime("endTime") or start
        counts = usage_counts(body)
        return Observation(
            id=observation_id,
            trace_id=trace_id,
            parent_observation_id=body.identifier("parentObservationId"),
            type=observation_type,
            name=body.string("name") or "",
            start_time=start,
            end_time=max(end, start),
            completion_start_time=body.datetime("completionStartTime"),
            model=body.string("model"),
            model_parameters=body.mapping("modelParameters") or {},
            input=body.raw.get("input"),
            output=body.raw.get("output"),
            usage=build_usage(counts) if counts else Usage(),
            level=body.level() or ObservationLevel.DEFAULT,
            status_message=body.string("statusMessage"),
            version=body.string("version"),
            environment=body.environment() or DEFAULT_ENVIRONMENT,
            metadata=body.metadata() or {},
            prompt_name=body.string("promptName"),
            prompt_version=body.integer("promptVersion"),
        )

    def _merged(
        self, stored: Observation, body: _Body, observation_type: ObservationType | None
    ) -> Observation:
        changes: dict[str, Any] = {}
        for field, name in (
            ("name", "name"),
            ("status_message", "statusMessage"),
            ("version", "version"),
            ("model", "model"),
            ("prompt_name", "promptName"),
        ):
            value = body.string(name)
            if value is not None:
                changes[field] = value
        for field, name in (
            ("start_time", "startTime"),
            ("end_time", "endTime"),
            ("completion_start_time", "completionStartTime"),
        ):
            moment = body.datetime(name)
            if moment is not None:
                changes[field] = moment
        parent = body.identifier("parentObservationId")
        if parent is not None:
            changes["parent_observation_id"] = parent
        for name in ("input", "output"):
            if body.has(name):
                changes[name] = body.raw[name]
        parameters = body.mapping("modelParameters")
        if parameters is not None:
            changes["model_parameters"] = {**stored.model_parameters, **parameters}
        metadata = body.metadata()
        if metadata is not None:
            changes["metadata"] = _merge_metadata(stored.metadata, metadata)
        counts = usage_counts(body)
        if counts:
            changes["usage"] = build_usage(counts)
        level = body.level()
        if level is not None:
            changes["level"] = level
        environment = body.environment()
        if environment is not None:
            changes["environment"] = environment
        prompt_version = body.integer("promptVersion")
        if prompt_version is not None:
            changes["prompt_version"] = prompt_version
        if observation_type is not None and observation_type != stored.type:
            changes["type"] = observation_type
        merged = replace(stored, **changes)
        if merged.end_time < merged.start_time:
            # An update that moves the start past a provisional end (end = start until known).
            merged = replace(merged, end_time=merged.start_time)
        return merged

    def _with_cost(
        self, key: tuple[str, str], observation: Observation, body: _Body
    ) -> tuple[Observation, bool]:
        """The observation with its cost: the event's explicit cost, else the one an earlier event
        stated, else the price table's for its model and usage (recomputed as they change)."""
        stated = explicit_cost(body)
        if stated is not None:
            return replace(observation, cost=stated), True
        stored_explicit = key in self._explicit_cost or (
            observation.cost is not None and not observation.cost.computed
        )
        if stored_explicit:
            return observation, True
        return replace(observation, cost=self._prices.cost(observation.model, observation.usage)), False

    def _put(self, translation: Translation) -> None:
        key = (translation.observation.trace_id, translation.observation.id)
        self._state.pop(key, None)  # re-inserted last: the latest state is written
        self._state[key] = translation


def _body_type(body: _Body) -> ObservationType:
    value = body.string("type")
    if value is None:
        raise EventError("body.type is required for observation events")
    try:
        return ObservationType(value.upper())
    except ValueError:
        allowed = ", ".join(t.value for t in ObservationType)
        raise EventError(f"body.type must be one of {allowed}, got {value!r}") from None


def _pick(new: Any, old: Any) -> Any:
    return old if new is None else new


def _from_nanos(nanos: int) -> datetime:
    seconds, rest = divmod(nanos, 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=rest // 1_000)


def _observation_claims(observation: Observation, stored: TraceClaims | None) -> TraceClaims:
    """What an ingested observation says about its trace: only what a span would as the root (its
    name, input and output) and its times. Claims a stored span made (an OTLP span updated through
    ingestion) are kept."""
    o = observation
    base = stored or TraceClaims(
        trace_id=o.trace_id,
        span_id=o.id,
        start_time_unix_nano=0,
        end_time_unix_nano=0,
        is_root=False,
        span_name=o.name,
    )
    return replace(
        base,
        start_time_unix_nano=to_nanos(o.start_time),
        end_time_unix_nano=to_nanos(o.end_time),
        is_root=o.parent_observation_id is None,
        span_name=o.name,
        span_input=o.input,
        span_output=o.output,
    )


def parse_event(item: Any, position: int) -> Event:
    """One envelope, validated; ``EventError`` names the broken field."""
    if not isinstance(item, dict):
        raise EventError("an event must be an object with id, timestamp, type and body")
    event_id = item.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise EventError("id is required and must be a non-empty string")
    event_type = item.get("type")
    if not isinstance(event_type, str):
        raise EventError("type is required and must be a string")
    body = item.get("body")
    if not isinstance(body, dict):
        raise EventError("body is required and must be an object")
    timestamp_text = item.get("timestamp")
    if not isinstance(timestamp_text, str):
        raise EventError("timestamp is required and must be an ISO 8601 date-time string")
    try:
        timestamp = parse_datetime("timestamp", timestamp_text)
    except InvalidQuery as error:
        raise EventError(error.message) from None
    return Event(event_id, event_type, timestamp, body, position)


def event_id_of(item: Any) -> str:
    """The envelope's id for reporting, even when the envelope is broken."""
    if isinstance(item, dict) and isinstance(item.get("id"), str):
        return str(item["id"])
    return ""


__all__ = [
    "CREATE_TYPES",
    "IGNORED_TYPES",
    "SUPPORTED_TYPES",
    "TRACE_CREATE",
    "UPDATE_TYPES",
    "BatchConverter",
    "CanReadStoredSpans",
    "Event",
    "EventError",
    "EventOutcome",
    "event_id_of",
    "explicit_cost",
    "parse_event",
    "to_nanos",
    "usage_counts",
]
