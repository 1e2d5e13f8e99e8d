"""Langfuse SDK attributes (v3 and newer, OTel-based SDKs): ``langfuse.*``.

Source: langfuse-python ``langfuse/_client/attributes.py`` and Langfuse's ``OtelIngestionProcessor``
(docs/reference/conventions.md §1.5 and §2). Values of input, output, usage, cost, model parameters
and completion start time are JSON strings.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from otel_bridge.model import ObservationLevel, ObservationType
from otel_bridge.translate.draft import ObservationDraft
from otel_bridge.translate.payloads import json_payload
from otel_bridge.translate.registry import PRIORITY_LANGFUSE, Convention, TypeRule
from otel_bridge.translate.view import Shape, SpanView, as_float, as_int, parse_json

NAMESPACE = "langfuse"
OBSERVATION_PREFIX = "langfuse.observation."
OBSERVATION_TYPE = "langfuse.observation.type"
OBSERVATION_INPUT = "langfuse.observation.input"
OBSERVATION_OUTPUT = "langfuse.observation.output"
TRACE_INPUT = "langfuse.trace.input"
TRACE_OUTPUT = "langfuse.trace.output"
MODEL_PARAMETERS = "langfuse.observation.model.parameters"
USAGE_DETAILS = "langfuse.observation.usage_details"
COST_DETAILS = "langfuse.observation.cost_details"
COMPLETION_START_TIME = "langfuse.observation.completion_start_time"
LEVEL = "langfuse.observation.level"
STATUS_MESSAGE = "langfuse.observation.status_message"
PROMPT_NAME_KEYS = ("langfuse.observation.prompt.name", "langfuse.prompt.name")
PROMPT_VERSION_KEYS = ("langfuse.observation.prompt.version", "langfuse.prompt.version")
OBSERVATION_METADATA = "langfuse.observation.metadata"
TRACE_METADATA = "langfuse.trace.metadata"
GENERIC_METADATA = "langfuse.metadata"
INTERNAL_PREFIX = "langfuse.internal."

# The trace claims below are read centrally, in the order ``precedence`` gives.
#: The session: Langfuse's server-side key (``TRACE_COMPAT_SESSION_ID``); the SDKs write ``session.id``.
SESSION_ID = "langfuse.session.id"
#: The user: Langfuse's server-side key (``TRACE_COMPAT_USER_ID``); the SDKs write ``user.id``.
USER_ID = "langfuse.user.id"
#: The trace's name, set by ``update_current_trace`` and ``propagate_attributes``.
TRACE_NAME = "langfuse.trace.name"
#: The trace's tags (a list, or a string: see ``precedence.TAGS_KEYS``).
TRACE_TAGS = "langfuse.trace.tags"
#: The tags under the older, unscoped key.
TAGS = "langfuse.tags"
#: Whether the trace is public (``true`` or ``"true"``).
TRACE_PUBLIC = "langfuse.trace.public"
#: The public flag under the older, unscoped key.
PUBLIC = "langfuse.public"
#: The app's release (span attribute, or resource attribute).
RELEASE = "langfuse.release"
#: The app's version (span attribute, or resource attribute).
VERSION = "langfuse.version"
#: The environment (span attribute, or resource attribute), normalized as Langfuse does.
ENVIRONMENT = "langfuse.environment"
#: The observation's model, first in the model precedence.
OBSERVATION_MODEL = "langfuse.observation.model.name"
#: Marks a span as its trace's root although it has a parent (Langfuse SDK internals).
AS_ROOT = "langfuse.internal.as_root"
#: Trace claims passed as trace metadata under ``langfuse_<claim>`` names.
TRACE_METADATA_SESSION_ID = "langfuse.trace.metadata.langfuse_session_id"
TRACE_METADATA_USER_ID = "langfuse.trace.metadata.langfuse_user_id"
TRACE_METADATA_TAGS = "langfuse.trace.metadata.langfuse_tags"
#: The same claims passed as observation metadata.
OBSERVATION_METADATA_SESSION_ID = "langfuse.observation.metadata.langfuse_session_id"
OBSERVATION_METADATA_USER_ID = "langfuse.observation.metadata.langfuse_user_id"
OBSERVATION_METADATA_TAGS = "langfuse.observation.metadata.langfuse_tags"
TRACE_METADATA_CLAIMS = (TRACE_METADATA_SESSION_ID, TRACE_METADATA_USER_ID, TRACE_METADATA_TAGS)
OBSERVATION_METADATA_CLAIMS = (
    OBSERVATION_METADATA_SESSION_ID,
    OBSERVATION_METADATA_USER_ID,
    OBSERVATION_METADATA_TAGS,
)

#: Metadata names that carry trace claims (the keys above), skipped as metadata.
CLAIM_METADATA_KEYS = frozenset(
    [key.removeprefix(f"{TRACE_METADATA}.") for key in TRACE_METADATA_CLAIMS]
    + [key.removeprefix(f"{OBSERVATION_METADATA}.") for key in OBSERVATION_METADATA_CLAIMS]
)

TYPES = {t.value.lower(): t for t in ObservationType}

LEVELS = {
    "DEBUG": ObservationLevel.DEBUG,
    "TRACE": ObservationLevel.DEBUG,
    "VERBOSE": ObservationLevel.DEBUG,
    "DEFAULT": ObservationLevel.DEFAULT,
    "INFO": ObservationLevel.DEFAULT,
    "LOG": ObservationLevel.DEFAULT,
    "NOTICE": ObservationLevel.DEFAULT,
    "OK": ObservationLevel.DEFAULT,
    "SUCCESS": ObservationLevel.DEFAULT,
    "WARNING": ObservationLevel.WARNING,
    "WARN": ObservationLevel.WARNING,
    "ERROR": ObservationLevel.ERROR,
    "FATAL": ObservationLevel.ERROR,
    "CRITICAL": ObservationLevel.ERROR,
}

#: ``usage_details`` names → normalized usage names (Langfuse's and the OpenAI/Anthropic spellings).
USAGE_NAMES = {
    "input": "input",
    "prompt_tokens": "input",
    "input_tokens": "input",
    "output": "output",
    "completion_tokens": "output",
    "output_tokens": "output",
    "total": "total",
    "total_tokens": "total",
    "input_cached_tokens": "cached",
    "cache_read_input_tokens": "cached",
    "input_cache_read": "cached",
    "output_reasoning_tokens": "reasoning",
    "reasoning_tokens": "reasoning",
    "output_reasoning": "reasoning",
}


def applies(span: SpanView) -> bool:
    """Any ``langfuse.*`` attribute."""
    return NAMESPACE in span.namespaces


def observation_type(span: SpanView, draft: ObservationDraft) -> ObservationType | None:
    """``langfuse.observation.type``: one of Langfuse's types, lowercase."""
    value = span.peek(OBSERVATION_TYPE)
    if not isinstance(value, str):
        return None
    found = TYPES.get(value.strip().lower())
    if found is not None:
        span.take(OBSERVATION_TYPE)
    return found


