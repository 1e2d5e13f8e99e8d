"""``@observe``: one observation per call, for functions, coroutines and generators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import trace

from otel_bridge.model import Observation, ObservationLevel, ObservationType
from otel_bridge.sdk import observe, update_current_observation
from otel_bridge.translate.payloads import resolve_payload
from tests.unit.sdk.sdk_helpers import GlobalPipeline


def observations(pipeline: GlobalPipeline) -> dict[str, Observation]:
    return {o.name: o for o in pipeline.sink.observations}


def io(observation: Observation) -> tuple[Any, Any]:
    return resolve_payload(observation.input), resolve_payload(observation.output)


@dataclass
class Question:
    text: str
    tags: set[str]


class TestObserveFunctions:
    def test_bare_decorator(self, pipeline: GlobalPipeline) -> None:
        """``@observe`` records a SPAN named after the function, its arguments by name and its result."""

        @observe
        def answer(question: str, loud: bool = False) -> str:
            return question.upper() if loud else question

        assert answer("hi", loud=True) == "HI"
        observation = observations(pipeline)["answer"]
        assert observation.type is ObservationType.SPAN
        assert io(observation) == ({"question": "hi", "loud": True}, "HI")

    def test_name_and_type(self, pipeline: GlobalPipeline) -> None:
        """``name`` and ``as_type`` set the observation's name and type."""

        @observe(name="llm-call", as_type="generation")
        def call() -> str:
            return "ok"

        @observe()
        def plain() -> None:
            return None

        call()
        plain()
        found = observations(pipeline)
        assert found["llm-call"].type is ObservationType.GENERATION
        assert found["plain"].type is ObservationType.SPAN

    @pytest.mark.parametrize("kind", ["agent", "tool", "chain", "retriever", "evaluator", "embedding"])
    def test_every_type(self, pipeline: GlobalPipeline, kind: Any) -> None:
        """Each of Langfuse's types given as ``as_type`` is the observation's type."""
        observe(as_type=kind)(lambda: None)()
        (observation,) = pipeline.sink.observations
        assert observation.type is ObservationType(kind.upper())

    def test_unknown_type_is_refused_at_decoration(self) -> None:
        """An unknown ``as_type`` raises ``ValueError`` when decorating, naming the allowed ones."""
        with pytest.raises(ValueError, match="generation"):
            observe(as_type="llm")  # type: ignore[call-overload]

    def test_nesting_and_methods(self, pipeline: GlobalPipeline) -> None:
        """A decorated call inside another is its child; a method's ``self`` is not recorded, and
        ``**kwargs`` are merged into the input."""

        class Bot:
            @observe
            def reply(self, text: str, **options: Any) -> str:
                return inner(text)

        @observe
        def inner(text: str) -> str:
            return text[::-1]

        Bot().reply("abc", temperature=0.5)
        found = observations(pipeline)
        assert found["inner"].parent_observation_id == found["reply"].id
        assert found["inner"].trace_id == found["reply"].trace_id
        assert io(found["reply"]) == ({"text": "abc", "temperature": 0.5}, "cba")

    def test_async_function(self, pipeline: GlobalPipeline) -> None:
        """A coroutine function's span covers the awaited call and records its result."""

        @observe(as_type="tool")
        async def lookup(key: str) -> dict[str, str]:
            await asyncio.sleep(0)
            with trace.get_tracer("t").start_as_current_span("inside"):
                pass
            return {"key": key}

        assert asyncio.run(lookup("k")) == {"key": "k"}
        found = observations(pipeline)
        assert io(found["lookup"]) == ({"key": "k"}, {"key": "k"})
        assert found["inside"].parent_observation_id == found["lookup"].id

    def test_exception_is_recorded_and_reraised(self, pipeline: GlobalPipeline) -> None:
        """An exception marks the observation ERROR with its type and message, adds an ``exception``
        event, and reaches the caller unchanged."""
        error = KeyError("missing")

        @observe
        def fail() -> None:
            raise error

        with pytest.raises(KeyError) as raised:
            fail()
        assert raised.value is error
        (span,) = pipeline.spans.get_finished_spans()
        assert [event.name for event in span.events] == ["exception"]
        observation = observations(pipeline)["fail"]
        assert observation.level is ObservationLevel.ERROR
        assert observation.status_message == "KeyError: 'missing'"

    def test_capture_switches(self, pipeline: GlobalPipeline) -> None:
        """``capture_input=False`` and ``capture_output=False`` leave input and output out."""

        @observe(capture_input=False, capture_output=False)
        def secret(password: str) -> str:
            return password

        secret("hunter2")
        assert io(observations(pipeline)["secret"]) == (None, None)

    def test_unserializable_values(self, pipeline: GlobalPipeline) -> None:
        """Dataclasses, sets and arbitrary objects are recorded as JSON stand-ins, never an error."""
        loop: list[Any] = []
        loop.append(loop)

        class Opaque:
            def __repr__(self) -> str:
                return "<opaque>"

        @observe
        def odd(question: Question, thing: Any, cycle: list[Any]) -> Any:
            return Opaque()

        odd(Question("q", {"b", "a"}), Opaque(), loop)
        recorded_input, recorded_output = io(observations(pipeline)["odd"])
        assert recorded_input == {
            "question": {"text": "q", "tags": ["a", "b"]},
            "thing": "<opaque>",
            "cycle": ["<list>"],
        }
        assert recorded_output == "<opaque>"

    def test_explicit_output_wins(self, pipeline: GlobalPipeline) -> None:
        """An output set with ``update_current_observation`` is kept instead of the return value."""

        @observe
        def redacting() -> str:
            update_current_observation(output="[redacted]")
            return "secret"

        assert redacting() == "secret"
        assert io(observations(pipeline)["redacting"])[1] == "[redacted]"


