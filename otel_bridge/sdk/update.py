"""``update_current_trace`` and ``update_current_observation``: add to the current span from inside
an ``@observe``d function (or any span another instrumentation made current).

Trace-level claims may sit on any span of a trace (docs/architecture.md rule 2): ``update_current_trace``
puts them on the current span, and when spans disagree the one that ended last wins (rule 3). Inside
``session()`` every span, the root included, carries the ambient ``session.id``, and the root ends
after its children; so a session or user id given here is also put on the trace's open local root
(tracked by ``SessionSpanProcessor``, which ``configure()`` installs): the latest explicit call
wins, from however deep it is made.

Outside any span both are a no-op with a warning (a debug message when no tracer provider is set
up at all): tracing never raises into the application.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from otel_bridge.sdk import keys
from otel_bridge.sdk.processor import open_local_root
from otel_bridge.sdk.serialize import merged_metadata, to_json
from otel_bridge.sdk.throttle import sdk_log
from otel_bridge.translate.conventions.langfuse import LEVELS

__all__ = ["update_current_observation", "update_current_trace"]

_logger = logging.getLogger("otel_bridge.sdk")


def _current_span(caller: str) -> trace.Span | None:
    """The span to update, or None (with a warning when there is no span at all)."""
    span = trace.get_current_span()
    if not span.get_span_context().is_valid:
        # Without a tracer provider every span is invalid: an application that does not trace
        # (tests, a disabled environment) should not get a warning per call.
        tracing = not isinstance(
            trace.get_tracer_provider(), (trace.ProxyTracerProvider, trace.NoOpTracerProvider)
        )
        message = "otel-bridge: %s() called outside any span; nothing was recorded"
        if tracing:
            sdk_log.report(f"outside-span:{caller}", message, caller)
        else:
            _logger.debug(message, caller)
        return None
    # A sampled-out span records nothing, by the application's choice: no warning.
    return span if span.is_recording() else None


def _given(convert: Callable[[Any], AttributeValue], *pairs: tuple[str, Any]) -> dict[str, AttributeValue]:
    """``{key: convert(value)}`` for each pair whose value was given (is not None)."""
    return {key: convert(value) for key, value in pairs if value is not None}


def _attributes(span: trace.Span) -> Mapping[str, Any]:
    """What the span carries so far (an SDK span shows it; an API-only span does not)."""
    return getattr(span, "attributes", None) or {}


def update_current_trace(
    *,
    session_id: str | None = None,
    user_id: str | None = None,
    name: str | None = None,
    tags: Iterable[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    input: Any = None,
    output: Any = None,
    release: str | None = None,
    version: str | None = None,
    public: bool | None = None,
) -> None:
    """Set trace-level fields on the current span (``langfuse.session.id``, ``langfuse.user.id``,
    ``langfuse.trace.*``, ``langfuse.release``, ``langfuse.version``); None leaves a field as is.
    Tags add to the span's tags; metadata keys add to (and replace in) its trace metadata."""
    try:
        span = _current_span("update_current_trace")
        if span is None:
            return
        attributes = {
            **_given(
                str,
                (keys.TRACE_SESSION_ID, session_id),
                (keys.TRACE_USER_ID, user_id),
                (keys.TRACE_NAME, name),
                (keys.RELEASE, release),
                (keys.VERSION, version),
            ),
            **_given(bool, (keys.TRACE_PUBLIC, public)),
            **_given(to_json, (keys.TRACE_INPUT, input), (keys.TRACE_OUTPUT, output)),
        }
        existing = _attributes(span)
        if metadata:
            attributes[keys.TRACE_METADATA] = merged_metadata(existing.get(keys.TRACE_METADATA), metadata)
        if tags is not None:
            before = existing.get(keys.TRACE_TAGS) or ()
            attributes[keys.TRACE_TAGS] = sorted({*map(str, before), *map(str, tags)})
        span.set_attributes(attributes)
        _claim_on_root(span, _given(str, (keys.TRACE_SESSION_ID, session_id), (keys.TRACE_USER_ID, user_id)))
    except Exception:
        sdk_log.report(
            "update-trace", "otel-bridge: update_current_trace() failed; nothing was recorded", exc_info=True
        )


def _claim_on_root(span: trace.Span, claims: dict[str, AttributeValue]) -> None:
    """Put the session and user claims on the trace's open local root too: it ends last, and the
    translator resolves a trace's claims from the span that ended last, so the latest explicit call
    wins over the ambient ``session()`` stamped on every span, in whatever order they were made."""
    if not claims:
        return
    root = open_local_root(span.get_span_context().trace_id)
    if root is not None and root is not span and root.is_recording():
        root.set_attributes(claims)


def update_current_observation(
    *,
    name: str | None = None,
    input: Any = None,
    output: Any = None,
    metadata: Mapping[str, Any] | None = None,
    model: str | None = None,
    model_parameters: Mapping[str, Any] | None = None,
    usage: Mapping[str, int] | None = None,
    cost: Mapping[str, float] | None = None,
    level: str | None = None,
    status_message: str | None = None,
    completion_start_time: datetime | None = None,
) -> None:
    """Set observation fields on the current span; None leaves a field as is.

    ``usage`` takes token counts by Langfuse's or OpenAI's names (``input``/``output``/``total``,
    ``prompt_tokens``, ``input_cached_tokens``...); ``cost`` USD by ``input``/``output``/``total``;
    ``level`` one of DEBUG, DEFAULT, WARNING, ERROR. An ``output`` set here replaces the return
    value ``@observe`` would record.
    """
    try:
        span = _current_span("update_current_observation")
        if span is None:
            return
        attributes = {
            **_given(str, (keys.MODEL, model), (keys.STATUS_MESSAGE, status_message)),
            **_given(
                to_json,
                (keys.OBSERVATION_INPUT, input),
                (keys.OBSERVATION_OUTPUT, output),
                (keys.MODEL_PARAMETERS, model_parameters),
                (keys.USAGE_DETAILS, usage),
                (keys.COST_DETAILS, cost),
            ),
        }
        if level is not None:
            if str(level).strip().upper() in LEVELS:
                attributes[keys.LEVEL] = str(level).strip().upper()
            else:
                _logger.warning("otel-bridge: unknown observation level %r ignored", level)
        if completion_start_time is not None:
            moment = completion_start_time
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            attributes[keys.COMPLETION_START_TIME] = to_json(moment.isoformat())
        if metadata:
            attributes[keys.OBSERVATION_METADATA] = merged_metadata(
                _attributes(span).get(keys.OBSERVATION_METADATA), metadata
            )
        span.set_attributes(attributes)
        if name is not None:
            span.update_name(str(name))
    except Exception:
        sdk_log.report(
            "update-observation",
            "otel-bridge: update_current_observation() failed; nothing was recorded",
            exc_info=True,
        )