class _Sections:
    """For one shape: which parts of ``extract`` have keys to read. Many spans carry only the trace
    claims (``langfuse.trace.name``, ``langfuse.environment``...), read centrally, and skip it all."""

    __slots__ = ("internal", "metadata", "observation", "prompt", "trace_io")

    def __init__(self, shape: Shape) -> None:
        keys = shape.keys
        self.observation = bool(shape.with_prefix(OBSERVATION_PREFIX))
        self.trace_io = TRACE_INPUT in keys or TRACE_OUTPUT in keys
        self.prompt = bool(shape.present(PROMPT_NAME_KEYS))
        self.metadata = any(
            key == name or key.startswith(name + ".")
            for key in keys
            for name in (OBSERVATION_METADATA, GENERIC_METADATA, TRACE_METADATA)
        )
        self.internal = bool(shape.with_prefix(INTERNAL_PREFIX))


def extract(span: SpanView, draft: ObservationDraft) -> None:
    """Offer everything the Langfuse SDK sets on a span."""
    memo = span.shape.memo
    sections: _Sections | None = memo.get(_Sections)
    if sections is None:
        # Computed once per shape.
        sections = memo[_Sections] = _Sections(span.shape)
    if sections.observation:
        _observation(span, draft)
    if sections.trace_io:
        # Inputs and outputs are JSON text, kept as text until read (see ``model.Payload``).
        trace_input = json_payload(span.take(TRACE_INPUT))
        trace_output = json_payload(span.take(TRACE_OUTPUT))
        if trace_input is not None:
            draft.explicit_trace_input = trace_input
        if trace_output is not None:
            draft.explicit_trace_output = trace_output
    if sections.prompt:
        _prompt(span, draft)
    if sections.metadata:
        _metadata(span, OBSERVATION_METADATA, draft.metadata)
        _metadata(span, GENERIC_METADATA, draft.metadata)
        _metadata(span, TRACE_METADATA, draft.trace_metadata)
    if sections.internal:
        for key in span.keys_with_prefix(INTERNAL_PREFIX):
            span.take(key)


