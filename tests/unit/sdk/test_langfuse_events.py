"""Translations → Langfuse ingestion events, checked by sending them through the server's own event
converter (``otel_bridge.translate.langfuse_ingestion``): what comes back must be what went in."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from otel_bridge.errors import NotFound
from otel_bridge.model import (
    Observation,
    ObservationType,
    SpanRecord,
    Trace,
    TraceClaims,
)
from otel_bridge.model.langfuse_wire import TRACE_CLAIMS_ID, create_event_type
from otel_bridge.sdk.langfuse_events import ingestion_events, observation_body, trace_body
from otel_bridge.sdk.serialize import to_jsonable
from otel_bridge.translate import Translation, resolve_trace, translate_spans
from otel_bridge.translate.langfuse_ingestion import BatchConverter, convert_batch
from otel_bridge.translate.payloads import resolve_payload
from tests.support.spans import event, record

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
T0 = 1_700_000_000_000_000_000
MS = 1_000_000


class NothingStored:
    """The server's store reads, for a project that holds nothing yet."""

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        return None

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        raise NotFound(observation_id)


#: The resource of every span: a service in the staging environment.
RESOURCE = {"service.name": "app", "deployment.environment": "staging"}


def span(
    span_id: str, parent: str | None, start: int, end: int, attributes: dict[str, Any], **fields: Any
) -> SpanRecord:
    """A span of ``TRACE`` from ``start`` to ``end`` milliseconds after ``T0``, named after its id's last
    digit unless ``fields`` name it; ``fields`` as ``record``'s."""
    fields.setdefault("name", f"span-{span_id[-1]}")
    return record(
        TRACE,
        span_id,
        parent,
        start=start / 1000,
        end=end / 1000,
        origin=T0,
        attrs=attributes,
        resource=RESOURCE,
        **fields,
    )


#: A trace of an agent, a generation (explicit cost, cached tokens, prompt, completion start), a
#: generation priced from the table, a failed tool, and claims spread over the spans.
SPANS = [
    span(
        "a000000000000001",
        None,
        0,
        100,
        {
            "langfuse.observation.type": "agent",
            "langfuse.observation.input": '{"question": "weather?"}',
            "langfuse.observation.output": '"sunny"',
            "session.id": "chat-9",
            "user.id": "u-9",
            "langfuse.trace.tags": ["a", "b"],
            "langfuse.trace.metadata": '{"tier": 2, "beta": true}',
            "langfuse.release": "r-1",
            "langfuse.trace.public": True,
            "custom.flag": b"\x00\x01",
        },
        name="agent run",
    ),
    span(
        "a000000000000002",
        "a000000000000001",
        10,
        50,
        {
            "langfuse.observation.type": "generation",
            "langfuse.observation.model.name": "my-model",
            "langfuse.observation.model.parameters": '{"temperature": 0.2, "stop": ["\\n"]}',
            "langfuse.observation.usage_details": '{"input": 30, "output": 8, "input_cached_tokens": 10}',
            "langfuse.observation.cost_details": '{"input": 0.01, "output": 0.02}',
            "langfuse.observation.completion_start_time": '"2023-11-14T22:13:20.020000Z"',
            "langfuse.observation.prompt.name": "weather-prompt",
            "langfuse.observation.prompt.version": 3,
            "langfuse.observation.input": '[{"role": "user", "content": "weather?"}]',
            "langfuse.observation.output": '{"role": "assistant", "content": "sunny"}',
            "langfuse.trace.tags": ["c"],
        },
    ),
    span(
        "a000000000000003",
        "a000000000000001",
        55,
        70,
        {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.input_tokens": 100,
            "gen_ai.usage.output_tokens": 20,
        },
    ),
    span(
        "a000000000000004",
        "a000000000000001",
        75,
        90,
        {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "forecast", "langfuse.version": "v-3"},
        error="timeout",
        events=(event("exception", {"exception.type": "TimeoutError"}, at=0.08, origin=T0),),
    ),
]


def through_server(events: list[dict[str, Any]]) -> list[Translation]:
    """The events as the server's ingestion route turns them into translations (all must succeed)."""
    batch = json.loads(json.dumps(events))  # exactly what goes over the wire
    outcomes, translations = convert_batch(BatchConverter(NothingStored(), "project"), batch)
    assert [o.message for o in outcomes if o.status != 201] == []
    return translations


def readable(observation: Observation) -> Observation:
    """The observation as the server keeps it: payloads resolved, bytes in metadata as base64 text
    (as the store encodes them too)."""
    return replace(
        observation,
        input=resolve_payload(observation.input),
        output=resolve_payload(observation.output),
        metadata=to_jsonable(observation.metadata),
    )


