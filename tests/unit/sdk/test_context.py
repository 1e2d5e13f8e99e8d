"""``session()``: the current session in the context, as ``with``, ``async with`` and a decorator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

from otel_bridge.sdk import SessionContext, current_session, session


def session_id() -> str | None:
    current = current_session()
    return None if current is None else current.session_id


class TestSession:
    def test_no_session_outside(self) -> None:
        """Outside any ``session()`` there is no current session."""
        assert current_session() is None

    def test_with_sets_and_restores(self) -> None:
        """``with session(...)`` makes its values current and returns them; on exit they are gone."""
        with session("s1", user_id="u1", tags=["b", "a"], metadata={"n": 1}) as current:
            assert current_session() == current
            assert current == SessionContext("s1", "u1", ("b", "a"), {"n": 1})
        assert current_session() is None

    def test_restored_after_an_exception(self) -> None:
        """An exception leaving the block still restores the outer context."""
        try:
            with session("s1"):
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        assert current_session() is None

    def test_nested_inner_wins_and_inherits(self) -> None:
        """An inner session overrides what it gives, inherits user id and tags, merges metadata, and
        the outer one is back after it."""
        with session("outer", user_id="u1", tags=["t"], metadata={"a": 1, "b": 1}):
            with session("inner", metadata={"b": 2}) as inner:
                assert inner == SessionContext("inner", "u1", ("t",), {"a": 1, "b": 2})
                with session("innermost", user_id="u2", tags=[]) as innermost:
                    assert (innermost.user_id, innermost.tags) == ("u2", ())
            assert session_id() == "outer"

    def test_async_with(self) -> None:
        """``async with session(...)`` works like ``with``."""

        async def main() -> tuple[str | None, str | None]:
            async with session("s-async"):
                inside = session_id()
            return inside, session_id()

        assert asyncio.run(main()) == ("s-async", None)

    def test_concurrent_tasks_do_not_share(self) -> None:
        """Concurrent tasks in different sessions each see their own, across awaits."""

        async def turn(name: str) -> list[str | None]:
            seen = []
            async with session(name):
                for _ in range(3):
                    await asyncio.sleep(0)
                    seen.append(session_id())
            return seen

        async def main() -> list[list[str | None]]:
            return list(await asyncio.gather(turn("a"), turn("b")))

        assert asyncio.run(main()) == [["a"] * 3, ["b"] * 3]

    def test_decorates_sync_and_async_functions(self) -> None:
        """As a decorator, each call of a sync or async function runs inside the session."""

        @session("deco")
        def sync() -> str | None:
            return session_id()

        @session("deco-async")
        async def coroutine() -> str | None:
            await asyncio.sleep(0)
            return session_id()

        assert sync() == "deco"
        assert asyncio.run(coroutine()) == "deco-async"
        assert session_id() is None

    def test_decorates_generators_without_leaking(self) -> None:
        """A decorated generator's body runs in the session, and the consumer between items does not."""

        @session("gen")
        def numbers() -> Iterator[str | None]:
            yield session_id()
            yield session_id()

        seen = []
        for item in numbers():
            seen.append((item, session_id()))
        assert seen == [("gen", None), ("gen", None)]

    def test_decorates_async_generators(self) -> None:
        """A decorated async generator's body runs in the session."""

        @session("agen")
        async def numbers() -> AsyncIterator[str | None]:
            yield session_id()

        async def main() -> list[tuple[str | None, str | None]]:
            return [(item, session_id()) async for item in numbers()]

        assert asyncio.run(main()) == [("agen", None)]

    def test_values_are_coerced_to_text(self) -> None:
        """Ids and tags given as other types are kept as text."""
        with session(42, user_id=7, tags=(1,)) as current:  # type: ignore[arg-type]
            assert (current.session_id, current.user_id, current.tags) == ("42", "7", ("1",))
