"""``BatchConverter``: the events of one Langfuse ingestion batch applied onto the stored state they
touch, giving the translations to write (the package docstring says what each event becomes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Protocol

from otel_bridge.errors import EventError, NotFound
from otel_bridge.model import (
    Observation,
    ObservationLevel,
    ObservationType,
    Score,
    TraceClaims,
    Usage,
    datetime_to_nanos,
    nanos_to_datetime,
)
from otel_bridge.model.langfuse_wire import (
    CREATE_TYPES,
    DEFAULT_ENVIRONMENT,
    IGNORED_TYPES,
    SCORE_CREATE,
    SUPPORTED_TYPES,
    TRACE_CLAIMS_ID,
    TRACE_CREATE,
    UPDATE_TYPES,
)
from otel_bridge.translate.langfuse_ingestion.bodies import (
    EventBody,
    explicit_cost,
    merge_metadata,
    usage_counts,
)
from otel_bridge.translate.langfuse_ingestion.events import Event, EventOutcome, event_id_of, parse_event
from otel_bridge.translate.langfuse_ingestion.scores import parse_score
from otel_bridge.translate.pricing import PriceTable, default_price_table
from otel_bridge.translate.translator import Translation
from otel_bridge.translate.usage import build_usage


class CanReadStoredSpans(Protocol):
    """The reads the ingestion merge needs (part of ``otel_bridge.store.Store``)."""

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        """The stored observation and claims of ``(trace_id, observation_id)``, or None."""
        ...

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        """One observation by id (``NotFound`` when absent)."""
        ...


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
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._store = store
        self._project_id = project_id
        self._prices = prices or default_price_table()
        self._new_id = new_id
        self._now = now
        # score-create events: scores are no spans, so the caller writes them apart.
        self._scores: list[Score] = []
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

    @property
    def scores(self) -> list[Score]:
        """The scores of the batch's ``score-create`` events, in the order applied."""
        return list(self._scores)

    def apply(self, event: Event) -> str | None:
        """Apply one event, and return the id of the trace it wrote to (None: it writes nothing);
        raises ``EventError`` for an event that cannot be applied (the state is then unchanged)."""
        body = EventBody(event.body)
        if event.type == TRACE_CREATE:
            return self._trace_create(event, body)
        if event.type in CREATE_TYPES:
            return self._observation(event, body, CREATE_TYPES[event.type], create=True)
        if event.type in UPDATE_TYPES:
            return self._observation(event, body, UPDATE_TYPES[event.type], create=False)
        if event.type == SCORE_CREATE:
            self._scores.append(parse_score(event.body, timestamp=event.timestamp, now=self._now()))
            return None
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

    def _trace_create(self, event: Event, body: EventBody) -> str:
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
            start = datetime_to_nanos(timestamp)
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
                metadata=merge_metadata(before.metadata, metadata or {}),
                explicit_name=name or before.explicit_name,
                explicit_input=_pick(body.raw.get("input"), before.explicit_input),
                explicit_output=_pick(body.raw.get("output"), before.explicit_output),
                **{key: _pick(value, getattr(before, key)) for key, value in fields.items()},
            )
        self._put(Translation(_claims_row_observation(claims), claims))
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
        self, event: Event, body: EventBody, observation_type: ObservationType | None, *, create: bool
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
            observation_type = body.observation_type()
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
        body: EventBody,
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
        self, stored: Observation, body: EventBody, observation_type: ObservationType | None
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
            changes["metadata"] = merge_metadata(stored.metadata, metadata)
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
        self, key: tuple[str, str], observation: Observation, body: EventBody
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


def _pick(new: Any, old: Any) -> Any:
    return old if new is None else new


def _claims_row_observation(claims: TraceClaims) -> Observation:
    """The observation of a trace's claims row: a placeholder that no read shows; it exists because
    every stored row is a ``Translation``."""
    moment = nanos_to_datetime(claims.start_time_unix_nano)
    return Observation(
        id=TRACE_CLAIMS_ID,
        trace_id=claims.trace_id,
        parent_observation_id=None,
        type=ObservationType.SPAN,
        name=claims.span_name,
        start_time=moment,
        end_time=moment,
        environment=claims.environment or DEFAULT_ENVIRONMENT,
    )


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
        start_time_unix_nano=datetime_to_nanos(o.start_time),
        end_time_unix_nano=datetime_to_nanos(o.end_time),
        is_root=o.parent_observation_id is None,
        span_name=o.name,
        span_input=o.input,
        span_output=o.output,
    )


def convert_batch(
    converter: BatchConverter, batch: list[Any]
) -> tuple[list[EventOutcome], list[Translation]]:
    """Apply every event of ``batch`` (its envelopes as decoded JSON) in timestamp order (stable);
    returns one outcome per event, in batch order, and the translations to write."""
    outcomes: dict[int, EventOutcome] = {}
    events: list[Event] = []
    for position, item in enumerate(batch):
        try:
            events.append(parse_event(item, position))
        except EventError as error:
            outcomes[position] = EventOutcome(event_id_of(item), error.status, error.message)
    # Langfuse orders a batch's events by their timestamps (client time) before applying them.
    for event in sorted(events, key=lambda e: e.timestamp):
        try:
            trace_id = converter.apply(event)
        except EventError as error:
            outcomes[event.position] = EventOutcome(event.id, error.status, f"{event.type}: {error.message}")
        else:
            outcomes[event.position] = EventOutcome(event.id, 201, trace_id=trace_id)
    return [outcomes[position] for position in range(len(batch))], converter.translations


__all__ = ["BatchConverter", "CanReadStoredSpans", "convert_batch"]
