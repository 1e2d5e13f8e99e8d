"""``@observe``: one span per call of a function, typed and with its input and output, in the Langfuse
SDK's attributes (``langfuse.observation.*``) so the translator maps them like a Langfuse SDK span.

Sync and async functions, and sync and async generators (the span covers the whole iteration; the
output is the yielded items, joined when they are all strings, as streamed text usually is). An
exception marks the span ERROR with an ``exception`` event and is re-raised unchanged. Tracing
itself never raises into the application: what cannot be recorded is logged and skipped.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from otel_bridge import __version__
from otel_bridge.model import ObservationType
from otel_bridge.sdk import keys
from otel_bridge.sdk.serialize import to_json
from otel_bridge.sdk.throttle import sdk_log
from otel_bridge.sdk.wrapping import CallHooks, decorate

__all__ = ["TRACER_NAME", "ObservationKind", "observe"]

#: The instrumentation scope of the spans ``observe`` makes.
TRACER_NAME = "otel_bridge.sdk"

#: Langfuse's observation types, as ``as_type`` takes them.
ObservationKind = Literal[
    "span",
    "generation",
    "event",
    "agent",
    "tool",
    "chain",
    "retriever",
    "evaluator",
    "embedding",
    "guardrail",
]

_F = TypeVar("_F", bound=Callable[..., Any])
_UNBOUND = frozenset({"self", "cls"})


@overload
def observe(function: _F) -> _F: ...


@overload
def observe(
    function: None = None,
    *,
    name: str | None = None,
    as_type: ObservationKind = "span",
    capture_input: bool = True,
    capture_output: bool = True,
) -> Callable[[_F], _F]: ...


def observe(
    function: _F | None = None,
    *,
    name: str | None = None,
    as_type: ObservationKind = "span",
    capture_input: bool = True,
    capture_output: bool = True,
) -> _F | Callable[[_F], _F]:
    """Trace every call of the decorated function as one observation::

        @observe
        def answer(question: str) -> str: ...

        @observe(as_type="generation", name="llm")
        async def call_llm(prompt: str) -> str: ...

    ``name`` defaults to the function's name; ``as_type`` is one of Langfuse's observation types
    (an unknown one raises ``ValueError`` here, at decoration time). The input is the call's
    arguments by parameter name (``self``/``cls`` left out), the output the return value, both as
    JSON; turn either off for secrets or large values. Inside the function,
    ``update_current_observation`` and ``update_current_trace`` add to the span.
    """
    try:
        type_value = ObservationType(as_type.upper()).value.lower()
    except (ValueError, AttributeError):
        allowed = ", ".join(t.value.lower() for t in ObservationType)
        raise ValueError(f"as_type must be one of {allowed}, got {as_type!r}") from None

    def decorator(target: _F) -> _F:
        span_name = name or getattr(target, "__name__", None) or "observation"
        try:
            signature: inspect.Signature | None = inspect.signature(target)
        except (TypeError, ValueError):  # some builtins have none
            signature = None
        names = _plain_names(signature)

        def begin(
            args: tuple[Any, ...], kwargs: dict[str, Any], generator: bool
        ) -> tuple[otel_context.Context, CallHooks]:
            attributes = {keys.OBSERVATION_TYPE: type_value}
            if capture_input:
                if names is not None and len(args) <= len(names[0]):
                    # The common signature (no ``*args``/``**kwargs``): no ``Signature.bind``.
                    values = dict(zip(names[0], args, strict=False))  # args may be fewer: defaults
                    if names[1]:
                        values.pop(names[1], None)
                    if kwargs:
                        values.update(kwargs)
                else:
                    values = _arguments(signature, args, kwargs)
                attributes[keys.OBSERVATION_INPUT] = to_json(values)
            span = _tracer().start_span(span_name, attributes=attributes)
            return trace.set_span_in_context(span), _SpanHooks(span, capture_output, generator)

        return decorate(target, begin)

    return decorator if function is None else decorator(function)


# The global provider's tracer, and the provider it came from. Looked up per call (a provider configured
# after decoration is used), made only when the provider changed: ``get_tracer`` builds a new tracer
# each time, a sixth of the decorator's cost.
_cached_tracer: tuple[trace.TracerProvider, trace.Tracer] | None = None


def _tracer() -> trace.Tracer:
    global _cached_tracer
    provider = trace.get_tracer_provider()
    cached = _cached_tracer
    if cached is not None and cached[0] is provider:
        return cached[1]
    tracer = provider.get_tracer(TRACER_NAME, __version__)
    _cached_tracer = (provider, tracer)
    return tracer


def _plain_names(signature: inspect.Signature | None) -> tuple[tuple[str, ...], str | None] | None:
    """The parameter names of a signature with only named parameters, and the first one when it is
    ``self``/``cls`` (left out of the input); None for ``*args``/``**kwargs`` or positional-only."""
    if signature is None:
        return None
    parameters = list(signature.parameters.values())
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    if any(p.kind not in named for p in parameters):
        return None
    names = tuple(p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD)
    unbound = names[0] if names and names[0] in _UNBOUND else None
    return names, unbound


def _arguments(signature: inspect.Signature | None, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The call's arguments by parameter name; ``**kwargs`` are merged in, ``self``/``cls`` dropped."""
    if signature is None:
        return {"args": list(args), "kwargs": kwargs}
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:  # the call itself is about to fail the same way: record what was passed
        return {"args": list(args), "kwargs": kwargs}
    parameters = signature.parameters
    first = next(iter(parameters), None)
    values: dict[str, Any] = {}
    for parameter_name, value in bound.arguments.items():
        if parameter_name == first and parameter_name in _UNBOUND:
            continue
        if parameters[parameter_name].kind is inspect.Parameter.VAR_KEYWORD:
            values.update(value)
        else:
            values[parameter_name] = value
    return values


class _SpanHooks:
    """Records one call's output and error on its span and ends it."""

    def __init__(self, span: Span, capture_output: bool, generator: bool) -> None:
        self.span = span
        self.capture_output = capture_output
        self.items: list[Any] | None = [] if generator else None

    def result(self, value: Any) -> None:
        if not self.capture_output:
            return
        if self.items is not None:
            self.items.append(value)
        else:
            self._set_output(value)

    def error(self, error: BaseException) -> None:
        try:
            self.span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            self.span.record_exception(error)
        except Exception:
            sdk_log.report("record-error", "otel-bridge: could not record an error on a span", exc_info=True)

    def done(self) -> None:
        try:
            if self.items is not None and self.capture_output:
                items = self.items
                self._set_output(
                    "".join(items) if items and all(isinstance(i, str) for i in items) else items
                )
        finally:
            self.span.end()

    def _set_output(self, value: Any) -> None:
        try:
            attributes = getattr(self.span, "attributes", None) or {}  # an SDK span shows them
            # An output the function set itself (``update_current_observation(output=...)``) wins.
            if keys.OBSERVATION_OUTPUT not in attributes:
                self.span.set_attribute(keys.OBSERVATION_OUTPUT, to_json(value))
        except Exception:
            sdk_log.report(
                "record-output", "otel-bridge: could not record an output on a span", exc_info=True
            )
