"""Store values → what the templates show: payloads as chat transcripts or escaped text, and a
trace's observations as an indented tree. Pure functions; ``pages.py`` calls them with what it read.

Payloads arrive resolved by ``resolve_payload`` (the translator's readable form): chat messages are
``[{role, content, tool_calls?, name?, tool_call_id?}]`` whatever convention carried them
(``translate/messages.py``); anything else is shown as text or indented JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from otel_bridge.model import Observation
from otel_bridge.translate.payloads import resolve_payload

#: Text longer than this (characters or lines) starts collapsed, behind its first line.
LONG_CHARS = 600
LONG_LINES = 12
#: At most this much of one payload goes into a page: a multi-megabyte prompt would otherwise make
#: every page that shows it as large; the API still returns it whole.
MAX_CHARS = 100_000
#: Deeper observations are indented like this depth (the page width runs out first).
MAX_INDENT = 16
#: Characters of a collapsed text's first line shown in its ``<summary>``.
PREVIEW_CHARS = 120

PayloadKind = Literal["none", "chat", "text", "json"]


@dataclass(frozen=True, slots=True)
class Text:
    """A block of text, cut at ``MAX_CHARS``; ``long`` ones start collapsed behind ``preview``."""

    value: str
    truncated: bool = False

    @property
    def long(self) -> bool:
        """Whether it starts collapsed."""
        return len(self.value) > LONG_CHARS or self.value.count("\n") >= LONG_LINES

    @property
    def preview(self) -> str:
        """The first line, shortened."""
        first = self.value.lstrip().split("\n", 1)[0]
        return first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"


#: Roles as conventions spell them → the four a transcript styles (anything else: ``other``).
ROLE_STYLES = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "model": "assistant",
    "system": "system",
    "developer": "system",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
}


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message: who spoke (and under which name or tool call id), what was said, and the
    tools it called (``name(arguments)``)."""

    role: str
    content: Text
    name: str | None = None
    tool_calls: tuple[str, ...] = ()

    @property
    def style(self) -> str:
        """How the transcript styles it: ``user``, ``assistant``, ``system``, ``tool`` or ``other``."""
        return ROLE_STYLES.get(self.role.lower(), "other")


@dataclass(frozen=True, slots=True)
class PayloadView:
    """An input, output or metadata value as a page shows it."""

    kind: PayloadKind
    text: Text = Text("")
    messages: tuple[Message, ...] = ()


@dataclass(frozen=True, slots=True)
class TreeRow:
    """One observation in a trace tree: its depth, its start relative to the trace's, and whether its
    parent never arrived (``orphan``: it names a parent the trace does not hold)."""

    observation: Observation
    depth: int
    offset_seconds: float
    orphan: bool = False

    @property
    def indent(self) -> int:
        """How many indentation steps the page draws: the depth, capped."""
        return min(self.depth, MAX_INDENT)

    @property
    def duration_seconds(self) -> float:
        """From start to end."""
        return (self.observation.end_time - self.observation.start_time).total_seconds()


def text(value: str) -> Text:
    """``value`` as a ``Text``, cut at ``MAX_CHARS``."""
    if len(value) > MAX_CHARS:
        return Text(value[:MAX_CHARS], truncated=True)
    return Text(value)


def to_json(value: Any) -> str:
    """Indented JSON for display; values JSON cannot spell (bytes, datetimes) as their ``str``."""
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except ValueError:  # a circular structure: not from the store, but never fail a page over it
        return repr(value)


def payload_view(value: Any) -> PayloadView:
    """An input or output (stored, possibly a ``Payload``) as a transcript, text or JSON."""
    value = resolve_payload(value)
    if value is None or value in ("", [], {}):
        return PayloadView("none")
    messages = chat_messages(value)
    if messages is not None:
        return PayloadView("chat", messages=tuple(_message(m) for m in messages))
    if isinstance(value, str):
        return PayloadView("text", text(value))
    return PayloadView("json", text(to_json(value)))


