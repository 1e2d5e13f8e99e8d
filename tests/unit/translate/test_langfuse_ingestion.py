"""Langfuse ingestion events → translations (``otel_bridge.translate.langfuse_ingestion``), over an
in-memory stand-in for the store's reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from otel_bridge.errors import EventError, NotFound
from otel_bridge.model import Cost, Observation, ObservationLevel, ObservationType
from otel_bridge.model.langfuse_wire import TRACE_CLAIMS_ID
from otel_bridge.translate import Translation
from otel_bridge.translate.langfuse_ingestion import BatchConverter, Event
from otel_bridge.translate.langfuse_ingestion.bodies import EventBody, explicit_cost, usage_counts
from otel_bridge.translate.langfuse_ingestion.events import parse_event

UTC = timezone.utc
T0 = datetime(2025, 1, 1, tzinfo=UTC)


class StoredSpans:
    """What ``BatchConverter`` reads, held in a dict."""

    def __init__(self, translations: list[Translation] = []) -> None:  # noqa: B006 - never mutated
        self.rows = {(t.observation.trace_id, t.observation.id): t for t in translations}

    def get_translation(self, project_id: str, trace_id: str, observation_id: str) -> Translation | None:
        return self.rows.get((trace_id, observation_id))

    def get_observation(self, project_id: str, observation_id: str) -> Observation:
        for (_, span), translation in self.rows.items():
            if span == observation_id:
                return translation.observation
        raise NotFound(observation_id)


def make(kind: str, body: dict[str, Any], second: int = 0) -> Event:
    return Event(f"e-{kind}-{second}", kind, T0.replace(second=second), body, 0)


def convert(*events: Event, stored: StoredSpans | None = None) -> dict[tuple[str, str], Translation]:
    converter = BatchConverter(stored or StoredSpans(), "p", new_id=lambda: "generated")
    for item in events:
        converter.apply(item)
    return {(t.observation.trace_id, t.observation.id): t for t in converter.translations}


class TestTraceCreate:
    def test_claims_row(self) -> None:
        """A trace-create becomes the trace's claims row with explicit claims and its timestamp."""
        body = {
            "id": "t",
            "name": "n",
            "userId": "u",
            "sessionId": "s",
            "input": {"q": 1},
            "tags": ["b", "a"],
        }
        [row] = convert(make("trace-create", body, 3)).values()
        assert row.observation.id == TRACE_CLAIMS_ID and row.claims.span_id == TRACE_CLAIMS_ID
        c = row.claims
        assert (c.explicit_name, c.user_id, c.session_id, c.explicit_input, c.tags) == (
            "n",
            "u",
            "s",
            {"q": 1},
            ("a", "b"),
        )
        assert c.start_time_unix_nano == c.end_time_unix_nano == int(T0.replace(second=3).timestamp()) * 10**9
        assert not c.is_root

    def test_merge_keeps_first_timestamp_and_environment(self) -> None:
        """A repeated trace-create merges into the stored claims as Langfuse does."""
        first = make(
            "trace-create", {"id": "t", "environment": "dev", "tags": ["a"], "metadata": {"x": {"a": 1}}}, 1
        )
        second = make(
            "trace-create",
            {
                "id": "t",
                "timestamp": "2025-02-01T00:00:00Z",
                "environment": "prod",
                "tags": ["b"],
                "userId": "u",
            }
            | {"metadata": {"x": {"b": 2}}},
            2,
        )
        [row] = convert(first, second).values()
        c = row.claims
        assert c.environment == "dev" and c.tags == ("a", "b") and c.user_id == "u"
        assert c.metadata == {"x": {"a": 1, "b": 2}}
        assert c.start_time_unix_nano == int(T0.replace(second=1).timestamp()) * 10**9

    def test_missing_id_is_generated(self) -> None:
        """A trace-create without an id gets a fresh one (Langfuse does the same)."""
        assert list(convert(make("trace-create", {"name": "n"}))) == [("generated", TRACE_CLAIMS_ID)]