def readable_trace(trace: Trace) -> Trace:
    return replace(trace, input=resolve_payload(trace.input), output=resolve_payload(trace.output))


def server_trace(translations: list[Translation]) -> Trace:
    """The trace the server resolves: its claims row counts as the span that ended last
    (``otel_bridge.store.aggregates.resolve_with_aggregates``)."""
    claims = [t.claims for t in translations]
    last = max(c.end_time_unix_nano for c in claims) + 1
    return resolve_trace(
        [replace(c, end_time_unix_nano=last) if c.span_id == TRACE_CLAIMS_ID else c for c in claims]
    )


class TestIngestionEvents:
    def test_observations_round_trip(self) -> None:
        """Every observation comes back from the server's converter field for field."""
        sent = translate_spans(SPANS)
        back = {t.observation.id: t.observation for t in through_server(ingestion_events(sent))}
        for translation in sent:
            assert back[translation.observation.id] == readable(translation.observation)

    def test_trace_round_trips(self) -> None:
        """The trace the server resolves equals the one the spans describe."""
        sent = translate_spans(SPANS)
        expected = readable_trace(resolve_trace(t.claims for t in sent))
        assert server_trace(through_server(ingestion_events(sent))) == expected
        assert (expected.session_id, expected.user_id, expected.tags) == ("chat-9", "u-9", ("a", "b", "c"))
        assert expected.metadata == {"tier": 2, "beta": True}

    def test_one_trace_create_then_typed_creates(self) -> None:
        """Per trace: one ``trace-create``, then one ``<type>-create`` per observation."""
        sent = translate_spans(SPANS)
        kinds = [event["type"] for event in ingestion_events(sent)]
        assert kinds == [
            "trace-create",
            "agent-create",
            "generation-create",
            "generation-create",
            "tool-create",
        ]

    def test_every_type_has_its_create_event(self) -> None:
        """Each observation type maps to the create event the server accepts for it."""
        names = {create_event_type(kind) for kind in ObservationType}
        assert names == {f"{kind.value.lower()}-create" for kind in ObservationType}
        assert "generation-create" in names and "guardrail-create" in names

    def test_computed_cost_is_left_to_the_server(self) -> None:
        """A cost from the price table is not sent (the server prices it itself); a stated one is."""
        sent = translate_spans(SPANS)
        computed = sent[2].observation
        assert computed.cost is not None and computed.cost.computed
        assert "costDetails" not in observation_body(computed)
        assert observation_body(sent[1].observation)["costDetails"] == {
            "input": 0.01,
            "output": 0.02,
            "total": 0.03,
        }

    def test_children_alone_do_not_name_the_trace(self) -> None:
        """A batch without the root sends the claims it has but no name, input or output."""
        children = translate_spans(SPANS[1:])
        body = trace_body([t.claims for t in children])
        assert not {"name", "input", "output"} & set(body)
        assert body["tags"] == ["c"]
        assert body["timestamp"] == "2023-11-14T22:13:20.010000Z"

    def test_explicit_trace_fields_are_sent_without_the_root(self) -> None:
        """An explicit trace name, input and output on a child are sent."""
        child = SPANS[3]
        named = replace(
            child,
            attributes={**child.attributes, "langfuse.trace.name": "forecast", "langfuse.trace.input": '"q"'},
        )
        body = trace_body([t.claims for t in translate_spans([named])])
        assert (body["name"], body["input"]) == ("forecast", "q")
        assert "output" not in body

    def test_absent_claims_are_left_out(self) -> None:
        """Claims no span made are absent, so that ingestion's merge keeps earlier values."""
        claims = TraceClaims(TRACE, "b000000000000001", T0, T0 + MS, is_root=False, span_name="x")
        assert set(trace_body([claims])) == {"id", "timestamp"}

    def test_reserved_environment_is_dropped(self) -> None:
        """An environment Langfuse reserves (``langfuse…``) is left out instead of failing the event."""
        start = datetime(2025, 1, 1, tzinfo=timezone.utc)
        observation = Observation(
            "b000000000000002", TRACE, None, ObservationType.SPAN, "x", start, start, environment="langfusex"
        )
        assert "environment" not in observation_body(observation)

    def test_events_are_json(self) -> None:
        """Bytes in metadata become base64 text, so the batch is plain JSON."""
        events = ingestion_events(translate_spans(SPANS[:1]))
        agent = events[1]["body"]
        assert agent["metadata"]["attributes"]["custom.flag"] == "AAE="
        json.dumps(events, allow_nan=False)
