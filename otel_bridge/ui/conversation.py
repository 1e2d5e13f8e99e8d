"""A session's traces as a conversation: each trace one turn, its messages, the generations that made
them, its errors, and the idle gaps between turns. Pure functions over what ``pages.py`` read.

A trace's own input and output (the root span's, or ``langfuse.trace.input``/``output``) are the
turn's messages. Many instrumentations put the chat on the generations only (an agent root span
with no payload, OpenLLMetry's and OpenInference's LLM spans): then the turn's input is the first
generation's input (the prompt, in the normalized message form), and its output is what the trace
produced in order: each generation's output (the assistant's answer or tool calls) and each tool's
result, so tool calls and their results read as they happened.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from otel_bridge.model import Observation, ObservationLevel, ObservationType
from otel_bridge.store import TraceSummary
from otel_bridge.ui.views import Message, PayloadView, payload_view, text, to_json

#: The default shortest pause between two traces that the page marks as idle (seconds).
IDLE_GAP_SECONDS = 300

Source = Literal["trace", "generations", "none"]


@dataclass(frozen=True, slots=True)
class GenerationLine:
    """One generation of a turn: what the card lists under its messages."""

    observation: Observation

    @property
    def latency_seconds(self) -> float:
        """From start to end."""
        return (self.observation.end_time - self.observation.start_time).total_seconds()


@dataclass(frozen=True, slots=True)
class Turn:
    """One trace of a session as one exchange of the conversation.

    ``source`` says where the messages came from; ``errors`` are the messages of its observations at
    level ERROR (the observation's name when it gave none); ``idle_before`` the pause since the
    previous turn ended, when it is at least the page's threshold.
    """

    summary: TraceSummary
    input: PayloadView
    output: PayloadView
    source: Source
    generations: tuple[GenerationLine, ...] = ()
    errors: tuple[tuple[str, str], ...] = ()
    idle_before: float | None = None


def _messages(view: PayloadView, role: str, name: str | None = None) -> list[Message]:
    """A payload as transcript messages: a chat as it is, anything else as one message of ``role``."""
    if view.kind == "chat":
        return list(view.messages)
    if view.kind == "none":
        return []
    return [Message(role, view.text, name=name)]


def produced(observations: Sequence[Observation]) -> PayloadView:
    """What a trace's generations and tools produced, in start order, as one transcript."""
    messages: list[Message] = []
    for observation in observations:
        if observation.type == ObservationType.GENERATION:
            messages += _messages(payload_view(observation.output), "assistant")
        elif observation.type == ObservationType.TOOL and observation.output not in (None, ""):
            result = payload_view(observation.output)
            content = result.text if result.kind in ("text", "json") else text(to_json(observation.output))
            messages.append(Message("tool", content, name=observation.name))
    return PayloadView("chat", messages=tuple(messages)) if messages else PayloadView("none")


def turn(summary: TraceSummary, observations: Sequence[Observation]) -> Turn:
    """A trace of a session with its messages, generations and errors ready to show."""
    generations = [o for o in observations if o.type == ObservationType.GENERATION]
    errors = tuple(
        (o.name, o.status_message or "error (no message)")
        for o in observations
        if o.level == ObservationLevel.ERROR
    )
    own_input, own_output = payload_view(summary.trace.input), payload_view(summary.trace.output)
    source: Source = "trace"
    if own_input.kind == "none" and own_output.kind == "none":
        source = "generations" if generations else "none"
    if own_input.kind == "none" and generations:
        own_input = payload_view(generations[0].input)
    if own_output.kind == "none":
        own_output = produced(observations)
    lines = tuple(GenerationLine(g) for g in generations)
    return Turn(summary, own_input, own_output, source, lines, errors)


def with_idle_gaps(turns: Sequence[Turn], threshold_seconds: float) -> list[Turn]:
    """``turns`` (in time order) with ``idle_before`` set where a turn starts at least
    ``threshold_seconds`` after the previous one ended (0: no markers)."""
    marked: list[Turn] = []
    previous: Turn | None = None
    for current in turns:
        idle = None
        if previous is not None and threshold_seconds > 0:
            pause = (current.summary.trace.timestamp - previous.summary.trace.end_time).total_seconds()
            if pause >= threshold_seconds:
                idle = pause
        marked.append(
            Turn(
                current.summary,
                current.input,
                current.output,
                current.source,
                current.generations,
                current.errors,
                idle,
            )
        )
        previous = current
    return marked


@dataclass(frozen=True, slots=True)
class Latencies:
    """The latency of a session's traces: median and maximum, over ``count`` traces."""

    median: float | None
    maximum: float | None
    count: int


def latencies(summaries: Sequence[TraceSummary]) -> Latencies:
    """The median and maximum latency of ``summaries``."""
    values = [s.trace.latency_seconds for s in summaries]
    if not values:
        return Latencies(None, None, 0)
    return Latencies(statistics.median(values), max(values), len(values))


__all__ = [
    "IDLE_GAP_SECONDS",
    "GenerationLine",
    "Latencies",
    "Turn",
    "latencies",
    "produced",
    "turn",
    "with_idle_gaps",
]
