"""``otel_bridge.demo.spans`` and ``report``: the SDK spans of a session carry the convention's
session key where the plan says, and the report counts what the translator reads from them."""

from __future__ import annotations

import pytest

from otel_bridge.demo.planner import CONVENTIONS, plan_session
from otel_bridge.demo.report import report_session
from otel_bridge.demo.spans import WRITERS, build_spans
from otel_bridge.model import ObservationLevel
from otel_bridge.sdk.records import spans_to_records
from otel_bridge.translate import translate_spans

NOW = 1_760_000_000_000_000_000


class TestBuildSpans:
    """The SDK spans of a session carry the convention's session key where the plan says."""

    @pytest.mark.parametrize("index", range(5))
    def test_session_key_placement(self, index: int) -> None:
        """Normally every span has the session id; a child-only session has it on each first child."""
        plan = plan_session(index, 0, NOW)
        key = WRITERS[plan.convention].session_key
        spans = build_spans(plan, 0)
        roots = [s for s in spans if s.parent is None]
        assert len(roots) == len(plan.turns)
        carrying = [s for s in spans if (s.attributes or {}).get(key) == plan.id]
        if plan.session_on_child:
            assert not any(s.parent is None for s in carrying)
            assert len(carrying) == len(plan.turns)
        else:
            assert len(carrying) == len(spans)

    def test_same_seed_same_ids(self) -> None:
        """Trace and span ids come from the seed: two builds of one plan give the same ids."""
        plan = plan_session(1, 9, NOW)
        ids = [(s.context.trace_id, s.context.span_id) for s in build_spans(plan, 9)]
        assert ids == [(s.context.trace_id, s.context.span_id) for s in build_spans(plan, 9)]

    @pytest.mark.parametrize("index", range(len(CONVENTIONS)))
    def test_report_matches_the_translated_spans(self, index: int) -> None:
        """The report's totals equal what the translator reads from the spans built, per convention:
        tokens summed over the observations, ERROR observations, distinct traces and spans."""
        plan = plan_session(index, 5, NOW)
        spans = build_spans(plan, 5)
        report = report_session(plan, spans)
        observations = [t.observation for t in translate_spans(spans_to_records(spans))]
        assert report.input_tokens == sum(o.usage.input for o in observations) > 0
        assert report.output_tokens == sum(o.usage.output for o in observations) > 0
        assert report.total_tokens == report.input_tokens + report.output_tokens
        assert report.errors == sum(o.level is ObservationLevel.ERROR for o in observations)
        assert report.traces == len({o.trace_id for o in observations}) == len(plan.turns)
        assert report.spans == len(observations)
