"""``SpanRecord`` → ``Observation`` + ``TraceClaims``: the one code path every producer shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from otel_bridge.model import (
    Cost,
    Observation,
    ObservationLevel,
    SpanRecord,
    StatusCode,
    TraceClaims,
    build,
    nanos_to_datetime,
)
from otel_bridge.model.langfuse_wire import DEFAULT_ENVIRONMENT, normalized_environment
from otel_bridge.translate import precedence as keys
from otel_bridge.translate.conventions import CONVENTIONS, TYPE_REGISTRY
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.pricing import PriceTable, default_price_table
from otel_bridge.translate.registry import Convention
from otel_bridge.translate.usage import NO_USAGE, build_usage
from otel_bridge.translate.view import Shape, SpanView, as_str, parse_json

EXCEPTION_EVENT = "exception"


@dataclass(frozen=True, slots=True)
class Translation:
    """One span, translated: its observation and what it says about its trace."""

    observation: Observation
    claims: TraceClaims


def translate_spans(records: Iterable[SpanRecord], prices: PriceTable | None = None) -> list[Translation]:
    """Translate every span; translation never fails a span (unmappable values stay in metadata)."""
    table = prices or default_price_table()
    # Spans of one resource share its attributes object: its facts are worked out once per call.
    resources: dict[int, _ResourceFacts] = {}
    return [_translate(record, table, resources) for record in records]


def translate_span(record: SpanRecord, prices: PriceTable | None = None) -> Translation:
    """Translate one span."""
    return _translate(record, prices or default_price_table(), {})


class _ClaimKeys:
    """For one shape: which keys of each precedence list (``precedence.py``) the span carries."""

    __slots__ = (
        "environment",
        "model",
        "name",
        "public",
        "release",
        "session",
        "tags",
        "trace_name",
        "user",
        "version",
    )

    def __init__(self, shape: Shape) -> None:
        present = shape.present
        self.session = present(keys.SESSION_ID_KEYS)
        self.user = present(keys.USER_ID_KEYS)
        self.tags = present(keys.TAGS_KEYS)
        self.release = present(keys.RELEASE_KEYS)
        self.version = present(keys.VERSION_KEYS)
        self.environment = present(keys.ENVIRONMENT_KEYS)
        self.trace_name = present(keys.TRACE_NAME_KEYS)
        self.name = present(keys.NAME_KEYS)
        self.model = present(keys.MODEL_KEYS)
        self.public = present(keys.PUBLIC_KEYS)


class _ResourceFacts:
    """Claims read from a resource's attributes (the fallbacks of docs/architecture.md rule 2)."""

    __slots__ = ("environment", "release", "version")

    def __init__(self, resource: Any) -> None:
        self.environment = _resource_environment(resource)
        self.release = _resource_str(resource, keys.RELEASE_KEYS)
        self.version = _resource_str(resource, keys.RESOURCE_VERSION_KEYS)


