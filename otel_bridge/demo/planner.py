"""A whole session decided before any span exists: its convention, scenario, models, token counts,
failures and timing, from the seed alone (``plan_session``).

Sessions rotate through the five conventions; every third one carries its session id only on the
first generation span of each turn (as Google ADK does). Models are ones the shipped price table
knows, token counts are in the range real agents produce, and about one turn in eight fails (a tool
timeout the agent recovers from, or a rate-limited model call that fails the turn).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from otel_bridge.demo.scenarios import SCENARIOS, Scenario, ScenarioTurn

#: The convention of session ``i`` is ``CONVENTIONS[(i + seed) % 5]``.
CONVENTIONS = ("genai", "openinference", "openllmetry", "langfuse", "vercel-ai")
#: Every ``CHILD_SESSION_EVERY``-th session puts its session id on a child span only.
CHILD_SESSION_EVERY = 3
ERROR_RATE = 0.12
#: An upper bound of one turn's duration (a 10 s tool timeout and two slow model calls).
MAX_TURN_SECONDS = 30
RATE_LIMIT_ERROR = "RateLimitError: 429 Too Many Requests"

#: Convention → (provider, main models, small model for routing); every name is in the price table
#: (``otel_bridge/translate/prices.json``), exactly or as a dated variant of a known prefix.
MODELS: dict[str, tuple[str, tuple[tuple[str, str], ...], str]] = {
    "genai": (
        "openai",
        (("gpt-4o", "gpt-4o-2024-08-06"), ("gpt-4.1-mini", "gpt-4.1-mini-2025-04-14")),
        "gpt-4o-mini",
    ),
    "openinference": (
        "anthropic",
        (
            ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
            ("claude-3-5-sonnet", "claude-3-5-sonnet-20241022"),
        ),
        "claude-haiku-4-5",
    ),
    "openllmetry": (
        "mistralai",
        (("mistral-large-latest", "mistral-large-2411"), ("mistral-medium-latest", "mistral-medium-2505")),
        "mistral-small-latest",
    ),
    "langfuse": (
        "google",
        (("gemini-2.5-pro", "gemini-2.5-pro"), ("gemini-2.5-flash", "gemini-2.5-flash")),
        "gemini-2.0-flash-lite",
    ),
    "vercel-ai": (
        "openai.chat",
        (("gpt-5-mini", "gpt-5-mini-2025-08-07"), ("o4-mini", "o4-mini-2025-04-16")),
        "gpt-4.1-nano",
    ),
}

USERS = ("ana.lima@example.com", "bo.chen", "user_4821", "kim.minji", "j.okafor", "marta_r", "dev-42")


@dataclass(frozen=True)
class Message:
    """A chat message; an assistant message may be a tool call, a tool message its result."""

    role: str
    content: str = ""
    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_arguments: str | None = None


@dataclass(frozen=True)
class Generation:
    """One model call of a turn."""

    model: str
    response_model: str
    provider: str
    input: tuple[Message, ...]
    output: Message | None  # None: the call failed
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    temperature: float
    max_tokens: int
    start_ns: int
    end_ns: int
    error: str | None = None
    purpose: str = "answer"  # or "route": the small model classifying the request


@dataclass(frozen=True)
class ToolCall:
    """One tool execution of a turn."""

    name: str
    description: str
    call_id: str
    arguments: str
    result: str
    start_ns: int
    end_ns: int
    error: str | None = None


#: The steps of a turn, in order.
Steps = list[Generation | ToolCall]


@dataclass(frozen=True)
class Turn:
    """One user turn: one trace."""

    index: int
    user: str
    answer: str
    steps: tuple[Generation | ToolCall, ...]
    start_ns: int
    end_ns: int
    error: str | None = None

    @property
    def generations(self) -> list[Generation]:
        """The model calls, in order."""
        return [step for step in self.steps if isinstance(step, Generation)]


@dataclass(frozen=True)
class SessionPlan:
    """A whole session, decided before any span exists."""

    index: int
    id: str
    convention: str
    user_id: str
    scenario: Scenario
    session_on_child: bool
    turns: tuple[Turn, ...]


def plan_session(index: int, seed: int, now_ns: int) -> SessionPlan:
    """Session ``index`` of the run with ``seed``: content, models, usage, errors and timing.

    Deterministic: the same ``(index, seed)`` gives the same session, whatever ``now_ns`` (only the
    timestamps move with it)."""
    rng = random.Random(f"otel-bridge-demo:{seed}:{index}")
    convention = CONVENTIONS[(index + seed) % len(CONVENTIONS)]
    scenario = SCENARIOS[rng.randrange(len(SCENARIOS))]
    provider, models, small_model = MODELS[convention]
    model, response_model = models[rng.randrange(len(models))]
    session_id = f"demo-{convention}-{rng.getrandbits(32):08x}"
    user_id = USERS[rng.randrange(len(USERS))]
    planner = _Planner(
        rng, scenario, provider, model, response_model, small_model, overhead=rng.randint(600, 1400)
    )
    n_turns = rng.randint(2, 5)

    # A turn starts when the user, having read the previous answer, writes again (15-150 s later).
    # A turn lasts at most MAX_TURN_SECONDS, so starting this far back ends the session before now.
    gaps = [int(rng.uniform(15, 150) * 1e9) for _ in range(n_turns)]
    start = now_ns - int(rng.uniform(30, 3600) * 1e9) - sum(gaps) - n_turns * MAX_TURN_SECONDS * 10**9

    history: list[Message] = [Message("system", scenario.system)]
    turns: list[Turn] = []
    for number in range(n_turns):
        turn_start = turns[-1].end_ns + gaps[number] if turns else start
        turns.append(planner.turn(number, history, turn_start))
    return SessionPlan(
        index,
        session_id,
        convention,
        user_id,
        scenario,
        session_on_child=index % CHILD_SESSION_EVERY == CHILD_SESSION_EVERY - 1,
        turns=tuple(turns),
    )


def _tokens(text: str) -> int:
    """A rough token count: four characters a token."""
    return max(1, len(text) // 4)


def _ms(rng: random.Random, low: float, high: float) -> int:
    return int(rng.uniform(low, high) * 1_000_000)


@dataclass
class _Planner:
    """The state of one session while its turns are laid out: randomness, models and a clock.

    Every draw from ``rng`` happens in a fixed order: the same seed must give the same session."""

    rng: random.Random
    scenario: Scenario
    provider: str
    model: str
    response_model: str
    small_model: str
    overhead: int  # system prompt and tool schemas, in tokens
    clock: int = 0

    def turn(self, number: int, history: list[Message], start: int) -> Turn:
        """Turn ``number`` of the scenario, from ``start``; its messages are appended to ``history``."""
        script = self.scenario.turns[number]
        self.clock = start + _ms(self.rng, 2, 15)
        history.append(Message("user", script.user))
        failure = self.rng.random() < ERROR_RATE
        cache = number > 0
        if script.tool_arguments is not None:
            steps, answer, error = self._with_tool(script, history, failure, cache)
        else:
            steps, answer, error = self._without_tool(script, history, failure, cache)
        if answer:
            history.append(Message("assistant", answer))
        end = self.clock + _ms(self.rng, 1, 10)
        return Turn(number, script.user, answer, tuple(steps), start, end, error)

    def _with_tool(
        self, script: ScenarioTurn, history: list[Message], failure: bool, cache: bool
    ) -> tuple[Steps, str, str | None]:
        """A tool call between two model calls; a failed tool is recovered from."""
        call_id = f"call_{self.rng.getrandbits(64):016x}"
        arguments = json.dumps(script.tool_arguments)
        request = Message(
            "assistant", tool_call_id=call_id, tool_name=self.scenario.tool, tool_arguments=arguments
        )
        steps: Steps = [
            self.generation(history, request, cache=cache),
            self.tool(call_id, arguments, script.tool_result, failure),
        ]
        result, answer = script.tool_result, script.answer
        if failure:  # the agent recovers: the turn itself succeeds
            result = '{"error": "timeout"}'
            answer = (
                f"Sorry, I could not reach the {self.scenario.tool.replace('_', ' ')} service just now. "
                "Could you try again in a minute?"
            )
        follow_up = [*history, request, Message("tool", result, tool_call_id=call_id)]
        steps.append(self.generation(follow_up, Message("assistant", answer), cache=True))
        return steps, answer, None

    def _without_tool(
        self, script: ScenarioTurn, history: list[Message], failure: bool, cache: bool
    ) -> tuple[Steps, str, str | None]:
        """An answer, sometimes after a routing call; a failed model call fails the turn."""
        steps: Steps = []
        if self.rng.random() < 0.4:
            intent = Message("assistant", json.dumps({"intent": "answer_directly", "needs_tool": False}))
            steps.append(self.generation([history[-1]], intent, route=True))
        if failure:
            steps.append(self.generation(history, None))
            return steps, "", RATE_LIMIT_ERROR
        steps.append(self.generation(history, Message("assistant", script.answer), cache=cache))
        return steps, script.answer, None

    def generation(
        self, messages: Sequence[Message], output: Message | None, *, route: bool = False, cache: bool = False
    ) -> Generation:
        """A model call starting now; the clock moves past it. ``output`` None: it failed."""
        rng = self.rng
        if route:
            prompt = rng.randint(180, 320) + _tokens(messages[-1].content)
        else:
            prompt = self.overhead + sum(_tokens(m.content or m.tool_arguments or "") + 4 for m in messages)
        completion = 0
        if output is not None:
            completion = _tokens(output.content or output.tool_arguments or "") + rng.randint(3, 40)
        cached = (self.overhead // 128) * 128 if cache and output is not None and not route else 0
        latency = 0.25 + completion * rng.uniform(0.008, 0.02) + rng.uniform(0.1, 0.6)
        start = self.clock
        self.clock += int(latency * 1e9)
        model = self.small_model if route else self.model
        call = Generation(
            model=model,
            response_model=model if route else self.response_model,
            provider=self.provider,
            input=tuple(messages),
            output=output,
            input_tokens=prompt if output is not None else 0,
            output_tokens=completion,
            cached_tokens=min(cached, prompt),
            temperature=0.0 if route else rng.choice((0.2, 0.3, 0.7)),
            max_tokens=256 if route else rng.choice((1024, 2048, 4096)),
            start_ns=start,
            end_ns=self.clock,
            error=None if output is not None else RATE_LIMIT_ERROR,
            purpose="route" if route else "answer",
        )
        self.clock += _ms(rng, 1, 8)
        return call

    def tool(self, call_id: str, arguments: str, result: str, failed: bool) -> ToolCall:
        """A tool execution starting now (a failure is a 10 s timeout)."""
        start = self.clock
        self.clock += int(10e9) if failed else _ms(self.rng, 80, 1500)
        call = ToolCall(
            name=self.scenario.tool,
            description=self.scenario.tool_description,
            call_id=call_id,
            arguments=arguments,
            result="" if failed else result,
            start_ns=start,
            end_ns=self.clock,
            error=f"TimeoutError: {self.scenario.tool} did not answer within 10 s" if failed else None,
        )
        self.clock += _ms(self.rng, 1, 5)
        return call


__all__ = [
    "CHILD_SESSION_EVERY",
    "CONVENTIONS",
    "ERROR_RATE",
    "MAX_TURN_SECONDS",
    "MODELS",
    "RATE_LIMIT_ERROR",
    "USERS",
    "Generation",
    "Message",
    "SessionPlan",
    "Steps",
    "ToolCall",
    "Turn",
    "plan_session",
]