class TestObservations:
    def test_create_defaults(self) -> None:
        """A create without times starts at the event's timestamp and ends when it starts; no parent
        makes it the trace's root."""
        [row] = convert(make("span-create", {"id": "o", "traceId": "t", "name": "step"}, 5)).values()
        o = row.observation
        assert o.start_time == o.end_time == T0.replace(second=5)
        assert o.type is ObservationType.SPAN and row.claims.is_root and row.claims.span_name == "step"

    def test_update_merges_non_null_fields(self) -> None:
        """An update replaces the fields it carries and keeps the others."""
        create = make(
            "generation-create", {"id": "o", "traceId": "t", "name": "llm", "input": "in", "model": "m"}
        )
        update = make("generation-update", {"id": "o", "output": "out", "name": None, "level": "error"}, 2)
        [row] = convert(create, update).values()
        o = row.observation
        assert (o.name, o.input, o.output, o.model, o.level) == (
            "llm",
            "in",
            "out",
            "m",
            ObservationLevel.ERROR,
        )
        assert row.claims.span_output == "out"

    def test_update_finds_the_trace_in_the_store(self) -> None:
        """An update without traceId is applied to the stored observation's trace."""
        stored = convert(make("span-create", {"id": "o", "traceId": "t", "name": "x"}))
        [row] = convert(
            make("span-update", {"id": "o", "output": 1}, 1), stored=StoredSpans(list(stored.values()))
        ).values()
        assert row.observation.trace_id == "t" and row.observation.name == "x" and row.observation.output == 1

    def test_update_before_create(self) -> None:
        """An update of an unknown observation creates it; the later create merges its fields in."""
        update = make("span-update", {"id": "o", "traceId": "t", "output": "out"}, 1)
        create = make(
            "span-create", {"id": "o", "traceId": "t", "name": "n", "startTime": "2025-01-01T00:00:00Z"}
        )
        [row] = convert(update, create).values()
        assert (row.observation.name, row.observation.output, row.observation.start_time) == ("n", "out", T0)

    def test_observation_without_trace(self) -> None:
        """An observation sent without traceId gets a trace of its own id."""
        [row] = convert(make("event-create", {"id": "o"})).values()
        assert row.observation.trace_id == "o" and row.observation.type is ObservationType.EVENT

    def test_stated_cost_survives_later_usage(self) -> None:
        """A stated cost stays when an update changes the usage; a computed one follows the usage."""
        create = make(
            "generation-create", {"id": "o", "traceId": "t", "model": "gpt-4o", "costDetails": {"total": 1.0}}
        )
        update = make("generation-update", {"id": "o", "usageDetails": {"input": 1000}}, 1)
        [row] = convert(create, update).values()
        assert row.observation.cost == Cost(total=1.0)
        [priced] = convert(
            make("generation-create", {"id": "o", "traceId": "t", "model": "gpt-4o"}), update
        ).values()
        assert priced.observation.cost is not None and priced.observation.cost.computed

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"id": "o", "level": "LOUD"}, "body.level must be one of"),
            ({"id": "o", "startTime": 5}, "body.startTime must be an ISO 8601"),
            ({"id": "o", "environment": ["prod"]}, "body.environment must be a string"),
            ({"id": "x" * 801}, "body.id must be 1-800 characters"),
            ({"id": "o", "tags": "a"}, None),  # observations have no tags: ignored
            ({"id": "o", "usageDetails": {"input": -1}}, "body.usageDetails.input must be a non-negative"),
            ({"id": "o", "promptVersion": "3"}, "body.promptVersion must be an integer"),
        ],
    )
    def test_invalid_fields(self, body: dict[str, Any], message: str | None) -> None:
        """Invalid fields are EventErrors naming the field and rule."""
        if message is None:
            convert(make("generation-create", body))
            return
        with pytest.raises(EventError, match=message):
            convert(make("generation-create", body))

    def test_environment_is_normalized_not_refused(self) -> None:
        """An environment Langfuse would refuse is stored normalized, by the rule OTLP spans follow
        (it was a 400 before the rule was shared)."""
        create = make("span-create", {"id": "o", "traceId": "t", "environment": "Prod"})
        trace = make("trace-create", {"id": "t", "environment": "langfuse-Staging"})
        rows = convert(create, trace)
        assert rows[("t", "o")].observation.environment == "prod"
        assert rows[("t", TRACE_CLAIMS_ID)].claims.environment == "staging"
        update = make("span-update", {"id": "o", "environment": "has spaces"}, 1)
        assert convert(create, update)[("t", "o")].observation.environment == "default"

    def test_unknown_type(self) -> None:
        """An unknown event type is an EventError listing the supported ones; a score is no span."""
        with pytest.raises(
            EventError, match="unsupported event type 'trace-update'; supported: agent-create"
        ):
            convert(make("trace-update", {}))
        assert convert(make("score-create", {"name": "q", "value": 1, "traceId": "t"})) == {}

    def test_score_create_is_collected_apart(self) -> None:
        """``score-create`` events become the converter's scores, timestamped by their envelope when
        their body has no timestamp; a bad one is an EventError naming the field."""
        converter = BatchConverter(StoredSpans(), "p")
        converter.apply(make("score-create", {"id": "s", "name": "q", "value": "ok", "sessionId": "c"}, 2))
        (score,) = converter.scores
        assert (score.id, score.session_id, score.string_value) == ("s", "c", "ok")
        assert score.timestamp == make("sdk-log", {}, 2).timestamp
        assert converter.translations == []
        with pytest.raises(EventError, match=r"body\.name"):
            converter.apply(make("score-create", {"value": 1, "traceId": "t"}))