def _translate(record: SpanRecord, prices: PriceTable, resources: dict[int, _ResourceFacts]) -> Translation:
    span = SpanView(record)
    draft = ObservationDraft()
    shape = span.shape
    memo = shape.memo
    for convention in _applicable(span):
        convention.extract(span, draft)
    plan: _ClaimKeys | None = memo.get(_ClaimKeys)
    if plan is None:
        plan = memo[_ClaimKeys] = _ClaimKeys(shape)
    attributes = record.attributes
    used = span.used

    if draft.model is None and plan.model:
        draft.model = _text(_pick(attributes, used, plan.model))
    observation_type = draft.type or TYPE_REGISTRY.classify(span, draft)
    status = record.status
    if draft.level is None and not record.events and status.code is not StatusCode.ERROR:
        # The common case, answered without a call: no explicit level, no error, no events.
        level, status_message = ObservationLevel.DEFAULT, draft.status_message or status.message or None
    else:
        level, status_message = _level_and_status(record, draft)
    usage = build_usage(draft.usage) if draft.usage else NO_USAGE
    # Without explicit costs or token counts there is nothing to price.
    cost = _cost(draft, usage, prices) if draft.cost or usage is not NO_USAGE else None

    resource = record.resource_attributes
    facts = resources.get(id(resource))
    if facts is None:
        facts = resources[id(resource)] = _ResourceFacts(resource)
    environment = (
        _normalize_environment(as_str(_pick(attributes, used, plan.environment)))
        if plan.environment
        else facts.environment
    )
    version = (_claim(attributes, used, plan.version) if plan.version else None) or facts.version
    name = (_claim(attributes, used, plan.name) if plan.name else None) or draft.name or record.name
    start = nanos_to_datetime(record.start_time_unix_nano)
    end = (
        start
        if record.end_time_unix_nano == record.start_time_unix_nano
        else nanos_to_datetime(record.end_time_unix_nano)
    )
    is_root = record.parent_span_id is None
    if not is_root and keys.AS_ROOT_KEY in attributes:
        is_root = span.take(keys.AS_ROOT_KEY) in (True, "true")

    # ``build`` skips the frozen dataclasses' slow __init__; every field must be given here.
    claims = build(
        TraceClaims,
        {
            "trace_id": record.trace_id,
            "span_id": record.span_id,
            "start_time_unix_nano": record.start_time_unix_nano,
            "end_time_unix_nano": record.end_time_unix_nano,
            "is_root": is_root,
            "span_name": name,
            "session_id": (_claim(attributes, used, plan.session) if plan.session else None),
            "user_id": (_claim(attributes, used, plan.user) if plan.user else None),
            "tags": _tags(_pick(attributes, used, plan.tags)) if plan.tags else (),
            "release": (_claim(attributes, used, plan.release) if plan.release else None) or facts.release,
            "version": version,
            "environment": environment,
            "public": _bool(_pick(attributes, used, plan.public)) if plan.public else None,
            "metadata": draft.trace_metadata,
            "explicit_name": (_claim(attributes, used, plan.trace_name) if plan.trace_name else None)
            or draft.trace_name,
            "explicit_input": draft.explicit_trace_input,
            "explicit_output": draft.explicit_trace_output,
            "span_input": draft.input,
            "span_output": draft.output,
        },
    )
    observation = build(
        Observation,
        {
            "id": record.span_id,
            "trace_id": record.trace_id,
            "parent_observation_id": record.parent_span_id,
            "type": observation_type,
            "name": name,
            "start_time": start,
            "end_time": end,
            "completion_start_time": draft.completion_start_time,
            "model": draft.model,
            "model_parameters": draft.model_parameters,
            "input": draft.input,
            "output": draft.output,
            "usage": usage,
            "cost": cost,
            "level": level,
            "status_message": status_message,
            "version": version,
            "environment": environment or DEFAULT_ENVIRONMENT,
            "metadata": _metadata(span, draft),
            "prompt_name": draft.prompt_name,
            "prompt_version": draft.prompt_version,
        },
    )
    return Translation(observation, claims)


def _applicable(span: SpanView) -> tuple[Convention, ...]:
    """The conventions that apply to ``span``, decided once per shape: detection looks only at the
    keys, the scope name and whether the span has events."""
    memo_key = ("conventions", span.scope_name, bool(span.record.events))
    found: tuple[Convention, ...] | None = span.shape.memo.get(memo_key)
    if found is None:
        found = span.shape.memo[memo_key] = tuple(c for c in CONVENTIONS if c.applies(span))
    return found


def _pick(attributes: Any, used: set[str], present: tuple[str, ...]) -> Any:
    """The first non-empty value among the ``present`` keys; only the winner is marked mapped, so
    a loser stays visible in metadata."""
    for key in present:
        value = attributes[key]
        if value is not None and value not in ("", []):
            used.add(key)
            return value
    return None


def _text(value: Any) -> str | None:
    return None if value is None else as_str(value)


def _claim(attributes: Any, used: set[str], present: tuple[str, ...]) -> str | None:
    """A claim as a string, or None."""
    # ``_pick`` and ``_text`` inlined: six claims per span make the calls show.
    for key in present:
        value = attributes[key]
        if value is not None and value not in ("", []):
            used.add(key)
            break
    else:
        return None
    if not isinstance(value, str):
        value = as_str(value)
    if value and len(value) > 1 and value[0] == '"' == value[-1]:
        # MLflow JSON-encodes every attribute it sets, the app's ``session.id`` included.
        decoded = parse_json(value)
        if isinstance(decoded, str):
            return decoded
    return value


