"""``otel_bridge.demo.scenarios``: the shipped ``scenarios.json`` loads, ships in the package, is
played in full by the planner, and a broken file is refused naming the field."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

import otel_bridge
from otel_bridge.demo.planner import plan_session
from otel_bridge.demo.scenarios import DATA_FILE, SCENARIOS, load_scenarios
from tests.support.paths import REPOSITORY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself depends on tomli before 3.11
    tomllib = pytest.importorskip("tomli")

NOW = 1_760_000_000_000_000_000
PACKAGE = Path(otel_bridge.__file__).parent
#: Enough sessions that every turn of every scenario is drawn (each 5-turn session: 1 in 16).
SESSIONS = 200


def scenario_document(**turn: Any) -> str:
    """A one-scenario file whose only turn is ``turn``."""
    scenario = {
        "agent": "a",
        "service": "s",
        "system": "You help.",
        "tool": "t",
        "tool_description": "d",
        "turns": [turn],
    }
    return json.dumps([scenario])


class TestScenarioData:
    def test_the_data_file_loads(self) -> None:
        """The shipped file gives typed scenarios with distinct agents, each calling its tool at least
        once with string arguments and a result."""
        assert load_scenarios() == SCENARIOS
        assert len({s.agent for s in SCENARIOS}) == len(SCENARIOS) >= 2
        for scenario in SCENARIOS:
            calls = [t for t in scenario.turns if t.tool_arguments is not None]
            assert calls, scenario.agent
            assert all(t.tool_result for t in calls), scenario.agent

    def test_every_scenario_and_turn_is_played(self) -> None:
        """Across many sessions the planner plays every turn of every scenario and nothing else: a
        scenario too short for the planner, or a turn it can never reach, fails here."""
        played = {
            (plan.scenario.agent, turn.user)
            for plan in (plan_session(index, 0, NOW) for index in range(SESSIONS))
            for turn in plan.turns
        }
        assert played == {(s.agent, t.user) for s in SCENARIOS for t in s.turns}

    def test_the_data_file_is_package_data(self) -> None:
        """``scenarios.json`` matches a ``package-data`` pattern of ``pyproject.toml``."""
        config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())
        patterns = config["tool"]["setuptools"]["package-data"]["otel_bridge"]
        shipped = {p for pattern in patterns for p in PACKAGE.glob(pattern)}
        assert PACKAGE / "demo" / DATA_FILE in shipped


class TestBrokenData:
    def test_a_missing_field_is_named(self) -> None:
        """A turn without its answer: ``ValueError`` naming the scenario, the turn and the field."""
        with pytest.raises(ValueError, match=r"scenarios\.json\[0\]\.turns\[0\]\.answer: expected a str"):
            load_scenarios(scenario_document(user="Hi"))

    def test_tool_arguments_must_be_strings(self) -> None:
        """Tool arguments are strings, as the writers send them."""
        call = {"arguments": {"city": 7}, "result": "{}"}
        with pytest.raises(ValueError, match=r"turns\[0\]\.tool_call\.arguments: every value"):
            load_scenarios(scenario_document(user="Hi", answer="Hello", tool_call=call))

    def test_an_empty_file_is_refused(self) -> None:
        """No scenario at all is an error, not a planner that cannot choose."""
        with pytest.raises(ValueError, match="non-empty list"):
            load_scenarios("[]")
