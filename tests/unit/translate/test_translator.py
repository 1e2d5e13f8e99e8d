"""The translator's own rules: ids, metadata, level and status, environment, cost."""

from __future__ import annotations

from functools import partial

from otel_bridge.model import InstrumentationScope, ObservationLevel, ObservationType, SpanLink
from otel_bridge.translate import translate_span
from otel_bridge.translate.pricing import Price, PriceTable, default_price_table
from tests.support.spans import SECOND, event, record

#: 2023-11-14T22:13:20Z, in nanoseconds.
ORIGIN = 1_700_000_000 * SECOND
#: The span under test: "work", a child, two seconds from ``ORIGIN``; ids the tests read back.
work = partial(
    record,
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "00f067aa0ba902b7",
    "53995c3f42cd8ad8",
    name="work",
    origin=ORIGIN,
    end=2,
)


class TestIdentity:
    def test_ids_and_times_carry_over(self) -> None:
        """Observation id, trace id and parent come from the span; times become UTC datetimes."""
        observation = translate_span(work()).observation
        assert observation.id == "00f067aa0ba902b7"
        assert observation.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert observation.parent_observation_id == "53995c3f42cd8ad8"
        assert observation.start_time.isoformat() == "2023-11-14T22:13:20+00:00"
        assert (observation.end_time - observation.start_time).total_seconds() == 2

    def test_plain_span_is_span_type(self) -> None:
        """A span no rule recognizes is a SPAN."""
        assert translate_span(work()).observation.type is ObservationType.SPAN

    def test_model_alone_makes_a_generation(self) -> None:
        """A span naming a model and nothing else is a GENERATION."""
        observation = translate_span(work(attrs={"model": "gpt-4o"})).observation
        assert observation.type is ObservationType.GENERATION
        assert observation.model == "gpt-4o"


class TestNothingIsDropped:
    def test_unmapped_attributes_resource_scope_and_links_land_in_metadata(self) -> None:
        """Unmapped attributes, the resource, the scope, events and links are kept in metadata."""
        span = work(
            attrs={"http.method": "POST", "session.id": "s"},
            resource={"service.name": "checkout"},
            scope=InstrumentationScope(name="my.lib", version="1.2"),
            events=(event("cache.miss", {"key": "k"}, at=1, origin=ORIGIN),),
            links=(SpanLink("ab" * 16, "cd" * 8, {"kind": "follows"}),),
        )
        metadata = translate_span(span).observation.metadata
        assert metadata["attributes"] == {"http.method": "POST"}
        assert metadata["resourceAttributes"] == {"service.name": "checkout"}
        assert metadata["scope"] == {"name": "my.lib", "version": "1.2", "attributes": {}}
        assert metadata["events"][0]["name"] == "cache.miss"
        assert metadata["links"] == [
            {"traceId": "ab" * 16, "spanId": "cd" * 8, "attributes": {"kind": "follows"}}
        ]

    def test_losing_claim_keys_stay_visible(self) -> None:
        """When two session keys disagree, the winner is mapped and the loser stays in attributes."""
        span = work(attrs={"langfuse.session.id": "winner", "session.id": "loser"})
        translation = translate_span(span)
        assert translation.claims.session_id == "winner"
        assert translation.observation.metadata["attributes"] == {"session.id": "loser"}


class TestLevelAndStatus:
    def test_error_status_gives_error_level_with_message(self) -> None:
        """Status ERROR → level ERROR with the status message."""
        span = work(error="upstream timed out")
        observation = translate_span(span).observation
        assert observation.level is ObservationLevel.ERROR
        assert observation.status_message == "upstream timed out"

    def test_exception_event_gives_error_level_with_type_and_message(self) -> None:
        """An ``exception`` event → level ERROR with the exception type and message."""
        exception = event(
            "exception",
            {"exception.type": "RateLimitError", "exception.message": "429 Too Many Requests"},
            at=1,
            origin=ORIGIN,
        )
        observation = translate_span(work(events=(exception,))).observation
        assert observation.level is ObservationLevel.ERROR
        assert observation.status_message == "RateLimitError: 429 Too Many Requests"

    def test_explicit_level_wins(self) -> None:
        """``langfuse.observation.level`` beats the span status."""
        span = work(attrs={"langfuse.observation.level": "warn"}, error="x")
        assert translate_span(span).observation.level is ObservationLevel.WARNING


