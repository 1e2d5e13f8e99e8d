"""otel_bridge.otlp.validate: the id and time rules shared by both decoders."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otel_bridge.otlp.validate import InvalidSpan, hex_id, ids_and_times_are_valid, parent_id, span_problem

TRACE = bytes(range(1, 17))
SPAN = bytes(range(1, 9))


class TestSpanProblem:
    """span_problem names the first rule a span breaks."""

    def test_valid_span(self) -> None:
        """A span following every rule has no problem."""
        assert span_problem(TRACE, SPAN, b"", 1, 1) is None
        assert span_problem(TRACE, SPAN, SPAN, 1, 2) is None

    @pytest.mark.parametrize(
        ("arguments", "reason"),
        [
            ((TRACE[:3], SPAN, b"", 1, 2), "trace_id must be 16 bytes (32 hex characters), got 3 bytes"),
            ((bytes(16), SPAN, b"", 1, 2), "trace_id must not be all zeros"),
            ((TRACE, SPAN + b"x", b"", 1, 2), "span_id must be 8 bytes (16 hex characters), got 9 bytes"),
            ((TRACE, bytes(8), b"", 1, 2), "span_id must not be all zeros"),
            (
                (TRACE, SPAN, b"x", 1, 2),
                "parent_span_id must be empty or 8 bytes (16 hex characters), got 1 bytes",
            ),
            ((TRACE, SPAN, b"", 0, 2), "start_time_unix_nano must be set (it is 0)"),
            ((TRACE, SPAN, b"", 3, 2), "end_time_unix_nano is before start_time_unix_nano"),
            ((b"", b"", b"x", 0, 0), "trace_id must be 16 bytes (32 hex characters), got 0 bytes"),
        ],
    )
    def test_rules(self, arguments: tuple[bytes, bytes, bytes, int, int], reason: str) -> None:
        """Each rule has its own reason, checked in order: trace id, span id, parent, times."""
        assert span_problem(*arguments) == reason

    @given(
        trace_id=st.sampled_from([TRACE, bytes(16), TRACE[:15], b""]),
        span_id=st.sampled_from([SPAN, bytes(8), SPAN[:7], b""]),
        parent=st.sampled_from([b"", SPAN, bytes(8), b"abc"]),
        start=st.integers(0, 5),
        end=st.integers(0, 5),
    )
    def test_fast_check_agrees(
        self, trace_id: bytes, span_id: bytes, parent: bytes, start: int, end: int
    ) -> None:
        """The fast check accepts exactly the spans span_problem finds no problem with."""
        assert ids_and_times_are_valid(trace_id, span_id, parent, start, end) == (
            span_problem(trace_id, span_id, parent, start, end) is None
        )


class TestParentId:
    """parent_id turns the parent span id into hex or None."""

    def test_root(self) -> None:
        """Empty and all-zero parents are roots."""
        assert parent_id(b"") is None
        assert parent_id(bytes(8)) is None

    def test_child(self) -> None:
        """Any other parent is lowercase hex."""
        assert parent_id(b"\xab" * 8) == "ab" * 8


class TestHexId:
    """hex_id reads an OTLP/JSON hex id into bytes."""

    def test_valid(self) -> None:
        """Hex text of the right length (any case) becomes bytes; absent or empty is b''."""
        assert hex_id("span_id", "ABCDEF0123456789", 8) == bytes.fromhex("abcdef0123456789")
        assert hex_id("span_id", None, 8) == b""
        assert hex_id("span_id", "", 8) == b""

    def test_all_zeros_is_left_to_span_problem(self) -> None:
        """An all-zero id is returned; span_problem names it."""
        assert hex_id("trace_id", "0" * 32, 16) == bytes(16)

    @pytest.mark.parametrize(
        ("field", "value", "size", "reason"),
        [
            ("span_id", "abc", 8, "span_id must be 8 bytes (16 hex characters), got 3 characters"),
            ("trace_id", "ab" * 17, 16, "trace_id must be 16 bytes (32 hex characters), got 34 characters"),
            (
                "parent_span_id",
                "ab",
                8,
                "parent_span_id must be empty or 8 bytes (16 hex characters), got 2 characters",
            ),
            ("span_id", "g" * 16, 8, f"span_id is not hex: {'g' * 16!r}"),
            ("span_id", "ab cd ef 0123456", 8, "span_id is not hex: 'ab cd ef 0123456'"),
            ("span_id", 1234, 8, "span_id must be a hex string, got int"),
        ],
    )
    def test_invalid(self, field: str, value: object, size: int, reason: str) -> None:
        """Text of the wrong length, not hex, or not text raises InvalidSpan naming the field."""
        with pytest.raises(InvalidSpan) as raised:
            hex_id(field, value, size)
        assert raised.value.reason == reason
