"""``otel_bridge.demo.planner``: sessions are deterministic per seed, realistic in shape, and rotate
through the conventions."""

from __future__ import annotations

import pytest

from otel_bridge.demo.planner import CONVENTIONS, MODELS, Generation, ToolCall, plan_session
from otel_bridge.translate.pricing import default_price_table

NOW = 1_760_000_000_000_000_000


class TestPlanSession:
    """Sessions are deterministic per seed, realistic in shape, and rotate through the conventions."""

    def test_same_seed_same_session(self) -> None:
        """The same (index, seed) plans the same session; timestamps move with "now" only."""
        first, second = plan_session(3, 42, NOW), plan_session(3, 42, NOW + 10**12)
        assert first.id == second.id and first.user_id == second.user_id
        assert [t.user for t in first.turns] == [t.user for t in second.turns]
        assert [t.start_ns + 10**12 for t in first.turns] == [t.start_ns for t in second.turns]

    def test_conventions_rotate_and_every_third_session_hides_its_id(self) -> None:
        """Five consecutive sessions use the five conventions; indices 2, 5, ... put the id on a child."""
        plans = [plan_session(index, 7, NOW) for index in range(6)]
        assert {p.convention for p in plans[:5]} == set(CONVENTIONS)
        assert [p.session_on_child for p in plans] == [False, False, True, False, False, True]

    @pytest.mark.parametrize("seed", range(12))
    def test_turn_shape_and_timing(self, seed: int) -> None:
        """2-5 turns in order before now; each 1-2 generations and at most one tool, within its turn."""
        plan = plan_session(seed, seed, NOW)
        assert 2 <= len(plan.turns) <= 5
        for before, after in zip(plan.turns, plan.turns[1:], strict=False):
            assert before.end_ns <= after.start_ns
        for turn in plan.turns:
            generations = [s for s in turn.steps if isinstance(s, Generation)]
            tools = [s for s in turn.steps if isinstance(s, ToolCall)]
            assert 1 <= len(generations) <= 2 and len(tools) <= 1
            assert all(turn.start_ns <= s.start_ns < s.end_ns <= turn.end_ns for s in turn.steps)
        assert plan.turns[-1].end_ns < NOW
        assert all(t.end_ns - t.start_ns < 30 * 10**9 for t in plan.turns)

    def test_models_are_priced(self) -> None:
        """Every model the demo can name has a price in the shipped table."""
        prices = default_price_table()
        for _provider, models, small in MODELS.values():
            for name in [small, *(m for pair in models for m in pair)]:
                assert prices.lookup(name) is not None, name

    def test_some_turns_fail(self) -> None:
        """Across many sessions some turns carry an error, and most do not."""
        steps = [
            step for index in range(40) for turn in plan_session(index, 1, NOW).turns for step in turn.steps
        ]
        failed = [s for s in steps if s.error]
        assert 0 < len(failed) < len(steps) / 4