class TestObserveGenerators:
    def test_span_covers_the_iteration(self, pipeline: GlobalPipeline) -> None:
        """A generator's span ends after the last item; text items are joined into the output, and
        spans started in the body are its children."""

        @observe
        def stream(n: int) -> Iterator[str]:
            for index in range(n):
                with trace.get_tracer("t").start_as_current_span(f"chunk-{index}"):
                    pass
                yield str(index)

        items = stream(3)
        assert pipeline.spans.get_finished_spans() == ()  # nothing ended before iterating
        assert list(items) == ["0", "1", "2"]
        found = observations(pipeline)
        assert io(found["stream"]) == ({"n": 3}, "012")
        assert found["chunk-2"].parent_observation_id == found["stream"].id
        assert found["stream"].end_time >= found["chunk-2"].end_time

    def test_consumer_context_between_items(self, pipeline: GlobalPipeline) -> None:
        """Between items the consumer's own span is current, not the generator's."""

        @observe
        def numbers() -> Iterator[int]:
            yield 1
            yield 2

        tracer = trace.get_tracer("t")
        with tracer.start_as_current_span("consumer") as consumer:
            for _ in numbers():
                assert trace.get_current_span() is consumer

    def test_closed_early(self, pipeline: GlobalPipeline) -> None:
        """A generator the consumer stops early ends its span, with the items so far and no error."""
        cleaned = []

        @observe
        def endless() -> Generator[int, None, None]:
            try:
                index = 0
                while True:
                    yield index
                    index += 1
            finally:
                cleaned.append(True)

        generator = endless()
        assert [next(generator), next(generator)] == [0, 1]
        generator.close()
        assert cleaned == [True]
        observation = observations(pipeline)["endless"]
        assert io(observation)[1] == [0, 1]
        assert observation.level is ObservationLevel.DEFAULT

    def test_send_and_return_value(self, pipeline: GlobalPipeline) -> None:
        """Values sent into the wrapped generator reach the body, and its return value the caller."""

        @observe
        def echo() -> Generator[str, str, str]:
            received = yield "ready"
            yield f"got {received}"
            return "finished"

        def drive() -> Generator[str, str, str]:
            return (yield from echo())

        generator = drive()
        assert next(generator) == "ready"
        assert generator.send("ping") == "got ping"
        with pytest.raises(StopIteration) as stop:
            next(generator)
        assert stop.value.value == "finished"

    def test_error_in_generator(self, pipeline: GlobalPipeline) -> None:
        """An exception in the body marks the span ERROR and reaches the consumer."""

        @observe
        def failing() -> Iterator[int]:
            yield 1
            raise ValueError("bad chunk")

        with pytest.raises(ValueError, match="bad chunk"):
            list(failing())
        observation = observations(pipeline)["failing"]
        assert observation.level is ObservationLevel.ERROR
        assert io(observation)[1] == [1]

    def test_thrown_exception_reaches_the_body(self, pipeline: GlobalPipeline) -> None:
        """An exception thrown into the wrapped generator is seen by the body, which may handle it."""

        @observe
        def resilient() -> Generator[str, None, None]:
            try:
                yield "first"
            except KeyError:
                yield "recovered"

        generator = resilient()
        assert next(generator) == "first"
        assert generator.throw(KeyError("x")) == "recovered"
        generator.close()
        assert observations(pipeline)["resilient"].level is ObservationLevel.DEFAULT

    def test_async_generator(self, pipeline: GlobalPipeline) -> None:
        """An async generator's span covers the iteration; non-text items are kept as a list."""

        @observe(as_type="retriever")
        async def documents(query: str) -> AsyncIterator[dict[str, str]]:
            for name in ("a", "b"):
                await asyncio.sleep(0)
                yield {"doc": name}

        async def main() -> list[dict[str, str]]:
            return [item async for item in documents("q")]

        assert asyncio.run(main()) == [{"doc": "a"}, {"doc": "b"}]
        observation = observations(pipeline)["documents"]
        assert observation.type is ObservationType.RETRIEVER
        assert io(observation) == ({"query": "q"}, [{"doc": "a"}, {"doc": "b"}])

    def test_async_generator_error(self, pipeline: GlobalPipeline) -> None:
        """An exception in an async generator marks the span ERROR and reaches the consumer."""

        @observe
        async def broken() -> AsyncIterator[int]:
            yield 1
            raise RuntimeError("stream cut")

        async def main() -> list[int]:
            return [item async for item in broken()]

        with pytest.raises(RuntimeError, match="stream cut"):
            asyncio.run(main())
        assert observations(pipeline)["broken"].level is ObservationLevel.ERROR