def _observation(span: SpanView, draft: ObservationDraft) -> None:
    """The ``langfuse.observation.*`` fields (skipped for spans that carry only trace claims)."""
    draft.offer_io(json_payload(span.take(OBSERVATION_INPUT)), json_payload(span.take(OBSERVATION_OUTPUT)))
    parameters = span.take_json(MODEL_PARAMETERS)
    if isinstance(parameters, dict):
        draft.offer_parameters(parameters)
    usage = span.take_json(USAGE_DETAILS)
    if isinstance(usage, dict):
        draft.offer_usage(**_usage(usage))
    cost = span.take_json(COST_DETAILS)
    if isinstance(cost, dict):
        draft.offer_cost(**{k: as_float(v) for k, v in cost.items() if k in ("input", "output", "total")})
    if draft.completion_start_time is None:
        draft.completion_start_time = _datetime(span.take_json(COMPLETION_START_TIME))

    level = span.take(LEVEL)
    if isinstance(level, str) and draft.level is None:
        draft.level = LEVELS.get(level.strip().upper())
    status = span.take(STATUS_MESSAGE)
    if status is not None and draft.status_message is None:
        draft.status_message = str(status)


def _prompt(span: SpanView, draft: ObservationDraft) -> None:
    """The linked prompt's name and version."""
    prompt_name = span.first_str(PROMPT_NAME_KEYS)
    if prompt_name is not None:
        draft.prompt_name = prompt_name
        draft.prompt_version = as_int(span.first(PROMPT_VERSION_KEYS))


def _usage(details: dict[str, Any]) -> dict[str, int | None]:
    counts: dict[str, int | None] = {}
    for key, value in details.items():
        number = as_int(value)
        if number is not None:
            counts.setdefault(USAGE_NAMES.get(key, key), number)
    return counts


def _metadata(span: SpanView, key: str, into: dict[str, Any]) -> None:
    """A JSON object at ``key`` and flattened ``key.<name>`` attributes, merged into ``into``."""
    whole = span.take_json(key)
    if isinstance(whole, dict):
        for name, value in whole.items():
            into.setdefault(name, value)
    elif whole is not None:
        into.setdefault("metadata", whole)
    prefix = key + "."
    for attribute in span.keys_with_prefix(prefix):
        name = attribute[len(prefix) :]
        if name in CLAIM_METADATA_KEYS:
            continue
        value = span.take(attribute)
        into.setdefault(name, parse_json(value) if isinstance(value, str) else value)


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


CONVENTION = Convention(
    name="langfuse",
    applies=applies,
    extract=extract,
    type_rules=(TypeRule(PRIORITY_LANGFUSE, OBSERVATION_TYPE, observation_type, keys=(OBSERVATION_TYPE,)),),
)
