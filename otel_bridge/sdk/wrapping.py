"""Decorators that run a function's body inside an OpenTelemetry context: the one shape ``observe``
(its span current) and ``session`` (its values current) share, for sync and async functions and
sync and async generators.

A generator's body runs in the context of whoever advances it, and anything it attaches before a
``yield`` would leak into the consumer until the next step. So for generators the context is
attached around each step only (``send``/``throw`` on the wrapped generator) and detached before
the item is handed out; the call's hooks see every item and the end of the iteration.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from typing import Any, Protocol, TypeVar, cast

from opentelemetry import context as otel_context

from otel_bridge.sdk.throttle import sdk_log

__all__ = ["NO_HOOKS", "Begin", "CallHooks", "decorate", "iterate_async_in", "iterate_in"]

_F = TypeVar("_F", bound=Callable[..., Any])

_Y = TypeVar("_Y")
_S = TypeVar("_S")
_R = TypeVar("_R")


class CallHooks(Protocol):
    """What a wrapper reports about one call. The hooks must not raise."""

    def result(self, value: Any) -> None:
        """The function returned ``value``, or the generator yielded it (once per item)."""

    def error(self, error: BaseException) -> None:
        """The body raised ``error`` (it is re-raised after this call)."""

    def done(self) -> None:
        """The call finished: returned, raised, or (a generator) exhausted or closed early."""


#: Called at the start of each call with its arguments and whether the function is a generator
#: function; returns the context to run the body in and the hooks to report to.
Begin = Callable[[tuple[Any, ...], dict[str, Any], bool], tuple[otel_context.Context, CallHooks]]


class _NoHooks:
    def result(self, value: Any) -> None:
        pass

    def error(self, error: BaseException) -> None:
        pass

    def done(self) -> None:
        pass


#: Hooks that do nothing (``session`` needs only the context).
NO_HOOKS: CallHooks = _NoHooks()


class _Once:
    """``hooks`` whose ``done`` runs at most once (a generator's end, or its collection)."""

    def __init__(self, hooks: CallHooks) -> None:
        self.hooks = hooks
        self._done = threading.Lock()

    def result(self, value: Any) -> None:
        self.hooks.result(value)

    def error(self, error: BaseException) -> None:
        self.hooks.error(error)

    def done(self) -> None:
        if self._done.acquire(blocking=False):
            self.hooks.done()


def _begin_safely(begin: Begin, args: tuple[Any, ...], kwargs: dict[str, Any], generator: bool) -> Any:
    """``begin``, or the current context and no hooks when it fails: tracing never breaks the call."""
    try:
        return begin(args, kwargs, generator)
    except Exception:
        sdk_log.report(
            "begin", "otel-bridge: could not start tracing a call; running it untraced", exc_info=True
        )
        return otel_context.get_current(), NO_HOOKS


@contextlib.contextmanager
def _running(context: otel_context.Context, hooks: CallHooks) -> Iterator[None]:
    """The body of one function call: ``context`` attached, errors and the end reported."""
    token = otel_context.attach(context)
    try:
        yield
    except BaseException as error:
        hooks.error(error)
        raise
    finally:
        otel_context.detach(token)
        hooks.done()


def decorate(function: _F, begin: Begin) -> _F:
    """``function`` wrapped so that every call runs in the context ``begin`` returns and reports to its
    hooks; sync and async functions, sync and async generator functions alike."""
    if inspect.isasyncgenfunction(function) or inspect.isgeneratorfunction(function):
        iterate: Callable[..., Any] = iterate_async_in if inspect.isasyncgenfunction(function) else iterate_in

        @functools.wraps(function)
        def run_generator(*args: Any, **kwargs: Any) -> Any:
            # ``begin`` runs when the generator is made (as its span starts then), the body later.
            context, hooks = _begin_safely(begin, args, kwargs, True)
            if hooks is NO_HOOKS:
                return iterate(function(*args, **kwargs), context, hooks)
            once = _Once(hooks)
            wrapped = iterate(function(*args, **kwargs), context, once)
            # A generator that is never iterated (or closed before its first step) runs none of its
            # body, ``finally`` included: its hooks finish when it is collected instead, so its span
            # ends. ``_Once`` keeps a finished iteration from finishing twice.
            weakref.finalize(wrapped, once.done)
            return wrapped

        return cast(_F, run_generator)

    if inspect.iscoroutinefunction(function):

        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            context, hooks = _begin_safely(begin, args, kwargs, False)
            with _running(context, hooks):
                value = await function(*args, **kwargs)
                hooks.result(value)
                return value

        return cast(_F, run_async)

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        # ``_running`` written out: this is every decorated call's path, and a generator-based
        # context manager costs as much as the rest of the wrapper.
        context, hooks = _begin_safely(begin, args, kwargs, False)
        token = otel_context.attach(context)
        try:
            value = function(*args, **kwargs)
            hooks.result(value)
            return value
        except BaseException as error:
            hooks.error(error)
            raise
        finally:
            otel_context.detach(token)
            hooks.done()

    return cast(_F, run)


def iterate_in(
    generator: Generator[_Y, _S, _R], context: otel_context.Context, hooks: CallHooks
) -> Generator[_Y, _S, _R]:
    """``generator``, each step of it run with ``context`` attached; ``send``, ``throw`` and ``close``
    reach the body as they would without the wrapper."""
    sent: Any = None
    thrown: BaseException | None = None
    try:
        while True:
            token = otel_context.attach(context)
            try:
                item = generator.send(sent) if thrown is None else generator.throw(thrown)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            finally:
                otel_context.detach(token)
            thrown = None
            hooks.result(item)
            try:
                sent = yield item
            except GeneratorExit:
                raise
            except BaseException as error:  # thrown in by the consumer: the body decides
                thrown, sent = error, None
    except GeneratorExit:
        # The consumer stopped early: let the body run its ``finally`` blocks, in its context.
        token = otel_context.attach(context)
        try:
            generator.close()
        finally:
            otel_context.detach(token)
        raise
    except BaseException as error:
        hooks.error(error)
        raise
    finally:
        hooks.done()


async def iterate_async_in(
    generator: AsyncGenerator[_Y, _S], context: otel_context.Context, hooks: CallHooks
) -> AsyncGenerator[_Y, _S]:
    """``iterate_in`` for an async generator (``asend``, ``athrow`` and ``aclose``)."""
    sent: Any = None
    thrown: BaseException | None = None
    try:
        while True:
            token = otel_context.attach(context)
            try:
                step = generator.asend(sent) if thrown is None else generator.athrow(thrown)
                item = await step
            except StopAsyncIteration:
                return
            finally:
                otel_context.detach(token)
            thrown = None
            hooks.result(item)
            try:
                sent = yield item
            except GeneratorExit:
                raise
            except BaseException as error:
                thrown, sent = error, None
    except GeneratorExit:
        token = otel_context.attach(context)
        try:
            await generator.aclose()
        finally:
            otel_context.detach(token)
        raise
    except BaseException as error:
        hooks.error(error)
        raise
    finally:
        hooks.done()