def _level_and_status(record: SpanRecord, draft: ObservationDraft) -> tuple[ObservationLevel, str | None]:
    """Explicit level, else span status ERROR, else an ``exception`` event, else DEFAULT (rule 6)."""
    message = draft.status_message or record.status.message or None
    if draft.level is not None:
        return draft.level, message
    exception = next((e for e in record.events if e.name == EXCEPTION_EVENT), None)
    if exception is not None and message is None:
        message = _exception_message(exception.attributes)
    if record.status.code is StatusCode.ERROR or exception is not None:
        return ObservationLevel.ERROR, message
    return ObservationLevel.DEFAULT, message


def _exception_message(attributes: Any) -> str | None:
    kind = attributes.get("exception.type")
    text = attributes.get("exception.message")
    if kind and text:
        return f"{kind}: {text}"
    return as_str(kind or text) if (kind or text) else None


def _cost(draft: ObservationDraft, usage: Any, prices: PriceTable) -> Cost | None:
    explicit = draft.cost
    if explicit:
        total = explicit.get("total")
        if total is None and ("input" in explicit or "output" in explicit):
            total = explicit.get("input", 0.0) + explicit.get("output", 0.0)
        return Cost(input=explicit.get("input"), output=explicit.get("output"), total=total)
    return prices.cost(draft.model, usage)


def _resource_environment(resource: Any) -> str | None:
    """The environment from the resource (after the span's own keys, which are read first)."""
    for key in keys.ENVIRONMENT_KEYS:
        value = resource.get(key)
        if value:
            return _normalize_environment(as_str(value))
    return None


def _normalize_environment(value: str) -> str:
    """``normalized_environment``, memoized: spans repeat a handful of environments."""
    known = _ENVIRONMENTS.get(value)
    if known is None:
        if len(_ENVIRONMENTS) > _ENVIRONMENT_CACHE_SIZE:
            _ENVIRONMENTS.clear()
        known = _ENVIRONMENTS[value] = normalized_environment(value)
    return known


_ENVIRONMENTS: dict[str, str] = {}
_ENVIRONMENT_CACHE_SIZE = 1024


def _resource_str(resource: Any, names: tuple[str, ...]) -> str | None:
    for key in names:
        value = resource.get(key)
        if value:
            return as_str(value)
    return None


def _tags(value: Any) -> tuple[str, ...]:
    """Tags from an array, a JSON array string, a comma-separated string or a single string."""
    if value is None:
        return ()
    if isinstance(value, str):
        parsed = parse_json(value)
        if isinstance(parsed, list):
            value = parsed
        else:
            value = [part for part in (piece.strip() for piece in value.split(",")) if part]
    if not isinstance(value, list):
        value = [value]
    return tuple(sorted({as_str(tag) for tag in value if tag is not None and tag != ""}))


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _metadata(span: SpanView, draft: ObservationDraft) -> dict[str, Any]:
    """Everything no convention mapped (rule 1), plus the resource, the scope, and events that
    were not turned into input/output."""
    record = span.record
    used = span.used
    # The draft is discarded after translation: its metadata dict is taken over, not copied.
    metadata = draft.metadata
    # A copy minus the mapped keys: cheaper than filtering every key, and the order is kept.
    unmapped = dict(record.attributes)
    discard = unmapped.pop
    for key in used:
        discard(key, None)
    if unmapped:
        metadata["attributes"] = unmapped
    if record.resource_attributes:
        # Shared by every span of the resource, never mutated.
        metadata["resourceAttributes"] = record.resource_attributes
    scope = record.scope
    if scope.name or scope.version or scope.attributes:
        metadata["scope"] = {
            "name": scope.name,
            "version": scope.version,
            "attributes": dict(scope.attributes),
        }
    if record.events:
        events = [
            {"name": e.name, "timeUnixNano": e.time_unix_nano, "attributes": e.attributes}
            for index, e in enumerate(record.events)
            if index not in draft.events_used
        ]
        if events:
            metadata["events"] = events
    if record.links:
        metadata["links"] = [
            {"traceId": link.trace_id, "spanId": link.span_id, "attributes": dict(link.attributes)}
            for link in record.links
        ]
    return metadata
