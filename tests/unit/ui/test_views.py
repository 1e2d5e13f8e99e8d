"""Payloads as transcripts or text, and observations as a tree (``otel_bridge.ui.views``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from otel_bridge.model import Observation, ObservationType, Payload
from otel_bridge.ui.views import (
    LONG_CHARS,
    MAX_CHARS,
    MAX_INDENT,
    chat_messages,
    observation_tree,
    payload_view,
    text,
)

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def observation(span: str, parent: str | None, start: float) -> Observation:
    """An observation starting ``start`` seconds after ``T0``."""
    return Observation(
        id=span,
        trace_id="t",
        parent_observation_id=parent,
        type=ObservationType.SPAN,
        name=span,
        start_time=T0 + timedelta(seconds=start),
        end_time=T0 + timedelta(seconds=start + 1),
    )


class TestPayloadView:
    def test_message_lists_become_a_transcript(self) -> None:
        """Normalized messages keep their order, roles, names and tool calls."""
        view = payload_view(
            [
                {"role": "system", "content": "Be brief."},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": '{"a":1}'}}],
                },
                {"role": "tool", "content": "42", "tool_call_id": "c1"},
            ]
        )
        assert view.kind == "chat"
        assert [(m.role, m.style, m.content.value, m.name) for m in view.messages] == [
            ("system", "system", "Be brief.", None),
            ("assistant", "assistant", "", None),
            ("tool", "tool", "42", "c1"),
        ]
        assert view.messages[1].tool_calls == ('f({"a":1})',)

    def test_one_message_and_wrapped_messages_are_chats(self) -> None:
        """A single message, and ``{"messages": [...]}``, read as transcripts too."""
        assert chat_messages({"role": "user", "content": "hi"}) == [{"role": "user", "content": "hi"}]
        assert chat_messages({"messages": [{"role": "ai", "content": "yo"}]}) == [
            {"role": "ai", "content": "yo"}
        ]
        assert payload_view({"messages": [{"role": "ai", "content": "yo"}]}).messages[0].style == "assistant"

    def test_structured_content_shows_as_text_or_json(self) -> None:
        """Text parts are joined; other parts (images) are shown as JSON, never dropped."""
        parts = [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]
        assert payload_view([{"role": "user", "content": parts}]).messages[0].content.value == "a\nb"
        image = [{"type": "image_url", "image_url": {"url": "data:…"}}]
        assert '"image_url"' in payload_view([{"role": "user", "content": image}]).messages[0].content.value

    def test_other_values_are_text_or_json(self) -> None:
        """Strings stay text, other values are indented JSON, empties are nothing; payloads resolve first."""
        assert payload_view("hello").kind == "text"
        assert payload_view({"a": 1}).text.value == '{\n  "a": 1\n}'
        assert payload_view([{"role": 1}]).kind == "json"
        assert payload_view(None).kind == payload_view("").kind == payload_view({}).kind == "none"
        resolved = payload_view(Payload('[{"role": "user", "content": "x"}]'))
        assert resolved.kind == "chat" and resolved.messages[0].content.value == "x"

    def test_long_text_is_collapsed_and_huge_text_cut(self) -> None:
        """Text past ``LONG_CHARS`` starts collapsed behind its first line; past ``MAX_CHARS`` it is cut."""
        assert not text("short").long
        long = text("first line\n" + "x" * LONG_CHARS)
        assert long.long and long.preview == "first line" and not long.truncated
        huge = text("y" * (MAX_CHARS + 10))
        assert huge.truncated and len(huge.value) == MAX_CHARS
        assert text("\n".join("abc" for _ in range(20))).long


class TestObservationTree:
    def test_depth_first_children_by_start(self) -> None:
        """Children come right after their parent, earliest first, one level deeper."""
        rows = observation_tree(
            [
                observation("root", None, 0),
                observation("b", "root", 2),
                observation("a", "root", 1),
                observation("a1", "a", 1.5),
            ],
            T0,
        )
        assert [(r.observation.id, r.depth) for r in rows] == [("root", 0), ("a", 1), ("a1", 2), ("b", 1)]
        assert [r.offset_seconds for r in rows] == [0, 1, 1.5, 2]

    def test_orphans_and_cycles_are_shown_as_roots(self) -> None:
        """A missing parent and a parent cycle do not hide observations."""
        rows = observation_tree(
            [
                observation("x", "gone", 0),
                observation("p", "q", 1),
                observation("q", "p", 2),
                observation("s", "s", 3),
            ],
            T0,
        )
        assert sorted(r.observation.id for r in rows) == ["p", "q", "s", "x"]
        assert [(r.observation.id, r.depth) for r in rows][:3] == [("x", 0), ("s", 0), ("p", 0)]
        assert [r.observation.id for r in rows if r.orphan] == ["x"]  # cycles are no orphans

    def test_orphans_come_before_the_roots(self) -> None:
        """An observation whose parent never arrived is shown first, even when it started last."""
        rows = observation_tree([observation("root", None, 0), observation("late", "gone", 5)], T0)
        assert [(r.observation.id, r.orphan) for r in rows] == [("late", True), ("root", False)]

    def test_deep_trees_do_not_recurse(self) -> None:
        """A chain deeper than Python's recursion limit renders, its indentation capped."""
        chain = [observation("n0", None, 0)] + [observation(f"n{i}", f"n{i - 1}", i) for i in range(1, 3000)]
        rows = observation_tree(chain, T0)
        assert rows[-1].depth == 2999 and rows[-1].indent == MAX_INDENT
