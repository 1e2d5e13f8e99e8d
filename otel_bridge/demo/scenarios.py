"""What the demo's sessions say: the conversations of ``scenarios.json`` (package data), as typed
objects. Each scenario is an agent with one tool and five user turns; a session plays the first
two to five of them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

DATA_FILE = "scenarios.json"


@dataclass(frozen=True)
class ScenarioTurn:
    """One user message and the agent's answer; ``tool_arguments`` None: answered without the tool."""

    user: str
    answer: str
    tool_arguments: Mapping[str, str] | None = None
    #: The tool's answer, a JSON text ("" when the tool is not called).
    tool_result: str = ""


@dataclass(frozen=True)
class Scenario:
    """A conversation: an agent, its tool, and its user turns."""

    agent: str
    service: str
    system: str
    tool: str
    tool_description: str
    turns: tuple[ScenarioTurn, ...]


def load_scenarios(text: str | None = None) -> tuple[Scenario, ...]:
    """The scenarios of ``text`` (default: the shipped ``scenarios.json``); ``ValueError`` naming
    the first field that is missing or not of its type."""
    if text is None:
        text = resources.files("otel_bridge.demo").joinpath(DATA_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, list) or not document:
        raise ValueError(f"{DATA_FILE}: expected a non-empty list of scenarios")
    return tuple(_scenario(item, f"{DATA_FILE}[{number}]") for number, item in enumerate(document))


def _scenario(item: Any, where: str) -> Scenario:
    turns = _field(item, "turns", list, where)
    return Scenario(
        agent=_field(item, "agent", str, where),
        service=_field(item, "service", str, where),
        system=_field(item, "system", str, where),
        tool=_field(item, "tool", str, where),
        tool_description=_field(item, "tool_description", str, where),
        turns=tuple(_turn(turn, f"{where}.turns[{number}]") for number, turn in enumerate(turns)),
    )


def _turn(item: Any, where: str) -> ScenarioTurn:
    user, answer = _field(item, "user", str, where), _field(item, "answer", str, where)
    if "tool_call" not in item:
        return ScenarioTurn(user, answer)
    call = _field(item, "tool_call", dict, where)
    arguments = _field(call, "arguments", dict, f"{where}.tool_call")
    if not all(isinstance(value, str) for value in arguments.values()):
        raise ValueError(f"{where}.tool_call.arguments: every value must be a string")
    return ScenarioTurn(user, answer, arguments, _field(call, "result", str, f"{where}.tool_call"))


def _field(item: Any, name: str, kind: type[Any], where: str) -> Any:
    if not isinstance(item, dict) or not isinstance(item.get(name), kind):
        raise ValueError(f"{where}.{name}: expected a {kind.__name__}")
    return item[name]


#: The shipped scenarios, loaded once.
SCENARIOS: tuple[Scenario, ...] = load_scenarios()

__all__ = ["DATA_FILE", "SCENARIOS", "Scenario", "ScenarioTurn", "load_scenarios"]