class TestUsageAndCost:
    @pytest.mark.parametrize(
        ("body", "counts"),
        [
            (
                {"usage": {"promptTokens": 3, "completionTokens": 4, "totalTokens": 7}},
                {"input": 3, "output": 4, "total": 7},
            ),
            ({"usage": {"input": 1, "output": 2, "unit": "TOKENS"}}, {"input": 1, "output": 2}),
            (
                {"usageDetails": {"input": 5, "input_cached_tokens": 2, "audio": 1}},
                {"input": 5, "cached": 2, "audio": 1},
            ),
            (
                {
                    "usageDetails": {
                        "input_tokens": 9,
                        "output_tokens": 1,
                        "total_tokens": 10,
                        "input_tokens_details": {"cached_tokens": 4},
                        "output_tokens_details": {"reasoning_tokens": 1},
                    }
                },
                {"input": 9, "output": 1, "total": 10, "cached": 4, "reasoning": 1},
            ),
            ({}, None),
        ],
    )
    def test_usage_shapes(self, body: dict[str, Any], counts: dict[str, int] | None) -> None:
        """Every usage shape of the spec normalizes to the translator's counts."""
        assert usage_counts(EventBody(body)) == counts

    def test_costs(self) -> None:
        """``costDetails`` wins over the usage costs; a missing total is input + output."""
        assert explicit_cost(EventBody({"costDetails": {"input": 1.0, "output": 2.0}})) == Cost(1.0, 2.0, 3.0)
        assert explicit_cost(EventBody({"usage": {"totalCost": 0.5}})) == Cost(total=0.5)
        assert explicit_cost(EventBody({"usage": {"input": 3}})) is None


class TestParseEvent:
    @pytest.mark.parametrize(
        ("item", "message"),
        [
            ([], "an event must be an object"),
            ({"type": "span-create", "timestamp": "2025-01-01T00:00:00Z", "body": {}}, "id is required"),
            ({"id": "e", "timestamp": "2025-01-01T00:00:00Z", "body": {}}, "type is required"),
            ({"id": "e", "type": "span-create", "body": {}}, "timestamp is required"),
            (
                {"id": "e", "type": "span-create", "timestamp": "x", "body": {}},
                "timestamp must be an ISO 8601",
            ),
            (
                {"id": "e", "type": "span-create", "timestamp": "2025-01-01T00:00:00Z", "body": 1},
                "body is required",
            ),
        ],
    )
    def test_envelope_rules(self, item: Any, message: str) -> None:
        """A broken envelope is an EventError naming the field."""
        with pytest.raises(EventError, match=message):
            parse_event(item, 0)