def json_view(value: Mapping[str, Any]) -> PayloadView:
    """A mapping (metadata, model parameters) as indented JSON; empty ones as nothing."""
    if not value:
        return PayloadView("none")
    return PayloadView("json", text(to_json(dict(value))))


def _is_message(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("role"), str)
        and ("content" in item or "tool_calls" in item)
    )


def chat_messages(value: Any) -> list[dict[str, Any]] | None:
    """The chat messages ``value`` holds: a list of messages, one message, or ``{"messages": […]}``
    (how several SDKs wrap a chat call's input); None when it is not a chat."""
    if isinstance(value, dict):
        if _is_message(value):
            return [value]
        inner = value.get("messages")
        if len(value) == 1 and inner is not None:
            return chat_messages(inner)
        return None
    if isinstance(value, list) and value and all(_is_message(item) for item in value):
        return value
    return None


def _message(message: Mapping[str, Any]) -> Message:
    name = message.get("name") or message.get("tool_call_id")
    calls = message.get("tool_calls")
    return Message(
        role=message["role"] or "unknown",
        content=text(_content_text(message.get("content"))),
        name=None if name is None else str(name),
        tool_calls=tuple(_call_text(call) for call in calls) if isinstance(calls, list) else (),
    )


def _content_text(content: Any) -> str:
    """Message content as text: strings as they are, text-only parts joined, anything else as JSON."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str)
        for part in content
    ):
        return "\n".join(part["text"] for part in content)
    return to_json(content)


def _call_text(call: Any) -> str:
    """A tool call in OpenAI's shape as ``name(arguments)``; other shapes as JSON."""
    function = call.get("function") if isinstance(call, dict) else None
    if isinstance(function, dict) and isinstance(function.get("name"), str):
        arguments = function.get("arguments")
        if not isinstance(arguments, str):
            arguments = "" if arguments is None else to_json(arguments)
        return f"{function['name']}({arguments})"
    return to_json(call)


def observation_tree(observations: Iterable[Observation], trace_start: datetime) -> list[TreeRow]:
    """The observations depth first, children by start time under their parent.

    An observation whose parent is not in the trace (it never arrived) is shown as a root at the top,
    marked ``orphan``, before the trace's own roots; one caught in a parent cycle (span ids are chosen
    by clients) is shown as a root after them: nothing stored is left out. The walk keeps its own
    stack, so a pathologically deep trace cannot exhaust Python's recursion.
    """
    ordered = sorted(observations, key=lambda o: (o.start_time, o.id))
    known = {o.id for o in ordered}
    children: dict[str | None, list[Observation]] = {}
    orphans: list[Observation] = []
    for observation in ordered:
        parent = observation.parent_observation_id
        if parent is not None and parent not in known:
            orphans.append(observation)
            continue
        if parent == observation.id:
            parent = None
        children.setdefault(parent, []).append(observation)
    orphan_ids = {o.id for o in orphans}
    rows: list[TreeRow] = []
    placed: set[str] = set()
    for start in [*orphans, *children.get(None, ()), *ordered]:
        stack = [(start, 0)]
        while stack:
            observation, depth = stack.pop()
            if observation.id in placed:
                continue
            placed.add(observation.id)
            offset = (observation.start_time - trace_start).total_seconds()
            rows.append(TreeRow(observation, depth, offset, observation.id in orphan_ids))
            stack.extend((child, depth + 1) for child in reversed(children.get(observation.id, ())))
    return rows


__all__ = [
    "LONG_CHARS",
    "LONG_LINES",
    "MAX_CHARS",
    "MAX_INDENT",
    "ROLE_STYLES",
    "Message",
    "PayloadView",
    "Text",
    "TreeRow",
    "chat_messages",
    "json_view",
    "observation_tree",
    "payload_view",
    "text",
    "to_json",
]
