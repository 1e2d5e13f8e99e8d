"""The current session: ``session()`` puts a session id, user id, tags and metadata into the context,
where ``SessionSpanProcessor`` finds them for every span started inside.

The values live in the OpenTelemetry ``Context`` (itself a ``contextvars`` variable) rather than in a
``ContextVar`` of our own: instrumentations that carry the OTel context across threads or tasks
(thread-pool and asyncio instrumentations, a span started with an explicit ``context=``) carry the
session with it, and the processor can read it from the span's parent context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextvars import Token
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry.util.types import AttributeValue

from otel_bridge.sdk import keys
from otel_bridge.sdk.wrapping import NO_HOOKS, CallHooks, decorate

__all__ = ["SessionContext", "SessionScope", "current_session", "session"]

_KEY = otel_context.create_key("otel_bridge.session")
_F = TypeVar("_F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What ``session()`` set: the values stamped onto every span started inside it."""

    session_id: str
    user_id: str | None = None
    tags: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: The span attributes of the session, user and tags as (key, value) pairs (metadata is merged
    #: per span), made once here rather than on every span.
    stamp: tuple[tuple[str, AttributeValue], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stamp: list[tuple[str, AttributeValue]] = [(keys.SESSION_ID, self.session_id)]
        if self.user_id is not None:
            stamp.append((keys.USER_ID, self.user_id))
        if self.tags:
            stamp.append((keys.TRACE_TAGS, list(self.tags)))
        object.__setattr__(self, "stamp", tuple(stamp))


def current_session(context: otel_context.Context | None = None) -> SessionContext | None:
    """The innermost ``session()`` around the caller (or in ``context``), or None."""
    value = otel_context.get_value(_KEY, context)
    return value if isinstance(value, SessionContext) else None


class SessionScope:
    """One ``session(...)``: a context manager (``with``/``async with``) and a decorator.

    Nested scopes: the inner one wins for the fields it gives (session id always; user id and tags
    when not None), inherits the others, and its metadata is merged over the outer one's; the outer
    scope is restored on exit. As a decorator each call enters a fresh scope, so concurrent calls of
    the decorated function do not share state.
    """

    def __init__(
        self,
        session_id: str,
        *,
        user_id: str | None = None,
        tags: Iterable[str] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.session_id = str(session_id)
        self.user_id = None if user_id is None else str(user_id)
        self.tags = None if tags is None else tuple(str(tag) for tag in tags)
        self.metadata = dict(metadata or {})
        # A stack, so that one scope object may be entered again while it is already entered.
        self._tokens: list[Token[otel_context.Context]] = []

    def _within(self, outer: SessionContext | None) -> SessionContext:
        if outer is None:
            return SessionContext(
                self.session_id, self.user_id, self.tags or (), MappingProxyType(dict(self.metadata))
            )
        return SessionContext(
            self.session_id,
            outer.user_id if self.user_id is None else self.user_id,
            outer.tags if self.tags is None else self.tags,
            MappingProxyType({**outer.metadata, **self.metadata}),
        )

    def __enter__(self) -> SessionContext:
        value = self._within(current_session())
        self._tokens.append(otel_context.attach(otel_context.set_value(_KEY, value)))
        return value

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        otel_context.detach(self._tokens.pop())

    async def __aenter__(self) -> SessionContext:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    def __call__(self, function: _F) -> _F:
        """Run every call of ``function`` inside this session: sync or async functions, and sync or
        async generators (each step of the iteration)."""

        def begin(
            args: tuple[Any, ...], kwargs: dict[str, Any], generator: bool
        ) -> tuple[otel_context.Context, CallHooks]:
            return otel_context.set_value(_KEY, self._within(current_session())), NO_HOOKS

        return decorate(function, begin)


def session(
    session_id: str,
    *,
    user_id: str | None = None,
    tags: Iterable[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> SessionScope:
    """Group every span started inside into session ``session_id``::

        with session("chat-42", user_id="u1"):
            answer(question)

    Also ``async with session(...)`` and ``@session(...)`` on a function. ``SessionSpanProcessor``
    stamps the values onto each span, including spans of third-party instrumentations.
    """
    return SessionScope(session_id, user_id=user_id, tags=tags, metadata=metadata)