class TestEnvironmentReleaseVersion:
    def test_environment_from_resource_normalized(self) -> None:
        """The environment comes from the resource when the span has none, lowercased."""
        span = work(resource={"deployment.environment.name": "Production"})
        translation = translate_span(span)
        assert translation.observation.environment == "production"
        assert translation.claims.environment == "production"

    def test_invalid_environment_becomes_default(self) -> None:
        """An environment Langfuse would reject becomes ``default``."""
        span = work(attrs={"langfuse.environment": "has spaces!"})
        assert translate_span(span).observation.environment == "default"

    def test_version_falls_back_to_service_version(self) -> None:
        """The version falls back to the resource's ``service.version``."""
        span = work(resource={"service.version": "2.3.1"})
        assert translate_span(span).claims.version == "2.3.1"


class TestTags:
    def test_comma_separated_and_json_tags(self) -> None:
        """Tags may come as a comma-separated string or a JSON array string."""
        assert translate_span(work(attrs={"langfuse.tags": "b, a"})).claims.tags == ("a", "b")
        assert translate_span(work(attrs={"tag.tags": '["x","y"]'})).claims.tags == ("x", "y")


class TestCost:
    def test_cost_computed_from_price_table_is_marked(self) -> None:
        """Without explicit cost, cost is computed from the dated price table and marked computed."""
        span = work(
            attrs={
                "langfuse.observation.model.name": "gpt-4o-mini-2024-07-18",
                "langfuse.observation.usage_details": '{"input": 1000000, "output": 1000000}',
            }
        )
        cost = translate_span(span).observation.cost
        assert cost is not None
        assert cost.computed
        assert cost.price_date == default_price_table().date
        assert cost.input == 0.15
        assert cost.output == 0.6

    def test_explicit_cost_wins_and_is_not_computed(self) -> None:
        """An explicit cost attribute is used as it is."""
        span = work(
            attrs={
                "langfuse.observation.model.name": "gpt-4o",
                "langfuse.observation.usage_details": '{"input": 10, "output": 10}',
                "langfuse.observation.cost_details": '{"input": 0.5, "output": 0.25}',
            }
        )
        cost = translate_span(span).observation.cost
        assert cost is not None
        assert not cost.computed
        assert cost.total == 0.75

    def test_unknown_model_has_no_cost(self) -> None:
        """A model missing from the table gets no cost rather than a wrong one."""
        span = work(attrs={"model": "my-finetune", "langfuse.observation.usage_details": '{"input": 5}'})
        assert translate_span(span).observation.cost is None


class TestPriceTable:
    def test_longest_prefix_and_provider_path(self) -> None:
        """Dated model names match by longest prefix; provider paths are dropped."""
        table = default_price_table()
        assert table.lookup("gpt-4o-mini-2024-07-18") == table.prices["gpt-4o-mini"]
        assert table.lookup("openai/gpt-4o") == table.prices["gpt-4o"]
        assert table.lookup("models/gemini-2.5-flash") == table.prices["gemini-2.5-flash"]
        assert table.lookup("gpt-4ox") is None

    def test_cached_tokens_use_cached_price(self) -> None:
        """Cached input tokens are charged at the cached price."""
        from otel_bridge.model import Usage

        table = PriceTable("2025-01-01", {"m": Price(input=2.0, output=4.0, cached=1.0)})
        cost = table.cost("m", Usage(input=1_000_000, output=0, cached=500_000))
        assert cost is not None
        assert cost.input == 1.5

    def test_table_covers_the_common_providers(self) -> None:
        """The shipped table prices OpenAI, Anthropic, Gemini, Mistral and Llama-on-Groq models."""
        table = default_price_table()
        for model in (
            "gpt-4o",
            "claude-sonnet-4-5",
            "gemini-2.5-pro",
            "mistral-large-latest",
            "llama-3.3-70b-versatile",
        ):
            assert table.lookup(model) is not None, model
